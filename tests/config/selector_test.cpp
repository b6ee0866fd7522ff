#include "config/selector.h"

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

#include "common/c_handles.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

using Scope = SelectorScope;

// The XPath that ".name" compiles to, so the table below stays readable.
std::string cls(std::string_view name) {
  return "contains(concat(' ', normalize-space(@class), ' '), ' " + std::string(name) + " ')";
}

struct CompileCase {
  std::string name{};
  std::string text{};
  Scope scope = Scope::kDocument;
  std::string xpath{};
  std::optional<std::string> attribute{};
};

std::ostream& operator<<(std::ostream& out, const CompileCase& c) { return out << c.text; }

const std::vector<CompileCase>& compile_cases() {
  static const std::vector<CompileCase> cases = {
      // Type, universal, class, id.
      {"Type", "li", Scope::kDocument, "//li"},
      {"TypeIsLowerCased", "UL Li", Scope::kDocument, "//ul//li"},
      {"Universal", "*", Scope::kDocument, "//*"},
      {"ClassThenDescendant", "ul.list li", Scope::kDocument, "//ul[" + cls("list") + "]//li"},
      {"TwoClasses", ".a.b", Scope::kDocument, "//*[" + cls("a") + " and " + cls("b") + "]"},
      {"ChineseClass", "div.新闻 a", Scope::kDocument, "//div[" + cls("新闻") + "]//a"},
      {"EscapedColonInClass", R"(.md\:flex)", Scope::kDocument, "//*[" + cls("md:flex") + "]"},
      {"Id", "#news", Scope::kDocument, "//*[@id = 'news']"},
      {"TypeIdChild", "ul#J_web_menu > li", Scope::kDocument, "//ul[@id = 'J_web_menu']/li"},
      // Attribute tests.
      {"AttrPresent", "a[href]", Scope::kDocument, "//a[@href]"},
      {"AttrNameIsLowerCased", "a[HREF]", Scope::kDocument, "//a[@href]"},
      {"AttrEqualsQuoted", R"(a[target="_blank"])", Scope::kDocument, "//a[@target = '_blank']"},
      {"AttrEqualsBare", "a[target=_blank]", Scope::kDocument, "//a[@target = '_blank']"},
      {"AttrEqualsSpacesInside", "a[ target = '_blank' ]", Scope::kDocument,
       "//a[@target = '_blank']"},
      {"AttrWord", "[class~=fl-left]", Scope::kDocument,
       "//*[contains(concat(' ', normalize-space(@class), ' '), ' fl-left ')]"},
      {"AttrPrefix", R"(a[href^="/dfaets/"])", Scope::kDocument,
       "//a[starts-with(@href, '/dfaets/')]"},
      {"AttrPrefixBareWithSlashes", "a[href^=/news/]", Scope::kDocument,
       "//a[starts-with(@href, '/news/')]"},
      {"AttrSuffix", R"(a[href$=".pdf"])", Scope::kDocument,
       "//a[substring(@href, string-length(@href) - string-length('.pdf') + 1) = '.pdf']"},
      {"AttrSubstringChinese", "a[title*=人工智能]", Scope::kDocument,
       "//a[contains(@title, '人工智能')]"},
      {"AttrDash", "[lang|=zh]", Scope::kDocument,
       "//*[(@lang = 'zh' or starts-with(@lang, 'zh-'))]"},
      {"AttrEmptyPrefixMatchesNothing", R"(a[href^=""])", Scope::kDocument, "//a[false()]"},
      {"AtSignInsideQuotesIsNotAnAttributeSuffix", R"(a[href^="mailto:@x"])", Scope::kDocument,
       "//a[starts-with(@href, 'mailto:@x')]"},
      {"ValueWithApostrophe", R"(a[title="it's"])", Scope::kDocument, R"(//a[@title = "it's"])"},
      {"ValueWithBothQuotesUsesConcat", R"(a[title='say "it\'s"'])", Scope::kDocument,
       R"(//a[@title = concat('say "it', "'", 's"')])"},
      // Combinators.
      {"Child", "ul > li", Scope::kDocument, "//ul/li"},
      {"ChildWithoutSpaces", "ul>li", Scope::kDocument, "//ul/li"},
      {"Adjacent", "h3 + ul", Scope::kDocument, "//h3/following-sibling::*[1][self::ul]"},
      {"AdjacentClassOnly", "a + .t", Scope::kDocument,
       "//a/following-sibling::*[1][" + cls("t") + "]"},
      {"GeneralSibling", "span.ic ~ span", Scope::kDocument,
       "//span[" + cls("ic") + "]/following-sibling::span"},
      {"Chain", "ul > li + li ~ p", Scope::kDocument,
       "//ul/li/following-sibling::*[1][self::li]/following-sibling::p"},
      // Structural pseudo-classes.
      {"FirstChild", "li:first-child", Scope::kDocument, "//li[not(preceding-sibling::*)]"},
      {"LastChild", "li:last-child", Scope::kDocument, "//li[not(following-sibling::*)]"},
      {"OnlyChild", "em:only-child", Scope::kDocument,
       "//em[not(preceding-sibling::*) and not(following-sibling::*)]"},
      {"NthChildOdd", "li:nth-child(odd)", Scope::kDocument,
       "//li[count(preceding-sibling::*) mod 2 = 0]"},
      {"NthChildEven", "li:nth-child(even)", Scope::kDocument,
       "//li[count(preceding-sibling::*) mod 2 = 1]"},
      {"NthChild2nPlus1IsOdd", "li:nth-child(2n+1)", Scope::kDocument,
       "//li[count(preceding-sibling::*) mod 2 = 0]"},
      {"NthChildNumber", ":nth-child(3)", Scope::kDocument, "//*[count(preceding-sibling::*) = 2]"},
      {"NthChildFirstThree", "li:nth-child(-n+3)", Scope::kDocument,
       "//li[count(preceding-sibling::*) <= 2]"},
      {"NthChildSpacesAndOffset", "li:nth-child( 3n + 5 )", Scope::kDocument,
       "//li[count(preceding-sibling::*) >= 4 and count(preceding-sibling::*) mod 3 = 1]"},
      {"NthChildEveryThirdFromSecondLast", "li:nth-child(-3n+8)", Scope::kDocument,
       "//li[count(preceding-sibling::*) <= 7 and count(preceding-sibling::*) mod 3 = 1]"},
      {"NthChildNMatchesAll", "li:nth-child(n)", Scope::kDocument, "//li"},
      {"NthChildZeroMatchesNothing", "li:nth-child(0)", Scope::kDocument, "//li[false()]"},
      {"NthLastChild", "li:nth-last-child(2)", Scope::kDocument,
       "//li[count(following-sibling::*) = 1]"},
      {"NthOfType", "li:nth-of-type(2n)", Scope::kDocument,
       "//li[count(preceding-sibling::li) mod 2 = 1]"},
      {"FirstOfType", "p:first-of-type", Scope::kDocument, "//p[not(preceding-sibling::p)]"},
      {"LastOfType", "p:LAST-OF-TYPE", Scope::kDocument, "//p[not(following-sibling::p)]"},
      // :not, :has, :contains.
      {"NotClass", "li:not(.ad)", Scope::kDocument, "//li[not(" + cls("ad") + ")]"},
      {"NotList", "a:not([href], .x)", Scope::kDocument, "//a[not(@href or " + cls("x") + ")]"},
      {"NotCompound", "li:not(li.ad)", Scope::kDocument,
       "//li[not(self::li and " + cls("ad") + ")]"},
      {"NotNested", "li:not(:first-child)", Scope::kDocument,
       "//li[not(not(preceding-sibling::*))]"},
      {"HasChild", "li:has(> a.active)", Scope::kDocument, "//li[child::a[" + cls("active") + "]]"},
      {"HasList", "li:has(em, b)", Scope::kDocument, "//li[(descendant::em | descendant::b)]"},
      {"ContainsQuoted", R"(a:contains("公告"))", Scope::kDocument, "//a[contains(., '公告')]"},
      {"ContainsBare", "a:contains(下一页)", Scope::kDocument, "//a[contains(., '下一页')]"},
      // Lists, attribute suffix, raw XPath, trimming.
      {"List", "h1, h2 a", Scope::kDocument, "//h1 | //h2//a"},
      {"AttributeSuffix", "a@title", Scope::kDocument, "//a", "title"},
      {"AttributeSuffixIsLowerCased", "A@HREF", Scope::kDocument, "//a", "href"},
      {"AttributeSuffixAfterSpace", "ul a @href", Scope::kDocument, "//ul//a", "href"},
      {"AttributeSuffixAfterList", "h2 a, h3 a@href", Scope::kDocument, "//h2//a | //h3//a",
       "href"},
      {"RawXPath", "xpath: //div[@id='x']//li ", Scope::kDocument, "//div[@id='x']//li"},
      {"SurroundingSpaceIsTrimmed", "  li\t", Scope::kDocument, "//li"},
      // Relative scope: from an item node, never the item itself.
      {"RelType", "a", Scope::kRelative, "descendant::a"},
      {"RelAttribute", "a@href", Scope::kRelative, "descendant::a", "href"},
      {"RelOwnAttribute", "@href", Scope::kRelative, "", "href"},
      {"RelChild", "> a", Scope::kRelative, "child::a"},
      {"RelChildPath", "> div > a[title]@title", Scope::kRelative, "child::div/a[@title]", "title"},
      {"RelAdjacent", "+ span.date", Scope::kRelative,
       "following-sibling::*[1][self::span and " + cls("date") + "]"},
      {"RelSibling", "~ span", Scope::kRelative, "following-sibling::span"},
      {"RelList", "span.t, em", Scope::kRelative,
       "descendant::span[" + cls("t") + "] | descendant::em"},
      {"RelListWithChild", "> a, > h3 a", Scope::kRelative, "child::a | child::h3//a"},
      {"RelFirstChild", "> span:first-child", Scope::kRelative,
       "child::span[not(preceding-sibling::*)]"},
      {"RelRawAbsoluteXPathIsKept", "xpath:/html/body", Scope::kRelative, "/html/body"},
      {"RelRawAttributeXPath", "xpath:@href", Scope::kRelative, "@href"},
  };
  return cases;
}

