#include "scrapers/extract/html_list.h"

#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/fixtures.h"

namespace herald {
namespace {

// The CSS compiler (config/selector.h) is tested on its own; these rules are written as
// the XPath it produces for the CSS in the comments, so this suite depends only on
// extraction.
Selector xpath(std::string css, std::string path, std::optional<std::string> attribute = std::nullopt) {
  return Selector{.text = std::move(css), .xpath = std::move(path), .attribute = std::move(attribute)};
}

// XPath 1.0 for the CSS class test ".name".
std::string has_class(const std::string& name) {
  return "contains(concat(' ', normalize-space(@class), ' '), ' " + name + " ')";
}

HtmlDocument parse_fixture(const std::string& name) {
  auto doc = HtmlDocument::parse(herald::testing::read_fixture("extract/" + name));
  if (!doc) throw std::runtime_error(doc.error().message);
  return std::move(*doc);
}

std::vector<RawItem> extract(const HtmlDocument& doc, const ListRules& rules) {
  auto items = extract_list(doc, rules);
  EXPECT_TRUE(items.has_value()) << items.error().message;
  return items.value_or(std::vector<RawItem>{});
}

TEST(ExtractList, Dfa66TitlesComeFromTheTitleAttribute) {
  // The link text is cut ("...混..."), the title attribute is whole.
  const HtmlDocument doc = parse_fixture("dfa66-announcement-list-2020-07.html");
  const ListRules rules{
      .item = xpath("ul.glist > li", "descendant-or-self::ul[" + has_class("glist") + "]/li"),
      .title = xpath("a@title", "descendant::a", "title"),
      .link = xpath("a@href", "descendant::a", "href"),
      .date = xpath("span.t", "descendant::span[" + has_class("t") + "]"),
  };
  const auto items = extract(doc, rules);
  ASSERT_EQ(items.size(), 10u);

  EXPECT_EQ(items.front().title, "东方阿尔法优势产业混合型发起式证券投资基金可投资于科创板股票的公告");
  EXPECT_EQ(items.front().link, "/dfaets/contents/2020/7/2-b51327b18dff4d8aa163774fcd9240e6.html");
  EXPECT_EQ(items.front().date_text, "2020-07-02");
  EXPECT_EQ(items[2].title,
            "关于新增申万宏源证券有限公司和申万宏源西部证券有限公司为东方阿尔法优势产业混合型发起式"
            "证券投资基金基金销售机构的公告");
  EXPECT_EQ(items.back().title, "东方阿尔法基金管理有限公司关于公司住所变更的公告");
  EXPECT_EQ(items.back().link, "/dfaets/contents/2020/4/14-3319672aa166452389171d8cebd0167d.html");
  EXPECT_EQ(items.back().date_text, "2019-11-16");
  for (const RawItem& item : items) {
    EXPECT_EQ(item.summary, "");
    EXPECT_EQ(item.guid, "");
    EXPECT_EQ(item.base_url, "");
  }
}

TEST(ExtractList, Dfa66DefaultTitleIsTheLinkText) {
  const HtmlDocument doc = parse_fixture("dfa66-announcement-list-2020-07.html");
  const ListRules rules{
      .item = xpath("ul.glist > li", "descendant-or-self::ul[" + has_class("glist") + "]/li"),
      .link = xpath("a@href", "descendant::a", "href"),
  };
  const auto items = extract(doc, rules);
  ASSERT_EQ(items.size(), 10u);
  // Not the <li> text (which also holds "·" and the date): only the <a>.
  EXPECT_EQ(items[2].title, "关于新增申万宏源证券有限公司和申万宏源西部证券有限公司为东方阿尔法优势产业混...");
  EXPECT_EQ(items[2].date_text, "");
}

TEST(ExtractList, HsqhfundsDivRows) {
  const HtmlDocument doc = parse_fixture("hsqhfunds-disclosure-list-2020-07.html");
  // Each row: <a>title</a><span><a class="download-icon">&nbsp;</a><span>date</span></span>
  const ListRules rules{
      .item = xpath("#dyContentMsgList > div.list-all",
                    "descendant-or-self::*[@id='dyContentMsgList']/div[" + has_class("list-all") + "]"),
      .link = xpath("> a@href", "a[1]", "href"),
      .date = xpath("span > span", "span/span"),
  };
  const auto items = extract(doc, rules);
  ASSERT_EQ(items.size(), 20u);
  EXPECT_EQ(items.front().title,
            "恒生前海沪深港通细分行业龙头指数证券投资基金开放日常申购、赎回、转换及定投业务的...");
  EXPECT_EQ(items.front().link, "/upload/user/1/2020-7-2/195400974278.pdf");
  EXPECT_EQ(items.front().date_text, "2020-07-02");
  EXPECT_EQ(items[1].title, "恒生前海基金管理有限公司2020年6月30日基金净值公告");
  EXPECT_EQ(items.back().title,
            "恒生前海基金管理有限公司关于旗下部分基金参加上海中正达广基金销售有限公司基金认购...");
  EXPECT_EQ(items.back().link, "/upload/user/1/2020-5-21/195400972460.pdf");
  EXPECT_EQ(items.back().date_text, "2020-05-21");
}

TEST(ExtractList, RtfundDateBeforeLink) {
  const HtmlDocument doc = parse_fixture("rtfund-xxpl-list-2020-07.utf8.html");
  const ListRules rules{
      .item = xpath("#expertList1 > ul > li", "descendant-or-self::*[@id='expertList1']/ul/li"),
      .link = xpath("a@href", "descendant::a", "href"),
      .date = xpath("span", "descendant::span"),
  };
  const auto items = extract(doc, rules);
  ASSERT_EQ(items.size(), 15u);
  EXPECT_EQ(items.front().title,
            "融通关于旗下部分开放式基金新增华瑞保险销售有限公司为销售机构并参加其费率优惠活动的公告");
  EXPECT_EQ(items.front().link, "/main/a/20200709/12323944.shtml");
  EXPECT_EQ(items.front().date_text, "2020-07-09");  // "2020-07-09 " on the page
  EXPECT_EQ(items[4].title, "融通四季添利债券型证券投资基金（LOF）第三十六次分红公告");
  EXPECT_EQ(items.back().title,
            "关于融通通源短融债券型证券投资基金B类新增兴业银行股份有限公司为销售机构的公告");
  EXPECT_EQ(items.back().link, "/main/a/20200706/12323017.shtml");
  EXPECT_EQ(items.back().date_text, "2020-07-06");
}

TEST(ExtractList, NeteaseSkipsTheCategoryLink) {
  // <li><span class="right f12px cDGray">(date)</span><a class="cBlue">[社会]</a> <a>title</a></li>
  const HtmlDocument doc = parse_fixture("netease-rolling-news-list-2020.utf8.html");
  const ListRules rules{
      .item = xpath("#instantPanel ul.list_txt > li",
                    "descendant-or-self::*[@id='instantPanel']//ul[" + has_class("list_txt") + "]/li"),
      .link = xpath("a:not(.cBlue)@href", "descendant::a[not(" + has_class("cBlue") + ")]", "href"),
      .date = xpath("span.cDGray", "descendant::span[" + has_class("cDGray") + "]"),
      .summary = xpath("a.cBlue", "descendant::a[" + has_class("cBlue") + "]"),
  };
  const auto items = extract(doc, rules);
  ASSERT_EQ(items.size(), 40u);
  EXPECT_EQ(items.front().title, "一图读懂 | 深圳盒马员工确诊，2地6人感染始末");
  EXPECT_EQ(items.front().link, "https://news.163.com/20/0816/22/FK6F0U6D0001899O.html");
  EXPECT_EQ(items.front().date_text, "(2020-08-16 22:26:38)");
  // The category label stands in for a second text field read through the summary rule.
  EXPECT_EQ(items.front().summary, "[社会]");
  EXPECT_EQ(items.back().title, "一半天然气出口中国，乌宣布将停止供气！如今中乌合作传来好消息");
  EXPECT_EQ(items.back().link, "http://dy.163.com/article/FK616GNC0519EO06.html");
  EXPECT_EQ(items.back().date_text, "(2020-08-16 18:25:05)");
}

TEST(ExtractList, BeijingHomepageNewsList) {
  // 今日北京: two <dl> lists (要闻, 动态); the <dt> is the "more" link, not an item.
  const HtmlDocument doc = parse_fixture("beijing-gov-homepage-2018-03.utf8.html");
  const ListRules rules{
      .item = xpath("#jrbjcontent dl > dd", "descendant-or-self::*[@id='jrbjcontent']//dl/dd"),
      .link = xpath("a@href", "descendant::a", "href"),
  };
  const auto items = extract(doc, rules);
  ASSERT_EQ(items.size(), 8u);
  EXPECT_EQ(items.front().title, "十三届全国人大一次会议主席团举行第九次会议");
  EXPECT_EQ(items.front().link, "http://zhengwu.beijing.gov.cn/zyldhd/t1511872.htm");
  EXPECT_EQ(items[4].title, "第1亿张营业执照在京颁出");
  EXPECT_EQ(items[4].link, "./lqfw/gggs/t1511768.htm");  // relative links stay as written
  EXPECT_EQ(items.back().title, "本市教育系统部署全面从严治党工作");
  EXPECT_EQ(items.back().link, "http://zhengwu.beijing.gov.cn/sy/bmdt/t1511662.htm");
  EXPECT_EQ(items.back().date_text, "");
}

TEST(ExtractList, BeijingEmptyLinksAreSkipped) {
  // 政策解读: each <li> has the article link and an empty <a href="" title=""> placeholder.
  // Selecting every <a> and reading its own href keeps only the real ones, and the title
  // defaults to the item's own text because the link is read off the item itself.
  const HtmlDocument doc = parse_fixture("beijing-gov-homepage-2018-03.utf8.html");
  const ListRules rules{
      .item = xpath("#csfwcontent li a", "descendant-or-self::*[@id='csfwcontent']//li//a"),
      .link = Selector{.text = "@href", .attribute = "href"},
  };
  const auto items = extract(doc, rules);
  ASSERT_EQ(items.size(), 8u);
  EXPECT_EQ(items.front().title, "新开办企业5天之内办完手续");
  EXPECT_EQ(items.front().link, "http://zhengce.beijing.gov.cn/library/192/34/738532/1540890/index.html");
  EXPECT_EQ(items.back().title, "老旧小区改造 居民可充分参与");
}

TEST(ExtractList, NoMatchIsAnEmptyListNotAnError) {
  const HtmlDocument doc = parse_fixture("rtfund-xxpl-list-2020-07.utf8.html");
  const ListRules rules{
      .item = xpath("ul.news li", "descendant-or-self::ul[" + has_class("news") + "]/li"),
      .link = xpath("a@href", "descendant::a", "href"),
  };
  auto items = extract_list(doc, rules);
  ASSERT_TRUE(items.has_value()) << items.error().message;
  EXPECT_TRUE(items->empty());
}

TEST(ExtractList, BadFieldXPathIsAConfigError) {
  const HtmlDocument doc = parse_fixture("rtfund-xxpl-list-2020-07.utf8.html");
  const ListRules rules{
      .item = xpath("#expertList1 li", "descendant-or-self::*[@id='expertList1']/ul/li"),
      .link = xpath("a@href", "descendant::a", "href"),
      .date = xpath("span[", "descendant::span["),
  };
  auto items = extract_list(doc, rules);
  ASSERT_FALSE(items.has_value());
  EXPECT_EQ(items.error().code, ErrorCode::kConfig);
  EXPECT_NE(items.error().message.find("span["), std::string::npos) << items.error().message;
}

TEST(ExtractList, AtMostOneThousandItemsPerPage) {
  // No saved page has this many rows; a generated one checks the cap.
  std::string page = "<html><body><ul>";
  for (int i = 0; i < 1'500; ++i) {
    page += "<li><a href=\"/n/" + std::to_string(i) + "\">n" + std::to_string(i) + "</a></li>";
  }
  page += "</ul></body></html>";
  auto doc = HtmlDocument::parse(page);
  ASSERT_TRUE(doc.has_value()) << doc.error().message;
  const ListRules rules{
      .item = xpath("ul > li", "descendant-or-self::ul/li"),
      .link = xpath("a@href", "descendant::a", "href"),
  };
  const auto items = extract(*doc, rules);
  ASSERT_EQ(items.size(), 1'000u);
  EXPECT_EQ(items.front().title, "n0");
  EXPECT_EQ(items.back().title, "n999");
  EXPECT_EQ(items.back().link, "/n/999");
}

}  // namespace
}  // namespace herald
