// The scheduler respects each source's last poll from the database: a restart does not poll
// again what was polled minutes ago, a failing source keeps backing off, and a source that
// was never polled (or is overdue) is due at once.

#include "daemon/scheduler.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace herald {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using TimePoint = Scheduler::TimePoint;
using Entry = Scheduler::Entry;

Entry polled(const char* id, std::chrono::seconds interval, std::chrono::seconds age,
             int failures = 0) {
  return Entry{.source_id = id, .interval = interval, .last_poll_age = age, .failures = failures};
}

TEST(SchedulerHistoryTest, ASourcePolledMinutesAgoWaitsOutItsInterval) {
  const TimePoint t0{};
  Scheduler scheduler({polled("recent", hours(1), minutes(10)), {"never", hours(1)}}, t0, 0.0,
                      seconds(30), 1);
  auto due = scheduler.next();
  ASSERT_TRUE(due.has_value());
  EXPECT_EQ(scheduler.entry(due->index).source_id, "never");
  EXPECT_EQ(due->at, t0);  // the only source due now: no spread to wait out
  scheduler.completed(due->index, t0);

  due = scheduler.next();
  ASSERT_TRUE(due.has_value());
  EXPECT_EQ(scheduler.entry(due->index).source_id, "recent");
  EXPECT_EQ(due->at, t0 + minutes(50));  // one hour after its last poll began
  EXPECT_EQ(scheduler.consecutive_failures(due->index), 0);
}

TEST(SchedulerHistoryTest, OverdueAndNeverPolledSourcesAreSpreadFromNow) {
  const TimePoint t0{};
  Scheduler scheduler({polled("overdue", hours(1), hours(3)), {"never", hours(1)},
                       polled("fresh", hours(1), minutes(1))},
                      t0, 0.0, seconds(30), 1);
  // Two due now, spread over 30 s in order; the one polled a minute ago waits.
  std::vector<std::pair<std::string, TimePoint>> order;
  for (int i = 0; i < 3; ++i) {
    const auto due = scheduler.next();
    ASSERT_TRUE(due.has_value());
    order.emplace_back(scheduler.entry(due->index).source_id, due->at);
    scheduler.completed(due->index, due->at + hours(24));  // out of the way
  }
  EXPECT_EQ(order[0], std::make_pair(std::string("overdue"), t0));
  EXPECT_EQ(order[1], std::make_pair(std::string("never"), t0 + seconds(15)));
  EXPECT_EQ(order[2], std::make_pair(std::string("fresh"), t0 + minutes(59)));
}

TEST(SchedulerHistoryTest, AFailureStreakFromTheDatabaseKeepsBackingOff) {
  const TimePoint t0{};
  // Three retryable failures in a row, the last ten minutes ago: it would have been due
  // 1 h x 2^2 = 4 h after that poll.
  Scheduler scheduler({polled("broken", hours(1), minutes(10), 3)}, t0, 0.0, seconds(30), 1);
  ASSERT_EQ(scheduler.next()->at, t0 - minutes(10) + hours(4));
  EXPECT_EQ(scheduler.consecutive_failures(0), 3);

  // The streak goes on from there: one more failure doubles it again.
  scheduler.completed(0, t0 + hours(4), Scheduler::Outcome::failure(true));
  EXPECT_EQ(scheduler.next()->at, t0 + hours(4) + hours(6));  // 8 h, capped at 6 h
}

TEST(SchedulerHistoryTest, AnOverdueFailingSourceIsDueAtOnceAndKeepsItsStreak) {
  const TimePoint t0{};
  Scheduler scheduler({polled("broken", hours(1), hours(5), 2)}, t0, 0.0, seconds(30), 1);
  EXPECT_EQ(scheduler.next()->at, t0);
  scheduler.completed(0, t0, Scheduler::Outcome::failure(true));
  EXPECT_EQ(scheduler.next()->at, t0 + hours(4));  // third failure in a row: 1 h x 2^2
}

TEST(SchedulerHistoryTest, TheRestoredDueTimeIsJittered) {
  const TimePoint t0{};
  bool varied = false;
  std::optional<TimePoint> first;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Scheduler scheduler({polled("recent", hours(1), minutes(10))}, t0, 0.1, seconds(30), seed);
    const TimePoint at = scheduler.next()->at;
    EXPECT_GE(at, t0 - minutes(10) + minutes(54));
    EXPECT_LE(at, t0 - minutes(10) + minutes(66));
    varied = varied || (first && *first != at);
    first = at;
  }
  EXPECT_TRUE(varied);
}

TEST(SchedulerHistoryTest, ReloadRespectsTheLastPollOfAddedSourcesButNotOfRestartedOnes) {
  const TimePoint t0{};
  Scheduler scheduler({{"kept", hours(1)}, {"changed", hours(1)}}, t0, 0.0, seconds(0), 1);
  scheduler.completed(0, t0);
  scheduler.completed(1, t0);

  const TimePoint t1 = t0 + minutes(20);
  const auto replaced = scheduler.replace(
      {{"kept", hours(1)}, polled("changed", hours(1), minutes(20)),
       polled("added", hours(1), minutes(5))},
      t1, seconds(0), {"changed"});
  EXPECT_EQ(replaced.added, 1);
  EXPECT_EQ(replaced.restarted, 1);
  EXPECT_EQ(replaced.kept, 1);

  std::map<std::string, TimePoint> due;
  for (int i = 0; i < 3; ++i) {
    const auto next = scheduler.next();
    ASSERT_TRUE(next.has_value());
    due[scheduler.entry(next->index).source_id] = next->at;
    scheduler.completed(next->index, next->at + hours(24));
  }
  EXPECT_EQ(due["kept"], t0 + hours(1));                // its place, as before the reload
  EXPECT_EQ(due["changed"], t1);                        // a new configuration: polled now
  EXPECT_EQ(due["added"], t1 - minutes(5) + hours(1));  // polled before: its interval
}

}  // namespace
}  // namespace herald
