// decode_to_utf8 on arbitrary bytes: whatever the label says, the result is valid UTF-8
// with no NUL bytes (the DecodedPage contract that parse and storage rely on).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/text.h"
#include "fuzz/fuzz_check.h"
#include "scrapers/decode/decode.h"

namespace {

// The labels herald meets in Content-Type headers, plus ones decode must cope with:
// a wrong label, an unknown one, UTF-16, and none at all.
constexpr std::string_view kContentTypes[] = {
    "",
    "text/html",
    "text/html; charset=utf-8",
    "text/html; charset=GBK",
    "text/html; charset=gb2312",
    "text/html;charset=\"Shift_JIS\"",
    "text/html; charset=big5",
    "text/html; charset=euc-jp",
    "text/html; charset=iso-8859-1",
    "text/html; charset=utf-16",
    "text/html; charset=utf-16le",
    "text/html; charset=x-no-such-charset",
    "application/rss+xml",
    "application/xml; charset=UTF-8",
    "text/xml; charset=windows-1252",
    "text/html; charset=",
};
constexpr std::size_t kContentTypeCount = sizeof(kContentTypes) / sizeof(kContentTypes[0]);

// nullopt most of the time; otherwise a forced charset as a source file would set it.
const std::optional<std::string> kForced[] = {
    std::nullopt,         std::nullopt,        std::nullopt,
    std::nullopt,         std::string("gbk"),  std::string("shift_jis"),
    std::string("utf-8"), std::string("big5"),
};
constexpr std::size_t kForcedCount = sizeof(kForced) / sizeof(kForced[0]);

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto selector = static_cast<unsigned char>(input[0]);
  const std::string_view content_type = kContentTypes[selector % kContentTypeCount];
  const std::optional<std::string>& forced = kForced[(selector / kContentTypeCount) % kForcedCount];
  const std::string_view body = input.substr(1);

  auto page = herald::decode_to_utf8(body, content_type, forced);
  if (!page) {
    // The only documented failure: a forced label decode cannot use.
    herald::fuzz::check(forced.has_value(), "decode failed without a forced charset", input);
    return 0;
  }
  herald::fuzz::check(herald::is_valid_utf8(page->utf8), "decoded text is not valid UTF-8", input);
  herald::fuzz::check(page->utf8.find('\0') == std::string::npos, "decoded text contains NUL",
                      input);
  herald::fuzz::check(!page->charset.empty(), "decoded page names no charset", input);
  return 0;
}
