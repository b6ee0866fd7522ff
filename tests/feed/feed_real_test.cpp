// parse_feed on real saved feeds (tests/fixtures/feed/NOTE.md says where each came from).
// The legacy-charset feeds are stored as their original bytes and converted to UTF-8 here,
// as the decode stage does in production; their XML declarations still name the old charset.

#include <gtest/gtest.h>

#include <string>

#include "scrapers/parse/feed.h"
#include "tests/feed/iconv_to_utf8.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

using herald::testing::iconv_to_utf8;
using herald::testing::read_fixture;

Feed parse_ok(const std::string& text) {
  auto feed = parse_feed(text);
  if (!feed) {
    ADD_FAILURE() << "parse_feed failed: " << feed.error().message;
    return Feed{};
  }
  return *std::move(feed);
}

TEST(FeedRealTest, OpenAiNewsRss20AllItemsAndFirstItemFields) {
  const Feed feed = parse_ok(read_fixture("feed/openai-news-rss-2025-07-28.xml"));

  EXPECT_EQ(feed.format, FeedFormat::kRss);
  EXPECT_EQ(feed.title, "OpenAI News");  // CDATA in the source
  EXPECT_EQ(feed.link, "https://openai.com/news");
  ASSERT_EQ(feed.items.size(), 599u);
  const RawItem& first = feed.items.front();
  EXPECT_EQ(first.title, "Resolving digital threats 100x faster with OpenAI");
  EXPECT_EQ(first.link, "https://openai.com/index/outtake");
  EXPECT_EQ(first.date_text, "Thu, 24 Jul 2025 00:00:00 GMT");
  EXPECT_EQ(first.summary,
            "Discover how Outtake uses GPT-4.1 and OpenAI o3 to power AI agents that detect and "
            "resolve digital threats 100x faster than before.");
  EXPECT_EQ(first.guid, "https://openai.com/index/outtake");
  EXPECT_EQ(first.base_url, "");
}

TEST(FeedRealTest, OpenAiTrailingSpaceInTitleIsTrimmedAndLastItemIsRead) {
  const Feed feed = parse_ok(read_fixture("feed/openai-news-rss-2025-07-28.xml"));

  ASSERT_EQ(feed.items.size(), 599u);
  // The source has "<![CDATA[OpenAI’s new economic analysis ]]>".
  EXPECT_EQ(feed.items[4].title, "OpenAI’s new economic analysis");
  const RawItem& last = feed.items.back();
  EXPECT_EQ(last.title, "Introducing OpenAI");
  EXPECT_EQ(last.link, "https://openai.com/index/introducing-openai");
  EXPECT_EQ(last.date_text, "Fri, 11 Dec 2015 08:00:00 GMT");
}

TEST(FeedRealTest, OpenAiItemWithoutDescriptionHasEmptySummary) {
  const Feed feed = parse_ok(read_fixture("feed/openai-news-rss-2025-07-28.xml"));

  ASSERT_GE(feed.items.size(), 2u);
  const RawItem& item = feed.items[feed.items.size() - 2];
  EXPECT_EQ(item.title,
            "Weight normalization: A simple reparameterization to accelerate training of deep "
            "neural networks");
  EXPECT_EQ(item.summary, "");
}

TEST(FeedRealTest, TheRegisterAtom10HtmlTitleAndAlternateLink) {
  const Feed feed =
      parse_ok(read_fixture("feed/theregister-bootnotes-headlines-2012-11-02.atom.xml"));

  EXPECT_EQ(feed.format, FeedFormat::kAtom);
  EXPECT_EQ(feed.title, "The Register - Bootnotes");
  // rel="self" comes first in the source and must not win.
  EXPECT_EQ(feed.link, "http://www.theregister.co.uk/bootnotes/");
  ASSERT_EQ(feed.items.size(), 50u);
  const RawItem& first = feed.items.front();
  // <title type="html">USS &lt;i&gt;Enterprise&lt;/i&gt; sets out on its final mission</title>
  EXPECT_EQ(first.title, "USS Enterprise sets out on its final mission");
  EXPECT_EQ(first.link,
            "http://go.theregister.com/feed/www.theregister.co.uk/2012/11/02/"
            "uss_enterprise_scapped/");
  EXPECT_EQ(first.date_text, "2012-11-02T19:23:30Z");
  EXPECT_EQ(first.guid, "tag:theregister.co.uk,2005:story/2012/11/02/uss_enterprise_scapped/");
  EXPECT_EQ(first.summary,
            "To boldly go ... to the scrapheap The US Navy's first nuclear-powered aircraft "
            "carrier, the USS Enterprise, has set sail on her last mission before being consigned "
            "to the scrap heap.…");
  // xml:base sits on <summary>, not on the entry or above it.
  EXPECT_EQ(first.base_url, "");
  EXPECT_EQ(feed.items[1].title, "We don’t talk any more... on the commute");
}

