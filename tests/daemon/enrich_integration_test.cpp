// Article enrichment end to end: a real list page whose links point at real article pages,
// all served from a loopback server, polled through libcurl into SQLite.

#include <cstdint>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/clock.h"
#include "daemon/context.h"
#include "daemon/run_source.h"
#include "scrapers/fetch/curl_fetcher.h"
#include "scrapers/normalise/normalise.h"
#include "tests/support/fixtures.h"
#include "tests/support/local_server.h"

namespace herald {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using testing::LocalServer;
using testing::read_fixture;
using testing::TempDir;

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::int64_t shanghai_utc(int year, int month, int day, int hour, int minute) {
  return days_from_civil(year, month, day) * 86400 + (hour - 8) * 3600 + minute * 60;
}

struct ArticlePage {
  std::string content_type{};
  std::string body{};  // empty: 404
};

struct StoredItem {
  std::optional<std::int64_t> published_at{};
  std::string summary{};
  std::string body{};
  std::string content_source{};
};

class EnrichIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The 首都之窗 homepage of 2018 (GBK): its 政策解读 list links eight articles on
    // zhengce.beijing.gov.cn. Each link is served one of the saved real article pages, and
    // one of them a 404.
    const std::string utf8 = "text/html; charset=utf-8";
    articles_ = {
        {"/library/192/34/738532/1540890/index.html",
         {utf8, read_fixture("enrich/gmw-article-2017-03-10.html")}},
        // GB2312-labelled bytes with no charset in Content-Type: decode reads the <meta>.
        {"/library/192/34/738532/1540490/index.html",
         {"text/html", read_fixture("enrich/qq-tech-article-2016-deepmind.html")}},
        {"/library/192/34/738532/1540470/index.html",
         {utf8, read_fixture("enrich/chinanews-article-2020.html")}},
        {"/library/192/34/738532/1540250/index.html",
         {utf8, read_fixture("enrich/ifeng-article-saved-2022-06-30.html")}},
        {"/library/192/34/738532/1540190/index.html",
         {utf8, read_fixture("enrich/youth-cn-article-2017-03-10.html")}},
        {"/library/192/34/738532/1540000/index.html", {}},
        {"/library/192/34/211/898456/1539940/index.html",
         {utf8, read_fixture("enrich/article-2014-01-22-review_ouya_android_games_console.html")}},
        {"/library/192/34/738532/1539900/index.html",
         {utf8, read_fixture("enrich/gov-metas-minimal.html")}},
    };
    server_.routes().Get("/bj/", [this](const auto&, auto& res) {
      std::lock_guard lock(mutex_);
      res.set_content(list_page_, "text/html");
    });
    server_.routes().Get(R"(/library/.*)", [this](const auto& req, auto& res) {
      std::lock_guard lock(mutex_);
      ++article_requests_;
      const auto it = articles_.find(req.path);
      if (it == articles_.end() || it->second.body.empty()) {
        res.status = 404;
        return;
      }
      res.set_content(it->second.body, it->second.content_type.c_str());
    });
    server_.start();
    {
      std::lock_guard lock(mutex_);
      list_page_ = replace_all(read_fixture("integration/bj-home-v1.gbk.html"),
                               "http://zhengce.beijing.gov.cn/", server_.url("/"));
    }

