#pragma once

// A test-only reader for the newsletter's structure, used twice: on the seed (text extracted
// from the firm's PDF, tests/fixtures/seed/) to get the 30 real items, and on
// export_markdown's output to check that the export keeps the seed's structure.

#include <algorithm>
#include <cstddef>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "common/text.h"
#include "common/timezone.h"
#include "web/export.h"

namespace herald::testing {

enum class Dialect {
  kSeedPdfText,  // the seed: wrapped lines, page furniture, stray footer links
  kMarkdown,     // export_markdown's output
};

struct ParsedNewsletter {
  // The 导读 table of contents: section names, and per section the titles and the numbers
  // printed before them.
  std::vector<std::string> toc_sections{};
  std::vector<std::vector<std::string>> toc_titles{};
  std::vector<std::vector<int>> toc_numbers{};
  // The body: sections from the "一、..." headings, items with their printed numbers.
  web::Edition edition{};
  std::vector<int> item_numbers{};  // parallel to edition.items
};

// How often `needle` occurs in `text`, without overlaps.
inline std::size_t count_occurrences(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

namespace newsletter_parser_detail {

inline bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

inline std::string remove_spaces(std::string_view s) {
  std::string out;
  for (const char c : collapse_whitespace(s)) {
    if (c != ' ') {
      out += c;
    }
  }
  return out;
}

inline bool is_ascii_word(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Joins a line wrapped by the PDF: CJK text runs on without a space, Latin words get one.
inline std::string join_wrapped(const std::string& a, const std::string& b) {
  if (a.empty()) {
    return b;
  }
  if (b.empty()) {
    return a;
  }
  const char last = a.back();
  const char first = b.front();
  const bool latin_end = is_ascii_word(last) || last == ',' || last == '.' || last == ';' ||
                         last == ':' || last == ')';
  const bool latin_start = is_ascii_word(first) || first == '(';
  return latin_end && latin_start ? a + " " + b : a + b;
}

// Display width with CJK counted double, as the PDF's line filling sees it.
inline std::size_t display_width(std::string_view s) {
  std::size_t width = 0;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x80) {
      width += 1;
    } else if (u >= 0xC0) {
      width += 2;  // a lead byte: one non-ASCII character
    }
  }
  return width;
}

// The seed keeps no paragraph breaks (the PDF extraction puts a blank line after nearly
// every line), so a paragraph is taken to end at a short line or at a line ending in "。".
// A heuristic: some breaks land in the wrong place, which only matters for presentation.
inline bool ends_seed_paragraph(const std::string& line) {
  constexpr std::size_t kFullLineWidth = 60;
  return display_width(line) < kFullLineWidth || line.ends_with("。");
}

inline std::string unescape_markdown(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      ++i;
    }
    out += s[i];
  }
  return out;
}

struct Line {
  std::string text{};
  bool blank_before = false;
};

inline std::vector<Line> content_lines(std::string_view text, Dialect dialect) {
  static const std::regex kHeading(R"(^#{1,6} +)");
  static const std::regex kPageNumber(R"(^[0-9]+$)");
  static const std::regex kAutolink(R"(^链接：<(.*)>$)");
  std::vector<Line> lines;
  bool blank = false;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string raw(text.substr(start, end - start));
    start = end + 1;
    std::string line = collapse_whitespace(raw);
    if (dialect == Dialect::kSeedPdfText) {
      // Page furniture: footer links are printed at column 0 (item links are indented by
      // one space), the running header, and page numbers.
      if (starts_with(raw, "http://") || starts_with(raw, "https://") ||
          starts_with(line, "人工智能月刊 |") || std::regex_match(line, kPageNumber)) {
        continue;
      }
    } else {
      line = std::regex_replace(line, kHeading, "");
      std::smatch link;
      if (std::regex_match(line, link, kAutolink)) {
        line = "链接：" + link[1].str();
      } else {
        if (line.size() > 4 && line.starts_with("**") && line.ends_with("**")) {
          line = line.substr(2, line.size() - 4);
        }
        line = unescape_markdown(line);
      }
    }
    if (line.empty()) {
      blank = true;
      continue;
    }
    lines.push_back(Line{.text = line, .blank_before = blank});
    blank = false;
  }
  return lines;
}

struct Numbered {
  int number = 0;
  std::string rest{};
};

inline std::optional<Numbered> numbered(const std::string& line) {
  static const std::regex kNumbered(R"(^([0-9]{1,3})\. *(.*)$)");
  std::smatch m;
  if (!std::regex_match(line, m, kNumbered)) {
    return std::nullopt;
  }
  return Numbered{.number = std::stoi(m[1].str()), .rest = m[2].str()};
}

// "一、最新行业动态" when the name is one of the TOC's sections.
inline std::optional<std::string> body_heading(const std::string& line,
                                               const std::vector<std::string>& sections) {
  static const std::regex kHeadingRe("^(?:一|二|三|四|五|六|七|八|九|十)+、(.+)$");
  std::smatch m;
  if (!std::regex_match(line, m, kHeadingRe)) {
    return std::nullopt;
  }
  for (const std::string& name : sections) {
    if (m[1].str() == name) {
      return name;
    }
  }
  return std::nullopt;
}

inline std::optional<CivilDate> chinese_date(const std::string& text) {
  static const std::regex kDate(R"(([0-9]{4}) *年 *([0-9]{1,2}) *月 *([0-9]{1,2}) *日)");
  std::smatch m;
  if (!std::regex_search(text, m, kDate)) {
    return std::nullopt;
  }
  return CivilDate{
      .year = std::stoi(m[1].str()), .month = std::stoi(m[2].str()), .day = std::stoi(m[3].str())};
}

