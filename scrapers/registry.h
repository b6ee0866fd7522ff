#pragma once

#include <cstdint>
#include <map>
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

// Adjusts the list request for the source's type: method and form body for json sources,
// the API URL and Authorization header for courtlistener (token from herald.toml
// [tokens]). The daemon builds the common part (URL, validators, timeouts, headers).
// A manual source with a bridge_url is polled as a feed from that URL: the request goes
// there (GET, no type settings), and extract_page reads the answer as RSS/Atom. Whether a
// manual source is polled at all (only with a bridge_url) is the daemon's decision.
void prepare_list_request(const SourceConfig& source,
                          const std::map<std::string, std::string>& tokens,
                          FetchRequest& request);

// Manual intake (`herald add URL`): one article page -> one item. Uses the source's module
// when it has one (wechat: title, publish time from the page's `ct` value, body), else
// generic article extraction (meta and JSON-LD dates, description, first paragraph; the
// source's [article] selectors when set). `source` may be null (no source given): the item
// then gets source_id "manual" and is read in UTC. Errors: kDecode, kParse, kParseLimit, and
// kNoMatch when the page has no usable title.
// Details: a page fetched from mp.weixin.qq.com with no source is read by the wechat module
// too; the title falls back to <h1>, then <title>; the link is page.final_url (else the
// page's og:url or canonical link); a date more than a day after fetched_at_utc is not
// used and marks the item date_suspect.
Result<Item> extract_single_item(const SourceConfig* source, const FetchResponse& page,
                                 std::int64_t fetched_at_utc);

}  // namespace herald