TEST(FeedRealTest, CnblogRss092Gb2312) {
  const std::string text =
      iconv_to_utf8(read_fixture("feed/cnblog-org-rss092-2004.gb2312.xml"), "GB18030");
  ASSERT_NE(text.find("encoding=\"gb2312\""), std::string::npos);  // still declared

  const Feed feed = parse_ok(text);

  EXPECT_EQ(feed.format, FeedFormat::kRss);
  EXPECT_EQ(feed.title, "CNBlog:Blog On Blog");
  EXPECT_EQ(feed.link, "http://www.cnblog.org/blog");
  ASSERT_EQ(feed.items.size(), 16u);
  const RawItem& first = feed.items.front();
  EXPECT_EQ(first.title, "Picostation的PicoBlogger是 一个能让S");
  EXPECT_EQ(
      first.link,
      "http://www.cnblog.org/blog/archives/2004_08_29_cnblog_archive.html#109424958546889584");
  EXPECT_EQ(first.date_text, "");  // RSS 0.92 items here carry no date
  // CDATA holds raw HTML: <a href=...>Picostation</a>的<a ...>PicoBlogger</a>是 ...<br /><br />
  EXPECT_TRUE(first.summary.starts_with(
      "Picostation的PicoBlogger是 一个能让Symbian Series 60 的移动设备发布Blog的工具"))
      << first.summary;
  EXPECT_NE(first.summary.find("发布Blog内容。 PicoBlogger也支持"), std::string::npos);
  EXPECT_EQ(first.summary.find('<'), std::string::npos);
  EXPECT_EQ(first.summary.find("href"), std::string::npos);
}

TEST(FeedRealTest, SoftseaRss20Gb2312EscapedHtmlDescriptionBecomesText) {
  const Feed feed = parse_ok(
      iconv_to_utf8(read_fixture("feed/softsea-net-rss20-2005-12-29.gb2312.xml"), "GB18030"));

  EXPECT_EQ(feed.format, FeedFormat::kRss);
  EXPECT_EQ(feed.title, "系统工具");
  ASSERT_EQ(feed.items.size(), 100u);
  const RawItem& first = feed.items.front();
  EXPECT_EQ(first.title, "Trojan Remover 6.4.5 Date 12.28");
  EXPECT_EQ(first.link, "http://www.softsea.net/soft/136695.htm");
  EXPECT_EQ(first.guid, "http://www.softsea.net/soft/136695.htm");
  EXPECT_EQ(first.date_text, "Wed, 28 Dec 2005 16:00:00 GMT");
  // Source: &lt;img ...&gt;&amp;nbsp;x4 是一个...文件。&lt;br&gt;[&lt;a ...&gt;系统工具&lt;/a&gt;
  // &gt; ...] The bare "&gt;" between the links is text and stays.
  EXPECT_EQ(first.summary,
            "是一个专门用来清除特洛伊木马和自动修复系统文件的工具。能够检查系统登录文件、扫描WIN."
            "INI、SYSTEM.INI和系统登录文件，且扫描完成后会产生Log信息文件，并帮你自动清除特洛伊木马"
            "和修复系统文件。 [系统工具 > 病毒防治 > 木马检测]");
}

TEST(FeedRealTest, SinicaAtom03Big5PrefersIssuedAndSkipsServiceLinks) {
  const Feed feed =
      parse_ok(iconv_to_utf8(read_fixture("feed/sinica-edu-tw-atom03-2005.big5.xml"), "BIG5"));

  EXPECT_EQ(feed.format, FeedFormat::kAtom);
  EXPECT_EQ(feed.title, "「隨機部落格」之「線上演算法」");
  EXPECT_EQ(feed.link, "http://www.sinica.edu.tw/~hil/online/");
  ASSERT_EQ(feed.items.size(), 7u);
  const RawItem& first = feed.items.front();
  EXPECT_EQ(first.title, "新年快樂");
  // rel="service.edit" comes first in the entry.
  EXPECT_EQ(first.link, "http://www.sinica.edu.tw/~hil/online/2005/02/blog-post.html");
  // <issued>2005-02-02T03:45:25+08:00</issued> <modified>2005-02-01T19:49:25Z</modified>
  EXPECT_EQ(first.date_text, "2005-02-02T03:45:25+08:00");
  EXPECT_EQ(first.guid, "tag:blogger.com,1999:blog-7865778.post-110728736545344025");
  // Inline XHTML content (no summary): "學號\t學期成績\n<br/>B90902123 \t99 ..."
  EXPECT_TRUE(first.summary.starts_with("學號 學期成績 B90902123 99 R93922004 99"))
      << first.summary;
  EXPECT_EQ(first.base_url, "");  // xml:base is on <content> only
}

