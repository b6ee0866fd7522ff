#include "storage/database.h"

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/fixtures.h"

namespace herald {
namespace {

Result<std::string> pragma_text(Database& db, std::string_view sql) {
  auto stmt = db.prepare(sql);
  if (!stmt) {
    return fail(stmt.error());
  }
  auto row = stmt->step();
  if (!row) {
    return fail(row.error());
  }
  return *row ? stmt->column_text(0) : std::string();
}

std::int64_t count_rows(Database& db, std::string_view table) {
  auto stmt = db.prepare(std::string("SELECT COUNT(*) FROM ") + std::string(table));
  EXPECT_TRUE(stmt.has_value());
  auto row = stmt->step();
  EXPECT_TRUE(row.has_value() && *row);
  return stmt->column_int64(0);
}

TEST(DatabaseTest, InMemoryOpensAtCurrentSchemaWithForeignKeysOn) {
  auto db = Database::open(":memory:");
  ASSERT_TRUE(db.has_value()) << db.error().message;

  EXPECT_EQ(pragma_text(*db, "PRAGMA user_version").value(),
            std::to_string(current_schema_version()));
  EXPECT_EQ(pragma_text(*db, "PRAGMA foreign_keys").value(), "1");
  for (const char* table : {"sources", "polls", "items", "candidates", "audit"}) {
    EXPECT_EQ(count_rows(*db, table), 0) << table;
  }
}

TEST(DatabaseTest, MigrateTwiceIsANoOp) {
  auto db = Database::open(":memory:");
  ASSERT_TRUE(db.has_value()) << db.error().message;

  auto again = migrate(*db);

  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(pragma_text(*db, "PRAGMA user_version").value(),
            std::to_string(current_schema_version()));
}

TEST(DatabaseTest, FileDatabaseUsesWalAndKeepsDataAndVersionAcrossReopen) {
  testing::TempDir dir;
  const auto path = dir.path() / "herald.db";
  {
    auto db = Database::open(path);
    ASSERT_TRUE(db.has_value()) << db.error().message;
    EXPECT_EQ(pragma_text(*db, "PRAGMA journal_mode").value(), "wal");
    // 2 = FULL: an acknowledged commit survives power loss.
    EXPECT_EQ(pragma_text(*db, "PRAGMA synchronous").value(), "2");
    ASSERT_TRUE(db->exec("INSERT INTO audit (at, actor, action) VALUES (1, 'ann', 'note')"));
  }
  EXPECT_TRUE(std::filesystem::exists(path));

  auto reopened = Database::open(path);  // migrations must not run again over the data

  ASSERT_TRUE(reopened.has_value()) << reopened.error().message;
  EXPECT_EQ(pragma_text(*reopened, "PRAGMA user_version").value(),
            std::to_string(current_schema_version()));
  EXPECT_EQ(pragma_text(*reopened, "PRAGMA journal_mode").value(), "wal");
  EXPECT_EQ(count_rows(*reopened, "audit"), 1);
}

TEST(DatabaseTest, MissingParentDirectoryIsReportedNotCreated) {
  testing::TempDir dir;
  const auto path = dir.path() / "no-such-dir" / "herald.db";

  auto db = Database::open(path);

  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().code, ErrorCode::kStorage);
  EXPECT_NE(db.error().message.find("does not exist"), std::string::npos) << db.error().message;
  EXPECT_NE(db.error().message.find("no-such-dir"), std::string::npos) << db.error().message;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "no-such-dir"));
}

TEST(DatabaseTest, FileThatIsNotSqliteIsRefusedAndLeftUntouched) {
  testing::TempDir dir;
  const auto path = dir.path() / "herald.db";
  std::string junk;
  for (int i = 0; i < 200; ++i) {
    junk += "this is a text file, not a database\n";
  }
  {
    std::ofstream out(path, std::ios::binary);
    out << junk;
  }

  auto db = Database::open(path);

  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().code, ErrorCode::kStorage);
  EXPECT_NE(db.error().message.find("file is not a database"), std::string::npos)
      << db.error().message;
  EXPECT_NE(db.error().message.find(path.string()), std::string::npos) << db.error().message;
  std::ifstream in(path, std::ios::binary);
  std::string after((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(after, junk);
}

TEST(DatabaseTest, NewerSchemaThanThisBuildIsRefused) {
  testing::TempDir dir;
  const auto path = dir.path() / "herald.db";
  {
    auto db = Database::open(path);
    ASSERT_TRUE(db.has_value()) << db.error().message;
    ASSERT_TRUE(db->exec("PRAGMA user_version = " + std::to_string(current_schema_version() + 1)));
  }

  auto db = Database::open(path);

  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().code, ErrorCode::kStorage);
  EXPECT_NE(db.error().message.find("newer"), std::string::npos) << db.error().message;
}

