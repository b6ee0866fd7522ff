#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace herald {

// True if `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view s);

// Returns `s` as valid UTF-8: each invalid sequence becomes U+FFFD, NUL bytes are dropped
// (SQLite TEXT and C strings must never see them).
std::string sanitize_utf8(std::string_view s);

// Trims, and turns every run of whitespace (ASCII, NBSP U+00A0, ideographic space U+3000,
// other Unicode spaces) into one ASCII space.
std::string collapse_whitespace(std::string_view s);

// Cuts `s` to at most `max_bytes` without splitting a UTF-8 sequence; appends "…" when cut.
std::string truncate_utf8(std::string_view s, std::size_t max_bytes);

// Removes ASCII control characters (and DEL) so a scraped string cannot inject into a
// terminal or the journal. Tabs and newlines become spaces.
std::string strip_controls(std::string_view s);

std::string to_lower_ascii(std::string_view s);

// Appends code point `cp` as UTF-8; a surrogate, NUL or value above U+10FFFF becomes U+FFFD.
void append_utf8(std::string& out, char32_t cp);

// Lower-case hex SHA-256 of `data` (used for fingerprints and evidence).
std::string sha256_hex(std::string_view data);

}  // namespace herald
