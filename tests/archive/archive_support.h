#pragma once

// What the evidence archive tests share: a loopback site whose list page and article pages
// the test changes between polls, and a herald configuration polling it.

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "daemon/context.h"
#include "daemon/run_source.h"
#include "scrapers/fetch/curl_fetcher.h"
#include "storage/evidence.h"
#include "tests/daemon/herald_cli.h"
#include "tests/support/fixtures.h"
#include "tests/support/local_server.h"

namespace herald::testing {

// A site that ignores If-None-Match and If-Modified-Since (it sends neither ETag nor
// Last-Modified and always answers 200), like many government sites: only the body says
// whether the page changed. The list links /a/N.html for every published item, newest first.
class ArchiveSite {
 public:
  ArchiveSite() {
    server_.routes().Get("/list/", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      ++list_requests_;
      res.set_header("X-Served-By", "archive-test \"quoted\"");
      res.set_content(list_page_locked(), "text/html; charset=utf-8");
    });
    server_.routes().Get(R"(/a/(\d+)\.html)", [this](const httplib::Request& req,
                                                     httplib::Response& res) {
      std::lock_guard lock(mutex_);
      ++article_requests_;
      res.set_content(article_page(std::stoi(req.matches[1])), "text/html; charset=utf-8");
    });
    server_.start();
  }

  // Publishes items 1..n (the list shows all of them).
  void publish(int n) {
    std::lock_guard lock(mutex_);
    published_ = n;
  }
  // Changes the list page's bytes without changing its items.
  void touch() {
    std::lock_guard lock(mutex_);
    ++revision_;
  }
  std::string list_page() {
    std::lock_guard lock(mutex_);
    return list_page_locked();
  }
  static std::string article_page(int n) {
    return fmt::format(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Notice {0}</title>"
        "<meta name=\"PubDate\" content=\"2026-11-{1:02} 10:00\"></head><body>"
        "<div id=\"main\"><p>Full text of notice {0} on artificial intelligence rules.</p>"
        "</div></body></html>",
        n, 1 + n % 28);
  }
  int list_requests() {
    std::lock_guard lock(mutex_);
    return list_requests_;
  }
  int article_requests() {
    std::lock_guard lock(mutex_);
    return article_requests_;
  }
  std::string url(std::string_view path) const { return server_.url(path); }

 private:
  std::string list_page_locked() const {
    std::string items;
    for (int n = published_; n >= 1; --n) {
      items += fmt::format(
          "<li><a href=\"/a/{0}.html\">Artificial intelligence notice {0}</a>"
          "<span>2026-11-{1:02}</span></li>\n",
          n, 1 + n % 28);
    }
    return fmt::format(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Notices</title></head>"
        "<body><ul class=\"news\">\n{}</ul><!-- revision {} --></body></html>",
        items, revision_);
  }

  std::mutex mutex_;
  int published_ = 0;
  int revision_ = 0;
  int list_requests_ = 0;
  int article_requests_ = 0;
  LocalServer server_;  // last: stopped before the state its handlers use goes
};

inline void write_archive_config(const std::filesystem::path& dir, const std::string& list_url,
                                 bool articles, const std::string& database = "state/herald.db") {
  write_file(dir / "herald.toml", fmt::format(R"(
[storage]
database = "{}"

[sources]
dir = "sources.d"

[fetch]
user_agent = "herald-archive-test/1.0"
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
keywords = ["artificial intelligence"]
)", database));
  write_file(dir / "sources.d" / "arch-news.toml", fmt::format(R"(
id = "arch-news"
name = "Archive test notices"
kind = "government"
language = "en"
timezone = "Asia/Shanghai"
interval = "1h"
type = "html"
url = "{}"

[list]
item = "ul.news li"
link = "a@href"
date = "span"
{}
)", list_url, articles ? "\n[article]\nbody = \"#main\"\n" : ""));
}

// One evidence row with its links, read with SQLite alone (not through the code under test).
struct EvidenceRow {
  std::int64_t id = 0;
  std::string kind{};
  std::string url{};
  std::string sha256{};
  std::int64_t size = 0;
  std::string headers{};
  std::vector<std::string> item_urls{};  // the items it is linked to
};

inline std::vector<EvidenceRow> read_evidence_rows(Database& db) {
  std::vector<EvidenceRow> rows;
  auto stmt = db.prepare(
      "SELECT e.id, e.kind, e.url, e.body_sha256, e.size, e.headers,"
      " (SELECT group_concat(i.url, ' ') FROM item_evidence l JOIN items i ON i.id = l.item_id"
      "  WHERE l.evidence_id = e.id)"
      " FROM evidence e ORDER BY e.id");
  EXPECT_TRUE(stmt.has_value());
  if (!stmt) {
    return rows;
  }
  while (true) {
    auto row = stmt->step();
    EXPECT_TRUE(row.has_value());
    if (!row || !*row) {
      return rows;
    }
    EvidenceRow evidence{.id = stmt->column_int64(0),
                         .kind = stmt->column_text(1),
                         .url = stmt->column_text(2),
                         .sha256 = stmt->column_text(3),
                         .size = stmt->column_int64(4),
                         .headers = stmt->column_text(5)};
    std::istringstream urls(stmt->column_text(6));
    for (std::string url; urls >> url;) {
      evidence.item_urls.push_back(url);
    }
    std::sort(evidence.item_urls.begin(), evidence.item_urls.end());
    rows.push_back(std::move(evidence));
  }
}

inline std::int64_t count_rows(Database& db, const std::string& sql) {
  auto stmt = db.prepare(sql);
  EXPECT_TRUE(stmt.has_value());
  if (!stmt) {
    return -1;
  }
  auto row = stmt->step();
  EXPECT_TRUE(row.has_value() && *row);
  return row && *row ? stmt->column_int64(0) : -1;
}

// Every regular file under `dir`, recursively (body files, temp files, the marker).
inline std::vector<std::filesystem::path> files_under(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->is_regular_file()) {
      files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace herald::testing
