#include "scrapers/parse/html_document.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gumbo.h>
#include <libxml/dict.h>
#include <libxml/tree.h>

#include "common/text.h"

namespace herald {
namespace {

// gumbo 0.10.1 with default options keeps every parse error; 40k unclosed <span> then
// grow to gigabytes and end in assert() -> abort(). max_errors = 0 keeps none
// (RELIABILITY.md headline 2).
const GumboOptions& gumbo_options() {
  static const GumboOptions options = [] {
    GumboOptions o = kGumboDefaultOptions;
    o.max_errors = 0;
    return o;
  }();
  return options;
}

// gumbo_destroy_output needs the options only for their deallocator, so the same static
// options keep this deleter stateless.
struct GumboOutputFree {
  void operator()(GumboOutput* out) const noexcept { gumbo_destroy_output(&gumbo_options(), out); }
};
using GumboOutputPtr = std::unique_ptr<GumboOutput, GumboOutputFree>;

const xmlChar* xml_chars(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

// Counts '<' followed by an ASCII letter: an upper bound on the start tags gumbo will see
// (script bodies and comments may add some), cheap enough to run before parsing.
std::size_t count_start_tags(std::string_view html) {
  std::size_t count = 0;
  for (std::size_t pos = html.find('<'); pos != std::string_view::npos && pos + 1 < html.size();
       pos = html.find('<', pos + 1)) {
    const unsigned char next = static_cast<unsigned char>(html[pos + 1]);
    if ((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z')) ++count;
  }
  return count;
}

bool has_upper_ascii(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// `name` in lower case and NUL-terminated, or null when it would not be a valid XML name.
// gumbo lower-cases HTML names already, so `name` itself is usually the answer; SVG and
// MathML keep camelCase ones (viewBox), and unknown tags come as unterminated source text:
// those go through `buffer`.
const xmlChar* xml_name(std::string_view name, bool terminated, std::string& buffer) {
  const char* text = name.data();
  if (!terminated || has_upper_ascii(name)) {
    buffer.assign(name);
    for (char& c : buffer) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    text = buffer.c_str();
  }
  if (name.empty() || xmlValidateName(xml_chars(text), 0) != 0) return nullptr;
  return xml_chars(text);
}

// Lower-case element name, or null when it would not be a valid XML name (the element
// is then dropped and its children are kept in its place).
const xmlChar* element_name(const GumboElement& element, std::string& buffer) {
  if (element.tag != GUMBO_TAG_UNKNOWN) {
    return xml_name(gumbo_normalized_tagname(element.tag), true, buffer);
  }
  GumboStringPiece piece = element.original_tag;
  gumbo_tag_from_original_text(&piece);
  if (piece.data == nullptr) return nullptr;
  return xml_name(std::string_view(piece.data, piece.length), false, buffer);
}

void add_attributes(const GumboElement& element, xmlNode* node, std::string& buffer) {
  for (unsigned int i = 0; i < element.attributes.length; ++i) {
    const auto* attr = static_cast<const GumboAttribute*>(element.attributes.data[i]);
    // Tag soup has attributes like `1x` or `"foo`; XPath could not name them anyway.
    const xmlChar* name = xml_name(attr->name, true, buffer);
    if (name == nullptr) continue;
    if (xmlHasProp(node, name) != nullptr) continue;  // first one wins
    // xmlNewProp stores the value as text; gumbo has already decoded entities.
    xmlNewProp(node, name, xml_chars(attr->value));
  }
}

struct Pending {
  const GumboNode* node = nullptr;
  xmlNode* parent = nullptr;  // null: the document itself (the root element goes there)
  std::size_t depth = 0;      // of `node`: the root element is 1
};

}  // namespace

Result<HtmlDocument> HtmlDocument::parse(std::string_view utf8, const ParseLimits& limits) {
  if (utf8.size() > limits.max_bytes) {
    return fail(ErrorCode::kParseLimit,
                fmt::format("page is {} bytes, over the parse limit of {} bytes", utf8.size(),
                            limits.max_bytes));
  }
  if (const std::size_t tags = count_start_tags(utf8); tags > limits.max_tags) {
    return fail(ErrorCode::kParseLimit,
                fmt::format("page has at least {} start tags, over the parse limit of {}", tags,
                            limits.max_tags));
  }

  GumboOutputPtr output(gumbo_parse_with_options(&gumbo_options(), utf8.data(), utf8.size()));
  if (!output || output->document == nullptr) {
    return fail(ErrorCode::kParse, "the HTML parser returned no document");
  }

  XmlDoc doc(xmlNewDoc(xml_chars("1.0")));
  if (!doc) return fail(ErrorCode::kInternal, "libxml2 could not allocate a document");
  // With a dictionary libxml2 interns element and attribute names (and whitespace-only
  // text, below): a page's few dozen names are stored once instead of once per node, as
  // libxml2's own parser does. The document frees it.
  doc->dict = xmlDictCreate();
  if (doc->dict == nullptr) return fail(ErrorCode::kInternal, "libxml2 could not allocate a dictionary");
  std::optional<std::string> base_href;

  // Iterative pre-order walk: gumbo trees can be deep enough to overflow the stack.
  // Children are pushed in reverse so nodes are created, and appended, in document order.
  std::vector<Pending> stack;
  std::string name_buffer;  // reused for the names that need lower-casing
  const GumboVector& top = output->document->v.document.children;
  for (unsigned int i = top.length; i-- > 0;) {
    stack.push_back({static_cast<const GumboNode*>(top.data[i]), nullptr, 1});
  }
  while (!stack.empty()) {
    const Pending current = stack.back();
    stack.pop_back();
    const GumboNode* node = current.node;

    switch (node->type) {
      case GUMBO_NODE_ELEMENT: {
        if (current.depth > limits.max_depth) {
          return fail(ErrorCode::kParseLimit,
                      fmt::format("page nests elements deeper than the parse limit of {}",
                                  limits.max_depth));
        }
        const GumboElement& element = node->v.element;
        xmlNode* into = current.parent;
        const xmlChar* name = element_name(element, name_buffer);
        if (name != nullptr && !(current.parent == nullptr && xmlDocGetRootElement(doc.get()))) {
          xmlNode* created = xmlNewDocNode(doc.get(), nullptr, name, nullptr);
          if (created == nullptr) return fail(ErrorCode::kInternal, "libxml2 allocation failed");
          if (current.parent == nullptr) {
            xmlDocSetRootElement(doc.get(), created);
          } else {
            xmlAddChild(current.parent, created);
          }
          add_attributes(element, created, name_buffer);
          into = created;
          if (element.tag == GUMBO_TAG_BASE && !base_href) {
            for (unsigned int i = 0; i < element.attributes.length; ++i) {
              const auto* attr = static_cast<const GumboAttribute*>(element.attributes.data[i]);
              if (std::strcmp(attr->name, "href") == 0) {
                base_href = collapse_whitespace(attr->value);
                break;
              }
            }
          }
        }
        // A dropped element (bad name) hands its children to its parent. At document level
        // there can be only one root element; gumbo always gives exactly one (<html>).
        if (into == nullptr) break;
        const GumboVector& children = element.children;
        for (unsigned int i = children.length; i-- > 0;) {
          stack.push_back({static_cast<const GumboNode*>(children.data[i]), into, current.depth + 1});
        }
        break;
      }
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_WHITESPACE:
      case GUMBO_NODE_CDATA: {
        if (current.parent == nullptr) break;  // text outside <html> cannot be in an XML doc
        const char* text = node->v.text.text;
        const int length = static_cast<int>(std::strlen(text));
        xmlNode* created = nullptr;
        if (node->type == GUMBO_NODE_WHITESPACE) {
          // Indentation repeats all over a page: interned, as libxml2's parser does. Merging
          // and freeing such a node know the dictionary owns its content.
          const xmlChar* interned = xmlDictLookup(doc->dict, xml_chars(text), length);
          if (interned == nullptr) return fail(ErrorCode::kInternal, "libxml2 allocation failed");
          created = xmlNewDocTextLen(doc.get(), nullptr, 0);
          if (created != nullptr) created->content = const_cast<xmlChar*>(interned);
        } else {
          created = xmlNewDocTextLen(doc.get(), xml_chars(text), length);
        }
        if (created == nullptr) return fail(ErrorCode::kInternal, "libxml2 allocation failed");
        // May merge `created` into a preceding text node and free it; it is not used again.
        xmlAddChild(current.parent, created);
        break;
      }
      case GUMBO_NODE_COMMENT:   // nothing to extract from; keeps text() queries clean
      case GUMBO_NODE_TEMPLATE:  // inert content, never shown as such
      case GUMBO_NODE_DOCUMENT:
        break;
    }
  }

  if (xmlDocGetRootElement(doc.get()) == nullptr) {
    return fail(ErrorCode::kParse, "the HTML parser produced no root element");
  }
  return HtmlDocument(std::move(doc), std::move(base_href));
}

xmlNode* HtmlDocument::root() const { return xmlDocGetRootElement(doc_.get()); }

}  // namespace herald
