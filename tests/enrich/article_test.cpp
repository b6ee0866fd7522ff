#include "scrapers/enrich/article.h"

#include <cstdint>
#include <optional>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/text.h"
#include "common/timezone.h"
#include "config/selector.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using testing::read_fixture;

// 2024-01-01T00:00:00Z: after every fixture's date, so none is "in the future".
constexpr std::int64_t kNow = 1704067200;

TimeZone shanghai() {
  auto tz = TimeZone::load("Asia/Shanghai");
  EXPECT_TRUE(tz.has_value()) << tz.error().message;
  return tz ? *tz : TimeZone::fixed(8 * 3600);
}

// UTC seconds of a local wall time in a fixed zone (the fixtures are all before any
// recent DST change in the zones used).
std::int64_t utc(int year, int month, int day, int hour, int minute, int second,
                 int offset_hours) {
  return days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 +
         second - offset_hours * 3600;
}

ArticleFields extract(const std::string& fixture, const TimeZone& tz,
                      const std::optional<ArticleRules>& rules = std::nullopt) {
  auto doc = HtmlDocument::parse(read_fixture("enrich/" + fixture));
  EXPECT_TRUE(doc.has_value()) << doc.error().message;
  if (!doc) {
    return {};
  }
  auto fields = extract_article(*doc, rules, tz, kNow);
  EXPECT_TRUE(fields.has_value()) << fields.error().message;
  return fields ? *fields : ArticleFields{};
}

Selector css(std::string_view text) {
  auto selector = compile_selector(text, SelectorScope::kDocument);
  EXPECT_TRUE(selector.has_value()) << selector.error().message;
  return selector ? *selector : Selector{};
}

TEST(ExtractArticleTest, GmwStateMediaDateFromPublishdateMetaAndReadabilityExcerpt) {
  const ArticleFields fields = extract("gmw-article-2017-03-10.html", shanghai());

  ASSERT_TRUE(fields.published.has_value());
  EXPECT_EQ(fields.published->utc_seconds, utc(2017, 3, 10, 0, 0, 0, 8));
  EXPECT_FALSE(fields.published->has_time);
  EXPECT_EQ(fields.published_text, "2017-03-10");
  // gmw-article-2017-03-10.readability-expected-metadata.json "excerpt".
  EXPECT_EQ(fields.summary,
            "不幸的是，对于希望能喝上一杯的太空探险者，那些将他们送上太空的政府机构普遍禁止他们染指"
            "包括酒在内的含酒精饮料。");
  // The first paragraphs of readability-expected.html, each a paragraph of its own.
  EXPECT_THAT(fields.body, StartsWith("翱翔于距地球数千公里的太空中，进入广袤漆黑的未知领域，"));
  EXPECT_THAT(fields.body,
              HasSubstr("这让人感到巨大压力和极度恐慌。那么，为什么不能让宇航员来一杯“地球末日”"
                        "鸡尾酒来放松一下？\n\n不幸的是，对于希望能喝上一杯的太空探险者"));
  EXPECT_TRUE(fields.content_source.empty());
}

TEST(ExtractArticleTest, YouthDescriptionMetaIsReadCaseInsensitively) {
  const ArticleFields fields = extract("youth-cn-article-2017-03-10.html", shanghai());

  ASSERT_TRUE(fields.published.has_value());
  EXPECT_EQ(fields.published->utc_seconds, utc(2017, 3, 10, 0, 0, 0, 8));
  // <meta name="Description">; the same text as the readability excerpt.
  EXPECT_THAT(fields.summary, StartsWith("图为马素湘在澳大利亚悉尼游玩时的近影。出国前后关注点大不同"));
  EXPECT_THAT(fields.summary, EndsWith("“我高中毕业后就出国留学了。"));
  EXPECT_THAT(fields.body, HasSubstr("在法国里昂国立应用科学院留学的卢宇表示"));
}

TEST(ExtractArticleTest, QqWithoutDateMetaTakesTheDateLineInTheArticleHeader) {
  // The page as the repository stored it (UTF-8); the GB2312 bytes go through decode in
  // the daemon's enrichment integration test.
  const ArticleFields fields = extract("qq-tech-article-2016-deepmind.utf8.html", shanghai());

  ASSERT_TRUE(fields.published.has_value());
  // <span class="pubTime">2016年10月14日07:17</span>
  EXPECT_EQ(fields.published->utc_seconds, utc(2016, 10, 14, 7, 17, 0, 8));
  EXPECT_TRUE(fields.published->has_time);
  EXPECT_EQ(fields.published_text, "2016年10月14日07:17");
  // qq-tech-article-2016-deepmind.readability-expected-metadata.json "excerpt".
  EXPECT_EQ(fields.summary, "DeepMind新电脑已可利用记忆自学 人工智能迈上新台阶");
  EXPECT_THAT(fields.body, HasSubstr("DeepMind"));
}

