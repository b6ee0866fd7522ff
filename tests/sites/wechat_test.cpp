// The wechat module and manual intake of single pages (extract_single_item), over the
// reconstructed WeChat page of the newsletter's item 15 (tests/fixtures/sites/NOTE.md).

#include "scrapers/sites/wechat.h"

#include <cstdint>
#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scrapers/registry.h"
#include "tests/sites/shipped_source.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using testing::read_fixture;
using testing::shipped_source;

constexpr const char* kArticleUrl = "https://mp.weixin.qq.com/s/f1fMfsuawveBEP_eLkD8_w";
constexpr const char* kTitle = "杭州互联网法院发布十大典型司法建议，涉及AI换脸应添加显著标识的司法建议";
constexpr std::int64_t kPublished = 1699351200;  // 2023-11-07 18:00 +08:00
constexpr std::int64_t kFetchedAt = 1701302400;  // 2023-11-30T00:00:00Z


FetchResponse page(std::string body, std::string url = kArticleUrl,
                   std::string content_type = "text/html; charset=utf-8") {
  return FetchResponse{.status = 200,
                       .final_url = std::move(url),
                       .content_type = std::move(content_type),
                       .body = std::move(body)};
}

Result<HtmlDocument> parse(const std::string& html) { return HtmlDocument::parse(html); }

TEST(WechatTest, ReadsTheCourtsArticleThroughItsSource) {
  const SourceConfig court = shipped_source("cn-hz-netcourt");
  ASSERT_EQ(court.type, SourceType::kWechat);
  auto item = extract_single_item(&court, page(read_fixture("sites/wechat-hz-netcourt.html")),
                                  kFetchedAt);
  ASSERT_TRUE(item.has_value()) << item.error().message;
  EXPECT_EQ(item->source_id, "cn-hz-netcourt");
  EXPECT_EQ(item->title, kTitle);
  EXPECT_EQ(item->url, kArticleUrl);
  ASSERT_TRUE(item->published_at.has_value());
  EXPECT_EQ(*item->published_at, kPublished);
  EXPECT_FALSE(item->date_suspect);
  EXPECT_EQ(item->published_text, "1699351200");
  EXPECT_THAT(item->summary, StartsWith("杭州互联网法院在案件审理中发现"));
  EXPECT_EQ(item->content_source, "杭州互联网法院");
  // The body is the article's text by paragraph, without the page chrome or scripts.
  EXPECT_THAT(item->body, StartsWith("近日，杭州互联网法院发布十大典型司法建议。"));
  EXPECT_THAT(item->body,
              HasSubstr("\n\n典型司法建议之一：关于AI换脸应添加显著标识的司法建议\n\n"));
  EXPECT_THAT(item->body, Not(HasSubstr("first_sceen__time")));
  EXPECT_THAT(item->body, Not(HasSubstr("rich_media_meta")));
  EXPECT_FALSE(item->fingerprint.empty());
}

TEST(WechatTest, AWechatLinkWithoutASourceStillUsesTheModule) {
  auto item = extract_single_item(nullptr, page(read_fixture("sites/wechat-hz-netcourt.html")),
                                  kFetchedAt);
  ASSERT_TRUE(item.has_value()) << item.error().message;
  EXPECT_EQ(item->source_id, "manual");
  EXPECT_EQ(item->title, kTitle);
  ASSERT_TRUE(item->published_at.has_value());
  EXPECT_EQ(*item->published_at, kPublished);
  EXPECT_EQ(item->content_source, "杭州互联网法院");
}

TEST(WechatTest, PolledAsAPageItGivesOneItem) {
  const SourceConfig platform = shipped_source("cn-wechat-mp");
  auto extraction =
      extract_page(platform, page(read_fixture("sites/wechat-hz-netcourt.html")), kFetchedAt);
  ASSERT_TRUE(extraction.has_value()) << extraction.error().message;
  ASSERT_EQ(extraction->items.size(), 1u);
  EXPECT_EQ(extraction->items[0].title, kTitle);
  EXPECT_EQ(extraction->items[0].url, kArticleUrl);
  EXPECT_EQ(extraction->items[0].published_at, kPublished);
}

