#pragma once

// The fault suite's fixture: two real sources (a feed and an HTML list page) configured
// from TOML, a real Store in a temp dir, and the fetcher `herald poll` uses (PoliteFetcher in
// front of CurlFetcher). Each test first polls the source from a well-behaved server, then
// points the same source at a hostile server and checks RELIABILITY.md §2's contract: a typed
// outcome recorded in the database, nothing stored changed, validators not advanced, memory
// bounded.

#include <csignal>
#include <filesystem>
#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "common/clock.h"
#include "daemon/context.h"
#include "daemon/run_source.h"
#include "scrapers/fetch/curl_fetcher.h"
#include "scrapers/fetch/polite_fetcher.h"
#include "tests/daemon/herald_cli.h"
#include "tests/support/fixtures.h"
#include "tests/support/local_server.h"

namespace herald::testing {

inline constexpr std::size_t kBodyCap = 1024 * 1024;  // [fetch] max_body_bytes of both sources
// Peak memory growth a poll may cause: the cap a few times over (string growth, the decoded
// copy, the parsed tree) plus room for libcurl, gumbo, libxml2 and SQLite.
inline constexpr std::int64_t kMemoryBudgetKiB =
    static_cast<std::int64_t>(kBodyCap) * 4 / 1024 + 64 * 1024;
inline constexpr std::string_view kFeedId = "hostile-feed";
inline constexpr std::string_view kHtmlId = "hostile-html";

// The list page the HTML source extracts from when the site behaves.
inline std::string good_list_page() {
  return R"(<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知公告</title></head>
<body><ul class="news">
<li><a href="/a/1.html">关于促进人工智能产业发展的若干措施</a><span>2023-11-01</span></li>
<li><a href="/a/2.html">生成式人工智能服务管理办法解读</a><span>2023-10-20</span></li>
<li><a href="/a/3.html">2023年第三季度工作动态</a><span>2023-10-02</span></li>
</ul></body></html>)";
}

// The feed fixture with one more item in front: what a site's next version looks like.
inline std::string feed_with_new_item(std::string feed, std::string_view title,
                                      std::string_view link) {
  const std::string item = fmt::format(
      "<item><title>{}</title><link>{}</link><guid>{}</guid>"
      "<pubDate>Fri, 25 Jul 2025 00:00:00 GMT</pubDate></item>",
      title, link, link);
  const std::size_t at = feed.find("<item>");
  feed.insert(at, item);
  return feed;
}

// herald.toml in `dir`: the database and sources.d beside it, no politeness delay (the
// tests talk to their own servers), then `extra`.
inline void write_fault_config(const std::filesystem::path& dir, std::string_view extra = {}) {
  write_file(dir / "herald.toml", std::string(R"(
[storage]
database = "state/herald.db"

[sources]
dir = "sources.d"

[fetch]
user_agent = "herald-faults/1.0"
min_delay = "0s"
)") + std::string(extra));
}

// Peak resident memory since reset_peak_rss(), in KiB (VmHWM).
inline std::int64_t status_kib(std::string_view field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with(field)) {
      return std::stoll(line.substr(field.size() + 1));
    }
  }
  return -1;
}

// Resets VmHWM to the current RSS (Linux ≥ 4.0), so a test sees its own peak.
inline std::int64_t reset_peak_rss() {
  std::ofstream("/proc/self/clear_refs") << "5";
  return status_kib("VmRSS:");
}

// One row per stored item and candidate: "nothing stored changed" compares two of these.
using Snapshot = std::vector<std::string>;

class FaultTest : public ::testing::Test {
 protected:
  FaultTest() { std::signal(SIGPIPE, SIG_IGN); }

  void SetUp() override {
    good_.routes().Get("/feed", [this](const httplib::Request&, httplib::Response& res) {
      res.set_header("ETag", "\"v1\"");
      res.set_header("Last-Modified", "Mon, 28 Jul 2025 23:32:40 GMT");
      res.set_content(feed_, "application/rss+xml; charset=utf-8");
    });
    good_.routes().Get("/list.html", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("ETag", "\"list-v1\"");
      res.set_content(good_list_page(), "text/html; charset=utf-8");
    });
    good_.start();

