#include "config/selector.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "common/text.h"

namespace herald {
namespace {

constexpr std::string_view kWriteInstead = "write a selector such as ul.list li or a@href";
constexpr std::string_view kSupportedPseudo =
    ":first-child, :last-child, :only-child, :nth-child(an+b), :nth-last-child(an+b), "
    ":first-of-type, :last-of-type, :only-of-type, :nth-of-type(an+b), "
    ":nth-last-of-type(an+b), :not(...), :has(...), :contains(\"text\")";
// :not() and :has() recurse; a config file must not be able to exhaust the stack.
constexpr int kMaxNesting = 16;
// an+b coefficients beyond this are typos, and staying small keeps the arithmetic exact.
constexpr std::size_t kMaxNthDigits = 9;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_non_ascii(char c) { return static_cast<unsigned char>(c) >= 0x80; }

// CSS identifiers: letters, digits, '-', '_', anything non-ASCII (so Chinese class names
// work unescaped) and backslash escapes.
bool is_ident_start(char c) {
  return is_alpha(c) || c == '_' || c == '-' || c == '\\' || is_non_ascii(c);
}
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }

// The @attribute suffix names an attribute the extractor reads with the parser's API,
// so it follows XML name rules (ASCII is enough for HTML), not CSS escapes.
bool is_attr_name_start(char c) { return is_alpha(c) || c == '_'; }
bool is_attr_name_char(char c) {
  return is_attr_name_start(c) || is_digit(c) || c == '-' || c == '.' || c == ':';
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = lower(c);
  }
  return out;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) {
    return false;
  }
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (lower(s[i]) != prefix[i]) {
      return false;
    }
  }
  return true;
}

std::size_t utf8_sequence_length(char lead) {
  const auto b = static_cast<unsigned char>(lead);
  if (b >= 0xF0) {
    return 4;
  }
  if (b >= 0xE0) {
    return 3;
  }
  if (b >= 0xC0) {
    return 2;
  }
  return 1;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) {
      out += separator;
    }
    out += parts[i];
  }
  return out;
}

// XPath 1.0 string literals have no escapes, so a value holding both kinds of quote is
// glued together from pieces with concat().
std::string xpath_literal(std::string_view value) {
  if (value.find('\'') == std::string_view::npos) {
    return fmt::format("'{}'", value);
  }
  if (value.find('"') == std::string_view::npos) {
    return fmt::format("\"{}\"", value);
  }
  std::vector<std::string> pieces;
  std::size_t start = 0;
  while (true) {
    const std::size_t quote = value.find('\'', start);
    const std::string_view segment = value.substr(start, quote - start);
    if (!segment.empty()) {
      pieces.push_back(fmt::format("'{}'", segment));
    }
    if (quote == std::string_view::npos) {
      break;
    }
    pieces.emplace_back("\"'\"");
    start = quote + 1;
  }
  return fmt::format("concat({})", join(pieces, ", "));
}

// An element or attribute name as an XPath name test. XPath names are NCNames, a narrower
// set than CSS identifiers ("-", "-x", "\31 a", "a\:b", most non-ASCII), so any other
// name is matched through local-name(): the XPath then always compiles, with the same meaning.
std::string name_test(std::string_view name) {
  bool plain = !name.empty() && (is_alpha(name[0]) || name[0] == '_');
  for (const char c : name) {
    plain = plain && (is_alpha(c) || is_digit(c) || c == '_' || c == '-' || c == '.');
  }
  return plain ? std::string(name) : fmt::format("*[local-name() = {}]", xpath_literal(name));
}

// Positions in messages count characters from 1, so an admin can count along a line
// that holds Chinese text.
std::size_t char_position(std::string_view text, std::size_t byte) {
  std::size_t position = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++position;
    }
  }
  return position;
}

tl::unexpected<Error> error_at(std::string_view text, std::size_t byte, std::string_view what,
                               std::string_view instead) {
  return fail(ErrorCode::kConfig,
              fmt::format("position {}: {}; {}", char_position(text, byte), what, instead));
}

// The character at `byte` quoted for a message, whole even when it is multi-byte.
std::string describe_char(std::string_view text, std::size_t byte) {
  if (byte >= text.size()) {
    return "end of selector";
  }
  if (text[byte] == '\'') {
    return "\"'\"";
  }
  const std::size_t length = std::min(utf8_sequence_length(text[byte]), text.size() - byte);
  return fmt::format("'{}'", text.substr(byte, length));
}

