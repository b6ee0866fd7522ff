// The legal-metadata extractor on arbitrary input: the bytes (made valid UTF-8 first, as
// decode guarantees) parsed as an HTML page and read with extract_legal_from_page, its own
// text as the body; and the bytes split into a title and a text for extract_legal_from_text.
// Never crash, and every result keeps the extractor's promises (legal_facts_problem): dates
// are calendar dates, the instrument is in kInstrumentTypes, values are within their caps,
// valid UTF-8 without control characters.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "common/legal.h"
#include "common/text.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/quiet_libxml2.h"
#include "scrapers/legal/legal.h"
#include "scrapers/parse/html_document.h"

namespace {

void check_facts(const herald::LegalFacts& facts, std::string_view input) {
  const std::string problem = herald::legal_facts_problem(facts);
  if (!problem.empty()) {
    std::fprintf(stderr, "legal_fuzz: %s\n", problem.c_str());
    herald::fuzz::invariant_failed("legal facts break their invariants", input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  herald::fuzz::quiet_libxml2();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // The first byte picks the year hint (none, or 2000..2254), so year-less dates and the
  // new-year roll are exercised too.
  std::optional<int> year_hint;
  if (!input.empty() && input.front() != '\0') {
    year_hint = 2000 + static_cast<unsigned char>(input.front());
  }
  const std::string text = herald::sanitize_utf8(input);

  const herald::ParseLimits limits{.max_bytes = 64 * 1024, .max_tags = 4'000, .max_depth = 200};
  if (auto page = herald::HtmlDocument::parse(text, limits)) {
    check_facts(herald::extract_legal_from_page(*page, text, year_hint), input);
  }

  // Title up to the first newline, the rest as the list row's summary (raw bytes: the text
  // reader cleans its own input).
  const std::size_t newline = input.find('\n');
  const std::string_view title = input.substr(0, newline);
  const std::string_view summary =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  const herald::LegalFacts list = herald::extract_legal_from_text(title, summary, year_hint);
  check_facts(list, input);

  herald::LegalFacts merged;
  herald::merge_legal(merged, list);
  check_facts(merged, input);
  return 0;
}
