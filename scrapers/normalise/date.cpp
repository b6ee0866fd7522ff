#include "scrapers/normalise/date.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

namespace herald {

namespace {

constexpr std::int64_t kDay = 86400;
// Date strings are short; a longer "date" is a mis-selected paragraph and only its start
// can matter. Also bounds the work done on hostile input.
constexpr std::size_t kMaxDateTextBytes = 1024;
constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2100;

// What a matcher read, before the zone is applied.
struct Fields {
  std::int64_t year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  bool has_time = false;
  std::optional<int> offset{};  // seconds east of UTC, when the text names a zone
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Full-width ASCII (U+FF01..U+FF5E) becomes ASCII, and the ideographic space and NBSP
// become spaces, so "２０２３年１１月７日" reads like "2023年11月7日".
std::string to_halfwidth(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(in[i]);
    if (b0 == 0xEF && i + 2 < in.size()) {
      const auto b1 = static_cast<unsigned char>(in[i + 1]);
      const auto b2 = static_cast<unsigned char>(in[i + 2]);
      const unsigned cp = ((b0 & 0x0Fu) << 12) | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
      if ((b1 & 0xC0) == 0x80 && (b2 & 0xC0) == 0x80 && cp >= 0xFF01 && cp <= 0xFF5E) {
        out.push_back(static_cast<char>(cp - 0xFF01 + 0x21));
        i += 2;
        continue;
      }
    }
    if (b0 == 0xE3 && in.substr(i, 3) == "\xE3\x80\x80") {  // U+3000
      out.push_back(' ');
      i += 2;
      continue;
    }
    if (b0 == 0xC2 && in.substr(i, 2) == "\xC2\xA0") {  // U+00A0
      out.push_back(' ');
      i += 1;
      continue;
    }
    out.push_back(static_cast<char>(b0 == '\t' || b0 == '\n' || b0 == '\r' ? ' ' : b0));
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') {
    s.remove_prefix(1);
  }
  while (!s.empty() && s.back() == ' ') {
    s.remove_suffix(1);
  }
  return s;
}

// A cursor over the cleaned text. Every read either advances and returns true, or leaves
// the position unchanged and returns false, so matchers can try alternatives freely.
class Scanner {
 public:
  Scanner(std::string_view s, std::size_t pos) : s_(s), pos_(pos) {}

  std::size_t pos() const { return pos_; }
  bool at_end() const { return pos_ >= s_.size(); }
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0';
  }

  void skip_spaces() {
    while (peek() == ' ') {
      ++pos_;
    }
  }

  // A maximal run of digits whose length is within [min_len, max_len].
  bool number(std::size_t min_len, std::size_t max_len, int& out) {
    std::size_t end = pos_;
    while (end < s_.size() && is_digit(s_[end])) {
      ++end;
    }
    const std::size_t len = end - pos_;
    if (len < min_len || len > max_len) {
      return false;
    }
    int v = 0;
    for (std::size_t k = pos_; k < end; ++k) {
      v = v * 10 + (s_[k] - '0');
    }
    out = v;
    pos_ = end;
    return true;
  }

  bool literal(std::string_view lit) {
    if (s_.substr(pos_, lit.size()) != lit) {
      return false;
    }
    pos_ += lit.size();
    return true;
  }

  bool literal_ci(std::string_view lit) {
    if (s_.size() - std::min(pos_, s_.size()) < lit.size()) {
      return false;
    }
    for (std::size_t k = 0; k < lit.size(); ++k) {
      if (lower(s_[pos_ + k]) != lit[k]) {
        return false;
      }
    }
    pos_ += lit.size();
    return true;
  }

  // An ASCII word (letters only), lower-cased; must not continue into more letters.
  bool word(std::string& out) {
    std::size_t end = pos_;
    while (end < s_.size() && is_alpha(s_[end])) {
      ++end;
    }
    if (end == pos_) {
      return false;
    }
    out.clear();
    for (std::size_t k = pos_; k < end; ++k) {
      out.push_back(lower(s_[k]));
    }
    pos_ = end;
    return true;
  }

  bool any_of(std::string_view chars) {
    if (at_end() || chars.find(s_[pos_]) == std::string_view::npos) {
      return false;
    }
    ++pos_;
    return true;
  }

  // Clamped to the end: callers skip whole UTF-8 sequences (e.g. 3 bytes for a CJK mark)
  // that a truncated input may not have.
  void set(std::size_t pos) { pos_ = std::min(pos, s_.size()); }
  std::string_view rest() const { return s_.substr(std::min(pos_, s_.size())); }

