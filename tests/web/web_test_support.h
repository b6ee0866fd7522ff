#pragma once

// An in-process herald web server on 127.0.0.1:<kernel port> over a database in a
// per-test temporary directory, with a fake clock and a cheap password verifier, and an
// httplib client that signs in like a browser would.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

#include "common/clock.h"
#include "storage/store.h"
#include "tests/support/fixtures.h"
#include "web/server.h"

namespace herald::testing {

class FakeClock final : public Clock {
 public:
  std::int64_t now_utc_seconds() const override { return utc_.load(); }
  std::chrono::steady_clock::time_point now_steady() const override {
    return std::chrono::steady_clock::time_point(std::chrono::seconds(steady_.load()));
  }
  void advance(std::chrono::seconds by) {
    utc_ += by.count();
    steady_ += by.count();
  }

 private:
  std::atomic<std::int64_t> utc_{1'700'000'000};  // 2023-11-14
  std::atomic<std::int64_t> steady_{1'000'000};
};

// "plain:<password>" stands in for an Argon2id string: the web layer only calls the
// injected verifier, and Argon2 at test time would cost seconds for nothing.
inline bool fake_verify(const std::string& hash, const std::string& password) {
  return hash == "plain:" + password;
}

struct Signed {
  std::string cookie{};  // "herald_sid=..."
  std::string csrf{};
};

class WebFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = dir_.path() / "herald.db";
    auto store = Store::open(database_);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    store_.emplace(std::move(*store));
    const auto now = clock_.now_utc_seconds();
    ASSERT_TRUE(store_->add_user("alice", Role::kEditor, "plain:correct horse", now));
    ASSERT_TRUE(store_->add_user("root", Role::kAdmin, "plain:admin pass", now));
  }

  void TearDown() override { stop(); }

  // Starts the server; call after seeding. `tweak` may change settings and deps.
  void start(const std::function<void(WebSettings&, web::WebDeps&)>& tweak = {}) {
    WebSettings settings;
    settings.listen_host = "127.0.0.1";
    settings.port = 0;
    settings.assets_dir = web::default_assets_dir();
    web::WebDeps deps;
    deps.database = database_;
    deps.clock = &clock_;
    deps.verify_password = fake_verify;
    SourceConfig gov;
    gov.id = "gov";
    gov.name = "国家网信办";
    gov.kind = SourceKind::kGovernment;
    gov.url = "https://www.cac.gov.cn/";
    SourceConfig news;
    news.id = "news";
    news.name = "Tech News";
    news.kind = SourceKind::kMedia;
    news.url = "https://news.example/";
    deps.sources = {gov, news};
    if (tweak) {
      tweak(settings, deps);
    }
    auto server = web::WebServer::create(settings, std::move(deps), limits_);
    ASSERT_TRUE(server.has_value()) << server.error().message;
    server_ = std::move(*server);
    auto port = server_->bind();
    ASSERT_TRUE(port.has_value()) << port.error().message;
    port_ = *port;
    thread_ = std::thread([this] { server_->run(); });
  }

  void stop() {
    if (server_) {
      server_->stop();
    }
    if (thread_.joinable()) {
      thread_.join();
    }
    server_.reset();
  }

  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }

  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(std::chrono::seconds(5));
    c.set_read_timeout(std::chrono::seconds(10));
    return c;
  }

  // POST /login as a browser on our own page would (same-origin fetch metadata).
  httplib::Result login(const std::string& name, const std::string& password,
                        const std::string& cookie = "") {
    httplib::Headers headers{{"Origin", origin()}, {"Sec-Fetch-Site", "same-origin"}};
    if (!cookie.empty()) {
      headers.emplace("Cookie", cookie);
    }
    return client().Post("/login", headers,
                         httplib::Params{{"name", name}, {"password", password}});
  }

  // Signs in and reads the CSRF token from the queue page's <meta>.
  Signed sign_in(const std::string& name, const std::string& password) {
    auto response = login(name, password);
    Signed out;
    if (!response || response->status != 303) {
      ADD_FAILURE() << "login failed: " << (response ? response->status : -1);
      return out;
    }
    const std::string set_cookie = response->get_header_value("Set-Cookie");
    out.cookie = set_cookie.substr(0, set_cookie.find(';'));
    auto page = client().Get("/queue", {{"Cookie", out.cookie}});
    if (!page || page->status != 200) {
      ADD_FAILURE() << "queue after login failed";
      return out;
    }
    const std::string marker = R"(<meta name="csrf-token" content=")";
    const auto at = page->body.find(marker);
    if (at != std::string::npos) {
      const auto start = at + marker.size();
      out.csrf = page->body.substr(start, page->body.find('"', start) - start);
    }
    return out;
  }

  // Headers of a same-origin form post from a signed-in browser.
  httplib::Headers form_headers(const Signed& who) const {
    return {{"Cookie", who.cookie}, {"Origin", origin()}, {"Sec-Fetch-Site", "same-origin"}};
  }

  // One poll's worth of items as candidates; returns their candidate ids in order.
  std::vector<std::int64_t> seed(const std::string& source_id, const std::vector<Item>& items) {
    PollRecord poll;
    poll.source_id = source_id;
    poll.started_at = clock_.now_utc_seconds();
    poll.outcome = "ok";
    poll.items = items;
    poll.default_section = "最新法律与监管动态";
    for (Item& item : poll.items) {
      item.source_id = source_id;
      if (item.url_key.empty()) {
        item.url_key = item.url;
      }
      item.candidate = true;
      item.score = item.score == 0.0 ? 2.0 : item.score;
      if (item.matched_terms.empty()) {
        item.matched_terms = {"人工智能"};
      }
    }
    auto committed = store_->commit_poll(poll);
    EXPECT_TRUE(committed.has_value()) << committed.error().message;
    QueueQuery query;
    query.state = std::nullopt;
    query.collapse_clusters = false;
    query.limit = 1000;
    auto page = store_->query_queue(query);
    EXPECT_TRUE(page.has_value()) << page.error().message;
    std::vector<std::int64_t> ids;
    for (const Item& item : items) {
      for (const Candidate& candidate : page->items) {
        if (candidate.url == item.url) {
          ids.push_back(candidate.id);
        }
      }
    }
    return ids;
  }

  static Item item(const std::string& title, const std::string& url,
                   const std::string& summary = "") {
    Item out;
    out.title = title;
    out.url = url;
    out.summary = summary;
    out.published_at = 1'699'000'000;
    return out;
  }

  TempDir dir_;
  std::filesystem::path database_;
  std::optional<Store> store_;  // the test's own connection, for seeding and checking
  FakeClock clock_;
  web::ServerLimits limits_{};  // what start() gives the server
  std::unique_ptr<web::WebServer> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace herald::testing