struct Nth {
  long long a = 0;
  long long b = 0;
};

std::optional<long long> parse_digits(std::string_view s, std::size_t& i) {
  const std::size_t start = i;
  long long value = 0;
  while (i < s.size() && is_digit(s[i])) {
    value = value * 10 + (s[i] - '0');
    ++i;
    if (i - start > kMaxNthDigits) {
      return std::nullopt;
    }
  }
  if (i == start) {
    return std::nullopt;
  }
  return value;
}

// an+b as in CSS Syntax 3: "odd", "even", "3", "-n+3", "2n", "2n + 1", "+n-1".
std::optional<Nth> parse_nth(std::string_view raw) {
  std::size_t first = 0;
  std::size_t last = raw.size();
  while (first < last && is_space(raw[first])) {
    ++first;
  }
  while (last > first && is_space(raw[last - 1])) {
    --last;
  }
  const std::string s = lower_ascii(raw.substr(first, last - first));
  if (s == "odd") {
    return Nth{.a = 2, .b = 1};
  }
  if (s == "even") {
    return Nth{.a = 2, .b = 0};
  }
  std::size_t i = 0;
  long long sign = 1;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    sign = s[i] == '-' ? -1 : 1;
    ++i;
  }
  if (i < s.size() && s[i] == 'n') {
    Nth nth{.a = sign, .b = 0};
    ++i;
    return [&]() -> std::optional<Nth> {
      while (i < s.size() && is_space(s[i])) {
        ++i;
      }
      if (i == s.size()) {
        return nth;
      }
      if (s[i] != '+' && s[i] != '-') {
        return std::nullopt;
      }
      const long long b_sign = s[i] == '-' ? -1 : 1;
      ++i;
      while (i < s.size() && is_space(s[i])) {
        ++i;
      }
      const auto b = parse_digits(s, i);
      if (!b || i != s.size()) {
        return std::nullopt;
      }
      nth.b = b_sign * *b;
      return nth;
    }();
  }
  const auto number = parse_digits(s, i);
  if (!number) {
    return std::nullopt;
  }
  if (i == s.size()) {
    return Nth{.a = 0, .b = sign * *number};
  }
  if (s[i] != 'n') {
    return std::nullopt;
  }
  // "2n+1": the digits were the coefficient.
  const std::string rest = s.substr(i);
  auto tail = parse_nth(rest);
  if (!tail) {
    return std::nullopt;
  }
  return Nth{.a = sign * *number, .b = tail->b};
}

// The XPath test "this element's 1-based position p among the counted siblings is a*n+b for
// some n >= 0", where `count` is the number of counted siblings before it (p - 1).
// Empty when every element matches.
std::string nth_condition(const Nth& nth, std::string_view count) {
  const long long k = nth.b - 1;  // the required value of `count` for n = 0
  std::vector<std::string> parts;
  if (nth.a == 0) {
    return k < 0 ? "false()" : fmt::format("{} = {}", count, k);
  }
  if (nth.a > 0) {
    if (k > 0) {
      parts.push_back(fmt::format("{} >= {}", count, k));
    }
    if (nth.a != 1) {
      // count - k >= 0 here, so "(count - k) mod a = 0" is "count mod a = k mod a".
      const long long r = ((k % nth.a) + nth.a) % nth.a;
      parts.push_back(fmt::format("{} mod {} = {}", count, nth.a, r));
    }
    return join(parts, " and ");
  }
  if (k < 0) {
    return "false()";
  }
  const long long step = -nth.a;
  parts.push_back(fmt::format("{} <= {}", count, k));
  if (step != 1) {
    parts.push_back(fmt::format("{} mod {} = {}", count, step, k % step));
  }
  return join(parts, " and ");
}

struct Compound {
  std::string name = "*";  // lower-case element name, or "*"
  std::vector<std::string> conditions{};
};

// The compound as one boolean test on the context node (for :not()).
std::string compound_test(const Compound& compound) {
  std::vector<std::string> parts;
  if (compound.name != "*") {
    parts.push_back("self::" + compound.name);
  }
  parts.insert(parts.end(), compound.conditions.begin(), compound.conditions.end());
  if (parts.empty()) {
    return "self::*";
  }
  return join(parts, " and ");
}

