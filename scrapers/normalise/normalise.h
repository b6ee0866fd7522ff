#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/item.h"
#include "common/result.h"
#include "config/source_config.h"

namespace herald {

// Per-field caps: a hostile page cannot make one item huge.
inline constexpr std::size_t kMaxTitleBytes = 1024;
inline constexpr std::size_t kMaxSummaryBytes = 8 * 1024;
inline constexpr std::size_t kMaxUrlBytes = 4 * 1024;

// RawItem -> Item: link resolved against the item's xml:base / the page's <base> / the
// page URL, canonical key, text sanitised and capped, date parsed in the source's zone
// (falling back to a date in the URL), a date more than a day after `fetched_at_utc`
// flagged suspect and not used. Errors (kParse) for an item with no usable title or link;
// the caller skips that item and keeps the rest.
Result<Item> normalise(const RawItem& raw, const SourceConfig& source, std::string_view base_url,
                       std::int64_t fetched_at_utc);

// The same-story fingerprint normalise() gives an item: its title and its publication day
// in `tz` (none when undated). Recomputed by whoever changes an item's title or date later
// (article enrichment), so that fingerprints stay comparable.
std::string item_fingerprint(std::string_view title, std::optional<std::int64_t> published_at,
                             const TimeZone& tz);

}  // namespace herald
