#include "common/timezone.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/fixtures.h"

namespace herald {
namespace {

// Seconds since the epoch of a UTC wall-clock time.
std::int64_t utc(std::int64_t y, int mo, int d, int h = 0, int mi = 0) {
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

TimeZone load_or_die(std::string_view name) {
  auto tz = TimeZone::load(name);
  if (!tz) {
    throw std::runtime_error(tz.error().message);
  }
  return *tz;
}

TEST(CivilDateTest, RoundTripsAndKnowsLeapYears) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  const CivilDate d = civil_from_days(days_from_civil(2024, 2, 29));
  EXPECT_EQ(d.year, 2024);
  EXPECT_EQ(d.month, 2);
  EXPECT_EQ(d.day, 29);
  EXPECT_TRUE(is_valid_civil_date(2024, 2, 29));
  EXPECT_FALSE(is_valid_civil_date(2023, 2, 29));
  EXPECT_FALSE(is_valid_civil_date(1900, 2, 29));
  EXPECT_TRUE(is_valid_civil_date(2000, 2, 29));
  EXPECT_FALSE(is_valid_civil_date(2023, 4, 31));
  EXPECT_FALSE(is_valid_civil_date(2023, 13, 1));
  EXPECT_FALSE(is_valid_civil_date(2023, 0, 1));
  EXPECT_FALSE(is_valid_civil_date(2023, 1, 0));
}

// The "YYYY-MM-DD" reader behind days left to a comment deadline (desk, CLI, digest).
TEST(CivilDateTest, IsoDatesReadOnlyWhenWrittenInFullAndReal) {
  EXPECT_EQ(days_from_iso_date("1970-01-01"), 0);
  EXPECT_EQ(days_from_iso_date("2024-02-29"), days_from_civil(2024, 2, 29));
  EXPECT_EQ(*days_from_iso_date("2023-12-07") - *days_from_iso_date("2023-11-30"), 7);
  EXPECT_EQ(days_from_iso_date("2023-02-29"), std::nullopt);
  EXPECT_EQ(days_from_iso_date("2023-12-7"), std::nullopt);
  EXPECT_EQ(days_from_iso_date("2023/12/07"), std::nullopt);
  EXPECT_EQ(days_from_iso_date("12/07/2023"), std::nullopt);
  EXPECT_EQ(days_from_iso_date("２０２３-12-07"), std::nullopt);
  EXPECT_EQ(days_from_iso_date(""), std::nullopt);
}

TEST(TimeZoneTest, ShanghaiIsPlusEightIn2023) {
  const TimeZone tz = load_or_die("Asia/Shanghai");
  EXPECT_EQ(tz.name(), "Asia/Shanghai");
  EXPECT_EQ(tz.offset_at_utc(utc(2023, 11, 7, 2)), 8 * 3600);
  EXPECT_EQ(tz.offset_at_utc(utc(2023, 7, 1)), 8 * 3600);
  // 2023-11-07 10:30 in Beijing is 02:30 UTC.
  EXPECT_EQ(tz.local_to_utc(utc(2023, 11, 7, 10, 30)), utc(2023, 11, 7, 2, 30));
  // Past the end of the table (footer "CST-8").
  EXPECT_EQ(tz.offset_at_utc(utc(2090, 6, 1)), 8 * 3600);
}

TEST(TimeZoneTest, ShanghaiKeepsItsDaylightSavingHistory) {
  // China observed DST 1986-1991; 1988-07-01 was +9.
  const TimeZone tz = load_or_die("Asia/Shanghai");
  EXPECT_EQ(tz.offset_at_utc(utc(1988, 7, 1)), 9 * 3600);
  EXPECT_EQ(tz.offset_at_utc(utc(1988, 12, 1)), 8 * 3600);
}

TEST(TimeZoneTest, TokyoIsPlusNine) {
  const TimeZone tz = load_or_die("Asia/Tokyo");
  EXPECT_EQ(tz.offset_at_utc(utc(2023, 7, 1)), 9 * 3600);
  EXPECT_EQ(tz.local_to_utc(utc(2023, 11, 7, 9)), utc(2023, 11, 7, 0));
}

TEST(TimeZoneTest, NewYorkFollowsDaylightSaving) {
  const TimeZone tz = load_or_die("America/New_York");
  EXPECT_EQ(tz.offset_at_utc(utc(2023, 7, 1)), -4 * 3600);
  EXPECT_EQ(tz.offset_at_utc(utc(2023, 12, 1)), -5 * 3600);
  EXPECT_EQ(tz.local_to_utc(utc(2023, 7, 1, 12)), utc(2023, 7, 1, 16));
  EXPECT_EQ(tz.local_to_utc(utc(2023, 12, 1, 12)), utc(2023, 12, 1, 17));
  // 2023: DST began 2023-03-12 07:00 UTC and ended 2023-11-05 06:00 UTC.
  EXPECT_EQ(tz.offset_at_utc(utc(2023, 3, 12, 7) - 1), -5 * 3600);
  EXPECT_EQ(tz.offset_at_utc(utc(2023, 3, 12, 7)), -4 * 3600);
  EXPECT_EQ(tz.offset_at_utc(utc(2023, 11, 5, 6) - 1), -4 * 3600);
  EXPECT_EQ(tz.offset_at_utc(utc(2023, 11, 5, 6)), -5 * 3600);
}

TEST(TimeZoneTest, NewYorkFarFutureComesFromTheFooterRule) {
  // Beyond any table: 2150 is computed from "EST5EDT,M3.2.0,M11.1.0".
  const TimeZone tz = load_or_die("America/New_York");
  EXPECT_EQ(tz.offset_at_utc(utc(2150, 7, 1)), -4 * 3600);
  EXPECT_EQ(tz.offset_at_utc(utc(2150, 1, 15)), -5 * 3600);
  // 2150-03-08 is the second Sunday of March 2150.
  EXPECT_EQ(tz.offset_at_utc(utc(2150, 3, 8, 7) - 1), -5 * 3600);
  EXPECT_EQ(tz.offset_at_utc(utc(2150, 3, 8, 7)), -4 * 3600);
}

TEST(TimeZoneTest, NewYorkGapAndOverlapUseTheEarlierOffset) {
  const TimeZone tz = load_or_die("America/New_York");
  // 02:30 on 2023-03-12 does not exist; read with EST (the offset before the jump).
  EXPECT_EQ(tz.local_to_utc(utc(2023, 3, 12, 2, 30)), utc(2023, 3, 12, 7, 30));
  // 01:30 on 2023-11-05 happens twice; the first (EDT) wins.
  EXPECT_EQ(tz.local_to_utc(utc(2023, 11, 5, 1, 30)), utc(2023, 11, 5, 5, 30));
}

TEST(TimeZoneTest, LondonSummerAndWinter) {
  const TimeZone tz = load_or_die("Europe/London");
  EXPECT_EQ(tz.offset_at_utc(utc(2023, 7, 1)), 3600);
  EXPECT_EQ(tz.offset_at_utc(utc(2023, 12, 1)), 0);
  EXPECT_EQ(tz.local_to_utc(utc(2023, 7, 1, 9)), utc(2023, 7, 1, 8));
  EXPECT_EQ(tz.offset_at_utc(utc(2140, 7, 1)), 3600);
  EXPECT_EQ(tz.offset_at_utc(utc(2140, 12, 1)), 0);
}

TEST(TimeZoneTest, UtcNamesNeedNoFile) {
  auto tz = TimeZone::load("UTC", "/nonexistent");
  ASSERT_TRUE(tz.has_value()) << tz.error().message;
  EXPECT_EQ(tz->offset_at_utc(utc(2023, 7, 1)), 0);
  auto etc = TimeZone::load("Etc/UTC", "/nonexistent");
  ASSERT_TRUE(etc.has_value()) << etc.error().message;
  EXPECT_EQ(TimeZone::utc().name(), "UTC");
  EXPECT_EQ(TimeZone::utc().local_to_utc(12345), 12345);
}

TEST(TimeZoneTest, FixedOffset) {
  const TimeZone east = TimeZone::fixed(8 * 3600);
  EXPECT_EQ(east.name(), "+08:00");
  EXPECT_EQ(east.offset_at_utc(utc(2023, 7, 1)), 8 * 3600);
  EXPECT_EQ(east.local_to_utc(utc(2023, 7, 1, 8)), utc(2023, 7, 1, 0));
  const TimeZone west = TimeZone::fixed(-(5 * 3600 + 30 * 60));
  EXPECT_EQ(west.name(), "-05:30");
  EXPECT_EQ(west.local_to_utc(utc(2023, 7, 1, 0)), utc(2023, 7, 1, 5, 30));
}

TEST(TimeZoneTest, UnknownZoneIsAConfigErrorNamingIt) {
  auto tz = TimeZone::load("Mars/Olympus_Mons");
  ASSERT_FALSE(tz.has_value());
  EXPECT_EQ(tz.error().code, ErrorCode::kConfig);
  EXPECT_NE(tz.error().message.find("Mars/Olympus_Mons"), std::string::npos);
}

TEST(TimeZoneTest, RejectsNamesThatCouldEscapeTheDirectory) {
  for (const char* name : {"../../etc/passwd", "/etc/localtime", "Asia/../Asia/Tokyo", "",
                           "Asia/Shang hai", "Asia\\Tokyo", "Asia/Tokyo;rm"}) {
    auto tz = TimeZone::load(name);
    ASSERT_FALSE(tz.has_value()) << name;
    EXPECT_EQ(tz.error().code, ErrorCode::kConfig) << name;
  }
}

TEST(TimeZoneTest, DirectoryIsNotAZone) {
  auto tz = TimeZone::load("Asia");
  ASSERT_FALSE(tz.has_value());
  EXPECT_EQ(tz.error().code, ErrorCode::kConfig);
}

// --- synthetic TZif files, to pin the footer rules independently of the installed tzdata ---

void put32(std::string& out, std::int64_t v) {
  const auto u = static_cast<std::uint32_t>(static_cast<std::int32_t>(v));
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((u >> shift) & 0xFF));
  }
}

