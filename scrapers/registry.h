#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/item.h"
#include "common/result.h"
#include "config/source_config.h"
#include "scrapers/fetch/fetcher.h"

namespace herald {

struct Extraction {
  std::vector<Item> items{};  // normalised, in page order
  int rejected = 0;           // raw items dropped by normalise (no title/link)
  std::string charset{};
  bool charset_suspect = false;
};

// The one explicit table from a source's type to its extractor: decode -> parse ->
// extract -> normalise for one fetched page. Zero items from a page gives kNoMatch.
Result<Extraction> extract_page(const SourceConfig& source, const FetchResponse& page,
                                std::int64_t fetched_at_utc);

}  // namespace herald
