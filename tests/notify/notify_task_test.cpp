// The notifier as serve runs it: run_due on a clock the test sets, a real database file, and
// loopback receivers standing in for the chat services.

#include <atomic>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon/notify.h"
#include "daemon/notify_send.h"
#include "scrapers/fetch/curl_fetcher.h"
#include "tests/notify/notify_support.h"

namespace herald {
namespace {

using nlohmann::json;
using testing::add_candidate;
using testing::add_poll;
using testing::day0;
using testing::hook;
using testing::slot;

constexpr const char* kWeComOk = R"({"errcode":0,"errmsg":"ok"})";

class NotifyTaskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.path() / "herald.db";
    loaded_ = testing::loaded_config(db_);
    loaded_.config.notify.webhooks = {hook(receiver_, "generic", WebhookFormat::kGeneric),
                                      hook(receiver_, "wecom", WebhookFormat::kWeCom)};
    receiver_.script("wecom", {{200, kWeComOk}});
    options_.health_every = std::chrono::seconds(0);
  }

  std::unique_ptr<PeriodicTask> task() {
    auto made = make_notify_task(loaded_, options_);
    EXPECT_NE(made, nullptr);
    return made;
  }
  void run(PeriodicTask& task, std::int64_t now) { task.run_due(now, stop_); }
  // As if an earlier digest had gone out at `at`.
  void digest_sent_at(std::int64_t at) {
    Store store = testing::open_db(db_);
    ASSERT_TRUE(store.set_state(std::string(kLastDigestKey), std::to_string(at), at));
  }
  std::vector<json> digests(const std::string& hook_name) {
    std::vector<json> out;
    for (const auto& r : receiver_.requests(hook_name)) {
      json body = json::parse(r.body);
      if (body.value("event", "") == "digest") {
        out.push_back(std::move(body));
      }
    }
    return out;
  }

  CurlGlobal curl_;
  testing::TempDir dir_;
  std::filesystem::path db_;
  testing::Receiver receiver_;
  Loaded loaded_;
  NotifyOptions options_;
  std::atomic<bool> stop_{false};
};

TEST_F(NotifyTaskTest, NoChannelsMeansNoTask) {
  loaded_.config.notify.webhooks.clear();
  EXPECT_EQ(make_notify_task(loaded_, options_), nullptr);
}

TEST_F(NotifyTaskTest, DigestAtItsLocalTimeListsTheNewCandidatesAndCountsTheRest) {
  loaded_.config.notify.digest_max_items = 2;
  digest_sent_at(slot(-1));
  {
    Store store = testing::open_db(db_);
    add_candidate(store, "bj-gov", "北京市关于加快人工智能产业发展的若干措施", day0() + 60);
    add_candidate(store, "openai-news", "Introducing a new model", day0() + 120, {"AI"});
    add_candidate(store, "bj-gov", "生成式人工智能服务备案公告", day0() + 180);
  }
  auto notifier = task();

  run(*notifier, slot(0) - 1);  // 08:29:59 in Beijing
  EXPECT_TRUE(receiver_.requests("generic").empty());

  run(*notifier, slot(0) + 5);
  const auto sent = digests("generic");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["total"], 3);
  ASSERT_EQ(sent[0]["items"].size(), 2u);
  EXPECT_EQ(sent[0]["items"][0]["title"], "北京市关于加快人工智能产业发展的若干措施");
  EXPECT_EQ(sent[0]["items"][0]["source_name"], "北京市人民政府 · 工作动态");
  EXPECT_EQ(sent[0]["items"][1]["title"], "Introducing a new model");
  EXPECT_EQ(sent[0]["items"][1]["matched"], json({"AI"}));
  EXPECT_EQ(sent[0]["more"], 1);
  EXPECT_NE(sent[0]["text"].get<std::string>().find("另有 1 条未列出"), std::string::npos);
  EXPECT_EQ(sent[0]["queue_url"], "https://herald.example.org/queue");

  const auto wecom = receiver_.requests("wecom");
  ASSERT_EQ(wecom.size(), 1u);
  const std::string content = json::parse(wecom[0].body)["markdown"]["content"];
  EXPECT_NE(content.find("另有 1 条未列出"), std::string::npos) << content;
}

TEST_F(NotifyTaskTest, ARestartDoesNotRepeatTheDigestAndTheNextCoversOnlyNewCandidates) {
  digest_sent_at(slot(-1));
  {
    Store store = testing::open_db(db_);
    add_candidate(store, "bj-gov", "第一条", day0() + 60);
  }
  run(*task(), slot(0) + 5);
  ASSERT_EQ(digests("generic").size(), 1u);

  run(*task(), slot(0) + 60);  // restarted a minute later: a new task over the same DB
  EXPECT_EQ(digests("generic").size(), 1u);

  {
    Store store = testing::open_db(db_);
    add_candidate(store, "bj-gov", "第二条", slot(0) + 3600);
  }
  run(*task(), slot(1) + 1);
  const auto sent = digests("generic");
  ASSERT_EQ(sent.size(), 2u);
  ASSERT_EQ(sent[1]["items"].size(), 1u);
  EXPECT_EQ(sent[1]["items"][0]["title"], "第二条");
}