 private:
  std::string_view s_;
  std::size_t pos_;
};

std::optional<int> month_from_name(std::string_view w) {
  static constexpr std::array<std::string_view, 12> kNames{
      "january", "february", "march",     "april",   "may",      "june",
      "july",    "august",   "september", "october", "november", "december"};
  for (std::size_t m = 0; m < kNames.size(); ++m) {
    if (w == kNames[m] || (w.size() == 3 && kNames[m].starts_with(w))) {
      return static_cast<int>(m + 1);
    }
  }
  if (w == "sept") {
    return 9;
  }
  return std::nullopt;
}

// Zone abbreviations seen in feeds (RFC 822 plus a few in common use).
std::optional<int> zone_from_name(std::string_view w) {
  struct Named {
    std::string_view name;
    int hours;
  };
  static constexpr std::array<Named, 16> kZones{{{"gmt", 0},
                                                 {"ut", 0},
                                                 {"utc", 0},
                                                 {"z", 0},
                                                 {"est", -5},
                                                 {"edt", -4},
                                                 {"cst", -6},
                                                 {"cdt", -5},
                                                 {"mst", -7},
                                                 {"mdt", -6},
                                                 {"pst", -8},
                                                 {"pdt", -7},
                                                 {"jst", 9},
                                                 {"kst", 9},
                                                 {"cet", 1},
                                                 {"cest", 2}}};
  for (const Named& z : kZones) {
    if (w == z.name) {
      return z.hours * 3600;
    }
  }
  return std::nullopt;
}

// "+08:00", "+0800", "-05", "+8" (the last two only where `allow_short`).
bool read_numeric_offset(Scanner& sc, bool allow_short, int& out) {
  const std::size_t start = sc.pos();
  const char sign = sc.peek();
  if (sign != '+' && sign != '-') {
    return false;
  }
  sc.set(start + 1);
  int hh = 0;
  int mm = 0;
  if (sc.number(4, 4, hh)) {
    mm = hh % 100;
    hh /= 100;
  } else if (sc.number(1, 2, hh)) {
    const std::size_t after_hours = sc.pos();
    if (sc.literal(":") && sc.number(2, 2, mm)) {
      // +08:00
    } else if (!allow_short) {
      sc.set(start);
      return false;
    } else {
      sc.set(after_hours);
    }
  } else {
    sc.set(start);
    return false;
  }
  if (hh > 14 || mm > 59 || is_digit(sc.peek())) {
    sc.set(start);
    return false;
  }
  out = (sign == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
  return true;
}

// A zone after the time: Z, +08:00, +0800, GMT, GMT+8, UTC+08:00, EST, ...
// "CST" is read as China Standard Time when the source's own zone is +8 at that moment,
// because Chinese sites mean that, while feeds following RFC 822 mean US Central.
void read_zone(Scanner& sc, Fields& f, const TimeZone& tz) {
  const std::size_t start = sc.pos();
  int off = 0;
  if (read_numeric_offset(sc, /*allow_short=*/true, off)) {
    f.offset = off;
    return;
  }
  sc.skip_spaces();
  if (read_numeric_offset(sc, /*allow_short=*/false, off)) {
    f.offset = off;
    return;
  }
  std::string w;
  if (sc.word(w)) {
    if (auto named = zone_from_name(w)) {
      if (w == "cst") {
        const std::int64_t local = days_from_civil(f.year, f.month, f.day) * kDay;
        if (tz.offset_at_utc(local - 8 * 3600) == 8 * 3600) {
          named = 8 * 3600;
        }
      }
      f.offset = *named;
      if ((w == "gmt" || w == "utc" || w == "ut") && read_numeric_offset(sc, true, off)) {
        f.offset = off;
      }
      return;
    }
  }
  sc.set(start);
}

bool valid_time(int h, int m, int s) {
  return h >= 0 && h <= 23 && m >= 0 && m <= 59 && s >= 0 && s <= 60;
}

// A weekday between a date and its time: 星期二, 周二, (Tue), （火）.
void skip_weekday(Scanner& sc) {
  const std::size_t start = sc.pos();
  sc.skip_spaces();
  if (sc.literal("星期") || sc.literal("周")) {
    const auto b = static_cast<unsigned char>(sc.peek());
    if (b >= 0xE0 && b < 0xF0) {
      sc.set(sc.pos() + 3);
      return;
    }
    if (sc.literal("天") || sc.literal("日")) {
      return;
    }
    sc.set(start);
    return;
  }
  const bool ascii_paren = sc.literal("(");
  const bool wide_paren = !ascii_paren && sc.literal("（");
  if (ascii_paren || wide_paren) {
    const std::string_view close = ascii_paren ? ")" : "）";
    const std::size_t end = sc.rest().find(close);
    if (end != std::string_view::npos && end <= 12) {
      sc.set(sc.pos() + end + close.size());
      return;
    }
  }
  sc.set(start);
}

// Optional time (and zone) after a date. Returns false only for a time that is present
// but impossible ("25:00"), so the whole match is rejected instead of half-used.
bool read_time(Scanner& sc, Fields& f, const TimeZone& tz) {
  const std::size_t start = sc.pos();
  skip_weekday(sc);
  sc.skip_spaces();
  if (sc.literal(",")) {
    sc.skip_spaces();
  }
  if (sc.literal_ci("at ")) {
    sc.skip_spaces();
  }
  if (!sc.literal("T")) {
    sc.skip_spaces();
  }
  int h = 0;
  int m = 0;
  int s = 0;
  if (!sc.number(1, 2, h)) {
    sc.set(start);
    return true;
  }
  const bool colon = sc.literal(":");
  const bool cjk = !colon && (sc.literal("时") || sc.literal("時") || sc.literal("点"));
  if ((!colon && !cjk) || !sc.number(2, 2, m)) {
    if (cjk && sc.number(1, 1, m)) {
      // 9时5分
    } else {
      sc.set(start);  // "2023-11-07 3 comments": not a time
      return true;
    }
  }
  if (cjk) {
    sc.literal("分");
    const std::size_t before_sec = sc.pos();
    if (!(sc.number(1, 2, s) && sc.literal("秒"))) {
      s = 0;
      sc.set(before_sec);
    }
  } else if (sc.literal(":")) {
    if (!sc.number(2, 2, s)) {
      return false;
    }
    if (sc.any_of(".,")) {
      int frac = 0;
      if (!sc.number(1, 9, frac)) {
        return false;
      }
    }
  }
  // am / pm / a.m. / p.m.
  const std::size_t before_ampm = sc.pos();
  sc.skip_spaces();
  std::optional<bool> pm;
  if (sc.literal_ci("a.m.") || sc.literal_ci("am")) {
    pm = false;
  } else if (sc.literal_ci("p.m.") || sc.literal_ci("pm")) {
    pm = true;
  }
  if (pm && is_alpha(sc.peek())) {
    pm.reset();
  }
  if (!pm) {
    sc.set(before_ampm);
  }
  if (pm) {
    if (h < 1 || h > 12) {
      return false;
    }
    if (*pm && h != 12) {
      h += 12;
    }
    if (!*pm && h == 12) {
      h = 0;
    }
  }
  if (!valid_time(h, m, s)) {
    return false;
  }
  f.hour = h;
  f.minute = m;
  f.second = s == 60 ? 59 : s;  // a leap second is not worth a day's error
  f.has_time = true;
  read_zone(sc, f, tz);
  return true;
}

bool valid_date(const Fields& f) {
  return f.year >= kMinYear && f.year <= kMaxYear && is_valid_civil_date(f.year, f.month, f.day);
}

// 2023-11-07, 2023/11/07, 2023.11.07, 2023-11-7, 2023年11月7日, 2023年 11月 7日.
bool match_ymd(std::string_view s, std::size_t i, Fields& f, std::size_t& end) {
  if (i > 0 && is_digit(s[i - 1])) {
    return false;
  }
  Scanner sc(s, i);
  int y = 0;
  int m = 0;
  int d = 0;
  if (!sc.number(4, 4, y)) {
    return false;
  }
  sc.skip_spaces();
  bool cjk = false;
  char sep = 0;
  if (sc.literal("年")) {
    cjk = true;
  } else if (sc.any_of("-/.")) {
    sep = s[sc.pos() - 1];
  } else {
    return false;
  }
  sc.skip_spaces();
  if (!sc.number(1, 2, m)) {
    return false;
  }
  sc.skip_spaces();
  if (cjk ? !sc.literal("月") : !sc.literal(std::string_view(&sep, 1))) {
    return false;
  }
  sc.skip_spaces();
  if (!sc.number(1, 2, d)) {
    return false;
  }
  if (cjk) {
    sc.skip_spaces();
    if (!sc.literal("日")) {
      sc.literal("号");
    }
  }
  f.year = y;
  f.month = m;
  f.day = d;
  end = sc.pos();
  return valid_date(f);
}

// Japanese eras: 令和5年11月7日, 平成31年4月30日, 令和元年5月1日, R5.11.7, H31.4.30.
bool match_era(std::string_view s, std::size_t i, Fields& f, std::size_t& end) {
  struct Era {
    std::string_view kanji;
    char letter;
    int first_year;
  };
  static constexpr std::array<Era, 3> kEras{
      {{"令和", 'R', 2019}, {"平成", 'H', 1989}, {"昭和", 'S', 1926}}};
  for (const Era& era : kEras) {
    Scanner sc(s, i);
    int n = 0;
    int m = 0;
    int d = 0;
    if (sc.literal(era.kanji)) {
      sc.skip_spaces();
      if (sc.literal("元")) {
        n = 1;
      } else if (!sc.number(1, 2, n)) {
        continue;
      }
      sc.skip_spaces();
      if (!sc.literal("年")) {
        continue;
      }
      sc.skip_spaces();
      if (!sc.number(1, 2, m)) {
        continue;
      }
      sc.skip_spaces();
      if (!sc.literal("月")) {
        continue;
      }
      sc.skip_spaces();
      if (!sc.number(1, 2, d)) {
        continue;
      }
      sc.skip_spaces();
      sc.literal("日");
    } else if (s[i] == era.letter && (i == 0 || !is_alpha(s[i - 1]))) {
      sc.set(i + 1);
      if (!sc.number(1, 2, n)) {
        continue;
      }
      const char sep = sc.peek();
      if (sep != '.' && sep != '/') {
        continue;
      }
      sc.set(sc.pos() + 1);
      if (!sc.number(1, 2, m) || sc.peek() != sep) {
        continue;
      }
      sc.set(sc.pos() + 1);
      if (!sc.number(1, 2, d)) {
        continue;
      }
    } else {
      continue;
    }
    if (n < 1) {
      continue;
    }
    f.year = era.first_year + n - 1;
    f.month = m;
    f.day = d;
    end = sc.pos();
    return valid_date(f);
  }
  return false;
}

bool read_month_name(Scanner& sc, int& month) {
  std::string w;
  if (!sc.word(w)) {
    return false;
  }
  auto m = month_from_name(w);
  if (!m) {
    return false;
  }
  sc.literal(".");
  month = *m;
  return true;
}

void skip_ordinal(Scanner& sc) {
  for (std::string_view suffix : {"st", "nd", "rd", "th"}) {
    const std::size_t before = sc.pos();
    if (sc.literal_ci(suffix)) {
      if (!is_alpha(sc.peek())) {
        return;
      }
      sc.set(before);
    }
  }
}

// November 27, 2023 / Nov 27, 2023 / Nov. 27, 2023 / Nov 27 2023.
bool match_month_first(std::string_view s, std::size_t i, Fields& f, std::size_t& end) {
  if (!is_alpha(s[i]) || (i > 0 && is_alpha(s[i - 1]))) {
    return false;
  }
  Scanner sc(s, i);
  int m = 0;
  int d = 0;
  int y = 0;
  if (!read_month_name(sc, m)) {
    return false;
  }
  sc.skip_spaces();
  if (!sc.number(1, 2, d)) {
    return false;
  }
  skip_ordinal(sc);
  sc.literal(",");
  sc.skip_spaces();
  if (!sc.number(4, 4, y)) {
    return false;
  }
  f.year = y;
  f.month = m;
  f.day = d;
  end = sc.pos();
  return valid_date(f);
}

// 27 Nov 2023 / 27 November 2023 / 27-Nov-2023 / RFC 822 "07 Nov 23 10:00 GMT".
bool match_day_first(std::string_view s, std::size_t i, Fields& f, std::size_t& end) {
  if (!is_digit(s[i]) || (i > 0 && is_digit(s[i - 1]))) {
    return false;
  }
  Scanner sc(s, i);
  int m = 0;
  int d = 0;
  int y = 0;
  if (!sc.number(1, 2, d)) {
    return false;
  }
  skip_ordinal(sc);
  const bool dash = sc.literal("-");
  if (!dash) {
    const std::size_t before = sc.pos();
    sc.skip_spaces();
    if (sc.pos() == before) {
      return false;
    }
  }
  if (!read_month_name(sc, m)) {
    return false;
  }
  if (dash ? !sc.literal("-") : !(sc.literal(",") || sc.peek() == ' ')) {
    return false;
  }
  sc.skip_spaces();
  if (sc.number(4, 4, y)) {
    f.year = y;
  } else if (sc.number(2, 2, y)) {
    // Two-digit years (RFC 822): only where a time or nothing follows, as in feeds.
    Scanner look(s, sc.pos());
    look.skip_spaces();
    int hh = 0;
    if (!look.at_end() && !(look.number(1, 2, hh) && look.literal(":"))) {
      return false;
    }
    f.year = y < 50 ? 2000 + y : 1900 + y;
  } else {
    return false;
  }
  f.month = m;
  f.day = d;
  end = sc.pos();
  return valid_date(f);
}

std::int64_t to_utc(const Fields& f, const TimeZone& tz) {
  const std::int64_t local =
      days_from_civil(f.year, f.month, f.day) * kDay + f.hour * 3600 + f.minute * 60 + f.second;
  return f.offset ? local - *f.offset : tz.local_to_utc(local);
}

// The first absolute date in the text, wherever it stands ("发布时间：2023-11-07 10:30").
// A date that is impossible (2023-02-30) or followed by an impossible time does not
// count, and the search goes on after it.
std::optional<ParsedDate> find_absolute(std::string_view s, const TimeZone& tz) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    Fields f;
    std::size_t end = 0;
    if (!(match_ymd(s, i, f, end) || match_era(s, i, f, end) || match_month_first(s, i, f, end) ||
          match_day_first(s, i, f, end))) {
      continue;
    }
    Scanner rest(s, end);
    if (!read_time(rest, f, tz)) {
      continue;
    }
    return ParsedDate{to_utc(f, tz), f.has_time};
  }
  return std::nullopt;
}

