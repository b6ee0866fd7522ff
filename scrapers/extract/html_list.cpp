#include "scrapers/extract/html_list.h"

#include <cstddef>
#include <string>
#include <utility>

#include "scrapers/parse/xpath.h"

namespace herald {
namespace {

// A list page with more rows than this is a catalogue or a hostile page, not news; the
// first rows are the newest on every list page seen so far.
constexpr std::size_t kMaxItemsPerPage = 1000;

// The title when the rules give none: the text of the element the link selector points
// at (its first match), or the item's own text when the link is read off the item itself.
Result<std::string> default_title(xmlDoc* doc, xmlNode* item, const Selector& link) {
  if (link.xpath.empty()) return node_text(item);
  auto nodes = select_nodes(doc, item, link);
  if (!nodes) return fail(nodes.error());
  if (nodes->empty()) return std::string();
  return node_text(nodes->front());
}

Result<std::string> optional_value(xmlDoc* doc, xmlNode* item, const std::optional<Selector>& s) {
  if (!s) return std::string();
  return select_value(doc, item, *s);
}

}  // namespace

Result<std::vector<RawItem>> extract_list(const HtmlDocument& page, const ListRules& rules) {
  // Everything below returns errors as values; the catch keeps a bad_alloc on a
  // pathological page from escaping into the daemon's poll loop.
  try {
    xmlDoc* doc = page.doc();
    auto nodes = select_nodes(doc, nullptr, rules.item);
    if (!nodes) return fail(nodes.error());

    std::vector<RawItem> items;
    for (xmlNode* node : *nodes) {
      if (items.size() >= kMaxItemsPerPage) break;
      auto link = select_value(doc, node, rules.link);
      if (!link) return fail(link.error());
      if (link->empty()) continue;  // headings, pagers and spacer rows in the same list

      auto title = rules.title ? select_value(doc, node, *rules.title)
                               : default_title(doc, node, rules.link);
      if (!title) return fail(title.error());
      auto date = optional_value(doc, node, rules.date);
      if (!date) return fail(date.error());
      auto summary = optional_value(doc, node, rules.summary);
      if (!summary) return fail(summary.error());

      items.push_back(RawItem{.title = std::move(*title),
                              .link = std::move(*link),
                              .date_text = std::move(*date),
                              .summary = std::move(*summary)});
    }
    return items;
  } catch (const std::exception& e) {
    return fail(ErrorCode::kInternal, std::string("list extraction failed: ") + e.what());
  }
}

}  // namespace herald