class CompileSelectorTest : public ::testing::TestWithParam<CompileCase> {};

TEST_P(CompileSelectorTest, CompilesToExpectedXPath) {
  const CompileCase& c = GetParam();

  auto selector = compile_selector(c.text, c.scope);

  ASSERT_TRUE(selector.has_value()) << selector.error().message;
  EXPECT_EQ(selector->xpath, c.xpath);
  EXPECT_EQ(selector->attribute, c.attribute);
}

INSTANTIATE_TEST_SUITE_P(Table, CompileSelectorTest, ::testing::ValuesIn(compile_cases()),
                         [](const ::testing::TestParamInfo<CompileCase>& info) {
                           return info.param.name;
                         });

TEST(CompileSelectorTest, TableIsLargeEnoughAndCoversBothScopes) {
  int relative = 0;
  for (const CompileCase& c : compile_cases()) {
    relative += c.scope == Scope::kRelative ? 1 : 0;
  }
  EXPECT_GE(compile_cases().size(), 40u);
  EXPECT_GE(relative, 10);
}

// Whatever the compiler emits must be XPath 1.0 that libxml2 accepts.
TEST(CompileSelectorTest, EveryCompiledXPathIsAcceptedByLibxml2) {
  for (const CompileCase& c : compile_cases()) {
    if (c.xpath.empty()) {
      continue;
    }
    xmlXPathCompExpr* compiled = xmlXPathCompile(reinterpret_cast<const xmlChar*>(c.xpath.c_str()));
    EXPECT_NE(compiled, nullptr) << c.text << " -> " << c.xpath;
    xmlXPathFreeCompExpr(compiled);
  }
}

