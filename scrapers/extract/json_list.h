#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/item.h"
#include "common/result.h"
#include "config/source_config.h"

namespace herald {

// More items than any list API returns per page; a hostile response cannot make more.
inline constexpr std::size_t kMaxJsonItems = 1000;

// Parses a JSON document. kParse ("not JSON: ...") for anything nlohmann rejects and for
// nesting deeper than 256 levels; no exception leaves this function.
Result<nlohmann::json> parse_json(std::string_view utf8);

// The node at a dot path: "data.resultList", "groupData.0.data.title" (a numeric segment
// indexes an array; on an object it is a key). "" is `root` itself. nullptr when a segment
// is missing. Keys that contain dots cannot be addressed.
const nlohmann::json* json_at(const nlohmann::json& root, std::string_view path);

// A scalar as text: strings as they are, integers (and integral floats) in decimal, other
// numbers as printed by JSON, booleans "true"/"false"; null, arrays and objects give "".
std::string json_text(const nlohmann::json* node);

// Applies a source's [json] rules: one RawItem per element of the items array (at most
// kMaxJsonItems), fields read by their paths inside each element. A numeric date becomes
// its decimal text (normalise reads Unix seconds or milliseconds); a date string is kept
// as printed. Links stay as found, with rules.link_base as the item's base when set.
// Elements without a title or link are kept (normalise rejects and counts them).
// Errors: kParse for a body that is not JSON; kNoMatch when the items path is missing or
// is not an array (the API's format changed).
Result<std::vector<RawItem>> extract_json_list(std::string_view utf8, const JsonRules& rules);

}  // namespace herald
