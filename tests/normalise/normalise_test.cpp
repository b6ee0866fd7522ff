#include "scrapers/normalise/normalise.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "common/text.h"

namespace herald {
namespace {

std::int64_t utc(std::int64_t y, int mo, int d, int h = 0, int mi = 0) {
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

SourceConfig source_in(std::string id, std::string_view zone) {
  SourceConfig source;
  source.id = std::move(id);
  auto tz = TimeZone::load(zone);
  if (!tz) {
    throw std::runtime_error(tz.error().message);
  }
  source.timezone = *tz;
  return source;
}

// Strings below are as extracted from real pages in /work/shared/sources/snapshots:
// caict.ac.cn homepage (2018-03), jiemian.com homepage (2018-03-24), OpenAI news RSS (2025-07).
const std::int64_t kCaictFetched = utc(2018, 3, 16, 4);

TEST(NormaliseTest, CaictTrsItemGetsAbsoluteUrlAndDateFromTheUrl) {
  const SourceConfig source = source_in("caict", "Asia/Shanghai");
  const RawItem raw{.title = "刘多谈“数字经济”与“工业互联网”|两会专访",
                    .link = "./kxyj/caictgd/201803/t20180314_2239635.htm"};

  auto item = normalise(raw, source, "http://www.caict.ac.cn/", kCaictFetched);

  ASSERT_TRUE(item.has_value()) << item.error().message;
  EXPECT_EQ(item->source_id, "caict");
  EXPECT_EQ(item->url, "http://www.caict.ac.cn/kxyj/caictgd/201803/t20180314_2239635.htm");
  EXPECT_EQ(item->url_key, "http://www.caict.ac.cn/kxyj/caictgd/201803/t20180314_2239635.htm");
  EXPECT_EQ(item->title, "刘多谈“数字经济”与“工业互联网”|两会专访");
  ASSERT_TRUE(item->published_at.has_value());
  EXPECT_EQ(*item->published_at, utc(2018, 3, 13, 16));  // midnight in Beijing
  EXPECT_FALSE(item->date_suspect);
  EXPECT_EQ(item->published_text, "");
  EXPECT_EQ(item->fingerprint, sha256_hex("刘多谈“数字经济”与“工业互联网”|两会专访|2018-03-14"));
}

TEST(NormaliseTest, PrintedDateWinsOverTheUrlDate) {
  const SourceConfig source = source_in("caict", "Asia/Shanghai");
  const RawItem raw{.title = "混改背景下员工激励如何破局",
                    .link = "./kxyj/caictgd/201803/t20180316_2240847.htm",
                    .date_text = "[2018-03-15 18:20]"};

  auto item = normalise(raw, source, "http://www.caict.ac.cn/", kCaictFetched);

  ASSERT_TRUE(item.has_value()) << item.error().message;
  EXPECT_EQ(item->published_at, utc(2018, 3, 15, 10, 20));
  EXPECT_EQ(item->published_text, "[2018-03-15 18:20]");
}

TEST(NormaliseTest, UnparsableDateTextFallsBackToTheUrl) {
  const SourceConfig source = source_in("caict", "Asia/Shanghai");
  const RawItem raw{.title = "混改背景下员工激励如何破局",
                    .link = "./kxyj/caictgd/201803/t20180316_2240847.htm",
                    .date_text = "阅读全文"};

  auto item = normalise(raw, source, "http://www.caict.ac.cn/", kCaictFetched);

  ASSERT_TRUE(item.has_value()) << item.error().message;
  EXPECT_EQ(item->published_at, utc(2018, 3, 15, 16));
  EXPECT_EQ(item->published_text, "阅读全文");
}

TEST(NormaliseTest, RelativeDateIsReadAgainstTheFetchTime) {
  const SourceConfig source = source_in("jiemian", "Asia/Shanghai");
  const std::int64_t fetched = utc(2018, 3, 24, 3, 0);  // 11:00 in Beijing
  const RawItem raw{.title = "示例标题",
                    .link = "https://www.jiemian.com/article/2001234.html",
                    .date_text = "6分钟前"};

  auto item = normalise(raw, source, "https://www.jiemian.com/", fetched);

  ASSERT_TRUE(item.has_value()) << item.error().message;
  EXPECT_EQ(item->published_at, fetched - 6 * 60);
}

TEST(NormaliseTest, FeedItemKeepsGuidAndReadsRfc822Date) {
  const SourceConfig source = source_in("openai", "America/Los_Angeles");
  const RawItem raw{
      .title = "Announcing OpenAI DevDay 2025",
      .link = "https://openai.com/index/announcing-devday-2025",
      .date_text = "Wed, 23 Jul 2025 00:00:00 GMT",
      .summary =
          "OpenAI DevDay returns on October 6, 2025 in San Francisco—bringing together "
          "1,500+ developers to preview new tools, hear from OpenAI leaders, and shape "
          "the future of AI.",
      .guid = "https://openai.com/index/announcing-devday-2025"};

  auto item = normalise(raw, source, "https://openai.com/news/rss", utc(2025, 7, 28, 23, 32));

  ASSERT_TRUE(item.has_value()) << item.error().message;
  EXPECT_EQ(item->published_at, utc(2025, 7, 23));
  EXPECT_EQ(item->guid, "https://openai.com/index/announcing-devday-2025");
  EXPECT_EQ(item->summary, raw.summary);
  // The fingerprint's day is the source's local day: 2025-07-22 17:00 in Los Angeles.
  EXPECT_EQ(item->fingerprint, sha256_hex("announcing openai devday 2025|2025-07-22"));
}

TEST(NormaliseTest, ItemBaseIsResolvedAgainstThePageUrl) {
  const SourceConfig source = source_in("kabunavi", "Asia/Tokyo");
  const RawItem raw{.title = "日記", .link = "archives/000123.html", .base_url = "/mt/"};

  auto item = normalise(raw, source, "http://www.kabu-navi.com/atom.xml", utc(2005, 10, 1));

  ASSERT_TRUE(item.has_value()) << item.error().message;
  EXPECT_EQ(item->url, "http://www.kabu-navi.com/mt/archives/000123.html");
}

TEST(NormaliseTest, AbsoluteItemBaseOverridesThePage) {
  const SourceConfig source = source_in("kabunavi", "Asia/Tokyo");
  const RawItem raw{
      .title = "日記", .link = "archives/000123.html", .base_url = "http://www.kabu-navi.com/mt/"};

  auto item = normalise(raw, source, "http://feeds.example.com/kabu", utc(2005, 10, 1));

  ASSERT_TRUE(item.has_value()) << item.error().message;
  EXPECT_EQ(item->url, "http://www.kabu-navi.com/mt/archives/000123.html");
}

TEST(NormaliseTest, TextIsSanitisedAndWhitespaceCollapsed) {
  const SourceConfig source = source_in("s", "Asia/Shanghai");
  const RawItem raw{.title = "  关于\t人工智能\n\n  安全\x01治理\xE3\x80\x80的通知 ",
                    .link = "/a.html",
                    .date_text = " 发布时间：\n2023-11-07 ",
                    .summary = "第一段\r\n第二段\x7F"};

  auto item = normalise(raw, source, "https://example.gov.cn/", utc(2023, 11, 8));

  ASSERT_TRUE(item.has_value()) << item.error().message;
  EXPECT_EQ(item->title, "关于 人工智能 安全治理 的通知");
  EXPECT_EQ(item->summary, "第一段 第二段");
  EXPECT_EQ(item->published_text, "发布时间： 2023-11-07");
  EXPECT_EQ(item->published_at, utc(2023, 11, 6, 16));
}

TEST(NormaliseTest, InvalidUtf8InTitleIsReplaced) {
  const SourceConfig source = source_in("s", "Asia/Shanghai");
  const RawItem raw{.title = "AI \xC8\xCB policy", .link = "/a.html"};

  auto item = normalise(raw, source, "https://example.gov.cn/", utc(2023, 11, 8));

  ASSERT_TRUE(item.has_value()) << item.error().message;
  EXPECT_TRUE(is_valid_utf8(item->title));
  EXPECT_NE(item->title.find("\xEF\xBF\xBD"), std::string::npos);
}

TEST(NormaliseTest, FieldsAreCapped) {
  const SourceConfig source = source_in("s", "Asia/Shanghai");
  std::string long_title;
  for (int i = 0; i < 2000; ++i) {
    long_title += "人";
  }
  const RawItem raw{.title = long_title,
                    .link = "/a.html",
                    .date_text = "2023-11-07 " + std::string(1000, 'x'),
                    .summary = std::string(20000, 'a')};

  auto item = normalise(raw, source, "https://example.gov.cn/", utc(2023, 11, 8));

  ASSERT_TRUE(item.has_value()) << item.error().message;
  EXPECT_LE(item->title.size(), kMaxTitleBytes);
  EXPECT_TRUE(is_valid_utf8(item->title));
  EXPECT_LE(item->summary.size(), kMaxSummaryBytes);
  EXPECT_LE(item->published_text.size(), 200u);
  EXPECT_EQ(item->published_at, utc(2023, 11, 6, 16));
}

TEST(NormaliseTest, TrackingParametersDoNotReachTheKey) {
  const SourceConfig source = source_in("s", "Asia/Shanghai");
  const RawItem raw{.title = "标题", .link = "/detail?id=7&utm_source=rss#comments"};

  auto item = normalise(raw, source, "https://Example.gov.cn:443/list/", utc(2023, 11, 8));

  ASSERT_TRUE(item.has_value()) << item.error().message;
  // The stored link is the clean one (issue 15); the link as given is kept as evidence.
  EXPECT_EQ(item->url, "https://example.gov.cn:443/detail?id=7");
  EXPECT_EQ(item->original_url, "https://example.gov.cn:443/detail?id=7&utm_source=rss#comments");
  EXPECT_EQ(item->url_key, "https://example.gov.cn/detail?id=7");
}

TEST(NormaliseTest, FutureDateIsSuspectAndNotUsed) {
  const SourceConfig source = source_in("s", "Asia/Shanghai");
  const RawItem raw{.title = "标题", .link = "/a.html", .date_text = "2033-11-07"};

  auto item = normalise(raw, source, "https://example.gov.cn/", utc(2023, 11, 8));

  ASSERT_TRUE(item.has_value()) << item.error().message;
  EXPECT_TRUE(item->date_suspect);
  EXPECT_FALSE(item->published_at.has_value());
  EXPECT_EQ(item->published_text, "2033-11-07");
  EXPECT_EQ(item->fingerprint, sha256_hex("标题|"));
}

TEST(NormaliseTest, DateWithinADayOfTheFetchIsTrusted) {
  const SourceConfig source = source_in("s", "Asia/Shanghai");
  // Tomorrow in Beijing is less than a day ahead of a fetch late in the UTC day.
  const RawItem raw{.title = "标题", .link = "/a.html", .date_text = "2023-11-08"};

  auto item = normalise(raw, source, "https://example.gov.cn/", utc(2023, 11, 7, 20));

  ASSERT_TRUE(item.has_value()) << item.error().message;
  EXPECT_FALSE(item->date_suspect);
  EXPECT_EQ(item->published_at, utc(2023, 11, 7, 16));
}

TEST(NormaliseTest, FingerprintIgnoresUrlAndAsciiCaseButNotTheDay) {
  const SourceConfig source = source_in("s", "Asia/Shanghai");
  auto a =
      normalise({.title = "AI Safety  Rules", .link = "/a.html", .date_text = "2023-11-07 09:00"},
                source, "https://example.gov.cn/", utc(2023, 11, 8));
  auto b = normalise({.title = "ai safety rules",
                      .link = "https://mirror.example.com/b.html",
                      .date_text = "2023年11月7日"},
                     source, "https://example.gov.cn/", utc(2023, 11, 8));
  auto c = normalise({.title = "AI Safety Rules", .link = "/c.html", .date_text = "2023-11-08"},
                     source, "https://example.gov.cn/", utc(2023, 11, 8));
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->fingerprint, b->fingerprint);
  EXPECT_NE(a->fingerprint, c->fingerprint);
}

TEST(NormaliseTest, MissingOrBlankTitleIsRejected) {
  const SourceConfig source = source_in("s", "Asia/Shanghai");
  for (const char* title : {"", "   ", "\t\n", "\x01\x02"}) {
    auto item =
        normalise({.title = title, .link = "/a.html"}, source, "https://example.gov.cn/", 0);
    ASSERT_FALSE(item.has_value()) << "title: " << title;
    EXPECT_EQ(item.error().code, ErrorCode::kParse);
  }
}

TEST(NormaliseTest, MissingLinkIsRejected) {
  const SourceConfig source = source_in("s", "Asia/Shanghai");
  for (const char* link : {"", "  ", "\n"}) {
    auto item = normalise({.title = "标题", .link = link}, source, "https://example.gov.cn/", 0);
    ASSERT_FALSE(item.has_value());
    EXPECT_EQ(item.error().code, ErrorCode::kParse);
    EXPECT_NE(item.error().message.find("no link"), std::string::npos) << item.error().message;
  }
}

TEST(NormaliseTest, ScriptLinkIsRejectedNamingTheLink) {
  const SourceConfig source = source_in("s", "Asia/Shanghai");
  auto item = normalise({.title = "标题", .link = "javascript:openWin('a.html')"}, source,
                        "https://example.gov.cn/", 0);
  ASSERT_FALSE(item.has_value());
  EXPECT_EQ(item.error().code, ErrorCode::kParse);
  EXPECT_NE(item.error().message.find("javascript:openWin('a.html')"), std::string::npos)
      << item.error().message;
}

TEST(NormaliseTest, OverlongUrlIsRejected) {
  const SourceConfig source = source_in("s", "Asia/Shanghai");
  const std::string link = "/search?q=" + std::string(kMaxUrlBytes, 'a');
  auto item = normalise({.title = "标题", .link = link}, source, "https://example.gov.cn/", 0);
  ASSERT_FALSE(item.has_value());
  EXPECT_EQ(item.error().code, ErrorCode::kParse);
  // Non-ASCII grows threefold when percent-encoded: also caught after resolution.
  std::string wide = "/";
  for (std::size_t i = 0; i < kMaxUrlBytes / 6; ++i) {
    wide += "人";
  }
  auto encoded = normalise({.title = "标题", .link = wide}, source, "https://example.gov.cn/", 0);
  ASSERT_FALSE(encoded.has_value());
  EXPECT_EQ(encoded.error().code, ErrorCode::kParse);
}

}  // namespace
}  // namespace herald