// Found by fuzz/selector_fuzz: "- l" compiled to "//-//l", which libxml2 rejects. CSS
// identifiers that are not XPath names are matched through local-name() instead.
TEST(CompileSelectorTest, NamesThatAreNotXPathNamesStillCompile) {
  for (const char* text : {"uh ~h3 + ul,- l", "-x", "a[-data]", "a\\:b", "\\31 a", "新闻 a",
                           "-x:nth-of-type(2)", "-x:first-of-type"}) {
    for (const Scope scope : {Scope::kDocument, Scope::kRelative}) {
      auto selector = compile_selector(text, scope);
      ASSERT_TRUE(selector.has_value()) << text << ": " << selector.error().message;
      xmlXPathCompExpr* compiled =
          xmlXPathCompile(reinterpret_cast<const xmlChar*>(selector->xpath.c_str()));
      EXPECT_NE(compiled, nullptr) << text << " -> " << selector->xpath;
      xmlXPathFreeCompExpr(compiled);
    }
  }
  auto dash = compile_selector("-x", Scope::kDocument);
  ASSERT_TRUE(dash.has_value()) << dash.error().message;
  EXPECT_EQ(dash->xpath, "//*[local-name() = '-x']");
  auto attr = compile_selector("a[-data]", Scope::kDocument);
  ASSERT_TRUE(attr.has_value()) << attr.error().message;
  EXPECT_EQ(attr->xpath, "//a[@*[local-name() = '-data']]");
}

