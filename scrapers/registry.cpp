#include "scrapers/registry.h"

#include <fmt/format.h>

#include "scrapers/decode/decode.h"
#include "scrapers/extract/html_list.h"
#include "scrapers/normalise/normalise.h"
#include "scrapers/normalise/url.h"
#include "scrapers/parse/feed.h"
#include "scrapers/parse/html_document.h"

namespace herald {
namespace {

struct RawPage {
  std::vector<RawItem> items{};
  std::string base_url{};  // what relative links on this page resolve against
};

Result<RawPage> extract_html(const SourceConfig& source, const std::string& utf8,
                             const std::string& page_url) {
  if (!source.list) {
    return fail(ErrorCode::kConfig,
                fmt::format("{}: type = \"html\" needs a [list] section ({})", source.id, source.file));
  }
  auto page = HtmlDocument::parse(utf8);
  if (!page) {
    return fail(page.error());
  }
  auto items = extract_list(*page, *source.list);
  if (!items) {
    return fail(items.error());
  }
  RawPage raw{.items = std::move(*items), .base_url = page_url};
  // <base href> changes what relative links mean; a bad one is ignored like browsers do.
  if (page->base_href()) {
    if (auto base = resolve_url(page_url, *page->base_href())) {
      raw.base_url = *base;
    }
  }
  return raw;
}

Result<RawPage> extract_feed(const std::string& utf8, const std::string& page_url) {
  auto feed = parse_feed(utf8);
  if (!feed) {
    return fail(feed.error());
  }
  return RawPage{.items = std::move(feed->items), .base_url = page_url};
}

}  // namespace

void prepare_list_request(const SourceConfig& /*source*/,
                          const std::map<std::string, std::string>& /*tokens*/,
                          FetchRequest& /*request*/) {
  // TODO(#4): json (method, body) and courtlistener (URL, Authorization).
}

Result<Extraction> extract_page(const SourceConfig& source, const FetchResponse& page,
                                std::int64_t fetched_at_utc) {
  auto text = decode_to_utf8(page.body, page.content_type, source.charset);
  if (!text) {
    return fail(text.error());
  }
  const std::string& page_url = page.final_url.empty() ? source.url : page.final_url;

  // The extractor table: one line per source type.
  Result<RawPage> raw = [&]() -> Result<RawPage> {
    switch (source.type) {
      case SourceType::kHtml: return extract_html(source, text->utf8, page_url);
      case SourceType::kFeed: return extract_feed(text->utf8, page_url);
      case SourceType::kJson:
      case SourceType::kCourtListener:
      case SourceType::kWechat:
        break;  // TODO(#4): the json extractor and the code modules
    }
    return fail(ErrorCode::kInternal, "unknown source type");
  }();
  if (!raw) {
    return fail(raw.error());
  }

  Extraction extraction{.charset = text->charset, .charset_suspect = text->charset_suspect};
  for (const RawItem& item : raw->items) {
    auto normalised = normalise(item, source, raw->base_url, fetched_at_utc);
    if (!normalised) {
      ++extraction.rejected;  // one bad row must not sink the page
      continue;
    }
    extraction.items.push_back(std::move(*normalised));
  }
  if (static_cast<int>(extraction.items.size()) < source.expect_min_items) {
    return fail(ErrorCode::kNoMatch,
                fmt::format("{}: extracted {} items from {} (expected at least {}); {} {}",
                            source.id, extraction.items.size(), page_url, source.expect_min_items,
                            source.type == SourceType::kHtml
                                ? "the page layout may have changed: check the [list] selectors in"
                                : "the feed is empty or its entries lack titles or links; see",
                            source.file));
  }
  return extraction;
}

}  // namespace herald
