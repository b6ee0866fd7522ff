// The notification outbox lives in the database: a message not yet delivered survives a
// restart or reload (a new notifier on the same database), is delivered once the chat
// service is back, and a delivered one is never sent again.

#include <atomic>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon/notify.h"
#include "scrapers/fetch/curl_fetcher.h"
#include "storage/database.h"
#include "tests/notify/notify_support.h"

namespace herald {
namespace {

using nlohmann::json;
using testing::add_candidate;
using testing::add_poll;
using testing::day0;
using testing::hook;
using testing::slot;

class NotifyOutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.path() / "herald.db";
    loaded_ = testing::loaded_config(db_);
    loaded_.config.notify.webhooks = {hook(receiver_, "generic", WebhookFormat::kGeneric)};
    options_.health_every = std::chrono::seconds(0);
  }

  // A notifier as serve makes one at start and at every reload.
  std::unique_ptr<PeriodicTask> task() {
    auto made = make_notify_task(loaded_, options_);
    EXPECT_NE(made, nullptr);
    return made;
  }
  void run(PeriodicTask& task, std::int64_t now) { task.run_due(now, stop_); }
  void digest_sent_at(std::int64_t at) {
    Store store = testing::open_db(db_);
    ASSERT_TRUE(store.set_state(std::string(kLastDigestKey), std::to_string(at), at));
  }
  std::vector<json> events(const std::string& hook_name, const std::string& event) {
    std::vector<json> out;
    for (const auto& r : receiver_.requests(hook_name)) {
      json body = json::parse(r.body);
      if (body.value("event", "") == event) {
        out.push_back(std::move(body));
      }
    }
    return out;
  }
  std::int64_t outbox_rows(const std::string& state) {
    auto db = Database::open(db_);
    EXPECT_TRUE(db.has_value());
    auto stmt = db->prepare("SELECT COUNT(*) FROM notify_outbox WHERE state = ?1");
    EXPECT_TRUE(stmt.has_value());
    stmt->bind(1, state);
    auto row = stmt->step();
    EXPECT_TRUE(row.has_value() && *row);
    return stmt->column_int64(0);
  }

  CurlGlobal curl_;
  testing::TempDir dir_;
  std::filesystem::path db_;
  testing::Receiver receiver_;
  Loaded loaded_;
  NotifyOptions options_;
  std::atomic<bool> stop_{false};
};

TEST_F(NotifyOutboxTest, ADigestWaitingForADownReceiverSurvivesARestartAndIsDeliveredOnce) {
  receiver_.script("generic", {{503, "down"}, {503, "down"}, {200, ""}});
  digest_sent_at(slot(-1));
  {
    Store store = testing::open_db(db_);
    add_candidate(store, "bj-gov", "停机期间的候选", day0() + 60);
  }
  {
    auto notifier = task();
    run(*notifier, slot(0));  // attempt 1: 503, next in 30 s
  }  // herald stops (or reloads) while the receiver is down
  EXPECT_EQ(receiver_.requests("generic").size(), 1u);

  auto restarted = task();
  run(*restarted, slot(0) + 10);  // the backoff survived the restart: not due yet
  EXPECT_EQ(receiver_.requests("generic").size(), 1u);
  run(*restarted, slot(0) + 30);  // attempt 2: 503, next in 60 s
  EXPECT_EQ(receiver_.requests("generic").size(), 2u);
  run(*restarted, slot(0) + 60);
  EXPECT_EQ(receiver_.requests("generic").size(), 2u) << "the doubled delay is kept";
  run(*restarted, slot(0) + 90);  // attempt 3: the receiver is up again
  run(*restarted, slot(0) + 5000);

  const auto digests = events("generic", "digest");
  ASSERT_EQ(digests.size(), 3u);
  EXPECT_EQ(digests[2]["items"][0]["title"], "停机期间的候选");
  EXPECT_EQ(receiver_.requests("generic")[2].body, receiver_.requests("generic")[0].body)
      << "the same message each time";
  EXPECT_EQ(outbox_rows("delivered"), 1);
  EXPECT_EQ(outbox_rows("pending"), 0);
}

TEST_F(NotifyOutboxTest, AMessageAlreadyDeliveredIsNotSentAgainAfterARestart) {
  digest_sent_at(slot(-1));
  {
    Store store = testing::open_db(db_);
    add_candidate(store, "bj-gov", "已送达", day0() + 60);
  }
  {
    auto notifier = task();
    run(*notifier, slot(0));
  }
  ASSERT_EQ(events("generic", "digest").size(), 1u);

  auto restarted = task();
  run(*restarted, slot(0) + 60);
  run(*restarted, slot(0) + 3600);
  EXPECT_EQ(receiver_.requests("generic").size(), 1u);
}

