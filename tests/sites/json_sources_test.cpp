// The shipped json sources (cn-miit, sg-mas) over their fixtures, through extract_page as
// the daemon runs them; and the request side of json sources and bridge feeds.

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/fixtures.h"
#include "scrapers/registry.h"
#include "tests/sites/shipped_source.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

using ::testing::HasSubstr;
using testing::fixture_path;
using testing::read_fixture;
using testing::shipped_source;

constexpr std::int64_t kFetchedAt = 1701302400;  // 2023-11-30T00:00:00Z


// The list response of a fixture directory, as the daemon would have fetched it.
FetchResponse saved_list_response(const SourceConfig& source) {
  FetchRequest request{.url = source.url};
  prepare_list_request(source, {}, request);
  auto index = load_fixture_index(fixture_path(source.id));
  EXPECT_TRUE(index.has_value()) << index.error().message;
  if (index) {
    for (const SavedResponse& saved : index->responses) {
      if (saved.url == request.url && saved.method == request.method) {
        std::ifstream in(saved.file, std::ios::binary);
        std::ostringstream body;
        body << in.rdbuf();
        return FetchResponse{.status = saved.status,
                             .final_url = saved.url,
                             .content_type = saved.content_type,
                             .body = body.str()};
      }
    }
  }
  ADD_FAILURE() << source.id << ": no saved response for " << request.method << " "
                << request.url;
  return {};
}

const Item* find_item(const Extraction& extraction, const std::string& url) {
  for (const Item& item : extraction.items) {
    if (item.url == url) {
      return &item;
    }
  }
  return nullptr;
}

TEST(JsonSourcesTest, MiitDocumentsWithMillisecondTimesAndSiteRelativeLinks) {
  const SourceConfig miit = shipped_source("cn-miit");
  auto extraction = extract_page(miit, saved_list_response(miit), kFetchedAt);
  ASSERT_TRUE(extraction.has_value()) << extraction.error().message;
  EXPECT_EQ(extraction->items.size(), 8u);
  EXPECT_EQ(extraction->rejected, 0);
  const Item* notice = find_item(
      *extraction,
      "https://www.miit.gov.cn/gzcy/yjzj/art/2023/art_2b4d6f8a0c1e4b3d5f7a9c1e3b5d7f9a.html");
  ASSERT_NE(notice, nullptr);
  EXPECT_EQ(notice->title,
            "工业和信息化部关于《工业和信息化领域数据安全风险评估实施细则（试行）（征求意见稿）》"
            "公开征求意见的通知");
  ASSERT_TRUE(notice->published_at.has_value());
  EXPECT_EQ(*notice->published_at, 1701331200);  // deploytime 1701331200000 ms
}

TEST(JsonSourcesTest, MasMediaReleasesWithIsoDatesAndSummaries) {
  const SourceConfig mas = shipped_source("sg-mas");
  auto extraction = extract_page(mas, saved_list_response(mas), kFetchedAt);
  ASSERT_TRUE(extraction.has_value()) << extraction.error().message;
  EXPECT_EQ(extraction->items.size(), 12u);
  const Item* release = find_item(
      *extraction,
      "https://www.mas.gov.sg/news/media-releases/2023/"
      "mas-partners-industry-to-develop-generative-ai-risk-framework-for-the-financial-sector");
  ASSERT_NE(release, nullptr);
  EXPECT_EQ(release->title,
            "MAS Partners Industry to Develop Generative AI Risk Framework for the Financial "
            "Sector");
  ASSERT_TRUE(release->published_at.has_value());
  EXPECT_EQ(*release->published_at, 1700006400);  // 2023-11-15T00:00:00Z
  EXPECT_FALSE(release->summary.empty());
}

TEST(JsonSourcesTest, AnHtmlErrorPageInsteadOfJsonIsAParseError) {
  const SourceConfig mas = shipped_source("sg-mas");
  const FetchResponse page{.status = 200,
                           .final_url = mas.url,
                           .content_type = "text/html",
                           .body = "<html><body>Access Denied</body></html>"};
  auto extraction = extract_page(mas, page, kFetchedAt);
  ASSERT_FALSE(extraction.has_value());
  EXPECT_EQ(extraction.error().code, ErrorCode::kParse);
  EXPECT_THAT(extraction.error().message, HasSubstr("not JSON"));
}

TEST(JsonSourcesTest, ItemsWithoutTitlesGiveNoMatchNamingTheJsonPaths) {
  SourceConfig source = shipped_source("sg-mas");
  const FetchResponse page{.status = 200,
                           .final_url = source.url,
                           .content_type = "application/json",
                           .body = R"({"response": {"docs": [{"page_url_s": "/a"}]}})"};
  auto extraction = extract_page(source, page, kFetchedAt);
  ASSERT_FALSE(extraction.has_value());
  EXPECT_EQ(extraction.error().code, ErrorCode::kNoMatch);
  EXPECT_THAT(extraction.error().message, HasSubstr("[json] paths"));
}

TEST(JsonSourcesTest, PostSourcesSendTheirFormBody) {
  SourceConfig source;
  source.id = "bj-webapi";
  source.type = SourceType::kJson;
  source.url = "https://www.beijing.gov.cn/so/webapi/123";
  source.json = JsonRules{.method = "POST", .body = "page=1&pageSize=20&sort=dateDesc",
                          .items = "data", .title = "title", .link = "url"};
  FetchRequest request{.url = source.url};
  prepare_list_request(source, {{"courtlistener", "secret"}}, request);
  EXPECT_EQ(request.url, source.url);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.body, "page=1&pageSize=20&sort=dateDesc");
  EXPECT_EQ(request.body_content_type, "application/x-www-form-urlencoded");
  EXPECT_TRUE(request.headers.empty());  // tokens only go to the service they are for

  source.json->method = "GET";
  source.json->body.clear();
  FetchRequest get{.url = source.url};
  prepare_list_request(source, {}, get);
  EXPECT_EQ(get.method, "GET");
  EXPECT_TRUE(get.body.empty());
}

TEST(BridgeFeedTest, AManualSourceWithABridgeIsPolledAsAFeedFromTheBridge) {
  SourceConfig source;
  source.id = "cn-hz-netcourt";
  source.type = SourceType::kWechat;
  source.mode = SourceMode::kManual;
  source.url = "https://www.netcourt.gov.cn/";
  source.bridge_url = "https://rss.example.com/wechat/hz-netcourt.xml";
  FetchRequest request{.url = source.url};
  prepare_list_request(source, {}, request);
  EXPECT_EQ(request.url, "https://rss.example.com/wechat/hz-netcourt.xml");
  EXPECT_EQ(request.method, "GET");

  const FetchResponse feed{
      .status = 200,
      .final_url = request.url,
      .content_type = "application/rss+xml",
      .body =
          "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>杭州互联网法院</title>"
          "<item><title>杭州互联网法院发布十大典型司法建议</title>"
          "<link>https://mp.weixin.qq.com/s/f1fMfsuawveBEP_eLkD8_w</link>"
          "<pubDate>Tue, 07 Nov 2023 10:00:00 GMT</pubDate></item></channel></rss>"};
  auto extraction = extract_page(source, feed, kFetchedAt);
  ASSERT_TRUE(extraction.has_value()) << extraction.error().message;
  ASSERT_EQ(extraction->items.size(), 1u);
  EXPECT_EQ(extraction->items[0].url, "https://mp.weixin.qq.com/s/f1fMfsuawveBEP_eLkD8_w");
  EXPECT_EQ(extraction->items[0].published_at, 1699351200);
}

}  // namespace
}  // namespace herald
