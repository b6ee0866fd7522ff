#pragma once

// What the repair tests share: a loopback site whose list page switches CMS templates
// between polls, and a herald installation polling it with selectors for the first one.

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "common/clock.h"
#include "daemon/context.h"
#include "daemon/repair.h"
#include "daemon/run_source.h"
#include "scrapers/fetch/curl_fetcher.h"
#include "tests/daemon/herald_cli.h"
#include "tests/support/fixtures.h"
#include "tests/support/local_server.h"

namespace herald::testing {

// The markups a site moves between. kOriginal is what the source file was written for.
enum class Template {
  kOriginal,      // <ul class="news"><li><a>title</a><span>date</span></li>
  kRenamed,       // the same structure, every class renamed by a new CMS theme
  kTable,         // the list becomes a table: one <tr> per item, the date in its own <td>
  kDateInLink,    // a redesign: the date moves into the link text, no element of its own
  kMostlyMoved,   // the newest item stays in the old <ul class="news">, the rest move to
                  // the renamed list: the old selectors still match, far fewer items
};

inline std::string headline(int n) {
  return fmt::format("Notice {} on the supervision of algorithm filing and data security", n);
}

inline std::string date_of(int n) { return fmt::format("2024-03-{:02}", n); }

// The list page with items 1..published, newest first, in `shape`, with the navigation
// and footer links every real page has around its list.
inline std::string list_page(Template shape, int published) {
  std::string items;
  for (int n = published; n >= 1; --n) {
    const std::string link = fmt::format("/a/{}.html", n);
    switch (shape) {
      case Template::kOriginal:
        items += fmt::format("<li><a href=\"{}\">{}</a><span>{}</span></li>\n", link,
                             headline(n), date_of(n));
        break;
      case Template::kMostlyMoved:
        if (n == published) {
          break;  // in the old list below
        }
        [[fallthrough]];
      case Template::kRenamed:
        items += fmt::format(
            "<li class=\"entry-row\"><a class=\"entry-title\" href=\"{}\">{}</a>"
            "<em class=\"entry-date\">{}</em></li>\n",
            link, headline(n), date_of(n));
        break;
      case Template::kTable:
        items += fmt::format("<tr><td class=\"t\"><a href=\"{}\">{}</a></td><td class=\"d\">{}"
                             "</td></tr>\n",
                             link, headline(n), date_of(n));
        break;
      case Template::kDateInLink:
        items += fmt::format("<div class=\"card\"><a href=\"{}\">{} {}</a></div>\n", link,
                             date_of(n), headline(n));
        break;
    }
  }
  std::string list;
  switch (shape) {
    case Template::kOriginal:
      list = "<ul class=\"news\">\n" + items + "</ul>";
      break;
    case Template::kRenamed:
      list = "<ul class=\"entries\">\n" + items + "</ul>";
      break;
    case Template::kMostlyMoved:
      list = fmt::format("<ul class=\"news\"><li><a href=\"/a/{}.html\">{}</a><span>{}</span>"
                         "</li></ul>\n<ul class=\"entries\">\n{}</ul>",
                         published, headline(published), date_of(published), items);
      break;
    case Template::kTable:
      list = "<table class=\"notice-table\"><tbody>\n" + items + "</tbody></table>";
      break;
    case Template::kDateInLink:
      list = "<section class=\"cards\">\n" + items + "</section>";
      break;
  }
  return fmt::format(R"(<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Notices</title></head>
<body>
<nav class="top"><a href="/">Home</a> <a href="/about/">About</a> <a href="/contact/">Contact</a></nav>
<div id="main">
<h1>Notices</h1>
{}
</div>
<footer><a href="/privacy/">Privacy</a> <a href="/sitemap/">Sitemap</a></footer>
</body></html>
)",
                     list);
}