TEST_F(NotifyOutboxTest, AnAlertForASourceThatBrokeDuringAnOutageReachesTheEditorsAfterRestarts) {
  loaded_.config.notify.digest_at.reset();
  receiver_.script("generic", {{502, "bad gateway"}, {200, ""}});
  const std::int64_t t = day0() + 3600;
  {
    Store store = testing::open_db(db_);
    for (int i = 0; i < 3; ++i) {
      add_poll(store, "bj-gov", day0() + i * 600, false);
    }
    add_poll(store, "openai-news", day0(), true);
  }
  {
    auto notifier = task();
    run(*notifier, t);  // bj-gov is failing: alert, receiver down
  }
  ASSERT_EQ(events("generic", "alert").size(), 1u);
  {
    auto reloaded = task();  // the source's alert state is recorded: no second alert made
    run(*reloaded, t + 5);
  }
  EXPECT_EQ(receiver_.requests("generic").size(), 1u);

  auto restarted = task();
  run(*restarted, t + 30);  // retried from the database: delivered
  run(*restarted, t + 4000);
  const auto alerts = events("generic", "alert");
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[1]["alerts"][0]["kind"], "unhealthy");
  EXPECT_EQ(alerts[1]["alerts"][0]["source"], "bj-gov");
  EXPECT_EQ(outbox_rows("delivered"), 1);
}

TEST_F(NotifyOutboxTest, TheSameMessageEnqueuedTwiceIsOneRow) {
  Store store = testing::open_db(db_);
  OutboxMessage message{.key = "digest:100:200",
                        .channel = "webhook:generic",
                        .event = "digest",
                        .format = "generic",
                        .body = R"({"event":"digest"})",
                        .created_at = 200,
                        .next_at = 200};
  auto first = store.enqueue_notification(message);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_TRUE(*first);
  auto second = store.enqueue_notification(message);
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_FALSE(*second);
  auto pending = store.pending_notifications(10);
  ASSERT_TRUE(pending.has_value());
  ASSERT_EQ(pending->size(), 1u);

  // Delivered, it still holds the key: enqueued again, it is not sent again.
  ASSERT_TRUE(store.mark_notification_delivered(pending->front().id, 300));
  auto third = store.enqueue_notification(message);
  ASSERT_TRUE(third.has_value());
  EXPECT_FALSE(*third);
  EXPECT_TRUE(store.pending_notifications(10)->empty());

  // Another channel is another message.
  message.channel = "email";
  EXPECT_TRUE(*store.enqueue_notification(message));
}

TEST_F(NotifyOutboxTest, AFailedDigestWriteLeavesTheDigestTimeWhereItWas) {
  // The outbox table cannot be written (a read-only trigger standing in for a failing
  // disk): the digest time must not move on, or that digest would be lost.
  digest_sent_at(slot(-1));
  {
    Store store = testing::open_db(db_);
    add_candidate(store, "bj-gov", "不能丢", day0() + 60);
    ASSERT_TRUE(store.database().exec(
        "CREATE TRIGGER outbox_full BEFORE INSERT ON notify_outbox BEGIN "
        "SELECT RAISE(ABORT, 'disk full'); END"));
  }
  {
    auto notifier = task();
    run(*notifier, slot(0));
  }
  {
    Store store = testing::open_db(db_);
    auto last = store.state(std::string(kLastDigestKey));
    ASSERT_TRUE(last.has_value() && last->has_value());
    EXPECT_EQ(**last, std::to_string(slot(-1)));
    ASSERT_TRUE(store.database().exec("DROP TRIGGER outbox_full"));
  }
  auto restarted = task();
  run(*restarted, slot(0) + 120);
  const auto digests = events("generic", "digest");
  ASSERT_EQ(digests.size(), 1u);
  EXPECT_EQ(digests[0]["items"][0]["title"], "不能丢");
}

TEST_F(NotifyOutboxTest, AMessageForAChannelNoLongerConfiguredIsDroppedNotSentElsewhere) {
  receiver_.script("generic", {{503, "down"}});
  digest_sent_at(slot(-1));
  {
    Store store = testing::open_db(db_);
    add_candidate(store, "bj-gov", "换了渠道", day0() + 60);
  }
  {
    auto notifier = task();
    run(*notifier, slot(0));
  }
  loaded_.config.notify.webhooks = {hook(receiver_, "other", WebhookFormat::kGeneric)};
  auto reloaded = task();
  run(*reloaded, slot(0) + 3600);
  EXPECT_TRUE(receiver_.requests("other").empty());
  EXPECT_EQ(receiver_.requests("generic").size(), 1u);
  EXPECT_EQ(outbox_rows("dropped"), 1);
  EXPECT_EQ(outbox_rows("pending"), 0);
}

}  // namespace
}  // namespace herald
