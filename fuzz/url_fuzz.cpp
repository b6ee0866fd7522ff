// resolve_url and canonical_url_key on arbitrary references: never crash, every result is
// an http(s) URL, and the dedup key is a fixed point (canonical_url_key(key) == key), or
// the same item would be stored twice depending on how often its URL was normalised.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "scrapers/normalise/url.h"

namespace {

// List pages as herald sees them: a directory, a file with a query, a port, IPv6.
constexpr std::string_view kBases[] = {
    "http://www.beijing.gov.cn/ywdt/gzdt/",
    "https://www.miit.gov.cn/xwdt/gxdt/index.html?page=2&utm_source=x#top",
    "http://example.gov.cn:8080/a/b/c;p?q",
    "https://[2001:db8::1]/news/",
};

bool is_http_url(std::string_view s) {
  return s.starts_with("http://") || s.starts_with("https://");
}

void check_url(const std::string& url, std::string_view input) {
  herald::fuzz::check(is_http_url(url), "resolved URL is not http(s)", input);
  const std::string key = herald::canonical_url_key(url);
  herald::fuzz::check(is_http_url(key), "canonical key is not http(s)", input);
  if (herald::canonical_url_key(key) != key) {
    std::fprintf(stderr, "url: %s\nkey: %s\nkey of key: %s\n", url.c_str(), key.c_str(),
                 herald::canonical_url_key(key).c_str());
    herald::fuzz::invariant_failed("canonical_url_key is not idempotent", input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (const std::string_view base : kBases) {
    if (auto url = herald::resolve_url(base, input)) {
      check_url(*url, input);
    }
  }
  // The input as the base: a page URL after redirects is just as untrusted.
  if (auto url = herald::resolve_url(input, "./a.html?b=1")) {
    check_url(*url, input);
  }
  return 0;
}