// A site that answers 200 with the current page every time (no validators).
class TemplateSite {
 public:
  TemplateSite() {
    auto state = state_;
    server_.routes().Get("/list/", [state](const httplib::Request&, httplib::Response& res) {
      std::lock_guard lock(state->mutex);
      res.set_content(list_page(state->shape, state->published), "text/html; charset=utf-8");
    });
    // Article pages, for rules that read the date there ([article]).
    server_.routes().Get(R"(/a/(\d+)\.html)", [](const httplib::Request& req,
                                                  httplib::Response& res) {
      const int n = std::stoi(req.matches[1]);
      res.set_content(fmt::format("<html><body><h1>{}</h1><p class=\"date\">{}</p>"
                                  "<div id=\"main\"><p>Body of notice {}.</p></div></body></html>",
                                  headline(n), date_of(n), n),
                      "text/html; charset=utf-8");
    });
    server_.start();
  }

  void show(Template shape, int published) {
    std::lock_guard lock(state_->mutex);
    state_->shape = shape;
    state_->published = published;
  }
  std::string url(std::string_view path) const { return server_.url(path); }

 private:
  struct State {
    std::mutex mutex;
    Template shape = Template::kOriginal;
    int published = 0;
  };
  // Declared before the server: it outlives the handlers that read it.
  std::shared_ptr<State> state_ = std::make_shared<State>();
  LocalServer server_;
};

inline constexpr const char* kSourceId = "tpl-news";

// The source file as an admin wrote it for the original template.
inline std::string original_source_file(const std::string& list_url) {
  return fmt::format(R"(# Notices of a regulator, polled from its list page.
id = "{}"
name = "Template test notices"
kind = "government"
language = "en"
timezone = "Asia/Shanghai"
interval = "1h"
type = "html"
url = "{}"

# The list as the site printed it when this file was written.
[list]
item = "ul.news li"
link = "a@href"
date = "span"

[fetch]
timeout = "10s"
)",
                     kSourceId, list_url);
}

// A herald installation in a temp dir polling the TemplateSite.
class RepairFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    write_test_config(dir_.path(), "\n[web]\nenabled = false\n");
    write_file(source_file(), original_source_file(site_.url("/list/")));
    reload();
    auto store = open_store(loaded_.config);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    store_.emplace(std::move(*store));
    auto fetcher = CurlFetcher::create();
    ASSERT_TRUE(fetcher.has_value()) << fetcher.error().message;
    fetcher_ = std::move(*fetcher);
  }

  // Reads herald.toml and sources.d/ again (what a reload does).
  void reload() {
    auto loaded = load_configuration(dir_.path() / "herald.toml");
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    ASSERT_EQ(loaded->sources.sources.size(), 1u);
    loaded_ = std::move(*loaded);
  }

  std::filesystem::path source_file() const {
    return dir_.path() / "sources.d" / (std::string(kSourceId) + ".toml");
  }
  const SourceConfig& source() const { return loaded_.sources.sources.front(); }
  RunReport poll() { return run_source_once(source(), loaded_.config, *fetcher_, *store_, clock_); }

  std::int64_t count(const std::string& sql) {
    auto stmt = store_->database().prepare(sql);
    EXPECT_TRUE(stmt.has_value());
    if (!stmt) {
      return -1;
    }
    auto row = stmt->step();
    EXPECT_TRUE(row.has_value() && *row);
    return stmt->column_int64(0);
  }
  std::int64_t stored_items() {
    return count(fmt::format("SELECT COUNT(*) FROM items WHERE source_id = '{}'", kSourceId));
  }
  std::int64_t proposals(const std::string& state) {
    return count(fmt::format(
        "SELECT COUNT(*) FROM repair_proposals WHERE source_id = '{}' AND state = '{}'",
        kSourceId, state));
  }
  HealthState health() {
    auto health = store_->source_health(clock_.now_utc_seconds());
    EXPECT_TRUE(health.has_value());
    if (!health || health->empty()) {
      return HealthState::kNeverPolled;
    }
    return health->front().state;
  }

  TemplateSite site_;
  TempDir dir_;
  Loaded loaded_;
  std::optional<Store> store_;
  std::unique_ptr<CurlFetcher> fetcher_;
  SystemClock clock_;
};

}  // namespace herald::testing