std::string predicate(const std::vector<std::string>& conditions) {
  return conditions.empty() ? std::string() : fmt::format("[{}]", join(conditions, " and "));
}

std::string step(const Compound& compound) {
  return compound.name + predicate(compound.conditions);
}

// "+ x" is the first following element sibling, provided it is an x: filter after [1].
std::string adjacent_step(const Compound& compound) {
  std::vector<std::string> tests;
  if (compound.name != "*") {
    tests.push_back("self::" + compound.name);
  }
  tests.insert(tests.end(), compound.conditions.begin(), compound.conditions.end());
  return "following-sibling::*[1]" + predicate(tests);
}

enum class Combinator { kDescendant, kChild, kAdjacent, kSibling };

std::optional<Combinator> combinator_of(char c) {
  switch (c) {
    case '>':
      return Combinator::kChild;
    case '+':
      return Combinator::kAdjacent;
    case '~':
      return Combinator::kSibling;
    default:
      return std::nullopt;
  }
}

// Recursive descent over the CSS part of the text. All positions are byte offsets into the
// whole original text, so messages point at what the admin wrote.
class CssCompiler {
 public:
  CssCompiler(std::string_view text, std::size_t begin, std::size_t end)
      : text_(text), pos_(begin), end_(end) {}

  Result<std::string> compile(SelectorScope scope) {
    auto xpath = selector_list(scope, false, 0);
    if (!xpath) {
      return xpath;
    }
    if (pos_ < end_) {
      return unexpected_here();
    }
    return xpath;
  }

 private:
  bool at_end() const { return pos_ >= end_; }
  char peek() const { return pos_ < end_ ? text_[pos_] : '\0'; }
  char peek_at(std::size_t offset) const {
    return pos_ + offset < end_ ? text_[pos_ + offset] : '\0';
  }
  void skip_space() {
    while (pos_ < end_ && is_space(text_[pos_])) {
      ++pos_;
    }
  }
  bool at_branch_end(bool nested) const {
    return at_end() || peek() == ',' || (nested && peek() == ')');
  }
  bool starts_compound(char c) const {
    return c == '*' || c == '.' || c == '#' || c == '[' || c == ':' || is_ident_start(c);
  }

  tl::unexpected<Error> error(std::size_t byte, std::string_view what,
                              std::string_view instead) const {
    return error_at(text_, byte, what, instead);
  }
  tl::unexpected<Error> unexpected_here() const {
    if (at_end()) {
      return error(pos_, "the selector ends too early", kWriteInstead);
    }
    return error(pos_, fmt::format("unexpected {}", describe_char(text_, pos_)), kWriteInstead);
  }
  tl::unexpected<Error> unclosed(std::size_t open_byte, std::string_view instead) const {
    return error(open_byte, fmt::format("'{}' is never closed", text_[open_byte]), instead);
  }

  Result<std::string> selector_list(SelectorScope scope, bool nested, int depth) {
    std::vector<std::string> branches;
    while (true) {
      skip_space();
      auto branch = complex_selector(scope, nested, depth);
      if (!branch) {
        return fail(branch.error());
      }
      branches.push_back(std::move(*branch));
      skip_space();
      if (peek() != ',' || at_end()) {
        break;
      }
      const std::size_t comma = pos_;
      ++pos_;
      skip_space();
      if (at_branch_end(nested)) {
        return error(comma, "',' is not followed by a selector",
                     "remove the ',' or add a selector after it, e.g. h2 a, h3 a");
      }
    }
    return join(branches, " | ");
  }

