#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/legal.h"

namespace herald {

// What an extractor read off a page, before any cleaning: strings as found (already
// UTF-8, whitespace collapsed), links possibly relative.
struct RawItem {
  std::string title{};
  std::string link{};       // as written on the page: may be relative
  std::string date_text{};  // as printed: "2023年 11月 7日", "Tue, 07 Nov 2023 10:00:00 GMT"
  std::string summary{};
  std::string guid{};       // feed identity (RSS guid / Atom id); empty for HTML lists
  std::string base_url{};   // xml:base in force for this item (feeds); empty = the page URL
};

// An announcement ready to store: absolute URL, canonical key, parsed date.
struct Item {
  std::string source_id{};
  std::string title{};
  std::string url{};             // absolute, as the site links it, less tracking (clean_link)
  std::string original_url{};    // the link exactly as resolved, when clean_link changed it
  std::string url_key{};         // canonical form used for dedup (see normalise/url.h)
  std::string summary{};
  std::string published_text{};  // the original date text, kept for the record
  std::optional<std::int64_t> published_at{};  // UTC, seconds since the epoch
  bool date_suspect = false;     // e.g. more than a day in the future: shown, not trusted
  std::string guid{};
  std::string fingerprint{};     // hash of normalised title + date: same story, other URL
  // From the item's own page (article enrichment); empty when not enriched.
  std::string body{};            // main text, paragraphs separated by "\n\n", capped
  std::string content_source{};  // issuing body (<meta name="ContentSource">), e.g. "教育部"
  // 文号, issuer, dates, instrument type, comment deadline (scrapers/legal/): from the article
  // page when enriched, else from the list row's title and summary. Empty when none is stated.
  LegalFacts legal{};

  // Relevance, filled in by scoring (relevance/relevance.h) before storage.
  double score = 0.0;
  std::vector<std::string> matched_terms{};
  bool candidate = false;        // score reached the threshold, or the source is always_candidate
};

}  // namespace herald
