#include "daemon/scheduler.h"

#include <gtest/gtest.h>

namespace herald {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using TimePoint = Scheduler::TimePoint;

TEST(SchedulerTest, FirstPollsAreSpreadAndOrdered) {
  const TimePoint t0{};
  Scheduler scheduler({{"a", hours(1)}, {"b", hours(2)}, {"c", minutes(10)}}, t0, 0.0, seconds(30), 1);
  auto due = scheduler.next();
  ASSERT_TRUE(due.has_value());
  EXPECT_EQ(due->index, 0u);
  EXPECT_EQ(due->at, t0);
  scheduler.completed(0, t0);
  due = scheduler.next();
  ASSERT_TRUE(due.has_value());
  EXPECT_EQ(due->index, 1u);
  EXPECT_EQ(due->at, t0 + seconds(10));
}

TEST(SchedulerTest, EachSourceKeepsItsOwnInterval) {
  const TimePoint t0{};
  Scheduler scheduler({{"slow", hours(2)}, {"fast", minutes(10)}}, t0, 0.0, seconds(0), 1);
  scheduler.completed(0, t0);
  scheduler.completed(1, t0);
  // Over two hours "fast" runs every ten minutes, "slow" once at the end.
  int fast_runs = 0;
  TimePoint now = t0;
  while (true) {
    auto due = scheduler.next();
    ASSERT_TRUE(due.has_value());
    if (due->at > t0 + hours(2)) {
      break;
    }
    now = due->at;
    if (scheduler.entry(due->index).source_id == "fast") {
      ++fast_runs;
    }
    scheduler.completed(due->index, now);
  }
  EXPECT_EQ(fast_runs, 12);
}

TEST(SchedulerTest, JitterStaysWithinBounds) {
  const TimePoint t0{};
  Scheduler scheduler({{"a", hours(1)}}, t0, 0.1, seconds(0), 42);
  for (int i = 0; i < 200; ++i) {
    scheduler.completed(0, t0);
    const auto at = scheduler.next()->at;
    EXPECT_GE(at, t0 + minutes(54));
    EXPECT_LE(at, t0 + minutes(66));
  }
}

TEST(SchedulerTest, JitterActuallyVaries) {
  const TimePoint t0{};
  Scheduler scheduler({{"a", hours(1)}}, t0, 0.1, seconds(0), 7);
  scheduler.completed(0, t0);
  const auto first = scheduler.next()->at;
  bool varied = false;
  for (int i = 0; i < 20 && !varied; ++i) {
    scheduler.completed(0, t0);
    varied = scheduler.next()->at != first;
  }
  EXPECT_TRUE(varied);
}

TEST(SchedulerTest, NoSourcesMeansNothingDue) {
  Scheduler scheduler({}, TimePoint{}, 0.1, seconds(30), 1);
  EXPECT_FALSE(scheduler.next().has_value());
}

}  // namespace
}  // namespace herald
