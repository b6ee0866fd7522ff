// `herald db check` warns about the database, its backups or its evidence archive being
// readable by other users, and says which chmod fixes it; private files pass quietly.

#include <sys/stat.h>

#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "storage/evidence.h"
#include "tests/dbcare/dbcare_support.h"

namespace herald {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::run_herald_in;
using testing::TempDir;

class DbCheckModesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_config(dir_.path());
    fs::create_directories(state_);
    auto store = Store::open(database_);
    ASSERT_TRUE(store.has_value()) << store.error().message;
  }

  TempDir dir_;
  fs::path state_ = dir_.path() / "state";
  fs::path database_ = state_ / "herald.db";
};

TEST_F(DbCheckModesTest, PrivateFilesPassWithoutWarnings) {
  const auto run = run_herald_in(dir_.path(), "db check");
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  EXPECT_THAT(run.out, HasSubstr("file modes: ok"));
  EXPECT_THAT(run.out, Not(HasSubstr("warning")));
}

TEST_F(DbCheckModesTest, AWorldReadableDatabaseBackupOrArchiveIsAWarningWithTheFix) {
  ASSERT_EQ(::chmod(database_.c_str(), 0644), 0);
  const fs::path backups = state_ / "backups";
  fs::create_directories(backups);
  ASSERT_EQ(::chmod(backups.c_str(), 0755), 0);
  const EvidenceArchive archive(state_ / "evidence");
  auto stored = archive.put("<html>旧归档</html>");
  ASSERT_TRUE(stored.has_value()) << stored.error().message;
  ASSERT_EQ(::chmod(stored->path.c_str(), 0644), 0);

  const auto run = run_herald_in(dir_.path(), "db check");

  // The data is sound: a warning, not a failed check.
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  // (The -wal and -shm the check's own connection opened take the database's mode: they
  // are listed too.)
  EXPECT_THAT(run.out, HasSubstr("path(s) readable beyond herald's user and group"));
  EXPECT_THAT(run.out, HasSubstr(fmt::format("warning: file {} is 0644, herald makes it 0600; "
                                             "fix: chmod 600 '{}'",
                                             database_.string(), database_.string())));
  EXPECT_THAT(run.out, HasSubstr(fmt::format("warning: directory {} is 0755, herald makes it "
                                             "0700; fix: chmod 700 '{}'",
                                             backups.string(), backups.string())));
  EXPECT_THAT(run.out, HasSubstr(fmt::format("fix: chmod 600 '{}'", stored->path.string())));
  EXPECT_THAT(run.out, HasSubstr(fmt::format("fix the whole of {}: find '{}' -type d -exec "
                                             "chmod 700 {{}} + -o -type f -exec chmod 600 {{}} +",
                                             archive.dir().string(), archive.dir().string())));
  EXPECT_THAT(run.out, HasSubstr("result: ok"));
}

}  // namespace
}  // namespace herald
