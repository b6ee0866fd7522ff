// Cases from feedparser's conformance corpus (tests/fixtures/feedparser/wellformed/, see NOTE.md).
// Each file's header states what feedparser expects; feedparser keeps HTML while herald wants
// plain text, so where the expectation is markup ('<p>x</p>') the assertion is its text ('x').

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "scrapers/parse/feed.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

using herald::testing::fixture_path;
using herald::testing::read_fixture;

Feed parse_ok(const std::string& relative) {
  auto feed = parse_feed(read_fixture("feedparser/wellformed/" + relative));
  if (!feed) {
    ADD_FAILURE() << relative << ": " << feed.error().message;
    return Feed{};
  }
  return *std::move(feed);
}

RawItem first_item(const std::string& relative) {
  Feed feed = parse_ok(relative);
  if (feed.items.empty()) {
    ADD_FAILURE() << relative << ": no items";
    return RawItem{};
  }
  return feed.items.front();
}

// amp/*.xml: 70 spellings of "&" in Atom 0.3 titles (escaped, double-escaped, numeric, CDATA,
// inside <b>/<strong>/<a title>, inline XHTML). feedparser expects HTML that renders as "&";
// as plain text every one of them is exactly "&".
TEST(FeedConformanceTest, EveryAmpersandSpellingBecomesOneAmpersand) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(fixture_path("feedparser/wellformed/amp"))) {
    files.push_back(entry.path());
  }
  ASSERT_EQ(files.size(), 70u);
  for (const auto& path : files) {
    const std::string relative = "amp/" + path.filename().string();
    const RawItem item = first_item(relative);
    EXPECT_EQ(item.title, "&") << relative;
  }
}

TEST(FeedConformanceTest, GuidWithoutIsPermaLinkMapsToLink) {
  const RawItem item = first_item("rss/item_guid_map_link.xml");
  EXPECT_EQ(item.link, "http://guid.example.com/");
  EXPECT_EQ(item.guid, "http://guid.example.com/");
}

TEST(FeedConformanceTest, GuidIsPermaLinkTrueMapsToLink) {
  EXPECT_EQ(first_item("rss/item_guid_isPermaLink_map_link.xml").link, "http://guid.example.com/");
}

TEST(FeedConformanceTest, GuidDoesNotOverrideLink) {
  const RawItem item = first_item("rss/item_guid_conflict_link.xml");
  EXPECT_EQ(item.link, "http://link.example.com/");
  EXPECT_EQ(item.guid, "http://guid.example.com/");
}

TEST(FeedConformanceTest, GuidNotPermalinkIsNotALink) {
  const RawItem item = first_item("rss/item_guid_not_permalink.xml");
  EXPECT_EQ(item.link, "");
  EXPECT_EQ(item.guid, "http://guid.example.com/");
  EXPECT_EQ(first_item("rss/item_guid_not_permalink_conflict_link.xml").link,
            "http://link.example.com/");
}

TEST(FeedConformanceTest, GuidNotPermalinkIsKeptVerbatim) {
  const RawItem item = first_item("rss/item_guid_not_permalink_not_url.xml");
  EXPECT_EQ(item.guid, "abc");
  EXPECT_EQ(item.link, "");
}

TEST(FeedConformanceTest, XmlBaseOnRssRootIsReportedWithPermalinkGuid) {
  // <rss xml:base="http://example.test/"> ... <guid isPermaLink="true">http://example.c[o.test/
  const RawItem item = first_item("rss/item_guid_isPermaLink_ValueError.xml");
  EXPECT_EQ(item.link, "http://example.c[o.test/");
  EXPECT_EQ(item.base_url, "http://example.test/");
}

TEST(FeedConformanceTest, ContentEncodedIsTheSummaryAsText) {
  // <content:encoded>&lt;p&gt;Example content&lt;/p&gt;</content:encoded>
  EXPECT_EQ(first_item("rss/item_content_encoded.xml").summary, "Example content");
}

TEST(FeedConformanceTest, DcDateIsTheDate) {
  EXPECT_EQ(first_item("rss/item_dc_date.xml").date_text, "2003-12-31T10:14:55Z");
}

TEST(FeedConformanceTest, PubDateIsTheDate) {
  EXPECT_EQ(first_item("rss/item_pubDate.xml").date_text, "Thu, 01 Jan 2004 19:48:21 GMT");
}

TEST(FeedConformanceTest, DcTitleStandsInForTitle) {
  EXPECT_EQ(first_item("rss/item_dc_title.xml").title, "Example title");
}

TEST(FeedConformanceTest, EscapedAndNakedDescriptionMarkupBecomeText) {
  EXPECT_EQ(first_item("rss/item_description_escaped_markup.xml").summary, "Example description");
  EXPECT_EQ(first_item("rss/item_description_naked_markup.xml").summary, "Example description");
}

TEST(FeedConformanceTest, CdataDescriptionWithBreaksBecomesSpacedText) {
  // <![CDATA[article title<br /><br /> article byline<br/><br/>text of article]]>
  EXPECT_EQ(first_item("rss/item_description_br.xml").summary,
            "article title article byline text of article");
}

TEST(FeedConformanceTest, EscapedTagInsideCdataCodeStaysAsText) {
  // <![CDATA[<code>&lt;br /></code>]]>: the page shows a literal "<br />".
  EXPECT_EQ(first_item("rss/item_description_code_br.xml").summary, "<br />");
}

TEST(FeedConformanceTest, XhtmlBodyIsTheSummary) {
  EXPECT_EQ(first_item("rss/item_xhtml_body.xml").summary, "Example content");
}

