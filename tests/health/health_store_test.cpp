// Source health judged from synthetic poll and item histories written through the real
// Store (commit_poll at chosen times): failures, layout change, silence, and what a
// configured source's mode does to the verdict.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "storage/store.h"
#include "tests/health/history.h"
#include "tests/support/fixtures.h"

namespace herald::testing {
namespace {

using ::testing::HasSubstr;

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kT0 = 1'700'000'000;  // 2023-11-14

class HealthStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::open(dir_.path() / "herald.db");
    ASSERT_TRUE(store.has_value()) << store.error().message;
    store_.emplace(std::move(*store));
  }

  // One poll of `source` at `at`: `fresh` new items, plus, with `repeat`, the source's
  // newest item again (seen, not new), with `outcome`.
  void poll(const std::string& source, std::int64_t at, int fresh, const std::string& outcome = "ok",
            int repeat = 0) {
    PollRecord record = history_poll({.source = source, .at = at, .outcome = outcome,
                                      .new_items = fresh, .duration_ms = 120});
    if (!record.items.empty()) {
      newest_[source] = record.items.back();
    }
    for (int i = 0; i < repeat && newest_.contains(source); ++i) {
      record.items.push_back(newest_[source]);
    }
    commit_history(*store_, record);
  }

  SourceHealth health(const std::string& source, std::int64_t now) {
    auto all = store_->source_health(now);
    EXPECT_TRUE(all.has_value()) << all.error().message;
    if (all) {
      for (const SourceHealth& h : *all) {
        if (h.source_id == source) {
          return h;
        }
      }
    }
    ADD_FAILURE() << "no health row for " << source;
    return {};
  }

  // New items every `gap` seconds, `count` times from `start`, polled only then.
  void cadence(const std::string& source, std::int64_t start, std::int64_t gap, int count) {
    for (int i = 0; i < count; ++i) {
      poll(source, start + i * gap, 1);
    }
  }

  TempDir dir_;
  std::optional<Store> store_;
  std::map<std::string, Item> newest_;
};

TEST_F(HealthStoreTest, FailingFromTheThirdFailedPollInARowUntilASuccess) {
  poll("gov", kT0, 2);
  poll("gov", kT0 + kHour, 0, "http_5xx");
  poll("gov", kT0 + 2 * kHour, 0, "timeout");
  SourceHealth two = health("gov", kT0 + 2 * kHour);
  EXPECT_EQ(two.state, HealthState::kOk);
  EXPECT_EQ(two.reason, "2 failed polls in a row (last: timeout); unhealthy at 3");

  poll("gov", kT0 + 3 * kHour, 0, "http_5xx");
  SourceHealth three = health("gov", kT0 + 3 * kHour + 30 * 60);
  EXPECT_EQ(three.state, HealthState::kFailing);
  EXPECT_EQ(three.reason, "3 failed polls in a row (last: http_5xx); last success 4 hours ago");
  EXPECT_TRUE(is_unhealthy(three.state));

  poll("gov", kT0 + 4 * kHour, 0, "not_modified");
  EXPECT_EQ(health("gov", kT0 + 4 * kHour).state, HealthState::kOk);
}

TEST_F(HealthStoreTest, FailingSaysWhenASourceNeverSucceeded) {
  for (int i = 0; i < 4; ++i) {
    poll("new", kT0 + i * kHour, 0, "dns");
  }
  const SourceHealth h = health("new", kT0 + 4 * kHour);
  EXPECT_EQ(h.state, HealthState::kFailing);
  EXPECT_THAT(h.reason, HasSubstr("4 failed polls in a row (last: dns); last success never"));
}