TEST_F(NotifyTaskTest, ADigestMissedWhileDownGoesOutOnceAtTheNextStart) {
  digest_sent_at(slot(-1));
  {
    Store store = testing::open_db(db_);
    add_candidate(store, "bj-gov", "停机期间的候选", day0() + 60);
  }
  // herald was down over three digest times and starts at 13:00 in Beijing.
  auto notifier = task();
  run(*notifier, slot(3) + 4 * 3600 + 30 * 60);
  run(*notifier, slot(3) + 4 * 3600 + 31 * 60);
  run(*task(), slot(3) + 5 * 3600);

  const auto sent = digests("generic");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["items"][0]["title"], "停机期间的候选");
}

TEST_F(NotifyTaskTest, TheFirstStartAnnouncesNoHistoryAndNothingNewSendsNothing) {
  {
    Store store = testing::open_db(db_);
    add_candidate(store, "bj-gov", "早已在队列中", day0() - 86400 * 30);
  }
  auto notifier = task();
  run(*notifier, day0());          // first start ever: only remembers when it began
  run(*notifier, slot(0) + 1);     // nothing queued since: no message
  EXPECT_TRUE(receiver_.requests("generic").empty());
  EXPECT_TRUE(receiver_.requests("wecom").empty());

  Store store = testing::open_db(db_);
  auto recorded = store.state(std::string(kLastDigestKey));
  ASSERT_TRUE(recorded && *recorded);
  EXPECT_EQ(**recorded, std::to_string(slot(0) + 1)) << "the empty digest still counts as sent";
}

TEST_F(NotifyTaskTest, AlertsWhenASourceBecomesUnhealthyAndWhenItRecoversButNotForManualOnes) {
  loaded_.config.notify.digest_at.reset();
  {
    Store store = testing::open_db(db_);
    for (int i = 0; i < 3; ++i) {
      add_poll(store, "bj-gov", day0() + i * 600, false);
      add_poll(store, "wechat-cac", day0() + i * 600, false);  // manual (with a bridge feed)
    }
    add_poll(store, "openai-news", day0(), true);
  }
  run(*task(), day0() + 3600);

  auto requests = receiver_.requests("generic");
  ASSERT_EQ(requests.size(), 1u);
  json body = json::parse(requests[0].body);
  EXPECT_EQ(body["event"], "alert");
  ASSERT_EQ(body["alerts"].size(), 1u) << body.dump();
  EXPECT_EQ(body["alerts"][0]["kind"], "unhealthy");
  EXPECT_EQ(body["alerts"][0]["source"], "bj-gov");
  EXPECT_EQ(body["alerts"][0]["state"], "failing");
  EXPECT_NE(body["alerts"][0]["reason"].get<std::string>().find("3 failed polls"),
            std::string::npos);

  // Still unhealthy, after a restart too: no second alert.
  run(*task(), day0() + 7200);
  EXPECT_EQ(receiver_.requests("generic").size(), 1u);

  {
    Store store = testing::open_db(db_);
    add_poll(store, "bj-gov", day0() + 7300, true);
  }
  run(*task(), day0() + 7400);
  requests = receiver_.requests("generic");
  ASSERT_EQ(requests.size(), 2u);
  body = json::parse(requests[1].body);
  ASSERT_EQ(body["alerts"].size(), 1u);
  EXPECT_EQ(body["alerts"][0]["kind"], "recovered");
  EXPECT_EQ(body["alerts"][0]["source"], "bj-gov");
}

TEST_F(NotifyTaskTest, AFailedSendIsRetriedWithGrowingDelaysUntilItSucceeds) {
  loaded_.config.notify.webhooks = {hook(receiver_, "generic", WebhookFormat::kGeneric)};
  receiver_.script("generic", {{500, "busy"}, {500, "busy"}, {200, ""}});
  digest_sent_at(slot(-1));
  {
    Store store = testing::open_db(db_);
    add_candidate(store, "bj-gov", "重试的候选", day0() + 60);
  }
  auto notifier = task();
  const std::int64_t t = slot(0);

  run(*notifier, t);        // attempt 1: 500, next in 30 s
  run(*notifier, t + 29);
  EXPECT_EQ(receiver_.requests("generic").size(), 1u);
  run(*notifier, t + 30);   // attempt 2: 500, next in 60 s
  run(*notifier, t + 89);
  EXPECT_EQ(receiver_.requests("generic").size(), 2u);
  run(*notifier, t + 90);   // attempt 3: delivered
  run(*notifier, t + 10'000);

  const auto requests = receiver_.requests("generic");
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[2].body, requests[0].body) << "the same message each time";
}

TEST_F(NotifyTaskTest, AMessageThatKeepsFailingIsDroppedAfterMaxAttempts) {
  loaded_.config.notify.webhooks = {hook(receiver_, "generic", WebhookFormat::kGeneric)};
  receiver_.script("generic", {{503, "down"}});
  options_.max_attempts = 3;
  digest_sent_at(slot(-1));
  {
    Store store = testing::open_db(db_);
    add_candidate(store, "bj-gov", "总是失败", day0() + 60);
  }
  auto notifier = task();
  for (std::int64_t t = slot(0); t < slot(0) + 20'000; t += 30) {
    run(*notifier, t);
  }
  EXPECT_EQ(receiver_.requests("generic").size(), 3u);
}