TEST(FeedConformanceTest, LessThanEntityInTitleIsText) {
  EXPECT_EQ(parse_ok("rss/channel_title_lt.xml").title, "1 < 2");
}

TEST(FeedConformanceTest, UserlandDefaultNamespaceIsStillRss) {
  EXPECT_EQ(parse_ok("rss/rss_namespace_2.xml").format, FeedFormat::kRss);
}

// feedparser accepts these; herald refuses any internal DTD subset that declares entities
// (RELIABILITY.md C7/C8), even a harmless one.
TEST(FeedConformanceTest, EntityDeclaredInDoctypeIsRefused) {
  for (const char* relative :
       {"rss/entity_in_doctype.xml", "rdf/doctype_contains_entity_decl.xml"}) {
    auto feed = parse_feed(read_fixture(std::string("feedparser/wellformed/") + relative));
    ASSERT_FALSE(feed.has_value()) << relative;
    EXPECT_EQ(feed.error().code, ErrorCode::kFeedInvalid);
    EXPECT_EQ(feed.error().message, "feed declares entities in a DOCTYPE; refused");
  }
}

TEST(FeedConformanceTest, RdfItemAboutIsGuidAndLinkFallback) {
  const Feed feed = parse_ok("rdf/rdf_item_rdf_about.xml");
  EXPECT_EQ(feed.format, FeedFormat::kRdf);
  ASSERT_EQ(feed.items.size(), 1u);
  EXPECT_EQ(feed.items[0].guid, "http://example.org/1");
  EXPECT_EQ(feed.items[0].link, "http://example.org/1");
}

TEST(FeedConformanceTest, RdfItemLinkAndChannelTitle) {
  EXPECT_EQ(first_item("rdf/rdf_item_link.xml").link, "http://example.com/1");
  EXPECT_EQ(parse_ok("rdf/rdf_channel_title.xml").title, "Example feed");
}

TEST(FeedConformanceTest, Rss090NamespaceIsRdf) {
  const Feed feed = parse_ok("rdf/rss090_item_title.xml");
  EXPECT_EQ(feed.format, FeedFormat::kRdf);
  EXPECT_EQ(feed.title, "Example title");
  ASSERT_EQ(feed.items.size(), 1u);
  EXPECT_EQ(feed.items[0].title, "Item title");
}

TEST(FeedConformanceTest, Rss10WithPrefixedNamespaceIsRdf) {
  EXPECT_EQ(parse_ok("rdf/rss_version_10_not_default_ns.xml").format, FeedFormat::kRdf);
}

TEST(FeedConformanceTest, AtomAlternateLinkWinsOverRelatedAndVia) {
  EXPECT_EQ(first_item("atom10/entry_link_alternate_map_link_3.xml").link,
            "http://www.example.com/alternate");
}

TEST(FeedConformanceTest, AtomLinkWithoutRelIsAlternate) {
  EXPECT_EQ(first_item("atom10/entry_link_no_rel.xml").link, "http://www.example.com/");
}

TEST(FeedConformanceTest, AtomAlternateLinkIsFoundAfterOtherRels) {
  // Two entries: the enclosure link comes first in the second; both must give the alternate.
  const Feed feed = parse_ok("atom10/entry_link_no_href_link_priority.xml");
  ASSERT_EQ(feed.items.size(), 2u);
  EXPECT_EQ(feed.items[0].link, "http://www.example.com/alternate");
  EXPECT_EQ(feed.items[1].link, "http://www.example.com/alternate");
}

TEST(FeedConformanceTest, AtomFirstOfMultipleLinksIsTheAlternate) {
  EXPECT_EQ(first_item("atom10/entry_link_multiple.xml").link, "http://www.example.com/");
}

TEST(FeedConformanceTest, AtomHtmlAndXhtmlTitlesBecomeText) {
  EXPECT_EQ(first_item("atom10/entry_title_escaped_markup.xml").title, "Example Atom");
  EXPECT_EQ(first_item("atom10/entry_title_inline_markup.xml").title, "Example Atom");
}

TEST(FeedConformanceTest, AtomContentByReferenceGivesNoSummary) {
  // <content src="http://example.com/movie.mp4"/>: out-of-line content, nothing to show.
  EXPECT_EQ(first_item("atom10/entry_content_src.xml").summary, "");
}

TEST(FeedConformanceTest, AtomChildOfEntryWinsOverDeeperNamesake) {
  const Feed titles = parse_ok("node_precedence/atom10_title.xml");
  ASSERT_EQ(titles.items.size(), 2u);
  EXPECT_EQ(titles.items[0].title, "Correct Value");
  EXPECT_EQ(titles.items[1].title, "Correct Value");
  const Feed ids = parse_ok("node_precedence/atom10_id.xml");
  ASSERT_EQ(ids.items.size(), 2u);
  EXPECT_EQ(ids.items[0].guid, "Correct Value");
  EXPECT_EQ(ids.items[1].guid, "Correct Value");
}

TEST(FeedConformanceTest, XmlBaseInheritedFromFeed) {
  EXPECT_EQ(first_item("base/entry_content_xml_base_inherit.xml").base_url,
            "http://example.com/test/");
  EXPECT_EQ(first_item("base/entry_content_xml_base_inherit_4.xml").base_url,
            "http://example.com/parent/");
}

TEST(FeedConformanceTest, RelativeXmlBaseOnEntryResolvesAgainstFeedBase) {
  // <feed xml:base="http://example.com/"><entry xml:base="test/entry/">
  EXPECT_EQ(first_item("base/relative_xml_base_2.xml").base_url, "http://example.com/test/entry/");
}

}  // namespace
}  // namespace herald