    write_file(dir_.path() / "herald.toml", R"(
[storage]
database = "state/herald.db"

[sources]
dir = "sources.d"

[fetch]
user_agent = "herald-test/1.0"

[[topics]]
name = "ai-law"
threshold = 1.0
keywords = ["人工智能", "大模型", "AI"]
)");
  }

  void write_source(const std::string& article_section) {
    write_file(dir_.path() / "sources.d" / "bj-zhengce.toml", fmt::format(R"(
id = "bj-zhengce"
name = "北京市人民政府 · 政策解读"
kind = "government"
language = "zh"
timezone = "Asia/Shanghai"
interval = "1h"
type = "html"
url = "{}"

[list]
item = "#csfwcontent ul li"
link = "a@href"

{}
)", server_.url("/bj/"), article_section));
    auto loaded = load_configuration(dir_.path() / "herald.toml");
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    loaded_ = std::move(*loaded);
    ASSERT_EQ(loaded_.sources.sources.size(), 1u);
    auto store = open_store(loaded_.config);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    store_.emplace(std::move(*store));
    auto fetcher = CurlFetcher::create();
    ASSERT_TRUE(fetcher.has_value()) << fetcher.error().message;
    fetcher_ = std::move(*fetcher);
  }

  RunReport poll() {
    return run_source_once(*loaded_.find("bj-zhengce"), loaded_.config, *fetcher_, *store_,
                           clock_);
  }

  int article_requests() {
    std::lock_guard lock(mutex_);
    return article_requests_;
  }

  std::int64_t count(const std::string& sql) {
    auto stmt = store_->database().prepare(sql);
    EXPECT_TRUE(stmt.has_value());
    auto row = stmt->step();
    EXPECT_TRUE(row.has_value() && *row);
    return stmt->column_int64(0);
  }

  StoredItem item(const std::string& title) {
    auto stmt = store_->database().prepare(
        "SELECT published_at, summary, body, content_source FROM items WHERE title = ?1");
    EXPECT_TRUE(stmt.has_value());
    stmt->bind(1, title);
    auto row = stmt->step();
    EXPECT_TRUE(row.has_value() && *row) << "no item titled " << title;
    if (!row || !*row) {
      return {};
    }
    return StoredItem{.published_at = stmt->column_optional_int64(0),
                      .summary = stmt->column_text(1),
                      .body = stmt->column_text(2),
                      .content_source = stmt->column_text(3)};
  }

  CurlGlobal curl_global_;
  std::mutex mutex_;
  std::string list_page_;                       // guarded by mutex_
  std::map<std::string, ArticlePage> articles_;  // read by the server thread after start()
  int article_requests_ = 0;                    // guarded by mutex_
  LocalServer server_;
  TempDir dir_;
  Loaded loaded_;
  std::optional<Store> store_;
  std::unique_ptr<CurlFetcher> fetcher_;
  SystemClock clock_;
};