// "1699324200" (seconds) or "1699324200000" (milliseconds) as the whole text.
std::optional<ParsedDate> match_unix(std::string_view s) {
  if (s.size() != 10 && s.size() != 13) {
    return std::nullopt;
  }
  std::int64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) {
      return std::nullopt;
    }
    v = v * 10 + (c - '0');
  }
  if (s.size() == 13) {
    v /= 1000;
  }
  // Ten digits reach the year 2286: past kMaxYear it is an id, not a time stamp.
  if (v >= days_from_civil(kMaxYear + 1, 1, 1) * kDay) {
    return std::nullopt;
  }
  return ParsedDate{v, true};
}

// Drops a leading label such as "发布时间：" or "Posted:" (text before a colon that holds
// no digit, so "14:20" is left alone) and surrounding brackets.
std::string_view strip_label_and_brackets(std::string_view s) {
  for (std::string_view colon : {"：", ":"}) {
    const std::size_t at = s.find(colon);
    if (at != std::string_view::npos) {
      const std::string_view label = s.substr(0, at);
      bool has_digit = false;
      for (char c : label) {
        has_digit = has_digit || is_digit(c);
      }
      if (!has_digit) {
        s = trim(s.substr(at + colon.size()));
        break;
      }
    }
  }
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kBrackets{
      {{"[", "]"}, {"(", ")"}, {"【", "】"}, {"（", "）"}}};
  for (const auto& [open, close] : kBrackets) {
    if (s.size() >= open.size() + close.size() && s.starts_with(open) && s.ends_with(close)) {
      s = trim(s.substr(open.size(), s.size() - open.size() - close.size()));
      break;
    }
  }
  return s;
}