  Result<std::string> complex_selector(SelectorScope scope, bool nested, int depth) {
    std::string xpath;
    if (const auto leading = combinator_of(peek())) {
      const std::size_t at = pos_;
      if (scope == SelectorScope::kDocument && !nested) {
        return error(at,
                     fmt::format("a selector for the whole page cannot start with '{}'", peek()),
                     "start with an element, e.g. ul.list > li");
      }
      ++pos_;
      skip_space();
      if (at_branch_end(nested)) {
        return dangling(at);
      }
      auto first = compound(depth);
      if (!first) {
        return fail(first.error());
      }
      switch (*leading) {
        case Combinator::kChild:
          xpath = "child::" + step(*first);
          break;
        case Combinator::kAdjacent:
          xpath = adjacent_step(*first);
          break;
        case Combinator::kSibling:
          xpath = "following-sibling::" + step(*first);
          break;
        case Combinator::kDescendant:
          break;
      }
    } else {
      auto first = compound(depth);
      if (!first) {
        return fail(first.error());
      }
      // From the document node "//" and "descendant::" select the same elements; from an
      // item node "descendant::" keeps the item itself out of its own title/link/date.
      xpath = (scope == SelectorScope::kDocument ? "//" : "descendant::") + step(*first);
    }

    while (true) {
      const std::size_t before_space = pos_;
      skip_space();
      const bool had_space = pos_ != before_space;
      if (at_branch_end(nested)) {
        return xpath;
      }
      Combinator combinator = Combinator::kDescendant;
      if (const auto explicit_combinator = combinator_of(peek())) {
        const std::size_t at = pos_;
        combinator = *explicit_combinator;
        ++pos_;
        skip_space();
        if (at_branch_end(nested)) {
          return dangling(at);
        }
      } else if (!had_space || !starts_compound(peek())) {
        return unexpected_here();
      }
      auto next = compound(depth);
      if (!next) {
        return fail(next.error());
      }
      switch (combinator) {
        case Combinator::kDescendant:
          xpath += "//" + step(*next);
          break;
        case Combinator::kChild:
          xpath += "/" + step(*next);
          break;
        case Combinator::kAdjacent:
          xpath += "/" + adjacent_step(*next);
          break;
        case Combinator::kSibling:
          xpath += "/following-sibling::" + step(*next);
          break;
      }
    }
  }

  tl::unexpected<Error> dangling(std::size_t at) const {
    return error(at, fmt::format("'{}' has nothing after it", text_[at]),
                 fmt::format("add the element it leads to, e.g. ul {} li", text_[at]));
  }

  Result<Compound> compound(int depth) {
    Compound result;
    bool any = false;
    if (peek() == '*') {
      ++pos_;
      any = true;
    } else if (is_ident_start(peek())) {
      auto name = identifier();
      if (!name) {
        return fail(name.error());
      }
      result.name = name_test(lower_ascii(*name));
      any = true;
    }
    while (!at_end()) {
      const char c = peek();
      if (c == '.' || c == '#') {
        const std::size_t at = pos_;
        ++pos_;
        if (!is_ident_char(peek())) {
          return error(at,
                       fmt::format("'{}' is not followed by a {}", c, c == '.' ? "class" : "id"),
                       c == '.' ? "write the class, e.g. li.item" : "write the id, e.g. ul#news");
        }
        auto name = identifier();
        if (!name) {
          return fail(name.error());
        }
        if (c == '.') {
          result.conditions.push_back(
              fmt::format("contains(concat(' ', normalize-space(@class), ' '), {})",
                          xpath_literal(" " + *name + " ")));
        } else {
          result.conditions.push_back(fmt::format("@id = {}", xpath_literal(*name)));
        }
      } else if (c == '[') {
        auto condition = attribute_test();
        if (!condition) {
          return fail(condition.error());
        }
        result.conditions.push_back(std::move(*condition));
      } else if (c == ':') {
        auto condition = pseudo_class(result.name, depth);
        if (!condition) {
          return fail(condition.error());
        }
        if (!condition->empty()) {
          result.conditions.push_back(std::move(*condition));
        }
      } else {
        break;
      }
      any = true;
    }
    if (!any) {
      return unexpected_here();
    }
    return result;
  }

  // A CSS identifier with backslash escapes resolved.
  Result<std::string> identifier() {
    std::string out;
    while (!at_end() && is_ident_char(peek())) {
      if (peek() == '\\') {
        auto status = escape(out);
        if (!status) {
          return fail(status.error());
        }
      } else {
        out += peek();
        ++pos_;
      }
    }
    return out;
  }

