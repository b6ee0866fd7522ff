#include "scrapers/enrich/article.h"

#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <libxml/tree.h>
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "scrapers/legal/legal.h"
#include "scrapers/parse/xpath.h"

namespace herald {
namespace {

// A paragraph shorter than this is a caption, a button or a date line, not article text.
constexpr std::size_t kMinScoredParagraphChars = 10;
constexpr std::size_t kMinSummaryChars = 40;
// Date lines are short; a longer "time" element is a container, not a date.
constexpr std::size_t kMaxDateTextBytes = 120;
constexpr std::size_t kMaxDateElementsScanned = 60;
constexpr std::size_t kMaxJsonLdBytes = 1024 * 1024;
constexpr int kMaxJsonLdDepth = 8;
constexpr std::size_t kMaxPublishedTextBytes = 200;

std::string clean_line(std::string_view s, std::size_t max_bytes) {
  return truncate_utf8(collapse_whitespace(strip_controls(s)), max_bytes);
}

std::size_t char_count(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// XPath 1.0 has no lower-case(): the usual translate() idiom, for ASCII names.
std::string lower_xpath(std::string_view expr) {
  return fmt::format("translate({}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')",
                     expr);
}

// <meta {attr}="{name}" content="...">, the name compared trimmed and case-insensitively:
// sites write "Description", "PubDate" and, on ifeng, "og:time " with a trailing space.
Selector meta_selector(std::string_view attr, std::string_view name) {
  const std::string xpath = fmt::format("//meta[{}='{}'][normalize-space(@content) != '']",
                                        lower_xpath(fmt::format("normalize-space(@{})", attr)),
                                        to_lower_ascii(name));
  return Selector{.text = fmt::format("meta[{}={}]@content", attr, name),
                  .xpath = xpath,
                  .attribute = "content"};
}

Selector xpath_selector(std::string xpath, std::optional<std::string> attribute = std::nullopt) {
  return Selector{.text = "xpath:" + xpath, .xpath = xpath, .attribute = std::move(attribute)};
}

// Built-in lookups ignore evaluation problems: a page that defeats one fallback can
// still give the next one.
std::string value_or_empty(const HtmlDocument& page, const Selector& selector) {
  auto value = select_value(page.doc(), nullptr, selector);
  return value ? *value : std::string();
}

std::vector<xmlNode*> nodes_or_empty(const HtmlDocument& page, const Selector& selector) {
  auto nodes = select_nodes(page.doc(), nullptr, selector);
  return nodes ? std::move(*nodes) : std::vector<xmlNode*>{};
}

std::string_view name_of(const xmlNode* node) {
  return node->name == nullptr ? std::string_view()
                               : std::string_view(reinterpret_cast<const char*>(node->name));
}

bool is_element(const xmlNode* node, std::string_view name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && name_of(node) == name;
}

// ---------------------------------------------------------------------------------------
// Text with paragraph breaks: what a reader sees, one block element per paragraph.

bool is_block(std::string_view name) {
  static constexpr std::array<std::string_view, 24> kBlocks{
      "p",  "div", "br",    "h1",      "h2",     "h3",         "h4",     "h5",
      "h6", "li",  "ul",    "ol",      "tr",     "table",      "section", "article",
      "dd", "dt",  "pre",   "blockquote", "figure", "figcaption", "header", "footer"};
  return std::find(kBlocks.begin(), kBlocks.end(), name) != kBlocks.end();
}

bool is_invisible(std::string_view name) {
  return name == "script" || name == "style" || name == "noscript" || name == "template" ||
         name == "iframe" || name == "button" || name == "select" || name == "textarea";
}

class BlockText {
 public:
  explicit BlockText(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  void walk(const xmlNode* node, int depth = 0) {
    // The parser caps depth already; this guards the recursion on its own terms.
    if (depth > 1000 || full_) {
      return;
    }
    for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
      if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) {
        if (child->content != nullptr) {
          current_ += reinterpret_cast<const char*>(child->content);
          if (current_.size() > max_bytes_) {
            break_paragraph();
            full_ = true;
            return;
          }
        }
      } else if (child->type == XML_ELEMENT_NODE) {
        const std::string_view name = name_of(child);
        if (is_invisible(name)) {
          continue;
        }
        const bool block = is_block(name);
        if (block) {
          break_paragraph();
        }
        walk(child, depth + 1);
        if (block) {
          break_paragraph();
        }
      }
    }
  }

  std::string take() {
    break_paragraph();
    return truncate_utf8(text_, max_bytes_);
  }

 private:
  void break_paragraph() {
    std::string line = collapse_whitespace(strip_controls(current_));
    current_.clear();
    if (line.empty()) {
      return;
    }
    if (!text_.empty()) {
      text_ += "\n\n";
    }
    text_ += line;
    if (text_.size() > max_bytes_) {
      full_ = true;
    }
  }

  std::size_t max_bytes_;
  std::string current_;
  std::string text_;
  bool full_ = false;
};

std::string block_text(const xmlNode* node) {
  BlockText text(kMaxArticleBodyBytes);
  text.walk(node);
  return text.take();
}

// One line of what a reader sees in `node` (no script text, unlike node_text).
std::string visible_text(const xmlNode* node) {
  BlockText text(kMaxArticleTextBytes);
  text.walk(node);
  return collapse_whitespace(text.take());
}

// ---------------------------------------------------------------------------------------
// Finding the article body.

struct Paragraph {
  xmlNode* node = nullptr;
  std::string text{};
  std::size_t chars = 0;
};

std::vector<Paragraph> paragraphs_of(const HtmlDocument& page, xmlNode* within) {
  std::vector<Paragraph> out;
  auto nodes = select_nodes(page.doc(), within, xpath_selector(within ? ".//p" : "//body//p"));
  if (!nodes) {
    return out;
  }
  for (xmlNode* node : *nodes) {
    std::string text = visible_text(node);
    const std::size_t chars = char_count(text);
    if (chars > 0) {
      out.push_back(Paragraph{.node = node, .text = std::move(text), .chars = chars});
    }
  }
  return out;
}

// Readability's idea, cut down: each real paragraph scores its length for its parent
// and half of it for its grandparent, so text split over sibling wrappers still adds up
// in the element that holds them all. The best-scoring element is the article.
xmlNode* best_container(const std::vector<Paragraph>& paragraphs) {
  // Scored in first-seen order, which is document order: ties go to the earlier element.
  std::vector<std::pair<xmlNode*, std::size_t>> scores;
  std::map<xmlNode*, std::size_t> index;
  const auto add = [&](xmlNode* node, std::size_t value) {
    const auto [it, inserted] = index.emplace(node, scores.size());
    if (inserted) {
      scores.emplace_back(node, 0);
    }
    scores[it->second].second += value;
  };
  for (const Paragraph& p : paragraphs) {
    if (p.chars < kMinScoredParagraphChars) {
      continue;
    }
    xmlNode* parent = p.node->parent;
    if (parent == nullptr || parent->type != XML_ELEMENT_NODE) {
      continue;
    }
    add(parent, 2 * p.chars);
    if (parent->parent != nullptr && parent->parent->type == XML_ELEMENT_NODE) {
      add(parent->parent, p.chars);
    }
  }
  xmlNode* best = nullptr;
  std::size_t best_score = 0;
  for (const auto& [node, value] : scores) {
    if (value > best_score) {
      best = node;
      best_score = value;
    }
  }
  return best;
}

// Where Chinese CMSs and common templates put the article, most specific first; used
// when the page has no paragraphs to score.
xmlNode* named_container(const HtmlDocument& page) {
  static constexpr std::array<std::string_view, 7> kContainers{
      "//*[@id='mainText']",
      "//*[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]",
      "//*[@id='js_content']",
      "//article",
      "//*[contains(concat(' ', normalize-space(@class), ' '), ' article ')]",
      "//*[@id='content']",
      "//*[contains(concat(' ', normalize-space(@class), ' '), ' content ')]"};
  for (std::string_view xpath : kContainers) {
    for (xmlNode* node : nodes_or_empty(page, xpath_selector(std::string(xpath)))) {
      if (!node_text(node).empty()) {
        return node;
      }
    }
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------
// Dates.

// A meta may hold two datetimes ("2023-11-07 10:00:00 2023-11-08 09:30:00", PubDate on
// some government templates): when the whole text does not parse, its leading words do.
std::optional<ParsedDate> parse_leading_date(std::string_view text, const TimeZone& tz,
                                             std::int64_t now_utc) {
  const std::string line = collapse_whitespace(text);
  if (line.empty() || line.size() > kMaxDateTextBytes * 4) {
    return std::nullopt;
  }
  std::vector<std::size_t> word_ends;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == ' ') {
      word_ends.push_back(i);
    }
  }
  word_ends.push_back(line.size());
  for (auto it = word_ends.rbegin(); it != word_ends.rend(); ++it) {
    if (auto date = parse_date(std::string_view(line).substr(0, *it), tz, now_utc)) {
      return date;
    }
  }
  return std::nullopt;
}

std::string strip_cdata(std::string_view text) {
  std::string_view s = text;
  const auto trim = [&s] {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\r' ||
                          s.front() == '\t')) {
      s.remove_prefix(1);
    }
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) {
      s.remove_suffix(1);
    }
  };
  trim();
  // Some sites (gitlab.com's blog among them) wrap the JSON in <![CDATA[ ... ]]>, which
  // HTML leaves in a script's text as is.
  for (std::string_view prefix : {std::string_view("//<![CDATA["), std::string_view("<![CDATA[")}) {
    if (s.starts_with(prefix)) {
      s.remove_prefix(prefix.size());
      break;
    }
  }
  trim();
  for (std::string_view suffix : {std::string_view("//]]>"), std::string_view("]]>")}) {
    if (s.ends_with(suffix)) {
      s.remove_suffix(suffix.size());
      break;
    }
  }
  return std::string(s);
}