void put64(std::string& out, std::int64_t v) {
  const auto u = static_cast<std::uint64_t>(v);
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((u >> shift) & 0xFF));
  }
}

struct SyntheticZone {
  std::vector<std::int64_t> transitions{};
  std::vector<unsigned char> type_of_transition{};
  std::vector<int> type_offsets{};
  std::string footer{};
};

// A version-2 TZif file: an empty v1 block, then the 64-bit block and the footer.
std::string make_tzif(const SyntheticZone& z) {
  std::string out;
  auto header = [&](std::size_t timecnt, std::size_t typecnt, std::size_t charcnt) {
    out += "TZif2";
    out.append(15, '\0');
    put32(out, 0);  // isutcnt
    put32(out, 0);  // isstdcnt
    put32(out, 0);  // leapcnt
    put32(out, static_cast<std::int64_t>(timecnt));
    put32(out, static_cast<std::int64_t>(typecnt));
    put32(out, static_cast<std::int64_t>(charcnt));
  };
  header(0, 1, 4);
  put32(out, 0);
  out += std::string("\0\0", 2);
  out += std::string("UTC\0", 4);
  header(z.transitions.size(), z.type_offsets.size(), 4);
  for (std::int64_t t : z.transitions) {
    put64(out, t);
  }
  for (unsigned char i : z.type_of_transition) {
    out.push_back(static_cast<char>(i));
  }
  for (int off : z.type_offsets) {
    put32(out, off);
    out.push_back('\0');  // isdst (unused here)
    out.push_back('\0');  // abbreviation index
  }
  out += std::string("ABC\0", 4);
  out += "\n" + z.footer + "\n";
  return out;
}