TEST(ExtractArticleTest, ChinanewsTimeInTheBodyIsFound) {
  const ArticleFields fields = extract("chinanews-article-2020.html", shanghai());

  ASSERT_TRUE(fields.published.has_value());
  // <span id="pubtime_baidu">2020-07-04 12:10:24</span>
  EXPECT_EQ(fields.published->utc_seconds, utc(2020, 7, 4, 12, 10, 24, 8));
  EXPECT_TRUE(fields.published->has_time);
  EXPECT_THAT(fields.summary, StartsWith("扩大内需势必拉动供给扩张"));
  EXPECT_THAT(fields.body, Not(HasSubstr("window.")));  // scripts are not text
}

TEST(ExtractArticleTest, IfengMetaNameWithTrailingSpace) {
  const ArticleFields fields = extract("ifeng-article-saved-2022-06-30.html", shanghai());

  ASSERT_TRUE(fields.published.has_value());
  // <meta name="og:time " content="2019-02-20 02:26:00">
  EXPECT_EQ(fields.published->utc_seconds, utc(2019, 2, 20, 2, 26, 0, 8));
  EXPECT_EQ(fields.title, "故宫，你低调点！故宫：不，实力已不允许我继续低调");
  EXPECT_THAT(fields.summary, StartsWith("“我的名字叫紫禁城，快要600岁了"));
  EXPECT_THAT(fields.body, HasSubstr("有灯无月不娱人，有月无灯不算春。\n\n春到人间人似玉，灯烧月下月如怠。"));
}

TEST(ExtractArticleTest, TheRegisterDatelineOgTitleAndOgDescription) {
  auto london = TimeZone::load("Europe/London");
  ASSERT_TRUE(london.has_value()) << london.error().message;
  const ArticleFields fields =
      extract("article-2014-01-22-review_ouya_android_games_console.html", *london);

  ASSERT_TRUE(fields.published.has_value());
  // <span class="dateline">22nd January 2014</span>
  EXPECT_EQ(fields.published->utc_seconds, utc(2014, 1, 22, 0, 0, 0, 0));
  EXPECT_EQ(fields.title, "We see ya, Ouya, you tasty Android games console gear");
  EXPECT_EQ(fields.summary,
            "But you won’t leave Sony and and Microsoft quaking to their controllers");
  EXPECT_THAT(fields.body, HasSubstr("Is the Ouya worth 99 quid?"));
}

TEST(ExtractArticleTest, ConfiguredSelectorsComeFirst) {
  ArticleRules rules;
  rules.title = css("h2.standfirst");
  rules.summary = css("h1");
  rules.body = css("h2.standfirst");
  const ArticleFields fields = extract("article-2014-01-22-review_ouya_android_games_console.html",
                                       TimeZone::utc(), rules);

  EXPECT_EQ(fields.title, "But you won’t leave Sony and and Microsoft quaking to their controllers");
  EXPECT_EQ(fields.summary, "We see ya, Ouya, you tasty Android games console gear");
  EXPECT_EQ(fields.body, "But you won’t leave Sony and and Microsoft quaking to their controllers");
}

TEST(ExtractArticleTest, ConfiguredBodySelectorMayTakeAnAttribute) {
  ArticleRules rules;
  rules.body = css("meta[property=og:title]@content");
  const ArticleFields fields = extract("ifeng-article-saved-2022-06-30.html", shanghai(), rules);

  EXPECT_EQ(fields.body, "故宫，你低调点！故宫：不，实力已不允许我继续低调");
  // The summary fallbacks still work without a body container.
  EXPECT_THAT(fields.summary, StartsWith("“我的名字叫紫禁城"));
}

TEST(ExtractArticleTest, ConfiguredSelectorThatMatchesNothingFallsBack) {
  ArticleRules rules;
  rules.date = css("div.no-such-date");
  rules.summary = css("p.no-such-summary");
  const ArticleFields fields = extract("ifeng-article-saved-2022-06-30.html", shanghai(), rules);

  ASSERT_TRUE(fields.published.has_value());
  EXPECT_EQ(fields.published->utc_seconds, utc(2019, 2, 20, 2, 26, 0, 8));
  EXPECT_THAT(fields.summary, StartsWith("“我的名字叫紫禁城"));
}

