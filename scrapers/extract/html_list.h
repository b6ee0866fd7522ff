#pragma once

#include <vector>

#include "common/item.h"
#include "common/result.h"
#include "config/source_config.h"
#include "scrapers/parse/html_document.h"

namespace herald {

// Applies a source's [list] rules to a parsed page: one RawItem per node matched by
// rules.item; fields are read relative to that node. Items without a link are skipped.
// Title defaults to the link element's text. An empty result is not an error here (the
// caller decides whether zero items means a layout change).
Result<std::vector<RawItem>> extract_list(const HtmlDocument& page, const ListRules& rules);

}  // namespace herald
