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
inline constexpr std::string_view kCourtListenerOrigin = "https://www.courtlistener.com";

// The search request for `rules`, newest filings first:
// https://www.courtlistener.com/api/rest/v4/search/?q=<query>&type=o&order_by=dateFiled%20desc
// (+ &court=<court> when set), every value percent-encoded.
std::string courtlistener_search_url(const CourtListenerRules& rules);

// A v4 search response -> one RawItem per results[] entry (at most kMaxJsonItems):
// title "caseName (docketNumber)", link kCourtListenerOrigin + absolute_url, date the
// calendar date dateFiled, summary the first snippet (top level, opinions[] or
// recap_documents[]) without its <mark> highlighting, else the court's name.
// Errors: kParse when the body is not JSON; kNoMatch when it has no results list.
Result<std::vector<RawItem>> extract_courtlistener(std::string_view utf8);

}  // namespace herald