// Found by fuzz/selector_fuzz: a NUL (TOML can write "\u0000") cut the XPath short when
// libxml2 read it as a C string.
TEST(CompileSelectorTest, ControlCharactersAreRejectedWithTheirPosition) {
  using namespace std::string_literals;
  for (const std::string& text : {"[class~=\x10\0\0\0efu]"s, "li\0.x"s, "xpath://li\0[1]"s}) {
    auto selector = compile_selector(text, Scope::kDocument);
    ASSERT_FALSE(selector.has_value()) << selector->xpath;
    EXPECT_EQ(selector.error().message.rfind("position ", 0), 0u) << selector.error().message;
  }
  auto nul = compile_selector("li\0.x"s, Scope::kRelative);
  ASSERT_FALSE(nul.has_value());
  EXPECT_EQ(nul.error().message, "position 3: control character U+0000 in the selector; remove it");
  // ... and an escape must not smuggle one in (XPath accepts none but tab, CR and LF).
  for (const char* text : {"\\h\\\\\\3 hnt@href", "a[title=\"x\\1 y\"]", ".a\\1f", "a\fb"}) {
    auto escaped = compile_selector(text, Scope::kDocument);
    ASSERT_FALSE(escaped.has_value()) << text << " -> " << escaped->xpath;
    EXPECT_EQ(escaped.error().message.rfind("position ", 0), 0u) << escaped.error().message;
  }
}

TEST(CompileSelectorTest, KeepsTheTrimmedTextForMessages) {
  auto selector = compile_selector("  ul.list li  ", Scope::kDocument);

  ASSERT_TRUE(selector.has_value()) << selector.error().message;
  EXPECT_EQ(selector->text, "ul.list li");
}

struct ErrorCase {
  std::string text{};
  Scope scope = Scope::kDocument;
  std::string message{};  // the whole message, or its start when `prefix_only`
  bool prefix_only = false;
};

std::ostream& operator<<(std::ostream& out, const ErrorCase& c) { return out << c.text; }

class SelectorErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(SelectorErrorTest, ReportsPositionWhatAndFix) {
  const ErrorCase& c = GetParam();

  auto selector = compile_selector(c.text, c.scope);