// Local midnight `days_back` days before the local date of `now_utc`, plus an optional
// time of day read from `rest`.
std::optional<ParsedDate> local_day(std::int64_t now_utc, int days_back, std::string_view rest,
                                    const TimeZone& tz) {
  const std::int64_t now_local = now_utc + tz.offset_at_utc(now_utc);
  const CivilDate today =
      civil_from_days((now_local >= 0 ? now_local : now_local - (kDay - 1)) / kDay);
  const CivilDate day =
      civil_from_days(days_from_civil(today.year, today.month, today.day) - days_back);
  Fields f;
  f.year = day.year;
  f.month = day.month;
  f.day = day.day;
  Scanner sc(rest, 0);
  if (!read_time(sc, f, tz)) {
    return std::nullopt;
  }
  sc.skip_spaces();
  if (!sc.at_end()) {
    return std::nullopt;
  }
  return ParsedDate{to_utc(f, tz), f.has_time};
}

// 刚刚, 5分钟前, 3小时前, 3天前, 昨天 14:20, 今天 09:19, 前天, 2 days ago, yesterday, 3時間前.
// Must be the whole text (after a label): "今日" inside a headline is not a date.
std::optional<ParsedDate> match_relative(std::string_view s, const TimeZone& tz,
                                         std::int64_t now_utc) {
  std::string lowered;
  for (char c : s) {
    lowered.push_back(lower(c));
  }
  const std::string_view t = lowered;

  for (std::string_view now_word : {"刚刚", "刚才", "just now", "たった今"}) {
    if (t == now_word) {
      return ParsedDate{now_utc, true};
    }
  }
  struct DayWord {
    std::string_view word;
    int days_back;
  };
  static constexpr std::array<DayWord, 8> kDayWords{{{"今天", 0},
                                                     {"今日", 0},
                                                     {"today", 0},
                                                     {"昨天", 1},
                                                     {"昨日", 1},
                                                     {"yesterday", 1},
                                                     {"前天", 2},
                                                     {"一昨日", 2}}};
  for (const DayWord& dw : kDayWords) {
    if (t.starts_with(dw.word)) {
      const std::string_view rest = t.substr(dw.word.size());
      if (!rest.empty() && is_alpha(rest.front())) {
        continue;
      }
      return local_day(now_utc, dw.days_back, rest, tz);
    }
  }

  // N <unit> 前 / ago
  Scanner sc(t, 0);
  int n = 0;
  if (!sc.number(1, 4, n)) {
    if (sc.literal("an ") || sc.literal("a ") || sc.literal("one ")) {
      n = 1;
    } else {
      return std::nullopt;
    }
  }
  sc.skip_spaces();
  struct Unit {
    std::string_view word;
    std::int64_t seconds;  // 0 for whole days (the result is a date only)
    int days;
  };
  static constexpr std::array<Unit, 27> kUnits{
      {{"秒钟", 1, 0},    {"秒", 1, 0},        {"分钟", 60, 0},    {"分鐘", 60, 0},
       {"分", 60, 0},     {"个小时", 3600, 0}, {"小时", 3600, 0},  {"小時", 3600, 0},
       {"時間", 3600, 0}, {"天", 0, 1},        {"日", 0, 1},       {"个星期", 0, 7},
       {"星期", 0, 7},    {"周", 0, 7},        {"週間", 0, 7},     {"seconds", 1, 0},
       {"second", 1, 0},  {"secs", 1, 0},      {"minutes", 60, 0}, {"minute", 60, 0},
       {"mins", 60, 0},   {"min", 60, 0},      {"hours", 3600, 0}, {"hour", 3600, 0},
       {"days", 0, 1},    {"day", 0, 1},       {"weeks", 0, 7}}};
  for (const Unit& u : kUnits) {
    Scanner probe(t, sc.pos());
    if (!probe.literal(u.word)) {
      continue;
    }
    if (is_alpha(u.word.front()) && is_alpha(probe.peek())) {
      continue;
    }
    probe.skip_spaces();
    if (!(probe.literal("前") || probe.literal("以前") || probe.literal("之前") ||
          probe.literal("ago"))) {
      return std::nullopt;
    }
    probe.skip_spaces();
    if (!probe.at_end()) {
      return std::nullopt;
    }
    if (u.seconds > 0) {
      return ParsedDate{now_utc - n * u.seconds, true};
    }
    return local_day(now_utc, n * u.days, {}, tz);
  }
  return std::nullopt;
}