TEST(WechatTest, TitleFallsBackToActivityNameAndAccountToNickname) {
  const std::string html =
      "<html><head></head><body><h1 id=\"activity-name\"> 标题 在此 </h1>"
      "<div id=\"js_content\"><p>正文第一段。</p></div>"
      "<script>var nickname = htmlDecode(\"知产库\"); var ct = '1701244800';</script>"
      "</body></html>";
  auto doc = parse(html);
  ASSERT_TRUE(doc.has_value());
  auto fields = extract_wechat_article(*doc, TimeZone::utc(), kFetchedAt);
  ASSERT_TRUE(fields.has_value()) << fields.error().message;
  EXPECT_EQ(fields->title, "标题 在此");
  EXPECT_EQ(fields->content_source, "知产库");
  ASSERT_TRUE(fields->published.has_value());
  EXPECT_EQ(fields->published->utc_seconds, 1701244800);
  EXPECT_TRUE(fields->published->has_time);
  EXPECT_EQ(fields->body, "正文第一段。");
}

TEST(WechatTest, PublishTimeForms) {
  const TimeZone shanghai = TimeZone::fixed(8 * 3600);
  struct Case {
    const char* script;
    std::optional<std::int64_t> expected;
  };
  const Case cases[] = {
      {"var ct = \"1699351200\";", 1699351200},
      {"var ct='1699351200' ;", 1699351200},
      {"window.x = {ct: 1699351200};", 1699351200},
      // Not the variable ct: a property of another object, a comparison, a longer name.
      {"a.ct = \"1699351200\";", std::nullopt},
      {"if (ct == \"1699351200\") {}", std::nullopt},
      {"var select = \"1699351200\";", std::nullopt},
      // Not a time stamp.
      {"var ct = \"abc\";", std::nullopt},
      // createTime is local time when there is no ct.
      {"var createTime = '2023-11-07 18:00';", 1699351200},
  };
  for (const Case& c : cases) {
    const std::string html =
        std::string("<html><body><script>") + c.script + "</script></body></html>";
    auto doc = parse(html);
    ASSERT_TRUE(doc.has_value());
    std::string text;
    const auto published = wechat_publish_time(*doc, shanghai, kFetchedAt, &text);
    if (c.expected) {
      ASSERT_TRUE(published.has_value()) << c.script;
      EXPECT_EQ(published->utc_seconds, *c.expected) << c.script;
    } else {
      EXPECT_FALSE(published.has_value()) << c.script;
    }
  }
}

TEST(WechatTest, RecognisesArticleAddresses) {
  EXPECT_TRUE(is_wechat_article_url("https://mp.weixin.qq.com/s/f1fMfsuawveBEP_eLkD8_w"));
  EXPECT_TRUE(is_wechat_article_url("HTTP://MP.WEIXIN.QQ.COM/s?__biz=x"));
  EXPECT_FALSE(is_wechat_article_url("https://mp.weixin.qq.com.evil.example/s/x"));
  EXPECT_FALSE(is_wechat_article_url("https://weixin.qq.com/"));
}

// ---- generic manual intake ------------------------------------------------------------

constexpr const char* kGenericArticle =
    "<html><head><title>Site · A headline</title>"
    "<meta name=\"description\" content=\"What happened, in one line.\">"
    "<meta property=\"article:published_time\" content=\"2023-11-02T09:30:00\">"
    "</head><body><h1>A headline</h1><div class=\"info\"><span "
    "class=\"when\">2023年11月03日</span></div>"
    "<div class=\"text\"><p>First paragraph of the article, long enough to count as text.</p>"
    "<p>Second paragraph of the article, also long enough to count.</p></div></body></html>";

