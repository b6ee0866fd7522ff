// html_fragment_to_text: the plain-text view of HTML found inside feed fields.

#include <gtest/gtest.h>

#include "scrapers/parse/feed.h"

namespace herald {
namespace {

TEST(HtmlTextTest, TagsAreDroppedAndBlocksSeparateWords) {
  EXPECT_EQ(html_fragment_to_text("<p>one</p><p>two</p>"), " one  two ");
  EXPECT_EQ(html_fragment_to_text("USS <i>Enterprise</i>!"), "USS Enterprise!");
  EXPECT_EQ(html_fragment_to_text("a<br/>b<BR>c"), "a b c");
}

TEST(HtmlTextTest, BasicEntitiesAreDecoded) {
  EXPECT_EQ(html_fragment_to_text("&amp; &lt; &gt; &quot; &#39; &apos;"), "& < > \" ' '");
  EXPECT_EQ(html_fragment_to_text("a&nbsp;b"), "a\u00A0b");
  EXPECT_EQ(html_fragment_to_text("&#20154;&#x5DE5;&#X667A;"), "人工智");
}

TEST(HtmlTextTest, Windows1252NumericReferencesMapLikeBrowsers) {
  EXPECT_EQ(html_fragment_to_text("don&#146;t &#150; ok&#133;"), "don’t – ok…");
}

TEST(HtmlTextTest, InvalidOrUnknownReferencesStayOrBecomeReplacement) {
  EXPECT_EQ(html_fragment_to_text("AT&T &bogus; &#xD800; &#0;"), "AT&T &bogus; \uFFFD \uFFFD");
  EXPECT_EQ(html_fragment_to_text("cut &#2"), "cut &#2");
  EXPECT_EQ(html_fragment_to_text("bell&#7;"), "bell");
}

TEST(HtmlTextTest, LessThanThatIsNotATagIsText) {
  EXPECT_EQ(html_fragment_to_text("1 < 2 and 3<4"), "1 < 2 and 3<4");
  EXPECT_EQ(html_fragment_to_text("a <- b"), "a <- b");
  EXPECT_EQ(html_fragment_to_text("x > y"), "x > y");
  EXPECT_EQ(html_fragment_to_text("<b unterminated"), "<b unterminated");
}

TEST(HtmlTextTest, QuotedGreaterThanInsideAttributesDoesNotEndTheTag) {
  EXPECT_EQ(html_fragment_to_text("<a title=\"x > y\" href='q>r'>link</a>"), "link");
}

TEST(HtmlTextTest, CommentsScriptsStylesAndDeclarationsCarryNoText) {
  EXPECT_EQ(html_fragment_to_text("a<!-- hidden <b> -->b"), "ab");
  EXPECT_EQ(html_fragment_to_text("a<script>if (x<y) alert(1)</script>b"), "ab");
  EXPECT_EQ(html_fragment_to_text("a<STYLE type=text/css>p{}</style >b"), "ab");
  EXPECT_EQ(html_fragment_to_text("<!DOCTYPE html><?xml version='1.0'?>t"), "t");
}

TEST(HtmlTextTest, UnclosedScriptDropsTheRest) {
  EXPECT_EQ(html_fragment_to_text("a<script>evil("), "a");
}

}  // namespace
}  // namespace herald
