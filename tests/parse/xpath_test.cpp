#include "scrapers/parse/xpath.h"

#include <string>

#include <gtest/gtest.h>

#include "scrapers/parse/html_document.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

Selector xpath(std::string path, std::optional<std::string> attribute = std::nullopt) {
  return Selector{.text = path, .xpath = path, .attribute = std::move(attribute)};
}

class RtfundXPath : public ::testing::Test {
 protected:
  void SetUp() override {
    auto parsed = HtmlDocument::parse(
        herald::testing::read_fixture("extract/rtfund-xxpl-list-2020-07.utf8.html"));
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
    doc_.emplace(std::move(*parsed));
  }
  xmlDoc* doc() const { return doc_->doc(); }
  std::optional<HtmlDocument> doc_;
};

TEST_F(RtfundXPath, SelectsRelativeToAContextNode) {
  auto rows = select_nodes(doc(), nullptr, xpath("//div[@id='expertList1']/ul/li"));
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  ASSERT_EQ(rows->size(), 15u);

  xmlNode* second = (*rows)[1];
  auto link = select_value(doc(), second, xpath("a", "href"));
  ASSERT_TRUE(link.has_value()) << link.error().message;
  EXPECT_EQ(*link, "/main/a/20200709/12323943.shtml");

  // "2020-07-09 " on the page: trailing space collapsed away.
  auto date = select_value(doc(), second, xpath("span"));
  ASSERT_TRUE(date.has_value()) << date.error().message;
  EXPECT_EQ(*date, "2020-07-09");

  // A relative path does not escape its context: only this row's one link.
  auto links = select_nodes(doc(), second, xpath("descendant::a"));
  ASSERT_TRUE(links.has_value());
  EXPECT_EQ(links->size(), 1u);
}

TEST_F(RtfundXPath, EmptyXPathMeansTheContextNode) {
  auto rows = select_nodes(doc(), nullptr, xpath("//div[@id='expertList1']/ul/li/a"));
  ASSERT_TRUE(rows.has_value());
  ASSERT_FALSE(rows->empty());
  xmlNode* first = rows->front();

  auto self = select_nodes(doc(), first, Selector{.text = "@href", .attribute = "href"});
  ASSERT_TRUE(self.has_value());
  ASSERT_EQ(self->size(), 1u);
  EXPECT_EQ(self->front(), first);

  auto href = select_value(doc(), first, Selector{.text = "@href", .attribute = "href"});
  ASSERT_TRUE(href.has_value());
  EXPECT_EQ(*href, "/main/a/20200709/12323944.shtml");

  auto text = select_value(doc(), first, Selector{.text = "(self)"});
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(*text, "融通关于旗下部分开放式基金新增华瑞保险销售有限公司为销售机构并参加其费率优惠活动的公告");

  // Without a context, the empty path is the root element.
  auto root = select_nodes(doc(), nullptr, Selector{.text = "(root)"});
  ASSERT_TRUE(root.has_value());
  ASSERT_EQ(root->size(), 1u);
  EXPECT_EQ(root->front(), xmlDocGetRootElement(doc()));
}

TEST_F(RtfundXPath, NoMatchGivesEmptyValue) {
  auto missing = select_value(doc(), nullptr, xpath("//div[@id='no-such-list']//a", "href"));
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(*missing, "");
  auto absent_attribute = select_value(doc(), nullptr, xpath("//div[@id='expertList1']//a", "title"));
  ASSERT_TRUE(absent_attribute.has_value());
  EXPECT_EQ(*absent_attribute, "");
  auto none = select_nodes(doc(), nullptr, xpath("//table[@id='nothing']"));
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
}

TEST_F(RtfundXPath, AttributeNameIsMatchedCaseInsensitively) {
  auto href = select_value(doc(), nullptr, xpath("//div[@id='expertList1']/ul/li[1]/a", "HREF"));
  ASSERT_TRUE(href.has_value());
  EXPECT_EQ(*href, "/main/a/20200709/12323944.shtml");
}

TEST_F(RtfundXPath, ComputedValuesAreReturnedAsText) {
  auto count = select_value(doc(), nullptr, xpath("count(//div[@id='expertList1']/ul/li)"));
  ASSERT_TRUE(count.has_value()) << count.error().message;
  EXPECT_EQ(*count, "15");
  auto day = select_value(doc(), nullptr,
                          xpath("substring-after(//div[@id='expertList1']/ul/li[last()]/span, '2020-')"));
  ASSERT_TRUE(day.has_value()) << day.error().message;
  EXPECT_EQ(*day, "07-06");
}

TEST_F(RtfundXPath, AttributeNodesGiveTheirValue) {
  auto href = select_value(doc(), nullptr, xpath("//div[@id='expertList1']/ul/li[last()]/a/@href"));
  ASSERT_TRUE(href.has_value());
  EXPECT_EQ(*href, "/main/a/20200706/12323017.shtml");
}

