// herald's files are private whatever the umask it runs under: the database with its -wal
// and -shm, backups and the evidence archive are 0600 (directories 0700), or 0640 (2750)
// when the directory they are made in is setgid for a group meant to read them.

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "storage/database.h"
#include "storage/evidence.h"
#include "storage/maintenance.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

namespace fs = std::filesystem;

// Sets the process umask for one test and puts the old one back.
class UmaskGuard {
 public:
  explicit UmaskGuard(mode_t mask) : old_(::umask(mask)) {}
  ~UmaskGuard() { ::umask(old_); }
  UmaskGuard(const UmaskGuard&) = delete;
  UmaskGuard& operator=(const UmaskGuard&) = delete;

 private:
  mode_t old_;
};

unsigned mode_of(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

std::string octal(unsigned mode) { return fmt::format("{:04o}", mode); }

// Opens a database in `dir`, writes to it so the -wal and -shm exist, and checks all three
// while the connection is open.
void expect_database_modes(const fs::path& dir, unsigned wanted) {
  const fs::path path = dir / "herald.db";
  auto db = Database::open(path);
  ASSERT_TRUE(db.has_value()) << db.error().message;
  ASSERT_TRUE(db->exec("CREATE TABLE t(x); INSERT INTO t VALUES (1);"));
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const fs::path file(path.string() + suffix);
    ASSERT_TRUE(fs::exists(file)) << file;
    EXPECT_EQ(octal(mode_of(file)), octal(wanted)) << file;
  }
}

class FileModesTest : public ::testing::TestWithParam<mode_t> {
 protected:
  testing::TempDir dir_;
};

TEST_P(FileModesTest, TheDatabaseAndItsWalAndShmAreReadableByHeraldOnly) {
  const UmaskGuard umask(GetParam());
  expect_database_modes(dir_.path(), 0600);
}

TEST_P(FileModesTest, WithASetgidDirectoryItsGroupMayReadTheDatabase) {
  const fs::path shared = dir_.path() / "shared";
  fs::create_directories(shared);
  ASSERT_EQ(::chmod(shared.c_str(), 02770), 0);
  const UmaskGuard umask(GetParam());
  expect_database_modes(shared, 0640);
}

TEST_P(FileModesTest, BackupsAndTheirDirectoryArePrivate) {
  const UmaskGuard umask(GetParam());
  auto db = Database::open(dir_.path() / "herald.db");
  ASSERT_TRUE(db.has_value()) << db.error().message;
  ASSERT_TRUE(db->exec("CREATE TABLE t(x); INSERT INTO t VALUES (1);"));
  const fs::path backups = dir_.path() / "backups" / "nightly";
  ASSERT_TRUE(create_private_directories(backups));
  EXPECT_EQ(octal(mode_of(dir_.path() / "backups")), octal(0700));
  EXPECT_EQ(octal(mode_of(backups)), octal(0700));

  const fs::path copy = backups / "herald-20261202.db";
  auto written = backup_database(*db, copy, false);
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_EQ(octal(mode_of(copy)), octal(0600));
  auto replaced = backup_database(*db, copy, true);
  ASSERT_TRUE(replaced) << replaced.error().message;
  EXPECT_EQ(octal(mode_of(copy)), octal(0600));
}

TEST_P(FileModesTest, TheEvidenceArchiveIsPrivateFilesAndDirectories) {
  const UmaskGuard umask(GetParam());
  const EvidenceArchive archive(dir_.path() / "state" / "evidence");
  auto stored = archive.put("<html>通知</html>");
  ASSERT_TRUE(stored.has_value()) << stored.error().message;
  ASSERT_TRUE(archive.write_marker(dir_.path() / "state" / "herald.db"));

  EXPECT_EQ(octal(mode_of(stored->path)), octal(0600));
  EXPECT_EQ(octal(mode_of(archive.dir() / kEvidenceMarkerFile)), octal(0600));
  EXPECT_EQ(octal(mode_of(stored->path.parent_path())), octal(0700));  // evidence/ab
  EXPECT_EQ(octal(mode_of(archive.dir())), octal(0700));
  EXPECT_EQ(octal(mode_of(dir_.path() / "state")), octal(0700));
}

TEST_P(FileModesTest, ASetgidStateDirectoryMakesTheArchiveGroupReadableAllTheWayDown) {
  const fs::path state = dir_.path() / "state";
  fs::create_directories(state);
  ASSERT_EQ(::chmod(state.c_str(), 02750), 0);
  const UmaskGuard umask(GetParam());
  const EvidenceArchive archive(state / "evidence");
  auto stored = archive.put("<html>公告</html>");
  ASSERT_TRUE(stored.has_value()) << stored.error().message;

  EXPECT_EQ(octal(mode_of(archive.dir())), octal(02750));
  EXPECT_EQ(octal(mode_of(stored->path.parent_path())), octal(02750));
  EXPECT_EQ(octal(mode_of(stored->path)), octal(0640));
}

