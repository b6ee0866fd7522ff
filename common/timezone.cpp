#include "common/timezone.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <utility>

namespace herald {

namespace {

// Real TZif files are a few KiB; anything far larger is not one.
constexpr std::uintmax_t kMaxTzifBytes = 1024 * 1024;
constexpr std::int64_t kSecondsPerDay = 86400;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) {
    --q;
  }
  return q;
}

bool valid_zone_name(std::string_view name) {
  if (name.empty() || name.size() > 255 || name.front() == '/') {
    return false;
  }
  if (name.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '+' || c == '-' || c == '/';
  });
}

std::int64_t read_be(std::string_view bytes, std::size_t at, std::size_t width) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < width; ++i) {
    v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  }
  if (width == 4) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  }
  return static_cast<std::int64_t>(v);
}

}  // namespace

std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  // Howard Hinnant's algorithm (howardhinnant.github.io/date_algorithms.html).
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDate{yoe + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

namespace {

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(std::int64_t y, int m) {
  static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

}  // namespace

bool is_valid_civil_date(std::int64_t year, int month, int day) {
  return month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(year, month);
}

std::optional<std::int64_t> days_from_iso_date(std::string_view date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') {
    return std::nullopt;
  }
  int fields[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8};
  const std::size_t ends[3] = {4, 7, 10};
  for (int f = 0; f < 3; ++f) {
    for (std::size_t i = starts[f]; i < ends[f]; ++i) {
      if (date[i] < '0' || date[i] > '9') {
        return std::nullopt;
      }
      fields[f] = fields[f] * 10 + (date[i] - '0');
    }
  }
  if (!is_valid_civil_date(fields[0], fields[1], fields[2])) {
    return std::nullopt;
  }
  return days_from_civil(fields[0], fields[1], fields[2]);
}

// Reads TZif data and POSIX TZ footers; a friend so it can fill TimeZone's private table.
struct TimeZoneParser {
  using Footer = TimeZone::Footer;
  using RuleDate = TimeZone::RuleDate;
  using Data = TimeZone::Data;

  // --- POSIX TZ strings (RFC 8536 §3.3, POSIX "TZ" with the v3 extensions) ---

  struct Cursor {
    std::string_view s;
    std::size_t i = 0;
    bool done() const { return i >= s.size(); }
    char peek() const { return done() ? '\0' : s[i]; }
  };

  static bool parse_name(Cursor& c) {
    if (c.peek() == '<') {
      const std::size_t close = c.s.find('>', c.i);
      if (close == std::string_view::npos || close - c.i < 4) {
        return false;
      }
      c.i = close + 1;
      return true;
    }
    const std::size_t start = c.i;
    while (!c.done() &&
           ((c.peek() >= 'A' && c.peek() <= 'Z') || (c.peek() >= 'a' && c.peek() <= 'z'))) {
      ++c.i;
    }
    return c.i - start >= 3;
  }

  static bool parse_number(Cursor& c, int max_digits, int& out) {
    int digits = 0;
    out = 0;
    while (!c.done() && c.peek() >= '0' && c.peek() <= '9' && digits < max_digits) {
      out = out * 10 + (c.peek() - '0');
      ++c.i;
      ++digits;
    }
    return digits > 0;
  }

  // [+-]hh[:mm[:ss]] in seconds, with the POSIX sign (positive = west of UTC).
  static bool parse_hms(Cursor& c, int max_hours, int& out) {
    int sign = 1;
    if (c.peek() == '+' || c.peek() == '-') {
      sign = c.peek() == '-' ? -1 : 1;
      ++c.i;
    }
    int h = 0;
    int m = 0;
    int sec = 0;
    if (!parse_number(c, 3, h) || h > max_hours) {
      return false;
    }
    if (c.peek() == ':') {
      ++c.i;
      if (!parse_number(c, 2, m) || m > 59) {
        return false;
      }
      if (c.peek() == ':') {
        ++c.i;
        if (!parse_number(c, 2, sec) || sec > 59) {
          return false;
        }
      }
    }
    out = sign * (h * 3600 + m * 60 + sec);
    return true;
  }

  static bool parse_rule_date(Cursor& c, RuleDate& rd) {
    if (c.peek() == 'M') {
      ++c.i;
      rd.kind = RuleDate::Kind::kMonthWeekDay;
      if (!parse_number(c, 2, rd.month) || rd.month < 1 || rd.month > 12) {
        return false;
      }
      if (c.peek() != '.') {
        return false;
      }
      ++c.i;
      if (!parse_number(c, 1, rd.week) || rd.week < 1 || rd.week > 5) {
        return false;
      }
      if (c.peek() != '.') {
        return false;
      }
      ++c.i;
      if (!parse_number(c, 1, rd.day) || rd.day > 6) {
        return false;
      }
    } else if (c.peek() == 'J') {
      ++c.i;
      rd.kind = RuleDate::Kind::kJulian1;
      if (!parse_number(c, 3, rd.day) || rd.day < 1 || rd.day > 365) {
        return false;
      }
    } else {
      rd.kind = RuleDate::Kind::kJulian0;
      if (!parse_number(c, 3, rd.day) || rd.day > 365) {
        return false;
      }
    }
    rd.time = 7200;
    if (c.peek() == '/') {
      ++c.i;
      if (!parse_hms(c, 167, rd.time)) {
        return false;
      }
    }
    return true;
  }

  static std::optional<Footer> parse_footer(std::string_view tz) {
    if (tz.empty()) {
      return std::nullopt;
    }
    Cursor c{tz};
    Footer f;
    int posix = 0;
    if (!parse_name(c) || !parse_hms(c, 24, posix)) {
      return std::nullopt;
    }
    f.std_offset = -posix;
    if (c.done()) {
      return f;
    }
    if (!parse_name(c)) {
      return std::nullopt;
    }
    f.has_dst = true;
    f.dst_offset = f.std_offset + 3600;
    if (!c.done() && c.peek() != ',') {
      if (!parse_hms(c, 24, posix)) {
        return std::nullopt;
      }
      f.dst_offset = -posix;
    }
    if (c.peek() != ',') {
      // No rule: POSIX leaves the default implementation-defined; use the US rule as glibc does.
      f.dst_start = RuleDate{RuleDate::Kind::kMonthWeekDay, 0, 2, 3, 7200};
      f.dst_end = RuleDate{RuleDate::Kind::kMonthWeekDay, 0, 1, 11, 7200};
      return c.done() ? std::optional<Footer>(f) : std::nullopt;
    }
    ++c.i;
    if (!parse_rule_date(c, f.dst_start) || c.peek() != ',') {
      return std::nullopt;
    }
    ++c.i;
    if (!parse_rule_date(c, f.dst_end) || !c.done()) {
      return std::nullopt;
    }
    return f;
  }

  // Local (wall-clock) seconds at which `rd` happens in `year`, before adding rd.time.
  static std::int64_t rule_day_start(const RuleDate& rd, std::int64_t year) {
    const std::int64_t jan1 = days_from_civil(year, 1, 1);
    switch (rd.kind) {
      case RuleDate::Kind::kJulian1: {
        std::int64_t day = rd.day - 1;  // Feb 29 is never counted
        if (is_leap(year) && rd.day >= 60) {
          ++day;
        }
        return (jan1 + day) * kSecondsPerDay;
      }
      case RuleDate::Kind::kJulian0:
        return (jan1 + rd.day) * kSecondsPerDay;
      case RuleDate::Kind::kMonthWeekDay: {
        const std::int64_t first = days_from_civil(year, rd.month, 1);
        // 1970-01-01 was a Thursday (weekday 4).
        const std::int64_t wd_first = ((first % 7) + 7 + 4) % 7;
        std::int64_t day = first + ((rd.day - wd_first) + 7) % 7 + 7 * (rd.week - 1);
        const std::int64_t last = first + days_in_month(year, rd.month) - 1;
        while (day > last) {
          day -= 7;
        }
        return day * kSecondsPerDay;
      }
    }
    return 0;
  }

  static int footer_offset_at(const Footer& f, std::int64_t utc) {
    if (!f.has_dst) {
      return f.std_offset;
    }
    const std::int64_t year = civil_from_days(floor_div(utc + f.std_offset, kSecondsPerDay)).year;
    const auto start_of = [&](std::int64_t y) {
      return rule_day_start(f.dst_start, y) + f.dst_start.time - f.std_offset;
    };
    const auto end_of = [&](std::int64_t y) {
      return rule_day_start(f.dst_end, y) + f.dst_end.time - f.dst_offset;
    };
    if (start_of(year) < end_of(year)) {
      // Neighbouring years too: a rule time can push a transition across New Year.
      for (std::int64_t y = year - 1; y <= year + 1; ++y) {
        if (utc >= start_of(y) && utc < end_of(y)) {
          return f.dst_offset;
        }
      }
      return f.std_offset;
    }
    // Southern hemisphere: daylight time spans New Year.
    if (utc >= end_of(year) && utc < start_of(year)) {
      return f.std_offset;
    }
    return f.dst_offset;
  }

  // --- TZif (RFC 8536) ---

  static Result<Data> parse_tzif(std::string_view bytes, std::string_view name) {
    auto bad = [&](std::string_view why) {
      return fail(ErrorCode::kConfig,
                  fmt::format("time zone \"{}\": not a valid TZif file ({})", name, why));
    };
    struct Header {
      char version = 0;
      std::size_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
    };
    auto read_header = [&](std::size_t at, Header& h) {
      if (bytes.size() < at + 44 || bytes.substr(at, 4) != "TZif") {
        return false;
      }
      h.version = bytes[at + 4];
      std::array<std::size_t*, 6> fields{&h.isutcnt, &h.isstdcnt, &h.leapcnt,
                                         &h.timecnt, &h.typecnt,  &h.charcnt};
      for (std::size_t k = 0; k < fields.size(); ++k) {
        const std::int64_t v = read_be(bytes, at + 20 + 4 * k, 4);
        if (v < 0 || v > 1'000'000) {
          return false;
        }
        *fields[k] = static_cast<std::size_t>(v);
      }
      return h.typecnt > 0;
    };
    auto block_size = [](const Header& h, std::size_t time_width) {
      return h.timecnt * time_width + h.timecnt + h.typecnt * 6 + h.charcnt +
             h.leapcnt * (time_width + 4) + h.isstdcnt + h.isutcnt;
    };

    Header h;
    if (!read_header(0, h)) {
      return bad("bad header");
    }
    std::size_t at = 44;
    std::size_t width = 4;
    if (h.version >= '2') {
      at += block_size(h, 4);
      if (!read_header(at, h)) {
        return bad("bad v2 header");
      }
      at += 44;
      width = 8;
    }
    if (bytes.size() < at + block_size(h, width)) {
      return bad("truncated");
    }

    Data data;
    data.name = std::string(name);
    std::vector<int> type_offsets(h.typecnt);
    const std::size_t types_at = at + h.timecnt * width + h.timecnt;
    for (std::size_t t = 0; t < h.typecnt; ++t) {
      const std::int64_t off = read_be(bytes, types_at + 6 * t, 4);
      if (off < -25 * 3600 || off > 26 * 3600) {
        return bad("offset out of range");
      }
      type_offsets[t] = static_cast<int>(off);
    }
    data.initial_offset = type_offsets[0];
    data.transitions.reserve(h.timecnt);
    data.offsets_after.reserve(h.timecnt);
    for (std::size_t k = 0; k < h.timecnt; ++k) {
      const std::int64_t when = read_be(bytes, at + k * width, width);
      const auto idx = static_cast<unsigned char>(bytes[at + h.timecnt * width + k]);
      if (idx >= h.typecnt) {
        return bad("bad type index");
      }
      if (!data.transitions.empty() && when <= data.transitions.back()) {
        return bad("transitions out of order");
      }
      data.transitions.push_back(when);
      data.offsets_after.push_back(type_offsets[idx]);
    }
    if (width == 8) {
      const std::size_t footer_at = at + block_size(h, width);
      if (footer_at < bytes.size() && bytes[footer_at] == '\n') {
        const std::size_t end = bytes.find('\n', footer_at + 1);
        if (end != std::string_view::npos) {
          // An unusable footer only loses the far future; the table itself is still right.
          data.footer = parse_footer(bytes.substr(footer_at + 1, end - footer_at - 1));
        }
      }
    }
    return data;
  }

  static TimeZone make(Data data) {
    return TimeZone(std::make_shared<const Data>(std::move(data)));
  }
};

Result<TimeZone> TimeZone::load(std::string_view name, const std::filesystem::path& zoneinfo_dir) {
  if (name == "UTC" || name == "Etc/UTC") {
    return utc();
  }
  if (!valid_zone_name(name)) {
    return fail(
        ErrorCode::kConfig,
        fmt::format("time zone \"{}\" is not a valid zone name (expected e.g. \"Asia/Shanghai\")",
                    name));
  }
  const std::filesystem::path path = zoneinfo_dir / std::string(name);
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || !std::filesystem::is_regular_file(path, ec)) {
    return fail(ErrorCode::kConfig,
                fmt::format("unknown time zone \"{}\" (no file {}; is tzdata installed?)", name,
                            path.string()));
  }
  if (size > kMaxTzifBytes) {
    return fail(ErrorCode::kConfig, fmt::format("time zone \"{}\": {} is too large for a TZif file",
                                                name, path.string()));
  }
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) {
    return fail(ErrorCode::kConfig,
                fmt::format("time zone \"{}\": cannot read {}", name, path.string()));
  }
  auto data = TimeZoneParser::parse_tzif(bytes, name);
  if (!data) {
    return fail(data.error());
  }
  return TimeZoneParser::make(std::move(*data));
}

