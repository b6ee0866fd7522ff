#include "scrapers/extract/json_list.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace herald {
namespace {

// List APIs nest a few levels; anything deeper is not one of them.
constexpr int kMaxJsonDepth = 256;
constexpr std::size_t kMaxErrorExcerpt = 80;

// Nesting depth of `text`, ignoring brackets inside strings; stops counting past `limit`.
int nesting_depth(std::string_view text, int limit) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) {
        return deepest;
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

Result<nlohmann::json> parse_json(std::string_view utf8) {
  if (nesting_depth(utf8, kMaxJsonDepth) > kMaxJsonDepth) {
    return fail(
        ErrorCode::kParse,
        fmt::format("not JSON herald can use: nested deeper than {} levels", kMaxJsonDepth));
  }
  try {
    return nlohmann::json::parse(utf8.begin(), utf8.end());
  } catch (const nlohmann::json::exception& e) {
    // An HTML error page or a login wall instead of the API's answer is the usual cause.
    std::string start(utf8.substr(0, kMaxErrorExcerpt));
    for (char& c : start) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f) {
        c = ' ';
      }
    }
    return fail(ErrorCode::kParse,
                fmt::format("not JSON ({}); the response starts with \"{}\"", e.what(), start));
  }
}

const nlohmann::json* json_at(const nlohmann::json& root, std::string_view path) {
  const nlohmann::json* node = &root;
  while (!path.empty()) {
    const std::size_t dot = path.find('.');
    const std::string_view segment = path.substr(0, dot);
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    if (node->is_array() && all_digits(segment)) {
      if (segment.size() > 9) {
        return nullptr;
      }
      const std::size_t index = std::stoul(std::string(segment));
      if (index >= node->size()) {
        return nullptr;
      }
      node = &(*node)[index];
    } else if (node->is_object()) {
      const auto it = node->find(std::string(segment));
      if (it == node->end()) {
        return nullptr;
      }
      node = &*it;
    } else {
      return nullptr;
    }
  }
  return node;
}

std::string json_text(const nlohmann::json* node) {
  if (node == nullptr) {
    return {};
  }
  switch (node->type()) {
    case nlohmann::json::value_t::string:
      return node->get_ref<const std::string&>();
    case nlohmann::json::value_t::number_integer:
      return std::to_string(node->get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned:
      return std::to_string(node->get<std::uint64_t>());
    case nlohmann::json::value_t::number_float: {
      // 1.7013312E12 is a time stamp in milliseconds written as a float.
      const double value = node->get<double>();
      if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 9.0e15) {
        return std::to_string(static_cast<std::int64_t>(value));
      }
      return node->dump();
    }
    case nlohmann::json::value_t::boolean:
      return node->get<bool>() ? "true" : "false";
    default:
      return {};
  }
}

Result<std::vector<RawItem>> extract_json_list(std::string_view utf8, const JsonRules& rules) {
  auto document = parse_json(utf8);
  if (!document) {
    return fail(document.error());
  }
  const nlohmann::json* items = json_at(*document, rules.items);
  const std::string where =
      rules.items.empty() ? std::string("the document") : fmt::format("'{}'", rules.items);
  if (items == nullptr) {
    return fail(ErrorCode::kNoMatch,
                fmt::format("JSON path {} is not in the response; the API's format may have "
                            "changed: check [json] items",
                            where));
  }
  if (!items->is_array()) {
    return fail(ErrorCode::kNoMatch,
                fmt::format("JSON path {} is {}, not a list of items; check [json] items", where,
                            items->type_name()));
  }
  std::vector<RawItem> out;
  for (const nlohmann::json& element : *items) {
    if (out.size() == kMaxJsonItems) {
      break;
    }
    RawItem raw;
    raw.title = json_text(json_at(element, rules.title));
    raw.link = json_text(json_at(element, rules.link));
    if (!rules.date.empty()) {
      raw.date_text = json_text(json_at(element, rules.date));
    }
    if (!rules.summary.empty()) {
      raw.summary = json_text(json_at(element, rules.summary));
    }
    if (rules.link_base) {
      raw.base_url = *rules.link_base;
    }
    out.push_back(std::move(raw));
  }
  return out;
}

}  // namespace herald
