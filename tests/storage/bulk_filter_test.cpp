// Bulk accept/reject by filter (Store::decide_matching) and the month's order
// (Store::place_in_order).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/store.h"
#include "tests/storage/memory_store.h"

namespace herald {
namespace {

Item candidate_item(const std::string& source, const std::string& key, const std::string& title) {
  Item item;
  item.source_id = source;
  item.title = title;
  item.url = "https://" + source + ".example/" + key;
  item.url_key = item.url;
  item.published_at = 1'699'000'000;
  item.score = 1.0;
  item.candidate = true;
  return item;
}

class BulkFilterTest : public testing::MemoryStoreTest {
 protected:
  void SetUp() override {
    MemoryStoreTest::SetUp();
    PollRecord a{.source_id = "openai", .started_at = 1'699'000'100, .outcome = "ok"};
    for (int i = 0; i < 4; ++i) {
      a.items.push_back(candidate_item("openai", std::to_string(i), "OpenAI news " + std::to_string(i)));
    }
    ASSERT_TRUE(store().commit_poll(a).has_value());
    PollRecord b{.source_id = "gov", .started_at = 1'699'000'100, .outcome = "ok"};
    b.items = {candidate_item("gov", "x", "人工智能办法")};
    ASSERT_TRUE(store().commit_poll(b).has_value());
    ASSERT_TRUE(store().edit_candidate(1, {.state = ReviewState::kAccepted}, "ann", 1'699'000'200));
  }

  std::string state_of(std::int64_t id) {
    return std::string(review_state_name(store().get_candidate(id).value().state));
  }
};

TEST_F(BulkFilterTest, DecidesEveryMatchingPendingCardAndAuditsEach) {
  QueueQuery query;
  query.source_id = "openai";
  query.limit = 1;  // ignored: every page
  query.state = ReviewState::kAccepted;  // ignored: pending only
  auto count = store().count_matching_pending(query);
  ASSERT_TRUE(count.has_value());
  EXPECT_EQ(*count, 3);

  auto done = store().decide_matching(query, ReviewState::kRejected, "flood", "bob", 1'699'100'000, 3);
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_FALSE(done->count_changed);
  EXPECT_EQ(done->cards, 3);
  EXPECT_EQ(done->decided, 3);
  EXPECT_EQ(state_of(1), "accepted");  // decided before: kept
  for (std::int64_t id : {2, 3, 4}) {
    EXPECT_EQ(state_of(id), "rejected");
    auto audit = store().audit_for(id);
    ASSERT_TRUE(audit.has_value());
    ASSERT_EQ(audit->size(), 1u);
    EXPECT_EQ((*audit)[0].action, "reject");
    EXPECT_EQ((*audit)[0].actor, "bob");
    EXPECT_EQ((*audit)[0].detail, "bulk, by filter: flood");
  }
  EXPECT_EQ(state_of(5), "pending");  // another source
}

TEST_F(BulkFilterTest, AChangedCountDecidesNothing) {
  QueueQuery query;
  query.source_id = "openai";
  auto done = store().decide_matching(query, ReviewState::kRejected, "", "bob", 1'699'100'000, 2);
  ASSERT_TRUE(done.has_value());
  EXPECT_TRUE(done->count_changed);
  EXPECT_EQ(done->cards, 3);
  EXPECT_EQ(done->decided, 0);
  for (std::int64_t id : {2, 3, 4}) {
    EXPECT_EQ(state_of(id), "pending");
  }
}

TEST_F(BulkFilterTest, TextFilterAndPendingIsNotADecision) {
  QueueQuery query;
  query.text = "人工智能";
  auto done = store().decide_matching(query, ReviewState::kAccepted, "", "bob", 1'699'100'000,
                                      std::nullopt);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->decided, 1);
  EXPECT_EQ(state_of(5), "accepted");
  EXPECT_FALSE(store().decide_matching(query, ReviewState::kPending, "", "bob", 1, std::nullopt));
}

TEST_F(BulkFilterTest, PlaceInOrderNumbersTheSectionAndAuditsChanges) {
  ASSERT_TRUE(store().place_in_order({3, 2, 4}, "ann", 1'699'100'000));
  EXPECT_EQ(store().get_candidate(3).value().position, 1);
  EXPECT_EQ(store().get_candidate(2).value().position, 2);
  EXPECT_EQ(store().get_candidate(4).value().position, 3);
  ASSERT_TRUE(store().place_in_order({3, 4, 2}, "ann", 1'699'100'001));
  EXPECT_EQ(store().audit_for(3).value().size(), 1u);  // unchanged: not audited again
  EXPECT_EQ(store().audit_for(4).value().back().detail, "2");
  auto missing = store().place_in_order({2, 999}, "ann", 1);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().get_candidate(2).value().position, 3);  // rolled back with it
}

}  // namespace
}  // namespace herald
