#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace herald {

// Proleptic Gregorian calendar arithmetic shared by the date parsers (no time zone).
struct CivilDate {
  std::int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};
// Days since 1970-01-01 (negative before).
std::int64_t days_from_civil(std::int64_t year, int month, int day);
CivilDate civil_from_days(std::int64_t days);
// True when month is 1..12 and day exists in that month (leap years included).
bool is_valid_civil_date(std::int64_t year, int month, int day);
// Days since 1970-01-01 of a real date written "YYYY-MM-DD" (the form legal dates and the
// desk's calendar use); nullopt for anything else.
std::optional<std::int64_t> days_from_iso_date(std::string_view date);

// A time zone read from the system's TZif database (/usr/share/zoneinfo), so that a
// date printed in Beijing or New York time is converted to UTC with the right offset,
// daylight saving included. Cheap to copy (the table is shared and immutable).
class TimeZone {
 public:
  // Loads "Asia/Shanghai", "America/New_York", "UTC", ... Fails with kConfig naming the
  // zone when it is unknown or the file is not a valid TZif file.
  static Result<TimeZone> load(std::string_view name,
                               const std::filesystem::path& zoneinfo_dir = "/usr/share/zoneinfo");
  static TimeZone utc();
  // A fixed offset east of UTC, e.g. +8h for "+08:00" found in a date string.
  static TimeZone fixed(int offset_seconds);

  const std::string& name() const { return data_->name; }

  // UTC offset in seconds in force at the instant `utc_seconds`.
  int offset_at_utc(std::int64_t utc_seconds) const;

  // Converts a local wall-clock time (seconds since 1970-01-01 00:00 *local*) to UTC.
  // In a gap (spring forward) or an overlap (fall back) the earlier offset is used.
  std::int64_t local_to_utc(std::int64_t local_seconds) const;

 private:
  // One end of a POSIX TZ daylight-saving rule ("M3.2.0/2", "J60", "59").
  struct RuleDate {
    enum class Kind { kJulian1, kJulian0, kMonthWeekDay };
    Kind kind = Kind::kMonthWeekDay;
    int day = 0;      // Jn: 1..365 (Feb 29 never counted); n: 0..365; M: weekday 0 (Sun)..6
    int week = 0;     // M: 1..5, 5 meaning the last such weekday of the month
    int month = 0;    // M: 1..12
    int time = 7200;  // seconds after local midnight (may be negative or > 24h in TZif v3)
  };
  // The TZif footer: how offsets continue after the last transition in the table (slim
  // TZif files store no future transitions at all).
  struct Footer {
    int std_offset = 0;  // seconds east of UTC
    bool has_dst = false;
    int dst_offset = 0;
    RuleDate dst_start{};  // in local standard time
    RuleDate dst_end{};    // in local daylight time
  };
  struct Data {
    std::string name{};
    std::vector<std::int64_t> transitions{};  // UTC instants, ascending
    std::vector<int> offsets_after{};         // offset in force from transitions[i]
    int initial_offset = 0;                   // before the first transition
    std::optional<Footer> footer{};           // rule for instants after the last transition
  };
  friend struct TimeZoneParser;
  explicit TimeZone(std::shared_ptr<const Data> data) : data_(std::move(data)) {}
  std::shared_ptr<const Data> data_;
};

}  // namespace herald