TEST(SingleItemTest, WithoutASourceTheItemIsManualAndReadInUtc) {
  auto item = extract_single_item(
      nullptr, page(kGenericArticle, "https://www.example.com/news/a-headline"), kFetchedAt);
  ASSERT_TRUE(item.has_value()) << item.error().message;
  EXPECT_EQ(item->source_id, "manual");
  EXPECT_EQ(item->url, "https://www.example.com/news/a-headline");
  EXPECT_EQ(item->title, "A headline");  // no og:title: the <h1>, not the <title>
  EXPECT_EQ(item->summary, "What happened, in one line.");
  ASSERT_TRUE(item->published_at.has_value());
  EXPECT_EQ(*item->published_at, 1698917400);  // 2023-11-02T09:30:00Z
  EXPECT_THAT(item->body, HasSubstr("Second paragraph"));
}

TEST(SingleItemTest, TheSourcesArticleRulesAndZoneApply) {
  SourceConfig source;
  source.id = "example";
  source.timezone = TimeZone::fixed(8 * 3600);
  ArticleRules rules;
  rules.date = *compile_selector("span.when", SelectorScope::kDocument);
  source.article = rules;
  auto item = extract_single_item(
      &source, page(kGenericArticle, "https://www.example.com/news/a-headline"), kFetchedAt);
  ASSERT_TRUE(item.has_value()) << item.error().message;
  EXPECT_EQ(item->source_id, "example");
  ASSERT_TRUE(item->published_at.has_value());
  EXPECT_EQ(*item->published_at, 1698940800);  // 2023-11-03 00:00 +08:00
}

TEST(SingleItemTest, TitleFallsBackToTheTitleElement) {
  auto item = extract_single_item(
      nullptr, page("<html><head><title> Only a title </title></head><body><p>x</p></body></html>",
                    "https://example.com/a"),
      kFetchedAt);
  ASSERT_TRUE(item.has_value()) << item.error().message;
  EXPECT_EQ(item->title, "Only a title");
  EXPECT_FALSE(item->published_at.has_value());
}

TEST(SingleItemTest, APageWithoutATitleIsNoMatch) {
  auto item = extract_single_item(nullptr, page("<html><body><p>nothing</p></body></html>",
                                                "https://example.com/a"),
                                  kFetchedAt);
  ASSERT_FALSE(item.has_value());
  EXPECT_EQ(item.error().code, ErrorCode::kNoMatch);
  EXPECT_THAT(item.error().message, HasSubstr("https://example.com/a"));
}

TEST(SingleItemTest, WithoutAFetchAddressTheCanonicalLinkIsUsed) {
  auto item = extract_single_item(
      nullptr,
      page("<html><head><link rel=\"canonical\" href=\"https://example.com/c\"></head>"
           "<body><h1>T</h1></body></html>",
           ""),
      kFetchedAt);
  ASSERT_TRUE(item.has_value()) << item.error().message;
  EXPECT_EQ(item->url, "https://example.com/c");
}

TEST(SingleItemTest, ADateInTheFutureIsNotUsed) {
  auto item = extract_single_item(
      nullptr,
      page("<html><head><meta property=\"article:published_time\" content=\"2031-01-01T00:00:00Z\">"
           "</head><body><h1>T</h1></body></html>",
           "https://example.com/a"),
      kFetchedAt);
  ASSERT_TRUE(item.has_value()) << item.error().message;
  EXPECT_FALSE(item->published_at.has_value());
  EXPECT_TRUE(item->date_suspect);
}

TEST(SingleItemTest, DecodesTheSourcesCharset) {
  SourceConfig source;
  source.id = "gbk-site";
  // "标题" in GBK.
  const std::string body = "<html><head><title>\xB1\xEA\xCC\xE2</title></head><body></body></html>";
  auto item = extract_single_item(
      &source, page(body, "https://example.com/a", "text/html; charset=gbk"), kFetchedAt);
  ASSERT_TRUE(item.has_value()) << item.error().message;
  EXPECT_EQ(item->title, "标题");
}

}  // namespace
}  // namespace herald
