// Database::cached: statements prepared once per connection, lent to one holder at a time.

#include "storage/database.h"

#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/support/fixtures.h"

namespace herald {
namespace {

// Prepared statements that exist on the connection (SQLite's own list: cached, lent or not).
int statement_count(Database& db) {
  int count = 0;
  for (sqlite3_stmt* s = sqlite3_next_stmt(db.handle(), nullptr); s != nullptr;
       s = sqlite3_next_stmt(db.handle(), s)) {
    ++count;
  }
  return count;
}

// Statements that are mid-run (stepped, not yet reset): a cached one at rest must not be.
int busy_statements(Database& db) {
  int busy = 0;
  for (sqlite3_stmt* s = sqlite3_next_stmt(db.handle(), nullptr); s != nullptr;
       s = sqlite3_next_stmt(db.handle(), s)) {
    busy += sqlite3_stmt_busy(s) != 0 ? 1 : 0;
  }
  return busy;
}

class StatementCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::open(":memory:");
    ASSERT_TRUE(db.has_value()) << db.error().message;
    db_.emplace(std::move(*db));
    ASSERT_TRUE(db_->exec("CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1), (2), (3);"));
    base_ = statement_count(*db_);
  }

  std::vector<std::int64_t> all_rows(Statement& stmt) {
    std::vector<std::int64_t> rows;
    while (true) {
      auto row = stmt.step();
      EXPECT_TRUE(row.has_value()) << row.error().message;
      if (!row || !*row) {
        return rows;
      }
      rows.push_back(stmt.column_int64(0));
    }
  }

  std::optional<Database> db_;
  int base_ = 0;
};

constexpr std::string_view kSelect = "SELECT n FROM t WHERE n >= ?1 ORDER BY n";

TEST_F(StatementCacheTest, PreparesOnceAndLendsTheSameStatementAgain) {
  for (int i = 1; i <= 3; ++i) {
    auto stmt = db_->cached(kSelect);
    ASSERT_TRUE(stmt.has_value()) << stmt.error().message;
    stmt->bind(1, i);
    EXPECT_EQ(all_rows(*stmt).size(), static_cast<std::size_t>(4 - i));
  }
  EXPECT_EQ(statement_count(*db_), base_ + 1);
}

TEST_F(StatementCacheTest, ComesBackResetWithItsBindingsCleared) {
  {
    auto stmt = db_->cached("SELECT ?1 IS NULL, n FROM t");
    ASSERT_TRUE(stmt.has_value());
    stmt->bind(1, 42);
    auto row = stmt->step();
    ASSERT_TRUE(row.has_value() && *row);
    EXPECT_EQ(stmt->column_int64(0), 0);
    // Given back in the middle of its rows.
  }
  EXPECT_EQ(busy_statements(*db_), 0);
  auto again = db_->cached("SELECT ?1 IS NULL, n FROM t");
  ASSERT_TRUE(again.has_value());
  auto row = again->step();
  ASSERT_TRUE(row.has_value() && *row);
  EXPECT_EQ(again->column_int64(0), 1) << "the previous holder's ?1 is gone";
  EXPECT_EQ(again->column_int64(1), 1) << "starts from the first row again";
}

TEST_F(StatementCacheTest, TheSameSqlHeldTwiceIsTwoStatementsThatDoNotDisturbEachOther) {
  {
    auto outer = db_->cached(kSelect);
    ASSERT_TRUE(outer.has_value());
    outer->bind(1, 1);
    std::vector<std::int64_t> outer_rows;
    std::vector<std::int64_t> inner_total;
    while (true) {
      auto row = outer->step();
      ASSERT_TRUE(row.has_value());
      if (!*row) {
        break;
      }
      outer_rows.push_back(outer->column_int64(0));
      // A helper called for each row that runs the same SQL.
      auto inner = db_->cached(kSelect);
      ASSERT_TRUE(inner.has_value());
      inner->bind(1, outer->column_int64(0));
      inner_total.push_back(static_cast<std::int64_t>(all_rows(*inner).size()));
    }
    EXPECT_EQ(outer_rows, (std::vector<std::int64_t>{1, 2, 3}));
    EXPECT_EQ(inner_total, (std::vector<std::int64_t>{3, 2, 1}));
    EXPECT_EQ(statement_count(*db_), base_ + 2);
  }
  // Both went back: held twice again, nothing new is prepared.
  auto first = db_->cached(kSelect);
  auto second = db_->cached(kSelect);
  ASSERT_TRUE(first.has_value() && second.has_value());
  EXPECT_EQ(statement_count(*db_), base_ + 2);
}

