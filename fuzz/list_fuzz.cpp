// HtmlDocument::parse with tight limits, then extract_list with a few typical rule sets, on
// arbitrary text (made valid UTF-8 first, as decode guarantees): never crash, and every
// field extracted is valid UTF-8 without NUL.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/text.h"
#include "config/selector.h"
#include "config/source_config.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/quiet_libxml2.h"
#include "scrapers/extract/html_list.h"
#include "scrapers/parse/html_document.h"

namespace {

herald::Selector compile(std::string_view css, herald::SelectorScope scope) {
  auto selector = herald::compile_selector(css, scope);
  if (!selector) {
    std::fprintf(stderr, "list_fuzz: bad rule '%.*s': %s\n", static_cast<int>(css.size()),
                 css.data(), selector.error().message.c_str());
    std::abort();
  }
  return *selector;
}

herald::ListRules rules(std::string_view item, std::optional<std::string_view> title,
                        std::string_view link, std::optional<std::string_view> date,
                        std::optional<std::string_view> summary) {
  using herald::SelectorScope;
  herald::ListRules r;
  r.item = compile(item, SelectorScope::kDocument);
  if (title) {
    r.title = compile(*title, SelectorScope::kRelative);
  }
  r.link = compile(link, SelectorScope::kRelative);
  if (date) {
    r.date = compile(*date, SelectorScope::kRelative);
  }
  if (summary) {
    r.summary = compile(*summary, SelectorScope::kRelative);
  }
  return r;
}

// Shapes of the shipped sources and the extract tests: a plain list, table and definition
// rows with pseudo-classes, links as items, and a raw XPath item selector.
const std::vector<herald::ListRules>& rule_sets() {
  static const std::vector<herald::ListRules> sets{
      rules("ul.list li", "a@title", "a@href", "span", std::nullopt),
      rules("ul li, dl > dd, tr", std::nullopt, "a:not(.more)@href", "span:last-child, td + td",
            "p"),
      rules("a[href]", std::nullopt, "@href", std::nullopt, std::nullopt),
      rules("xpath://*[a][position() < 50]", "a", "a@href", "*:nth-child(2n+1)", "div ~ p"),
  };
  return sets;
}

}  // namespace

using herald::fuzz::check_clean_text;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  herald::fuzz::quiet_libxml2();
  rule_sets();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // Small limits keep each run fast; the limit checks themselves are under test too.
  const herald::ParseLimits limits{.max_bytes = 64 * 1024, .max_tags = 4'000, .max_depth = 200};
  auto page = herald::HtmlDocument::parse(herald::sanitize_utf8(input), limits);
  if (!page) {
    return 0;
  }
  if (const auto& base = page->base_href()) {
    check_clean_text(*base, "<base href> is not clean UTF-8", input);
  }
  for (const herald::ListRules& r : rule_sets()) {
    auto items = herald::extract_list(*page, r);
    if (!items) {
      continue;
    }
    for (const herald::RawItem& item : *items) {
      check_clean_text(item.title, "title is not clean UTF-8", input);
      check_clean_text(item.link, "link is not clean UTF-8", input);
      herald::fuzz::check(!item.link.empty(), "an item without a link was kept", input);
      check_clean_text(item.date_text, "date is not clean UTF-8", input);
      check_clean_text(item.summary, "summary is not clean UTF-8", input);
    }
  }
  return 0;
}
