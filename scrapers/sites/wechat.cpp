#include "scrapers/sites/wechat.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/text.h"
#include "config/selector.h"
#include "scrapers/parse/xpath.h"

namespace herald {
namespace {

// What one script variable may hold that herald wants: a time stamp or a short name.
constexpr std::size_t kMaxScriptValueBytes = 256;

bool is_identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$';
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The value assigned to the script variable `name` (`name = "v"`, `name: 'v'`,
// `name = htmlDecode("v")`, `name = 123`) at its first assignment with a value, or nullopt.
// A plain scan rather than std::regex: libstdc++'s regex recurses per character and can
// overflow the stack on a long script.
std::optional<std::string> script_value(std::string_view script, std::string_view name) {
  for (std::size_t at = script.find(name); at != std::string_view::npos;
       at = script.find(name, at + 1)) {
    const std::size_t end = at + name.size();
    if ((at > 0 && (is_identifier_char(script[at - 1]) || script[at - 1] == '.')) ||
        (end < script.size() && is_identifier_char(script[end]))) {
      continue;
    }
    std::size_t i = end;
    while (i < script.size() && is_space(script[i])) {
      ++i;
    }
    if (i >= script.size() || (script[i] != '=' && script[i] != ':') ||
        (i + 1 < script.size() && script[i + 1] == '=')) {
      continue;
    }
    ++i;
    while (i < script.size() && is_space(script[i])) {
      ++i;
    }
    constexpr std::string_view kDecode = "htmlDecode(";
    if (script.substr(i, kDecode.size()) == kDecode) {
      i += kDecode.size();
      while (i < script.size() && is_space(script[i])) {
        ++i;
      }
    }
    if (i >= script.size()) {
      return std::nullopt;
    }
    if (script[i] == '"' || script[i] == '\'') {
      const char quote = script[i];
      const std::size_t close = script.find(quote, i + 1);
      if (close == std::string_view::npos || close - i - 1 > kMaxScriptValueBytes) {
        continue;
      }
      return std::string(script.substr(i + 1, close - i - 1));
    }
    std::size_t j = i;
    while (j < script.size() && script[j] >= '0' && script[j] <= '9') {
      ++j;
    }
    if (j > i && j - i <= kMaxScriptValueBytes) {
      return std::string(script.substr(i, j - i));
    }
  }
  return std::nullopt;
}

std::vector<std::string> script_texts(const HtmlDocument& page) {
  const Selector scripts{.text = "script", .xpath = "//script", .attribute = std::nullopt};
  std::vector<std::string> texts;
  if (auto nodes = select_nodes(page.doc(), nullptr, scripts)) {
    for (xmlNode* node : *nodes) {
      texts.push_back(node_text(node));
    }
  }
  return texts;
}

std::optional<std::string> first_script_value(const std::vector<std::string>& scripts,
                                              std::string_view name) {
  for (const std::string& script : scripts) {
    if (auto value = script_value(script, name)) {
      return value;
    }
  }
  return std::nullopt;
}

std::string text_of(const HtmlDocument& page, std::string xpath) {
  const Selector selector{.text = "xpath:" + xpath, .xpath = xpath, .attribute = std::nullopt};
  auto value = select_value(page.doc(), nullptr, selector);
  return value ? collapse_whitespace(strip_controls(*value)) : std::string();
}

Selector css(std::string_view text) {
  // Built-in selectors: a failure to compile is a bug caught by the tests.
  auto compiled = compile_selector(text, SelectorScope::kDocument);
  return compiled ? std::move(*compiled) : Selector{};
}

std::optional<ParsedDate> publish_time(const std::vector<std::string>& scripts,
                                       const TimeZone& tz, std::int64_t now_utc,
                                       std::string* text) {
  if (auto ct = first_script_value(scripts, "ct")) {
    const bool digits = ct->size() >= 9 && ct->size() <= 10 &&
                        ct->find_first_not_of("0123456789") == std::string::npos;
    if (digits) {
      if (text != nullptr) {
        *text = *ct;
      }
      return ParsedDate{.utc_seconds = std::stoll(*ct), .has_time = true};
    }
  }
  if (auto created = first_script_value(scripts, "createTime")) {
    if (auto parsed = parse_date(*created, tz, now_utc)) {
      if (text != nullptr) {
        *text = truncate_utf8(strip_controls(*created), 200);
      }
      return parsed;
    }
  }
  return std::nullopt;
}

}  // namespace

bool is_wechat_article_url(std::string_view url) {
  const std::string lower = to_lower_ascii(url.substr(0, 40));
  for (std::string_view prefix : {"https://mp.weixin.qq.com/", "http://mp.weixin.qq.com/"}) {
    if (std::string_view(lower).substr(0, prefix.size()) == prefix) {
      return true;
    }
  }
  return false;
}

std::optional<ParsedDate> wechat_publish_time(const HtmlDocument& page, const TimeZone& tz,
                                              std::int64_t now_utc, std::string* text) {
  return publish_time(script_texts(page), tz, now_utc, text);
}

Result<ArticleFields> extract_wechat_article(const HtmlDocument& page, const TimeZone& tz,
                                             std::int64_t now_utc) {
  ArticleRules rules;
  rules.title = css("meta[property=og:title]@content");
  rules.body = css("#js_content");
  auto fields = extract_article(page, rules, tz, now_utc);
  if (!fields) {
    return fail(fields.error());
  }
  if (fields->title.empty()) {
    fields->title = truncate_utf8(text_of(page, "//*[@id='activity-name']"), kMaxArticleTextBytes);
  }
  const std::vector<std::string> scripts = script_texts(page);
  std::string published_text;
  if (auto published = publish_time(scripts, tz, now_utc, &published_text)) {
    fields->published = *published;
    fields->published_text = std::move(published_text);
  }
  std::string account = text_of(page, "//*[@id='js_name']");
  if (account.empty()) {
    account =
        collapse_whitespace(strip_controls(first_script_value(scripts, "nickname").value_or("")));
  }
  if (!account.empty()) {
    fields->content_source = truncate_utf8(account, kMaxArticleTextBytes);
  }
  return fields;
}

}  // namespace herald