std::optional<std::string> json_ld_date(const nlohmann::json& node, int depth) {
  if (depth > kMaxJsonLdDepth) {
    return std::nullopt;
  }
  if (node.is_array()) {
    for (const auto& element : node) {
      if (auto date = json_ld_date(element, depth + 1)) {
        return date;
      }
    }
    return std::nullopt;
  }
  if (!node.is_object()) {
    return std::nullopt;
  }
  if (auto it = node.find("datePublished"); it != node.end() && it->is_string() &&
                                            !it->get_ref<const std::string&>().empty()) {
    return it->get<std::string>();
  }
  if (auto it = node.find("@graph"); it != node.end()) {
    return json_ld_date(*it, depth + 1);
  }
  return std::nullopt;
}

std::vector<std::string> json_ld_dates(const HtmlDocument& page) {
  std::vector<std::string> dates;
  const Selector scripts = xpath_selector(
      "//script[" + lower_xpath("normalize-space(@type)") + "='application/ld+json']");
  for (xmlNode* script : nodes_or_empty(page, scripts)) {
    XmlString content(xmlNodeGetContent(script));
    if (!content) {
      continue;
    }
    const std::string_view raw(reinterpret_cast<const char*>(content.get()));
    if (raw.size() > kMaxJsonLdBytes) {
      continue;
    }
    // No exceptions: a malformed block gives a discarded value, and the next block is tried.
    const nlohmann::json json = nlohmann::json::parse(strip_cdata(raw), nullptr, false);
    if (json.is_discarded()) {
      continue;
    }
    if (auto date = json_ld_date(json, 0)) {
      dates.push_back(std::move(*date));
    }
  }
  return dates;
}

