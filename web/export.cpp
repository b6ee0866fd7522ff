#include "web/export.h"

#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "common/legal.h"
#include "common/text.h"
#include "scrapers/draft/draft.h"

namespace herald::web {
namespace {

constexpr std::string_view kTocHeading = "导读";
constexpr std::string_view kUnnamedSection = "其他";

// An item's place in the edition: section and number both count from 1, as printed.
struct Section {
  std::string name{};
  std::vector<const EditionItem*> items{};
};

std::vector<Section> group_by_section(const Edition& edition) {
  std::vector<Section> sections;
  auto find = [&sections](std::string_view name) -> Section* {
    for (Section& section : sections) {
      if (section.name == name) {
        return &section;
      }
    }
    return nullptr;
  };
  for (const std::string& name : edition.sections) {
    if (find(name) == nullptr) {
      sections.push_back(Section{.name = name, .items = {}});
    }
  }
  for (const EditionItem& item : edition.items) {
    const std::string name = item.section.empty() ? std::string(kUnnamedSection) : item.section;
    Section* section = find(name);
    if (section == nullptr) {
      sections.push_back(Section{.name = name, .items = {}});
      section = &sections.back();
    }
    section->items.push_back(&item);
  }
  std::erase_if(sections, [](const Section& s) { return s.items.empty(); });
  return sections;
}

// Text for one line: valid UTF-8, no control characters (a scraped title must not smuggle
// a line break into a heading), whitespace runs collapsed.
std::string one_line(std::string_view s) {
  return collapse_whitespace(strip_controls(sanitize_utf8(s)));
}

// Paragraphs are separated by blank lines; the lines within one are kept (a summary may
// be a list of points, one per line).
std::vector<std::vector<std::string>> paragraphs(std::string_view text) {
  std::vector<std::vector<std::string>> out;
  bool in_paragraph = false;
  const std::string valid = sanitize_utf8(text);
  std::string_view rest = valid;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    const std::string line = one_line(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    if (line.empty()) {
      in_paragraph = false;
      continue;
    }
    if (!in_paragraph) {
      out.emplace_back();
      in_paragraph = true;
    }
    out.back().push_back(line);
  }
  return out;
}

// The 摘要 printed: the editors' or the site's summary, else the article's lead sentences.
// Never an unaccepted model draft: what editors have not accepted is not published.
std::string summary_of(const EditionItem& item) {
  if (!paragraphs(item.summary).empty() || item.body.empty()) {
    return item.summary;
  }
  DraftInput input;
  input.title = item.title;
  input.body = item.body;
  return draft_extractive(input).summary;
}

// The 摘要 with the comment deadline ahead of it. A 摘要 that already states one (cn-tc260's
// list date kept as the summary, daemon/edition.cpp) is not given a second.
std::string summary_with_deadline(const EditionItem& item) {
  const std::string summary = summary_of(item);
  const std::string& deadline = item.comment_deadline;
  if (!is_calendar_date(deadline) || summary.find("征求意见截止日期") != std::string::npos) {
    return summary;
  }
  const CivilDate date{.year = std::stoi(deadline.substr(0, 4)),
                       .month = std::stoi(deadline.substr(5, 2)),
                       .day = std::stoi(deadline.substr(8, 2))};
  const std::string line = fmt::format("征求意见截止日期：{}。", format_chinese_date(date));
  return paragraphs(summary).empty() ? line : line + "\n\n" + summary;
}

std::string month_label(std::string_view month) {
  // "2023-11" -> "2023年11月"; anything else is shown as given.
  if (month.size() == 7 && month[4] == '-') {
    const std::string_view year = month.substr(0, 4);
    std::string_view mon = month.substr(5, 2);
    if (mon[0] == '0') {
      mon.remove_prefix(1);
    }
    return fmt::format("{}年{}月", year, mon);
  }
  return std::string(month);
}

std::string document_title(const Edition& edition) {
  const std::string title = one_line(edition.title);
  return title.empty() ? month_label(one_line(edition.month)) : title;
}

std::string date_text(const EditionItem& item) {
  if (item.published_date) {
    return format_chinese_date(*item.published_date);
  }
  return one_line(item.published_text);
}

// Only absolute http(s) URLs become links: a scraped "javascript:" or "data:" URL must
// never be clickable in a draft an editor opens.
bool is_web_url(std::string_view url) {
  const std::string lower = to_lower_ascii(url.substr(0, 8));
  if (!lower.starts_with("http://") && !lower.starts_with("https://")) {
    return false;
  }
  for (const char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == '"') {
      return false;
    }
  }
  return true;
}

// ---- Markdown -------------------------------------------------------------------------

// Escapes the characters that start emphasis, code, links, raw HTML, entities,
// strikethrough or (trailing) heading markers anywhere in a line.
std::string md_inline(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (const char c : s) {
    switch (c) {
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '<':
      case '>':
      case '#':
      case '~':
      case '&':
        out += '\\';
        break;
      default:
        break;
    }
    out += c;
  }
  return out;
}

// Text that begins a block (a paragraph line, a list item, a heading): additionally a
// leading "-", "+", "=" or "1." / "1)" would turn it into a list or a setext underline.
std::string md_text(std::string_view s) {
  std::string out = md_inline(s);
  if (out.empty()) {
    return out;
  }
  if (out[0] == '-' || out[0] == '+' || out[0] == '=') {
    out.insert(0, "\\");
    return out;
  }
  std::size_t digits = 0;
  while (digits < out.size() && out[digits] >= '0' && out[digits] <= '9') {
    ++digits;
  }
  if (digits > 0 && digits <= 9 && digits < out.size() &&
      (out[digits] == '.' || out[digits] == ')')) {
    out.insert(digits, "\\");
  }
  return out;
}

void md_paragraphs(std::string& out, std::string_view text) {
  for (const auto& paragraph : paragraphs(text)) {
    for (std::size_t i = 0; i < paragraph.size(); ++i) {
      out += md_text(paragraph[i]);
      out += i + 1 < paragraph.size() ? "\n" : "\n\n";
    }
  }
}

void md_item(std::string& out, const EditionItem& item, std::size_t number,
             const ExportOptions& options) {
  out += fmt::format("### {}. {}\n\n", number, md_text(printed_title(item)));
  if (const std::string date = date_text(item); !date.empty()) {
    out += fmt::format("发布日期：{}\n\n", md_inline(date));
  }
  if (const std::string source = one_line(item.source_name); !source.empty()) {
    out += fmt::format("来源：{}\n\n", md_inline(source));
  }
  if (const std::string url = one_line(item.url); !url.empty()) {
    out += is_web_url(url) ? fmt::format("链接：<{}>\n\n", url)
                           : fmt::format("链接：{}\n\n", md_inline(url));
  }
  if (const std::string summary = summary_with_deadline(item); !paragraphs(summary).empty()) {
    out += "摘要：\n\n";
    md_paragraphs(out, summary);
  }
  if (!paragraphs(item.commentary).empty()) {
    out += fmt::format("**{}**\n\n", md_inline(one_line(options.commentary_label)));
    md_paragraphs(out, item.commentary);
  }
}

// ---- HTML -----------------------------------------------------------------------------

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string item_anchor(std::size_t section, std::size_t number) {
  return fmt::format("item-{}-{}", section, number);
}

// Sized for reading and for pasting into Word: CJK font stacks for Windows, macOS and
// Linux, generous line height, first-line indent of two characters as Chinese body text
// expects, and long URLs allowed to break anywhere.
constexpr std::string_view kStylesheet = R"css(
body { font-family: "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC",
       "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif;
       font-size: 16px; line-height: 1.8; color: #222; max-width: 46em; margin: 2em auto;
       padding: 0 1em; }
h1 { font-size: 1.6em; text-align: center; margin-bottom: 1.2em; }
h2 { font-size: 1.3em; border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
h3 { font-size: 1.1em; margin: 1.6em 0 .6em; }
nav.toc h3 { margin: 1em 0 .3em; }
nav.toc ol { margin: 0; padding-left: 2.5em; }
nav.toc a { color: inherit; text-decoration: none; }
p { margin: .3em 0; text-align: justify; }
p.meta { margin: .1em 0; }
.label { font-weight: bold; }
.summary p.text, .commentary p.text { text-indent: 2em; }
.commentary { margin-top: .8em; padding: .4em 1em; border-left: 3px solid #a67c00;
              background: #faf6ea; }
a { color: #1a4f8b; word-break: break-all; }
)css";

void html_paragraphs(std::string& out, std::string_view text) {
  for (const auto& paragraph : paragraphs(text)) {
    out += "<p class=\"text\">";
    for (std::size_t i = 0; i < paragraph.size(); ++i) {
      out += i == 0 ? "" : "<br>\n";
      out += html_escape(paragraph[i]);
    }
    out += "</p>\n";
  }
}

void html_meta(std::string& out, std::string_view label, std::string_view value_html) {
  out +=
      fmt::format("<p class=\"meta\"><span class=\"label\">{}</span>{}</p>\n", label, value_html);
}

void html_item(std::string& out, const EditionItem& item, std::size_t section, std::size_t number,
               const ExportOptions& options) {
  out += fmt::format("<div class=\"item\" id=\"{}\">\n<h3>{}. {}</h3>\n",
                     item_anchor(section, number), number, html_escape(printed_title(item)));
  if (const std::string date = date_text(item); !date.empty()) {
    html_meta(out, "发布日期：", html_escape(date));
  }
  if (const std::string source = one_line(item.source_name); !source.empty()) {
    html_meta(out, "来源：", html_escape(source));
  }
  if (const std::string url = one_line(item.url); !url.empty()) {
    const std::string shown = html_escape(url);
    html_meta(out, "链接：",
              is_web_url(url)
                  ? fmt::format("<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>", shown, shown)
                  : shown);
  }
  if (const std::string summary = summary_with_deadline(item); !paragraphs(summary).empty()) {
    out += "<div class=\"summary\">\n<p class=\"label\">摘要：</p>\n";
    html_paragraphs(out, summary);
    out += "</div>\n";
  }
  if (!paragraphs(item.commentary).empty()) {
    out += fmt::format("<div class=\"commentary\">\n<p class=\"label\">{}</p>\n",
                       html_escape(one_line(options.commentary_label)));
    html_paragraphs(out, item.commentary);
    out += "</div>\n";
  }
  out += "</div>\n";
}

}  // namespace

// 「标题（沪经信规范〔2023〕8号）」; a title that quotes its own number (many do) is left as is.
std::string printed_title(const EditionItem& item) {
  const std::string title = one_line(item.title);
  const std::string doc_number = one_line(item.doc_number);
  if (doc_number.empty() || title.find(doc_number) != std::string::npos) {
    return title;
  }
  return fmt::format("{}（{}）", title, doc_number);
}

std::string format_chinese_date(const CivilDate& date) {
  return fmt::format("{}年{}月{}日", date.year, date.month, date.day);
}

std::string chinese_numeral(int n) {
  static constexpr std::string_view kDigits[] = {"",   "一", "二", "三", "四",
                                                 "五", "六", "七", "八", "九"};
  if (n <= 0 || n > 99) {
    return std::to_string(n);
  }
  const int tens = n / 10;
  const int ones = n % 10;
  std::string out;
  if (tens > 0) {
    out += tens > 1 ? kDigits[tens] : "";
    out += "十";
  }
  out += kDigits[ones];
  return out;
}

CivilDate local_date(std::int64_t utc_seconds, const TimeZone& zone) {
  constexpr std::int64_t kDay = 86400;
  const std::int64_t local = utc_seconds + zone.offset_at_utc(utc_seconds);
  // Floor division: an instant before 1970 belongs to the previous day, not the next.
  std::int64_t days = local / kDay;
  if (local % kDay < 0) {
    --days;
  }
  return civil_from_days(days);
}

std::string export_markdown(const Edition& edition, const ExportOptions& options) {
  const std::vector<Section> sections = group_by_section(edition);
  const std::string title = document_title(edition);
  std::string out = title.empty() ? "" : fmt::format("# {}\n\n", md_text(title));
  out += fmt::format("## {}\n\n", kTocHeading);
  for (const Section& section : sections) {
    out += fmt::format("### {}\n\n", md_text(one_line(section.name)));
    for (std::size_t i = 0; i < section.items.size(); ++i) {
      out += fmt::format("{}. {}\n", i + 1, md_text(one_line(section.items[i]->title)));
    }
    out += "\n";
  }
  for (std::size_t s = 0; s < sections.size(); ++s) {
    out += fmt::format("## {}、{}\n\n", chinese_numeral(static_cast<int>(s + 1)),
                       md_inline(one_line(sections[s].name)));
    for (std::size_t i = 0; i < sections[s].items.size(); ++i) {
      md_item(out, *sections[s].items[i], i + 1, options);
    }
  }
  out.pop_back();  // one newline at the end, not a blank line
  return out;
}

std::string export_html(const Edition& edition, const ExportOptions& options) {
  const std::vector<Section> sections = group_by_section(edition);
  const std::string title = html_escape(document_title(edition));
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
      title, kStylesheet);
  if (!title.empty()) {
    out += fmt::format("<h1>{}</h1>\n", title);
  }
  out += fmt::format("<nav class=\"toc\">\n<h2>{}</h2>\n", kTocHeading);
  for (std::size_t s = 0; s < sections.size(); ++s) {
    out += fmt::format("<h3>{}</h3>\n<ol>\n", html_escape(one_line(sections[s].name)));
    for (std::size_t i = 0; i < sections[s].items.size(); ++i) {
      out += fmt::format("<li><a href=\"#{}\">{}</a></li>\n", item_anchor(s + 1, i + 1),
                         html_escape(one_line(sections[s].items[i]->title)));
    }
    out += "</ol>\n";
  }
  out += "</nav>\n";
  for (std::size_t s = 0; s < sections.size(); ++s) {
    out += fmt::format("<h2 id=\"section-{}\">{}、{}</h2>\n", s + 1,
                       chinese_numeral(static_cast<int>(s + 1)),
                       html_escape(one_line(sections[s].name)));
    for (std::size_t i = 0; i < sections[s].items.size(); ++i) {
      html_item(out, *sections[s].items[i], s + 1, i + 1, options);
    }
  }
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace herald::web
