// Issue 15: the first poll of a new source does not flood the queue with its archive, and
// the stored link is the clean one with the original kept.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/store.h"
#include "tests/storage/memory_store.h"

namespace herald {
namespace {

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kNow = 1'700'000'000;

Item candidate(const std::string& key, std::optional<std::int64_t> published_at) {
  Item item;
  item.source_id = "openai-news";
  item.title = "OpenAI announces " + key;
  item.url = "https://openai.com/index/" + key + "/";
  item.url_key = "openai.com/index/" + key + "/";
  item.published_at = published_at;
  item.fingerprint = "fp-" + key;
  item.score = 1.0;
  item.candidate = true;  // as an always_candidate source marks every item
  return item;
}

PollRecord poll_at(std::int64_t started_at, std::vector<Item> items, bool window = true) {
  PollRecord poll;
  poll.source_id = "openai-news";
  poll.started_at = started_at;
  poll.outcome = "ok";
  poll.http_status = 200;
  poll.items = std::move(items);
  if (window) {
    poll.backfill_cutoff = started_at - 30 * kDay;
  }
  return poll;
}

class BackfillTest : public testing::MemoryStoreTest {
 protected:
  std::int64_t count(const std::string& sql) {
    auto stmt = store().database().prepare(sql);
    EXPECT_TRUE(stmt.has_value()) << stmt.error().message;
    auto row = stmt->step();
    EXPECT_TRUE(row.has_value() && *row);
    return stmt->column_int64(0);
  }
};

TEST_F(BackfillTest, FirstPollStoresOldItemsButQueuesOnlyRecentAndUndatedOnes) {
  auto summary = store().commit_poll(poll_at(
      kNow, {candidate("new", kNow - 2 * kDay), candidate("old", kNow - 400 * kDay),
             candidate("edge", kNow - 31 * kDay), candidate("undated", std::nullopt)}));
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_TRUE(summary->first_poll);
  EXPECT_EQ(summary->items_new, 4);
  EXPECT_EQ(summary->candidates_new, 2);
  EXPECT_EQ(summary->candidates_too_old, 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM items"), 4);
  EXPECT_EQ(count("SELECT COUNT(*) FROM candidates c JOIN items i ON i.id = c.item_id"
                  " WHERE i.url_key IN ('openai.com/index/new/', 'openai.com/index/undated/')"),
            2);
}

TEST_F(BackfillTest, OnlyTheFirstSuccessfulPollAppliesTheWindow) {
  // A failed poll before does not count as the first one.
  PollRecord failed;
  failed.source_id = "openai-news";
  failed.started_at = kNow - kDay;
  failed.outcome = "timeout";
  failed.error = "timed out";
  ASSERT_TRUE(store().commit_poll(failed).has_value());

  auto first = store().commit_poll(poll_at(kNow, {candidate("old", kNow - 400 * kDay)}));
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->first_poll);
  EXPECT_EQ(first->candidates_new, 0);

  // Later an item with an old date appears (a late-listed document): it is new to the
  // editors, so it is queued.
  auto second = store().commit_poll(
      poll_at(kNow + kDay, {candidate("old", kNow - 400 * kDay),
                            candidate("late", kNow - 200 * kDay)}));
  ASSERT_TRUE(second.has_value());
  EXPECT_FALSE(second->first_poll);
  EXPECT_EQ(second->items_new, 1);
  EXPECT_EQ(second->candidates_new, 1);
  EXPECT_EQ(second->candidates_too_old, 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM candidates"), 1);
}

TEST_F(BackfillTest, WithoutAWindowTheFirstPollQueuesEverything) {
  auto summary =
      store().commit_poll(poll_at(kNow, {candidate("old", kNow - 400 * kDay)}, false));
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(summary->candidates_new, 1);
}

TEST_F(BackfillTest, TheCleanLinkIsStoredAndTheOriginalKept) {
  Item tracked = candidate("tracked", kNow);
  tracked.original_url = "https://openai.com/index/tracked/?utm_source=rss#x";
  Item plain = candidate("plain", kNow);
  ASSERT_TRUE(store().commit_poll(poll_at(kNow, {tracked, plain})).has_value());

  auto stmt = store().database().prepare(
      "SELECT url, COALESCE(original_url, '<null>') FROM items ORDER BY id");
  ASSERT_TRUE(stmt.has_value());
  ASSERT_TRUE(*stmt->step());
  EXPECT_EQ(stmt->column_text(0), "https://openai.com/index/tracked/");
  EXPECT_EQ(stmt->column_text(1), "https://openai.com/index/tracked/?utm_source=rss#x");
  ASSERT_TRUE(*stmt->step());
  EXPECT_EQ(stmt->column_text(0), "https://openai.com/index/plain/");
  EXPECT_EQ(stmt->column_text(1), "<null>");
}

}  // namespace
}  // namespace herald