// Short elements whose class or id mentions a time or date: <span class="pubTime">
// (qq.com), <span id="pubtime_baidu"> (chinanews), <span class="dateline"> (The Register).
std::vector<std::string> date_element_texts(const HtmlDocument& page) {
  const std::string cls = lower_xpath("@class");
  const std::string id = lower_xpath("@id");
  const Selector elements = xpath_selector(fmt::format(
      "//body//*[not(self::script or self::style or self::input or self::meta)]"
      "[contains({0}, 'time') or contains({0}, 'date') or contains({1}, 'time') or "
      "contains({1}, 'date')]",
      cls, id));
  std::vector<std::string> texts;
  for (xmlNode* node : nodes_or_empty(page, elements)) {
    if (texts.size() >= kMaxDateElementsScanned) {
      break;
    }
    std::string text = is_element(node, "time") && xmlHasProp(node, BAD_CAST "datetime")
                           ? std::string()
                           : node_text(node);
    if (!text.empty() && text.size() <= kMaxDateTextBytes) {
      texts.push_back(std::move(text));
    }
  }
  return texts;
}

// Visible lines that name the publish date: "作者：知产前沿  发布时间：2023-11-30  浏览次数："
// in a table cell with no date class (classic ASP and CMS templates). Each candidate
// starts at its label, so the author or a view count before it does not get in the way;
// the element's whole text is used because the label and the date are often in sibling
// spans.
std::vector<std::string> labelled_date_texts(const HtmlDocument& page) {
  static constexpr std::array<std::string_view, 6> kLabels{
      "发布时间", "发布日期", "发表时间", "发表日期", "发文日期", "Published"};
  std::string condition;
  for (std::string_view label : kLabels) {
    condition += fmt::format("{}contains(., '{}')", condition.empty() ? "" : " or ", label);
  }
  const Selector texts = xpath_selector(fmt::format(
      "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript)][{}]",
      condition));
  std::vector<std::string> out;
  for (xmlNode* node : nodes_or_empty(page, texts)) {
    if (out.size() >= kMaxDateElementsScanned) {
      break;
    }
    // The text node, its element, and the element's parent: "<span>发布日期：</span>
    // <span>2023-11-07</span>" needs the parent; a longer text is a container, not a line.
    xmlNode* scope = node;
    for (int level = 0; level < 3 && scope != nullptr; ++level, scope = scope->parent) {
      if (level > 0 && scope->type != XML_ELEMENT_NODE) {
        break;
      }
      const std::string text = collapse_whitespace(node_text(scope));
      if (text.size() > kMaxDateTextBytes * 2) {
        break;
      }
      std::size_t at = std::string::npos;
      for (std::string_view label : kLabels) {
        at = std::min(at, text.find(label));
      }
      if (at != std::string::npos) {
        out.push_back(truncate_utf8(std::string_view(text).substr(at), kMaxDateTextBytes));
      }
    }
  }
  return out;
}

