#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "common/legal.h"
#include "common/result.h"
#include "common/timezone.h"
#include "config/source_config.h"
#include "scrapers/normalise/date.h"
#include "scrapers/parse/html_document.h"

namespace herald {

// Caps on what one article page can contribute to an item.
inline constexpr std::size_t kMaxArticleBodyBytes = 64 * 1024;
inline constexpr std::size_t kMaxArticleTextBytes = 8 * 1024;  // title, summary, source

// What an item's own page says about it. Strings are valid UTF-8 without control
// characters; empty (or nullopt) when the page does not say.
struct ArticleFields {
  // [article] title, else ArticleTitle / og:title metas, else <title> without its site-name
  // suffix when the page shows that text as a line of its own.
  std::string title{};
  std::string published_text{};  // the date text `published` was read from, as printed
  std::optional<ParsedDate> published{};
  std::string summary{};         // one line
  std::string body{};            // paragraphs separated by "\n\n", at most kMaxArticleBodyBytes
  std::string content_source{};  // <meta name="ContentSource"> (Chinese government templates)
  // 文号, issuer, dates, instrument type, comment deadline (scrapers/legal/legal.h): from the
  // page's metadata table, metas and `body`; dates without a year take `published`'s year.
  LegalFacts legal{};
};

// Reads an article page. For each field the configured selector (rules) comes first;
// when it is absent or finds nothing, the page's own metadata and a text heuristic:
//   date:    meta PubDate (first of two datetimes), article:published_time, publishdate,
//            publishedtime, "og:time " (ifeng), JSON-LD datePublished (arrays, @graph),
//            <time datetime>, short elements whose class or id says time/date, a visible
//            line labelled 发布时间/发布日期/发表时间/发表日期/发文日期/Published (from
//            the label on), then the first publish-time field (pubtime, publish_time,
//            publishDate, ...) in an inline script's JSON or object literal;
//   summary: meta description, og:description, else the first paragraph of at least
//            40 characters (characters, not bytes: Chinese text is short in characters);
//   body:    the element holding most paragraph text (readability-style scoring), as text.
// Dates without a zone are read in `tz`; `now_utc` anchors relative dates. Fails (kConfig,
// kParseLimit) only when a configured selector cannot be evaluated; missing fields are not
// errors.
Result<ArticleFields> extract_article(const HtmlDocument& page,
                                      const std::optional<ArticleRules>& rules,
                                      const TimeZone& tz, std::int64_t now_utc);

}  // namespace herald
