#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/timezone.h"
#include "scrapers/enrich/article.h"
#include "scrapers/parse/html_document.h"

namespace herald {

// True for a WeChat 公众号 article address (http(s)://mp.weixin.qq.com/…).
bool is_wechat_article_url(std::string_view url);

// The publish time a WeChat article page carries in its scripts: `var ct = "1699344000"`
// (or ct = '…', ct: …; Unix seconds), else `createTime = '2023-11-07 18:00'` read in `tz`.
// The visible #publish_time element is empty in the server's HTML (a script fills it).
std::optional<ParsedDate> wechat_publish_time(const HtmlDocument& page, const TimeZone& tz,
                                              std::int64_t now_utc, std::string* text = nullptr);

// A WeChat article page (mp.weixin.qq.com/s/…) -> its fields:
//   title:          meta og:title, else #activity-name;
//   published:      wechat_publish_time(), else extract_article's fallbacks;
//   body:           div#js_content as text (paragraphs; images are lazy img[data-src]);
//   summary:        meta description, og:description, else the first long paragraph;
//   content_source: the account's name (#js_name, else the script's var nickname).
// Errors as extract_article (kConfig, kParseLimit); missing fields are not errors.
Result<ArticleFields> extract_wechat_article(const HtmlDocument& page, const TimeZone& tz,
                                             std::int64_t now_utc);

}  // namespace herald
