#include "scrapers/parse/html_document.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
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

// ---- the nesting-depth pre-scan (estimate_nesting_depth) ----

using NameSet = std::unordered_set<std::string_view>;

bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_html_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Elements that never have children.
const NameSet& void_elements() {
  static const NameSet names = {"area",  "base",   "basefont", "bgsound", "br",   "col",
                                "embed", "frame",  "hr",       "image",   "img",  "input",
                                "keygen", "link",  "menuitem", "meta",    "param", "source",
                                "track", "wbr"};
  return names;
}

// Elements whose content is text up to their own end tag (their children are not parsed).
const NameSet& raw_text_elements() {
  static const NameSet names = {"script", "style",   "textarea", "title",
                                "xmp",    "iframe",  "noembed",  "noframes"};
  return names;
}

// The HTML standard's "special" category: an end tag of another element does not close
// past one of these.
const NameSet& special_elements() {
  static const NameSet names = {
      "address",  "applet",   "area",    "article", "aside",     "base",     "basefont",
      "bgsound",  "blockquote", "body",  "br",      "button",    "caption",  "center",
      "col",      "colgroup", "dd",      "details", "dir",       "div",      "dl",
      "dt",       "embed",    "fieldset", "figcaption", "figure", "footer",  "form",
      "frame",    "frameset", "h1",      "h2",      "h3",        "h4",       "h5",
      "h6",       "head",     "header",  "hgroup",  "hr",        "html",     "iframe",
      "img",      "input",    "keygen",  "li",      "link",      "listing",  "main",
      "marquee",  "menu",     "meta",    "nav",     "noembed",   "noframes", "noscript",
      "object",   "ol",       "p",       "param",   "plaintext", "pre",      "script",
      "search",   "section",  "select",  "source",  "style",     "summary",  "table",
      "tbody",    "td",       "template", "textarea", "tfoot",   "th",       "thead",
      "title",    "tr",       "track",   "ul",      "wbr",       "xmp"};
  return names;
}

// Formatting elements: a misnested end tag of one is repaired (the adoption agency), which
// keeps the depth where it was instead of closing what lies between.
const NameSet& formatting_elements() {
  static const NameSet names = {"a",  "b",     "big",    "code",   "em", "font", "i",
                                "nobr", "s",   "small",  "strike", "strong", "tt", "u"};
  return names;
}

// Start tags that first close an open <p> ("in button scope").
const NameSet& closes_p() {
  static const NameSet names = {
      "address", "article", "aside",  "blockquote", "center", "details", "dialog",
      "dir",     "div",     "dl",     "fieldset",   "figcaption", "figure", "footer",
      "form",    "h1",      "h2",     "h3",         "h4",     "h5",      "h6",
      "header",  "hgroup",  "li",     "dd",         "dt",     "listing", "main",
      "menu",    "nav",     "ol",     "p",          "pre",    "search",  "section",
      "summary", "ul",      "xmp",    "plaintext"};
  return names;
}

const NameSet& headings() {
  static const NameSet names = {"h1", "h2", "h3", "h4", "h5", "h6"};
  return names;
}

// Where the searches for an element "in scope" stop.
const NameSet& default_scope() {
  static const NameSet names = {"applet", "caption", "html",  "table",
                                "td",     "th",      "marquee", "object", "template"};
  return names;
}
const NameSet& button_scope() {
  static const NameSet names = {"applet", "caption", "html",     "table", "td",
                                "th",     "marquee", "object",   "template", "button"};
  return names;
}
const NameSet& table_scope() {
  static const NameSet names = {"html", "table", "template"};
  return names;
}

// A stack of open elements, as the HTML tree builder keeps it, reduced to what moves the
// depth. Every search down the stack gives up after kWalkLimit elements (and then leaves
// the stack as it is, which can only overestimate): a page cannot make the scan quadratic.
class DepthScan {
 public:
  explicit DepthScan(std::size_t stop_above) : stop_above_(stop_above) {}

