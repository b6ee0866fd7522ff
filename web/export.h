#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/timezone.h"

namespace herald::web {

// One accepted item as it appears in the newsletter. Strings are UTF-8 as scraped or as
// edited; the exporters escape them, so callers pass plain text, never markup.
struct EditionItem {
  std::string section{};  // section name, e.g. "最新法律与监管动态"
  std::string title{};
  // The publication date as a calendar date in the source's own time zone (a Beijing
  // announcement of 00:30 on 7 Nov is "7 Nov", not "6 Nov" UTC). Use local_date() to get it
  // from a stored UTC instant. nullopt: unknown, and published_text is shown instead.
  std::optional<CivilDate> published_date{};
  std::string published_text{};  // the date as the page printed it; shown only without a date
  std::string source_name{};     // "来源"
  std::string url{};             // "链接"; a link only when http(s), else shown as text
  std::string summary{};         // "摘要"; paragraphs separated by a blank line
  // The article text, when herald read it: without a summary, the 摘要 is its lead
  // sentences (draft_extractive), so an item with text never has an empty 摘要.
  std::string body{};
  std::string commentary{};      // the editors' comment; empty = no comment block
  // Legal metadata (common/legal.h): the 文号, printed 「（文号）」 after the title unless the
  // title already carries it, and a draft's comment deadline "YYYY-MM-DD", printed
  // 「征求意见截止日期：2023年12月7日。」 ahead of the 摘要 unless the 摘要 already says it.
  std::string doc_number{};
  std::string comment_deadline{};
  std::int64_t candidate_id = 0;  // the desk's candidate (the month page's up/down); 0 = none
};

struct Edition {
  std::string month{};                  // "2023-11"
  std::string title{};                  // document title; empty: derived from month
  std::vector<std::string> sections{};  // section order; see export_markdown
  std::vector<EditionItem> items{};     // in the order they appear within each section
};

struct ExportOptions {
  // The heading of the commentary block. The firm's own newsletter says "植德短评".
  std::string commentary_label = "短评";
};

// The newsletter draft in the seed's structure: a 导读 table of contents listing each
// section's titles numbered from 1, then per section a heading "一、<section>" (Chinese
// numerals) and per item "N. title", 发布日期：2023年11月7日, 来源, 链接, 摘要 and the
// commentary block when there is one.
//
// Sections come in the order of Edition::sections; a section without items is left out
// (the next one takes its numeral), and items whose section is not listed follow in the
// order their sections first appear (an empty section name becomes "其他"), so no item is
// ever dropped. Pure and thread-safe.
//
// Markdown: scraped text is escaped wherever a character would change the rendering
// (emphasis, links, HTML, headings and list markers at a line start); links are autolinks
// <https://...>.
std::string export_markdown(const Edition& edition, const ExportOptions& options = {});

// The same draft as one standalone UTF-8 HTML document with an embedded stylesheet for
// Chinese text, meant to be opened in a browser or Word. All text is HTML-escaped; a link
// becomes <a> only for http/https URLs. The TOC links to the items' anchors
// ("item-<section>-<number>", sections "section-<number>", both counted from 1).
std::string export_html(const Edition& edition, const ExportOptions& options = {});

// The item's heading as both formats print it (plain text, not escaped): the title, then
// 「（文号）」 when the item has one the title does not already carry.
std::string printed_title(const EditionItem& item);

// "2023年11月7日" (no zero padding, no spaces: the spaces in the seed PDF are artefacts of
// its font changes between digits and CJK).
std::string format_chinese_date(const CivilDate& date);

// 1 -> "一", 10 -> "十", 12 -> "十二", 20 -> "二十"; above 99 the Arabic digits.
std::string chinese_numeral(int n);

// The calendar date of the UTC instant `utc_seconds` in `zone`.
CivilDate local_date(std::int64_t utc_seconds, const TimeZone& zone);

}  // namespace herald::web
