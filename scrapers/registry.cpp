#include "scrapers/registry.h"

#include <fmt/format.h>

#include "common/text.h"
#include "scrapers/decode/decode.h"
#include "scrapers/enrich/article.h"
#include "scrapers/extract/html_list.h"
#include "scrapers/extract/json_list.h"
#include "scrapers/normalise/normalise.h"
#include "scrapers/normalise/url.h"
#include "scrapers/parse/feed.h"
#include "scrapers/parse/html_document.h"
#include "scrapers/parse/xpath.h"
#include "scrapers/sites/courtlistener.h"
#include "scrapers/sites/wechat.h"

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

Result<RawPage> extract_json(const SourceConfig& source, const std::string& utf8,
                             const std::string& page_url) {
  if (!source.json) {
    return fail(ErrorCode::kConfig, fmt::format("{}: type = \"json\" needs a [json] section ({})",
                                                source.id, source.file));
  }
  auto items = extract_json_list(utf8, *source.json);
  if (!items) {
    return fail(items.error());
  }
  return RawPage{.items = std::move(*items), .base_url = page_url};
}

Result<RawPage> extract_courtlistener_page(const SourceConfig& source, const std::string& utf8,
                                           const std::string& page_url) {
  // Links are resolved at the origin the search was sent to: the configured url's.
  auto items = extract_courtlistener(utf8, courtlistener_origin(source.url));
  if (!items) {
    return fail(items.error());
  }
  return RawPage{.items = std::move(*items), .base_url = page_url};
}

// When nothing gives a title, a manually added page still has its <h1> or <title>.
std::string fallback_title(const HtmlDocument& page) {
  for (const char* xpath : {"//h1", "//title"}) {
    const Selector selector{.text = std::string("xpath:") + xpath, .xpath = xpath,
                            .attribute = std::nullopt};
    auto value = select_value(page.doc(), nullptr, selector);
    if (value) {
      std::string title = collapse_whitespace(strip_controls(*value));
      if (!title.empty()) {
        return truncate_utf8(title, kMaxArticleTextBytes);
      }
    }
  }
  return {};
}

// The address of a page given on its own: where it was fetched from, else what the page
// says it is (og:url, <link rel=canonical>).
std::string page_address(const HtmlDocument& page, const FetchResponse& response) {
  if (!response.final_url.empty()) {
    return response.final_url;
  }
  for (const char* xpath : {"//meta[@property='og:url']/@content",
                            "//link[@rel='canonical']/@href"}) {
    const Selector selector{.text = std::string("xpath:") + xpath, .xpath = xpath,
                            .attribute = std::nullopt};
    auto value = select_value(page.doc(), nullptr, selector);
    if (value && !collapse_whitespace(*value).empty()) {
      return collapse_whitespace(*value);
    }
  }
  return {};
}

// One article page, read by the source's module or generically.
struct ArticlePage {
  ArticleFields fields{};
  std::string url{};
};

Result<ArticlePage> read_article_page(const SourceConfig& source, bool wechat,
                                      const std::string& utf8, const FetchResponse& response,
                                      std::int64_t now_utc) {
  auto page = HtmlDocument::parse(utf8);
  if (!page) {
    return fail(page.error());
  }
  ArticlePage article{.url = page_address(*page, response)};
  auto fields = wechat ? extract_wechat_article(*page, source.timezone, now_utc)
                       : extract_article(*page, source.article, source.timezone, now_utc);
  if (!fields) {
    return fail(fields.error());
  }
  article.fields = std::move(*fields);
  if (article.fields.title.empty()) {
    article.fields.title = fallback_title(*page);
  }
  if (article.fields.title.empty()) {
    return fail(ErrorCode::kNoMatch,
                fmt::format("{}: {} has no title (no og:title, <h1> or <title>)", source.id,
                            article.url.empty() ? std::string("the page") : article.url));
  }
  if (article.url.empty()) {
    return fail(ErrorCode::kNoMatch,
                fmt::format("{}: the page \"{}\" has no address (fetched from nowhere, and no "
                            "og:url or canonical link)",
                            source.id, truncate_utf8(article.fields.title, 80)));
  }
  return article;
}

// type = "wechat" polled directly: the page is one article, and so one item.
Result<RawPage> extract_wechat_page(const SourceConfig& source, const std::string& utf8,
                                    const FetchResponse& response, std::int64_t now_utc) {
  auto article = read_article_page(source, true, utf8, response, now_utc);
  if (!article) {
    return fail(article.error());
  }
  RawItem raw{.title = article->fields.title,
              .link = article->url,
              .date_text = article->fields.published_text,
              .summary = article->fields.summary};
  return RawPage{.items = {std::move(raw)}, .base_url = article->url};
}

