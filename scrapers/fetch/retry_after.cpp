#include "scrapers/fetch/retry_after.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "common/text.h"
#include "common/timezone.h"

namespace herald {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Digits only, at most `max_digits` of them (so no overflow), else nullopt.
std::optional<std::int64_t> number(std::string_view s, std::size_t max_digits) {
  if (!all_digits(s) || s.size() > max_digits) {
    return std::nullopt;
  }
  std::int64_t n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

// The words of a header value; blanks around and between them do not matter.
std::vector<std::string_view> split_spaces(std::string_view s) {
  std::vector<std::string_view> parts;
  while (!s.empty()) {
    const std::size_t start = s.find_first_not_of(" \t");
    if (start == std::string_view::npos) break;
    s.remove_prefix(start);
    const std::size_t end = s.find_first_of(" \t");
    parts.push_back(s.substr(0, end));
    s.remove_prefix(end == std::string_view::npos ? s.size() : end);
  }
  return parts;
}

std::optional<int> month_number(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  const std::string lower = to_lower_ascii(name);
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (lower == kMonths[i]) return static_cast<int>(i) + 1;
  }
  return std::nullopt;
}

// "HH:MM:SS" -> seconds into the day.
std::optional<std::int64_t> time_of_day(std::string_view s) {
  if (s.size() != 8 || s[2] != ':' || s[5] != ':') return std::nullopt;
  const auto h = number(s.substr(0, 2), 2);
  const auto m = number(s.substr(3, 2), 2);
  const auto sec = number(s.substr(6, 2), 2);
  // 60 allows a leap second, as RFC 9110 does.
  if (!h || !m || !sec || *h > 23 || *m > 59 || *sec > 60) return std::nullopt;
  return *h * 3600 + *m * 60 + *sec;
}

std::optional<std::int64_t> epoch_seconds(std::int64_t year, std::optional<int> month,
                                          std::optional<std::int64_t> day,
                                          std::optional<std::int64_t> seconds_of_day) {
  if (!month || !day || !seconds_of_day ||
      !is_valid_civil_date(year, *month, static_cast<int>(*day))) {
    return std::nullopt;
  }
  return days_from_civil(year, *month, static_cast<int>(*day)) * 86400 + *seconds_of_day;
}

}  // namespace

std::optional<std::int64_t> parse_http_date(std::string_view value) {
  const std::vector<std::string_view> parts = split_spaces(value);
  if (parts.size() == 6 && parts[0].size() == 4 && parts[0].back() == ',' &&
      parts[5] == "GMT") {
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    const auto year = number(parts[3], 4);
    if (!year || parts[3].size() != 4) return std::nullopt;
    return epoch_seconds(*year, month_number(parts[2]), number(parts[1], 2),
                         time_of_day(parts[4]));
  }
  if (parts.size() == 4 && parts[0].size() > 1 && parts[0].back() == ',' && parts[3] == "GMT") {
    // Obsolete RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT". A two-digit year that looks
    // more than 50 years ahead is in the past century (RFC 9110 §5.6.7).
    const std::string_view date = parts[1];
    if (date.size() != 9 || date[2] != '-' || date[6] != '-') return std::nullopt;
    auto year = number(date.substr(7, 2), 2);
    if (!year) return std::nullopt;
    *year += *year < 70 ? 2000 : 1900;
    return epoch_seconds(*year, month_number(date.substr(3, 3)), number(date.substr(0, 2), 2),
                         time_of_day(parts[2]));
  }
  if (parts.size() == 5 && parts[0].size() == 3) {
    // asctime: "Sun Nov  6 08:49:37 1994" (the day may be space-padded)
    const auto year = number(parts[4], 4);
    if (!year || parts[4].size() != 4) return std::nullopt;
    return epoch_seconds(*year, month_number(parts[1]), number(parts[2], 2),
                         time_of_day(parts[3]));
  }
  return std::nullopt;
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::int64_t now_utc_seconds) {
  const std::vector<std::string_view> words = split_spaces(value);
  std::int64_t wait = 0;
  if (words.size() == 1 && all_digits(words[0])) {
    // Anything past 24 h is clamped anyway, so a long digit string just means "long".
    wait = words[0].size() > 12 ? kMaxRetryAfter.count() : *number(words[0], 12);
  } else if (const auto when = parse_http_date(value)) {
    wait = *when - now_utc_seconds;
  } else {
    return std::nullopt;
  }
  return std::chrono::seconds(std::clamp(wait, kMinRetryAfter.count(), kMaxRetryAfter.count()));
}

}  // namespace herald
