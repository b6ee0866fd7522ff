#include "scrapers/relevance/fold.h"

#include <algorithm>
#include <cstdlib>
#include <memory>

#include <utf8proc.h>

#include "common/text.h"

namespace herald {
namespace {

// utf8proc_map returns a malloc'd buffer. (A standard library function's address may not
// be taken portably, so this is a struct rather than CFree<std::free>.)
struct MallocFree {
  void operator()(void* p) const noexcept { std::free(p); }
};
using Utf8procBuffer = std::unique_ptr<utf8proc_uint8_t, MallocFree>;

constexpr auto kFoldOptions = static_cast<utf8proc_option_t>(
    UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);

}  // namespace

std::string fold_text(std::string_view text) {
  // On ASCII, NFKC with case folding and ignorables removed is exactly ASCII lower-casing
  // (no ASCII character decomposes, composes or is default-ignorable), without utf8proc's
  // code point buffer.
  if (std::all_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    return to_lower_ascii(text);
  }
  // utf8proc rejects the whole string on one bad byte; scraped text must still match.
  const std::string repaired = is_valid_utf8(text) ? std::string() : sanitize_utf8(text);
  const std::string_view input = repaired.empty() ? text : std::string_view(repaired);
  if (input.empty()) {
    return {};
  }
  utf8proc_uint8_t* raw = nullptr;
  const utf8proc_ssize_t length =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(input.data()),
                   static_cast<utf8proc_ssize_t>(input.size()), &raw, kFoldOptions);
  const Utf8procBuffer owned(raw);
  if (length < 0 || !owned) {
    // Only UTF8PROC_ERROR_NOMEM (or an overflow) is possible after repair; ASCII folding
    // still keeps the common case working.
    return to_lower_ascii(input);
  }
  return std::string(reinterpret_cast<const char*>(owned.get()), static_cast<std::size_t>(length));
}

char32_t code_point_at(std::string_view text, std::size_t pos, std::size_t& length) {
  utf8proc_int32_t cp = 0;
  const utf8proc_ssize_t n =
      utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + pos),
                       static_cast<utf8proc_ssize_t>(text.size() - pos), &cp);
  if (n <= 0) {
    length = 1;
    return U'\uFFFD';
  }
  length = static_cast<std::size_t>(n);
  return static_cast<char32_t>(cp);
}

char32_t code_point_before(std::string_view text, std::size_t pos) {
  std::size_t start = pos - 1;
  // Step back over at most three continuation bytes to the lead byte.
  while (start > 0 && pos - start < 4 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) {
    --start;
  }
  std::size_t length = 0;
  const char32_t cp = code_point_at(text, start, length);
  return start + length == pos ? cp : U'\uFFFD';
}

bool is_letter_or_number(char32_t cp) {
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

bool is_alphabetic_word_char(char32_t cp) {
  return cp == U'_' || (cp < 0x2000 && is_letter_or_number(cp));
}

}  // namespace herald