TEST(ExtractArticleTest, ConfiguredDateSelectorWins) {
  ArticleRules rules;
  // chinanews prints the date twice; the visible line is minutes only.
  rules.date = css("div.left-t");
  const ArticleFields fields = extract("chinanews-article-2020.html", shanghai(), rules);

  ASSERT_TRUE(fields.published.has_value());
  EXPECT_EQ(fields.published->utc_seconds, utc(2020, 7, 4, 12, 10, 0, 8));
  EXPECT_THAT(fields.published_text, StartsWith("2020年07月04日 12:10"));
}

TEST(ExtractArticleTest, SelectorThatFailsToEvaluateIsAnError) {
  auto doc = HtmlDocument::parse(read_fixture("enrich/gmw-article-2017-03-10.html"));
  ASSERT_TRUE(doc.has_value());
  ArticleRules rules;
  rules.body = Selector{.text = "xpath:no-such-function(1)", .xpath = "no-such-function(1)"};

  auto fields = extract_article(*doc, rules, TimeZone::utc(), kNow);

  ASSERT_FALSE(fields.has_value());
  EXPECT_EQ(fields.error().code, ErrorCode::kConfig);
}

TEST(ExtractArticleTest, JsonLdDatePublishedInsideCdataAmongOtherBlocks) {
  // Organization and BreadcrumbList blocks come first and have no date.
  const ArticleFields fields =
      extract("gitlab-blog-2024-06-25-jsonld-excerpt.html", TimeZone::utc());

  ASSERT_TRUE(fields.published.has_value());
  // gitlab-blog expected-metadata.json "publishedTime": "2024-06-25".
  EXPECT_EQ(fields.published->utc_seconds, utc(2024, 6, 25, 0, 0, 0, 0));
  EXPECT_EQ(fields.published_text, "2024-06-25");
}

TEST(ExtractArticleTest, ChineseGovernmentMetas) {
  // No real article page with these metas is saved; gov-metas-minimal.html carries the
  // ArticleTitle / PubDate / ContentSource metas named in SURVEY.md ("Cross-cutting facts"),
  // PubDate with two datetimes as that note warns, and a #mainText body (bj-gov notes).
  const ArticleFields fields = extract("gov-metas-minimal.html", shanghai());

  EXPECT_EQ(fields.title, "北京市关于加快人工智能产业发展的通知");
  EXPECT_EQ(fields.content_source, "北京市人民政府办公厅");
  ASSERT_TRUE(fields.published.has_value());
  EXPECT_EQ(fields.published->utc_seconds, utc(2018, 3, 16, 9, 30, 0, 8));
  EXPECT_TRUE(fields.published->has_time);
  EXPECT_EQ(fields.body, "各区人民政府，市政府各委、办、局：\n\n经市政府同意，现将有关事项通知如下。");
  // Both paragraphs are shorter than 40 characters: no summary rather than a salutation.
  EXPECT_EQ(fields.summary, "");
}

TEST(ExtractArticleTest, JapanesePageWithoutMetadataStillGivesItsText) {
  const ArticleFields fields = extract("hukumusume-jp-story-page.html", TimeZone::utc());

  // The story is one <p> in a layout table, next to a <p> that only holds an ad script.
  EXPECT_THAT(fields.body, HasSubstr("肉をくわえたイヌが、橋を渡っていました。"));
  EXPECT_THAT(fields.body, Not(HasSubstr("google_ad_client")));
  EXPECT_TRUE(is_valid_utf8(fields.body));
  EXPECT_LE(fields.body.size(), kMaxArticleBodyBytes);
}

TEST(ExtractArticleTest, PageWithNothingUsefulGivesEmptyFieldsNotAnError) {
  auto doc = HtmlDocument::parse(read_fixture("enrich/theregister-bootnotes-headlines-2012-11-02.atom.xml"));
  ASSERT_TRUE(doc.has_value());

  auto fields = extract_article(*doc, std::nullopt, TimeZone::utc(), kNow);

  ASSERT_TRUE(fields.has_value()) << fields.error().message;
  EXPECT_TRUE(fields->title.empty());
  EXPECT_TRUE(fields->content_source.empty());
}

}  // namespace
}  // namespace herald