  ASSERT_FALSE(selector.has_value()) << "compiled to " << selector->xpath;
  EXPECT_EQ(selector.error().code, ErrorCode::kConfig);
  if (c.prefix_only) {
    EXPECT_EQ(selector.error().message.substr(0, c.message.size()), c.message)
        << selector.error().message;
  } else {
    EXPECT_EQ(selector.error().message, c.message);
  }
  EXPECT_NE(selector.error().message.find("; "), std::string::npos)
      << "no fix suggested: " << selector.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Errors, SelectorErrorTest,
    ::testing::Values(
        ErrorCase{"", Scope::kDocument,
                  "position 1: the selector is empty; write a selector such as ul.list li or "
                  "a@href"},
        ErrorCase{"  \t ", Scope::kRelative, "position 1: the selector is empty;", true},
        ErrorCase{"ul >", Scope::kDocument,
                  "position 4: '>' has nothing after it; add the element it leads to, e.g. ul > "
                  "li"},
        ErrorCase{"ul ~ , li", Scope::kDocument, "position 4: '~' has nothing after it;", true},
        ErrorCase{"> li", Scope::kDocument,
                  "position 1: a selector for the whole page cannot start with '>';", true},
        ErrorCase{"a@", Scope::kRelative,
                  "position 2: '@' is not followed by an attribute name; write the attribute to "
                  "take at the end, e.g. a@href or @title"},
        ErrorCase{"a@1x", Scope::kRelative, "position 3: '1' cannot start an attribute name;",
                  true},
        ErrorCase{"a@href li", Scope::kRelative,
                  "position 7: unexpected ' ' after the attribute name; the @attribute part must "
                  "come last",
                  true},
        ErrorCase{"a[href", Scope::kDocument, "position 2: '[' is never closed;", true},
        ErrorCase{"li]", Scope::kDocument,
                  "position 3: unexpected ']'; write a selector such as ul.list li or a@href"},
        ErrorCase{"li:nth-child(2", Scope::kDocument, "position 13: '(' is never closed;", true},
        ErrorCase{R"(a[title="x])", Scope::kDocument,
                  R"(position 9: the quote '"' is never closed;)", true},
        ErrorCase{"li:hover", Scope::kDocument,
                  "position 3: unknown pseudo-class ':hover'; use one of :first-child, "
                  ":last-child, :only-child, :nth-child(an+b),",
                  true},
        ErrorCase{"a::before", Scope::kDocument,
                  "position 2: pseudo-elements such as '::before' are not supported;", true},
        ErrorCase{"li:nth-child(foo)", Scope::kDocument,
                  "position 14: ':nth-child' needs an an+b expression but got 'foo'; write e.g. "
                  ":nth-child(2n+1),",
                  true},
        ErrorCase{"li:nth-child(2n+)", Scope::kDocument,
                  "position 14: ':nth-child' needs an an+b expression but got '2n+';", true},
        ErrorCase{"li:first-child(1)", Scope::kDocument,
                  "position 15: ':first-child' takes no argument;", true},
        ErrorCase{"li:not", Scope::kDocument,
                  "position 3: ':not' needs an argument in parentheses;", true},
        ErrorCase{"*:first-of-type", Scope::kDocument,
                  "position 2: ':first-of-type' needs an element name before it;", true},
        ErrorCase{"a:not(b c)", Scope::kDocument,
                  "position 9: ':not()' takes simple selectors, not combinations of elements;",
                  true},
        ErrorCase{"a,", Scope::kDocument, "position 2: ',' is not followed by a selector;", true},
        // Positions count characters, not UTF-8 bytes.
        ErrorCase{"人工智能 > ", Scope::kDocument, "position 6: '>' has nothing after it;", true},
        ErrorCase{"li.新闻]", Scope::kDocument, "position 6: unexpected ']';", true},
        ErrorCase{"a[title*=人工智能 x]", Scope::kDocument,
                  "position 15: unexpected 'x' in an attribute test;", true},
        ErrorCase{"a[title=\"人\"]@", Scope::kDocument, "position 13: '@' is not followed", true},
        // Raw XPath gets structural checks only.
        ErrorCase{"xpath:", Scope::kDocument, "position 7: the XPath after 'xpath:' is empty;",
                  true},
        ErrorCase{"xpath://div[@id='x'", Scope::kDocument, "position 12: '[' is never closed;",
                  true},
        ErrorCase{"xpath://div[@id='x]", Scope::kDocument,
                  R"(position 17: the quote "'" is never closed;)", true},
        ErrorCase{"xpath://a)", Scope::kRelative, "position 10: unexpected ')';", true},
        ErrorCase{"xpath://div/ ", Scope::kRelative, "position 12: the XPath ends with '/';",
                  true}));

// A half-typed selector is what an admin most often saves by mistake: every prefix of a
// rich selector must either compile (CSS: to XPath libxml2 accepts) or fail with a position
// inside the text (or just past its end).
TEST(SelectorErrorTest, EveryPrefixCompilesOrPointsIntoTheText) {
  const std::vector<std::string> selectors = {
      R"(div.新闻 > ul#list li:nth-child(2n+1):not(.ad, [data-x="a'b\"c"]) + li ~ p a[href^="/x"]@href)",
      R"(li:has(> a[title*=人工智能]), h2 a:contains("公告") , td:nth-last-of-type(-n+3)@title)",
      R"(xpath://div[@id='a(b'][contains(., "x]")]/a)",
  };
  for (Scope scope : {Scope::kDocument, Scope::kRelative}) {
    for (const std::string& full : selectors) {
      for (std::size_t length = 0; length <= full.size(); ++length) {
        if (length < full.size() && (static_cast<unsigned char>(full[length]) & 0xC0) == 0x80) {
          continue;  // not a character boundary
        }
        const std::string text = full.substr(0, length);
        auto selector = compile_selector(text, scope);
        if (selector) {
          // Raw XPath only gets structural checks, so libxml2 may still reject a prefix.
          if (selector->xpath.empty() || text.starts_with("xpath:")) {
            continue;
          }
          xmlXPathCompExpr* compiled =
              xmlXPathCompile(reinterpret_cast<const xmlChar*>(selector->xpath.c_str()));
          EXPECT_NE(compiled, nullptr) << text << " -> " << selector->xpath;
          xmlXPathFreeCompExpr(compiled);
          continue;
        }
        const std::string& message = selector.error().message;
        ASSERT_EQ(message.rfind("position ", 0), 0u) << text << ": " << message;
        const std::size_t position = std::stoul(message.substr(9));
        std::size_t characters = 0;
        for (char c : text) {
          characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
        }
        EXPECT_GE(position, 1u) << text << ": " << message;
        EXPECT_LE(position, characters + 1) << text << ": " << message;
      }
    }
  }
}