TEST_F(RtfundXPath, BadXPathIsAConfigErrorNamingTheSelector) {
  ::testing::internal::CaptureStderr();
  auto bad = select_nodes(doc(), nullptr, Selector{.text = "ul.list li", .xpath = "//ul[@class='x'"});
  auto unknown_function = select_value(doc(), nullptr, xpath("no-such-function(//li)"));
  const std::string printed = ::testing::internal::GetCapturedStderr();

  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kConfig);
  EXPECT_NE(bad.error().message.find("ul.list li"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("//ul[@class='x'"), std::string::npos) << bad.error().message;

  ASSERT_FALSE(unknown_function.has_value());
  EXPECT_EQ(unknown_function.error().code, ErrorCode::kConfig);

  // libxml2's default handler would print "XPath error ..." to stderr.
  EXPECT_EQ(printed, "");
}

TEST_F(RtfundXPath, ErrorMessageSaysWhatIsWrong) {
  auto unclosed = select_nodes(doc(), nullptr, xpath("//ul[@class='x'"));
  ASSERT_FALSE(unclosed.has_value());
  EXPECT_NE(unclosed.error().message.find("invalid predicate at offset 15"), std::string::npos)
      << unclosed.error().message;
  auto prefix = select_nodes(doc(), nullptr, xpath("//o:p"));
  ASSERT_FALSE(prefix.has_value());
  EXPECT_EQ(prefix.error().code, ErrorCode::kConfig);
  EXPECT_NE(prefix.error().message.find("namespace prefix"), std::string::npos)
      << prefix.error().message;
  auto function = select_nodes(doc(), nullptr, xpath("//li[no-such-function()]"));
  ASSERT_FALSE(function.has_value());
  EXPECT_NE(function.error().message.find("unknown function"), std::string::npos)
      << function.error().message;
}

TEST_F(RtfundXPath, NamespaceNodesAreNotReturned) {
  // libxml2 gives every element the implicit xml: namespace node; those are copies freed
  // with the XPath result, so handing them out would leave dangling pointers.
  auto result = select_nodes(doc(), nullptr, xpath("//div[@id='expertList1']/ul/li[1]/namespace::*"));
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_TRUE(result->empty());
  auto mixed = select_nodes(doc(), nullptr,
                            xpath("//div[@id='expertList1']/ul/li[1]/a | //div[@id='expertList1']/ul/li[1]/namespace::*"));
  ASSERT_TRUE(mixed.has_value()) << mixed.error().message;
  ASSERT_EQ(mixed->size(), 1u);
  EXPECT_EQ(node_text(mixed->front()),
            "融通关于旗下部分开放式基金新增华瑞保险销售有限公司为销售机构并参加其费率优惠活动的公告");
}

TEST_F(RtfundXPath, ValueWhereNodesAreNeededIsAConfigError) {
  auto result = select_nodes(doc(), nullptr, xpath("count(//li)"));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kConfig);
  EXPECT_NE(result.error().message.find("count(//li)"), std::string::npos);
}

TEST(XPathLimits, QuadraticSelectorOnABigPageStops) {
  // 20,000 rows and a selector that looks at every earlier row for each row: about 2e8
  // steps, over the cap, so the evaluation stops with a limit error instead of running on.
  std::string page = "<html><body><ul>";
  for (int i = 0; i < 20'000; ++i) page += "<li>" + std::to_string(i) + "</li>";
  page += "</ul></body></html>";
  auto doc = HtmlDocument::parse(page);
  ASSERT_TRUE(doc.has_value()) << doc.error().message;

  auto rows = select_nodes(doc->doc(), nullptr, xpath("//li[count(preceding::li) >= 0]"));
  ASSERT_FALSE(rows.has_value());
  EXPECT_EQ(rows.error().code, ErrorCode::kParseLimit);

  auto plain = select_nodes(doc->doc(), nullptr, xpath("//ul/li"));
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->size(), 20'000u);
}

TEST(NodeText, NullNodeIsEmpty) { EXPECT_EQ(node_text(nullptr), ""); }

TEST(NodeText, CollapsesNestedTextAndIdeographicSpaces) {
  // hsqhfunds rows: "title<span><a>&nbsp;</a><span>date</span></span>".
  auto doc = HtmlDocument::parse(
      herald::testing::read_fixture("extract/hsqhfunds-disclosure-list-2020-07.html"));
  ASSERT_TRUE(doc.has_value()) << doc.error().message;
  auto row = select_nodes(doc->doc(), nullptr, xpath("(//div[@class='list-all'])[2]"));
  ASSERT_TRUE(row.has_value());
  ASSERT_EQ(row->size(), 1u);
  EXPECT_EQ(node_text(row->front()), "恒生前海基金管理有限公司2020年6月30日基金净值公告 2020-07-01");
}

}  // namespace
}  // namespace herald

