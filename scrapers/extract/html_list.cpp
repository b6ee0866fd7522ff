#include "scrapers/extract/html_list.h"

#include <cstddef>
#include <string>
#include <utility>

#include "scrapers/normalise/date.h"
#include "scrapers/parse/xpath.h"

namespace herald {
namespace {

// A list page with more rows than this is a catalogue or a hostile page, not news; the
// first rows are the newest on every list page seen so far.
constexpr std::size_t kMaxItemsPerPage = 1000;

Result<std::string> optional_value(XPathEvaluator& xpath, xmlNode* item,
                                   const std::optional<Selector>& s) {
  if (!s) return std::string();
  return xpath.select_value(item, *s);
}

// The title when the rules give none: the text of the element the link selector points
// at (its first match), or the item's own text when the link is read off the item itself.
Result<std::string> default_title(XPathEvaluator& xpath, xmlNode* item, const SelectedValue& link,
                                  const Selector& selector) {
  if (!link.nodes) {
    // The XPath computes a value: select_nodes says so, in its own words.
    auto nodes = xpath.select_nodes(item, selector);
    if (!nodes) return fail(nodes.error());
  }
  return link.first_node != nullptr ? node_text(link.first_node) : std::string();
}

}  // namespace

Result<std::vector<RawItem>> extract_list(const HtmlDocument& page, const ListRules& rules) {
  // Everything below returns errors as values; the catch keeps a bad_alloc on a
  // pathological page from escaping into the daemon's poll loop.
  try {
    // One XPath context for the page and each rule compiled once: the same rules run
    // against every item.
    auto xpath = XPathEvaluator::create(page.doc());
    if (!xpath) return fail(xpath.error());
    auto nodes = xpath->select_nodes(nullptr, rules.item);
    if (!nodes) return fail(nodes.error());

    std::vector<RawItem> items;
    for (xmlNode* node : *nodes) {
      if (items.size() >= kMaxItemsPerPage) break;
      // The link's node also gives the default title, so it is looked up once.
      auto link = xpath->select_value_and_node(node, rules.link);
      if (!link) return fail(link.error());
      if (link->value.empty()) continue;  // headings, pagers and spacer rows in the same list

      auto title = rules.title ? xpath->select_value(node, *rules.title)
                               : default_title(*xpath, node, *link, rules.link);
      if (!title) return fail(title.error());
      auto date = optional_value(*xpath, node, rules.date);
      if (!date) return fail(date.error());
      auto summary = optional_value(*xpath, node, rules.summary);
      if (!summary) return fail(summary.error());
      if (rules.title_strip_date) {
        // The date printed in the link text is not part of the headline; a date rule that
        // reads that same text ("a") keeps only the date, for people reading published_text.
        if (auto split = split_edge_date(*title)) {
          if (*date == *title) *date = std::move(split->date);
          *title = std::move(split->headline);
        }
      }

      items.push_back(RawItem{.title = std::move(*title),
                              .link = std::move(link->value),
                              .date_text = std::move(*date),
                              .summary = std::move(*summary)});
    }
    return items;
  } catch (const std::exception& e) {
    return fail(ErrorCode::kInternal, std::string("list extraction failed: ") + e.what());
  }
}

}  // namespace herald
