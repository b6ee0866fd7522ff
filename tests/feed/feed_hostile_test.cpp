// parse_feed on hostile and broken input (RELIABILITY.md C7-C10). The hostile fixtures are
// written by hand (no real page exists for an attack); see tests/fixtures/feed/NOTE.md.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "scrapers/parse/feed.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

using herald::testing::read_fixture;

void expect_invalid(const Result<Feed>& feed, const std::string& message_part) {
  ASSERT_FALSE(feed.has_value()) << "parsed " << feed->items.size() << " items";
  EXPECT_EQ(feed.error().code, ErrorCode::kFeedInvalid);
  EXPECT_NE(feed.error().message.find(message_part), std::string::npos) << feed.error().message;
}

TEST(FeedHostileTest, ExternalFileEntityIsRefused) {
  expect_invalid(parse_feed(read_fixture("feed/hostile/xxe-file-entity.xml")),
                 "feed declares entities in a DOCTYPE; refused");
}

TEST(FeedHostileTest, EntityDeclarationHiddenFromThePrologScanIsStillRefused) {
  // A "]>" inside a comment ends the cheap pre-parse scan early; the parsed DTD is checked too.
  const std::string text = read_fixture("feed/hostile/xxe-hidden-from-prolog-scan.xml");

  const auto feed = parse_feed(text);

  expect_invalid(feed, "feed declares entities in a DOCTYPE; refused");
}

TEST(FeedHostileTest, NoLocalFileContentLeaksThroughAnEntity) {
  herald::testing::TempDir dir;
  const std::filesystem::path secret = dir.path() / "secret.txt";
  std::ofstream(secret) << "SECRET-MARKER-7f3a";
  // Both a general entity used in content and the "hidden from the prolog scan" shape.
  const std::string doctypes[] = {
      "<!DOCTYPE rss [<!ENTITY e SYSTEM \"file://" + secret.string() + "\">]>",
      "<!DOCTYPE rss [<!-- ]> --><!ENTITY e SYSTEM \"file://" + secret.string() + "\">]>",
  };
  for (const std::string& doctype : doctypes) {
    const std::string text = "<?xml version=\"1.0\"?>" + doctype +
                             "<rss><channel><title>&e;</title><item><title>&e;</title>"
                             "<description>&e;</description></item></channel></rss>";

    const auto feed = parse_feed(text);

    ASSERT_FALSE(feed.has_value()) << doctype;
    EXPECT_EQ(feed.error().code, ErrorCode::kFeedInvalid);
    EXPECT_EQ(feed.error().message.find("SECRET-MARKER"), std::string::npos);
  }
}

TEST(FeedHostileTest, BillionLaughsIsRefused) {
  expect_invalid(parse_feed(read_fixture("feed/hostile/billion-laughs.xml")),
                 "feed declares entities in a DOCTYPE; refused");
  expect_invalid(
      parse_feed(read_fixture("feed/hostile/billion-laughs-hidden-from-prolog-scan.xml")),
      "feed declares entities in a DOCTYPE; refused");
}

TEST(FeedHostileTest, HtmlPageIsNotAFeed) {
  // A real article page from The Register (lower-case <!doctype html>, not XML at all).
  expect_invalid(
      parse_feed(read_fixture("feed/article-2014-01-22-review_ouya_android_games_console.html")),
      "not an RSS or Atom document: root element <html>");
}

TEST(FeedHostileTest, WellFormedXhtmlIsNotAFeed) {
  expect_invalid(parse_feed("<html><head><title>t</title></head><body><p>x</p></body></html>"),
                 "not an RSS or Atom document: root element <html>");
}

TEST(FeedHostileTest, EmptyAndBlankInputAreInvalid) {
  expect_invalid(parse_feed(""), "empty document");
  expect_invalid(parse_feed(" \n\t "), "empty document");
}

TEST(FeedHostileTest, TextThatIsNotXmlIsInvalid) {
  expect_invalid(parse_feed("just some words"), "not well-formed XML");
}

// Atom's draft namespaces (Echo, Pie, Necho) are Atom; a <feed> of some other vocabulary is not.
TEST(FeedHostileTest, RootInAnUnknownNamespaceIsNotAFeed) {
  expect_invalid(parse_feed("<feed xmlns=\"urn:x-example:catalog\"><title>x</title></feed>"),
                 "not an RSS or Atom document: root element <feed>");
  expect_invalid(parse_feed("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/>"),
                 "not an RSS or Atom document: root element <RDF>");
}

TEST(FeedHostileTest, InputOverSixteenMebibytesIsRefused) {
  std::string text = "<rss><channel><item><title>";
  text.append(16 * 1024 * 1024, 'x');
  text.append("</title></item></channel></rss>");

  expect_invalid(parse_feed(text), "refusing anything over");
}

TEST(FeedHostileTest, HugeFieldIsCappedAtSixtyFourKibibytes) {
  std::string text = "<rss><channel><item><title>";
  text.append(1024 * 1024, 'x');
  text.append("</title><link>http://example.test/1</link></item></channel></rss>");

  const auto feed = parse_feed(text);

  ASSERT_TRUE(feed.has_value()) << feed.error().message;
  ASSERT_EQ(feed->items.size(), 1u);
  EXPECT_LE(feed->items[0].title.size(), 64u * 1024u);
  EXPECT_GE(feed->items[0].title.size(), 60u * 1024u);
  EXPECT_EQ(feed->items[0].link, "http://example.test/1");
}