TEST_F(HealthStoreTest, LayoutChangedWhenAPageThatUsedToMatchMatchesNothing) {
  poll("gov", kT0, 3);
  poll("gov", kT0 + kHour, 0, "ok", 1);  // seen again: still matching
  EXPECT_EQ(health("gov", kT0 + kHour).state, HealthState::kOk);

  poll("gov", kT0 + 2 * kHour, 0, "no_match");
  SourceHealth changed = health("gov", kT0 + 2 * kHour);
  EXPECT_TRUE(changed.matched_nothing);
  EXPECT_TRUE(changed.matched_before);
  EXPECT_EQ(changed.state, HealthState::kLayoutChanged);
  EXPECT_THAT(changed.reason, HasSubstr("layout probably changed"));

  // A 304 says the page is still the one that matched nothing.
  poll("gov", kT0 + 3 * kHour, 0, "not_modified");
  EXPECT_EQ(health("gov", kT0 + 3 * kHour).state, HealthState::kLayoutChanged);
  // More empty pages are still a layout change, not "failing": the more useful name.
  poll("gov", kT0 + 4 * kHour, 0, "no_match");
  poll("gov", kT0 + 5 * kHour, 0, "no_match");
  poll("gov", kT0 + 6 * kHour, 0, "no_match");
  SourceHealth still = health("gov", kT0 + 6 * kHour);
  EXPECT_EQ(still.consecutive_failures, 3);
  EXPECT_EQ(still.state, HealthState::kLayoutChanged);

  // The site then fails outright: that is what matters now.
  for (int i = 7; i < 10; ++i) {
    poll("gov", kT0 + i * kHour, 0, "http_5xx");
  }
  EXPECT_EQ(health("gov", kT0 + 10 * kHour).state, HealthState::kFailing);

  // Fixed selectors: items again.
  poll("gov", kT0 + 11 * kHour, 1);
  EXPECT_EQ(health("gov", kT0 + 11 * kHour).state, HealthState::kOk);
}

TEST_F(HealthStoreTest, AnEmptyPageOnASourceThatNeverMatchedIsNoLayoutChange) {
  poll("fresh", kT0, 0, "no_match");
  SourceHealth once = health("fresh", kT0);
  EXPECT_TRUE(once.matched_nothing);
  EXPECT_FALSE(once.matched_before);
  EXPECT_EQ(once.state, HealthState::kOk);  // one failure so far; its selectors never worked
  poll("fresh", kT0 + kHour, 0, "no_match");
  poll("fresh", kT0 + 2 * kHour, 0, "no_match");
  EXPECT_EQ(health("fresh", kT0 + 2 * kHour).state, HealthState::kFailing);
}

TEST_F(HealthStoreTest, SilentAfterThreeTimesTheUsualGapWithoutANewItem) {
  // A new item every 4 days for 40 days: 10 gaps of 4 days.
  cadence("court", kT0, 4 * kDay, 11);
  const std::int64_t last_item = kT0 + 40 * kDay;
  SourceHealth fresh = health("court", last_item);
  EXPECT_EQ(fresh.usual_gap, 4 * kDay);
  EXPECT_EQ(fresh.cadence_gaps, 10);
  EXPECT_EQ(fresh.state, HealthState::kOk);
  EXPECT_THAT(fresh.reason, HasSubstr("usually one every 4 days"));

  // Daily polls, nothing new. 11 days is within 3 x 4 days ...
  for (int day = 1; day <= 11; ++day) {
    poll("court", last_item + day * kDay, 0, "ok", 1);
  }
  EXPECT_EQ(health("court", last_item + 11 * kDay).state, HealthState::kOk);
  // ... 13 days is not.
  poll("court", last_item + 12 * kDay, 0, "not_modified");
  poll("court", last_item + 13 * kDay, 0, "ok", 1);
  EXPECT_EQ(health("court", last_item + 13 * kDay).state, HealthState::kSilent);
  for (int day = 14; day <= 19; ++day) {
    poll("court", last_item + day * kDay, 0, "not_modified");
  }
  const SourceHealth silent = health("court", last_item + 19 * kDay + kHour);
  EXPECT_EQ(silent.state, HealthState::kSilent);
  EXPECT_EQ(silent.reason, "no new item for 19 days; usually one every 4 days");

  poll("court", last_item + 20 * kDay, 1);
  EXPECT_EQ(health("court", last_item + 20 * kDay).state, HealthState::kOk);
}

TEST_F(HealthStoreTest, SilenceIsNotJudgedWithFewerThanFiveGaps) {
  cadence("rare", kT0, 2 * kDay, 5);  // 4 gaps
  poll("rare", kT0 + 100 * kDay, 0, "not_modified");
  const SourceHealth h = health("rare", kT0 + 100 * kDay);
  EXPECT_EQ(h.cadence_gaps, 4);
  EXPECT_EQ(h.usual_gap, std::nullopt);
  EXPECT_EQ(h.state, HealthState::kOk);
}

