#pragma once

#include <string>
#include <vector>

#include "common/c_handles.h"
#include "common/result.h"
#include "config/selector.h"

namespace herald {

// Nodes matched by `selector` from `context` (the document root when null), in document
// order. An XPath that libxml2 rejects at run time gives kConfig.
Result<std::vector<xmlNode*>> select_nodes(xmlDoc* doc, xmlNode* context, const Selector& selector);

// The value of `selector` from `context`: the first match's attribute when the selector
// names one, else its text content with whitespace collapsed. Empty when nothing matches.
Result<std::string> select_value(xmlDoc* doc, xmlNode* context, const Selector& selector);

// Text content of a node, whitespace collapsed.
std::string node_text(xmlNode* node);

}  // namespace herald
