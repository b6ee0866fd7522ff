#include "daemon/output.h"

#include "daemon/context.h"

namespace herald {

using nlohmann::json;

json published_json(const std::optional<std::int64_t>& at, const TimeZone& zone) {
  return at ? json(format_iso8601(*at, zone)) : json(nullptr);
}

std::string published_short(const std::optional<std::int64_t>& at, const TimeZone& zone) {
  return at ? format_iso8601(*at, zone).substr(0, 10) : std::string("----------");
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) {
      out += separator;
    }
    out += part;
  }
  return out;
}

json item_json(const Item& item, const TimeZone& zone) {
  return json{{"source", item.source_id},
              {"title", item.title},
              {"url", item.url},
              {"published_at", published_json(item.published_at, zone)},
              {"summary", item.summary},
              {"candidate", item.candidate},
              {"score", item.score},
              {"matched", item.matched_terms}};
}

json candidate_json(const Candidate& c, const TimeZone& zone) {
  return json{{"id", c.id},
              {"source", c.source_id},
              {"title", c.title},
              {"url", c.url},
              {"published_at", published_json(c.published_at, zone)},
              {"summary", c.summary},
              {"state", std::string(review_state_name(c.state))},
              {"score", c.score},
              {"matched", c.matched_terms}};
}

}  // namespace herald
