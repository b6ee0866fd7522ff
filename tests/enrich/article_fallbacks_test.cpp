// extract_article's last fallbacks, for pages that print no date metadata: a labelled line
// of visible text, a publish-time field in an inline script, and a <title> whose site-name
// suffix is dropped when the page shows the title as a line of its own.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/timezone.h"
#include "scrapers/enrich/article.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

// 2024-01-01T00:00:00Z, after every date used here.
constexpr std::int64_t kNow = 1704067200;

TimeZone shanghai() {
  auto tz = TimeZone::load("Asia/Shanghai");
  EXPECT_TRUE(tz.has_value()) << tz.error().message;
  return tz ? *tz : TimeZone::fixed(8 * 3600);
}

// UTC seconds of a Beijing wall time.
std::int64_t beijing(int year, int month, int day, int hour = 0, int minute = 0) {
  return days_from_civil(year, month, day) * 86400 + (hour - 8) * 3600 + minute * 60;
}

ArticleFields extract_html(std::string_view html) {
  auto doc = HtmlDocument::parse(std::string(html));
  EXPECT_TRUE(doc.has_value()) << doc.error().message;
  if (!doc) {
    return {};
  }
  auto fields = extract_article(*doc, std::nullopt, shanghai(), kNow);
  EXPECT_TRUE(fields.has_value()) << fields.error().message;
  return fields ? *fields : ArticleFields{};
}

std::string page(std::string_view head, std::string_view body) {
  return "<!DOCTYPE html><html><head><meta charset=\"utf-8\">" + std::string(head) +
         "</head><body>" + std::string(body) + "</body></html>";
}

// ---- the newsletter's saved pages -------------------------------------------------------

TEST(ArticleFallbacksTest, IpforefrontDateFromTheLabelledInfoCellAndTitleWithoutSiteName) {
  const ArticleFields fields =
      extract_html(testing::read_fixture("manual/ipforefront-3702/article.html"));
  ASSERT_TRUE(fields.published.has_value());
  EXPECT_EQ(fields.published->utc_seconds, beijing(2023, 11, 30));
  EXPECT_FALSE(fields.published->has_time);
  EXPECT_EQ(fields.published_text, "发布时间：2023-11-30 浏览次数：");
  // <title> says "…已获立案-知产前沿"; the title cell shows the title alone.
  EXPECT_EQ(fields.title, "多位创作者起诉小红书偷画师作品训练AI模型涉侵权，已获立案");
  // Its description meta is only the site's name: the first real paragraph stands in.
  EXPECT_EQ(fields.summary.rfind("29日晚，四位创作者", 0), 0u) << fields.summary;
}

TEST(ArticleFallbacksTest, ADescriptionOtherThanTheSiteNameIsKept) {
  EXPECT_EQ(extract_html(page("<title>A title here - Site</title>"
                              "<meta name=\"description\" content=\"Site\">",
                              "<p>" + std::string(50, 'x') + "</p>"))
                .summary,
            std::string(50, 'x'));
  EXPECT_EQ(extract_html(page("<title>A title here - Site</title>"
                              "<meta name=\"description\" content=\"Short but real\">",
                              "<p>" + std::string(50, 'x') + "</p>"))
                .summary,
            "Short but real");
}

TEST(ArticleFallbacksTest, QqPubtimeFromTheWindowDataScript) {
  const ArticleFields fields = extract_html(testing::read_fixture("manual/qq-andesgpt/article.html"));
  ASSERT_TRUE(fields.published.has_value());
  EXPECT_EQ(fields.published->utc_seconds, beijing(2023, 11, 16, 17, 20));
  EXPECT_TRUE(fields.published->has_time);
  EXPECT_EQ(fields.published_text, "2023-11-16 17:20:00");
  EXPECT_EQ(fields.title, "OPPO正式推出自主训练大模型AndesGPT");  // og:title
}

TEST(ArticleFallbacksTest, ShellsAndHomepagesStillGiveNoDate) {
  const ArticleFields weibo = extract_html(testing::read_fixture("manual/weibo-wps/status.html"));
  EXPECT_FALSE(weibo.published.has_value());
  const ArticleFields xai = extract_html(testing::read_fixture("manual/xai-home/index.html"));
  EXPECT_FALSE(xai.published.has_value());
  EXPECT_EQ(xai.title, "xAI");
}

// ---- labelled lines ------------------------------------------------------------------

TEST(ArticleFallbacksTest, LabelAndDateInSiblingSpans) {
  const ArticleFields fields = extract_html(
      page("", "<h2>标题</h2><div class=\"info\"><span>来源：本站</span> "
               "<span>发布日期：</span><span>2023年11月7日 10:30</span></div><p>正文</p>"));
  ASSERT_TRUE(fields.published.has_value());
  EXPECT_EQ(fields.published->utc_seconds, beijing(2023, 11, 7, 10, 30));
}

TEST(ArticleFallbacksTest, EnglishPublishedLabel) {
  const ArticleFields fields =
      extract_html(page("", "<h1>Title</h1><p class=\"byline\">By A. Writer. Published: "
                            "November 27, 2023</p><p>Text.</p>"));
  ASSERT_TRUE(fields.published.has_value());
  EXPECT_EQ(fields.published->utc_seconds, beijing(2023, 11, 27));
}

