// A real poll cycle, end to end: loopback HTTP server -> libcurl -> decode -> gumbo/libxml2
// -> extract -> normalise -> score -> SQLite, on real saved pages (tests/fixtures/integration).

#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <string>
#include <sys/wait.h>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "daemon/context.h"
#include "daemon/run_source.h"
#include "scrapers/fetch/curl_fetcher.h"
#include "tests/daemon/herald_cli.h"
#include "tests/support/fixtures.h"
#include "tests/support/local_server.h"

namespace herald {
namespace {

using ::testing::HasSubstr;
using testing::LocalServer;
using testing::read_fixture;
using testing::TempDir;

// Serves a page with an ETag and answers 304 when the client sends it back.
class VersionedPage {
 public:
  VersionedPage(std::string content_type, std::string body)
      : content_type_(std::move(content_type)), body_(std::move(body)) {}

  void replace(std::string body) {
    std::lock_guard lock(mutex_);
    body_ = std::move(body);
    ++version_;
  }

  void handle(const httplib::Request& request, httplib::Response& response) {
    std::lock_guard lock(mutex_);
    ++requests_;
    const std::string etag = fmt::format("\"v{}\"", version_);
    last_if_none_match_ = request.get_header_value("If-None-Match");
    if (last_if_none_match_ == etag) {
      response.status = 304;
      response.set_header("ETag", etag);
      return;
    }
    response.set_header("ETag", etag);
    response.set_header("Last-Modified", "Tue, 07 Nov 2023 02:00:00 GMT");
    response.set_content(body_, content_type_.c_str());
  }

  int requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::string last_if_none_match() {
    std::lock_guard lock(mutex_);
    return last_if_none_match_;
  }

 private:
  std::mutex mutex_;
  std::string content_type_;
  std::string body_;
  int version_ = 1;
  int requests_ = 0;
  std::string last_if_none_match_;
};

using testing::write_file;

class PollIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.routes().Get("/bj/", [this](const auto& req, auto& res) { bj_.handle(req, res); });
    server_.routes().Get("/openai/rss.xml",
                         [this](const auto& req, auto& res) { feed_.handle(req, res); });
    server_.start();

