// parse_feed on arbitrary text (made valid UTF-8 first, as decode guarantees): never
// crash, and every string it hands on is valid UTF-8 without NUL, ready for SQLite.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/text.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/quiet_libxml2.h"
#include "scrapers/parse/feed.h"

using herald::fuzz::check_clean_text;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  herald::fuzz::quiet_libxml2();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string utf8 = herald::sanitize_utf8(input);
  auto feed = herald::parse_feed(utf8);
  if (!feed) {
    return 0;
  }
  check_clean_text(feed->title, "feed title is not clean UTF-8", input);
  check_clean_text(feed->link, "feed link is not clean UTF-8", input);
  for (const herald::RawItem& item : feed->items) {
    check_clean_text(item.title, "item title is not clean UTF-8", input);
    check_clean_text(item.link, "item link is not clean UTF-8", input);
    check_clean_text(item.date_text, "item date is not clean UTF-8", input);
    check_clean_text(item.summary, "item summary is not clean UTF-8", input);
    check_clean_text(item.guid, "item guid is not clean UTF-8", input);
    check_clean_text(item.base_url, "item xml:base is not clean UTF-8", input);
  }
  // The fragment-to-text helper sees the same hostile markup in descriptions.
  check_clean_text(herald::html_fragment_to_text(utf8),
                   "html_fragment_to_text output is not clean UTF-8", input);
  return 0;
}
