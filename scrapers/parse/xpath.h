#pragma once

#include <memory>
#include <string>
#include <utility>
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

// What one evaluation of a selector gives: its value as select_value would return it, and
// the first node select_nodes would return (null when there is none, or when the XPath
// computes a value instead of nodes: then `nodes` is false).
struct SelectedValue {
  std::string value{};
  xmlNode* first_node = nullptr;
  bool nodes = true;
};

// The functions above for many evaluations on one document, as a list page's rules are
// applied to each of its items: one XPath context for the document instead of one per
// call, and each distinct XPath compiled once, on first use. Results and errors are those
// of the free functions. Keep it no longer than the document; one thread at a time.
class XPathEvaluator {
 public:
  // Errors: kInternal when libxml2 cannot allocate the context.
  static Result<XPathEvaluator> create(xmlDoc* doc);

  Result<std::vector<xmlNode*>> select_nodes(xmlNode* context, const Selector& selector);
  Result<std::string> select_value(xmlNode* context, const Selector& selector);
  Result<SelectedValue> select_value_and_node(xmlNode* context, const Selector& selector);

 private:
  using CompiledXPath = std::unique_ptr<xmlXPathCompExpr, CFree<xmlXPathFreeCompExpr>>;
  XPathEvaluator(xmlDoc* doc, XPathContext ctx) : doc_(doc), ctx_(std::move(ctx)) {}
  // The result stays owned here, valid until the next evaluation.
  Result<xmlXPathObject*> evaluate(xmlNode* context, const Selector& selector);

  xmlDoc* doc_;
  XPathContext ctx_;
  // Few (a list page's 2 to 5 selectors), so a linear search by XPath text.
  std::vector<std::pair<std::string, CompiledXPath>> compiled_;
  // The last evaluation, kept: rules often name one XPath twice for an item ("a@href" and
  // "a@title"), and the same expression from the same node on an unchanged document
  // gives the same result.
  xmlNode* last_context_ = nullptr;
  const xmlXPathCompExpr* last_expression_ = nullptr;
  XPathObject last_result_;
};

}  // namespace herald