TEST(ArticleFallbacksTest, MetadataStillComesBeforeLabelledTextAndScripts) {
  const ArticleFields fields = extract_html(
      page("<meta name=\"PubDate\" content=\"2023-11-01 09:00\">"
           "<script>var DATA = {\"pubtime\": \"2023-11-03 09:00:00\"};</script>",
           "<td>发布时间：2023-11-02</td>"));
  ASSERT_TRUE(fields.published.has_value());
  EXPECT_EQ(fields.published->utc_seconds, beijing(2023, 11, 1, 9, 0));
}

TEST(ArticleFallbacksTest, LabelledTextComesBeforeScripts) {
  const ArticleFields fields =
      extract_html(page("<script>var DATA = {\"pubtime\": \"2023-11-03 09:00:00\"};</script>",
                        "<table><tr><td>发布时间：2023-11-02</td></tr></table>"));
  ASSERT_TRUE(fields.published.has_value());
  EXPECT_EQ(fields.published->utc_seconds, beijing(2023, 11, 2));
}

TEST(ArticleFallbacksTest, UnlabelledOrUpdatedDatesInTextAreNotPublishDates) {
  const ArticleFields fields = extract_html(page(
      "", "<p>更新时间：2023-11-02</p><p>会议将于2023年12月1日举行。</p>"
          "<script>document.write('发布时间：2023-11-05')</script>"));
  EXPECT_FALSE(fields.published.has_value()) << fields.published_text;
}

// ---- script fields --------------------------------------------------------------------

TEST(ArticleFallbacksTest, ScriptFieldSpellings) {
  struct Case {
    std::string_view script;
    std::int64_t expected;
  };
  for (const Case& c : {
           Case{"window.DATA = {\"pubtime\":\"2023-11-16 17:20:00\"};", beijing(2023, 11, 16, 17, 20)},
           Case{"var info = { publishTime: '2023-11-16T09:20:00Z' };", beijing(2023, 11, 16, 17, 20)},
           Case{"var publish_time = \"2023/11/16 17:20\";", beijing(2023, 11, 16, 17, 20)},
           Case{"{\"article\":{\"PubDate\":1700126400}}", 1700126400},
           Case{"{\"publishDate\": \"1700126400000\"}", 1700126400},
           // The first field in the page is the article's own; later ones (related
           // articles) do not override it.
           Case{"{\"pubtime\":\"2023-11-16 17:20:00\",\"related\":[{\"pubtime\":\"2023-10-01\"}]}",
                beijing(2023, 11, 16, 17, 20)},
       }) {
    SCOPED_TRACE(c.script);
    const ArticleFields fields =
        extract_html(page("<script>" + std::string(c.script) + "</script>", "<p>text</p>"));
    ASSERT_TRUE(fields.published.has_value());
    EXPECT_EQ(fields.published->utc_seconds, c.expected);
  }
}

TEST(ArticleFallbacksTest, ScriptFieldsThatAreNotPublishTimesAreIgnored) {
  for (const std::string& script : std::initializer_list<std::string>{
           "var d = {\"updateTime\":\"2023-11-16 17:20:00\"};",
           "var d = {\"pubtime_label\":\"2023-11-16\"};",
           "var d = {\"xpubtime\":\"2023-11-16\"};",
           "var d = {\"pubtime\":\"\"};",
           "var d = {\"pubtime\": null};",
           "var d = {\"pubtime\":\"" + std::string(60, '1') + "\"};",
       }) {
    SCOPED_TRACE(script);
    const ArticleFields fields =
        extract_html(page("<script>" + script + "</script>", "<p>text</p>"));
    EXPECT_FALSE(fields.published.has_value()) << fields.published_text;
  }
  // An external script's text is not read, and neither is one in the body's src'd tags.
  const ArticleFields external = extract_html(
      page("<script src=\"/a.js\">{\"pubtime\":\"2023-11-16\"}</script>", "<p>text</p>"));
  EXPECT_FALSE(external.published.has_value());
}

// ---- titles -------------------------------------------------------------------------

TEST(ArticleFallbacksTest, TitleSuffixIsDroppedOnlyWhenThePageShowsTheTitle) {
  struct Case {
    std::string_view head;
    std::string_view body;
    std::string_view title;
  };
  for (const Case& c : {
           Case{"<title>Budget approved | City News</title>",
                "<div class=\"head\">Budget approved</div><p>text</p>", "Budget approved"},
           Case{"<title>关于印发某某办法的通知_某某市人民政府</title>",
                "<div><span>关于印发某某办法的通知</span></div>", "关于印发某某办法的通知"},
           // No such line: no title from here (the caller falls back to <h1>, then <title>).
           Case{"<title>Budget approved | City News</title>",
                "<p>The budget approved today is larger.</p>", ""},
           // A hyphen inside the title is kept when the shown line has it.
           Case{"<title>GPT-4 Turbo launched - Example</title>", "<h2>GPT-4 Turbo launched</h2>",
                "GPT-4 Turbo launched"},
           // og:title still wins.
           Case{"<meta property=\"og:title\" content=\"OG\"><title>A b c d - S</title>",
                "<h2>A b c d</h2>", "OG"},
       }) {
    SCOPED_TRACE(c.head);
    EXPECT_EQ(extract_html(page(c.head, c.body)).title, c.title);
  }
}

}  // namespace
}  // namespace herald
