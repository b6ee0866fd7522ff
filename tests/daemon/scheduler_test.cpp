#include "daemon/scheduler.h"

#include <vector>

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

TEST(SchedulerTest, RetryableFailuresBackOffExponentiallyUpToTheCap) {
  const TimePoint t0{};
  Scheduler scheduler({{"a", minutes(30)}}, t0, 0.0, seconds(0), 1, hours(6));
  const Scheduler::Outcome failed = Scheduler::Outcome::failure(true);
  std::vector<std::chrono::milliseconds> gaps;
  for (int i = 0; i < 7; ++i) {
    scheduler.completed(0, t0, failed);
    gaps.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(scheduler.next()->at - t0));
  }
  EXPECT_EQ(gaps, (std::vector<std::chrono::milliseconds>{minutes(30), hours(1), hours(2),
                                                          hours(4), hours(6), hours(6),
                                                          hours(6)}));
  EXPECT_EQ(scheduler.consecutive_failures(0), 7);

  // The first success goes back to the interval.
  scheduler.completed(0, t0, Scheduler::Outcome::success());
  EXPECT_EQ(scheduler.next()->at, t0 + minutes(30));
  EXPECT_EQ(scheduler.consecutive_failures(0), 0);
}

TEST(SchedulerTest, BackoffNeverComesSoonerThanTheInterval) {
  const TimePoint t0{};
  Scheduler scheduler({{"daily", hours(24)}}, t0, 0.0, seconds(0), 1, hours(6));
  for (int i = 0; i < 3; ++i) {
    scheduler.completed(0, t0, Scheduler::Outcome::failure(true));
    EXPECT_EQ(scheduler.next()->at, t0 + hours(24));
  }
}

TEST(SchedulerTest, LongFailureStreaksStayAtTheCap) {
  const TimePoint t0{};
  Scheduler scheduler({{"a", hours(1)}}, t0, 0.0, seconds(0), 1, hours(6));
  for (int i = 0; i < 200; ++i) {
    scheduler.completed(0, t0, Scheduler::Outcome::failure(true));
  }
  EXPECT_EQ(scheduler.next()->at, t0 + hours(6));
}

TEST(SchedulerTest, NonRetryableFailureKeepsTheInterval) {
  const TimePoint t0{};
  Scheduler scheduler({{"a", hours(1)}}, t0, 0.0, seconds(0), 1);
  scheduler.completed(0, t0, Scheduler::Outcome::failure(true));
  scheduler.completed(0, t0, Scheduler::Outcome::failure(true));
  scheduler.completed(0, t0, Scheduler::Outcome::failure(false));
  EXPECT_EQ(scheduler.consecutive_failures(0), 2);
  EXPECT_EQ(scheduler.next()->at, t0 + hours(2));
}

TEST(SchedulerTest, RateLimitedRunWaitsUntilTheSiteSaid) {
  const TimePoint t0{};
  Scheduler scheduler({{"a", minutes(10)}}, t0, 0.0, seconds(0), 1);
  scheduler.completed(0, t0, Scheduler::Outcome::rate_limited(t0 + hours(3)));
  EXPECT_EQ(scheduler.next()->at, t0 + hours(3));
  // A Retry-After shorter than the backoff does not bring the source forward.
  scheduler.completed(0, t0, Scheduler::Outcome::rate_limited(t0 + seconds(1)));
  EXPECT_EQ(scheduler.next()->at, t0 + minutes(20));
  EXPECT_EQ(scheduler.consecutive_failures(0), 2);
}

TEST(SchedulerTest, BackoffIsJittered) {
  const TimePoint t0{};
  Scheduler scheduler({{"a", hours(1)}}, t0, 0.1, seconds(0), 3);
  scheduler.completed(0, t0, Scheduler::Outcome::failure(true));
  bool varied = false;
  TimePoint previous{};
  for (int i = 0; i < 20; ++i) {
    // Reset to exactly two failures each round: the base is 2 h.
    scheduler.completed(0, t0, Scheduler::Outcome::success());
    scheduler.completed(0, t0, Scheduler::Outcome::failure(true));
    scheduler.completed(0, t0, Scheduler::Outcome::failure(true));
    const TimePoint at = scheduler.next()->at;
    EXPECT_GE(at, t0 + minutes(108));
    EXPECT_LE(at, t0 + minutes(132));
    varied = varied || (i > 0 && at != previous);
    previous = at;
  }
  EXPECT_TRUE(varied);
}

TEST(SchedulerTest, FailingSourceDoesNotDelayOthers) {
  const TimePoint t0{};
  Scheduler scheduler({{"broken", minutes(10)}, {"fine", minutes(10)}}, t0, 0.0, seconds(0), 1);
  TimePoint now = t0;
  int fine_runs = 0;
  int broken_runs = 0;
  while (true) {
    const auto due = scheduler.next();
    if (due->at > t0 + hours(2)) break;
    now = due->at;
    if (due->index == 0) {
      ++broken_runs;
      scheduler.completed(0, now, Scheduler::Outcome::failure(true));
    } else {
      ++fine_runs;
      scheduler.completed(1, now);
    }
  }
  EXPECT_EQ(fine_runs, 13);    // t0, +10 min, ..., +120 min
  EXPECT_EQ(broken_runs, 4);   // t0, +10, +30, +70 min (the next, +150, is past two hours)
}

