// Discovery verifies a JSON Feed (jsonfeed.org) linked from the page with herald's own JSON
// list extractor, prefers it when it carries the page's items, and writes it as a
// type = "json" source; JSON that is not a JSON Feed is recorded, not fatal.

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "scrapers/decode/decode.h"
#include "scrapers/discover/discover.h"
#include "scrapers/extract/json_list.h"
#include "scrapers/fetch/curl_fetcher.h"
#include "tests/support/fixtures.h"
#include "tests/support/local_server.h"

namespace herald {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kNow = 1796083200;  // 2026-12-01: after every date below

const std::vector<std::string> kTitles = {
    "关于开展2023年度网络安全检查工作的通知", "国家网信办发布生成式人工智能服务管理暂行办法",
    "关于公布第三批深度合成服务算法备案信息的公告", "数据出境安全评估申报指南（第二版）发布",
    "个人信息保护合规审计管理办法公开征求意见", "关于加强科技伦理治理的实施意见解读"};

std::string list_page(const std::string& feed_type) {
  std::string items;
  for (std::size_t i = 0; i < kTitles.size(); ++i) {
    items += fmt::format("<li><a href=\"/post/{}/\">{}</a><span class=\"date\">2023-11-{}</span></li>\n", i + 1,
                         kTitles[i], 28 - i);
  }
  return fmt::format(R"(<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Example Office · News</title>
<link rel="alternate" type="{}" title="Example Office" href="/feed.json">
</head><body>
<div class="nav"><a href="/">Home</a><a href="/about/">About</a><a href="/contact/">Contact</a></div>
<ul class="news">
{}</ul>
</body></html>
)",
                     feed_type, items);
}

// A JSON Feed with the page's items (links absolute, as JSON Feed writes them).
std::string json_feed(int port) {
  std::string items;
  for (std::size_t i = 0; i < kTitles.size(); ++i) {
    if (i > 0) items += ",\n";
    items += fmt::format(
        R"({{"id": "{0}", "url": "http://127.0.0.1:{1}/post/{0}/", "title": "{2}",)"
        R"( "summary": "Summary {0}", "date_published": "2023-11-{3}T09:00:00+08:00"}})",
        i + 1, port, kTitles[i], 28 - i);
  }
  return fmt::format(R"({{"version": "https://jsonfeed.org/version/1.1", "title": "Example Office",
"home_page_url": "http://127.0.0.1:{}/news/", "items": [
{}
]}})",
                     port, items);
}

DiscoverOptions options() {
  DiscoverOptions o;
  o.timezone = TimeZone::fixed(8 * 3600);
  o.now_utc = kNow;
  return o;
}

class DiscoverJsonFeed : public ::testing::Test {
 protected:
  // Read by the routes: declared before the server, so they outlive its threads.
  std::string page_{};
  std::string feed_{};
  std::string feed_content_type_ = "application/feed+json";
  testing::LocalServer server_;

  // `feed` is the body of /feed.json; "JSONFEED" is replaced by a JSON Feed with the
  // page's items.
  void serve(const std::string& link_type, const std::string& feed) {
    server_.routes().Get("/news/", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(page_, "text/html; charset=utf-8");
    });
    server_.routes().Get("/feed.json", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(feed_, feed_content_type_);
    });
    page_ = list_page(link_type);
    server_.start();
    feed_ = feed == "JSONFEED" ? json_feed(server_.port()) : feed;
  }

  Discovery run() {
    auto fetcher = CurlFetcher::create();
    EXPECT_TRUE(fetcher.has_value());
    auto decoded = decode_to_utf8(page_, "text/html; charset=utf-8", std::nullopt);
    EXPECT_TRUE(decoded.has_value());
    auto d = discover_list(*decoded, server_.url("/news/"), options());
    EXPECT_TRUE(d.has_value());
    EXPECT_EQ(d->choice, DiscoveryChoice::kList) << "the page's own list is found first";
    probe_feeds(*d, **fetcher, FetchRequest{.user_agent = "herald-test"});
    return *d;
  }

  const FeedCandidate* feed_candidate(const Discovery& d) const {
    for (const FeedCandidate& f : d.feeds) {
      if (f.url == server_.url("/feed.json")) return &f;
    }
    return nullptr;
  }
};

