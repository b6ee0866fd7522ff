// `herald db backup | check | prune | stats`, run as admins run them, and the retention
// rule underneath prune.

#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/clock.h"
#include "storage/maintenance.h"
#include "tests/dbcare/dbcare_support.h"

namespace herald {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::poll_of;
using testing::read_bytes;
using testing::run_herald_in;
using testing::scalar;
using testing::stored_item;
using testing::TempDir;

constexpr std::int64_t kDay = 86400;

class DbCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_config(dir_.path());
    fs::create_directories(dir_.path() / "state");
    now_ = SystemClock().now_utc_seconds();
    auto store = Store::open(database_);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    // Old: a (not a candidate), b (candidate); recent: c (not a candidate).
    ASSERT_TRUE(store->commit_poll(poll_of(now_ - 400 * kDay,
                                           {stored_item("a", false), stored_item("b", true)},
                                           "\"v1\"")));
    ASSERT_TRUE(store->commit_poll(poll_of(now_ - kDay, {stored_item("c", false)}, "\"v2\"")));
  }

  TempDir dir_;
  fs::path database_ = dir_.path() / "state" / "herald.db";
  std::int64_t now_ = 0;
};

TEST_F(DbCommandsTest, BackupWritesACheckedCopyAndNeverOverwritesWithoutForce) {
  const fs::path backup = dir_.path() / "copy.db";

  const auto first = run_herald_in(dir_.path(), fmt::format("db backup '{}'", backup.string()));

  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::string first_bytes = read_bytes(backup);
  ASSERT_GT(first_bytes.size(), 100u);
  EXPECT_THAT(first.out, HasSubstr("integrity_check ok"));
  EXPECT_EQ(testing::integrity_of(backup), "ok");
  {
    auto copy = Database::open_as_is(backup);
    ASSERT_TRUE(copy.has_value());
    EXPECT_EQ(scalar(*copy, "SELECT count(*) FROM items"), 3);
    EXPECT_EQ(scalar(*copy, "SELECT count(*) FROM candidates"), 1);
  }
  // One self-contained file, not a WAL database that needs its -wal next to it: header
  // bytes 18 and 19 (file format write/read version) are 1 for a rollback journal, 2 for WAL.
  // (Read from a copy taken first: opening with herald switches a database to WAL.)
  EXPECT_EQ(first_bytes.substr(18, 2), std::string("\x01\x01", 2));

  // Refused without --force, and the existing file is left as it was.
  testing::write_file(backup, "an admin's file");
  const auto refused = run_herald_in(dir_.path(), fmt::format("db backup '{}'", backup.string()));
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, HasSubstr("--force"));
  EXPECT_EQ(read_bytes(backup), "an admin's file");

  const auto forced =
      run_herald_in(dir_.path(), fmt::format("db backup --force '{}'", backup.string()));
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(testing::integrity_of(backup), "ok");

  // Never onto the live database, even with --force.
  const auto onto_itself =
      run_herald_in(dir_.path(), fmt::format("db backup --force '{}'", database_.string()));
  EXPECT_NE(onto_itself.exit_code, 0);
  EXPECT_EQ(testing::integrity_of(database_), "ok");
}

// Online: another connection is in the middle of a write transaction; the backup neither
// waits for it nor contains its uncommitted row.
TEST_F(DbCommandsTest, BackupRunsWhileAnotherConnectionWrites) {
  auto writer = Store::open(database_);
  ASSERT_TRUE(writer.has_value());
  auto tx = Transaction::begin(writer->database());
  ASSERT_TRUE(tx.has_value());
  ASSERT_TRUE(writer->database().exec(
      "INSERT INTO items (source_id, url, url_key, title, first_seen) "
      "VALUES ('gov-feed', 'https://x/1', 'x/1', 'uncommitted', 1)"));

  const fs::path backup = dir_.path() / "online.db";
  auto reader = Store::open(database_);
  ASSERT_TRUE(reader.has_value());
  auto written = backup_database(reader->database(), backup, false);

  ASSERT_TRUE(written.has_value()) << written.error().message;
  auto copy = Database::open_as_is(backup);
  ASSERT_TRUE(copy.has_value());
  EXPECT_EQ(scalar(*copy, "SELECT count(*) FROM items"), 3);
  EXPECT_EQ(scalar(*copy, "SELECT count(*) FROM items WHERE title = 'uncommitted'"), 0);
}

TEST_F(DbCommandsTest, CheckReportsOkAndExitsZero) {
  const auto run = run_herald_in(dir_.path(), "db check");

  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("integrity_check: ok"));
  EXPECT_THAT(run.out, HasSubstr("foreign_key_check: ok"));
  EXPECT_THAT(run.out, HasSubstr(fmt::format("schema version: {} (current)",
                                             current_schema_version())));
  EXPECT_THAT(run.out, HasSubstr("result: ok"));
}