// "11-07", "11月7日", "[11-07]" with no year, as list pages print recent items: the
// latest such day not after today (with a day's slack for zone differences).
std::optional<ParsedDate> match_month_day(std::string_view s, const TimeZone& tz,
                                          std::int64_t now_utc) {
  Scanner sc(s, 0);
  int m = 0;
  int d = 0;
  if (!sc.number(1, 2, m)) {
    return std::nullopt;
  }
  sc.skip_spaces();
  const bool cjk = sc.literal("月");
  if (!cjk && !sc.any_of("-/.")) {
    return std::nullopt;
  }
  sc.skip_spaces();
  if (!sc.number(1, 2, d)) {
    return std::nullopt;
  }
  if (cjk) {
    sc.skip_spaces();
    if (!sc.literal("日")) {
      sc.literal("号");
    }
  }
  const std::int64_t now_local = now_utc + tz.offset_at_utc(now_utc);
  const CivilDate today =
      civil_from_days((now_local >= 0 ? now_local : now_local - (kDay - 1)) / kDay);
  for (std::int64_t year : {today.year, today.year - 1}) {
    Fields f;
    f.year = year;
    f.month = m;
    f.day = d;
    if (!is_valid_civil_date(year, m, d)) {
      continue;  // Feb 29 in a common year
    }
    Scanner rest(s, sc.pos());
    if (!read_time(rest, f, tz)) {
      return std::nullopt;
    }
    rest.skip_spaces();
    if (!rest.at_end()) {
      return std::nullopt;
    }
    const std::int64_t utc = to_utc(f, tz);
    if (utc <= now_utc + kDay) {
      return ParsedDate{utc, f.has_time};
    }
  }
  return std::nullopt;
}