    write_fault_config(dir_.path(), R"(
[[topics]]
name = "ai-law"
threshold = 1.0
keywords = ["人工智能", "AI", "GPT"]
)");
    write_file(dir_.path() / "sources.d" / "hostile-feed.toml", fmt::format(R"(
id = "hostile-feed"
name = "Hostile feed"
kind = "company"
language = "en"
timezone = "UTC"
interval = "1h"
type = "feed"
url = "{}"

[fetch]
timeout = "2s"
max_body_bytes = {}
)", good_.url("/feed"), kBodyCap));
    write_file(dir_.path() / "sources.d" / "hostile-html.toml", fmt::format(R"(
id = "hostile-html"
name = "Hostile list page"
kind = "government"
language = "zh"
timezone = "Asia/Shanghai"
interval = "1h"
type = "html"
url = "{}"

[list]
item = "ul.news li"
link = "a@href"
date = "span"

[fetch]
timeout = "2s"
max_body_bytes = {}
)", good_.url("/list.html"), kBodyCap));

    auto loaded = load_configuration(dir_.path() / "herald.toml");
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    loaded_ = std::move(*loaded);
    ASSERT_EQ(loaded_.sources.sources.size(), 2u);
    auto store = open_store(loaded_.config);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    store_.emplace(std::move(*store));
    renew_fetcher();
  }

  void TearDown() override {
    polite_.reset();
    curl_.reset();  // hang up before the servers stop
  }

  // A fresh fetcher: empty robots.txt cache and no rate-limit pauses remembered.
  void renew_fetcher() {
    polite_.reset();
    auto curl = CurlFetcher::create();
    ASSERT_TRUE(curl.has_value()) << curl.error().message;
    curl_ = std::move(*curl);
    PolitenessSettings settings;
    settings.min_delay = std::chrono::milliseconds{0};
    settings.user_agent = "herald-faults/1.0";
    polite_ = std::make_unique<PoliteFetcher>(*curl_, clock_, sleeper_, settings);
  }

  const SourceConfig& source(std::string_view id) const {
    const SourceConfig* found = loaded_.find(std::string(id));
    EXPECT_NE(found, nullptr) << id;
    return *found;
  }

  // The source as configured, from the well-behaved server.
  RunReport poll(std::string_view id) {
    return run_source_once(source(id), loaded_.config, *polite_, *store_, clock_);
  }

  // The same source (same id, validators and rules) fetched from `url`.
  RunReport poll_at(std::string_view id, const std::string& url) {
    SourceConfig moved = source(id);
    moved.url = url;
    return poll_config(moved);
  }

  RunReport poll_config(const SourceConfig& config) {
    return run_source_once(config, loaded_.config, *polite_, *store_, clock_);
  }

  // The well-behaved poll every fault test starts from; returns the database afterwards.
  Snapshot poll_good(std::string_view id) {
    const RunReport report = poll(id);
    EXPECT_EQ(report.outcome, "ok") << format_report(report);
    EXPECT_GT(report.stored.items_new, 0) << format_report(report);
    return snapshot();
  }

  Snapshot snapshot() {
    Snapshot rows;
    auto items = store_->database().prepare(
        "SELECT id, source_id, url, url_key, title, coalesce(summary, ''), "
        "coalesce(published_at, -1), score, matched FROM items ORDER BY id");
    EXPECT_TRUE(items.has_value());
    while (true) {
      auto row = items->step();
      if (!row || !*row) {
        break;
      }
      std::string line;
      for (int c = 0; c < 9; ++c) {
        line += items->column_text(c) + "\x1f";
      }
      rows.push_back(std::move(line));
    }
    auto candidates =
        store_->database().prepare("SELECT id, item_id, state FROM candidates ORDER BY id");
    EXPECT_TRUE(candidates.has_value());
    while (true) {
      auto row = candidates->step();
      if (!row || !*row) {
        break;
      }
      rows.push_back(fmt::format("candidate {} {} {}", candidates->column_text(0),
                                 candidates->column_text(1), candidates->column_text(2)));
    }
    return rows;
  }

  Validators validators(std::string_view id) {
    auto stored = store_->validators(std::string(id));
    EXPECT_TRUE(stored.has_value());
    return stored ? *stored : Validators{};
  }

  // The outcome and error the last poll of `id` left in the polls table.
  std::pair<std::string, std::string> last_poll_row(std::string_view id) {
    auto stmt = store_->database().prepare(
        "SELECT outcome, coalesce(error, '') FROM polls WHERE source_id = ? "
        "ORDER BY id DESC LIMIT 1");
    EXPECT_TRUE(stmt.has_value());
    stmt->bind(1, std::string(id));
    auto row = stmt->step();
    EXPECT_TRUE(row.has_value() && *row);
    return {stmt->column_text(0), stmt->column_text(1)};
  }

  // The whole contract of a failed poll: the outcome, recorded in the polls table with a
  // message; nothing stored changed; validators as the good poll left them.
  void expect_failed_cleanly(const RunReport& report, std::string_view outcome,
                             std::string_view id, const Snapshot& before,
                             const Validators& validators_before) {
    EXPECT_EQ(report.outcome, outcome) << format_report(report);
    EXPECT_FALSE(report.ok());
    const auto [recorded, error] = last_poll_row(id);
    EXPECT_EQ(recorded, outcome);
    EXPECT_FALSE(error.empty()) << "the poll record carries no message";
    EXPECT_EQ(report.stored.items_new, 0);
    EXPECT_EQ(snapshot(), before) << "stored items or candidates changed";
    const Validators after = validators(id);
    EXPECT_EQ(after.etag, validators_before.etag) << "validators advanced on a failed poll";
    EXPECT_EQ(after.last_modified, validators_before.last_modified);
  }

  // A hostile poll of `id` from `url` after `before` was stored: the failure contract above,
  // and the poll's peak memory within kMemoryBudgetKiB.
  RunReport expect_fault_after(const Snapshot& before, const Validators& validators_before,
                               std::string_view id, const std::string& url,
                               std::string_view outcome) {
    const std::int64_t rss_before = reset_peak_rss();
    const RunReport report = poll_at(id, url);
    EXPECT_LE(status_kib("VmHWM:") - rss_before, kMemoryBudgetKiB) << "peak memory grew too much";
    expect_failed_cleanly(report, outcome, id, before, validators_before);
    return report;
  }

  // A good poll of `id`, then a hostile one from `url` (expect_fault_after).
  RunReport expect_fault(std::string_view id, const std::string& url, std::string_view outcome) {
    const Snapshot before = poll_good(id);
    const Validators validators_before = validators(id);
    EXPECT_TRUE(validators_before.etag.has_value());
    return expect_fault_after(before, validators_before, id, url, outcome);
  }

  std::string feed_ = read_fixture("integration/openai-news-rss-25.xml");
  CurlGlobal curl_global_;
  LocalServer good_;
  TempDir dir_;
  Loaded loaded_;
  std::optional<Store> store_;
  SystemClock clock_;
  ThreadSleeper sleeper_;
  std::unique_ptr<CurlFetcher> curl_;
  std::unique_ptr<PoliteFetcher> polite_;
};

}  // namespace herald::testing