TEST(FeedRealTest, CoolloudRss10Big5RecoversFromTruncatedCharacterReference) {
  const std::string text =
      iconv_to_utf8(read_fixture("feed/coolloud-org-tw-rss10-2005-12-31.big5.xml"), "BIG5");
  // The site cut a description inside "&#2", so the document is not well-formed.
  ASSERT_NE(text.find("首先，加入世貿及&#2...</description>"), std::string::npos);

  const Feed feed = parse_ok(text);

  EXPECT_EQ(feed.format, FeedFormat::kRdf);
  EXPECT_EQ(feed.title, "苦勞網");
  EXPECT_EQ(feed.link, "http://www.coolloud.org.tw/");
  ASSERT_EQ(feed.items.size(), 20u);
  const RawItem& first = feed.items.front();
  EXPECT_EQ(first.title, "1226檔下點交之後 不見棺材不走人 進輪自救會長期抗戰");
  EXPECT_EQ(first.link,
            "http://www.coolloud.org.tw/news/database/interface/detailstander.asp?ID=108725");
  EXPECT_EQ(first.guid, first.link);  // rdf:about
  EXPECT_EQ(first.date_text, "2005-12-30T23:26:28+08:00");

  const RawItem& broken = feed.items[6];
  EXPECT_EQ(broken.link,
            "http://www.coolloud.org.tw/news/database/interface/detailstander.asp?ID=108677");
  EXPECT_TRUE(broken.summary.ends_with("首先，加入世貿及...")) << broken.summary;
  // Past the error, character references still decode (&#39722; is 鬪).
  EXPECT_EQ(feed.items[8].title, "【KONG YEE SAI MAU!!!】香港遠征鬪爭團");
  EXPECT_EQ(feed.items.back().link,
            "http://www.coolloud.org.tw/news/database/interface/detailstander.asp?ID=108673");
}

TEST(FeedRealTest, Setsuzei119Atom03ShiftJisPrefersSummaryOverContent) {
  const Feed feed = parse_ok(
      iconv_to_utf8(read_fixture("feed/setsuzei119-jp-atom03-2005.shift_jis.xml"), "SHIFT_JIS"));

  EXPECT_EQ(feed.format, FeedFormat::kAtom);
  EXPECT_EQ(feed.title, "中小企業経営者のための節税１１９番");
  EXPECT_EQ(feed.link, "http://setsuzei119.jp/");
  ASSERT_EQ(feed.items.size(), 15u);
  const RawItem& first = feed.items.front();
  EXPECT_EQ(first.title, "節税対策を万全にする保険");
  EXPECT_EQ(first.link, "http://setsuzei119.jp/archives/2005/10/post_67.html");
  EXPECT_EQ(first.date_text, "2005-10-13T00:52:02Z");  // issued, not modified 01:18:27
  EXPECT_EQ(first.guid, "tag:setsuzei119.jp,2005://1.171");
  EXPECT_EQ(first.summary,
            "「逓増定期保険」と「長期傷害保険」を活用することで、効率よく役員退職金をストックできま"
            "す。");
}

TEST(FeedRealTest, DeclaredLegacyEncodingIsIgnoredForUtf8Text) {
  // If libxml2 obeyed encoding="Shift_JIS" on this UTF-8 text, the kana would be mojibake.
  const std::string text =
      iconv_to_utf8(read_fixture("feed/setsuzei119-jp-atom03-2005.shift_jis.xml"), "SHIFT_JIS");
  ASSERT_TRUE(text.starts_with("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>"));

  const Feed feed = parse_ok(text);

  ASSERT_FALSE(feed.items.empty());
  EXPECT_EQ(feed.items[0].title, "節税対策を万全にする保険");
}

}  // namespace
}  // namespace herald