bool polls_bridge(const SourceConfig& source) {
  return source.mode == SourceMode::kManual && source.bridge_url.has_value();
}

std::string_view no_match_hint(const SourceConfig& source) {
  if (polls_bridge(source)) {
    return "the bridge feed is empty or its entries lack titles or links; check bridge_url in";
  }
  switch (source.type) {
    case SourceType::kHtml:
      return "the page layout may have changed: check the [list] selectors in";
    case SourceType::kFeed:
      return "the feed is empty or its entries lack titles or links; see";
    case SourceType::kJson:
      return "the API's items lack titles or links: check the [json] paths in";
    case SourceType::kCourtListener:
      return "the search found nothing or its results lack case names: check [courtlistener] in";
    case SourceType::kWechat:
      return "the page is not a WeChat article; see";
  }
  return "see";
}

// The manual-intake stand-in for "no source": dates in UTC, items filed under "manual".
const SourceConfig& manual_source() {
  static const SourceConfig manual = [] {
    SourceConfig config;
    config.id = "manual";
    config.name = "manual";
    config.mode = SourceMode::kManual;
    return config;
  }();
  return manual;
}

// As in normalise: a date more than a day after the fetch is a site's mistake.
constexpr std::int64_t kFutureSlackSeconds = 86400;

}  // namespace

void prepare_list_request(const SourceConfig& source,
                          const std::map<std::string, std::string>& tokens,
                          FetchRequest& request) {
  if (polls_bridge(source)) {
    request.url = *source.bridge_url;  // a plain feed: none of the type's API settings apply
    return;
  }
  switch (source.type) {
    case SourceType::kJson:
      if (source.json) {
        request.method = source.json->method;
        if (source.json->method == "POST") {
          request.body = source.json->body;
          request.body_content_type = "application/x-www-form-urlencoded";
        }
      }
      break;
    case SourceType::kCourtListener:
      if (source.courtlistener) {
        request.url =
            courtlistener_search_url(courtlistener_origin(source.url), *source.courtlistener);
      }
      if (const auto token = tokens.find("courtlistener");
          token != tokens.end() && !token->second.empty()) {
        request.headers.emplace_back("Authorization", "Token " + token->second);
      }
      break;
    case SourceType::kHtml:
    case SourceType::kFeed:
    case SourceType::kWechat:
      break;
  }
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
    if (polls_bridge(source)) {
      return extract_feed(text->utf8, page_url);
    }
    switch (source.type) {
      case SourceType::kHtml: return extract_html(source, text->utf8, page_url);
      case SourceType::kFeed: return extract_feed(text->utf8, page_url);
      case SourceType::kJson: return extract_json(source, text->utf8, page_url);
      case SourceType::kCourtListener:
        return extract_courtlistener_page(source, text->utf8, page_url);
      case SourceType::kWechat:
        return extract_wechat_page(source, text->utf8, page, fetched_at_utc);
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
                            no_match_hint(source), source.file));
  }
  return extraction;
}

Result<Item> extract_single_item(const SourceConfig* source, const FetchResponse& page,
                                 std::int64_t fetched_at_utc) {
  const SourceConfig& config = source != nullptr ? *source : manual_source();
  auto text = decode_to_utf8(page.body, page.content_type, config.charset);
  if (!text) {
    return fail(text.error());
  }
  // A WeChat link added without a source is still a WeChat page.
  const bool wechat = config.type == SourceType::kWechat ||
                      (source == nullptr && is_wechat_article_url(page.final_url));
  auto article = read_article_page(config, wechat, text->utf8, page, fetched_at_utc);
  if (!article) {
    return fail(article.error());
  }
  ArticleFields& fields = article->fields;
  // The date goes in as parsed below, not as text: the article's own reading (first of two
  // PubDate values, a script's Unix time) is better than re-reading what it printed.
  const RawItem raw{.title = fields.title, .link = article->url, .summary = fields.summary};
  auto item = normalise(raw, config, article->url, fetched_at_utc);
  if (!item) {
    return fail(item.error());
  }
  if (fields.published) {
    if (fields.published->utc_seconds <= fetched_at_utc + kFutureSlackSeconds) {
      item->published_at = fields.published->utc_seconds;
      item->published_text = std::move(fields.published_text);
      item->date_suspect = false;
    } else {
      item->date_suspect = true;
    }
  }
  item->body = std::move(fields.body);
  item->content_source = std::move(fields.content_source);
  item->legal = std::move(fields.legal);
  item->fingerprint = item_fingerprint(item->title, item->published_at, config.timezone);
  return item;
}

}  // namespace herald