TEST(DatabaseTest, SqlErrorNamesTheOperationAndSqliteMessage) {
  auto db = Database::open(":memory:");
  ASSERT_TRUE(db.has_value()) << db.error().message;

  auto bad = db->exec("INSERT INTO no_such_table VALUES (1)");

  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kStorage);
  EXPECT_NE(bad.error().message.find("no such table: no_such_table"), std::string::npos)
      << bad.error().message;
  EXPECT_NE(bad.error().message.find("INSERT INTO no_such_table"), std::string::npos)
      << bad.error().message;
}

TEST(DatabaseTest, StatementBindsAndReadsBackEveryType) {
  auto db = Database::open(":memory:");
  ASSERT_TRUE(db.has_value()) << db.error().message;
  auto stmt = db->prepare("SELECT ?1, ?2, ?3, ?4, ?5, ?6");
  ASSERT_TRUE(stmt.has_value()) << stmt.error().message;
  const std::optional<std::string> no_text;
  const std::optional<std::int64_t> some_int = 7;
  stmt->bind(1, std::int64_t{1} << 40)
      .bind(2, 2.5)
      .bind(3, std::string_view{})  // empty, not NULL
      .bind(4, "人工智能")
      .bind(5, no_text)
      .bind(6, some_int);

  auto row = stmt->step();

  ASSERT_TRUE(row.has_value()) << row.error().message;
  ASSERT_TRUE(*row);
  EXPECT_EQ(stmt->column_int64(0), std::int64_t{1} << 40);
  EXPECT_DOUBLE_EQ(stmt->column_double(1), 2.5);
  EXPECT_FALSE(stmt->column_is_null(2));
  EXPECT_EQ(stmt->column_optional_text(2), std::optional<std::string>(""));
  EXPECT_EQ(stmt->column_text(3), "人工智能");
  EXPECT_EQ(stmt->column_optional_text(4), std::nullopt);
  EXPECT_EQ(stmt->column_text(4), "");
  EXPECT_EQ(stmt->column_optional_int64(5), 7);
  auto done = stmt->step();
  ASSERT_TRUE(done.has_value());
  EXPECT_FALSE(*done);
}

TEST(DatabaseTest, BindToMissingParameterIsReportedByStep) {
  auto db = Database::open(":memory:");
  ASSERT_TRUE(db.has_value()) << db.error().message;
  auto stmt = db->prepare("SELECT ?1");
  ASSERT_TRUE(stmt.has_value());
  stmt->bind(1, 1).bind(2, 2);

  auto row = stmt->step();

  ASSERT_FALSE(row.has_value());
  EXPECT_EQ(row.error().code, ErrorCode::kStorage);
  EXPECT_NE(row.error().message.find("bind"), std::string::npos) << row.error().message;
}

TEST(DatabaseTest, TransactionRollsBackUnlessCommitted) {
  auto db = Database::open(":memory:");
  ASSERT_TRUE(db.has_value()) << db.error().message;
  {
    auto tx = Transaction::begin(*db);
    ASSERT_TRUE(tx.has_value()) << tx.error().message;
    ASSERT_TRUE(db->exec("INSERT INTO audit (at, actor, action) VALUES (1, 'a', 'dropped')"));
  }
  {
    auto tx = Transaction::begin(*db);
    ASSERT_TRUE(tx.has_value()) << tx.error().message;
    ASSERT_TRUE(db->exec("INSERT INTO audit (at, actor, action) VALUES (2, 'b', 'kept')"));
    ASSERT_TRUE(tx->commit());
  }

  auto stmt = db->prepare("SELECT action FROM audit");
  ASSERT_TRUE(stmt.has_value());
  ASSERT_TRUE(stmt->step().value());
  EXPECT_EQ(stmt->column_text(0), "kept");
  EXPECT_FALSE(stmt->step().value());
}

TEST(DatabaseTest, SecondWriterGetsRetryableBusyAfterTimeout) {
  testing::TempDir dir;
  const auto path = dir.path() / "herald.db";
  auto first = Database::open(path);
  auto second = Database::open(path);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  ASSERT_TRUE(second.has_value()) << second.error().message;
  ASSERT_TRUE(second->exec("PRAGMA busy_timeout = 0"));  // keep the test instant
  auto held = Transaction::begin(*first);
  ASSERT_TRUE(held.has_value());

  auto blocked = Transaction::begin(*second);

  ASSERT_FALSE(blocked.has_value());
  EXPECT_EQ(blocked.error().code, ErrorCode::kStorage);
  EXPECT_TRUE(blocked.error().retryable);
  EXPECT_NE(blocked.error().message.find("locked"), std::string::npos) << blocked.error().message;
}

}  // namespace
}  // namespace herald
