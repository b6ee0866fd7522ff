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
  if (last.str1 != nullptr && last.int1 >= 0) where = fmt::format(" at offset {}", last.int1);
  return Error{ErrorCode::kConfig,
               fmt::format("selector \"{}\" (XPath \"{}\"): {}{}", selector.text, selector.xpath,
                           xpath_error_text(last.code), where),
               false};
}

// Evaluates selector.xpath from `context` (the root element when null).
Result<XPathObject> evaluate(xmlDoc* doc, xmlNode* context, const Selector& selector) {
  XPathContext ctx(xmlXPathNewContext(doc));
  if (!ctx) return fail(ErrorCode::kInternal, "libxml2 could not allocate an XPath context");
  ctx->error = ignore_xpath_error;
  ctx->opLimit = kXPathOpLimit;
  ctx->node = context != nullptr ? context : xmlDocGetRootElement(doc);
  const QuietGenericErrors quiet;
  XPathObject result(xmlXPathEvalExpression(xml_chars(selector.xpath.c_str()), ctx.get()));
  if (!result) return fail(xpath_error(selector, *ctx));
  return result;
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

}  // namespace

Result<std::vector<xmlNode*>> select_nodes(xmlDoc* doc, xmlNode* context, const Selector& selector) {
  std::vector<xmlNode*> nodes;
  if (selector.xpath.empty()) {
    xmlNode* self = context != nullptr ? context : xmlDocGetRootElement(doc);
    if (self != nullptr) nodes.push_back(self);
    return nodes;
  }
  auto result = evaluate(doc, context, selector);
  if (!result) return fail(result.error());
  const xmlXPathObject& object = **result;
  if (object.type != XPATH_NODESET) {
    return fail(ErrorCode::kConfig,
                fmt::format("selector \"{}\" (XPath \"{}\") gives a value, not nodes",
                            selector.text, selector.xpath));
  }
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

Result<std::string> select_value(xmlDoc* doc, xmlNode* context, const Selector& selector) {
  if (!selector.xpath.empty()) {
    auto result = evaluate(doc, context, selector);
    if (!result) return fail(result.error());
    xmlXPathObject* object = result->get();
    // A raw XPath may compute a value (normalize-space(...), substring-after(...)).
    if (object->type != XPATH_NODESET) {
      XmlString value(xmlXPathCastToString(object));
      return collapse_whitespace(text_of(value.get()));
    }
    if (object->nodesetval == nullptr || object->nodesetval->nodeNr == 0) return std::string();
    xmlNode* first = object->nodesetval->nodeTab[0];
    return selector.attribute ? attribute_value(first, *selector.attribute) : node_text(first);
  }
  xmlNode* self = context != nullptr ? context : xmlDocGetRootElement(doc);
  return selector.attribute ? attribute_value(self, *selector.attribute) : node_text(self);
}

std::string node_text(xmlNode* node) {
  if (node == nullptr) return {};
  XmlString content(xmlNodeGetContent(node));
  return collapse_whitespace(text_of(content.get()));
}

}  // namespace herald
