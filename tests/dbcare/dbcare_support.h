#pragma once

// Shared pieces of the database-care suite: a configuration in a scratch directory, items
// to store, a fetcher that serves an RSS feed from memory, and the herald binary with its
// stderr captured (where the corruption report goes).

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>
#include <sys/wait.h>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "daemon/context.h"
#include "scrapers/fetch/fetcher.h"
#include "storage/store.h"
#include "tests/daemon/herald_cli.h"
#include "tests/support/fixtures.h"

namespace herald::testing {

inline std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// herald.toml with the database at <dir>/<database> and one feed source, "gov-feed".
// `storage_extra`: more lines for [storage] (backup_at, item_retention, ...); `extra`:
// more tables at the end.
inline void write_config(const std::filesystem::path& dir,
                         const std::string& database = "state/herald.db",
                         const std::string& storage_extra = "", const std::string& extra = "",
                         const std::string& feed_url = "https://regulator.example.gov.cn/rss.xml") {
  write_file(dir / "herald.toml", fmt::format(R"(
[storage]
database = "{}"
{}

[sources]
dir = "sources.d"

[fetch]
user_agent = "herald-test/1.0"
min_delay = "0s"

[web]
enabled = false

# The test pages are older than the first poll's backfill window; these tests are about
# what a poll stores and queues, so the window is off.
[queue]
backfill_days = 0

[[topics]]
name = "ai"
threshold = 1.0
keywords = ["人工智能", "AI"]
{}
)", database, storage_extra, extra));
  write_file(dir / "sources.d" / "gov-feed.toml", fmt::format(R"(
id = "gov-feed"
name = "Example regulator"
kind = "government"
language = "zh"
timezone = "Asia/Shanghai"
interval = "1h"
type = "feed"
url = "{}"
)", feed_url));
}

inline Loaded load(const std::filesystem::path& dir) {
  auto loaded = load_configuration(dir / "herald.toml");
  if (!loaded) {
    ADD_FAILURE() << loaded.error().message;
    return {};
  }
  return std::move(*loaded);
}

// An RSS feed with items first..last-1; even ones mention 人工智能 (candidates), odd ones
// do not. `padding` bytes of description make each item take room on disk.
inline std::string make_feed(int first, int last, std::size_t padding = 0) {
  std::string items;
  for (int i = first; i < last; ++i) {
    items += fmt::format(
        "<item><title>{} 第{}号通知</title><link>https://regulator.example.gov.cn/n/{}.html</link>"
        "<pubDate>Tue, 07 Nov 2023 10:00:00 GMT</pubDate><description>{}</description></item>\n",
        i % 2 == 0 ? "关于人工智能的" : "关于道路养护的", i, i, std::string(padding, 'x'));
  }
  return fmt::format(R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Example</title><link>https://regulator.example.gov.cn/</link>
{}</channel></rss>)",
                     items);
}

// Serves whatever feed the test set last, with an ETag naming its version.
class FeedFetcher final : public Fetcher {
 public:
  void serve(std::string feed, std::string etag) {
    std::lock_guard lock(mutex_);
    feed_ = std::move(feed);
    etag_ = std::move(etag);
  }
  Result<FetchResponse> fetch(const FetchRequest& request) override {
    std::lock_guard lock(mutex_);
    FetchResponse response;
    response.final_url = request.url;
    response.etag = etag_;
    if (request.etag && *request.etag == etag_) {
      response.status = 304;
      return response;
    }
    response.status = 200;
    response.content_type = "application/rss+xml; charset=utf-8";
    response.body = feed_;
    return response;
  }

 private:
  std::mutex mutex_;
  std::string feed_;
  std::string etag_;
};

inline Item stored_item(const std::string& key, bool candidate) {
  Item item;
  item.source_id = "gov-feed";
  item.title = (candidate ? "关于人工智能的通知 " : "关于道路养护的通知 ") + key;
  item.url = "https://regulator.example.gov.cn/" + key + ".html";
  item.url_key = "regulator.example.gov.cn/" + key + ".html";
  item.summary = "summary of " + key;
  item.published_text = "2024-03-01";
  item.fingerprint = "fp-" + key;
  item.score = candidate ? 2.0 : 0.0;
  item.matched_terms = candidate ? std::vector<std::string>{"人工智能"} : std::vector<std::string>{};
  item.candidate = candidate;
  return item;
}

inline PollRecord poll_of(std::int64_t started_at, std::vector<Item> items,
                          const std::string& etag) {
  PollRecord poll;
  poll.source_id = "gov-feed";
  poll.started_at = started_at;
  poll.outcome = "ok";
  poll.http_status = 200;
  poll.new_validators = Validators{.etag = etag};
  poll.items = std::move(items);
  poll.default_section = "最新法律与监管动态";
  return poll;
}

// One value from a query on `db` (0 when there is no row).
inline std::int64_t scalar(Database& db, const std::string& sql) {
  auto stmt = db.prepare(sql);
  if (!stmt) {
    ADD_FAILURE() << stmt.error().message;
    return -1;
  }
  auto row = stmt->step();
  if (!row) {
    ADD_FAILURE() << row.error().message;
    return -1;
  }
  return *row ? stmt->column_int64(0) : 0;
}

inline std::string text_scalar(Database& db, const std::string& sql) {
  auto stmt = db.prepare(sql);
  if (!stmt) {
    ADD_FAILURE() << stmt.error().message;
    return {};
  }
  auto row = stmt->step();
  return row && *row ? stmt->column_text(0) : std::string();
}

// PRAGMA integrity_check on a separate connection (what a restarted herald would see).
inline std::string integrity_of(const std::filesystem::path& path) {
  auto db = Database::open_as_is(path);
  if (!db) {
    return db.error().message;
  }
  return text_scalar(*db, "PRAGMA integrity_check");
}

struct Run {
  int exit_code = -1;
  std::string out{};
  std::string err{};
};

// The herald binary with --config <dir>/herald.toml, stdout and stderr both kept.
inline Run run_herald_in(const std::filesystem::path& dir, const std::string& args) {
  const std::filesystem::path err_file = dir / "stderr.txt";
  const std::string command = fmt::format("'{}' --config '{}' {} 2>'{}'", HERALD_BINARY,
                                          (dir / "herald.toml").string(), args, err_file.string());
  CommandResult result = run_command(command);
  Run run;
  run.exit_code = result.exit_code;
  run.out = std::move(result.out);
  run.err = read_bytes(err_file);
  return run;
}

}  // namespace herald::testing