TEST_P(FileModesTest, ADatabaseRestoredFromAnOpenBackupIsPrivateAgain) {
  const UmaskGuard umask(GetParam());
  const fs::path backups = dir_.path() / "backups";
  ASSERT_TRUE(create_private_directories(backups));
  const fs::path backup = backups / "herald-20261201.db";
  {
    auto db = Database::open(backup);
    ASSERT_TRUE(db.has_value()) << db.error().message;
  }
  ASSERT_EQ(::chmod(backup.c_str(), 0644), 0);  // an admin's copy
  const fs::path path = dir_.path() / "herald.db";
  std::ofstream(path) << "this is not an SQLite database, it is long enough to have a header";

  auto recovered = recover_corrupt_database(path, backups, 1'796'000'000);
  ASSERT_TRUE(recovered.has_value()) << recovered.error().message;
  ASSERT_TRUE(recovered->restored_from.has_value());
  EXPECT_EQ(octal(mode_of(path)), octal(0600));
}

INSTANTIATE_TEST_SUITE_P(Umask, FileModesTest, ::testing::Values(mode_t{0022}, mode_t{0002}),
                         [](const ::testing::TestParamInfo<mode_t>& info) {
                           return fmt::format("Umask{:04o}", info.param);
                         });

TEST(PrivateModesCheckTest, FindsEveryFileAndDirectoryWiderThanHeraldMakesIt) {
  testing::TempDir dir;
  const UmaskGuard umask(0077);
  const fs::path database = dir.path() / "herald.db";
  {
    auto db = Database::open(database);
    ASSERT_TRUE(db.has_value()) << db.error().message;
  }
  const fs::path backups = dir.path() / "backups";
  ASSERT_TRUE(create_private_directories(backups));
  std::ofstream(backups / "herald-20261201.db") << "a backup";
  const EvidenceArchive archive(dir.path() / "evidence");
  auto stored = archive.put("body");
  ASSERT_TRUE(stored.has_value()) << stored.error().message;

  EXPECT_TRUE(check_private_modes(database, backups, archive.dir()).problems.empty());

  ASSERT_EQ(::chmod(database.c_str(), 0644), 0);
  ASSERT_EQ(::chmod((backups / "herald-20261201.db").c_str(), 0604), 0);
  ASSERT_EQ(::chmod(stored->path.parent_path().c_str(), 0755), 0);
  ASSERT_EQ(::chmod(stored->path.c_str(), 0660), 0);

  const ModeReport report = check_private_modes(database, backups, archive.dir());
  ASSERT_EQ(report.problems.size(), 4u);
  EXPECT_EQ(report.more, 0);
  std::map<std::string, std::string> found;
  for (const ModeProblem& problem : report.problems) {
    found[problem.path.string()] = octal(problem.mode) + (problem.directory ? " dir" : "");
    EXPECT_EQ(problem.wanted, problem.directory ? 0700u : 0600u);
  }
  EXPECT_EQ(found[database.string()], "0644");
  EXPECT_EQ(found[(backups / "herald-20261201.db").string()], "0604");
  EXPECT_EQ(found[stored->path.parent_path().string()], "0755 dir");
  EXPECT_EQ(found[stored->path.string()], "0660");

  const ModeReport limited = check_private_modes(database, backups, archive.dir(), 1);
  EXPECT_EQ(limited.problems.size(), 1u);
  EXPECT_EQ(limited.more, 3);
}

TEST(PrivateModesCheckTest, GroupReadIsAllowedUnderASetgidDirectoryButNotGroupWrite) {
  testing::TempDir dir;
  const fs::path state = dir.path() / "state";
  fs::create_directories(state);
  ASSERT_EQ(::chmod(state.c_str(), 02750), 0);
  const fs::path database = state / "herald.db";
  {
    auto db = Database::open(database);
    ASSERT_TRUE(db.has_value()) << db.error().message;
  }
  EXPECT_TRUE(check_private_modes(database, state / "backups", state / "evidence")
                  .problems.empty());
  ASSERT_EQ(::chmod(database.c_str(), 0660), 0);
  const ModeReport report = check_private_modes(database, state / "backups", state / "evidence");
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].wanted, 0640u);
}

}  // namespace
}  // namespace herald