// Reload (issue 7): replace() keeps the schedule of what did not change.
TEST(SchedulerReplaceTest, UnchangedSourcesKeepTheirDueTimeAndFailures) {
  const TimePoint t0{};
  Scheduler scheduler({{"a", hours(1)}, {"b", hours(2)}}, t0, 0.0, seconds(0), 1);
  scheduler.completed(0, t0, Scheduler::Outcome::failure(true));
  scheduler.completed(0, t0, Scheduler::Outcome::failure(true));  // a: due t0 + 2 h
  scheduler.completed(1, t0 + minutes(5));                        // b: due t0 + 2 h 5 min
  const auto replaced =
      scheduler.replace({{"b", hours(2)}, {"a", hours(1)}}, t0 + minutes(30), seconds(30));
  EXPECT_EQ(replaced.kept, 2);
  EXPECT_EQ(replaced.added + replaced.removed + replaced.restarted, 0);
  ASSERT_EQ(scheduler.size(), 2u);
  EXPECT_EQ(scheduler.entry(0).source_id, "b");
  EXPECT_EQ(scheduler.entry(1).source_id, "a");
  EXPECT_EQ(scheduler.consecutive_failures(1), 2);
  EXPECT_EQ(scheduler.consecutive_failures(0), 0);
  const auto due = scheduler.next();
  ASSERT_TRUE(due.has_value());
  EXPECT_EQ(due->index, 1u);
  EXPECT_EQ(due->at, t0 + hours(2));
  scheduler.completed(1, due->at);
  EXPECT_EQ(scheduler.next()->index, 0u);
  EXPECT_EQ(scheduler.next()->at, t0 + hours(2) + minutes(5));
}

TEST(SchedulerReplaceTest, AddedSourcesAreSpreadFromNowAndRemovedOnesStop) {
  const TimePoint t0{};
  Scheduler scheduler({{"a", hours(1)}, {"gone", minutes(10)}}, t0, 0.0, seconds(0), 1);
  scheduler.completed(0, t0);
  scheduler.completed(1, t0);
  const TimePoint now = t0 + minutes(3);
  const auto replaced = scheduler.replace({{"a", hours(1)}, {"new1", hours(1)}, {"new2", hours(1)}},
                                          now, seconds(30));
  EXPECT_EQ(replaced.added, 2);
  EXPECT_EQ(replaced.removed, 1);
  EXPECT_EQ(replaced.kept, 1);
  // Over the next two hours: new1 and new2 start right away (30 s apart at most), a keeps
  // its hour, "gone" never runs again.
  std::vector<std::pair<std::string, TimePoint>> runs;
  while (true) {
    const auto due = scheduler.next();
    ASSERT_TRUE(due.has_value());
    if (due->at > t0 + hours(2)) break;
    runs.emplace_back(scheduler.entry(due->index).source_id, due->at);
    scheduler.completed(due->index, due->at);
  }
  ASSERT_GE(runs.size(), 3u);
  EXPECT_EQ(runs[0], std::make_pair(std::string("new1"), now));
  EXPECT_EQ(runs[1], std::make_pair(std::string("new2"), now + seconds(15)));
  EXPECT_EQ(runs[2], std::make_pair(std::string("a"), t0 + hours(1)));
  for (const auto& [id, at] : runs) {
    EXPECT_NE(id, "gone");
  }
}

TEST(SchedulerReplaceTest, RestartedSourcesStartAfreshWithoutTheirFailures) {
  const TimePoint t0{};
  Scheduler scheduler({{"fixed", hours(1)}}, t0, 0.0, seconds(0), 1);
  for (int i = 0; i < 4; ++i) {
    scheduler.completed(0, t0, Scheduler::Outcome::failure(true));  // due t0 + 6 h
  }
  const auto replaced =
      scheduler.replace({{"fixed", hours(1)}}, t0 + minutes(1), seconds(30), {"fixed"});
  EXPECT_EQ(replaced.restarted, 1);
  EXPECT_EQ(replaced.kept, 0);
  EXPECT_EQ(scheduler.consecutive_failures(0), 0);
  EXPECT_EQ(scheduler.next()->at, t0 + minutes(1));
}

TEST(SchedulerReplaceTest, AShorterIntervalDoesNotWaitOutTheOldOne) {
  const TimePoint t0{};
  Scheduler scheduler({{"a", hours(24)}, {"b", hours(1)}}, t0, 0.0, seconds(0), 1);
  scheduler.completed(0, t0);  // due t0 + 24 h
  scheduler.completed(1, t0);  // due t0 + 1 h
  scheduler.replace({{"a", hours(2)}, {"b", hours(6)}}, t0 + minutes(10), seconds(30));
  // a: min(24 h, now + 2 h); b: a longer interval leaves the nearer due time alone.
  const auto first = scheduler.next();
  EXPECT_EQ(scheduler.entry(first->index).source_id, "b");
  EXPECT_EQ(first->at, t0 + hours(1));
  scheduler.completed(first->index, first->at);
  const auto second = scheduler.next();
  EXPECT_EQ(scheduler.entry(second->index).source_id, "a");
  EXPECT_EQ(second->at, t0 + minutes(10) + hours(2));
}

TEST(SchedulerReplaceTest, ReplacingWithNothingLeavesNothingDue) {
  Scheduler scheduler({{"a", hours(1)}}, TimePoint{}, 0.0, seconds(0), 1);
  const auto replaced = scheduler.replace({}, TimePoint{} + minutes(1), seconds(30));
  EXPECT_EQ(replaced.removed, 1);
  EXPECT_FALSE(scheduler.next().has_value());
  scheduler.replace({{"a", hours(1)}}, TimePoint{} + minutes(2), seconds(30));
  EXPECT_EQ(scheduler.next()->at, TimePoint{} + minutes(2));
}

}  // namespace
}  // namespace herald
