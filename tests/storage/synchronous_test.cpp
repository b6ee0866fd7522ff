// Database::set_synchronous: per-connection durability (pollers NORMAL, editors FULL).

#include <string>

#include <gtest/gtest.h>

#include "storage/database.h"
#include "storage/store.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

std::int64_t synchronous_of(Database& db) {
  auto stmt = db.prepare("PRAGMA synchronous");
  EXPECT_TRUE(stmt.has_value());
  auto row = stmt->step();
  EXPECT_TRUE(row.has_value() && *row);
  return stmt->column_int64(0);
}

TEST(SynchronousTest, EveryConnectionOpensFullAndCanBeSwitched) {
  testing::TempDir dir;
  auto db = Database::open(dir.path() / "herald.db");
  ASSERT_TRUE(db.has_value()) << db.error().message;
  EXPECT_EQ(synchronous_of(*db), 2);

  ASSERT_TRUE(db->set_synchronous(Synchronous::kNormal));
  EXPECT_EQ(synchronous_of(*db), 1);
  ASSERT_TRUE(db->set_synchronous(Synchronous::kFull));
  EXPECT_EQ(synchronous_of(*db), 2);
}

TEST(SynchronousTest, IsPerConnectionAndNormalCommitsAreSeenAndKept) {
  testing::TempDir dir;
  const auto path = dir.path() / "herald.db";
  {
    auto poller = Store::open(path);
    auto editors = Store::open(path);
    ASSERT_TRUE(poller.has_value() && editors.has_value());
    ASSERT_TRUE(poller->database().set_synchronous(Synchronous::kNormal));
    EXPECT_EQ(synchronous_of(poller->database()), 1);
    EXPECT_EQ(synchronous_of(editors->database()), 2) << "the other connection keeps FULL";

    PollRecord poll{.source_id = "s", .started_at = 1'700'000'000, .outcome = "ok"};
    poll.new_validators = Validators{.etag = std::string("\"v1\""), .last_modified = {}};
    Item item;
    item.url = "https://example.com/a";
    item.url_key = "example.com/a";
    item.title = "A";
    item.candidate = true;
    poll.items.push_back(item);
    auto committed = poller->commit_poll(poll);
    ASSERT_TRUE(committed.has_value()) << committed.error().message;
    EXPECT_EQ(committed->items_new, 1);

    // Seen at once by the editors' connection, and still there after both close.
    auto queue = editors->list_candidates(QueueFilter{});
    ASSERT_TRUE(queue.has_value());
    EXPECT_EQ(queue->size(), 1u);
  }
  auto reopened = Store::open(path);
  ASSERT_TRUE(reopened.has_value());
  EXPECT_EQ(synchronous_of(reopened->database()), 2) << "NORMAL is not a property of the file";
  auto validators = reopened->validators("s");
  ASSERT_TRUE(validators.has_value());
  EXPECT_EQ(validators->etag, std::optional<std::string>("\"v1\""));
}

}  // namespace
}  // namespace herald
