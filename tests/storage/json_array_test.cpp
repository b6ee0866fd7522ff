#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "storage/store.h"

namespace herald {
namespace {

using Strings = std::vector<std::string>;

TEST(StringArrayJsonTest, EmptyArray) {
  EXPECT_EQ(encode_string_array({}), "[]");
  EXPECT_EQ(decode_string_array("[]"), Strings{});
  EXPECT_EQ(decode_string_array(" [ ] "), Strings{});
}

TEST(StringArrayJsonTest, EscapesQuotesBackslashesAndControls) {
  const Strings terms = {"say \"AI\"", "C:\\law", "line\nbreak\ttab\x01", "\x7f"};

  const std::string json = encode_string_array(terms);

  EXPECT_EQ(json,
            R"(["say \"AI\"","C:\\law","line\u000abreak\u0009tab\u0001","\u007f"])");
  EXPECT_EQ(decode_string_array(json), terms);
}

TEST(StringArrayJsonTest, ChineseIsWrittenAsUtf8AndRoundTrips) {
  const Strings terms = {"人工智能", "生成式人工智能服务管理暂行办法", "AI"};

  const std::string json = encode_string_array(terms);

  EXPECT_EQ(json, "[\"人工智能\",\"生成式人工智能服务管理暂行办法\",\"AI\"]");
  EXPECT_EQ(decode_string_array(json), terms);
}

TEST(StringArrayJsonTest, DecodesStandardEscapesAndSurrogatePairs) {
  auto decoded = decode_string_array(
      R"([ "\u4eba\u5de5\u667a\u80fd" , "\ud83e\udd16", "a\/b\r\n\b\f", "" ])");

  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, (Strings{"人工智能", "\xF0\x9F\xA4\x96", "a/b\r\n\b\f", ""}));
}

TEST(StringArrayJsonTest, RejectsAnythingButAnArrayOfStrings) {
  for (const char* bad : {"", "{}", "[", "[\"a\"", "[\"a\",]", "[1]", "[\"a\" \"b\"]",
                          "[\"a\"] x", "[\"\\x\"]", "[\"\\u12\"]", "[\"\\udc00\"]",
                          "[\"\\ud83e\"]", "[\"raw\nnewline\"]", "\"a\""}) {
    EXPECT_EQ(decode_string_array(bad), std::nullopt) << bad;
  }
}

TEST(ReviewStateTest, NamesRoundTrip) {
  for (ReviewState s : {ReviewState::kPending, ReviewState::kAccepted, ReviewState::kRejected}) {
    EXPECT_EQ(parse_review_state(review_state_name(s)), s);
  }
  EXPECT_EQ(review_state_name(ReviewState::kAccepted), "accepted");
  EXPECT_EQ(parse_review_state("Accepted"), std::nullopt);
}

}  // namespace
}  // namespace herald