// "20231107" as the whole text.
std::optional<ParsedDate> match_compact(std::string_view s, const TimeZone& tz) {
  if (s.size() != 8) {
    return std::nullopt;
  }
  Scanner sc(s, 0);
  int v = 0;
  if (!sc.number(8, 8, v)) {
    return std::nullopt;
  }
  Fields f;
  f.year = v / 10000;
  f.month = v / 100 % 100;
  f.day = v % 100;
  if (!valid_date(f)) {
    return std::nullopt;
  }
  return ParsedDate{to_utc(f, tz), false};
}

bool plausible_url_date(const Fields& f) {
  return f.year >= 1990 && f.year <= 2100 && is_valid_civil_date(f.year, f.month, f.day);
}

// Tencent news article ids: the publish day, a capital letter and an upper-case serial,
// as a whole segment right after /a/ or /omn/ (new.qq.com/rain/a/20231116A054CO00,
// new.qq.com/omn/20231116A054CO00.html). `slash` is the '/' before the digits and
// `digits_end` the position after them. Tied to those directories so that other 8-digit
// ids (order numbers, serials) are not read as dates.
bool is_dated_article_id(std::string_view p, std::size_t slash, std::size_t digits_end) {
  const std::string_view before = p.substr(0, slash);
  if (!before.ends_with("/a") && !before.ends_with("/omn")) {
    return false;
  }
  std::size_t end = digits_end;
  while (end < p.size() && ((p[end] >= 'A' && p[end] <= 'Z') || is_digit(p[end]))) {
    ++end;
  }
  const std::size_t serial = end - digits_end;
  if (serial < 5 || serial > 12 || !(p[digits_end] >= 'A' && p[digits_end] <= 'Z')) {
    return false;
  }
  const std::string_view rest = p.substr(end);
  return rest.empty() || rest == "/" || rest.starts_with(".htm") || rest.starts_with(".shtml");
}

