// The watchdog's judgement (daemon/watchdog.h, RELIABILITY.md S7) on an injected clock:
// WATCHDOG=1 only while the poll loop makes progress; a long but normal poll keeps the
// pings coming, a poll past its budget or a stuck idle loop stops them.

#include "daemon/watchdog.h"

#include <vector>

#include <gtest/gtest.h>

namespace herald {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using TimePoint = Heartbeat::TimePoint;

constexpr auto kTimeout = std::chrono::microseconds(120'000'000);  // WatchdogSec=120s

TEST(HeartbeatTest, PeriodsFollowTheWatchdogTimeout) {
  const Heartbeat heartbeat(kTimeout);
  EXPECT_EQ(heartbeat.beat_period(), seconds(30));
  EXPECT_EQ(heartbeat.ping_period(), seconds(60));
}

TEST(HeartbeatTest, NotHealthyBeforeTheLoopRuns) {
  const Heartbeat heartbeat(kTimeout);
  EXPECT_FALSE(heartbeat.healthy(TimePoint{} + seconds(1)));
}

TEST(HeartbeatTest, AnIdleLoopThatKeepsBeatingIsHealthy) {
  Heartbeat heartbeat(kTimeout);
  const TimePoint t0{};
  for (int i = 0; i < 10; ++i) {
    heartbeat.beat(t0 + i * seconds(30));
    EXPECT_TRUE(heartbeat.healthy(t0 + i * seconds(30) + seconds(59))) << i;
  }
}

TEST(HeartbeatTest, AnIdleLoopThatStopsBeatingIsStalled) {
  Heartbeat heartbeat(kTimeout);
  const TimePoint t0{};
  heartbeat.beat(t0);
  EXPECT_TRUE(heartbeat.healthy(t0 + seconds(60)));
  const auto why = heartbeat.stalled(t0 + seconds(61));
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("has not run for 61000 ms"), std::string::npos) << *why;
}

TEST(HeartbeatTest, APollWithinItsBudgetIsHealthyEvenBeyondWatchdogSec) {
  Heartbeat heartbeat(kTimeout, seconds(60));
  const TimePoint t0{};
  heartbeat.poll_started(t0, "slow-site", seconds(600));
  // Ten minutes of article fetches: far beyond WatchdogSec, within the budget.
  for (int minute = 0; minute <= 11; ++minute) {
    EXPECT_TRUE(heartbeat.healthy(t0 + minute * seconds(60))) << minute;
  }
  EXPECT_TRUE(heartbeat.healthy(t0 + seconds(660)));
}

TEST(HeartbeatTest, APollPastItsBudgetIsHung) {
  Heartbeat heartbeat(kTimeout, seconds(60));
  const TimePoint t0{};
  heartbeat.poll_started(t0, "stuck-site", seconds(90));
  EXPECT_TRUE(heartbeat.healthy(t0 + seconds(150)));
  const auto why = heartbeat.stalled(t0 + seconds(151));
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("stuck-site"), std::string::npos) << *why;
  EXPECT_NE(why->find("budget of 90 s"), std::string::npos) << *why;
}

TEST(HeartbeatTest, AFinishedPollBringsBackTheIdleRule) {
  Heartbeat heartbeat(kTimeout, seconds(60));
  const TimePoint t0{};
  heartbeat.poll_started(t0, "a", seconds(600));
  heartbeat.poll_finished(t0 + seconds(500));
  EXPECT_TRUE(heartbeat.healthy(t0 + seconds(560)));
  EXPECT_FALSE(heartbeat.healthy(t0 + seconds(561)));
}

TEST(PollBudgetTest, CoversEveryRequestAPollMayMake) {
  HeraldConfig config;
  config.min_delay = seconds(5);
  SourceConfig source;
  source.fetch.timeout = seconds(30);
  // robots.txt and the page, each after the host's delay, plus 60 s for the database.
  EXPECT_EQ(poll_budget(source, config), seconds(2 * (5 + 30) + 60));
  source.fetch.min_delay = seconds(10);
  EXPECT_EQ(poll_budget(source, config), seconds(2 * (10 + 30) + 60));

  ArticleRules article;
  article.max_per_poll = 20;
  article.timeout = seconds(20);
  source.article = article;
  EXPECT_EQ(poll_budget(source, config), seconds(2 * (10 + 30) + 20 * 2 * (10 + 20) + 60));
}

// The pinger on a fake notifier and a clock the test moves.
class PingerTest : public ::testing::Test {
 protected:
  Heartbeat heartbeat_{std::chrono::microseconds(2'000'000), seconds(5)};
  TimePoint now_{};
  std::vector<std::string> sent_;
  WatchdogPinger pinger_{heartbeat_, [this](const char* state) { sent_.emplace_back(state); },
                         [this] { return now_; }};
};

TEST_F(PingerTest, PingsOnlyWhileTheLoopMakesProgress) {
  heartbeat_.beat(now_);
  EXPECT_TRUE(pinger_.tick());
  now_ += milliseconds(900);
  EXPECT_TRUE(pinger_.tick());
  // The loop hangs outside any poll: after half the timeout, no more pings.
  now_ += milliseconds(200);
  EXPECT_FALSE(pinger_.tick());
  now_ += seconds(10);
  EXPECT_FALSE(pinger_.tick());
  EXPECT_EQ(sent_, (std::vector<std::string>{"WATCHDOG=1", "WATCHDOG=1"}));
  // It recovers.
  heartbeat_.beat(now_);
  EXPECT_TRUE(pinger_.tick());
  EXPECT_EQ(sent_.size(), 3u);
}

TEST_F(PingerTest, AHungPollStopsThePings) {
  heartbeat_.poll_started(now_, "hung", seconds(10));
  int pings = 0;
  for (int i = 0; i < 30; ++i) {  // 30 s in 1 s steps
    pings += pinger_.tick() ? 1 : 0;
    now_ += seconds(1);
  }
  // Budget 10 s + margin 5 s: pinged for t = 0..15, then silence until systemd acts.
  EXPECT_EQ(pings, 16);
  EXPECT_EQ(static_cast<int>(sent_.size()), 16);
}

TEST(WatchdogPingerThreadTest, TheThreadPingsAndStopsWhenDestroyed) {
  Heartbeat heartbeat(std::chrono::microseconds(20'000));  // 10 ms pings
  heartbeat.beat(std::chrono::steady_clock::now());
  std::mutex mutex;
  std::condition_variable pinged;
  int pings = 0;
  {
    // The loop "beats" on every look, so it stays healthy however slow the machine.
    WatchdogPinger pinger(
        heartbeat,
        [&](const char*) {
          std::lock_guard lock(mutex);
          ++pings;
          pinged.notify_all();
        },
        [&heartbeat] {
          const auto now = std::chrono::steady_clock::now();
          heartbeat.beat(now);
          return now;
        });
    pinger.start();
    std::unique_lock lock(mutex);
    EXPECT_TRUE(pinged.wait_for(lock, seconds(30), [&] { return pings >= 3; }));
  }
  const int after_stop = pings;
  EXPECT_GE(after_stop, 3);
}

}  // namespace
}  // namespace herald