TEST_F(NotifyTaskTest, AChatServiceRefusingInItsAnswerBodyIsAFailure) {
  loaded_.config.notify.webhooks = {hook(receiver_, "wecom", WebhookFormat::kWeCom),
                                    hook(receiver_, "dingtalk", WebhookFormat::kDingTalk),
                                    hook(receiver_, "feishu", WebhookFormat::kFeishu),
                                    hook(receiver_, "slack", WebhookFormat::kSlack)};
  receiver_.script("wecom", {{200, R"({"errcode":93000,"errmsg":"invalid webhook url"})"},
                             {200, kWeComOk}});
  receiver_.script("dingtalk", {{200, R"({"errcode":130101,"errmsg":"send too fast"})"},
                                {200, R"({"errcode":0,"errmsg":"ok"})"}});
  receiver_.script("feishu", {{200, R"({"code":9499,"msg":"Bad Request","data":{}})"},
                              {200, R"({"code":0,"msg":"success","data":{}})"}});
  receiver_.script("slack", {{200, "invalid_payload"}, {200, "ok"}});
  digest_sent_at(slot(-1));
  {
    Store store = testing::open_db(db_);
    add_candidate(store, "bj-gov", "被拒绝的消息", day0() + 60);
  }
  auto notifier = task();
  run(*notifier, slot(0));
  run(*notifier, slot(0) + 30);    // each refused message is tried again ...
  run(*notifier, slot(0) + 5000);  // ... and, accepted then, not a third time

  for (const char* name : {"wecom", "dingtalk", "feishu", "slack"}) {
    EXPECT_EQ(receiver_.requests(name).size(), 2u) << name;
  }
}

TEST_F(NotifyTaskTest, AHangingReceiverHoldsUpTheOtherChannelOnlyForItsTimeout) {
  loaded_.config.notify.webhooks = {hook(receiver_, "stuck", WebhookFormat::kGeneric),
                                    hook(receiver_, "generic", WebhookFormat::kGeneric)};
  receiver_.hang("stuck");
  options_.webhook_timeout = std::chrono::milliseconds(1000);
  digest_sent_at(slot(-1));
  {
    Store store = testing::open_db(db_);
    add_candidate(store, "bj-gov", "不被拖住", day0() + 60);
  }
  auto notifier = task();

  run(*notifier, slot(0));  // returns: the stuck send gave up after its timeout

  EXPECT_EQ(receiver_.requests("stuck").size(), 1u);
  ASSERT_EQ(digests("generic").size(), 1u);
  EXPECT_EQ(digests("generic")[0]["items"][0]["title"], "不被拖住");
  receiver_.release();
  run(*notifier, slot(0) + 30);  // the timed-out send counts as a failure and is retried
  EXPECT_EQ(receiver_.requests("stuck").size(), 2u);
  EXPECT_EQ(digests("generic").size(), 1u);
}

TEST_F(NotifyTaskTest, StoppingAbandonsASendWithoutCountingIt) {
  loaded_.config.notify.webhooks = {hook(receiver_, "stuck", WebhookFormat::kGeneric)};
  receiver_.hang("stuck");
  options_.webhook_timeout = std::chrono::milliseconds(30'000);
  digest_sent_at(slot(-1));
  {
    Store store = testing::open_db(db_);
    add_candidate(store, "bj-gov", "停止", day0() + 60);
  }
  auto notifier = task();
  std::thread stopper([this] {
    while (receiver_.requests("stuck").empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    stop_ = true;
  });
  run(*notifier, slot(0));  // returns once stop_ is set, well before the 30 s timeout
  stopper.join();
  EXPECT_EQ(receiver_.requests("stuck").size(), 1u);
}

TEST_F(NotifyTaskTest, ErrorsNeverQuoteTheWebhookUrlAndItsKey) {
  receiver_.script("secret", {{500, "oops"}});
  WebhookTarget target{.name = "editors",
                       .format = WebhookFormat::kWeCom,
                       .url = receiver_.url("secret") + "?key=SECRET-KEY-693a91f6"};
  auto failed = post_webhook(target, "{}", SendLimits{});
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kHttp5xx);
  EXPECT_EQ(failed.error().message.find("SECRET"), std::string::npos) << failed.error().message;
  EXPECT_NE(failed.error().message.find("editors"), std::string::npos);

  target.url = "http://127.0.0.1:1/hook/x?key=SECRET-KEY-693a91f6";  // nothing listens
  failed = post_webhook(target, "{}", SendLimits{});
  ASSERT_FALSE(failed);
  EXPECT_TRUE(failed.error().retryable);
  EXPECT_EQ(failed.error().message.find("SECRET"), std::string::npos) << failed.error().message;
}

}  // namespace
}  // namespace herald