TimeZone TimeZone::utc() {
  static const auto kUtc = std::make_shared<const Data>(Data{.name = "UTC"});
  return TimeZone(kUtc);
}

TimeZone TimeZone::fixed(int offset_seconds) {
  const int abs = offset_seconds < 0 ? -offset_seconds : offset_seconds;
  std::string name =
      fmt::format("{}{:02}:{:02}", offset_seconds < 0 ? '-' : '+', abs / 3600, abs / 60 % 60);
  if (abs % 60 != 0) {
    name += fmt::format(":{:02}", abs % 60);
  }
  return TimeZone(std::make_shared<const Data>(
      Data{.name = std::move(name), .initial_offset = offset_seconds}));
}

int TimeZone::offset_at_utc(std::int64_t utc_seconds) const {
  const Data& d = *data_;
  const auto it = std::upper_bound(d.transitions.begin(), d.transitions.end(), utc_seconds);
  // With no transitions at all (a slim file) the footer covers every instant.
  if (it == d.transitions.begin() && !d.transitions.empty()) {
    return d.initial_offset;
  }
  if (it == d.transitions.end() && d.footer) {
    return TimeZoneParser::footer_offset_at(*d.footer, utc_seconds);
  }
  if (it == d.transitions.begin()) {
    return d.initial_offset;
  }
  return d.offsets_after[static_cast<std::size_t>(it - d.transitions.begin() - 1)];
}

std::int64_t TimeZone::local_to_utc(std::int64_t local_seconds) const {
  // Real zones change offset at most once within a day, so the offsets a day either side
  // are the only candidates. A consistent earlier one wins (the first of two repeated
  // hours); in a gap neither is consistent and the earlier offset is used.
  const int early = offset_at_utc(local_seconds - kSecondsPerDay);
  const int late = offset_at_utc(local_seconds + kSecondsPerDay);
  if (offset_at_utc(local_seconds - early) == early) {
    return local_seconds - early;
  }
  if (offset_at_utc(local_seconds - late) == late) {
    return local_seconds - late;
  }
  return local_seconds - early;
}

}  // namespace herald
