#include "scrapers/sites/courtlistener.h"

#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "common/text.h"
#include "scrapers/extract/json_list.h"

namespace herald {
namespace {

// RFC 3986 query component: unreserved characters stay, everything else is %XX (a space
// is %20, never '+', which the v4 API would read literally in some fields).
std::string percent_encode(std::string_view value) {
  std::string out;
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

// Highlighting is <mark>…</mark> around matched words; nothing else in a snippet is markup.
std::string strip_marks(std::string_view snippet) {
  std::string out;
  out.reserve(snippet.size());
  std::size_t i = 0;
  while (i < snippet.size()) {
    if (snippet.substr(i, 6) == "<mark>") {
      i += 6;
    } else if (snippet.substr(i, 7) == "</mark>") {
      i += 7;
    } else {
      out.push_back(snippet[i++]);
    }
  }
  return collapse_whitespace(out);
}

std::string first_snippet(const nlohmann::json& result) {
  for (const char* path : {"snippet", "opinions.0.snippet", "recap_documents.0.snippet"}) {
    std::string snippet = strip_marks(json_text(json_at(result, path)));
    if (!snippet.empty()) {
      return snippet;
    }
  }
  return {};
}

}  // namespace

std::string courtlistener_origin(std::string_view source_url) {
  const std::size_t scheme_end = source_url.find("://");
  if (scheme_end == std::string_view::npos) {
    return std::string(source_url);
  }
  const std::size_t host = scheme_end + 3;
  const std::size_t end = source_url.find_first_of("/?#", host);
  return std::string(source_url.substr(0, end));
}

std::string courtlistener_search_url(std::string_view origin, const CourtListenerRules& rules) {
  std::string url = fmt::format("{}/api/rest/v4/search/?q={}&type={}&order_by=dateFiled%20desc",
                                origin, percent_encode(rules.query),
                                percent_encode(rules.search_type));
  if (!rules.court.empty()) {
    url += fmt::format("&court={}", percent_encode(rules.court));
  }
  return url;
}

Result<std::vector<RawItem>> extract_courtlistener(std::string_view utf8,
                                                   std::string_view origin) {
  auto document = parse_json(utf8);
  if (!document) {
    return fail(document.error());
  }
  const nlohmann::json* results = json_at(*document, "results");
  if (results == nullptr || !results->is_array()) {
    return fail(ErrorCode::kNoMatch,
                "CourtListener answered without a results list; the v4 search API's format may "
                "have changed (or the answer is an error object such as a throttling notice)");
  }
  std::vector<RawItem> out;
  for (const nlohmann::json& result : *results) {
    if (out.size() == kMaxJsonItems) {
      break;
    }
    RawItem raw;
    raw.title = json_text(json_at(result, "caseName"));
    if (collapse_whitespace(raw.title).empty()) {
      raw.title = json_text(json_at(result, "caseNameFull"));
    }
    const std::string docket = collapse_whitespace(json_text(json_at(result, "docketNumber")));
    if (!docket.empty() && !collapse_whitespace(raw.title).empty()) {
      raw.title = fmt::format("{} ({})", raw.title, docket);
    }
    const std::string path = json_text(json_at(result, "absolute_url"));
    if (!path.empty()) {
      // Site-relative ("/opinion/9457182/andersen-v-stability-ai-ltd/"); resolved by normalise.
      raw.link = path;
      raw.base_url = std::string(origin) + "/";
    }
    raw.date_text = json_text(json_at(result, "dateFiled"));
    raw.summary = first_snippet(result);
    if (raw.summary.empty()) {
      raw.summary = json_text(json_at(result, "court"));
    }
    out.push_back(std::move(raw));
  }
  return out;
}

}  // namespace herald
