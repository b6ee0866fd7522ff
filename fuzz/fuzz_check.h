#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/text.h"

namespace herald::fuzz {

// A broken invariant must end the run so that libFuzzer saves the input as a crash; the
// message says which one, and the input is printed escaped because it may not be text.
[[noreturn]] inline void invariant_failed(const char* what, std::string_view input) {
  std::fprintf(stderr, "INVARIANT BROKEN: %s\ninput (%zu bytes): \"", what, input.size());
  for (const char c : input) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
      std::fputc(b, stderr);
    } else {
      std::fprintf(stderr, "\\x%02x", b);
    }
  }
  std::fputs("\"\n", stderr);
  std::abort();
}

inline void check(bool ok, const char* what, std::string_view input) {
  if (!ok) {
    invariant_failed(what, input);
  }
}

// Every string herald hands to SQLite and the review UI must pass this.
inline void check_clean_text(const std::string& field, const char* what, std::string_view input) {
  check(is_valid_utf8(field) && field.find('\0') == std::string::npos, what, input);
}

}  // namespace herald::fuzz