// One of the URL shapes at position i of the path (which starts at a '/' or a 't').
bool match_url_date(std::string_view p, std::size_t i, Fields& f) {
  Scanner sc(p, i);
  int a = 0;
  int b = 0;
  int c = 0;
  auto boundary = [&](std::string_view ends) {
    return sc.at_end() || ends.find(sc.peek()) != std::string_view::npos;
  };
  if (p[i] == 't') {
    // TRS: t20231107_123.html
    if (i == 0 || p[i - 1] != '/') {
      return false;
    }
    sc.set(i + 1);
    if (!sc.number(8, 8, a) || !sc.literal("_")) {
      return false;
    }
    f.year = a / 10000;
    f.month = a / 100 % 100;
    f.day = a % 100;
    return plausible_url_date(f);
  }
  if (!sc.literal("/")) {
    return false;
  }
  const std::size_t start = sc.pos();
  if (sc.number(8, 8, a) && boundary("/_-")) {  // /20231109/
    f.year = a / 10000;
    f.month = a / 100 % 100;
    f.day = a % 100;
    return plausible_url_date(f);
  }
  sc.set(start);
  if (sc.number(8, 8, a) && is_dated_article_id(p, i, sc.pos())) {  // qq.com: /a/20231116A054CO00
    f.year = a / 10000;
    f.month = a / 100 % 100;
    f.day = a % 100;
    return plausible_url_date(f);
  }
  sc.set(start);
  if (sc.number(6, 6, a) && sc.literal("/") && sc.number(2, 2, b) &&
      sc.literal("/")) {  // /202311/07/
    f.year = a / 100;
    f.month = a % 100;
    f.day = b;
    return plausible_url_date(f);
  }
  sc.set(start);
  if (!sc.number(4, 4, a)) {
    return false;
  }
  f.year = a;
  const std::size_t after_year = sc.pos();
  if (sc.literal("/") && sc.number(4, 4, b) && sc.literal("/")) {  // people.com.cn: /2023/1107/
    f.month = b / 100;
    f.day = b % 100;
    return plausible_url_date(f);
  }
  sc.set(after_year);
  if (sc.literal("/") && sc.number(1, 2, b) && sc.literal("/") && sc.number(1, 2, c) &&
      sc.literal("/")) {
    f.month = b;  // /2023/11/07/ and /art/2023/11/7/
    f.day = c;
    return plausible_url_date(f);
  }
  sc.set(after_year);
  if (sc.literal("/") && sc.number(2, 2, b) && sc.literal("-") && sc.number(2, 2, c) &&
      sc.literal("/")) {
    f.month = b;  // chinanews: /2020/07-10/
    f.day = c;
    return plausible_url_date(f);
  }
  sc.set(after_year);
  if (sc.literal("-") && sc.number(2, 2, b)) {
    const std::size_t after_month = sc.pos();
    if (sc.literal("/") && sc.number(2, 2, c) && sc.literal("/")) {  // xinhuanet: /2023-11/07/
      f.month = b;
      f.day = c;
      return plausible_url_date(f);
    }
    sc.set(after_month);
    if (sc.literal("-") && sc.number(2, 2, c) && boundary("/_.")) {  // /2023-11-07/
      f.month = b;
      f.day = c;
      return plausible_url_date(f);
    }
  }
  return false;
}

}  // namespace

std::optional<ParsedDate> parse_date(std::string_view text, const TimeZone& tz,
                                     std::int64_t now_utc) {
  const std::string cleaned = to_halfwidth(text.substr(0, kMaxDateTextBytes));
  const std::string_view s = trim(cleaned);
  if (s.empty()) {
    return std::nullopt;
  }
  if (auto unix_time = match_unix(s)) {
    return unix_time;
  }
  if (auto compact = match_compact(s, tz)) {
    return compact;
  }
  if (auto absolute = find_absolute(s, tz)) {
    return absolute;
  }
  const std::string_view bare = strip_label_and_brackets(s);
  if (auto relative = match_relative(bare, tz, now_utc)) {
    return relative;
  }
  return match_month_day(bare, tz, now_utc);
}

std::optional<ParsedDate> date_from_url(std::string_view url, const TimeZone& tz) {
  // Only the path: a date in the query is usually a search filter, not the item's date.
  std::string_view path = url;
  if (const std::size_t scheme = path.find("://"); scheme != std::string_view::npos) {
    const std::size_t slash = path.find('/', scheme + 3);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  path = path.substr(0, std::min(path.find_first_of("?#"), path.size()));
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '/' && path[i] != 't') {
      continue;
    }
    Fields f;
    if (match_url_date(path, i, f)) {
      return ParsedDate{to_utc(f, tz), false};
    }
  }
  return std::nullopt;
}

}  // namespace herald

