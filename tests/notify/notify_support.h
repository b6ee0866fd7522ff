#pragma once

// Shared by the notify suite: a loopback receiver that records what herald posts and answers
// as a chat service would, a scratch database with candidates and polls in it, and the
// configuration a notify task is made from.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "common/timezone.h"
#include "daemon/context.h"
#include "storage/store.h"
#include "tests/support/fixtures.h"
#include "tests/support/local_server.h"

namespace herald::testing {

struct Received {
  std::string path{};
  std::string body{};
};

// POST /hook/<name>: each hook answers from its script (status, body) one request at a
// time, repeating the last entry; a hook set to hang holds the request until the test ends.
class Receiver {
 public:
  Receiver() {
    server_.routes().Post(R"(/hook/([A-Za-z0-9_-]+))",
                          [this](const httplib::Request& request, httplib::Response& response) {
                            handle(request, response);
                          });
    server_.start();
  }
  ~Receiver() { release(); }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  void script(const std::string& hook, std::vector<std::pair<int, std::string>> answers) {
    std::lock_guard lock(mutex_);
    scripts_[hook] = std::deque<std::pair<int, std::string>>(answers.begin(), answers.end());
  }
  void hang(const std::string& hook) {
    std::lock_guard lock(mutex_);
    hanging_[hook] = true;
  }
  // Lets hanging requests finish (they then answer 200).
  void release() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    changed_.notify_all();
  }

  std::vector<Received> requests(const std::string& hook) const {
    std::lock_guard lock(mutex_);
    std::vector<Received> out;
    for (const Received& r : received_) {
      if (r.path == "/hook/" + hook) {
        out.push_back(r);
      }
    }
    return out;
  }
  std::string url(const std::string& hook) const { return server_.url("/hook/" + hook); }

  // Waits until `hook` has received `count` requests; false after `limit` (a safety net
  // for a test of another process, never a timing assertion).
  bool wait_for_requests(const std::string& hook, std::size_t count,
                         std::chrono::seconds limit) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] {
      return static_cast<std::size_t>(std::count_if(
                 received_.begin(), received_.end(),
                 [&](const Received& r) { return r.path == "/hook/" + hook; })) >= count;
    });
  }

 private:
  void handle(const httplib::Request& request, httplib::Response& response) {
    const std::string hook = request.matches[1];
    std::unique_lock lock(mutex_);
    received_.push_back(Received{request.path, request.body});
    changed_.notify_all();
    if (hanging_[hook]) {
      // Bounded, so a broken test cannot hang the suite.
      changed_.wait_for(lock, std::chrono::seconds(20), [this] { return released_; });
      response.set_content("", "text/plain");
      return;
    }
    auto& answers = scripts_[hook];
    std::pair<int, std::string> answer{200, "ok"};
    if (!answers.empty()) {
      answer = answers.front();
      if (answers.size() > 1) {
        answers.pop_front();
      }
    }
    response.status = answer.first;
    response.set_content(answer.second, "application/json");
  }

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable changed_;
  std::vector<Received> received_;
  std::map<std::string, std::deque<std::pair<int, std::string>>> scripts_;
  std::map<std::string, bool> hanging_;
  bool released_ = false;
  LocalServer server_;  // last: stopped (and its handlers joined) before the state above dies
};

// 2026-11-02 00:00 UTC (08:00 in Beijing), a day every test starts from.
inline std::int64_t day0() { return days_from_civil(2026, 11, 2) * 86400; }
// The digest time the tests configure: 08:30 Beijing = 00:30 UTC.
inline constexpr std::chrono::minutes kDigestAt{8 * 60 + 30};
inline std::int64_t slot(int day) { return day0() + day * 86400 + 30 * 60; }

inline SourceConfig source(const std::string& id, const std::string& name,
                           SourceMode mode = SourceMode::kPoll) {
  SourceConfig s;
  s.id = id;
  s.name = name;
  s.mode = mode;
  if (mode == SourceMode::kManual) {
    s.manual_reason = "behind a bot wall; add articles with herald add";
  }
  return s;
}

inline Loaded loaded_config(const std::filesystem::path& db) {
  Loaded loaded;
  loaded.config.database = db;
  loaded.config.local_zone = TimeZone::fixed(8 * 3600);
  loaded.config.web.public_origin = "https://herald.example.org";
  loaded.config.notify.digest_at = kDigestAt;
  loaded.config.notify.alerts = true;
  loaded.sources.sources = {source("bj-gov", "北京市人民政府 · 工作动态"),
                            source("openai-news", "OpenAI News"),
                            source("wechat-cac", "网信中国（微信）", SourceMode::kManual)};
  return loaded;
}

inline WebhookTarget hook(const Receiver& receiver, const std::string& name, WebhookFormat format) {
  return WebhookTarget{.name = name, .format = format, .url = receiver.url(name)};
}

inline Store open_db(const std::filesystem::path& db) {
  auto store = Store::open(db);
  EXPECT_TRUE(store.has_value()) << store.error().message;
  return std::move(*store);
}

// Queues one candidate from `source_id`, first seen (and queued) at `at`.
inline void add_candidate(Store& store, const std::string& source_id, const std::string& title,
                          std::int64_t at, std::vector<std::string> matched = {"人工智能"}) {
  static int counter = 0;
  ++counter;
  Item item;
  item.source_id = source_id;
  item.title = title;
  item.url = fmt::format("https://example.gov.cn/art/{}.html", counter);
  item.url_key = fmt::format("example.gov.cn/art/{}-{}", counter, at);
  item.published_at = at - 3600;
  item.score = 1.0;
  item.matched_terms = std::move(matched);
  item.candidate = true;
  PollRecord poll;
  poll.source_id = source_id;
  poll.started_at = at;
  poll.outcome = "ok";
  poll.items = {item};
  poll.default_section = "最新法律与监管动态";
  auto done = store.commit_poll(poll);
  ASSERT_TRUE(done.has_value()) << done.error().message;
}

// A poll of `source_id` at `at` that failed (outcome "timeout") or succeeded with one
// item that is not a candidate.
inline void add_poll(Store& store, const std::string& source_id, std::int64_t at, bool ok) {
  PollRecord poll;
  poll.source_id = source_id;
  poll.started_at = at;
  poll.outcome = ok ? "ok" : "timeout";
  poll.error = ok ? "" : "GET https://example.gov.cn/: timed out after 30 s";
  if (ok) {
    Item item;
    item.source_id = source_id;
    item.title = "例行公告";
    item.url = fmt::format("https://example.gov.cn/{}/{}.html", source_id, at);
    item.url_key = fmt::format("example.gov.cn/{}/{}", source_id, at);
    poll.items = {item};
  }
  auto done = store.commit_poll(poll);
  ASSERT_TRUE(done.has_value()) << done.error().message;
}

}  // namespace herald::testing