  std::size_t run(std::string_view html) {
    std::size_t pos = 0;
    while (deepest_ <= stop_above_) {
      pos = html.find('<', pos);
      if (pos == std::string_view::npos || pos + 1 >= html.size()) break;
      const char next = html[pos + 1];
      if (next == '!') {
        pos = skip_markup_declaration(html, pos);
      } else if (next == '?') {
        pos = skip_past(html, pos + 2, ">");
      } else if (next == '/') {
        if (pos + 2 < html.size() && is_ascii_alpha(html[pos + 2])) {
          const Tag tag = read_tag(html, pos + 2);
          if (!tag.complete) break;  // a tag cut off by the end of the page is dropped
          close(tag.name);
          pos = tag.end;
        } else {
          pos = skip_past(html, pos + 2, ">");
        }
      } else if (is_ascii_alpha(next)) {
        const Tag tag = read_tag(html, pos + 1);
        if (!tag.complete) break;
        pos = tag.end;
        if (tag.name == "plaintext") break;  // the rest of the page is text
        if (raw_text_elements().contains(tag.name)) {
          pos = skip_raw_text(html, pos, tag.name);
          continue;
        }
        open(tag.name, tag.self_closing);
      } else {
        ++pos;  // a '<' in text
      }
      if (pos == std::string_view::npos) break;
    }
    return deepest_;
  }

 private:
  static constexpr std::size_t kWalkLimit = 32;
  static constexpr std::size_t kMaxName = 64;
  // <html> and <body> (or <head>): every tree has them, written or not.
  static constexpr std::size_t kDocumentLevels = 2;

  struct Tag {
    std::string name{};
    bool self_closing = false;
    bool complete = false;
    std::size_t end = 0;  // just past the '>'
  };

  static std::size_t skip_past(std::string_view html, std::size_t from, std::string_view what) {
    const std::size_t at = html.find(what, from);
    return at == std::string_view::npos ? at : at + what.size();
  }

  static std::size_t skip_markup_declaration(std::string_view html, std::size_t pos) {
    if (html.substr(pos, 4) == "<!--") return skip_past(html, pos + 2, "-->");
    if (html.substr(pos, 9) == "<![CDATA[") return skip_past(html, pos + 9, "]]>");
    return skip_past(html, pos + 2, ">");  // <!DOCTYPE ...> and bogus comments
  }

  // Past the end tag of raw-text element `name` that starts at or after `from`.
  static std::size_t skip_raw_text(std::string_view html, std::size_t from,
                                   std::string_view name) {
    for (std::size_t at = html.find("</", from); at != std::string_view::npos;
         at = html.find("</", at + 2)) {
      const std::size_t after = at + 2 + name.size();
      if (after > html.size()) return std::string_view::npos;
      bool same = true;
      for (std::size_t i = 0; i < name.size() && same; ++i) {
        same = ascii_lower(html[at + 2 + i]) == name[i];
      }
      if (same && (after == html.size() || is_html_space(html[after]) || html[after] == '/' ||
                   html[after] == '>')) {
        return at;  // the end tag itself is read next (and closes nothing that was counted)
      }
    }
    return std::string_view::npos;
  }

  // The tag whose name starts at `from`, up to its '>' (quoted attribute values may hold
  // '>'). Names are lower-cased and cut at kMaxName.
  static Tag read_tag(std::string_view html, std::size_t from) {
    Tag tag;
    std::size_t i = from;
    while (i < html.size() && !is_html_space(html[i]) && html[i] != '/' && html[i] != '>') {
      if (tag.name.size() < kMaxName) tag.name.push_back(ascii_lower(html[i]));
      ++i;
    }
    char last = '\0';  // the last character outside quotes that was not a space
    while (i < html.size()) {
      const char c = html[i];
      if (c == '>') {
        tag.self_closing = last == '/';
        tag.complete = true;
        tag.end = i + 1;
        return tag;
      }
      if ((c == '"' || c == '\'') && last == '=') {
        const std::size_t close = html.find(c, i + 1);
        if (close == std::string_view::npos) return tag;
        i = close + 1;
        last = c;
        continue;
      }
      if (!is_html_space(c)) last = c;
      ++i;
    }
    return tag;
  }

