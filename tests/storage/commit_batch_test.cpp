// commit_poll writes a poll's items with one statement (staged in a TEMP table): what the
// item-by-item inserts did must still hold.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "storage/store.h"
#include "tests/storage/memory_store.h"

namespace herald {
namespace {

Item make_item(const std::string& key, bool candidate = true) {
  Item item;
  item.source_id = "src";
  item.title = "人工智能 " + key;
  item.url = "https://example.com/" + key;
  item.url_key = "example.com/" + key;
  item.candidate = candidate;
  return item;
}

PollRecord poll_of(std::int64_t at, std::vector<Item> items,
                   std::vector<std::optional<std::int64_t>> same_story_as = {}) {
  PollRecord poll{.source_id = "src", .started_at = at, .outcome = "ok"};
  poll.items = std::move(items);
  poll.same_story_as = std::move(same_story_as);
  return poll;
}

class CommitBatchTest : public testing::MemoryStoreTest {
 protected:
  std::vector<std::vector<std::string>> rows(const std::string& sql) {
    auto stmt = store().database().prepare(sql);
    EXPECT_TRUE(stmt.has_value()) << stmt.error().message;
    std::vector<std::vector<std::string>> out;
    while (stmt && stmt->step().value_or(false)) {
      out.push_back({stmt->column_text(0), stmt->column_text(1)});
    }
    return out;
  }
  std::int64_t id_of(const std::string& key) {
    auto stmt = store().database().prepare("SELECT id FROM items WHERE url_key = ?1");
    EXPECT_TRUE(stmt.has_value());
    stmt->bind(1, "example.com/" + key);
    EXPECT_TRUE(stmt->step().value_or(false)) << key;
    return stmt->column_int64(0);
  }
};

TEST_F(CommitBatchTest, NewItemsGetIdsInPageOrderAndKnownOnesAreSkipped) {
  ASSERT_TRUE(store().commit_poll(poll_of(100, {make_item("b")})));
  auto summary = store().commit_poll(
      poll_of(200, {make_item("c"), make_item("b"), make_item("a"), make_item("c", false)}));
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_EQ(summary->items_seen, 4);
  EXPECT_EQ(summary->items_new, 2) << "b is known, the second c repeats the first";
  EXPECT_EQ(summary->candidates_new, 2);
  EXPECT_EQ(rows("SELECT url_key, first_seen FROM items ORDER BY id"),
            (std::vector<std::vector<std::string>>{
                {"example.com/b", "100"}, {"example.com/c", "200"}, {"example.com/a", "200"}}));
  // Each candidate belongs to its own item.
  EXPECT_EQ(rows("SELECT i.url_key, c.queued_at FROM candidates c JOIN items i ON i.id = c.item_id"
                 " ORDER BY c.id"),
            (std::vector<std::vector<std::string>>{{"example.com/b", "100"},
                                                   {"example.com/c", "200"},
                                                   {"example.com/a", "200"}}));
  // Full-text search sees every new item.
  EXPECT_EQ(
      rows("SELECT rowid, rowid FROM items_fts WHERE items_fts MATCH '人工智能'").size(), 3u);
}

TEST_F(CommitBatchTest, TwoItemsJoiningOneAloneStoryMakeOneClusterHeadedByIt) {
  ASSERT_TRUE(store().commit_poll(poll_of(100, {make_item("first")})));
  const std::int64_t first = id_of("first");
  auto summary = store().commit_poll(poll_of(
      200, {make_item("x"), make_item("y"), make_item("z")}, {first, std::nullopt, first}));
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  const std::string head = std::to_string(first);
  EXPECT_EQ(rows("SELECT url_key, COALESCE(cluster_id, '') FROM items ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"example.com/first", head},
                                                   {"example.com/x", head},
                                                   {"example.com/y", ""},
                                                   {"example.com/z", head}}));
}

TEST_F(CommitBatchTest, AnItemThatIsNotStoredDoesNotMakeItsStoryACluster) {
  ASSERT_TRUE(store().commit_poll(poll_of(100, {make_item("first")})));
  const std::int64_t first = id_of("first");
  // "first" again (known, not stored anew) and pointing at itself: nothing joins.
  ASSERT_TRUE(store().commit_poll(poll_of(200, {make_item("first")}, {first})));
  // A same-story id that is not stored: nothing to join.
  ASSERT_TRUE(store().commit_poll(poll_of(300, {make_item("n")}, {first + 100})));
  EXPECT_EQ(rows("SELECT url_key, COALESCE(cluster_id, '') FROM items ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"example.com/first", ""},
                                                   {"example.com/n", ""}}));
}

TEST_F(CommitBatchTest, NothingStagedOutlivesACommitOrAFailedOne) {
  ASSERT_TRUE(store().commit_poll(poll_of(100, {make_item("a"), make_item("b")})));
  EXPECT_TRUE(rows("SELECT seq, url_key FROM temp.poll_items").empty());

  ASSERT_TRUE(store().database().exec(
      "CREATE TEMP TRIGGER poison BEFORE INSERT ON main.items WHEN NEW.title LIKE '%poison%'"
      " BEGIN SELECT RAISE(ABORT, 'poison item refused'); END"));
  Item poison = make_item("poison");
  poison.title = "poison";
  ASSERT_FALSE(store().commit_poll(poll_of(200, {make_item("c"), poison})).has_value());
  EXPECT_TRUE(rows("SELECT seq, url_key FROM temp.poll_items").empty());

  ASSERT_TRUE(store().database().exec("DROP TRIGGER temp.poison"));
  auto next = store().commit_poll(poll_of(300, {make_item("c")}));
  ASSERT_TRUE(next.has_value()) << next.error().message;
  EXPECT_EQ(next->items_new, 1);
  EXPECT_EQ(rows("SELECT url_key, first_seen FROM items ORDER BY id").size(), 3u);
}

}  // namespace
}  // namespace herald
