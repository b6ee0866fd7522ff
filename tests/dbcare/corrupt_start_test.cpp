// A corrupt database at start (RELIABILITY.md S6): detected by the startup check, moved
// aside (never overwritten, never deleted), replaced by the newest sound backup, reported.

#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon/db_care.h"
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

// Writes `bytes` over the file at `offset`.
void overwrite(const fs::path& path, std::streamoff offset, const std::string& bytes) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(offset);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// The files next to the database whose name starts with "herald.db.corrupt-".
std::vector<fs::path> moved_aside(const fs::path& state_dir) {
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(state_dir)) {
    if (entry.path().filename().string().starts_with("herald.db.corrupt-")) {
      found.push_back(entry.path());
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

class CorruptStartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_config(dir_.path());
    fs::create_directories(state_);
    fs::create_directories(backups_);
  }

  // Stores items a, b (candidate) and c, takes a backup into backups/ named `backup_name`
  // when given, then stores d: the backup holds a, b, c; the live database also d.
  void seed(const std::string& backup_name) {
    auto store = Store::open(database_);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    ASSERT_TRUE(store->commit_poll(poll_of(1000,
                                           {stored_item("a", false), stored_item("b", true),
                                            stored_item("c", false)},
                                           "\"v1\"")));
    if (!backup_name.empty()) {
      ASSERT_TRUE(backup_database(store->database(), backups_ / backup_name, false));
    }
    ASSERT_TRUE(store->commit_poll(poll_of(2000, {stored_item("d", false)}, "\"v2\"")));
  }

  TempDir dir_;
  fs::path state_ = dir_.path() / "state";
  fs::path database_ = state_ / "herald.db";
  fs::path backups_ = state_ / "backups";
};

TEST_F(CorruptStartTest, DamagedHeaderIsMovedAsideAndTheNewestBackupRestored) {
  seed("herald-20261127.db");
  // An older backup must lose to the newer one.
  {
    auto store = Store::open(state_ / "older.db");
    ASSERT_TRUE(store.has_value());
    ASSERT_TRUE(backup_database(store->database(), backups_ / "herald-20261120.db", false));
  }
  fs::last_write_time(backups_ / "herald-20261120.db",
                      fs::last_write_time(backups_ / "herald-20261127.db") - std::chrono::hours(24 * 7));
  overwrite(database_, 0, "NOT A DATABASE!!");
  // A -wal left behind by the damaged database goes with it.
  testing::write_file(fs::path(database_.string() + "-wal"), "stale wal bytes");
  const std::string damaged = read_bytes(database_);

  const auto run = run_herald_in(dir_.path(), "db stats");

  ASSERT_EQ(run.exit_code, 0) << run.err;
  // The database and its -wal (and the -shm SQLite keeps beside them), under one name.
  const auto moved = moved_aside(state_);
  ASSERT_GE(moved.size(), 2u) << run.err;
  const fs::path& aside = moved[0];
  EXPECT_THAT(aside.filename().string(),
              ::testing::MatchesRegex(R"(herald\.db\.corrupt-[0-9]{8}T[0-9]{6}Z)"));
  for (std::size_t i = 1; i < moved.size(); ++i) {
    EXPECT_THAT(moved[i].string(), ::testing::AnyOf(aside.string() + "-wal", aside.string() + "-shm"));
  }
  EXPECT_EQ(read_bytes(aside), damaged) << "the corrupt file must be kept as it was";
  EXPECT_EQ(read_bytes(aside.string() + "-wal"), "stale wal bytes");
  // Loud: an error line naming the moved file and the backup restored.
  EXPECT_THAT(run.err, HasSubstr("is corrupt"));
  EXPECT_THAT(run.err, HasSubstr(aside.string()));
  EXPECT_THAT(run.err, HasSubstr((backups_ / "herald-20261127.db").string()));

  // The restored database is the backup: a, b, c but not d; and it says what happened.
  auto store = Store::open(database_);
  ASSERT_TRUE(store.has_value()) << store.error().message;
  EXPECT_EQ(scalar(store->database(), "SELECT count(*) FROM items"), 3);
  EXPECT_EQ(scalar(store->database(), "SELECT count(*) FROM candidates"), 1);
  EXPECT_EQ(store->validators("gov-feed")->etag, "\"v1\"");
  auto state = store->state(std::string(kDbRecoveryStateKey));
  ASSERT_TRUE(state.has_value() && state->has_value());
  const auto record = nlohmann::json::parse(**state);
  EXPECT_EQ(record["moved_to"], aside.string());
  EXPECT_EQ(record["restored_from"], (backups_ / "herald-20261127.db").string());
  EXPECT_THAT(record["problem"].get<std::string>(), HasSubstr("not a database"));
  // The backup itself is untouched and still there.
  EXPECT_TRUE(fs::exists(backups_ / "herald-20261127.db"));
}