  std::size_t depth() const { return stack_.size() + kDocumentLevels; }

  void push(std::string_view name) {
    ++generation_;
    stack_.emplace_back(name);
    ++open_count_[stack_.back()];
    if (name == "svg" || name == "math") ++foreign_;
    deepest_ = std::max(deepest_, depth());
  }

  void pop() {
    ++generation_;
    const std::string& name = stack_.back();
    if (name == "svg" || name == "math") --foreign_;
    --open_count_[name];
    stack_.pop_back();
  }

  void pop_to(std::size_t index) {  // pops stack_[index] and everything above it
    while (stack_.size() > index) pop();
  }

  bool is_open(std::string_view name) const {
    const auto found = open_count_.find(std::string(name));
    return found != open_count_.end() && found->second > 0;
  }

  // Index of the deepest element in `targets` above the first `boundaries` element,
  // within kWalkLimit of the top; nullopt when there is none.
  std::optional<std::size_t> find_open(const NameSet& targets, const NameSet& boundaries) const {
    std::optional<std::size_t> found;
    for (std::size_t k = 0; k < stack_.size() && k < kWalkLimit; ++k) {
      const std::size_t index = stack_.size() - 1 - k;
      const std::string_view name = stack_[index];
      if (targets.contains(name)) {
        found = index;
      } else if (boundaries.contains(name)) {
        break;
      }
    }
    return found;
  }

  void close_implied(const NameSet& targets, const NameSet& boundaries) {
    if (auto index = find_open(targets, boundaries)) pop_to(*index);
  }

  void open(std::string_view name, bool self_closing) {
    if (name == "html" || name == "head" || name == "body") return;  // in kDocumentLevels
    if (void_elements().contains(name)) return;
    if (self_closing && foreign_ > 0) return;  // <path/> in SVG; in HTML the '/' means nothing
    if (name == "form" && is_open("form")) return;  // a form inside a form is ignored

    static const NameSet p_target = {"p"};
    static const NameSet li_target = {"li"};
    static const NameSet list_item_targets = {"dd", "dt"};
    static const NameSet a_target = {"a"};
    static const NameSet cells = {"td", "th"};
    static const NameSet cell_bounds = {"tr", "table", "tbody", "thead", "tfoot", "template"};
    static const NameSet row_targets = {"tr", "td", "th"};
    static const NameSet row_bounds = {"table", "tbody", "thead", "tfoot", "template"};
    static const NameSet section_targets = {"tbody", "thead", "tfoot", "tr", "td", "th"};
    static const NameSet table_target = {"table"};
    static const NameSet table_bounds = {"td", "th", "caption", "template"};
    static const NameSet option_targets = {"option"};
    static const NameSet optgroup_targets = {"option", "optgroup"};
    static const NameSet select_bounds = {"select", "datalist"};
    // <li>, <dd>, <dt> close an open sibling found before any special element other than
    // <address>, <div> and <p>.
    static const NameSet list_bounds = [] {
      NameSet bounds = special_elements();
      for (const std::string_view passable : {"address", "div", "p"}) bounds.erase(passable);
      return bounds;
    }();

    if (closes_p().contains(name)) close_implied(p_target, button_scope());
    if (name == "li") {
      close_implied(li_target, list_bounds);
    } else if (name == "dd" || name == "dt") {
      close_implied(list_item_targets, list_bounds);
    } else if (headings().contains(name)) {
      if (!stack_.empty() && headings().contains(stack_.back())) pop();
    } else if (name == "a") {
      // An <a> inside an open <a> ends the first (misnested: the first is taken out).
      if (auto index = find_open(a_target, default_scope())) {
        if (closes_nothing_special(*index)) {
          pop_to(*index);
        } else {
          erase(*index);
        }
      }
    } else if (name == "td" || name == "th") {
      close_implied(cells, cell_bounds);
      // A cell outside a row gets one (and a row outside a section a <tbody>) from the parser.
      if (!stack_.empty() && stack_.back() == "table") push("tbody");
      if (!stack_.empty() && (stack_.back() == "tbody" || stack_.back() == "thead" ||
                              stack_.back() == "tfoot")) {
        push("tr");
      }
    } else if (name == "tr") {
      close_implied(row_targets, row_bounds);
      if (!stack_.empty() && stack_.back() == "table") push("tbody");
    } else if (name == "table") {
      // A table straight inside a table (not in a cell or caption) ends the first one.
      close_implied(table_target, table_bounds);
    } else if (name == "tbody" || name == "thead" || name == "tfoot") {
      close_implied(section_targets, table_scope());
    } else if (name == "option") {
      close_implied(option_targets, select_bounds);
    } else if (name == "optgroup") {
      close_implied(optgroup_targets, select_bounds);
    }
    push(name);
  }