namespace herald {
namespace {

// Brackets a template puts around a date it prints in a link text, and the marks that set
// it off from the headline.
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kEdgeBrackets{
    {{"[", "]"}, {"(", ")"}, {"【", "】"}, {"（", "）"}, {"〔", "〕"}}};
constexpr std::array<std::string_view, 8> kEdgeSeparators{"|", "-", "–", "—", "·", ":", "：", "/"};

// Whitespace as link texts carry it: ASCII, NBSP and the ideographic space.
std::size_t blank_at(std::string_view s, std::size_t i) {
  if (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) {
    return 1;
  }
  if (s.substr(i).starts_with("\xC2\xA0")) {
    return 2;
  }
  if (s.substr(i).starts_with("\xE3\x80\x80")) {
    return 3;
  }
  return 0;
}

std::size_t skip_blanks_forward(std::string_view s, std::size_t i) {
  while (std::size_t n = blank_at(s, i)) {
    i += n;
  }
  return i;
}

// The end of the text once the blanks before `end` are dropped.
std::size_t skip_blanks_backward(std::string_view s, std::size_t end) {
  for (;;) {
    if (end >= 1 && blank_at(s, end - 1) == 1) {
      --end;
    } else if (end >= 2 && blank_at(s, end - 2) == 2) {
      end -= 2;
    } else if (end >= 3 && blank_at(s, end - 3) == 3) {
      end -= 3;
    } else {
      return end;
    }
  }
}

// Where a whole date (and its time, if any) read at `i` ends; npos when none starts there.
std::size_t date_end_at(std::string_view s, std::size_t i) {
  Fields f;
  std::size_t end = 0;
  if (!(match_ymd(s, i, f, end) || match_era(s, i, f, end) || match_month_first(s, i, f, end) ||
        match_day_first(s, i, f, end))) {
    return std::string_view::npos;
  }
  Scanner rest(s, end);
  if (!read_time(rest, f, TimeZone::utc())) {
    return std::string_view::npos;
  }
  return rest.pos();
}

bool ascii_alnum(char c) { return is_digit(c) || is_alpha(c); }

// "2023-11-07关于…": a numeric date ending in a digit right before a character that
// cannot continue it is set off as clearly as by a space; "2023年11月7日国务院…" is not.
bool digit_boundary(char date_edge, char other) {
  return is_digit(date_edge) && other != '\0' && !ascii_alnum(other) &&
         static_cast<unsigned char>(other) >= 0x80;
}

std::optional<EdgeDate> leading_date(std::string_view t) {
  std::size_t i = 0;
  std::string_view close;
  for (const auto& [open, closing] : kEdgeBrackets) {
    if (t.starts_with(open)) {
      i = open.size();
      close = closing;
      break;
    }
  }
  i = skip_blanks_forward(t, i);
  if (i >= t.size()) {
    return std::nullopt;
  }
  const std::size_t end = date_end_at(t, i);
  if (end == std::string_view::npos) {
    return std::nullopt;
  }
  std::size_t after = end;
  bool set_off = false;
  if (!close.empty()) {
    after = skip_blanks_forward(t, after);
    if (!t.substr(after).starts_with(close)) {
      return std::nullopt;
    }
    after += close.size();
    set_off = true;
  }
  std::size_t j = skip_blanks_forward(t, after);
  set_off = set_off || j > after;
  for (std::string_view sep : kEdgeSeparators) {
    if (t.substr(j).starts_with(sep)) {
      j = skip_blanks_forward(t, j + sep.size());
      set_off = true;
      break;
    }
  }
  set_off = set_off || digit_boundary(t[end - 1], j < t.size() ? t[j] : '\0');
  if (!set_off || j >= t.size()) {
    return std::nullopt;
  }
  return EdgeDate{std::string(t.substr(i, end - i)), std::string(t.substr(j))};
}

std::optional<EdgeDate> trailing_date(std::string_view t) {
  std::size_t end = t.size();
  std::string_view open;
  for (const auto& [opening, close] : kEdgeBrackets) {
    if (t.ends_with(close)) {
      end -= close.size();
      open = opening;
      break;
    }
  }
  end = skip_blanks_backward(t, end);
  // A printed date with its time is short; the earliest start that runs to the end is the
  // whole date ("7 Nov 2023", not "2023").
  constexpr std::size_t kLongestDate = 64;
  for (std::size_t i = end > kLongestDate ? end - kLongestDate : 0; i < end; ++i) {
    if (date_end_at(t, i) != end) {
      continue;
    }
    std::size_t b = skip_blanks_backward(t, i);
    bool set_off = b < i;
    if (!open.empty()) {
      if (!t.substr(0, b).ends_with(open)) {
        continue;
      }
      b = skip_blanks_backward(t, b - open.size());
      set_off = true;
    }
    for (std::string_view sep : kEdgeSeparators) {
      if (t.substr(0, b).ends_with(sep)) {
        b = skip_blanks_backward(t, b - sep.size());
        set_off = true;
        break;
      }
    }
    set_off = set_off || (b == i && b > 0 && digit_boundary(t[i], t[b - 1]));
    if (set_off && b > 0) {
      return EdgeDate{std::string(t.substr(i, end - i)), std::string(t.substr(0, b))};
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<EdgeDate> split_edge_date(std::string_view text) {
  const std::size_t begin = skip_blanks_forward(text, 0);
  const std::size_t end = skip_blanks_backward(text, text.size());
  if (begin >= end) {
    return std::nullopt;
  }
  const std::string_view t = text.substr(begin, end - begin);
  if (auto leading = leading_date(t)) {
    return leading;
  }
  return trailing_date(t);
}

}  // namespace herald