  // At a backslash: appends the escaped character ("\:" or "\3A ") to `out`.
  Result<bool> escape(std::string& out) {
    const std::size_t at = pos_;
    ++pos_;
    if (at_end()) {
      return error(at, "'\\' at the end escapes nothing",
                   "remove it, or escape a character as in .md\\:flex");
    }
    if (is_hex(peek())) {
      std::uint32_t cp = 0;
      for (int i = 0; i < 6 && !at_end() && is_hex(peek()); ++i) {
        const char h = lower(peek());
        cp = cp * 16 + static_cast<std::uint32_t>(is_digit(h) ? h - '0' : h - 'a' + 10);
        ++pos_;
      }
      if (!at_end() && is_space(peek())) {
        ++pos_;
      }
      if (cp < 0x20 || cp == 0x7f) {
        return error(at, fmt::format("'\\' escapes control character U+{:04X}", cp),
                     "remove it; pages never contain control characters");
      }
      append_utf8(out, cp);
      return true;
    }
    const std::size_t length = std::min(utf8_sequence_length(peek()), end_ - pos_);
    out.append(text_.substr(pos_, length));
    pos_ += length;
    return true;
  }

  // At a quote: the string up to the matching quote, escapes resolved.
  Result<std::string> quoted_string(std::string_view instead) {
    const std::size_t open = pos_;
    const char quote = peek();
    ++pos_;
    std::string out;
    while (!at_end()) {
      const char c = peek();
      if (c == quote) {
        ++pos_;
        return out;
      }
      if (c == '\\') {
        if (pos_ + 1 >= end_) {
          break;
        }
        auto status = escape(out);
        if (!status) {
          return fail(status.error());
        }
      } else {
        out += c;
        ++pos_;
      }
    }
    return error(open, fmt::format("the quote {} is never closed", describe_char(text_, open)),
                 instead);
  }

  Result<std::string> attribute_test() {
    constexpr std::string_view kInstead =
        "write an attribute test such as [href], [lang=\"zh\"] or [href^=\"https://\"]";
    const std::size_t open = pos_;
    ++pos_;
    skip_space();
    if (at_end()) {
      return unclosed(open, kInstead);
    }
    if (!is_ident_start(peek())) {
      return error(pos_,
                   fmt::format("expected an attribute name after '[' but found {}",
                               describe_char(text_, pos_)),
                   kInstead);
    }
    auto raw_name = identifier();
    if (!raw_name) {
      return fail(raw_name.error());
    }
    const std::string attr = "@" + name_test(lower_ascii(*raw_name));
    skip_space();
    if (at_end()) {
      return unclosed(open, kInstead);
    }
    if (peek() == ']') {
      ++pos_;
      return attr;
    }
    char op = peek();
    if (op == '=') {
      ++pos_;
    } else if ((op == '~' || op == '^' || op == '$' || op == '*' || op == '|') &&
               peek_at(1) == '=') {
      pos_ += 2;
    } else {
      return error(pos_,
                   fmt::format("unexpected {} in an attribute test", describe_char(text_, pos_)),
                   kInstead);
    }
    skip_space();
    if (at_end()) {
      return unclosed(open, kInstead);
    }
    std::string value;
    if (peek() == '"' || peek() == '\'') {
      auto quoted = quoted_string(kInstead);
      if (!quoted) {
        return fail(quoted.error());
      }
      value = std::move(*quoted);
    } else {
      // Unquoted values may be any run of non-space characters, so that
      // [href^=/news/] works as admins tend to write it.
      const std::size_t start = pos_;
      while (!at_end() && !is_space(peek()) && peek() != ']' && peek() != '[' && peek() != '"' &&
             peek() != '\'') {
        if (peek() == '\\') {
          auto status = escape(value);
          if (!status) {
            return fail(status.error());
          }
        } else {
          value += peek();
          ++pos_;
        }
      }
      if (pos_ == start && peek() == ']') {
        return error(pos_, "the attribute test has no value after the operator",
                     "write a value, e.g. [class=\"news\"], or test presence with [class]");
      }
    }
    skip_space();
    if (at_end()) {
      return unclosed(open, kInstead);
    }
    if (peek() != ']') {
      return error(pos_,
                   fmt::format("unexpected {} in an attribute test", describe_char(text_, pos_)),
                   kInstead);
    }
    ++pos_;

    const std::string literal = xpath_literal(value);
    switch (op) {
      case '=':
        return fmt::format("{} = {}", attr, literal);
      case '~':
        // A word list never contains an empty word or one with spaces in it.
        if (value.empty() || value.find_first_of(" \t\n\r\f") != std::string::npos) {
          return std::string("false()");
        }
        return fmt::format("contains(concat(' ', normalize-space({}), ' '), {})", attr,
                           xpath_literal(" " + value + " "));
      case '|':
        return fmt::format("({} = {} or starts-with({}, {}))", attr, literal, attr,
                           xpath_literal(value + "-"));
      default:
        break;
    }
    // CSS: ^= $= *= with an empty value match nothing.
    if (value.empty()) {
      return std::string("false()");
    }
    switch (op) {
      case '^':
        return fmt::format("starts-with({}, {})", attr, literal);
      case '$':
        // XPath 1.0 has no ends-with().
        return fmt::format("substring({}, string-length({}) - string-length({}) + 1) = {}", attr,
                           attr, literal, literal);
      default:
        return fmt::format("contains({}, {})", attr, literal);
    }
  }

