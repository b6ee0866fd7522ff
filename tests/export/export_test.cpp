#include "web/export.h"

#include <string>

#include <gtest/gtest.h>

#include "tests/export/newsletter_parser.h"

namespace herald::web {
namespace {

using herald::testing::count_occurrences;

EditionItem item(std::string section, std::string title) {
  return EditionItem{.section = std::move(section),
                     .title = std::move(title),
                     .published_date = CivilDate{.year = 2023, .month = 11, .day = 7},
                     .source_name = "来源站",
                     .url = "https://example.test/a",
                     .summary = "摘要正文。"};
}

TEST(ChineseNumeralTest, WritesSectionNumbersTheWayChineseDocumentsDo) {
  EXPECT_EQ(chinese_numeral(1), "一");
  EXPECT_EQ(chinese_numeral(2), "二");
  EXPECT_EQ(chinese_numeral(9), "九");
  EXPECT_EQ(chinese_numeral(10), "十");
  EXPECT_EQ(chinese_numeral(11), "十一");
  EXPECT_EQ(chinese_numeral(20), "二十");
  EXPECT_EQ(chinese_numeral(35), "三十五");
  EXPECT_EQ(chinese_numeral(99), "九十九");
  EXPECT_EQ(chinese_numeral(100), "100");
}

TEST(ChineseDateTest, HasNoPaddingAndNoSpaces) {
  EXPECT_EQ(format_chinese_date({.year = 2023, .month = 11, .day = 7}), "2023年11月7日");
  EXPECT_EQ(format_chinese_date({.year = 2024, .month = 1, .day = 30}), "2024年1月30日");
}

TEST(LocalDateTest, IsTheCalendarDayInTheSourcesZone) {
  const std::int64_t instant = 1699288200;  // 2023-11-06T16:30:00Z = 11-07 00:30 in Beijing
  const CivilDate beijing = local_date(instant, TimeZone::fixed(8 * 3600));
  EXPECT_EQ(format_chinese_date(beijing), "2023年11月7日");
  EXPECT_EQ(format_chinese_date(local_date(instant, TimeZone::utc())), "2023年11月6日");
  EXPECT_EQ(format_chinese_date(local_date(-1, TimeZone::utc())), "1969年12月31日");
}

TEST(ExportSectionsTest, EmptySectionsAreLeftOutAndNumeralsStayConsecutive) {
  const Edition edition{.month = "2023-11",
                        .title = "",
                        .sections = {"法规", "空的", "行业"},
                        .items = {item("行业", "B"), item("法规", "A")}};
  const std::string md = export_markdown(edition);
  EXPECT_NE(md.find("## 一、法规\n"), std::string::npos);
  EXPECT_NE(md.find("## 二、行业\n"), std::string::npos);
  EXPECT_EQ(md.find("空的"), std::string::npos);
  EXPECT_LT(md.find("## 一、法规"), md.find("## 二、行业"));
  EXPECT_TRUE(md.starts_with("# 2023年11月\n\n## 导读\n")) << md;
}

TEST(ExportSectionsTest, ItemsOfUnlistedSectionsFollowInFirstSeenOrder) {
  const Edition edition{.month = "2023-11",
                        .title = "月刊",
                        .sections = {"法规"},
                        .items = {item("乙", "x1"), item("法规", "a1"), item("", "o1"),
                                  item("乙", "x2"), item("法规", "a2")}};
  const std::string md = export_markdown(edition);
  EXPECT_NE(md.find("## 一、法规\n\n### 1. a1\n"), std::string::npos) << md;
  EXPECT_NE(md.find("### 2. a2\n"), std::string::npos);
  EXPECT_NE(md.find("## 二、乙\n\n### 1. x1\n"), std::string::npos);
  EXPECT_NE(md.find("### 2. x2\n"), std::string::npos);
  EXPECT_NE(md.find("## 三、其他\n\n### 1. o1\n"), std::string::npos);
  EXPECT_NE(md.find("### 乙\n\n1. x1\n2. x2\n"), std::string::npos);
}

TEST(ExportFieldsTest, WithoutADateThePrintedTextIsShownAndEmptyFieldsAreLeftOut) {
  EditionItem undated{.section = "S", .title = "T", .published_text = "十一月上旬"};
  EditionItem bare{.section = "S", .title = "U"};
  const std::string md =
      export_markdown(Edition{.month = "2023-11", .sections = {"S"}, .items = {undated, bare}});
  EXPECT_NE(md.find("### 1. T\n\n发布日期：十一月上旬\n\n### 2. U\n"), std::string::npos) << md;
  EXPECT_EQ(md.find("来源："), std::string::npos);
  EXPECT_EQ(md.find("链接："), std::string::npos);
  EXPECT_EQ(md.find("摘要："), std::string::npos);
  EXPECT_TRUE(md.ends_with("### 2. U\n")) << md;
}

TEST(ExportFieldsTest, SummaryParagraphsAndLinesAreKept) {
  EditionItem with_paragraphs = item("S", "T");
  with_paragraphs.summary = "第一段。\n\n第二段第一行\n第二段第二行\n\n\n第三段。";
  with_paragraphs.commentary = "评论一。\n\n评论二。";
  const Edition edition{.month = "2023-11", .sections = {"S"}, .items = {with_paragraphs}};

  const std::string md = export_markdown(edition, {.commentary_label = "植德短评"});
  EXPECT_NE(md.find("摘要：\n\n第一段。\n\n第二段第一行\n第二段第二行\n\n第三段。\n\n"
                    "**植德短评**\n\n评论一。\n\n评论二。\n"),
            std::string::npos)
      << md;

  const std::string html = export_html(edition);
  EXPECT_NE(html.find("<p class=\"text\">第二段第一行<br>\n第二段第二行</p>"), std::string::npos)
      << html;
  EXPECT_NE(html.find("<p class=\"label\">短评</p>\n<p class=\"text\">评论一。</p>\n"
                      "<p class=\"text\">评论二。</p>"),
            std::string::npos);
}

// ---- Markdown escaping ----------------------------------------------------------------

TEST(ExportMarkdownEscapingTest, ScrapedMarkupStaysLiteralText) {
  EditionItem hostile = item("S", "*粗体* [点我](javascript:alert(1)) <b>x</b> `c` #话题# a_b~");
  hostile.source_name = "A & B <i>";
  hostile.summary = "1. 第一点\n- 列表\n# 标题\n> 引用\n+ 加号\n===\n2) 第二点\n正文 \\ 反斜杠";
  const std::string md = export_markdown(Edition{.sections = {"S"}, .items = {hostile}});

  EXPECT_NE(md.find("### 1. \\*粗体\\* \\[点我\\](javascript:alert(1)) \\<b\\>x\\</b\\> \\`c\\` "
                    "\\#话题\\# a\\_b\\~\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("来源：A \\& B \\<i\\>\n"), std::string::npos);
  EXPECT_NE(md.find("1\\. 第一点\n\\- 列表\n\\# 标题\n\\> 引用\n\\+ 加号\n\\===\n2\\) 第二点\n"
                    "正文 \\\\ 反斜杠\n"),
            std::string::npos)
      << md;
}

TEST(ExportMarkdownEscapingTest, EscapedTextReadsBackUnchanged) {
  EditionItem hostile = item("S", "*粗体* [点我](javascript:alert(1)) <b>x</b> \\ #1");
  hostile.summary = "1. 第一点\n- 列表\n\n**不是评论**";
  const std::string md =
      export_markdown(Edition{.sections = {"S"}, .items = {hostile}}, {.commentary_label = "评"});
  const auto parsed =
      herald::testing::parse_newsletter(md, herald::testing::Dialect::kMarkdown, "评");
  ASSERT_EQ(parsed.edition.items.size(), 1u) << md;
  EXPECT_EQ(parsed.edition.items[0].title, hostile.title);
  EXPECT_EQ(parsed.edition.items[0].summary, hostile.summary);
  EXPECT_EQ(parsed.edition.items[0].commentary, "");
}

TEST(ExportMarkdownEscapingTest, OnlyWebUrlsBecomeAutolinks) {
  EditionItem js = item("S", "a");
  js.url = "javascript:alert(1)";
  EditionItem spaced = item("S", "b");
  spaced.url = "https://example.test/a b";
  EditionItem web = item("S", "c");
  web.url = "HTTPS://example.test/?q=1&r=_x_";
  const std::string md = export_markdown(Edition{.sections = {"S"}, .items = {js, spaced, web}});
  EXPECT_NE(md.find("链接：javascript:alert(1)\n"), std::string::npos) << md;
  EXPECT_EQ(md.find("<javascript"), std::string::npos);
  EXPECT_NE(md.find("链接：https://example.test/a b\n"), std::string::npos);
  EXPECT_NE(md.find("链接：<HTTPS://example.test/?q=1&r=_x_>\n"), std::string::npos);
}

TEST(ExportMarkdownEscapingTest, ControlCharactersCannotBreakAHeading) {
  const std::string md =
      export_markdown(Edition{.sections = {"S"}, .items = {item("S", "标题\n## 注入\r\n")}});
  EXPECT_NE(md.find("### 1. 标题 \\#\\# 注入\n"), std::string::npos) << md;
  EXPECT_EQ(md.find("\n## 注入"), std::string::npos);
}

// ---- HTML escaping --------------------------------------------------------------------

TEST(ExportHtmlEscapingTest, HostileTitleIsTextAndJavascriptLinkIsNotALink) {
  EditionItem hostile = item("<b>节</b>", "<img src=x onerror=alert(1)>");
  hostile.url = "javascript:alert(1)";
  hostile.source_name = "\"引号\" & 'single'";
  hostile.summary = "<script>alert(1)</script>";
  hostile.commentary = "</div><a href=\"javascript:x\">y</a>";
  const std::string html = export_html(
      Edition{.month = "2023-11", .title = "<title>", .sections = {}, .items = {hostile}},
      {.commentary_label = "<u>评</u>"});

  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_EQ(html.find("<u>"), std::string::npos);
  EXPECT_EQ(html.find("href=\"javascript"), std::string::npos);
  EXPECT_EQ(html.find("<title><title>"), std::string::npos);
  EXPECT_NE(html.find("<h3>1. &lt;img src=x onerror=alert(1)&gt;</h3>"), std::string::npos) << html;
  EXPECT_NE(html.find("<li><a href=\"#item-1-1\">&lt;img src=x onerror=alert(1)&gt;</a></li>"),
            std::string::npos);
  EXPECT_NE(html.find("<span class=\"label\">链接：</span>javascript:alert(1)</p>"),
            std::string::npos);
  EXPECT_NE(html.find("&quot;引号&quot; &amp; &#39;single&#39;"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("<h2 id=\"section-1\">一、&lt;b&gt;节&lt;/b&gt;</h2>"), std::string::npos);
  // Exactly the markup the exporter writes: one <a> in the TOC, none elsewhere.
  EXPECT_EQ(count_occurrences(html, "<a "), 1u);
  EXPECT_EQ(count_occurrences(html, "</div>"), count_occurrences(html, "<div "));
}

TEST(ExportHtmlEscapingTest, OnlyHttpAndHttpsUrlsAreLinked) {
  auto linked = [](const std::string& url) {
    EditionItem it = item("S", "t");
    it.url = url;
    const std::string html = export_html(Edition{.sections = {"S"}, .items = {it}});
    return html.find("rel=\"noopener noreferrer\"") != std::string::npos;
  };
  EXPECT_TRUE(linked("https://example.test/"));
  EXPECT_TRUE(linked("http://example.test/"));
  EXPECT_TRUE(linked("HTTPS://example.test/"));
  EXPECT_FALSE(linked("javascript:alert(1)"));
  EXPECT_FALSE(linked("JavaScript:alert(1)"));
  EXPECT_FALSE(linked("data:text/html,<script>alert(1)</script>"));
  EXPECT_FALSE(linked("//example.test/"));
  EXPECT_FALSE(linked("https://example.test/\"onmouseover=\"alert(1)"));
  EXPECT_FALSE(linked("vbscript:msgbox"));
}

TEST(ExportHtmlTest, IsAStandaloneUtf8DocumentWithAStylesheet) {
  const std::string html =
      export_html(Edition{.month = "2023-11", .sections = {"S"}, .items = {item("S", "t")}});
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>\n")) << html;
  EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_NE(html.find("<title>2023年11月</title>"), std::string::npos);
  EXPECT_NE(html.find("<style>"), std::string::npos);
  EXPECT_NE(html.find("<h1>2023年11月</h1>"), std::string::npos);
  EXPECT_NE(html.find("<nav class=\"toc\">\n<h2>导读</h2>\n<h3>S</h3>\n<ol>\n"), std::string::npos);
  EXPECT_NE(html.find("<p class=\"meta\"><span class=\"label\">发布日期：</span>2023年11月7日</p>"),
            std::string::npos);
  EXPECT_NE(html.find("<a href=\"https://example.test/a\" rel=\"noopener noreferrer\">"
                      "https://example.test/a</a>"),
            std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);  // nothing external to fetch
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

}  // namespace
}  // namespace herald::web
