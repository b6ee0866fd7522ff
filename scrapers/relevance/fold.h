#pragma once

#include <string>
#include <string_view>

namespace herald {

// The one place herald folds text for comparison (topic matching, near-duplicate
// detection): Unicode NFKC, then full case folding, with default-ignorable code points
// (ZERO WIDTH SPACE, SOFT HYPHEN, ...) removed. NFKC turns full-width ASCII ("ＡＩ") and
// half-width katakana ("ｶﾀｶﾅ") into their ordinary forms and NBSP/U+3000 into a space;
// case folding is Unicode's, not just ASCII's ("Ä" -> "ä", "ß" -> "ss").
// Invalid UTF-8 is repaired (sanitize_utf8) before folding, so any input is accepted.
std::string fold_text(std::string_view text);

// Decodes the UTF-8 sequence at text[pos] (pos < text.size()). Returns its code point and
// stores its length in `length`; an invalid sequence yields U+FFFD with length 1.
char32_t code_point_at(std::string_view text, std::size_t pos, std::size_t& length);

// The code point that ends just before byte `pos` (pos > 0), for boundary checks.
char32_t code_point_before(std::string_view text, std::size_t pos);

// True for letters, combining marks and numbers (Unicode categories L*, M*, N*).
bool is_letter_or_number(char32_t cp);

// True for characters of scripts that separate words with spaces (Latin, Greek,
// Cyrillic, ...: letters, marks and digits below U+2000) and '_'. A keyword in such a
// script only matches where neither neighbour is one of these, so "ai" does not match
// "said" or "aié", while "AI" next to Chinese ("自研AI大模型") still does.
bool is_alphabetic_word_char(char32_t cp);

}  // namespace herald