// Evaluates compiled selectors with libxml2 on a real list page, as the extractor will.
class SelectorOnListPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    html_ = testing::read_fixture("selector/dfa66-announcement-list-2020-07.html");
    doc_.reset(htmlReadMemory(html_.data(), static_cast<int>(html_.size()), "list.html", "UTF-8",
                              HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET));
    ASSERT_NE(doc_, nullptr);
  }

  // The nodes `text` selects from `context` (the document when null).
  std::vector<xmlNode*> select(std::string_view text, Scope scope, xmlNode* context = nullptr) {
    auto selector = compile_selector(text, scope);
    EXPECT_TRUE(selector.has_value()) << text << ": " << selector.error().message;
    if (!selector) {
      return {};
    }
    XPathContext ctx(xmlXPathNewContext(doc_.get()));
    if (context != nullptr) {
      ctx->node = context;
    }
    XPathObject result(xmlXPathEvalExpression(
        reinterpret_cast<const xmlChar*>(selector->xpath.c_str()), ctx.get()));
    EXPECT_NE(result, nullptr) << text << " -> " << selector->xpath;
    std::vector<xmlNode*> nodes;
    if (result && result->nodesetval != nullptr) {
      for (int i = 0; i < result->nodesetval->nodeNr; ++i) {
        nodes.push_back(result->nodesetval->nodeTab[i]);
      }
    }
    return nodes;
  }

  std::size_t count(std::string_view text) { return select(text, Scope::kDocument).size(); }

  // What the extractor will read: the attribute when the selector names one, else the text,
  // of the first node selected from `context` (the context itself for "@attr").
  std::string first_value(std::string_view text, xmlNode* context) {
    auto selector = compile_selector(text, Scope::kRelative);
    EXPECT_TRUE(selector.has_value()) << text;
    if (!selector) {
      return {};
    }
    xmlNode* node = context;
    if (!selector->xpath.empty()) {
      const auto nodes = select(text, Scope::kRelative, context);
      if (nodes.empty()) {
        return "<none>";
      }
      node = nodes.front();
    }
    XmlString value(selector->attribute ? xmlGetProp(node, reinterpret_cast<const xmlChar*>(
                                                               selector->attribute->c_str()))
                                        : xmlNodeGetContent(node));
    return value ? std::string(reinterpret_cast<const char*>(value.get())) : "<none>";
  }

  std::string html_{};
  XmlDoc doc_{};
};

TEST_F(SelectorOnListPageTest, ItemSelectorsCountTheAnnouncements) {
  EXPECT_EQ(count("ul.glist > li"), 10u);
  EXPECT_EQ(count(".aboutcont .glist li.clearfix"), 10u);
  EXPECT_EQ(count("xpath://ul[@class='glist fxq']/li"), 10u);
  EXPECT_EQ(count("UL.glist > LI"), 10u);
}

