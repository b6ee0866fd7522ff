#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace herald {

struct DecodedPage {
  std::string utf8{};            // always valid UTF-8, no NUL bytes
  std::string charset{};         // the encoding actually used, canonical name ("GB18030", "UTF-8")
  std::string charset_origin{};  // "bom", "forced", "http", "meta", "xml", "detected", "default"
  bool charset_suspect = false;  // the declared charset did not fit the bytes
};

// Maps an encoding label to the name herald decodes with, following the WHATWG
// Encoding Standard (gb2312/gbk/x-gbk -> GB18030, shift_jis/x-sjis/ms932 -> WINDOWS-31J,
// latin1/iso-8859-1/ascii -> WINDOWS-1252, ...). nullopt for unknown labels.
std::optional<std::string> canonical_charset(std::string_view label);

// Extracts the charset parameter from a Content-Type header value, if any.
std::optional<std::string> charset_from_content_type(std::string_view content_type);

// Turns raw bytes into UTF-8. Order: forced charset > BOM > Content-Type charset >
// <meta> / <?xml encoding?> prescan of the first 1024 bytes > uchardet > UTF-8.
// A body labelled UTF-8 that is not valid UTF-8 is re-detected and flagged suspect.
// Invalid byte sequences become U+FFFD. Fails (kDecode) only for an unusable forced label.
Result<DecodedPage> decode_to_utf8(std::string_view body, std::string_view content_type,
                                   const std::optional<std::string>& forced_charset);

}  // namespace herald
