// The nesting-depth pre-scan (RELIABILITY.md C6): a page nested deeper than the limit is
// refused from its bytes, before gumbo builds a tree whose cost grows with the square of
// its depth; ordinary pages, tag soup included, are estimated close to what gumbo builds.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scrapers/parse/html_document.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

using ::testing::HasSubstr;

std::string repeat(std::string_view piece, int times) {
  std::string out;
  out.reserve(piece.size() * static_cast<std::size_t>(times));
  for (int i = 0; i < times; ++i) {
    out += piece;
  }
  return out;
}

// What the pre-scan's refusal says, and the built-tree check's does not: the page was
// refused before gumbo saw it.
constexpr std::string_view kRefusedBeforeParsing = "before parsing";

TEST(HtmlDepthPrescan, AHundredThousandDeepPageIsRefusedBeforeParsing) {
  const std::string page = "<html><body>" + repeat("<div>", 100'000);
  auto doc = HtmlDocument::parse(page);
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().code, ErrorCode::kParseLimit);
  EXPECT_THAT(doc.error().message, HasSubstr(std::string(kRefusedBeforeParsing)));
  EXPECT_THAT(doc.error().message, HasSubstr("1000"));
}

TEST(HtmlDepthPrescan, TheScanStopsCountingOnceOverTheLimit) {
  const std::string page = "<html><body>" + repeat("<div>", 100'000);
  EXPECT_EQ(estimate_nesting_depth(page, 10), 11u);
  EXPECT_EQ(estimate_nesting_depth(page, 1'000), 1'001u);
}

TEST(HtmlDepthPrescan, TheLimitIsTheSameAsTheBuiltTrees) {
  // <html>, <body> and n <div>s: depth n + 2.
  const auto nested = [](int n) {
    return "<html><body>" + repeat("<div>", n) + "x" + repeat("</div>", n) + "</body></html>";
  };
  EXPECT_EQ(estimate_nesting_depth(nested(998), 1'000), 1'000u);
  auto at_limit = HtmlDocument::parse(nested(998));
  EXPECT_TRUE(at_limit.has_value()) << at_limit.error().message;

  auto over = HtmlDocument::parse(nested(999));
  ASSERT_FALSE(over.has_value());
  EXPECT_EQ(over.error().code, ErrorCode::kParseLimit);
  EXPECT_THAT(over.error().message, HasSubstr(std::string(kRefusedBeforeParsing)));
}

// End tags that close nothing (no such element open, or a special element in between)
// must not take depth off the estimate: gumbo ignores them too.
TEST(HtmlDepthPrescan, StrayAndMisnestedEndTagsDoNotHideTheDepth) {
  for (const std::string& page : {"<html><body>" + repeat("<div></span>", 5'000),
                                  "<html><body>" + repeat("<span><div></span>", 2'000),
                                  "<html><body>" + repeat("<b><div></b>", 2'000),
                                  "<html><body>" + repeat("<div/>", 5'000)}) {
    SCOPED_TRACE(page.substr(0, 40));
    EXPECT_GT(estimate_nesting_depth(page, 1'000), 1'000u);
    auto doc = HtmlDocument::parse(page);
    ASSERT_FALSE(doc.has_value());
    EXPECT_EQ(doc.error().code, ErrorCode::kParseLimit);
    EXPECT_THAT(doc.error().message, HasSubstr(std::string(kRefusedBeforeParsing)));
  }
}

// Thousands of elements whose end tags are left out, and markup that is not elements: the
// parser keeps these shallow, and so must the estimate (each expected value is the depth
// gumbo 0.10.1 builds for the page, but for the script page: the estimate leaves out raw
// text elements, whose content cannot nest, so it counts one level less there).
TEST(HtmlDepthPrescan, TagSoupThatStaysShallowIsEstimatedShallow) {
  struct Case {
    const char* what;
    std::string page;
    std::size_t depth;
  };
  const Case cases[] = {
      {"unclosed <li>", "<html><body><ul>" + repeat("<li>x", 5'000) + "</ul>", 4},
      {"<li> with an unclosed <span>", "<html><body><ul>" + repeat("<li><span>x", 5'000), 5},
      {"unclosed <p>", "<html><body>" + repeat("<p>x", 5'000), 3},
      {"<p> closed by a <div>", "<html><body>" + repeat("<p>x<div>y</div>", 5'000), 3},
      {"unclosed <a>", "<html><body>" + repeat("<a href=#>x", 5'000), 3},
      {"unclosed cells and rows", "<html><body><table>" + repeat("<tr><td>x", 5'000), 6},
      {"unclosed <option>", "<html><body><select>" + repeat("<option>x", 5'000), 4},
      {"unclosed <dt> and <dd>", "<html><body><dl>" + repeat("<dt>a<dd>b", 5'000), 4},
      {"<font> misnested with <p>", "<html><body>" + repeat("<font><p>x</font></p>", 5'000), 4},
      {"misnested <i> and <b>", "<html><body>" + repeat("<i><b>x</i></b>", 3'000), 4},
      {"unclosed headings", "<html><body>" + repeat("<h2>x<h3>y", 3'000), 3},
      {"tables straight inside tables", "<html><body>" + repeat("<table>", 3'000), 3},
      {"nested forms", "<html><body>" + repeat("<form>", 3'000), 3},
      {"void elements", "<html><body>" + repeat("<br><img src=x><input><hr>", 5'000), 2},
      {"self-closed SVG", "<html><body><svg>" + repeat("<path d=\"M0\"/>", 5'000) + "</svg>", 3},
      {"tags in a comment", "<html><body><!--" + repeat("<div>", 5'000) + "-->", 2},
      {"tags in a script", "<html><body><script>s='" + repeat("<div>", 5'000) + "'</script>", 2},
      {"'>' in quoted attributes", "<html><body>" + repeat("<a title=\"x>y\">z</a>", 5'000), 3},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(estimate_nesting_depth(c.page, 1'000), c.depth);
    auto doc = HtmlDocument::parse(c.page);
    EXPECT_TRUE(doc.has_value()) << doc.error().message;
  }
}

// Every saved page of every source and module: estimated shallow (the deepest is 26 levels
// as gumbo builds it) and never refused by a limit.
TEST(HtmlDepthPrescan, EverySavedHtmlPageIsWellWithinTheLimit) {
  int pages = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(testing::fixture_path(""))) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() ||
        !(name.ends_with(".html") || name.ends_with(".htm") || name.ends_with(".shtml"))) {
      continue;
    }
    SCOPED_TRACE(entry.path().string());
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    const std::string page = bytes.str();
    ++pages;
    EXPECT_LE(estimate_nesting_depth(page, 1'000), 40u);
    auto doc = HtmlDocument::parse(page);
    if (!doc) {
      EXPECT_NE(doc.error().code, ErrorCode::kParseLimit) << doc.error().message;
    }
  }
  EXPECT_GE(pages, 50);
}

}  // namespace
}  // namespace herald