// Publish-time fields that pages keep in an inline script's JSON or JavaScript object
// (new.qq.com: window.DATA = {..."pubtime":"2023-11-16 17:20:00"...}). Compared
// case-insensitively; only names that say "published", not "updated" or "created".
constexpr std::array<std::string_view, 10> kScriptDateKeys{
    "pubtime",       "pub_time",       "pubdate",      "pub_date",   "publishtime",
    "publish_time",  "publishdate",    "publish_date", "publishedtime", "published_time"};
constexpr std::size_t kMaxScriptBytes = 1024 * 1024;
constexpr std::size_t kMaxScriptDateValueBytes = 40;

bool is_identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$';
}

// Where the value of the first publish-time key in `script` (lower-cased ASCII) is, as
// offset and length: "key": "value", 'key': 'value', key: "value", key = "value", or an
// unquoted number (Unix time).
std::optional<std::pair<std::size_t, std::size_t>> script_date_value(std::string_view script) {
  std::size_t best = std::string_view::npos;
  std::pair<std::size_t, std::size_t> value;
  for (std::string_view key : kScriptDateKeys) {
    for (std::size_t at = script.find(key); at != std::string_view::npos && at < best;
         at = script.find(key, at + 1)) {
      if (at > 0 && is_identifier_char(script[at - 1])) {
        continue;
      }
      std::size_t i = at + key.size();
      if (i < script.size() && (script[i] == '"' || script[i] == '\'')) {
        if (at == 0 || script[at - 1] != script[i]) {
          continue;
        }
        ++i;
      } else if (i < script.size() && is_identifier_char(script[i])) {
        continue;
      }
      while (i < script.size() && (script[i] == ' ' || script[i] == '\t')) {
        ++i;
      }
      if (i >= script.size() || (script[i] != ':' && script[i] != '=')) {
        continue;
      }
      ++i;
      while (i < script.size() && (script[i] == ' ' || script[i] == '\t')) {
        ++i;
      }
      if (i >= script.size()) {
        continue;
      }
      std::size_t end = i;
      std::size_t start = i;
      if (script[i] == '"' || script[i] == '\'') {
        start = i + 1;
        end = script.find(script[i], start);
      } else {
        while (end < script.size() && script[end] >= '0' && script[end] <= '9') {
          ++end;
        }
      }
      if (end == std::string_view::npos || end == start ||
          end - start > kMaxScriptDateValueBytes) {
        continue;
      }
      best = at;
      value = {start, end - start};
      break;
    }
  }
  if (best == std::string_view::npos) {
    return std::nullopt;
  }
  return value;
}