TEST_F(HealthStoreTest, FrequentSourcesAreNotSilentAfterAQuietWeekend) {
  cadence("news", kT0, 6 * kHour, 41);  // every 6 hours for 10 days
  const std::int64_t last_item = kT0 + 40 * 6 * kHour;
  poll("news", last_item + 2 * kDay + 12 * kHour, 0, "not_modified");
  SourceHealth weekend = health("news", last_item + 2 * kDay + 12 * kHour);
  EXPECT_EQ(weekend.usual_gap, 6 * kHour);
  EXPECT_EQ(weekend.state, HealthState::kOk);  // 3 x 6 hours passed long ago; the floor holds

  poll("news", last_item + 3 * kDay + 12 * kHour, 0, "not_modified");
  const SourceHealth silent = health("news", last_item + 3 * kDay + 12 * kHour);
  EXPECT_EQ(silent.state, HealthState::kSilent);
  EXPECT_EQ(silent.reason, "no new item for 3.5 days; usually one every 6 hours");
}

TEST_F(HealthStoreTest, SilenceEndsAtTheLastSuccessfulPollNotNow) {
  cadence("court", kT0, 4 * kDay, 11);
  const std::int64_t last_item = kT0 + 40 * kDay;
  poll("court", last_item + 2 * kDay, 0, "not_modified");
  // herald was stopped for two months: the source was not silent, nobody looked.
  EXPECT_EQ(health("court", last_item + 60 * kDay).state, HealthState::kOk);
  // Failing polls do not count as looking either.
  poll("court", last_item + 61 * kDay, 0, "timeout");
  EXPECT_EQ(health("court", last_item + 61 * kDay).state, HealthState::kOk);
}

TEST_F(HealthStoreTest, CadenceCountsDistinctTimesInTheNinetyDaysBeforeTheNewestItem) {
  // Years-old daily history must not make today's weekly source look slow or fast.
  cadence("ministry", kT0 - 400 * kDay, kDay, 30);
  // The first poll of a list stores the whole page at one time: one point, not 20.
  poll("ministry", kT0, 20);
  cadence("ministry", kT0 + 7 * kDay, 7 * kDay, 6);  // 6 gaps of a week since
  const std::int64_t last_item = kT0 + 42 * kDay;
  const SourceHealth h = health("ministry", last_item);
  EXPECT_EQ(h.cadence_gaps, 6);
  EXPECT_EQ(h.usual_gap, 7 * kDay);
}

TEST_F(HealthStoreTest, MedianOfAnEvenNumberOfGapsIsTheMeanOfTheMiddleTwo) {
  const std::vector<std::int64_t> times = {0, 1, 3, 6, 10, 15, 21};  // gaps 1..6 days
  for (const std::int64_t t : times) {
    poll("x", kT0 + t * kDay, 1);
  }
  EXPECT_EQ(health("x", kT0 + 21 * kDay).usual_gap, 3 * kDay + kDay / 2);
}

TEST_F(HealthStoreTest, ManualSourcesAreManualWhateverTheirHistory) {
  for (int i = 0; i < 5; ++i) {
    poll("wechat", kT0 + i * kHour, 0, "http_4xx");
  }
  const SourceHealth stored = health("wechat", kT0 + 5 * kHour);
  ASSERT_EQ(stored.state, HealthState::kFailing);

  const SourceHealth manual = configured_health("wechat", &stored, false, "no public list");
  EXPECT_EQ(manual.state, HealthState::kManual);
  EXPECT_EQ(manual.reason, "no public list");
  EXPECT_FALSE(is_unhealthy(manual.state));
  EXPECT_EQ(manual.consecutive_failures, 5);  // the facts stay visible

  const SourceHealth polled = configured_health("wechat", &stored, true, "");
  EXPECT_EQ(polled.state, HealthState::kFailing);

  const SourceHealth never = configured_health("later", nullptr, true, "");
  EXPECT_EQ(never.state, HealthState::kNeverPolled);
  EXPECT_EQ(never.source_id, "later");
  EXPECT_FALSE(is_unhealthy(never.state));
}

TEST(HealthTextTest, StateNamesAndDurations) {
  EXPECT_EQ(health_state_name(HealthState::kLayoutChanged), "layout_changed");
  EXPECT_EQ(health_state_name(HealthState::kNeverPolled), "never_polled");
  EXPECT_EQ(human_duration(0), "0 seconds");
  EXPECT_EQ(human_duration(60), "1 minute");
  EXPECT_EQ(human_duration(90 * 60), "90 minutes");
  EXPECT_EQ(human_duration(36 * kHour), "36 hours");
  EXPECT_EQ(human_duration(2 * kDay), "2 days");
  EXPECT_EQ(human_duration(3 * kDay + 13 * kHour), "3.5 days");
  EXPECT_EQ(human_duration(19 * kDay + 5 * kHour), "19 days");
}

}  // namespace
}  // namespace herald::testing