namespace herald {
namespace {

TEST_F(RtfundXPath, EvaluatorGivesWhatTheOneShotFunctionsGive) {
  auto evaluator = XPathEvaluator::create(doc());
  ASSERT_TRUE(evaluator.has_value()) << evaluator.error().message;
  const Selector rows = xpath("//div[@id='expertList1']/ul/li");
  auto items = evaluator->select_nodes(nullptr, rows);
  ASSERT_TRUE(items.has_value()) << items.error().message;
  ASSERT_EQ(items->size(), 15u);
  // The same compiled expressions from every row, as extract_list uses them.
  for (const Selector& selector : {xpath("a", "href"), xpath("a"), xpath("span"),
                                   xpath("normalize-space(span)"), xpath("", "class")}) {
    for (xmlNode* row : *items) {
      auto compiled = evaluator->select_value(row, selector);
      auto one_shot = select_value(doc(), row, selector);
      ASSERT_TRUE(compiled.has_value()) << compiled.error().message;
      ASSERT_TRUE(one_shot.has_value()) << one_shot.error().message;
      EXPECT_EQ(*compiled, *one_shot) << selector.xpath;
    }
  }
  auto second = evaluator->select_value_and_node((*items)[1], xpath("a", "href"));
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_EQ(second->value, "/main/a/20200709/12323943.shtml");
  ASSERT_NE(second->first_node, nullptr);
  EXPECT_EQ(node_text(second->first_node), *select_value(doc(), (*items)[1], xpath("a")));
  auto computed = evaluator->select_value_and_node((*items)[1], xpath("count(a)"));
  ASSERT_TRUE(computed.has_value()) << computed.error().message;
  EXPECT_EQ(computed->value, "1");
  EXPECT_FALSE(computed->nodes);
  EXPECT_EQ(computed->first_node, nullptr);
}

TEST_F(RtfundXPath, EvaluatorReusesOneResultForOneXPathFromOneNode) {
  // "a@href", "a@title" and "a" are one XPath from one row: evaluated once, each value
  // still its own; the next row is evaluated afresh.
  auto evaluator = XPathEvaluator::create(doc());
  ASSERT_TRUE(evaluator.has_value()) << evaluator.error().message;
  auto rows = evaluator->select_nodes(nullptr, xpath("//div[@id='expertList1']/ul/li"));
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  ASSERT_GE(rows->size(), 2u);
  for (xmlNode* row : {(*rows)[0], (*rows)[0], (*rows)[1], (*rows)[0]}) {
    for (const Selector& selector : {xpath("a", "href"), xpath("a", "title"), xpath("a")}) {
      auto value = evaluator->select_value(row, selector);
      ASSERT_TRUE(value.has_value()) << value.error().message;
      EXPECT_EQ(*value, *select_value(doc(), row, selector)) << selector.text;
    }
    auto nodes = evaluator->select_nodes(row, xpath("a"));
    ASSERT_TRUE(nodes.has_value()) << nodes.error().message;
    EXPECT_EQ(*nodes, *select_nodes(doc(), row, xpath("a")));
  }
  EXPECT_NE(*evaluator->select_value((*rows)[0], xpath("a", "href")),
            *evaluator->select_value((*rows)[1], xpath("a", "href")));
}

TEST_F(RtfundXPath, EvaluatorGivesEachEvaluationItsOwnStepBudgetAndErrors) {
  auto evaluator = XPathEvaluator::create(doc());
  ASSERT_TRUE(evaluator.has_value()) << evaluator.error().message;
  // Many evaluations on one context: the step limit applies to each, not to their sum
  // (each of these visits every earlier node for every node of the page).
  const Selector all = xpath("//*[count(preceding::node()) >= 0]");
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(evaluator->select_nodes(nullptr, all).has_value()) << i;
  }
  // A run-time error reads as it did when every call parsed its text afresh, and does not
  // stick to the context.
  auto function = evaluator->select_nodes(nullptr, xpath("//li[no-such-function()]"));
  ASSERT_FALSE(function.has_value());
  EXPECT_NE(function.error().message.find("unknown function at offset 24"), std::string::npos)
      << function.error().message;
  auto unclosed = evaluator->select_nodes(nullptr, xpath("//ul[@class='x'"));
  ASSERT_FALSE(unclosed.has_value());
  EXPECT_NE(unclosed.error().message.find("invalid predicate at offset 15"), std::string::npos)
      << unclosed.error().message;
  auto fine = evaluator->select_nodes(nullptr, xpath("//div[@id='expertList1']/ul/li"));
  ASSERT_TRUE(fine.has_value()) << fine.error().message;
  EXPECT_EQ(fine->size(), 15u);
}

}  // namespace
}  // namespace herald