  // Whether everything above stack_[index] is non-special.
  bool closes_nothing_special(std::size_t index) const {
    for (std::size_t i = index + 1; i < stack_.size(); ++i) {
      if (special_elements().contains(stack_[i])) return false;
    }
    return true;
  }

  void erase(std::size_t index) {
    ++generation_;
    const std::string& name = stack_[index];
    if (name == "svg" || name == "math") --foreign_;
    --open_count_[name];
    stack_.erase(stack_.begin() + static_cast<std::ptrdiff_t>(index));
  }

  void close(std::string_view name) {
    if (name == "html" || name == "head" || name == "body") return;
    if (!is_open(name)) return;  // a stray end tag closes nothing
    // The same end tag ignored again on an unchanged stack: ignored again, without a walk.
    if (generation_ == ignored_generation_ && name == ignored_name_) return;
    const bool special = special_elements().contains(name);
    const bool formatting = formatting_elements().contains(name);
    static const NameSet table_parts = {"table", "tbody", "thead", "tfoot", "tr"};
    static const NameSet list_scope = [] {
      NameSet bounds = default_scope();
      bounds.insert("ol");
      bounds.insert("ul");
      return bounds;
    }();
    const NameSet& scope = name == "li"                  ? list_scope
                           : name == "p"                 ? button_scope()
                           : table_parts.contains(name)  ? table_scope()
                                                         : default_scope();
    for (std::size_t k = 0; k < stack_.size() && k < kWalkLimit; ++k) {
      const std::size_t index = stack_.size() - 1 - k;
      const std::string_view current = stack_[index];
      if (current == name) {
        if (formatting && !closes_nothing_special(index)) {
          // The adoption agency: the element closes, but what it held stays open with a
          // copy of it inside, one level down: the depth stays as it is.
          erase(index);
          push(name);
        } else {
          pop_to(index);
        }
        return;
      }
      if (special ? scope.contains(current)
                  : (!formatting && special_elements().contains(current))) {
        break;  // not in scope: the end tag is ignored
      }
    }
    ignored_name_ = name;
    ignored_generation_ = generation_;
  }

  std::size_t stop_above_;
  std::vector<std::string> stack_;
  std::unordered_map<std::string, std::size_t> open_count_;
  std::size_t foreign_ = 0;  // open <svg> and <math>
  std::size_t deepest_ = kDocumentLevels;
  std::uint64_t generation_ = 0;  // changes with every change to stack_
  std::string ignored_name_;      // the last end tag ignored, and on which stack
  std::uint64_t ignored_generation_ = 0;
};

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

std::size_t estimate_nesting_depth(std::string_view html, std::size_t stop_above) {
  return DepthScan(stop_above).run(html);
}

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
  // gumbo's time grows with the square of the depth: a 100k-deep page is refused here, from
  // its bytes, instead of after gumbo has spent half a minute building its tree.
  if (const std::size_t depth = estimate_nesting_depth(utf8, limits.max_depth);
      depth > limits.max_depth) {
    return fail(ErrorCode::kParseLimit,
                fmt::format("page nests elements deeper than the parse limit of {} (found by "
                            "the scan before parsing; the page was not parsed)",
                            limits.max_depth));
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