TEST(FeedHostileTest, ItemCountIsCappedAtFiveThousand) {
  std::string text = "<rss><channel>";
  for (int i = 0; i < 6000; ++i) {
    text.append("<item><title>t").append(std::to_string(i)).append("</title></item>");
  }
  text.append("</channel></rss>");

  const auto feed = parse_feed(text);

  ASSERT_TRUE(feed.has_value()) << feed.error().message;
  ASSERT_EQ(feed->items.size(), 5000u);
  EXPECT_EQ(feed->items.back().title, "t4999");
}

TEST(FeedHostileTest, DeepNestingDoesNotCrash) {
  std::string text = "<rss><channel><item><title>deep</title><description>";
  for (int i = 0; i < 100000; ++i) {
    text.append("<b>");
  }
  text.append("x</description></item></channel></rss>");

  const auto feed = parse_feed(text);

  // libxml2 stops at depth 256 without XML_PARSE_HUGE; whatever recovery keeps is fine, as
  // long as it returns.
  if (feed) {
    for (const RawItem& item : feed->items) {
      EXPECT_LE(item.summary.size(), 64u * 1024u);
    }
  } else {
    EXPECT_EQ(feed.error().code, ErrorCode::kFeedInvalid);
  }
}

TEST(FeedHostileTest, ScriptInEscapedHtmlBecomesNoText) {
  const auto feed = parse_feed(
      "<rss><channel><item><title>ok</title><description>&lt;script&gt;alert('x&lt;/b&gt;')"
      "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;Body</description></item></channel>"
      "</rss>");

  ASSERT_TRUE(feed.has_value()) << feed.error().message;
  ASSERT_EQ(feed->items.size(), 1u);
  EXPECT_EQ(feed->items[0].summary, "Body");
}

TEST(FeedHostileTest, InvalidUtf8AndNulAreSanitised) {
  // Text that reached the parser with a stray byte (a bad decode upstream) and an escaped NUL.
  std::string text =
      "<rss><channel><item><title>a\xFF"
      "b</title><description>c&amp;#0;d";
  text.append("</description></item></channel></rss>");

  const auto feed = parse_feed(text);

  ASSERT_TRUE(feed.has_value()) << feed.error().message;
  ASSERT_EQ(feed->items.size(), 1u);
  for (const std::string* field : {&feed->items[0].title, &feed->items[0].summary}) {
    EXPECT_EQ(field->find('\0'), std::string::npos);
    EXPECT_EQ(field->find('\xFF'), std::string::npos);
  }
}

TEST(FeedHostileTest, LibxmlPrintsNothingOnBrokenInput) {
  ::testing::internal::CaptureStderr();
  const auto broken = parse_feed("<rss><channel><item><title>a &bogus; b</title></item>");
  const auto html = parse_feed("<!doctype html><html><body><p>x</body></html>");
  const auto garbage = parse_feed("\x01\x02 not xml");
  const std::string printed = ::testing::internal::GetCapturedStderr();

  EXPECT_TRUE(broken.has_value());
  EXPECT_FALSE(html.has_value());
  EXPECT_FALSE(garbage.has_value());
  EXPECT_EQ(printed, "");
}

TEST(FeedHostileTest, RecoveryKeepsEscapedMarkupAfterTheFirstError) {
  // libxml2's recovery mode drops every entity reference after the first error; the parser
  // rewrites them as character references first, so "&lt;b&gt;" and "&amp;" survive.
  const auto feed = parse_feed(
      "<rss><channel><item><title>cut &#2</title></item>"
      "<item><title>AT&amp;T &lt;b&gt;news&lt;/b&gt;</title>"
      "<description>&lt;p&gt;a&amp;amp;b&lt;/p&gt;</description></item></channel></rss>");

  ASSERT_TRUE(feed.has_value()) << feed.error().message;
  ASSERT_EQ(feed->items.size(), 2u);
  EXPECT_EQ(feed->items[1].title, "AT&T news");
  EXPECT_EQ(feed->items[1].summary, "a&b");
}

TEST(FeedHostileTest, UndeclaredHtmlEntitiesAreDecoded) {
  // No DTD declares &nbsp; or &eacute;, so strict XML rejects them; feeds use them anyway.
  const auto feed = parse_feed(
      "<rss><channel><item><title>Caf&eacute;&nbsp;news &copy; 2024</title>"
      "<link>http://example.test/?a=1&amp;b=2</link></item></channel></rss>");

  ASSERT_TRUE(feed.has_value()) << feed.error().message;
  ASSERT_EQ(feed->items.size(), 1u);
  EXPECT_EQ(feed->items[0].title, "Café news © 2024");
  EXPECT_EQ(feed->items[0].link, "http://example.test/?a=1&b=2");
}

TEST(FeedHostileTest, ExternalDtdIsNotLoadedButItsEntitiesStillRead) {
  // The RSS 0.91 DOCTYPE names a remote DTD; NONET and no DTDLOAD mean it is never fetched,
  // and the entity references it would define are decoded from herald's own table.
  const auto feed = parse_feed(
      "<?xml version=\"1.0\"?>\n<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS "
      "0.91//EN\" \"http://my.netscape.com/publish/formats/rss-0.91.dtd\">\n"
      "<rss version=\"0.91\"><channel><title>Netscape</title><item><title>caf&eacute;&nbsp;1"
      "</title></item></channel></rss>");

  ASSERT_TRUE(feed.has_value()) << feed.error().message;
  EXPECT_EQ(feed->title, "Netscape");
  ASSERT_EQ(feed->items.size(), 1u);
  EXPECT_EQ(feed->items[0].title, "café 1");
}

}  // namespace
}  // namespace herald