TEST_F(SelectorOnListPageTest, AttributeOperatorsSelectTheRightLinks) {
  EXPECT_EQ(count(R"(a[href^="/dfaets/contents/2020/6/"])"), 3u);
  EXPECT_EQ(count("a[href^=/dfaets/contents/]"), 10u);
  EXPECT_EQ(count(R"(a[href$="index2.html"])"), 2u);
  EXPECT_EQ(count("a[title*=东方阿尔法基金管理有限公司关于]"), 5u);
  EXPECT_EQ(count("a[target=_blank]"), 16u);
  EXPECT_EQ(count("[class~=fl-left]"), 3u);
  EXPECT_EQ(count(R"(meta[http-equiv|="X-UA"])"), 1u);
  EXPECT_EQ(count(R"(.left-nav li[style*="dashed"])"), 3u);
  EXPECT_EQ(count(R"(.gr_ggsub li[class=""])"), 3u);
}

TEST_F(SelectorOnListPageTest, PagerLinksWithAndWithoutHref) {
  EXPECT_EQ(count(".page a[href]"), 4u);
  EXPECT_EQ(count(".page a:not([href])"), 1u);
  EXPECT_EQ(count(".page > a.pageOn"), 1u);
  EXPECT_EQ(count(R"(.page a:contains("下一页"))"), 1u);
}

TEST_F(SelectorOnListPageTest, StructuralPseudoClassesCountSiblings) {
  EXPECT_EQ(count("ul.glist > li:nth-child(odd)"), 5u);
  EXPECT_EQ(count("ul.glist > li:nth-child(3n)"), 3u);
  EXPECT_EQ(count("ul.glist > li:nth-last-child(-n+2)"), 2u);
  EXPECT_EQ(count("li.clearfix:nth-of-type(2n)"), 5u);
  EXPECT_EQ(count("#J_web_menu > li"), 7u);
  EXPECT_EQ(count("#J_web_menu > li:nth-child(-n+3)"), 3u);
  EXPECT_EQ(count("ul.glist > li:first-child, ul.glist > li:last-child"), 2u);
  EXPECT_EQ(count("img.logo:only-child"), 1u);
  EXPECT_EQ(count("h3 > em:only-child"), 1u);
}

TEST_F(SelectorOnListPageTest, SiblingCombinatorsSeeTheExtraImage) {
  // Only the newest item has a "new" <img> between its link and its date.
  EXPECT_EQ(count("ul.glist a + span.t"), 9u);
  EXPECT_EQ(count("ul.glist a + img"), 1u);
  EXPECT_EQ(count("ul.glist span.ic ~ span.t"), 10u);
  EXPECT_EQ(count("li:has(> a.active)"), 2u);
  EXPECT_EQ(count("p:contains(客服)"), 2u);
  EXPECT_EQ(count("H3"), 2u);
}

TEST_F(SelectorOnListPageTest, RelativeSelectorsReadEachItem) {
  const auto items = select("ul.glist > li", Scope::kDocument);
  ASSERT_EQ(items.size(), 10u);

  EXPECT_EQ(first_value("a@href", items[0]),
            "/dfaets/contents/2020/7/2-b51327b18dff4d8aa163774fcd9240e6.html");
  EXPECT_EQ(first_value("a@title", items[9]), "东方阿尔法基金管理有限公司关于公司住所变更的公告");
  EXPECT_EQ(first_value("span.t", items[0]), "2020-07-02");
  EXPECT_EQ(first_value("> span:last-child", items[9]), "2019-11-16");
  EXPECT_EQ(first_value("@class", items[3]), "clearfix");
  EXPECT_EQ(first_value("> span:first-child", items[1]), "·");
  EXPECT_EQ(first_value("+ li span.t", items[0]), "2020-06-29");

  std::vector<std::string> dates;
  for (xmlNode* item : items) {
    dates.push_back(first_value("span.t", item));
  }
  EXPECT_EQ(dates, (std::vector<std::string>{"2020-07-02", "2020-06-29", "2020-06-10", "2020-06-03",
                                             "2020-05-29", "2020-05-06", "2020-04-10", "2020-03-16",
                                             "2019-12-09", "2019-11-16"}));
}

TEST_F(SelectorOnListPageTest, RelativeScopeExcludesTheItemItself) {
  const auto items = select("ul.glist > li", Scope::kDocument);
  ASSERT_FALSE(items.empty());

  EXPECT_TRUE(select("li", Scope::kRelative, items[0]).empty());
  EXPECT_EQ(select("*", Scope::kRelative, items[0]).size(), 4u);  // span, a, img, span
  EXPECT_EQ(select("~ li", Scope::kRelative, items[0]).size(), 9u);
}

}  // namespace
}  // namespace herald