TEST_F(DbCommandsTest, CheckFindsBrokenForeignKeysAndExitsOne) {
  {
    auto db = Database::open(database_);
    ASSERT_TRUE(db.has_value());
    ASSERT_TRUE(db->exec("PRAGMA foreign_keys = OFF"));
    ASSERT_TRUE(db->exec("INSERT INTO candidates (item_id, queued_at) VALUES (9999, 1)"));
  }
  const auto run = run_herald_in(dir_.path(), "db check");

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, HasSubstr("foreign_key_check: 1 problem"));
  EXPECT_THAT(run.out, HasSubstr("candidates row"));
  EXPECT_THAT(run.out, HasSubstr("PROBLEMS FOUND"));
}

// check reads what is on disk and changes nothing: a corrupt file is reported, not moved.
TEST_F(DbCommandsTest, CheckReportsACorruptFileWithoutMovingIt) {
  {
    std::fstream file(database_, std::ios::in | std::ios::out | std::ios::binary);
    file.write("NOT A DATABASE!!", 16);
  }
  const std::string damaged = read_bytes(database_);

  const auto run = run_herald_in(dir_.path(), "db check");

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, HasSubstr("CORRUPT"));
  EXPECT_EQ(read_bytes(database_), damaged);
  for (const auto& entry : fs::directory_iterator(dir_.path() / "state")) {
    EXPECT_THAT(entry.path().filename().string(), ::testing::Not(HasSubstr("corrupt")));
  }
}

TEST_F(DbCommandsTest, PruneClearsOldNonCandidatesButKeepsTheirUrlKeys) {
  const auto dry = run_herald_in(dir_.path(), "db prune --dry-run --older-than 365");
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("would prune 1 items"));
  {
    auto db = Database::open(database_);
    ASSERT_TRUE(db.has_value());
    EXPECT_EQ(scalar(*db, "SELECT count(*) FROM items WHERE title <> ''"), 3) << "dry run wrote";
    EXPECT_EQ(scalar(*db, "SELECT count(*) FROM items_fts WHERE items_fts MATCH '\"summary of a\"'"),
              1);
  }

  const auto run = run_herald_in(dir_.path(), "db prune --older-than 365");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("pruned 1 items"));

  auto store = Store::open(database_);
  ASSERT_TRUE(store.has_value());
  Database& db = store->database();
  // a: text gone, URL kept; b (a candidate) and c (recent) untouched.
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM items WHERE url_key LIKE '%/a.html' AND title = ''"
                       " AND summary IS NULL AND content_source = 'pruned'"),
            1);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM items WHERE title LIKE '%人工智能%b'"), 1);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM items WHERE url_key LIKE '%/c.html' AND title <> ''"),
            1);
  // Full-text search forgets the pruned text.
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM items_fts WHERE items_fts MATCH '\"summary of a\"'"),
            0);
  // The site still lists a: it is "seen", not stored again as new.
  auto again = store->commit_poll(poll_of(now_, {stored_item("a", false)}, "\"v3\""));
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(again->items_new, 0);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM items"), 3);

  // Nothing left to prune: a second run is a no-op.
  const auto second = run_herald_in(dir_.path(), "db prune --older-than 365");
  EXPECT_THAT(second.out, HasSubstr("pruned 0 items"));
}

// An item in a cluster with a candidate stays whole: the candidate's "also reported by"
// shows it.
TEST(PruneItemsTest, ClusterMembersOfCandidatesAreKept) {
  TempDir dir;
  auto store = Store::open(dir.path() / "herald.db");
  ASSERT_TRUE(store.has_value());
  PollRecord first = poll_of(1000, {stored_item("lead", true)}, "\"v1\"");
  ASSERT_TRUE(store->commit_poll(first));
  const std::int64_t lead = scalar(store->database(), "SELECT id FROM items");
  PollRecord second = poll_of(2000, {stored_item("echo", false), stored_item("alone", false)},
                              "\"v2\"");
  second.same_story_as = {lead, std::nullopt};
  ASSERT_TRUE(store->commit_poll(second));

  auto pruned = prune_items(store->database(), 10'000, false);

  ASSERT_TRUE(pruned.has_value()) << pruned.error().message;
  EXPECT_EQ(pruned->items, 1);
  EXPECT_GT(pruned->text_bytes, 0);
  EXPECT_EQ(scalar(store->database(),
                   "SELECT count(*) FROM items WHERE url_key LIKE '%/echo.html' AND title <> ''"),
            1);
  EXPECT_EQ(scalar(store->database(),
                   "SELECT count(*) FROM items WHERE url_key LIKE '%/alone.html' AND title = ''"),
            1);
}

TEST_F(DbCommandsTest, PruneWithoutARetentionSaysWhatToSet) {
  const auto run = run_herald_in(dir_.path(), "db prune");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("item_retention"));
}

TEST_F(DbCommandsTest, StatsAndHelp) {
  const auto stats = run_herald_in(dir_.path(), "db stats");
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_THAT(stats.out, HasSubstr("items         3 (0 pruned)"));
  EXPECT_THAT(stats.out, HasSubstr("candidates    1"));
  EXPECT_THAT(stats.out, HasSubstr("last nightly  never"));

  const auto help = run_herald_in(dir_.path(), "db --help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* verb : {"backup", "check", "prune", "stats"}) {
    EXPECT_THAT(help.out, HasSubstr(verb));
  }
}

}  // namespace
}  // namespace herald
