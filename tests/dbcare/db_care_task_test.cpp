// The nightly task (make_db_care_task) on injected clocks: it runs at backup_at in the
// configured zone, once per night, survives a restart without repeating or skipping the
// night, catches up once after downtime, rotates backups and applies item retention.

#include <atomic>
#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/timezone.h"
#include "daemon/db_care.h"
#include "storage/maintenance.h"
#include "tests/dbcare/dbcare_support.h"

namespace herald {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using testing::poll_of;
using testing::scalar;
using testing::stored_item;
using testing::TempDir;

// A local wall-clock time in Asia/Shanghai (UTC+8 all year) as UTC seconds.
std::int64_t shanghai(int year, int month, int day, int hour, int minute) {
  return days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 - 8 * 3600;
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class DbCareTaskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_config(dir_.path(), "state/herald.db",
                          "backup_at = \"03:15\"\nbackup_keep = 3\nitem_retention = \"30d\"",
                          "[schedule]\ntimezone = \"Asia/Shanghai\"");
    loaded_ = testing::load(dir_.path());
    ASSERT_EQ(loaded_.config.db_care.backup_keep, 3);
    auto store = open_store(loaded_.config);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    ASSERT_TRUE(store->commit_poll(poll_of(shanghai(2026, 9, 1, 12, 0),
                                           {stored_item("old", false), stored_item("kept", true)},
                                           "\"v1\"")));
  }

  std::unique_ptr<PeriodicTask> task() {
    auto made = make_db_care_task(loaded_);
    EXPECT_NE(made, nullptr);
    return made;
  }

  // What a daemon that did the night of `date` left in the database.
  void mark_done(const std::string& date) {
    auto store = Store::open(loaded_.config.database);
    ASSERT_TRUE(store.has_value());
    ASSERT_TRUE(store->set_state(std::string(kLastBackupStateKey), date, 0));
  }

  std::optional<std::string> last_backup() {
    auto store = Store::open(loaded_.config.database);
    auto value = store->state(std::string(kLastBackupStateKey));
    return value ? *value : std::nullopt;
  }

  TempDir dir_;
  Loaded loaded_;
  fs::path backups_ = dir_.path() / "state" / "backups";
  std::atomic<bool> stop_{false};
};

TEST_F(DbCareTaskTest, BacksUpAtBackupAtInTheLocalZoneOncePerNight) {
  mark_done("2026-11-27");  // yesterday's night, by an earlier run of the daemon
  auto care = task();
  care->run_due(shanghai(2026, 11, 28, 2, 0), stop_);
  care->run_due(shanghai(2026, 11, 28, 3, 14), stop_);
  EXPECT_TRUE(names_in(backups_).empty()) << "ran before 03:15 Shanghai time";

  care->run_due(shanghai(2026, 11, 28, 3, 15), stop_);

  EXPECT_THAT(names_in(backups_), ElementsAre("herald-20261128.db"));
  EXPECT_EQ(testing::integrity_of(backups_ / "herald-20261128.db"), "ok");
  EXPECT_EQ(last_backup(), "2026-11-28");

  // Later the same night, and after a restart (a new task): not again.
  fs::remove(backups_ / "herald-20261128.db");
  care->run_due(shanghai(2026, 11, 28, 3, 16), stop_);
  task()->run_due(shanghai(2026, 11, 28, 9, 0), stop_);
  EXPECT_TRUE(names_in(backups_).empty()) << "the night's backup was repeated";

  // The next night.
  care->run_due(shanghai(2026, 11, 29, 3, 15), stop_);
  EXPECT_THAT(names_in(backups_), ElementsAre("herald-20261129.db"));
}

