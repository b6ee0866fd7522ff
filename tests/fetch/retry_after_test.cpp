#include "scrapers/fetch/retry_after.h"

#include <chrono>
#include <cstdint>
#include <optional>

#include <gtest/gtest.h>

namespace herald {
namespace {

using std::chrono::seconds;

// Sun, 06 Nov 1994 08:49:37 GMT, the RFC 9110 example date.
constexpr std::int64_t kRfcExample = 784111777;

TEST(HttpDateTest, ReadsAllThreeRfc9110Forms) {
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), kRfcExample);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), kRfcExample);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), kRfcExample);
}

TEST(HttpDateTest, MonthNamesAreCaseInsensitiveAndLeapDaysExist) {
  EXPECT_EQ(parse_http_date("Thu, 29 feb 2024 00:00:00 GMT"), 1709164800);
}

TEST(HttpDateTest, RejectsMalformedDates) {
  EXPECT_EQ(parse_http_date(""), std::nullopt);
  EXPECT_EQ(parse_http_date("tomorrow"), std::nullopt);
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 PST"), std::nullopt);
  EXPECT_EQ(parse_http_date("Sun, 31 Feb 1994 08:49:37 GMT"), std::nullopt);
  EXPECT_EQ(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"), std::nullopt);
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"), std::nullopt);
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 94 08:49:37 GMT"), std::nullopt);
}

TEST(RetryAfterTest, DelaySeconds) {
  EXPECT_EQ(parse_retry_after("120", kRfcExample), seconds(120));
  EXPECT_EQ(parse_retry_after("  7 ", kRfcExample), seconds(7));
}

TEST(RetryAfterTest, HttpDateIsRelativeToNow) {
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:51:37 GMT", kRfcExample), seconds(120));
  EXPECT_EQ(parse_retry_after("Sunday, 06-Nov-94 09:49:37 GMT", kRfcExample), seconds(3600));
  EXPECT_EQ(parse_retry_after("Sun Nov  6 08:50:37 1994", kRfcExample), seconds(60));
}

TEST(RetryAfterTest, ClampedToOneSecondAndOneDay) {
  EXPECT_EQ(parse_retry_after("0", kRfcExample), seconds(1));
  EXPECT_EQ(parse_retry_after("999999", kRfcExample), seconds(86400));
  EXPECT_EQ(parse_retry_after("99999999999999999999999999", kRfcExample), seconds(86400));
  // A date in the past (a server with a wrong clock) still waits the minimum.
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", kRfcExample), seconds(1));
  EXPECT_EQ(parse_retry_after("Fri, 01 Jan 2100 00:00:00 GMT", kRfcExample), seconds(86400));
}

TEST(RetryAfterTest, NeitherNumberNorDateIsUnreadable) {
  EXPECT_EQ(parse_retry_after("", kRfcExample), std::nullopt);
  EXPECT_EQ(parse_retry_after("-5", kRfcExample), std::nullopt);
  EXPECT_EQ(parse_retry_after("1.5", kRfcExample), std::nullopt);
  EXPECT_EQ(parse_retry_after("soon", kRfcExample), std::nullopt);
}

}  // namespace
}  // namespace herald