Result<TimeZone> load_synthetic(const herald::testing::TempDir& dir, const SyntheticZone& z) {
  std::ofstream(dir.path() / "Test_Zone", std::ios::binary) << make_tzif(z);
  return TimeZone::load("Test_Zone", dir.path());
}

TEST(TimeZoneFooterTest, SlimFileWithOnlyARuleStillKnowsDaylightSaving) {
  herald::testing::TempDir dir;
  auto tz = load_synthetic(dir, {.type_offsets = {-5 * 3600}, .footer = "EST5EDT,M3.2.0,M11.1.0"});
  ASSERT_TRUE(tz.has_value()) << tz.error().message;
  EXPECT_EQ(tz->offset_at_utc(utc(2023, 7, 1)), -4 * 3600);
  EXPECT_EQ(tz->offset_at_utc(utc(2023, 12, 1)), -5 * 3600);
  EXPECT_EQ(tz->offset_at_utc(utc(2023, 3, 12, 7) - 1), -5 * 3600);
  EXPECT_EQ(tz->offset_at_utc(utc(2023, 3, 12, 7)), -4 * 3600);
  EXPECT_EQ(tz->offset_at_utc(utc(2023, 11, 5, 6) - 1), -4 * 3600);
  EXPECT_EQ(tz->offset_at_utc(utc(2023, 11, 5, 6)), -5 * 3600);
}