  // Returns the condition for the pseudo-class at pos_ (":" included); empty if it holds
  // for every element (":nth-child(n)").
  Result<std::string> pseudo_class(const std::string& element, int depth) {
    const std::size_t colon = pos_;
    ++pos_;
    const std::string use_instead = fmt::format("use one of {}", kSupportedPseudo);
    if (peek() == ':') {
      return error(colon, "pseudo-elements such as '::before' are not supported",
                   "select the element itself, or take an attribute with @name, e.g. a@href");
    }
    if (at_end() || !is_ident_start(peek())) {
      return error(colon, "':' is not followed by a pseudo-class name", use_instead);
    }
    auto raw_name = identifier();
    if (!raw_name) {
      return fail(raw_name.error());
    }
    const std::string name = lower_ascii(*raw_name);
    const bool has_argument = peek() == '(';

    const bool is_plain = name == "first-child" || name == "last-child" || name == "only-child" ||
                          name == "first-of-type" || name == "last-of-type" ||
                          name == "only-of-type";
    const bool is_functional = name == "nth-child" || name == "nth-last-child" ||
                               name == "nth-of-type" || name == "nth-last-of-type" ||
                               name == "not" || name == "has" || name == "contains";
    if (!is_plain && !is_functional) {
      return error(colon, fmt::format("unknown pseudo-class ':{}'", name), use_instead);
    }
    if (is_plain && has_argument) {
      return error(pos_, fmt::format("':{}' takes no argument", name),
                   fmt::format("write it without parentheses, e.g. li:{}", name));
    }
    if (is_functional && !has_argument) {
      return error(colon, fmt::format("':{}' needs an argument in parentheses", name),
                   name == "not"        ? "write e.g. li:not(.ad)"
                   : name == "has"      ? "write e.g. li:has(> a)"
                   : name == "contains" ? "write e.g. a:contains(\"公告\")"
                                        : "write e.g. li:nth-child(2n+1)");
    }

    const bool of_type = name.find("of-type") != std::string::npos;
    if (of_type && element == "*") {
      // XPath 1.0 cannot say "siblings with my own name" without XSLT's current().
      return error(colon, fmt::format("':{}' needs an element name before it", name),
                   fmt::format("write e.g. li:{}", has_argument ? name + "(2)" : name));
    }
    const std::string sibling = of_type ? element : std::string("*");

    if (is_plain) {
      const std::string none_before = fmt::format("not(preceding-sibling::{})", sibling);
      const std::string none_after = fmt::format("not(following-sibling::{})", sibling);
      if (name.starts_with("first")) {
        return none_before;
      }
      if (name.starts_with("last")) {
        return none_after;
      }
      return none_before + " and " + none_after;
    }

    const std::size_t open = pos_;
    ++pos_;
    if (name.starts_with("nth")) {
      const std::size_t close = text_.find(')', pos_);
      if (close == std::string_view::npos || close >= end_) {
        return unclosed(open, "close it with ')', e.g. li:nth-child(2n+1)");
      }
      const auto nth = parse_nth(text_.substr(pos_, close - pos_));
      if (!nth) {
        skip_space();
        return error(pos_,
                     fmt::format("':{}' needs an an+b expression but got '{}'", name,
                                 text_.substr(pos_, close - pos_)),
                     fmt::format("write e.g. :{}(2n+1), :{}(odd), :{}(even) or :{}(3)", name, name,
                                 name, name));
      }
      pos_ = close + 1;
      const std::string axis =
          name.find("last") != std::string::npos ? "following-sibling" : "preceding-sibling";
      return nth_condition(*nth, fmt::format("count({}::{})", axis, sibling));
    }

    if (depth >= kMaxNesting) {
      return error(colon, fmt::format("':{}' is nested too deeply", name),
                   "write a simpler selector");
    }
    if (name == "not") {
      return not_argument(open, depth + 1);
    }
    if (name == "has") {
      skip_space();
      if (peek() == ')') {
        return error(pos_, "':has()' is empty", "write e.g. li:has(> a) or div:has(span.date)");
      }
      auto inner = selector_list(SelectorScope::kRelative, true, depth + 1);
      if (!inner) {
        return inner;
      }
      if (at_end()) {
        return unclosed(open, "close it with ')', e.g. li:has(> a)");
      }
      ++pos_;
      if (inner->find(" | ") != std::string::npos) {
        return fmt::format("({})", *inner);
      }
      return inner;
    }
    return contains_argument(open);
  }