    write_file(dir_.path() / "herald.toml", R"(
[storage]
database = "state/herald.db"

[sources]
dir = "sources.d"

[fetch]
user_agent = "herald-test/1.0"
min_delay = "0s"

# The saved feeds are older than the first poll's backfill window; these tests are about
# what a poll queues, so the window is off.
[queue]
backfill_days = 0

[[topics]]
name = "ai-law"
threshold = 1.0
keywords = ["人工智能", "大模型", "生成式", "AI", "GPT", { term = "artificial intelligence", weight = 2.0 }]
)");
    // The Beijing homepage is served without a charset in Content-Type: the GBK bytes must
    // be recognised from the page's own <meta> (which comes after a <script charset="utf-8">).
    write_file(dir_.path() / "sources.d" / "bj-home.toml", fmt::format(R"(
id = "bj-home"
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
)", server_.url("/bj/")));
    write_file(dir_.path() / "sources.d" / "openai-news.toml", fmt::format(R"(
id = "openai-news"
name = "OpenAI News"
kind = "company"
language = "en"
timezone = "America/Los_Angeles"
interval = "1h"
type = "feed"
url = "{}"
)", server_.url("/openai/rss.xml")));

    auto loaded = load_configuration(dir_.path() / "herald.toml");
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    loaded_ = std::move(*loaded);
    ASSERT_EQ(loaded_.sources.sources.size(), 2u);
    auto store = open_store(loaded_.config);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    store_.emplace(std::move(*store));
    auto fetcher = CurlFetcher::create();
    ASSERT_TRUE(fetcher.has_value()) << fetcher.error().message;
    fetcher_ = std::move(*fetcher);
  }

  RunReport poll(const std::string& id) {
    return run_source_once(*loaded_.find(id), loaded_.config, *fetcher_, *store_, clock_);
  }

  std::int64_t count(const std::string& sql, const std::string& source_id) {
    auto stmt = store_->database().prepare(sql);
    EXPECT_TRUE(stmt.has_value());
    stmt->bind(1, source_id);
    auto row = stmt->step();
    EXPECT_TRUE(row.has_value() && *row);
    return stmt->column_int64(0);
  }
  std::int64_t item_rows(const std::string& id) {
    return count("SELECT count(*) FROM items WHERE source_id = ?", id);
  }
  std::int64_t candidate_rows(const std::string& id) {
    return count("SELECT count(*) FROM candidates JOIN items ON items.id = candidates.item_id "
                 "WHERE items.source_id = ?", id);
  }
  std::vector<std::string> titles(const std::string& id) {
    std::vector<std::string> out;
    auto stmt = store_->database().prepare("SELECT title FROM items WHERE source_id = ? ORDER BY id");
    EXPECT_TRUE(stmt.has_value());
    stmt->bind(1, id);
    while (true) {
      auto row = stmt->step();
      if (!row || !*row) {
        break;
      }
      out.push_back(stmt->column_text(0));
    }
    return out;
  }

  CurlGlobal curl_global_;
  VersionedPage bj_{"text/html", read_fixture("integration/bj-home-v1.gbk.html")};
  VersionedPage feed_{"application/rss+xml; charset=utf-8",
                      read_fixture("integration/openai-news-rss-25.xml")};
  LocalServer server_;
  TempDir dir_;
  Loaded loaded_;
  std::optional<Store> store_;
  std::unique_ptr<CurlFetcher> fetcher_;
  SystemClock clock_;
};

TEST_F(PollIntegrationTest, FeedItemsLandInSqlite) {
  const RunReport report = poll("openai-news");
  ASSERT_TRUE(report.ok()) << format_report(report);
  EXPECT_EQ(report.outcome, "ok");
  EXPECT_EQ(report.http_status, 200);
  EXPECT_EQ(report.extracted, 25);
  EXPECT_EQ(report.stored.items_new, 25);
  EXPECT_EQ(item_rows("openai-news"), 25);
  EXPECT_EQ(titles("openai-news").front(), "Resolving digital threats 100x faster with OpenAI");
}

TEST_F(PollIntegrationTest, SecondPollSendsValidatorsGets304AndAddsNothing) {
  ASSERT_TRUE(poll("openai-news").ok());
  ASSERT_TRUE(poll("bj-home").ok());
  const auto feed_rows = item_rows("openai-news");
  const auto bj_rows = item_rows("bj-home");

  const RunReport feed_again = poll("openai-news");
  const RunReport bj_again = poll("bj-home");

  EXPECT_EQ(feed_again.outcome, "not_modified");
  EXPECT_EQ(feed_again.http_status, 304);
  EXPECT_EQ(feed_again.stored.items_new, 0);
  EXPECT_EQ(feed_.last_if_none_match(), "\"v1\"");
  EXPECT_EQ(bj_again.outcome, "not_modified");
  EXPECT_EQ(bj_.last_if_none_match(), "\"v1\"");
  EXPECT_EQ(item_rows("openai-news"), feed_rows);
  EXPECT_EQ(item_rows("bj-home"), bj_rows);
}

TEST_F(PollIntegrationTest, GbkListPageYieldsCorrectUtf8Titles) {
  const RunReport report = poll("bj-home");
  ASSERT_TRUE(report.ok()) << format_report(report);
  EXPECT_EQ(report.extracted, 8);
  const auto stored = titles("bj-home");
  ASSERT_EQ(stored.size(), 8u);
  EXPECT_EQ(stored.front(), "新开办企业5天之内办完手续");
  EXPECT_THAT(stored, ::testing::Contains(
                          "解读《中关村国家自主创新示范区科技型小微企业研发费用支持资金管理办法(试行)》"));
  EXPECT_EQ(candidate_rows("bj-home"), 0);  // nothing on that 2018 list is about AI
}

TEST_F(PollIntegrationTest, PageWithTwoNewItemsAddsExactlyTwoRowsAndTwoCandidates) {
  ASSERT_TRUE(poll("bj-home").ok());
  const auto before = item_rows("bj-home");

  bj_.replace(read_fixture("integration/bj-home-v2.gbk.html"));
  const RunReport report = poll("bj-home");

  ASSERT_TRUE(report.ok()) << format_report(report);
  EXPECT_EQ(report.outcome, "ok");
  EXPECT_EQ(report.extracted, 10);
  EXPECT_EQ(report.stored.items_new, 2);
  EXPECT_EQ(report.stored.candidates_new, 2);
  EXPECT_EQ(item_rows("bj-home"), before + 2);
  EXPECT_EQ(candidate_rows("bj-home"), 2);

  auto pending = store_->list_candidates(QueueFilter{.source_id = std::string("bj-home")});
  ASSERT_TRUE(pending.has_value());
  ASSERT_EQ(pending->size(), 2u);
  std::vector<std::string> queued;
  for (const Candidate& c : *pending) {
    queued.push_back(c.title);
    EXPECT_THAT(c.matched_terms, ::testing::Contains("人工智能"));
  }
  EXPECT_THAT(queued, ::testing::UnorderedElementsAre("北京市发布人工智能大模型创新应用白皮书",
                                                      "关于征集生成式人工智能典型应用案例的通知"));
}

TEST_F(PollIntegrationTest, FeedItemsMatchingTheProfileBecomeCandidates) {
  ASSERT_TRUE(poll("openai-news").ok());
  auto pending = store_->list_candidates(QueueFilter{.source_id = std::string("openai-news")});
  ASSERT_TRUE(pending.has_value());
  ASSERT_FALSE(pending->empty());
  EXPECT_LT(pending->size(), 25u);  // "AI" must match whole words only, not every item
  for (const Candidate& c : *pending) {
    EXPECT_FALSE(c.matched_terms.empty()) << c.title;
  }
}

TEST_F(PollIntegrationTest, FailedFetchRecordsThePollAndKeepsItems) {
  ASSERT_TRUE(poll("openai-news").ok());
  server_.routes().Get("/never-registered", [](const auto&, auto& res) { res.status = 404; });
  SourceConfig broken = *loaded_.find("openai-news");
  broken.url = server_.url("/missing.xml");
  const RunReport report = run_source_once(broken, loaded_.config, *fetcher_, *store_, clock_);
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.outcome, "http_4xx");
  EXPECT_EQ(item_rows("openai-news"), 25);
  auto health = store_->source_health(0);
  ASSERT_TRUE(health.has_value());
  bool found = false;
  for (const SourceHealth& h : *health) {
    if (h.source_id == "openai-news") {
      found = true;
      EXPECT_EQ(h.last_outcome, "http_4xx");
      EXPECT_EQ(h.consecutive_failures, 1);
    }
  }
  EXPECT_TRUE(found);
}

// ---- the herald binary, as scripts and admins use it ----

using testing::CommandResult;
using testing::run_herald;

TEST_F(PollIntegrationTest, CliPollsQueuesAndNeverDuplicates) {
  const std::string config = "--config '" + (dir_.path() / "herald.toml").string() + "'";
  bj_.replace(read_fixture("integration/bj-home-v2.gbk.html"));

  const CommandResult first = run_herald(config + " poll");
  ASSERT_EQ(first.exit_code, 0) << first.out;
  EXPECT_THAT(first.out, HasSubstr("source=bj-home outcome=ok"));

  const CommandResult listed = run_herald(config + " queue list --json");
  ASSERT_EQ(listed.exit_code, 0);
  const auto queue = nlohmann::json::parse(listed.out);
  ASSERT_TRUE(queue.is_array());
  ASSERT_FALSE(queue.empty());
  for (const auto& candidate : queue) {
    for (const char* key : {"id", "source", "title", "url", "published_at", "summary", "state",
                            "score", "matched"}) {
      EXPECT_TRUE(candidate.contains(key)) << key;
    }
    EXPECT_EQ(candidate["state"], "pending");
  }

  const CommandResult second = run_herald(config + " poll");
  ASSERT_EQ(second.exit_code, 0);
  EXPECT_THAT(second.out, HasSubstr("source=bj-home outcome=not_modified"));
  const auto queue_again = nlohmann::json::parse(run_herald(config + " queue list --json").out);
  EXPECT_EQ(queue_again.size(), queue.size());

  const auto first_id = queue.front()["id"].get<std::int64_t>();
  EXPECT_EQ(run_herald(config + fmt::format(" queue accept {} --by tester", first_id)).exit_code, 0);
  const auto shown = nlohmann::json::parse(run_herald(config + fmt::format(" queue show {} --json", first_id)).out);
  EXPECT_EQ(shown["state"], "accepted");
  EXPECT_EQ(run_herald(config + " queue show 999999").exit_code, 1);
}

TEST_F(PollIntegrationTest, CliSourcesListAndTestOnASavedGbkPage) {
  const std::string config = "--config '" + (dir_.path() / "herald.toml").string() + "'";
  const auto sources = nlohmann::json::parse(run_herald(config + " sources list --json").out);
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[0]["id"], "bj-home");

  const CommandResult tested = run_herald(
      config + " sources test bj-home --json --page '" +
      testing::fixture_path("integration/bj-home-v2.gbk.html").string() + "'");
  ASSERT_EQ(tested.exit_code, 0);
  const auto items = nlohmann::json::parse(tested.out);
  ASSERT_EQ(items.size(), 10u);
  EXPECT_EQ(items[0]["title"], "北京市发布人工智能大模型创新应用白皮书");
  EXPECT_EQ(items[0]["url"], "http://zhengce.beijing.gov.cn/library/192/34/738532/1541001/index.html");
}

TEST_F(PollIntegrationTest, CliRejectsBadUsageWithExitCode2) {
  const std::string config = "--config '" + (dir_.path() / "herald.toml").string() + "'";
  EXPECT_EQ(run_herald(config + " frobnicate").exit_code, 2);
  EXPECT_EQ(run_herald(config + " poll no-such-source").exit_code, 2);
  EXPECT_EQ(run_herald(config + " queue show not-a-number").exit_code, 2);
  EXPECT_EQ(run_herald("--config /nonexistent/herald.toml sources list").exit_code, 2);
  EXPECT_EQ(run_herald("--help").exit_code, 0);
}

}  // namespace
}  // namespace herald
