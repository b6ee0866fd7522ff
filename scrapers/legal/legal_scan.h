#pragma once

// Byte-level scanning helpers shared by the legal text readers (internal to herald_legal).
// Text is valid UTF-8; positions are byte offsets.

#include <cstddef>
#include <string_view>
#include <utility>

namespace herald::legal_detail {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

inline std::size_t digit_run(std::string_view s, std::size_t i) {
  std::size_t n = 0;
  while (i + n < s.size() && is_digit(s[i + n])) {
    ++n;
  }
  return n;
}

inline int number(std::string_view s, std::size_t i, std::size_t n) {
  int value = 0;
  for (std::size_t k = 0; k < n; ++k) {
    value = value * 10 + (s[i + k] - '0');
  }
  return value;
}

inline std::size_t skip_spaces(std::string_view s, std::size_t i) {
  while (i < s.size() && s[i] == ' ') {
    ++i;
  }
  return i;
}

inline bool at(std::string_view s, std::size_t i, std::string_view literal) {
  return i <= s.size() && s.substr(i).starts_with(literal);
}

// The code point starting at s[i] and its length (valid UTF-8 assumed; 0xFFFD otherwise).
inline std::pair<char32_t, std::size_t> code_point(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    return {b0, 1};
  }
  const std::size_t len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 1;
  if (len == 1 || i + len > s.size()) {
    return {0xFFFD, 1};
  }
  char32_t cp = b0 & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  for (std::size_t k = 1; k < len; ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  }
  return {cp, len};
}

inline bool is_han(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0xF900 && cp <= 0xFAFF);
}

}  // namespace herald::legal_detail