  Result<std::string> not_argument(std::size_t open, int depth) {
    constexpr std::string_view kInstead = "close it with ')', e.g. li:not(.ad)";
    std::vector<std::string> alternatives;
    std::size_t conditions = 0;
    while (true) {
      skip_space();
      if (at_end()) {
        return unclosed(open, kInstead);
      }
      auto inner = compound(depth);
      if (!inner) {
        return fail(inner.error());
      }
      conditions += inner->conditions.size() + (inner->name == "*" ? 0 : 1);
      alternatives.push_back(compound_test(*inner));
      skip_space();
      if (at_end()) {
        return unclosed(open, kInstead);
      }
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == ')') {
        ++pos_;
        break;
      }
      if (combinator_of(peek()) || starts_compound(peek())) {
        return error(pos_, "':not()' takes simple selectors, not combinations of elements",
                     "write e.g. li:not(.ad) or li:not(.ad, .top)");
      }
      return unexpected_here();
    }
    if (alternatives.size() > 1 && conditions > alternatives.size()) {
      for (std::string& alternative : alternatives) {
        alternative = fmt::format("({})", alternative);
      }
    }
    return fmt::format("not({})", join(alternatives, " or "));
  }

  Result<std::string> contains_argument(std::size_t open) {
    constexpr std::string_view kInstead = "close it with ')', e.g. a:contains(\"公告\")";
    skip_space();
    std::string needle;
    if (peek() == '"' || peek() == '\'') {
      auto quoted = quoted_string(kInstead);
      if (!quoted) {
        return fail(quoted.error());
      }
      needle = std::move(*quoted);
      skip_space();
    } else {
      const std::size_t start = pos_;
      while (!at_end() && peek() != ')') {
        ++pos_;
      }
      std::size_t stop = pos_;
      while (stop > start && is_space(text_[stop - 1])) {
        --stop;
      }
      needle = std::string(text_.substr(start, stop - start));
    }
    if (at_end()) {
      return unclosed(open, kInstead);
    }
    if (peek() != ')') {
      return unexpected_here();
    }
    ++pos_;
    if (needle.empty()) {
      return error(open, "':contains()' is empty",
                   "write the text to look for, e.g. a:contains(\"公告\")");
    }
    return fmt::format("contains(., {})", xpath_literal(needle));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
};

