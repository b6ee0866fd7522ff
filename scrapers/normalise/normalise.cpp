#include "scrapers/normalise/normalise.h"

#include <fmt/format.h>

#include <string>
#include <utility>

#include "common/text.h"
#include "scrapers/normalise/date.h"
#include "scrapers/normalise/url.h"

namespace herald {

namespace {

// The printed date is kept for the record only; it never needs to be long.
constexpr std::size_t kMaxPublishedTextBytes = 200;
// A date more than this far after the fetch is a site's mistake (or a wrong zone), not news.
constexpr std::int64_t kFutureSlackSeconds = 86400;

// Valid UTF-8, no control characters, one space between words, at most `max_bytes`.
// Controls go before whitespace is collapsed so removing one cannot leave a double space.
std::string clean_text(std::string_view raw, std::size_t max_bytes) {
  return truncate_utf8(collapse_whitespace(strip_controls(sanitize_utf8(raw))), max_bytes);
}

std::string local_date_iso(std::int64_t utc_seconds, const TimeZone& tz) {
  const std::int64_t local = utc_seconds + tz.offset_at_utc(utc_seconds);
  const std::int64_t days = (local >= 0 ? local : local - 86399) / 86400;
  const CivilDate d = civil_from_days(days);
  return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day);
}

// The base the item's link is relative to: its own xml:base (itself possibly relative to
// the page), else the page URL.
std::string item_base(const RawItem& raw, std::string_view base_url) {
  if (raw.base_url.empty()) {
    return std::string(base_url);
  }
  if (auto resolved = resolve_url(base_url, raw.base_url)) {
    return *resolved;
  }
  return std::string(base_url);
}

}  // namespace

Result<Item> normalise(const RawItem& raw, const SourceConfig& source, std::string_view base_url,
                       std::int64_t fetched_at_utc) {
  Item item;
  item.source_id = source.id;

  // The link only loses invalid bytes here: resolve_url trims it and drops the newlines
  // browsers ignore, which whitespace collapsing would turn into spaces.
  if (raw.link.size() > 4 * kMaxUrlBytes) {
    return fail(ErrorCode::kParse,
                fmt::format("source {}: link of {} bytes is longer than {} bytes", source.id,
                            raw.link.size(), kMaxUrlBytes));
  }
  const std::string link = sanitize_utf8(raw.link);
  if (collapse_whitespace(link).empty()) {
    return fail(ErrorCode::kParse, fmt::format("source {}: item \"{}\" has no link", source.id,
                                               clean_text(raw.title, 120)));
  }
  auto url = resolve_url(item_base(raw, base_url), link);
  if (!url) {
    return fail(ErrorCode::kParse, fmt::format("source {}: cannot use link \"{}\": {}", source.id,
                                               truncate_utf8(link, 200), url.error().message));
  }
  if (url->size() > kMaxUrlBytes) {
    return fail(ErrorCode::kParse, fmt::format("source {}: link \"{}\" is longer than {} bytes",
                                               source.id, truncate_utf8(*url, 200), kMaxUrlBytes));
  }
  // The key is computed from the link as given (it drops the same tracking itself); the
  // link kept for people is the clean one, with the original kept as evidence.
  item.url_key = canonical_url_key(*url, source.url_key);
  item.url = clean_link(*url);
  if (item.url != *url) {
    item.original_url = std::move(*url);
  }

  item.title = clean_text(raw.title, kMaxTitleBytes);
  if (item.title.empty()) {
    return fail(ErrorCode::kParse,
                fmt::format("source {}: item {} has an empty title", source.id, item.url));
  }
  item.summary = clean_text(raw.summary, kMaxSummaryBytes);
  item.guid = clean_text(raw.guid, kMaxUrlBytes);

  const std::string date_text = clean_text(raw.date_text, kMaxSummaryBytes);
  item.published_text = truncate_utf8(date_text, kMaxPublishedTextBytes);
  std::optional<ParsedDate> date;
  if (!date_text.empty()) {
    date = parse_date(date_text, source.timezone, fetched_at_utc);
  }
  if (!date) {
    date = date_from_url(item.url, source.timezone);
  }
  if (date) {
    if (date->utc_seconds > fetched_at_utc + kFutureSlackSeconds) {
      item.date_suspect = true;
    } else {
      item.published_at = date->utc_seconds;
    }
  }

  item.fingerprint = item_fingerprint(item.title, item.published_at, source.timezone);
  return item;
}

// Same story under another URL: same title on the same local day.
std::string item_fingerprint(std::string_view title, std::optional<std::int64_t> published_at,
                             const TimeZone& tz) {
  const std::string day = published_at ? local_date_iso(*published_at, tz) : "";
  return sha256_hex(to_lower_ascii(title) + "|" + day);
}

}  // namespace herald
