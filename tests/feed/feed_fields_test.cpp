// Field-selection rules of parse_feed, each on the smallest document that shows it.

#include <gtest/gtest.h>

#include <string>

#include "scrapers/parse/feed.h"

namespace herald {
namespace {

RawItem only_item(const std::string& text) {
  auto feed = parse_feed(text);
  if (!feed) {
    ADD_FAILURE() << feed.error().message;
    return RawItem{};
  }
  if (feed->items.size() != 1) {
    ADD_FAILURE() << feed->items.size() << " items";
    return RawItem{};
  }
  return feed->items[0];
}

TEST(FeedFieldsTest, AtomPublishedWinsOverUpdatedWhateverTheOrder) {
  const RawItem item = only_item(
      "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><updated>2024-02-02T00:00:00Z</updated>"
      "<published>2024-01-01T00:00:00Z</published></entry></feed>");
  EXPECT_EQ(item.date_text, "2024-01-01T00:00:00Z");
}

TEST(FeedFieldsTest, RssPubDateWinsOverDcDate) {
  const RawItem item = only_item(
      "<rss xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><item>"
      "<dc:date>2024-02-02</dc:date><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate>"
      "</item></channel></rss>");
  EXPECT_EQ(item.date_text, "Mon, 01 Jan 2024 00:00:00 GMT");
}

TEST(FeedFieldsTest, EmptyDescriptionFallsBackToContentEncoded) {
  const RawItem item = only_item(
      "<rss xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><item>"
      "<description>  </description><content:encoded><![CDATA[<p>Full &amp; text</p>]]>"
      "</content:encoded></item></channel></rss>");
  EXPECT_EQ(item.summary, "Full & text");
}

TEST(FeedFieldsTest, RssTitleWithEscapedMarkupIsStripped) {
  const RawItem item = only_item(
      "<rss><channel><item><title>&lt;b&gt;Draft&lt;/b&gt; AI rules &amp;amp; "
      "guidance</title></item></channel></rss>");
  EXPECT_EQ(item.title, "Draft AI rules & guidance");
}

TEST(FeedFieldsTest, NonHttpGuidIsNotALink) {
  const RawItem item =
      only_item("<rss><channel><item><guid>urn:uuid:1234</guid></item></channel></rss>");
  EXPECT_EQ(item.link, "");
  EXPECT_EQ(item.guid, "urn:uuid:1234");
}

TEST(FeedFieldsTest, AtomSelfLinkIsNotTheItemLink) {
  const RawItem item = only_item(
      "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry>"
      "<link rel=\"self\" href=\"http://example.test/self\"/>"
      "<link rel=\"alternate\" href=\"/news/1\" xml:base=\"http://example.test/base/\"/>"
      "</entry></feed>");
  EXPECT_EQ(item.link, "/news/1");
  EXPECT_EQ(item.base_url, "http://example.test/base/");  // xml:base on the link itself
}

// Atom 0.3 mode="base64" and Atom 1.0 non-text media types carry base64: a text payload is
// decoded, a binary one (here the first bytes of a PNG) gives no summary rather than garbage.
TEST(FeedFieldsTest, AtomBase64TextIsDecodedButBinaryIsNot) {
  const RawItem text = only_item(
      "<feed xmlns=\"http://purl.org/atom/ns#\"><entry>"
      "<content mode=\"base64\">RXhhbXBsZQ==</content></entry></feed>");
  EXPECT_EQ(text.summary, "Example");
  const RawItem binary = only_item(
      "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry>"
      "<content type=\"image/png\">iVBORw0KGgoAAAANSUhEUg==</content></entry></feed>");
  EXPECT_EQ(binary.summary, "");
}

TEST(FeedFieldsTest, WhitespaceInsideFieldsIsCollapsed) {
  const RawItem item = only_item(
      "<rss><channel><item><title>\n  Two\tlines\n  here\u3000</title>"
      "<link>\n http://example.test/1 \n</link></item></channel></rss>");
  EXPECT_EQ(item.title, "Two lines here");
  EXPECT_EQ(item.link, "http://example.test/1");
}

TEST(FeedFieldsTest, ItemsStraightUnderRssRootAreRead) {
  auto feed = parse_feed("<rss><item><title>loose</title></item></rss>");
  ASSERT_TRUE(feed.has_value()) << feed.error().message;
  ASSERT_EQ(feed->items.size(), 1u);
  EXPECT_EQ(feed->items[0].title, "loose");
}

}  // namespace
}  // namespace herald
