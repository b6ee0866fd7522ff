#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/item.h"
#include "common/result.h"
#include "config/source_config.h"

namespace herald {

// CourtListener (Free Law Project): US court opinions and dockets, in place of Westlaw.
// The REST v4 search API answers anonymous reads; a token (herald.toml [tokens]
// courtlistener) raises the rate limits and is sent as "Authorization: Token <token>".
// The API is asked at the origin of the source's configured `url` (the shipped one is
// https://www.courtlistener.com), so a source can point at a mirror or a test server.

// "scheme://host[:port]" of an absolute http(s) URL (the config loader has checked it):
// "https://www.courtlistener.com/?q=x" -> "https://www.courtlistener.com".
std::string courtlistener_origin(std::string_view source_url);

// The search request for `rules` at `origin`, newest filings first:
// <origin>/api/rest/v4/search/?q=<query>&type=o&order_by=dateFiled%20desc
// (+ &court=<court> when set), every value percent-encoded.
std::string courtlistener_search_url(std::string_view origin, const CourtListenerRules& rules);

// A v4 search response from `origin` -> one RawItem per results[] entry (at most
// kMaxJsonItems): title "caseName (docketNumber)", link absolute_url resolved against
// `origin`, date the calendar date dateFiled, summary the first snippet (top level,
// opinions[] or recap_documents[]) without its <mark> highlighting, else the court's name.
// Errors: kParse when the body is not JSON; kNoMatch when it has no results list.
Result<std::vector<RawItem>> extract_courtlistener(std::string_view utf8, std::string_view origin);

}  // namespace herald