// The first publish-time value found in the page's inline scripts, in document order.
std::vector<std::string> script_dates(const HtmlDocument& page) {
  const Selector scripts = xpath_selector("//script[not(@src)][not(" +
                                          lower_xpath("normalize-space(@type)") +
                                          "='application/ld+json')]");
  for (xmlNode* script : nodes_or_empty(page, scripts)) {
    XmlString content(xmlNodeGetContent(script));
    if (!content) {
      continue;
    }
    const std::string_view raw(reinterpret_cast<const char*>(content.get()));
    if (raw.size() > kMaxScriptBytes) {
      continue;
    }
    // Key names are ASCII; lower-casing keeps byte offsets, so values are cut from `raw`.
    const std::string lowered = to_lower_ascii(raw);
    if (auto value = script_date_value(lowered)) {
      return {std::string(raw.substr(value->first, value->second))};
    }
  }
  return {};
}

struct DateFound {
  std::string text{};
  ParsedDate date{};
};

std::optional<DateFound> find_date(const HtmlDocument& page, const std::string& configured,
                                   const TimeZone& tz, std::int64_t now_utc) {
  std::vector<std::string> candidates;
  candidates.push_back(configured);
  for (const auto& [attr, name] :
       {std::pair<std::string_view, std::string_view>{"name", "PubDate"},
        {"property", "article:published_time"},
        {"name", "article:published_time"},
        {"name", "publishdate"},
        {"name", "publishedtime"},
        {"name", "og:time"}}) {
    candidates.push_back(value_or_empty(page, meta_selector(attr, name)));
  }
  for (std::string& date : json_ld_dates(page)) {
    candidates.push_back(std::move(date));
  }
  for (xmlNode* node : nodes_or_empty(page, xpath_selector("//time[@datetime]"))) {
    XmlString value(xmlGetProp(node, BAD_CAST "datetime"));
    if (value) {
      candidates.emplace_back(reinterpret_cast<const char*>(value.get()));
    }
  }
  for (std::string& text : date_element_texts(page)) {
    candidates.push_back(std::move(text));
  }
  // Last, as they are read only when nothing above names a date: a labelled line of
  // text, then a publish-time field in a script.
  for (std::string& text : labelled_date_texts(page)) {
    candidates.push_back(std::move(text));
  }
  for (std::string& text : script_dates(page)) {
    candidates.push_back(std::move(text));
  }
  for (const std::string& text : candidates) {
    if (text.empty()) {
      continue;
    }
    if (auto date = parse_leading_date(text, tz, now_utc)) {
      return DateFound{.text = clean_line(text, kMaxPublishedTextBytes), .date = *date};
    }
  }
  return std::nullopt;
}

// What sites put between an article's title and their name in <title>.
constexpr std::array<std::string_view, 8> kTitleSeparators{" | ", " - ", " – ", " — ",
                                                           "_",   "-",   "|",   "——"};

// The site name a <title> ends with ("标题-知产前沿" gives "知产前沿"), or "".
std::string title_site_suffix(const HtmlDocument& page) {
  const std::string full =
      clean_line(value_or_empty(page, xpath_selector("//head/title")), kMaxArticleTextBytes);
  std::size_t best = std::string::npos;
  std::size_t best_size = 0;
  for (std::string_view separator : kTitleSeparators) {
    const std::size_t at = full.rfind(separator);
    if (at != std::string::npos && at > 0 &&
        (best == std::string::npos || at + separator.size() > best + best_size)) {
      best = at;
      best_size = separator.size();
    }
  }
  if (best == std::string::npos) {
    return {};
  }
  return collapse_whitespace(std::string_view(full).substr(best + best_size));
}

// <title> usually ends with the site's name ("标题-知产前沿", "标题_腾讯新闻", "Title | Site").
// The part before such a suffix is the article's title when the page also shows exactly
// that text as a line of its own (its heading); otherwise "" (the caller's fallbacks,
// <h1> then the whole <title>, apply).
std::string title_without_site_name(const HtmlDocument& page) {
  const std::string full =
      clean_line(value_or_empty(page, xpath_selector("//head/title")), kMaxArticleTextBytes);
  if (full.empty()) {
    return {};
  }
  std::vector<std::string> prefixes;
  for (std::string_view separator : kTitleSeparators) {
    const std::size_t at = full.rfind(separator);
    if (at != std::string::npos && at > 0) {
      std::string prefix = collapse_whitespace(std::string_view(full).substr(0, at));
      if (char_count(prefix) >= 4) {
        prefixes.push_back(std::move(prefix));
      }
    }
  }
  if (prefixes.empty()) {
    return {};
  }
  std::sort(prefixes.begin(), prefixes.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  const std::vector<xmlNode*> body = nodes_or_empty(page, xpath_selector("//body"));
  if (body.empty()) {
    return {};
  }
  const std::string text = block_text(body.front());
  for (const std::string& prefix : prefixes) {
    for (std::size_t start = 0; start <= text.size();) {
      std::size_t end = text.find("\n\n", start);
      if (end == std::string::npos) {
        end = text.size();
      }
      if (std::string_view(text).substr(start, end - start) == prefix) {
        return prefix;
      }
      start = end + 2;
    }
  }
  return {};
}

// The configured selector's value, or "" when there is none or it matches nothing.
Result<std::string> configured_value(const HtmlDocument& page,
                                     const std::optional<Selector>& selector) {
  if (!selector) {
    return std::string();
  }
  return select_value(page.doc(), nullptr, *selector);
}

}  // namespace

