#include "scrapers/parse/html_document.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "scrapers/parse/xpath.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

using testing::read_fixture;

Selector xpath(std::string path, std::optional<std::string> attribute = std::nullopt) {
  return Selector{.text = path, .xpath = path, .attribute = std::move(attribute)};
}

std::vector<xmlNode*> nodes(const HtmlDocument& doc, const std::string& path) {
  auto result = select_nodes(doc.doc(), nullptr, xpath(path));
  EXPECT_TRUE(result.has_value()) << result.error().message;
  return result.value_or(std::vector<xmlNode*>{});
}

std::string value(const HtmlDocument& doc, const std::string& path,
                  std::optional<std::string> attribute = std::nullopt) {
  auto result = select_value(doc.doc(), nullptr, xpath(path, std::move(attribute)));
  EXPECT_TRUE(result.has_value()) << result.error().message;
  return result.value_or("");
}

std::string repeat(std::string_view piece, std::size_t times) {
  std::string out;
  out.reserve(piece.size() * times);
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

// --- real pages ---------------------------------------------------------------------

TEST(HtmlDocument, ParsesCaictHomepage) {
  auto doc = HtmlDocument::parse(read_fixture("parse/caict-homepage-2018-03.html"));
  ASSERT_TRUE(doc.has_value()) << doc.error().message;

  ASSERT_NE(doc->root(), nullptr);
  EXPECT_STREQ(reinterpret_cast<const char*>(doc->root()->name), "html");
  EXPECT_EQ(value(*doc, "//title"), "中国信息通信研究院");

  // "CAICT观点": five links written as class='main_t_list', in page order.
  auto links = nodes(*doc, "//a[@class='main_t_list']");
  ASSERT_EQ(links.size(), 5u);
  EXPECT_EQ(node_text(links.front()), "混改背景下员工激励如何破局");
  EXPECT_EQ(node_text(links.back()), "刘多谈“数字经济”与“工业互联网”|两会专访");
  EXPECT_EQ(value(*doc, "(//a[@class='main_t_list'])[1]", "href"),
            "./kxyj/caictgd/201803/t20180316_2240847.htm");
  EXPECT_EQ(value(*doc, "(//a[@class='main_t_list'])[3]", "title"),
            "卿苏德：关于区块链的真正落地，这四大应用场景很靠谱");

  // The menu has a commented-out <li> (研究体系); comments are not elements.
  auto menu = nodes(*doc, "//ul[@id='sub_03']/li");
  ASSERT_EQ(menu.size(), 4u);
  EXPECT_EQ(node_text(menu[1]), "CAICT观点");
  EXPECT_EQ(node_text(menu[2]), "成果概况");
  EXPECT_TRUE(nodes(*doc, "//comment()").empty());
  EXPECT_FALSE(doc->base_href().has_value());
}

TEST(HtmlDocument, CourtHomepageAttributesAreDecodedAndCollapsed) {
  auto doc = HtmlDocument::parse(read_fixture("parse/court-gov-cn-homepage-2018-03.html"));
  ASSERT_TRUE(doc.has_value()) << doc.error().message;

  // A title attribute holding raw newlines and tabs comes out as one line.
  EXPECT_EQ(value(*doc, "//a[@href='/fabu-xiangqing-76142.html']", "title"),
            "最高人民法院关于充分发挥审判职能作用 为企业家创新创业营造良好法治环境的通知");
  // "&amp;nbsp;" in the source is the literal text "&nbsp;", not a space.
  EXPECT_EQ(value(*doc, "//a[@href='/fabu-xiangqing-63752.html']", "title"),
            "最高人民法院&nbsp; 司法部关于开展律师调解试点工作的意见");
  // Escaped markup in an attribute stays text.
  EXPECT_EQ(value(*doc, "//a[@href='/zixun-xiangqing-76292.html']/img", "alt"),
            "<span style=\"color:#363636;font-family:&quot;font-size:28px;font-weight:bold;"
            "background-color:#FFFFFF;\">《平安中国2017》第五集《一个都不能少》</span>");
  // The link text itself has two spaces between the names; collapsed to one.
  EXPECT_EQ(value(*doc, "//a[@href='/fabu-xiangqing-63752.html']"),
            "最高人民法院 司法部关于开展律师调解试点工...");

  // 权威发布 tabs: the first tab's list, in document order.
  auto tab = nodes(*doc, "//div[@id='tab3']/div[@class='tab_ct'][1]/ul/li/a");
  ASSERT_EQ(tab.size(), 7u);
  EXPECT_EQ(node_text(tab.front()), "全国法院破产审判工作会议纪要");
  EXPECT_EQ(node_text(tab.back()), "最高人民法院、司法部关于开展刑事案件律师辩护...");
}

TEST(HtmlDocument, ParsesDfa66ListInDocumentOrder) {
  auto doc = HtmlDocument::parse(read_fixture("extract/dfa66-announcement-list-2020-07.html"));
  ASSERT_TRUE(doc.has_value()) << doc.error().message;

  auto dates = nodes(*doc, "//ul[contains(@class,'glist')]/li/span[@class='t']");
  ASSERT_EQ(dates.size(), 10u);
  std::vector<std::string> texts;
  for (xmlNode* node : dates) texts.push_back(node_text(node));
  EXPECT_EQ(texts.front(), "2020-07-02");
  EXPECT_EQ(texts[1], "2020-06-29");
  EXPECT_EQ(texts.back(), "2019-11-16");
  EXPECT_EQ(value(*doc, "//ul[contains(@class,'glist')]/li[1]/a", "href"),
            "/dfaets/contents/2020/7/2-b51327b18dff4d8aa163774fcd9240e6.html");
}

TEST(HtmlDocument, UnknownElementsKeepTheirLowerCaseName) {
  // The Beijing homepage wraps links in the non-HTML element <fjtignoreurl>.
  auto doc = HtmlDocument::parse(read_fixture("extract/beijing-gov-homepage-2018-03.utf8.html"));
  ASSERT_TRUE(doc.has_value()) << doc.error().message;
  EXPECT_EQ(nodes(*doc, "//fjtignoreurl").size(), 5u);
  auto wrapped = nodes(*doc, "//li/fjtignoreurl/a");
  ASSERT_EQ(wrapped.size(), 4u);
  EXPECT_EQ(value(*doc, "(//li/fjtignoreurl/a)[2]", "title"), "English Version");
}

TEST(HtmlDocument, RecordsBaseHref) {
  auto doc = HtmlDocument::parse(read_fixture("parse/pixnet-blog-article-2017.html"));
  ASSERT_TRUE(doc.has_value()) << doc.error().message;
  ASSERT_TRUE(doc->base_href().has_value());
  EXPECT_EQ(*doc->base_href(), "http://stevenhgm.pixnet.net/blog/post/39926056");
  EXPECT_EQ(value(*doc, "//title"), "新竹尖石_美樹營地賞楓 (2) @ 史蒂文的家_藍天 :: 痞客邦 PIXNET ::");
}

TEST(HtmlDocument, BaseWithoutHrefIsNotABase) {
  // netease has <base target="_blank"> only; the page URL stays the base.
  auto doc = HtmlDocument::parse(read_fixture("extract/netease-rolling-news-list-2020.utf8.html"));
  ASSERT_TRUE(doc.has_value()) << doc.error().message;
  EXPECT_EQ(nodes(*doc, "//base").size(), 1u);
  EXPECT_FALSE(doc->base_href().has_value());
}

TEST(HtmlDocument, FirstBaseHrefWins) {
  auto doc = HtmlDocument::parse(
      "<html><head><base target=_top><base href=' /a/ '><base href='/b/'></head></html>");
  ASSERT_TRUE(doc.has_value()) << doc.error().message;
  ASSERT_TRUE(doc->base_href().has_value());
  EXPECT_EQ(*doc->base_href(), "/a/");
}

// --- tag soup -------------------------------------------------------------------------

TEST(HtmlDocument, InvalidAttributeNamesAreSkipped) {
  auto doc = HtmlDocument::parse(
      "<p><a 1x=\"y\" href=z \"q=1 a<b=2 data-ok=yes HREF=second>link</a></p>");
  ASSERT_TRUE(doc.has_value()) << doc.error().message;
  auto links = nodes(*doc, "//a");
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(value(*doc, "//a", "href"), "z");  // the first of duplicate names wins
  EXPECT_EQ(value(*doc, "//a", "data-ok"), "yes");
  EXPECT_EQ(value(*doc, "//a"), "link");
  EXPECT_EQ(nodes(*doc, "//a/@*").size(), 2u);
}

TEST(HtmlDocument, ElementAndAttributeNamesAreLowerCase) {
  auto doc = HtmlDocument::parse("<DIV ID=Main><A HREF='/x'>X</A><Custom-Tag>y</Custom-Tag></DIV>");
  ASSERT_TRUE(doc.has_value()) << doc.error().message;
  EXPECT_EQ(value(*doc, "//div[@id='Main']/a", "href"), "/x");
  EXPECT_EQ(value(*doc, "//div/custom-tag"), "y");
}

TEST(HtmlDocument, TemplateContentIsIgnored) {
  auto doc = HtmlDocument::parse("<ul><li><a href=1>one</a></li><template><li><a href=2>two</a>"
                                 "</li></template></ul>");
  ASSERT_TRUE(doc.has_value()) << doc.error().message;
  EXPECT_EQ(nodes(*doc, "//a").size(), 1u);
}

TEST(HtmlDocument, EmptyInputStillHasARoot) {
  auto doc = HtmlDocument::parse("");
  ASSERT_TRUE(doc.has_value()) << doc.error().message;
  ASSERT_NE(doc->root(), nullptr);
  EXPECT_EQ(nodes(*doc, "/html/body").size(), 1u);
}

// --- limits (RELIABILITY.md C6) ---------------------------------------------------------

TEST(HtmlDocument, ManyUnclosedSpansDoNotAbort) {
  // With gumbo's default options this page grows to gigabytes and aborts the process.
  const std::string page = "<html><body>" + repeat("<span>x", 40'000);
  auto limited = HtmlDocument::parse(page);
  ASSERT_FALSE(limited.has_value());
  EXPECT_EQ(limited.error().code, ErrorCode::kParseLimit);
  EXPECT_NE(limited.error().message.find("deeper"), std::string::npos) << limited.error().message;

  // With the depth cap lifted the whole tree is built and usable.
  auto full = HtmlDocument::parse(page, ParseLimits{.max_depth = 50'000});
  ASSERT_TRUE(full.has_value()) << full.error().message;
  // "/descendant::" rather than "//": with libxml2 2.9.14, "//span" on this tree returned
  // only the first 9,998 spans (measured; it seems to stop about 10,000 levels down).
  EXPECT_EQ(nodes(*full, "/descendant::span").size(), 40'000u);
}

TEST(HtmlDocument, TooManyStartTagsIsAParseLimit) {
  const std::string page = "<html><body>" + repeat("<p>", 300'000);
  auto doc = HtmlDocument::parse(page);
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().code, ErrorCode::kParseLimit);
  EXPECT_NE(doc.error().message.find("start tags"), std::string::npos) << doc.error().message;
}

TEST(HtmlDocument, DeepNestingIsAParseLimit) {
  const std::string page = "<html><body>" + repeat("<div>", 5'000) + repeat("</div>", 5'000);
  auto doc = HtmlDocument::parse(page, ParseLimits{.max_depth = 1'000});
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().code, ErrorCode::kParseLimit);
  EXPECT_NE(doc.error().message.find("1000"), std::string::npos) << doc.error().message;
}

TEST(HtmlDocument, ByteCapIsCheckedFirst) {
  const std::string page = "<p>" + std::string(100, 'x');
  auto doc = HtmlDocument::parse(page, ParseLimits{.max_bytes = page.size() - 1});
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().code, ErrorCode::kParseLimit);
  EXPECT_NE(doc.error().message.find("bytes"), std::string::npos) << doc.error().message;
}

TEST(HtmlDocument, LargePageJustUnderTheCapsParses) {
  // About 2 MiB of a flat list: well under the default byte cap, and the limits below
  // are set exactly to this page's size and start-tag count.
  const std::string head = "<html><head><title>big</title></head><body><ul>";
  std::string page = head;
  std::size_t items = 0;
  while (page.size() < 2 * 1024 * 1024) {
    page += "<li><a href=\"/n/" + std::to_string(items) + ".html\">Item " +
            std::to_string(items) + "</a></li>\n";
    ++items;
  }
  page += "</ul></body></html>";
  const std::size_t start_tags = 5 + 2 * items;  // html head title body ul + li a per item

  auto doc = HtmlDocument::parse(page, ParseLimits{.max_bytes = page.size(), .max_tags = start_tags});
  ASSERT_TRUE(doc.has_value()) << doc.error().message;
  EXPECT_EQ(nodes(*doc, "//ul/li").size(), items);
  EXPECT_EQ(value(*doc, "//ul/li[last()]/a"), "Item " + std::to_string(items - 1));
  EXPECT_EQ(value(*doc, "//ul/li[last()]/a", "href"), "/n/" + std::to_string(items - 1) + ".html");

  auto one_tag_less = HtmlDocument::parse(
      page, ParseLimits{.max_bytes = page.size(), .max_tags = start_tags - 1});
  ASSERT_FALSE(one_tag_less.has_value());
  EXPECT_EQ(one_tag_less.error().code, ErrorCode::kParseLimit);
}

}  // namespace
}  // namespace herald

namespace herald {
namespace {

TEST(HtmlDocument, TextAroundDroppedElementsAndWhitespaceMerges) {
  // `<x!y>` is no XML name: its text joins its parent's, beside text and (interned)
  // whitespace nodes that libxml2 then merges into one.
  auto doc = HtmlDocument::parse(
      "<html><body><p id=a>one <x!y>two</x!y>   <x!y>  </x!y> three</p>"
      "<p id=b>  <x!y>\n</x!y>  </p><p id=c>  <i>i</i></p></body></html>");
  ASSERT_TRUE(doc.has_value()) << doc.error().message;
  EXPECT_EQ(value(*doc, "//p[@id='a']"), "one two three");
  EXPECT_EQ(nodes(*doc, "//p[@id='a']/text()").size(), 1u);
  auto blank = nodes(*doc, "//p[@id='b']/text()");
  ASSERT_EQ(blank.size(), 1u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(blank.front()->content)), "  \n  ");
  // Merging into an interned "  " copied it: the same indentation elsewhere is unchanged.
  auto indent = nodes(*doc, "//p[@id='c']/text()");
  ASSERT_EQ(indent.size(), 1u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(indent.front()->content)), "  ");
}

TEST(HtmlDocument, CamelCaseForeignNamesAreLowered) {
  auto doc = HtmlDocument::parse(
      "<html><body><svg viewBox='0 0 1 1'><foreignObject><p>x</p></foreignObject>"
      "<clipPath id=c></clipPath></svg></body></html>");
  ASSERT_TRUE(doc.has_value()) << doc.error().message;
  EXPECT_EQ(value(*doc, "//svg", "viewbox"), "0 0 1 1");
  EXPECT_EQ(nodes(*doc, "//foreignobject/p").size(), 1u);
  EXPECT_EQ(nodes(*doc, "//clippath[@id='c']").size(), 1u);
}

}  // namespace
}  // namespace herald