TEST_F(EnrichIntegrationTest, NewItemsAreEnrichedAndA404KeepsTheItem) {
  write_source("[article]");

  const RunReport report = poll();

  ASSERT_TRUE(report.ok()) << format_report(report);
  EXPECT_EQ(report.extracted, 8);
  EXPECT_EQ(report.stored.items_new, 8);
  EXPECT_EQ(report.enriched, 7);
  EXPECT_EQ(report.enrich_failed, 1);
  EXPECT_EQ(article_requests(), 8);
  EXPECT_THAT(format_report(report), HasSubstr(" enriched=7 enrich_failed=1"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM items WHERE source_id = 'bj-zhengce'"), 8);

  // gmw: <meta name="publishdate" content="2017-03-10">, description, body.
  const StoredItem gmw = item("新开办企业5天之内办完手续");
  EXPECT_EQ(gmw.published_at, shanghai_utc(2017, 3, 10, 0, 0));
  EXPECT_THAT(gmw.summary, StartsWith("不幸的是，对于希望能喝上一杯的太空探险者"));
  EXPECT_THAT(gmw.body, StartsWith("翱翔于距地球数千公里的太空中"));

  // qq: GB2312 bytes; the date line in the article header.
  const StoredItem qq = item("研发投入每年最高补助20万元");
  EXPECT_EQ(qq.published_at, shanghai_utc(2016, 10, 14, 7, 17));
  EXPECT_EQ(qq.summary, "DeepMind新电脑已可利用记忆自学 人工智能迈上新台阶");
  EXPECT_THAT(qq.body, HasSubstr("谷歌(微博) 在2014年收购的人工智能公司DeepMind"));

  // The government template metas.
  const StoredItem gov = item("老旧小区改造 居民可充分参与");
  EXPECT_EQ(gov.published_at, shanghai_utc(2018, 3, 16, 9, 30));
  EXPECT_EQ(gov.content_source, "北京市人民政府办公厅");

  // The 404: stored as the list gave it.
  const StoredItem missing = item("早产儿首诊起建档定期随访");
  EXPECT_EQ(missing.published_at, std::nullopt);
  EXPECT_EQ(missing.body, "");
  EXPECT_EQ(missing.summary, "");
}

TEST_F(EnrichIntegrationTest, SecondPollFetchesNoArticleAgain) {
  write_source("[article]");
  ASSERT_TRUE(poll().ok());
  ASSERT_EQ(article_requests(), 8);
  // A changed page (an unchanged one is not even parsed): its known items are still seen.
  {
    std::lock_guard lock(mutex_);
    list_page_ += "<!-- v2 -->";
  }

  const RunReport again = poll();

  ASSERT_TRUE(again.ok()) << format_report(again);
  EXPECT_EQ(again.extracted, 8);
  EXPECT_EQ(again.stored.items_new, 0);
  EXPECT_EQ(again.enriched, 0);
  EXPECT_EQ(again.enrich_failed, 0);
  EXPECT_EQ(article_requests(), 8);
  EXPECT_THAT(format_report(again), Not(HasSubstr("enriched=")));
}

TEST_F(EnrichIntegrationTest, AtMostMaxPerPollArticlesAreFetched) {
  write_source("[article]\nmax_per_poll = 2\ntimeout = \"10s\"");

  const RunReport report = poll();

  ASSERT_TRUE(report.ok()) << format_report(report);
  EXPECT_EQ(article_requests(), 2);
  EXPECT_EQ(report.enriched, 2);
  EXPECT_EQ(report.stored.items_new, 8);
  // The first two links on the page, in page order.
  EXPECT_EQ(item("新开办企业5天之内办完手续").published_at, shanghai_utc(2017, 3, 10, 0, 0));
  EXPECT_EQ(item("研发投入每年最高补助20万元").published_at, shanghai_utc(2016, 10, 14, 7, 17));
  EXPECT_EQ(item("生冷食四季豆禁入校园食谱").body, "");
}

TEST_F(EnrichIntegrationTest, WithoutAnArticleSectionNoArticleIsFetched) {
  write_source("");

  const RunReport report = poll();

  ASSERT_TRUE(report.ok()) << format_report(report);
  EXPECT_EQ(report.stored.items_new, 8);
  EXPECT_EQ(article_requests(), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM items WHERE body IS NOT NULL"), 0);
}

// ---- enrich_new_items on its own: what the article changes in an item ----

// Serves canned pages by URL and records what was asked.
class FakeFetcher final : public Fetcher {
 public:
  void serve(const std::string& url, std::string body) {
    pages_[url] = FetchResponse{.status = 200,
                                .final_url = url,
                                .content_type = "text/html; charset=utf-8",
                                .body = std::move(body)};
  }
  const std::vector<FetchRequest>& requests() const { return requests_; }

  Result<FetchResponse> fetch(const FetchRequest& request) override {
    requests_.push_back(request);
    const auto it = pages_.find(request.url);
    if (it == pages_.end()) {
      return fail(ErrorCode::kHttp4xx, fmt::format("404 for {}", request.url));
    }
    return it->second;
  }

 private:
  std::map<std::string, FetchResponse> pages_;
  std::vector<FetchRequest> requests_;
};

class EnrichItemsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tz = TimeZone::load("Asia/Shanghai");
    ASSERT_TRUE(tz.has_value()) << tz.error().message;
    source_.id = "test";
    source_.timezone = *tz;
    source_.url = "https://news.example.cn/list/";
    source_.fetch.referer = "https://news.example.cn/";
    source_.article = ArticleRules{.max_per_poll = 5, .timeout = std::chrono::seconds{7}};
    config_.user_agent = "herald-test/1.0";
    auto store = Store::open(":memory:");
    ASSERT_TRUE(store.has_value()) << store.error().message;
    store_.emplace(std::move(*store));
  }

  Item list_item(const std::string& path, const std::string& title,
                 std::optional<std::int64_t> published_at = std::nullopt) {
    Item item;
    item.source_id = source_.id;
    item.title = title;
    item.url = "https://news.example.cn" + path;
    item.url_key = item.url;
    item.published_at = published_at;
    item.fingerprint = item_fingerprint(item.title, item.published_at, source_.timezone);
    return item;
  }

  RunReport enrich(std::vector<Item>& items, const std::atomic<bool>* cancel = nullptr) {
    RunReport report;
    enrich_new_items(items, source_, config_, fetcher_, *store_, kNow, cancel, report);
    return report;
  }

  static constexpr std::int64_t kNow = 1'700'000'000;  // 2023-11-14
  SourceConfig source_;
  HeraldConfig config_;
  FakeFetcher fetcher_;
  std::optional<Store> store_;
};

TEST_F(EnrichItemsTest, RequestIsTheListRequestForTheItemUrlWithTheArticleTimeout) {
  std::vector<Item> items = {list_item("/a.html", "标题")};
  const std::atomic<bool> cancel{false};

  enrich(items, &cancel);

  ASSERT_EQ(fetcher_.requests().size(), 1u);
  const FetchRequest& request = fetcher_.requests()[0];
  EXPECT_EQ(request.url, "https://news.example.cn/a.html");
  EXPECT_EQ(request.timeout, std::chrono::seconds{7});
  EXPECT_EQ(request.user_agent, "herald-test/1.0");
  EXPECT_EQ(request.referer, "https://news.example.cn/");
  EXPECT_EQ(request.etag, std::nullopt);
  EXPECT_EQ(request.last_modified, std::nullopt);
  EXPECT_EQ(request.cancel, &cancel);
}

TEST_F(EnrichItemsTest, DateOnlyListEntryGainsTheArticleTimeOnTheSameDay) {
  // The chinanews article says 2020-07-04 12:10:24; the list said 2020-07-04.
  const std::int64_t list_day = days_from_civil(2020, 7, 4) * 86400 - 8 * 3600;
  std::vector<Item> items = {list_item("/same-day.html", "坚定实施扩大内需战略", list_day),
                             list_item("/other-day.html", "坚定实施扩大内需战略",
                                       list_day - 86400)};
  fetcher_.serve("https://news.example.cn/same-day.html",
                 read_fixture("enrich/chinanews-article-2020.html"));
  fetcher_.serve("https://news.example.cn/other-day.html",
                 read_fixture("enrich/chinanews-article-2020.html"));
  const std::string undated_fingerprint = items[0].fingerprint;

  const RunReport report = enrich(items);

  EXPECT_EQ(report.enriched, 2);
  EXPECT_EQ(items[0].published_at, list_day + 12 * 3600 + 10 * 60 + 24);
  EXPECT_EQ(items[0].published_text, "2020-07-04 12:10:24");
  EXPECT_EQ(items[0].fingerprint, undated_fingerprint);  // same title, same day
  // Another day: the list is the authority for what it printed.
  EXPECT_EQ(items[1].published_at, list_day - 86400);
  EXPECT_FALSE(items[1].body.empty());
}

TEST_F(EnrichItemsTest, TruncatedListTitleIsCompletedAndTheFingerprintFollows) {
  std::vector<Item> items = {list_item("/gugong.html", "故宫，你低调点！故宫：不，实力…")};
  fetcher_.serve("https://news.example.cn/gugong.html",
                 read_fixture("enrich/ifeng-article-saved-2022-06-30.html"));

  enrich(items);

  EXPECT_EQ(items[0].title, "故宫，你低调点！故宫：不，实力已不允许我继续低调");
  EXPECT_EQ(items[0].published_at, days_from_civil(2019, 2, 20) * 86400 + (2 - 8) * 3600 +
                                       26 * 60);
  EXPECT_EQ(items[0].fingerprint,
            item_fingerprint(items[0].title, items[0].published_at, source_.timezone));
}

TEST_F(EnrichItemsTest, ListSummaryIsKeptAndAFullTitleIsNotReplaced) {
  std::vector<Item> items = {list_item("/gugong.html", "故宫灯会")};
  items[0].summary = "列表页的摘要";
  fetcher_.serve("https://news.example.cn/gugong.html",
                 read_fixture("enrich/ifeng-article-saved-2022-06-30.html"));

  enrich(items);

  EXPECT_EQ(items[0].title, "故宫灯会");
  EXPECT_EQ(items[0].summary, "列表页的摘要");
  EXPECT_THAT(items[0].body, HasSubstr("有灯无月不娱人"));
}

TEST_F(EnrichItemsTest, KnownAndRepeatedItemsAreNotFetched) {
  Item old = list_item("/old.html", "旧");
  PollRecord poll{.source_id = source_.id, .started_at = kNow - 3600, .outcome = "ok"};
  poll.items = {old};
  ASSERT_TRUE(store_->commit_poll(poll).has_value());
  std::vector<Item> items = {old, list_item("/new.html", "新"), list_item("/new.html", "新")};

  const RunReport report = enrich(items);

  ASSERT_EQ(fetcher_.requests().size(), 1u);
  EXPECT_EQ(fetcher_.requests()[0].url, "https://news.example.cn/new.html");
  EXPECT_EQ(report.enrich_failed, 1);
  EXPECT_EQ(report.enriched, 0);
}

TEST_F(EnrichItemsTest, CancelledPollFetchesNothingAndKeepsTheItems) {
  std::vector<Item> items = {list_item("/a.html", "甲"), list_item("/b.html", "乙")};
  const std::atomic<bool> cancel{true};

  const RunReport report = enrich(items, &cancel);

  EXPECT_TRUE(fetcher_.requests().empty());
  EXPECT_EQ(items.size(), 2u);
  EXPECT_EQ(report.enriched + report.enrich_failed, 0);
}

}  // namespace
}  // namespace herald