TEST_F(DiscoverJsonFeed, AJsonFeedCarryingThePagesItemsIsPreferredAndWrittenAsJson) {
  serve("application/feed+json", "JSONFEED");
  const Discovery d = run();
  ASSERT_EQ(d.choice, DiscoveryChoice::kFeed);
  const FeedCandidate& f = d.feeds.front();
  EXPECT_EQ(f.url, server_.url("/feed.json"));
  EXPECT_TRUE(f.verified);
  EXPECT_TRUE(f.problem.empty()) << f.problem;
  EXPECT_FALSE(f.format.has_value()) << "not RSS or Atom";
  ASSERT_TRUE(f.json.has_value());
  EXPECT_EQ(f.json->items, "items");
  EXPECT_EQ(f.json->link, "url");
  EXPECT_EQ(f.json->date, "date_published");
  EXPECT_EQ(f.json->summary, "summary");
  EXPECT_EQ(f.items, kTitles.size());
  EXPECT_DOUBLE_EQ(f.overlap, 1.0);

  // The file loads as written and reads the feed's items with herald's JSON extractor.
  const std::string text = render_source_file(d, SourceDraft{.id = "example-json", .url = server_.url("/news/")});
  EXPECT_NE(text.find("type = \"json\""), std::string::npos) << text;
  EXPECT_NE(text.find("\n[json]\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("[list]"), std::string::npos) << text;
  testing::TempDir dir;
  const fs::path file = dir.path() / "example-json.toml";
  std::ofstream(file) << text;
  auto loaded = load_source_file(file);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message << "\n" << text;
  EXPECT_EQ(loaded->type, SourceType::kJson);
  EXPECT_EQ(loaded->url, server_.url("/feed.json"));
  ASSERT_TRUE(loaded->json.has_value());
  EXPECT_EQ(loaded->json->method, "GET");
  auto items = extract_json_list(feed_, *loaded->json);
  ASSERT_TRUE(items.has_value()) << items.error().message;
  ASSERT_EQ(items->size(), kTitles.size());
  for (std::size_t i = 0; i < kTitles.size(); ++i) {
    EXPECT_EQ((*items)[i].title, kTitles[i]);
    EXPECT_EQ((*items)[i].link, server_.url(fmt::format("/post/{}/", i + 1)));
    EXPECT_EQ((*items)[i].date_text, fmt::format("2023-11-{}T09:00:00+08:00", 28 - i));
    EXPECT_EQ((*items)[i].summary, fmt::format("Summary {}", i + 1));
  }
}

TEST_F(DiscoverJsonFeed, MalformedJsonIsRecordedNotFatal) {
  serve("application/feed+json", R"({"version": "https://jsonfeed.org/version/1.1", "items": [)");
  const Discovery d = run();
  EXPECT_EQ(d.choice, DiscoveryChoice::kList);
  const FeedCandidate* f = feed_candidate(d);
  ASSERT_NE(f, nullptr);
  EXPECT_FALSE(f->verified);
  EXPECT_FALSE(f->json.has_value());
  EXPECT_NE(f->problem.find("not JSON"), std::string::npos) << f->problem;
  // The rendered list file says why the feed was not used.
  const std::string text = render_source_file(d, SourceDraft{.id = "example", .url = server_.url("/news/")});
  EXPECT_NE(text.find("type = \"html\""), std::string::npos) << text;
  EXPECT_NE(text.find("not JSON"), std::string::npos) << text;
}

TEST_F(DiscoverJsonFeed, OtherJsonIsNotTakenForAFeed) {
  // An API answer announced as plain JSON, with the page's titles but no JSON Feed version.
  feed_content_type_ = "application/json";
  std::string other = R"({"data": [)";
  for (std::size_t i = 0; i < kTitles.size(); ++i) {
    other += fmt::format(R"({}{{"title": "{}", "url": "/post/{}/"}})", i > 0 ? "," : "", kTitles[i], i + 1);
  }
  other += "]}";
  serve("application/json", other);
  const Discovery d = run();
  EXPECT_EQ(d.choice, DiscoveryChoice::kList);
  const FeedCandidate* f = feed_candidate(d);
  ASSERT_NE(f, nullptr);
  EXPECT_FALSE(f->verified);
  EXPECT_NE(f->problem.find("not a JSON Feed"), std::string::npos) << f->problem;
}

}  // namespace
}  // namespace herald
