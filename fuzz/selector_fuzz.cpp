// compile_selector on arbitrary text, in both scopes: it never crashes, errors carry a
// position, and every XPath it writes for a CSS selector is XPath 1.0 that libxml2 accepts
// (raw "xpath:" selectors are passed through and only checked structurally).

#include <libxml/xpath.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "common/text.h"
#include "config/selector.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/quiet_libxml2.h"

namespace {

bool is_raw_xpath(std::string_view text) {
  return herald::to_lower_ascii(text.substr(0, 6)) == "xpath:";
}

void check_scope(std::string_view input, herald::SelectorScope scope) {
  auto selector = herald::compile_selector(input, scope);
  if (!selector) {
    herald::fuzz::check(selector.error().message.rfind("position ", 0) == 0,
                        "selector error does not start with a position", input);
    return;
  }
  // Selectors come from TOML, which is UTF-8; libxml2 may rightly refuse other bytes.
  if (selector->xpath.empty() || is_raw_xpath(selector->text) || !herald::is_valid_utf8(input)) {
    return;
  }
  xmlXPathCompExpr* compiled =
      xmlXPathCompile(reinterpret_cast<const xmlChar*>(selector->xpath.c_str()));
  if (compiled == nullptr) {
    std::fprintf(stderr, "xpath: %s\n", selector->xpath.c_str());
    herald::fuzz::invariant_failed("libxml2 rejects the XPath compiled from CSS", input);
  }
  xmlXPathFreeCompExpr(compiled);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  herald::fuzz::quiet_libxml2();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_scope(input, herald::SelectorScope::kDocument);
  check_scope(input, herald::SelectorScope::kRelative);
  return 0;
}
