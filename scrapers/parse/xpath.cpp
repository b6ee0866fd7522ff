#include "scrapers/parse/xpath.h"

#include <string>
#include <string_view>

#include <fmt/format.h>
#include <libxml/globals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xpath.h>

#include "common/text.h"

namespace herald {
namespace {

// A selector that is quadratic on a big hostile page (preceding::, nested //) stops here
// instead of holding the worker; ordinary list selectors use a few hundred thousand.
constexpr unsigned long kXPathOpLimit = 50'000'000;

const xmlChar* xml_chars(const char* s) { return reinterpret_cast<const xmlChar*>(s); }
std::string_view text_of(const xmlChar* s) {
  return s == nullptr ? std::string_view{} : std::string_view(reinterpret_cast<const char*>(s));
}

// libxml2 prints XPath errors to stderr unless the context has its own handler; the
// error is kept in ctx->lastError and reported as a value instead.
void ignore_xpath_error(void* /*user_data*/, xmlErrorPtr /*error*/) {}

void ignore_generic_error(void* /*context*/, const char* /*format*/, ...) {}

// Some evaluation errors ("function not found") bypass the context handler and go to the
// thread's generic error function. Swapped for the duration of one evaluation, then put
// back, so other libxml2 users in the process keep their own setting.
class QuietGenericErrors {
 public:
  QuietGenericErrors() : previous_(xmlGenericError), previous_context_(xmlGenericErrorContext) {
    xmlSetGenericErrorFunc(nullptr, ignore_generic_error);
  }
  ~QuietGenericErrors() { xmlSetGenericErrorFunc(previous_context_, previous_); }
  QuietGenericErrors(const QuietGenericErrors&) = delete;
  QuietGenericErrors& operator=(const QuietGenericErrors&) = delete;