TEST_F(CorruptStartTest, WithoutABackupAFreshDatabaseIsCreatedAndTheLossReported) {
  seed("");
  overwrite(database_, 0, std::string(100, '\0'));
  const std::string damaged = read_bytes(database_);

  const auto run = run_herald_in(dir_.path(), "db stats");

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto moved = moved_aside(state_);
  ASSERT_GE(moved.size(), 1u);
  EXPECT_EQ(read_bytes(moved[0]), damaged);
  EXPECT_THAT(run.err, HasSubstr("no usable backup"));
  EXPECT_THAT(run.err, HasSubstr(moved[0].string()));
  auto store = Store::open(database_);
  ASSERT_TRUE(store.has_value()) << store.error().message;
  EXPECT_EQ(scalar(store->database(), "SELECT count(*) FROM items"), 0);
  auto state = store->state(std::string(kDbRecoveryStateKey));
  ASSERT_TRUE(state.has_value() && state->has_value());
  EXPECT_TRUE(nlohmann::json::parse(**state)["restored_from"].is_null());
}

// Damage inside the file (an index page of items), not in the header: quick_check finds it.
// A damaged newest backup is skipped for the older sound one.
TEST_F(CorruptStartTest, DamagedPageIsFoundAndADamagedBackupIsSkipped) {
  seed("herald-20261120.db");
  {
    // The newest backup is damaged as well.
    fs::copy_file(backups_ / "herald-20261120.db", backups_ / "herald-20261127.db");
    overwrite(backups_ / "herald-20261127.db", 0, "garbage garbage!");
  }
  std::int64_t page = 0;
  std::int64_t page_size = 0;
  {
    auto db = Database::open(database_);
    ASSERT_TRUE(db.has_value());
    ASSERT_TRUE(db->checkpoint(Database::CheckpointMode::kTruncate));
    page = scalar(*db, "SELECT rootpage FROM sqlite_schema WHERE name = 'items_fingerprint'");
    page_size = scalar(*db, "PRAGMA page_size");
  }
  ASSERT_GT(page, 1);
  overwrite(database_, (page - 1) * page_size, std::string(static_cast<std::size_t>(page_size), '\xA5'));
  auto check = check_database_file(database_);
  ASSERT_TRUE(check.has_value()) << check.error().message;
  EXPECT_TRUE(check->corrupt);

  const auto run = run_herald_in(dir_.path(), "db stats");

  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_GE(moved_aside(state_).size(), 1u);
  EXPECT_THAT(moved_aside(state_)[0].filename().string(), ::testing::EndsWith("Z"));
  EXPECT_THAT(run.err, HasSubstr("herald-20261127.db"));  // reported as damaged, skipped
  EXPECT_THAT(run.err, HasSubstr("restored the backup " + (backups_ / "herald-20261120.db").string()));
  EXPECT_EQ(testing::integrity_of(database_), "ok");
}

// A sound database is left alone, and so is one that cannot be read for another reason:
// moving a healthy database aside on a transient error would be worse than not starting.
TEST_F(CorruptStartTest, HealthyOrUnreadableDatabasesAreNotMoved) {
  seed("");
  auto healthy = check_database_file(database_);
  ASSERT_TRUE(healthy.has_value()) << healthy.error().message;
  EXPECT_TRUE(healthy->exists);
  EXPECT_FALSE(healthy->corrupt);
  ASSERT_EQ(run_herald_in(dir_.path(), "db stats").exit_code, 0);
  EXPECT_TRUE(moved_aside(state_).empty());

  // A directory where the database should be: an error, not "corrupt".
  auto unreadable = check_database_file(state_);
  ASSERT_FALSE(unreadable.has_value());
  EXPECT_EQ(unreadable.error().code, ErrorCode::kStorage);
  auto missing = check_database_file(state_ / "nothing.db");
  ASSERT_TRUE(missing.has_value());
  EXPECT_FALSE(missing->exists);
}

// The startup check is bounded in time. Running out of time is never "corrupt", and the
// header and schema are read whatever the budget, so an overwritten header is still found
// with none left.
TEST_F(CorruptStartTest, BudgetBoundsQuickCheckButNotTheHeaderCheck) {
  seed("");
  auto bounded = check_database_file(database_, std::chrono::milliseconds(0));
  ASSERT_TRUE(bounded.has_value()) << bounded.error().message;
  EXPECT_FALSE(bounded->corrupt);
  auto unbounded = check_database_file(database_);
  ASSERT_TRUE(unbounded.has_value());
  EXPECT_TRUE(unbounded->complete);

  overwrite(database_, 0, "NOT A DATABASE!!");
  auto damaged = check_database_file(database_, std::chrono::milliseconds(0));
  ASSERT_TRUE(damaged.has_value()) << damaged.error().message;
  EXPECT_TRUE(damaged->corrupt);
}

// Two recoveries in the same second never overwrite the first moved-aside file.
TEST_F(CorruptStartTest, MovedAsideNamesAreNeverReused) {
  testing::write_file(database_, "first corrupt file");
  auto first = recover_corrupt_database(database_, backups_, 1'795'000'000);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  testing::write_file(database_, "second corrupt file");
  auto second = recover_corrupt_database(database_, backups_, 1'795'000'000);
  ASSERT_TRUE(second.has_value()) << second.error().message;

  EXPECT_NE(first->moved_to, second->moved_to);
  EXPECT_EQ(first->moved_to.filename(), "herald.db.corrupt-20261118T110640Z");
  EXPECT_EQ(read_bytes(first->moved_to), "first corrupt file");
  EXPECT_EQ(read_bytes(second->moved_to), "second corrupt file");
  EXPECT_FALSE(first->restored_from.has_value());
  EXPECT_FALSE(fs::exists(database_));
}

}  // namespace
}  // namespace herald