// The daemon was down at 03:15 for three nights: the next start backs up once, dated the
// most recent night, and not again until the next 03:15.
TEST_F(DbCareTaskTest, MissedNightsRunOnceAtTheNextStart) {
  mark_done("2026-11-26");
  auto care = task();
  care->run_due(shanghai(2026, 11, 29, 10, 30), stop_);
  care->run_due(shanghai(2026, 11, 29, 10, 31), stop_);
  care->run_due(shanghai(2026, 11, 30, 3, 0), stop_);

  EXPECT_THAT(names_in(backups_), ElementsAre("herald-20261129.db"));
  EXPECT_EQ(last_backup(), "2026-11-29");
}

TEST_F(DbCareTaskTest, KeepsTheNewestBackupsAndNothingElseIsTouched) {
  fs::create_directories(backups_);
  for (const char* name : {"herald-20261120.db", "herald-20261121.db", "herald-20261122.db",
                           "herald-20261123.db", "before-upgrade.db", "herald-notes.txt"}) {
    testing::write_file(backups_ / name, "x");
  }
  task()->run_due(shanghai(2026, 11, 28, 4, 0), stop_);

  EXPECT_THAT(names_in(backups_),
              ElementsAre("before-upgrade.db", "herald-20261122.db", "herald-20261123.db",
                          "herald-20261128.db", "herald-notes.txt"));
}

TEST_F(DbCareTaskTest, AppliesItemRetention) {
  task()->run_due(shanghai(2026, 11, 28, 4, 0), stop_);

  auto store = Store::open(loaded_.config.database);
  ASSERT_TRUE(store.has_value());
  EXPECT_EQ(scalar(store->database(),
                   "SELECT count(*) FROM items WHERE content_source = 'pruned' AND url_key LIKE "
                   "'%/old.html'"),
            1);
  EXPECT_EQ(scalar(store->database(),
                   "SELECT count(*) FROM items WHERE title <> '' AND url_key LIKE '%/kept.html'"),
            1);
  // The backup was taken before retention ran: it still has the old item's text.
  auto copy = Database::open_as_is(backups_ / "herald-20261128.db");
  ASSERT_TRUE(copy.has_value());
  EXPECT_EQ(scalar(*copy, "SELECT count(*) FROM items WHERE title <> ''"), 2);
}

// A failed night (the backup directory cannot be created) is retried later, not skipped,
// and the failure is left where the health page can show it.
TEST_F(DbCareTaskTest, AFailedNightIsRecordedAndRetried) {
  testing::write_file(backups_, "a file where the backup directory should be");
  auto care = task();
  care->run_due(shanghai(2026, 11, 28, 3, 15), stop_);
  {
    auto store = Store::open(loaded_.config.database);
    auto error = store->state(std::string(kBackupErrorStateKey));
    ASSERT_TRUE(error.has_value() && error->has_value());
    EXPECT_THAT(**error, ::testing::HasSubstr("backup directory"));
  }
  EXPECT_EQ(last_backup(), std::nullopt);

  fs::remove(backups_);
  care->run_due(shanghai(2026, 11, 28, 3, 20), stop_);  // inside the retry pause
  EXPECT_FALSE(fs::exists(backups_));
  care->run_due(shanghai(2026, 11, 28, 3, 31), stop_);
  EXPECT_THAT(names_in(backups_), ElementsAre("herald-20261128.db"));
  EXPECT_EQ(last_backup(), "2026-11-28");
}

TEST(DbCareTaskConfigTest, NoTaskWhenBackupsAndRetentionAreOff) {
  TempDir dir;
  testing::write_config(dir.path(), "state/herald.db", "backup_at = \"off\"",
                        "[archive]\nretention = \"forever\"\n");
  const Loaded loaded = testing::load(dir.path());
  EXPECT_EQ(make_db_care_task(loaded), nullptr);
}

TEST(DbCareTaskConfigTest, EvidenceRetentionAloneStillRunsNightly) {
  TempDir dir;
  testing::write_config(dir.path(), "state/herald.db", "backup_at = \"off\"",
                        "[archive]\nretention = \"30d\"\n");
  const Loaded loaded = testing::load(dir.path());
  EXPECT_NE(make_db_care_task(loaded), nullptr);
}

}  // namespace
}  // namespace herald
