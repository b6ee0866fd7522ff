#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/c_handles.h"
#include "common/result.h"

namespace herald {

// Safety limits for gumbo 0.10.1, which can abort the process or go quadratic on small
// hostile pages (RELIABILITY.md C6).
struct ParseLimits {
  std::size_t max_bytes = 4 * 1024 * 1024;
  std::size_t max_tags = 200'000;   // start tags counted by a pre-scan
  std::size_t max_depth = 1'000;    // nesting depth: pre-scan estimate, then the built tree
};

// The nesting depth gumbo's tree will about have, read from the bytes without building
// anything: start tags push and end tags pop a stack of open elements (void elements,
// comments, doctypes and the contents of script, style, textarea, title and the like
// count for nothing; <html>, <head> and <body> are the 2 levels every tree has), with the
// commonest implied end tags (<li>, <p>, <dd>/<dt>, <option>, table cells and rows, <a>,
// headings) and stray end tags handled as HTML parsing does. Meant to come out at or
// above the real depth on hostile pages, where it matters; it can be a level or two off
// either way on tag soup, which is why the built tree is checked too. Stops counting as
// soon as the depth passes `stop_above`. Linear in the page's size.
std::size_t estimate_nesting_depth(std::string_view html, std::size_t stop_above);

// An HTML page parsed by gumbo and rebuilt as a libxml2 document, so that one query
// engine (XPath 1.0, see xpath.h) serves HTML and XML alike. Element and attribute names
// are lower case; namespaces are dropped.
class HtmlDocument {
 public:
  // Errors: kParseLimit when a limit is passed, kParse when gumbo returns nothing.
  static Result<HtmlDocument> parse(std::string_view utf8, const ParseLimits& limits = {});

  xmlDoc* doc() const { return doc_.get(); }
  xmlNode* root() const;

  // <base href> if the page has one (not yet resolved).
  const std::optional<std::string>& base_href() const { return base_href_; }

 private:
  HtmlDocument(XmlDoc doc, std::optional<std::string> base_href)
      : doc_(std::move(doc)), base_href_(std::move(base_href)) {}
  XmlDoc doc_;
  std::optional<std::string> base_href_;
};

}  // namespace herald