// The byte offset of the '@' that starts the attribute suffix, if any: the first '@'
// outside quotes, brackets and parentheses ("a[href^='mailto:@x']" has none).
std::optional<std::size_t> find_attribute_suffix(std::string_view text, std::size_t begin,
                                                 std::size_t end) {
  char quote = '\0';
  int depth = 0;
  for (std::size_t i = begin; i < end; ++i) {
    const char c = text[i];
    if (c == '\\') {
      ++i;
    } else if (quote != '\0') {
      if (c == quote) {
        quote = '\0';
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '(') {
      ++depth;
    } else if (c == ']' || c == ')') {
      // A stray closer is reported by the parser; here it must not hide a later '@'.
      depth = depth > 0 ? depth - 1 : 0;
    } else if (c == '@' && depth == 0) {
      return i;
    }
  }
  return std::nullopt;
}

// Raw XPath is used as written; only what can be checked without an XPath engine is.
Result<bool> check_raw_xpath(std::string_view text, std::size_t begin, std::size_t end) {
  constexpr std::string_view kInstead = "check the XPath, e.g. xpath://div[@id='list']//li";
  if (begin == end) {
    return error_at(text, begin, "the XPath after 'xpath:' is empty", kInstead);
  }
  std::vector<std::size_t> open;
  for (std::size_t i = begin; i < end; ++i) {
    const char c = text[i];
    if (c == '\'' || c == '"') {
      const std::size_t close = text.find(c, i + 1);
      if (close == std::string_view::npos || close >= end) {
        return error_at(
            text, i, fmt::format("the quote {} is never closed", describe_char(text, i)), kInstead);
      }
      i = close;
    } else if (c == '(' || c == '[') {
      open.push_back(i);
    } else if (c == ')' || c == ']') {
      const char expected_open = c == ')' ? '(' : '[';
      if (open.empty() || text[open.back()] != expected_open) {
        return error_at(text, i, fmt::format("unexpected '{}'", c), kInstead);
      }
      open.pop_back();
    }
  }
  if (!open.empty()) {
    return error_at(text, open.back(), fmt::format("'{}' is never closed", text[open.back()]),
                    kInstead);
  }
  // The usual slip when editing a path by hand; libxml2 would only say "invalid expression".
  if (text[end - 1] == '/' || text[end - 1] == '|') {
    return error_at(text, end - 1, fmt::format("the XPath ends with '{}'", text[end - 1]),
                    "finish the path, e.g. xpath://div[@id='list']//li");
  }
  return true;
}

}  // namespace

Result<Selector> compile_selector(std::string_view text, SelectorScope scope) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && is_space(text[begin])) {
    ++begin;
  }
  while (end > begin && is_space(text[end - 1])) {
    --end;
  }
  if (begin == end) {
    return error_at(text, 0, "the selector is empty", kWriteInstead);
  }

  // TOML can spell any control character ("\u0000"). A NUL would cut the XPath short when
  // libxml2 reads it as a C string, and XPath rejects the others except tab, CR and LF.
  for (std::size_t i = begin; i < end; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
      return error_at(text, i, fmt::format("control character U+{:04X} in the selector", c),
                      "remove it");
    }
  }

  Selector selector;
  selector.text = std::string(text.substr(begin, end - begin));

  if (starts_with_ci(selector.text, "xpath:")) {
    std::size_t xpath_begin = begin + 6;
    while (xpath_begin < end && is_space(text[xpath_begin])) {
      ++xpath_begin;
    }
    auto checked = check_raw_xpath(text, xpath_begin, end);
    if (!checked) {
      return fail(checked.error());
    }
    selector.xpath = std::string(text.substr(xpath_begin, end - xpath_begin));
    return selector;
  }

  std::size_t css_end = end;
  if (const auto at = find_attribute_suffix(text, begin, end)) {
    constexpr std::string_view kInstead =
        "write the attribute to take at the end, e.g. a@href or @title";
    const std::size_t name_begin = *at + 1;
    if (name_begin == end) {
      return error_at(text, *at, "'@' is not followed by an attribute name", kInstead);
    }
    if (!is_attr_name_start(text[name_begin])) {
      return error_at(
          text, name_begin,
          fmt::format("{} cannot start an attribute name", describe_char(text, name_begin)),
          kInstead);
    }
    std::size_t name_end = name_begin;
    while (name_end < end && is_attr_name_char(text[name_end])) {
      ++name_end;
    }
    if (name_end != end) {
      return error_at(
          text, name_end,
          fmt::format("unexpected {} after the attribute name", describe_char(text, name_end)),
          "the @attribute part must come last, e.g. ul li a@href");
    }
    selector.attribute = lower_ascii(text.substr(name_begin, name_end - name_begin));
    css_end = *at;
    while (css_end > begin && is_space(text[css_end - 1])) {
      --css_end;
    }
    if (css_end == begin) {
      return selector;  // "@href": the context node's own attribute
    }
  }

  auto xpath = CssCompiler(text, begin, css_end).compile(scope);
  if (!xpath) {
    return fail(xpath.error());
  }
  selector.xpath = std::move(*xpath);
  return selector;
}

}  // namespace herald
