#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace herald {

// RFC 9309 requires parsing at least this much of a robots.txt; herald parses exactly
// this much and ignores the rest (and the line the cut falls in).
inline constexpr std::size_t kRobotsParseLimit = 500 * 1024;

// The rules of one robots.txt that apply to one crawler (RFC 9309). Built once per
// host and asked per URL.
class RobotsRules {
 public:
  // Everything allowed: what an unavailable (4xx) robots.txt means.
  static RobotsRules allow_all();
  // Nothing allowed: what an unreachable (5xx, network error) robots.txt means.
  static RobotsRules disallow_all();

  // Parses `body` (BOM, comments, CR/LF/CRLF tolerated; unknown lines ignored) and keeps
  // the groups for `product_token` (matched case-insensitively; several matching groups
  // are merged), or else the '*' groups, or else nothing (everything allowed).
  static RobotsRules parse(std::string_view body, std::string_view product_token);

  // Whether `path_and_query` ("/a/b?c", as in the request line; "" means "/") may be
  // fetched: the longest matching rule decides, an allow wins a tie, no match allows.
  // "/robots.txt" itself is always allowed.
  bool allowed(std::string_view path_and_query) const;

  struct Rule {
    bool allow = false;
    std::string pattern{};  // normalised: percent-encoding canonical, '*' and final '$' kept
  };
  const std::vector<Rule>& rules() const { return rules_; }

 private:
  std::vector<Rule> rules_;
};

// The path and query of an absolute http(s) URL, as RobotsRules::allowed wants it ("/" when
// the URL has no path; the fragment dropped).
std::string robots_path_of(std::string_view url);

}  // namespace herald