 private:
  xmlGenericErrorFunc previous_;
  void* previous_context_;
};

// libxml2 2.9.14 records only a code and an offset for XPath errors, no message text.
std::string_view xpath_error_text(int code) {
  switch (code - XML_XPATH_EXPRESSION_OK) {
    case XPATH_NUMBER_ERROR: return "malformed number";
    case XPATH_UNFINISHED_LITERAL_ERROR: return "unfinished string literal";
    case XPATH_START_LITERAL_ERROR: return "expected a string literal";
    case XPATH_VARIABLE_REF_ERROR: return "malformed variable reference";
    case XPATH_UNDEF_VARIABLE_ERROR: return "undefined variable";
    case XPATH_INVALID_PREDICATE_ERROR: return "invalid predicate";
    case XPATH_EXPR_ERROR: return "invalid expression";
    case XPATH_UNCLOSED_ERROR: return "missing ] or )";
    case XPATH_UNKNOWN_FUNC_ERROR: return "unknown function";
    case XPATH_INVALID_OPERAND: return "invalid operand";
    case XPATH_INVALID_TYPE: return "wrong type (a node set was needed)";
    case XPATH_INVALID_ARITY: return "wrong number of function arguments";
    case XPATH_UNDEF_PREFIX_ERROR: return "undefined namespace prefix (HTML names have none)";
    case XPATH_INVALID_CHAR_ERROR: return "invalid character";
    case XPATH_RECURSION_LIMIT_EXCEEDED: return "expression nested too deeply";
    default: return "XPath evaluation failed";
  }
}

Error xpath_error(const Selector& selector, const xmlXPathContext& ctx) {
  const xmlError& last = ctx.lastError;
  if (last.code - XML_XPATH_EXPRESSION_OK == XPATH_OP_LIMIT_EXCEEDED) {
    return Error{ErrorCode::kParseLimit,
                 fmt::format("selector \"{}\" (XPath \"{}\") took more than {} steps on this page",
                             selector.text, selector.xpath, kXPathOpLimit),
                 false};
  }
  std::string where;
  if (last.str1 != nullptr && last.int1 >= 0) {
    where = fmt::format(" at offset {}", last.int1);
  } else if (last.str1 == nullptr) {
    // A run-time error of a compiled expression carries no position. Evaluating the text
    // in one step (as before expressions were compiled once) reported the parser's
    // position then, the end of the expression; the message stays the same.
    where = fmt::format(" at offset {}", selector.xpath.size());
  }
  return Error{ErrorCode::kConfig,
               fmt::format("selector \"{}\" (XPath \"{}\"): {}{}", selector.text, selector.xpath,
                           xpath_error_text(last.code), where),
               false};
}

Result<XPathContext> new_context(xmlDoc* doc) {
  XPathContext ctx(xmlXPathNewContext(doc));
  if (!ctx) return fail(ErrorCode::kInternal, "libxml2 could not allocate an XPath context");
  ctx->error = ignore_xpath_error;
  ctx->opLimit = kXPathOpLimit;
  // Reuse the node sets and values an evaluation makes and drops (libxslt does the same);
  // an item selector run once per row otherwise allocates and frees them each time.
  if (xmlXPathContextSetCache(ctx.get(), 1, -1, 0) != 0) {
    return fail(ErrorCode::kInternal, "libxml2 could not allocate an XPath object cache");
  }
  return ctx;
}

std::string attribute_value(xmlNode* node, const std::string& name) {
  if (node == nullptr || node->type != XML_ELEMENT_NODE) return {};
  XmlString value(xmlGetProp(node, xml_chars(name.c_str())));
  if (!value) {
    // HTML documents store names in lower case; an admin may have written "HREF".
    const std::string lower = to_lower_ascii(name);
    if (lower != name) value.reset(xmlGetProp(node, xml_chars(lower.c_str())));
  }
  return collapse_whitespace(text_of(value.get()));
}

Result<std::vector<xmlNode*>> nodes_of(const xmlXPathObject& object, const Selector& selector) {
  if (object.type != XPATH_NODESET) {
    return fail(ErrorCode::kConfig,
                fmt::format("selector \"{}\" (XPath \"{}\") gives a value, not nodes",
                            selector.text, selector.xpath));
  }
  std::vector<xmlNode*> nodes;
  // libxml2 returns node sets from path expressions sorted in document order.
  if (object.nodesetval != nullptr) {
    nodes.reserve(static_cast<std::size_t>(object.nodesetval->nodeNr));
    for (int i = 0; i < object.nodesetval->nodeNr; ++i) {
      xmlNode* node = object.nodesetval->nodeTab[i];
      // Namespace nodes in a result are copies owned by the result, which is freed on
      // return; they have no text worth extracting anyway.
      if (node->type == XML_NAMESPACE_DECL) continue;
      nodes.push_back(node);
    }
  }
  return nodes;
}

SelectedValue value_of(xmlXPathObject* object, const Selector& selector) {
  SelectedValue selected;
  // A raw XPath may compute a value (normalize-space(...), substring-after(...)).
  if (object->type != XPATH_NODESET) {
    XmlString value(xmlXPathCastToString(object));
    selected.value = collapse_whitespace(text_of(value.get()));
    selected.nodes = false;
    return selected;
  }
  const xmlNodeSet* set = object->nodesetval;
  if (set == nullptr || set->nodeNr == 0) return selected;
  xmlNode* first = set->nodeTab[0];
  selected.value = selector.attribute ? attribute_value(first, *selector.attribute) : node_text(first);
  for (int i = 0; i < set->nodeNr; ++i) {
    if (set->nodeTab[i]->type != XML_NAMESPACE_DECL) {
      selected.first_node = set->nodeTab[i];
      break;
    }
  }
  return selected;
}

SelectedValue value_of_self(xmlDoc* doc, xmlNode* context, const Selector& selector) {
  xmlNode* self = context != nullptr ? context : xmlDocGetRootElement(doc);
  SelectedValue selected;
  selected.value = selector.attribute ? attribute_value(self, *selector.attribute) : node_text(self);
  selected.first_node = self;
  return selected;
}

}  // namespace

Result<std::vector<xmlNode*>> select_nodes(xmlDoc* doc, xmlNode* context, const Selector& selector) {
  if (selector.xpath.empty()) {
    std::vector<xmlNode*> nodes;
    xmlNode* self = context != nullptr ? context : xmlDocGetRootElement(doc);
    if (self != nullptr) nodes.push_back(self);
    return nodes;
  }
  auto evaluator = XPathEvaluator::create(doc);
  if (!evaluator) return fail(evaluator.error());
  return evaluator->select_nodes(context, selector);
}

Result<std::string> select_value(xmlDoc* doc, xmlNode* context, const Selector& selector) {
  if (selector.xpath.empty()) return value_of_self(doc, context, selector).value;
  auto evaluator = XPathEvaluator::create(doc);
  if (!evaluator) return fail(evaluator.error());
  return evaluator->select_value(context, selector);
}

Result<XPathEvaluator> XPathEvaluator::create(xmlDoc* doc) {
  auto ctx = new_context(doc);
  if (!ctx) return fail(ctx.error());
  return XPathEvaluator(doc, std::move(*ctx));
}

Result<xmlXPathObject*> XPathEvaluator::evaluate(xmlNode* context, const Selector& selector) {
  xmlXPathContext& ctx = *ctx_;
  xmlNode* const start = context != nullptr ? context : xmlDocGetRootElement(doc_);
  const QuietGenericErrors quiet;

  xmlXPathCompExpr* compiled = nullptr;
  for (const auto& [text, expression] : compiled_) {
    if (text == selector.xpath) {
      compiled = expression.get();
      break;
    }
  }
  if (compiled == nullptr) {
    xmlResetError(&ctx.lastError);
    CompiledXPath fresh(xmlXPathCtxtCompile(&ctx, xml_chars(selector.xpath.c_str())));
    if (!fresh) return fail(xpath_error(selector, ctx));
    compiled = fresh.get();
    compiled_.emplace_back(selector.xpath, std::move(fresh));
  }
  if (last_result_ && compiled == last_expression_ && start == last_context_) {
    return last_result_.get();
  }

  // Each evaluation starts as on a fresh context: no earlier error, and its own op budget.
  last_result_.reset();
  xmlResetError(&ctx.lastError);
  ctx.opCount = 0;
  ctx.depth = 0;
  ctx.contextSize = -1;
  ctx.proximityPosition = -1;
  ctx.node = start;
  XPathObject result(xmlXPathCompiledEval(compiled, &ctx));
  if (!result) return fail(xpath_error(selector, ctx));
  last_context_ = start;
  last_expression_ = compiled;
  last_result_ = std::move(result);
  return last_result_.get();
}

Result<std::vector<xmlNode*>> XPathEvaluator::select_nodes(xmlNode* context,
                                                           const Selector& selector) {
  if (selector.xpath.empty()) return herald::select_nodes(doc_, context, selector);
  auto result = evaluate(context, selector);
  if (!result) return fail(result.error());
  return nodes_of(**result, selector);
}

Result<std::string> XPathEvaluator::select_value(xmlNode* context, const Selector& selector) {
  auto selected = select_value_and_node(context, selector);
  if (!selected) return fail(selected.error());
  return std::move(selected->value);
}

Result<SelectedValue> XPathEvaluator::select_value_and_node(xmlNode* context,
                                                            const Selector& selector) {
  if (selector.xpath.empty()) return value_of_self(doc_, context, selector);
  auto result = evaluate(context, selector);
  if (!result) return fail(result.error());
  return value_of(*result, selector);
}

std::string node_text(xmlNode* node) {
  if (node == nullptr) return {};
  XmlString content(xmlNodeGetContent(node));
  return collapse_whitespace(text_of(content.get()));
}

}  // namespace herald