class ParagraphBuilder {
 public:
  explicit ParagraphBuilder(Dialect dialect) : dialect_(dialect) {}

  void add(const Line& line) {
    if (dialect_ == Dialect::kMarkdown) {
      if (line.blank_before || current_.empty()) {
        flush();
        current_ = line.text;
      } else {
        current_ += "\n" + line.text;
      }
      return;
    }
    current_ = join_wrapped(current_, line.text);
    if (ends_seed_paragraph(line.text)) {
      flush();
    }
  }

  std::string text() {
    flush();
    std::string out;
    for (const std::string& paragraph : paragraphs_) {
      out += out.empty() ? "" : "\n\n";
      out += paragraph;
    }
    return out;
  }

 private:
  void flush() {
    if (!current_.empty()) {
      paragraphs_.push_back(current_);
      current_.clear();
    }
  }

  Dialect dialect_;
  std::string current_{};
  std::vector<std::string> paragraphs_{};
};

}  // namespace newsletter_parser_detail

// Reads the 导读 TOC and the body. An "N. ..." line starts an item only when N is the next
// number in its section and a 发布日期 line follows within a few lines, because summaries
// have numbered points of their own.
inline ParsedNewsletter parse_newsletter(std::string_view text, Dialect dialect,
                                         std::string_view commentary_label) {
  using namespace newsletter_parser_detail;
  const std::vector<Line> lines = content_lines(text, dialect);
  ParsedNewsletter out;

  std::size_t i = 0;
  while (i < lines.size() && remove_spaces(lines[i].text) != "导读") {
    ++i;
  }
  ++i;
  for (; i < lines.size(); ++i) {
    const std::string& line = lines[i].text;
    if (body_heading(line, out.toc_sections)) {
      break;
    }
    if (auto n = numbered(line); n && !out.toc_sections.empty()) {
      out.toc_titles.back().push_back(n->rest);
      out.toc_numbers.back().push_back(n->number);
      continue;
    }
    const auto next = i + 1 < lines.size() ? numbered(lines[i + 1].text) : std::nullopt;
    if ((next && next->number == 1) || out.toc_sections.empty()) {
      out.toc_sections.push_back(line);
      out.toc_titles.emplace_back();
      out.toc_numbers.emplace_back();
    } else if (!out.toc_titles.back().empty()) {
      out.toc_titles.back().back() = join_wrapped(out.toc_titles.back().back(), line);
    }
  }

  enum class Mode { kNone, kTitle, kFields, kLink, kSummary, kCommentary };
  Mode mode = Mode::kNone;
  std::optional<ParagraphBuilder> summary;
  std::optional<ParagraphBuilder> commentary;
  int in_section = 0;
  auto finish_item = [&] {
    if (!out.edition.items.empty() && summary) {
      out.edition.items.back().summary = summary->text();
      out.edition.items.back().commentary = commentary ? commentary->text() : "";
    }
    summary.reset();
    commentary.reset();
  };
  auto starts_item = [&](std::size_t at, const Numbered& n) {
    if (out.edition.sections.empty() || n.number != in_section + 1) {
      return false;
    }
    for (std::size_t k = at + 1; k < lines.size() && k <= at + 4; ++k) {
      if (starts_with(lines[k].text, "发布日期：")) {
        return true;
      }
    }
    return false;
  };

  for (; i < lines.size(); ++i) {
    const Line& line = lines[i];
    const std::string& t = line.text;
    if (auto name = body_heading(t, out.toc_sections)) {
      finish_item();
      out.edition.sections.push_back(*name);
      in_section = 0;
      mode = Mode::kNone;
      continue;
    }
    if (auto n = numbered(t); n && starts_item(i, *n)) {
      finish_item();
      ++in_section;
      out.edition.items.push_back(
          web::EditionItem{.section = out.edition.sections.back(), .title = n->rest});
      out.item_numbers.push_back(n->number);
      summary.emplace(dialect);
      mode = Mode::kTitle;
      continue;
    }
    if (mode == Mode::kNone) {
      continue;
    }
    web::EditionItem& item = out.edition.items.back();
    if (mode == Mode::kTitle && !starts_with(t, "发布日期：")) {
      item.title = join_wrapped(item.title, t);
      continue;
    }
    if (mode == Mode::kTitle || mode == Mode::kFields || mode == Mode::kLink) {
      if (starts_with(t, "发布日期：")) {
        item.published_text = t.substr(std::string_view("发布日期：").size());
        item.published_date = chinese_date(item.published_text);
        mode = Mode::kFields;
      } else if (starts_with(t, "来源：")) {
        item.source_name = t.substr(std::string_view("来源：").size());
        mode = Mode::kFields;
      } else if (starts_with(t, "链接：")) {
        item.url = t.substr(std::string_view("链接：").size());
        mode = Mode::kLink;
      } else if (starts_with(t, "摘要：")) {
        mode = Mode::kSummary;
      } else if (mode == Mode::kLink) {
        // A URL wrapped by the PDF runs on; the one citation that is not a URL (Westlaw)
        // is prose and gets a space.
        const bool is_url = starts_with(item.url, "http");
        item.url += item.url.empty() || is_url ? t : " " + t;
      }
      continue;
    }
    if (mode == Mode::kSummary && t == commentary_label) {
      commentary.emplace(dialect);
      mode = Mode::kCommentary;
      continue;
    }
    (mode == Mode::kSummary ? *summary : *commentary).add(line);
  }
  finish_item();
  return out;
}

}  // namespace herald::testing