Result<ArticleFields> extract_article(const HtmlDocument& page,
                                      const std::optional<ArticleRules>& rules,
                                      const TimeZone& tz, std::int64_t now_utc) {
  const ArticleRules none;
  const ArticleRules& r = rules ? *rules : none;
  ArticleFields fields;

  auto title = configured_value(page, r.title);
  if (!title) {
    return fail(title.error());
  }
  for (const Selector& fallback :
       {meta_selector("name", "ArticleTitle"), meta_selector("property", "og:title")}) {
    if (!title->empty()) {
      break;
    }
    *title = value_or_empty(page, fallback);
  }
  if (title->empty()) {
    *title = title_without_site_name(page);
  }
  fields.title = clean_line(*title, kMaxArticleTextBytes);

  auto date_text = configured_value(page, r.date);
  if (!date_text) {
    return fail(date_text.error());
  }
  if (auto found = find_date(page, *date_text, tz, now_utc)) {
    fields.published_text = std::move(found->text);
    fields.published = found->date;
  }

  fields.content_source =
      clean_line(value_or_empty(page, meta_selector("name", "ContentSource")), kMaxArticleTextBytes);

  // Body first: its paragraphs are where a summary is looked for when the metas have none.
  xmlNode* container = nullptr;
  if (r.body && r.body->attribute) {  // "...@content": the body is that one value
    auto value = select_value(page.doc(), nullptr, *r.body);
    if (!value) {
      return fail(value.error());
    }
    fields.body = truncate_utf8(strip_controls(*value), kMaxArticleBodyBytes);
  } else if (r.body) {
    auto nodes = select_nodes(page.doc(), nullptr, *r.body);
    if (!nodes) {
      return fail(nodes.error());
    }
    if (!nodes->empty()) {
      container = nodes->front();
    }
  }
  if (container == nullptr && fields.body.empty()) {
    container = best_container(paragraphs_of(page, nullptr));
  }
  if (container == nullptr && fields.body.empty()) {
    container = named_container(page);
  }
  if (fields.body.empty() && container != nullptr) {
    fields.body = block_text(container);
  }

  auto summary = configured_value(page, r.summary);
  if (!summary) {
    return fail(summary.error());
  }
  const std::string site_name = title_site_suffix(page);
  for (const Selector& fallback :
       {meta_selector("name", "description"), meta_selector("property", "og:description")}) {
    if (!collapse_whitespace(*summary).empty()) {
      break;
    }
    *summary = value_or_empty(page, fallback);
    // A template that fills the description with the site's name says nothing about
    // the article ("知产前沿" on every page of ipforefront.com).
    if (!site_name.empty() && collapse_whitespace(*summary) == site_name) {
      summary->clear();
    }
  }
  if (collapse_whitespace(*summary).empty()) {
    std::vector<Paragraph> paragraphs;
    if (container != nullptr) {
      paragraphs = paragraphs_of(page, container);
    }
    if (paragraphs.empty()) {
      paragraphs = paragraphs_of(page, nullptr);
    }
    for (const Paragraph& p : paragraphs) {
      if (p.chars >= kMinSummaryChars) {
        *summary = p.text;
        break;
      }
    }
  }
  fields.summary = clean_line(*summary, kMaxArticleTextBytes);

  std::optional<int> year;
  if (fields.published) {
    // The year as the page's own zone prints it (a date just after midnight UTC+8 is the
    // previous day in UTC).
    const std::int64_t local =
        fields.published->utc_seconds + tz.offset_at_utc(fields.published->utc_seconds);
    const std::int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    year = static_cast<int>(civil_from_days(days).year);
  }
  fields.legal = extract_legal_from_page(page, fields.body, year);
  return fields;
}

}  // namespace herald
