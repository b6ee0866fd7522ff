// Calendar dates inside sentences (declared in legal_text.h): the forms Chinese government
// pages, the Federal Register and GOV.UK print. Not scrapers/normalise's parse_date: that one
// reads a whole date field into an instant; this one finds dates inside running text and
// keeps them as the printed calendar day, year-less ones included.

#include "scrapers/legal/legal_text.h"

#include <array>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/legal.h"
#include "common/text.h"
#include "scrapers/legal/legal_scan.h"

namespace herald::legal_detail {
namespace {

constexpr std::array<std::string_view, 12> kMonthNames{
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};

// An English month name at s[i] (full, or three letters with an optional dot, "Sept"):
// the month and the bytes read, or {0, 0}.
std::pair<int, std::size_t> month_name(std::string_view s, std::size_t i) {
  std::size_t n = 0;
  while (i + n < s.size() && is_alpha(s[i + n])) {
    ++n;
  }
  if (n < 3) {
    return {0, 0};
  }
  const std::string word = to_lower_ascii(s.substr(i, n));
  for (std::size_t m = 0; m < kMonthNames.size(); ++m) {
    const std::string_view full = kMonthNames[m];
    if (word == full || word == full.substr(0, 3) || (m == 8 && word == "sept")) {
      std::size_t len = n;
      if (word != full && i + len < s.size() && s[i + len] == '.') {
        ++len;
      }
      return {static_cast<int>(m) + 1, len};
    }
  }
  return {0, 0};
}

// One date starting at s[i], or nullopt.
std::optional<DateHit> date_at(std::string_view s, std::size_t i, bool us_numeric) {
  if (is_alpha(s[i])) {
    if (i > 0 && is_alpha(s[i - 1])) {
      return std::nullopt;
    }
    // "January 16, 2024", "Jan. 16, 2024"
    const auto [month, len] = month_name(s, i);
    if (month == 0) {
      return std::nullopt;
    }
    std::size_t j = skip_spaces(s, i + len);
    const std::size_t dn = digit_run(s, j);
    if (dn == 0 || dn > 2 || j == i + len) {
      return std::nullopt;
    }
    const int day = number(s, j, dn);
    j += dn;
    if (j < s.size() && s[j] == ',') {
      ++j;
    }
    j = skip_spaces(s, j);
    const std::size_t yn = digit_run(s, j);
    if (yn != 4) {
      return std::nullopt;
    }
    return DateHit{.begin = i, .end = j + 4, .year = number(s, j, 4), .month = month, .day = day};
  }
  if (!is_digit(s[i]) || (i > 0 && is_digit(s[i - 1]))) {
    return std::nullopt;
  }
  const std::size_t n = digit_run(s, i);
  if (n == 4) {
    const int year = number(s, i, 4);
    std::size_t j = skip_spaces(s, i + 4);
    if (at(s, j, "年")) {
      j = skip_spaces(s, j + 3);
      const std::size_t mn = digit_run(s, j);
      if (mn == 0 || mn > 2) {
        return std::nullopt;
      }
      const int month = number(s, j, mn);
      j = skip_spaces(s, j + mn);
      if (!at(s, j, "月")) {
        return std::nullopt;
      }
      j = skip_spaces(s, j + 3);
      const std::size_t dn = digit_run(s, j);
      if (dn == 0 || dn > 2) {
        return std::nullopt;
      }
      const int day = number(s, j, dn);
      j = skip_spaces(s, j + dn);
      if (!at(s, j, "日") && !at(s, j, "号")) {
        return std::nullopt;
      }
      return DateHit{.begin = i, .end = j + 3, .year = year, .month = month, .day = day};
    }
    j = i + 4;
    if (j < s.size() && (s[j] == '-' || s[j] == '/' || s[j] == '.')) {
      const char sep = s[j];
      const std::size_t mn = digit_run(s, j + 1);
      if (mn == 0 || mn > 2 || j + 1 + mn >= s.size() || s[j + 1 + mn] != sep) {
        return std::nullopt;
      }
      const int month = number(s, j + 1, mn);
      const std::size_t k = j + 2 + mn;
      const std::size_t dn = digit_run(s, k);
      if (dn == 0 || dn > 2) {
        return std::nullopt;
      }
      return DateHit{
          .begin = i, .end = k + dn, .year = year, .month = month, .day = number(s, k, dn)};
    }
    return std::nullopt;
  }
  if (n == 0 || n > 2) {
    return std::nullopt;
  }
  const int first = number(s, i, n);
  std::size_t j = skip_spaces(s, i + n);
  if (at(s, j, "月")) {  // 12月7日, no year
    j = skip_spaces(s, j + 3);
    const std::size_t dn = digit_run(s, j);
    if (dn == 0 || dn > 2) {
      return std::nullopt;
    }
    const int day = number(s, j, dn);
    j = skip_spaces(s, j + dn);
    if (!at(s, j, "日") && !at(s, j, "号")) {
      return std::nullopt;
    }
    return DateHit{.begin = i, .end = j + 3, .year = 0, .month = first, .day = day};
  }
  if (us_numeric && i + n < s.size() && s[i + n] == '/') {  // 01/16/2024 (Federal Register)
    const std::size_t k = i + n + 1;
    const std::size_t dn = digit_run(s, k);
    if (dn == 0 || dn > 2 || k + dn >= s.size() || s[k + dn] != '/' ||
        digit_run(s, k + dn + 1) != 4) {
      return std::nullopt;
    }
    return DateHit{.begin = i,
                   .end = k + dn + 5,
                   .year = number(s, k + dn + 1, 4),
                   .month = first,
                   .day = number(s, k, dn)};
  }
  if (i + n < s.size() && s[i + n] == ' ') {  // "16 January 2024"
    const std::size_t k = i + n + 1;
    if (k < s.size() && is_alpha(s[k])) {
      const auto [month, len] = month_name(s, k);
      if (month != 0 && k + len < s.size() && s[k + len] == ' ' &&
          digit_run(s, k + len + 1) == 4) {
        return DateHit{.begin = i,
                       .end = k + len + 5,
                       .year = number(s, k + len + 1, 4),
                       .month = month,
                       .day = first};
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::string fold_width(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    // U+FF0E .. U+FF1A (．／０-９：) are EF BC 8E .. EF BC 9A.
    if (static_cast<unsigned char>(s[i]) == 0xEF && i + 2 < s.size() &&
        static_cast<unsigned char>(s[i + 1]) == 0xBC) {
      const auto third = static_cast<unsigned char>(s[i + 2]);
      if (third >= 0x8E && third <= 0x99) {
        out.push_back(static_cast<char>('.' + (third - 0x8E)));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::vector<DateHit> find_dates(std::string_view text, bool us_numeric) {
  std::vector<DateHit> hits;
  for (std::size_t i = 0; i < text.size();) {
    if (auto hit = date_at(text, i, us_numeric)) {
      hits.push_back(*hit);
      i = hit->end;
    } else {
      ++i;
    }
  }
  return hits;
}

std::string iso_date(const DateHit& hit) {
  if (hit.year < 1900 || hit.year > 2999 || hit.month < 1 || hit.month > 12 || hit.day < 1 ||
      hit.day > 31) {
    return {};
  }
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", hit.year, hit.month, hit.day);
  std::string date(buffer);
  return is_calendar_date(date) ? date : std::string();
}

void resolve_years(std::vector<DateHit>& hits, std::optional<int> year_hint) {
  std::optional<int> last_year = year_hint;
  std::vector<DateHit> kept;
  for (DateHit hit : hits) {
    if (hit.year != 0) {
      last_year = hit.year;
    } else if (last_year) {
      hit.year = *last_year;
      if (!kept.empty()) {
        const DateHit& before = kept.back();
        if (std::pair(hit.month, hit.day) < std::pair(before.month, before.day) &&
            hit.year == before.year) {
          ++hit.year;
        }
      }
    } else {
      continue;
    }
    kept.push_back(hit);
  }
  hits = std::move(kept);
}

std::string first_date(std::string_view value, bool us_numeric) {
  const std::string folded = fold_width(value);
  std::vector<DateHit> hits = find_dates(folded, us_numeric);
  resolve_years(hits, std::nullopt);
  return hits.empty() ? std::string() : iso_date(hits.front());
}

}  // namespace herald::legal_detail