TEST(TimeZoneFooterTest, TableWinsBeforeItsLastTransitionFooterAfter) {
  herald::testing::TempDir dir;
  // Fixed +09 until 2000, then a rule saying +08 forever.
  auto tz = load_synthetic(dir, {.transitions = {utc(2000, 1, 1)},
                                 .type_of_transition = {1},
                                 .type_offsets = {9 * 3600, 8 * 3600},
                                 .footer = "<+08>-8"});
  ASSERT_TRUE(tz.has_value()) << tz.error().message;
  EXPECT_EQ(tz->offset_at_utc(utc(1999, 6, 1)), 9 * 3600);
  EXPECT_EQ(tz->offset_at_utc(utc(2030, 6, 1)), 8 * 3600);
}

TEST(TimeZoneFooterTest, SouthernHemisphereRuleSpansNewYear) {
  herald::testing::TempDir dir;
  // Australia/Sydney: AEST-10AEDT,M10.1.0,M4.1.0/3
  auto tz =
      load_synthetic(dir, {.type_offsets = {10 * 3600}, .footer = "AEST-10AEDT,M10.1.0,M4.1.0/3"});
  ASSERT_TRUE(tz.has_value()) << tz.error().message;
  EXPECT_EQ(tz->offset_at_utc(utc(2024, 1, 15)), 11 * 3600);
  EXPECT_EQ(tz->offset_at_utc(utc(2024, 7, 1)), 10 * 3600);
  EXPECT_EQ(tz->offset_at_utc(utc(2024, 12, 1)), 11 * 3600);
}

TEST(TimeZoneFooterTest, GarbageFileIsAConfigError) {
  herald::testing::TempDir dir;
  std::ofstream(dir.path() / "Broken", std::ios::binary) << "TZif2 but not really";
  auto tz = TimeZone::load("Broken", dir.path());
  ASSERT_FALSE(tz.has_value());
  EXPECT_EQ(tz.error().code, ErrorCode::kConfig);
  EXPECT_NE(tz.error().message.find("Broken"), std::string::npos);
}

TEST(TimeZoneFooterTest, TruncatedFileIsAConfigError) {
  herald::testing::TempDir dir;
  const std::string full = make_tzif({.transitions = {utc(2000, 1, 1)},
                                      .type_of_transition = {0},
                                      .type_offsets = {3600},
                                      .footer = "CET-1"});
  std::ofstream(dir.path() / "Cut", std::ios::binary) << full.substr(0, full.size() - 20);
  auto tz = TimeZone::load("Cut", dir.path());
  ASSERT_FALSE(tz.has_value());
  EXPECT_EQ(tz.error().code, ErrorCode::kConfig);
}

}  // namespace
}  // namespace herald