TEST_F(StatementCacheTest, StaysValidWhenTheSchemaChangesBetweenUses) {
  {
    auto insert = db_->cached("INSERT INTO t (n) VALUES (?1)");
    ASSERT_TRUE(insert.has_value());
    ASSERT_TRUE(insert->bind(1, 4).run());
  }
  // A TEMP trigger created after the statement was prepared (as the evidence stage is)
  // must fire when the cached statement runs again.
  ASSERT_TRUE(db_->exec("CREATE TEMP TABLE seen (n INTEGER);"
                        "CREATE TEMP TRIGGER t_seen AFTER INSERT ON t BEGIN"
                        "  INSERT INTO seen VALUES (NEW.n); END;"));
  {
    auto insert = db_->cached("INSERT INTO t (n) VALUES (?1)");
    ASSERT_TRUE(insert.has_value());
    auto done = insert->bind(1, 5).run();
    ASSERT_TRUE(done.has_value()) << done.error().message;
  }
  auto seen = db_->cached("SELECT n FROM temp.seen");
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(all_rows(*seen), (std::vector<std::int64_t>{5}));
}

TEST_F(StatementCacheTest, BadSqlIsAnErrorAndLeavesTheCacheUsable) {
  auto bad = db_->cached("SELEC n FROM t");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kStorage);
  EXPECT_NE(bad.error().message.find("SELEC n FROM t"), std::string::npos) << bad.error().message;
  auto good = db_->cached(kSelect);
  ASSERT_TRUE(good.has_value());
  good->bind(1, 3);
  EXPECT_EQ(all_rows(*good), (std::vector<std::int64_t>{3}));
}

TEST_F(StatementCacheTest, KeepsOnlyALimitedNumberOfDifferentTexts) {
  const int texts = static_cast<int>(Database::kMaxCachedStatements) + 10;
  for (int i = 0; i < texts; ++i) {
    auto stmt = db_->cached(fmt::format("SELECT n + {} FROM t WHERE n = 1", i));
    ASSERT_TRUE(stmt.has_value());
    EXPECT_EQ(all_rows(*stmt), (std::vector<std::int64_t>{1 + i}));
  }
  // Texts past the limit still run, but are finalised after use instead of kept.
  EXPECT_EQ(statement_count(*db_),
            base_ + static_cast<int>(Database::kMaxCachedStatements));
}

TEST_F(StatementCacheTest, ALentStatementFollowsItsDatabaseWhenTheDatabaseMoves) {
  auto stmt = db_->cached(kSelect);
  ASSERT_TRUE(stmt.has_value());
  Database moved = std::move(*db_);
  db_.reset();
  stmt->bind(1, 2);
  EXPECT_EQ(all_rows(*stmt), (std::vector<std::int64_t>{2, 3}));
  const int before = statement_count(moved);
  { Statement gone = std::move(*stmt); }
  auto again = moved.cached(kSelect);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(statement_count(moved), before) << "the statement went back to the moved cache";
}

TEST_F(StatementCacheTest, ALentStatementMayOutliveItsDatabase) {
  auto stmt = db_->cached(kSelect);
  ASSERT_TRUE(stmt.has_value());
  stmt->bind(1, 1);
  ASSERT_EQ(all_rows(*stmt).size(), 3u);
  db_.reset();  // the connection waits (sqlite3_close_v2) for the statement
  // Destroying it now finalises it instead of touching the gone cache (ASan/valgrind
  // builds would report a use after free).
  { Statement gone = std::move(*stmt); }
  SUCCEED();
}

}  // namespace
}  // namespace herald
