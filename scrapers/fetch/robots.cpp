#include "scrapers/fetch/robots.h"

#include <optional>

#include "common/text.h"

namespace herald {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c == '~';
}

void append_escape(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 0xF];
}

// One spelling per character, for patterns and paths alike (RFC 9309 §2.2.2): an escaped
// unreserved character is unescaped, other escapes get upper-case hex, and raw non-ASCII
// bytes (a UTF-8 path written as is) or controls are escaped.
std::string canonical_escapes(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      const auto decoded = static_cast<unsigned char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      if (is_unreserved(decoded)) {
        out += static_cast<char>(decoded);
      } else {
        append_escape(out, decoded);
      }
      i += 2;
    } else if (c >= 0x80 || c <= 0x20 || c == 0x7F) {
      append_escape(out, c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// `path` fully matched by `pattern`, where '*' matches any run of bytes. Greedy with one
// backtrack point, so linear-ish in practice and O(n·m) at worst: a hostile pattern with
// many '*' cannot blow up.
bool wildcard_match(std::string_view pattern, std::string_view path) {
  std::size_t p = 0;
  std::size_t s = 0;
  std::optional<std::size_t> star;
  std::size_t mark = 0;
  while (s < path.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = s;
    } else if (p < pattern.size() && pattern[p] == path[s]) {
      ++p;
      ++s;
    } else if (star) {
      p = *star + 1;
      s = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// A rule matches a path it is a prefix of, unless it ends in '$' (then the whole path).
bool rule_matches(std::string_view pattern, std::string_view path) {
  if (!pattern.empty() && pattern.back() == '$') {
    pattern.remove_suffix(1);
    return wildcard_match(pattern, path);
  }
  return wildcard_match(std::string(pattern) + '*', path);
}

// "Googlebot/2.1" in a robots.txt user-agent line names the product token "Googlebot".
std::string_view product_token_of(std::string_view value) {
  std::size_t end = 0;
  while (end < value.size()) {
    const char c = value[end];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_')) break;
    ++end;
  }
  return value.substr(0, end);
}

// The body without a UTF-8 BOM, cut to the parse limit at a line end.
std::string_view parseable_part(std::string_view body) {
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  if (body.size() > kRobotsParseLimit) {
    body = body.substr(0, kRobotsParseLimit);
    const std::size_t last_break = body.find_last_of("\r\n");
    body = last_break == std::string_view::npos ? std::string_view() : body.substr(0, last_break);
  }
  return body;
}

}  // namespace

RobotsRules RobotsRules::allow_all() { return RobotsRules(); }

RobotsRules RobotsRules::disallow_all() {
  RobotsRules rules;
  rules.rules_.push_back(Rule{.allow = false, .pattern = "/"});
  return rules;
}

RobotsRules RobotsRules::parse(std::string_view body, std::string_view product_token) {
  const std::string token = to_lower_ascii(product_token);
  std::vector<Rule> ours;
  std::vector<Rule> everyone;
  bool named_us = false;  // a group names us, even one without rules: '*' then does not apply

  // The group being read: which crawlers it is for, and whether its rules have started
  // (a user-agent line after a rule opens the next group).
  bool group_is_ours = false;
  bool group_is_everyone = false;
  bool in_group = false;
  bool group_has_rules = false;

  std::string_view rest = parseable_part(body);
  while (!rest.empty()) {
    const std::size_t end = rest.find_first_of("\r\n");
    std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);

    line = line.substr(0, line.find('#'));
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string key = to_lower_ascii(trim(line.substr(0, colon)));
    const std::string_view value = trim(line.substr(colon + 1));

    if (key == "user-agent") {
      if (!in_group || group_has_rules) {
        group_is_ours = false;
        group_is_everyone = false;
        group_has_rules = false;
        in_group = true;
      }
      if (value.substr(0, 1) == "*") {
        group_is_everyone = true;
      } else if (!token.empty() && to_lower_ascii(product_token_of(value)) == token) {
        group_is_ours = true;
        named_us = true;
      }
    } else if (key == "allow" || key == "disallow") {
      if (!in_group) continue;  // rules before any user-agent line belong to no one
      group_has_rules = true;
      if (value.empty()) continue;  // "Disallow:" with nothing disallows nothing
      std::string pattern = canonical_escapes(value);
      if (pattern.front() != '/' && pattern.front() != '*') pattern.insert(0, 1, '/');
      const Rule rule{.allow = key == "allow", .pattern = std::move(pattern)};
      if (group_is_ours) ours.push_back(rule);
      if (group_is_everyone) everyone.push_back(rule);
    }
    // Sitemap, Crawl-delay and anything unknown: not a rule, and no group boundary.
  }

  RobotsRules rules;
  rules.rules_ = named_us ? std::move(ours) : std::move(everyone);
  return rules;
}

bool RobotsRules::allowed(std::string_view path_and_query) const {
  const std::string path = canonical_escapes(path_and_query.empty() ? "/" : path_and_query);
  if (path == "/robots.txt") return true;
  const Rule* best = nullptr;
  for (const Rule& rule : rules_) {
    if (!rule_matches(rule.pattern, path)) continue;
    if (best == nullptr || rule.pattern.size() > best->pattern.size() ||
        (rule.pattern.size() == best->pattern.size() && rule.allow && !best->allow)) {
      best = &rule;
    }
  }
  return best == nullptr || best->allow;
}

std::string robots_path_of(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  std::string_view rest = scheme_end == std::string_view::npos ? url : url.substr(scheme_end + 3);
  const std::size_t path_start = rest.find_first_of("/?#");
  if (path_start == std::string_view::npos) return "/";
  rest = rest.substr(path_start);
  rest = rest.substr(0, rest.find('#'));
  if (rest.empty()) return "/";
  if (rest.front() == '?') return "/" + std::string(rest);
  return std::string(rest);
}

}  // namespace herald
