// RELIABILITY.md S2 (I/O error on fsync) and S3 (another writer holds the database): the
// poll fails visibly, nothing is half-written, and the next poll stores the batch once.

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/run_source.h"
#include "tests/dbcare/dbcare_support.h"
#include "tests/support/fake_clock.h"
#include "tests/support/local_server.h"

namespace herald {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::FeedFetcher;
using testing::make_feed;
using testing::run_herald_in;
using testing::scalar;
using testing::TempDir;

// S3: a second connection holds BEGIN IMMEDIATE for longer than busy_timeout (5 s).
TEST(BusyDatabaseTest, LockedPollFailsRetryablyAndTheBatchIsStoredOnceLater) {
  TempDir dir;
  testing::write_config(dir.path());
  const Loaded loaded = testing::load(dir.path());
  auto store = open_store(loaded.config);
  ASSERT_TRUE(store.has_value()) << store.error().message;
  FeedFetcher fetcher;
  testing::FakeClock clock;
  const SourceConfig& source = loaded.sources.sources.front();

  fetcher.serve(make_feed(0, 8), "\"v1\"");
  {
    auto other = Database::open(loaded.config.database);
    ASSERT_TRUE(other.has_value());
    auto held = Transaction::begin(*other);
    ASSERT_TRUE(held.has_value());

    const RunReport locked = run_source_once(source, loaded.config, fetcher, *store, clock);

    EXPECT_EQ(locked.outcome, "db_error");
    ASSERT_TRUE(locked.error.has_value());
    EXPECT_TRUE(locked.error->retryable) << locked.error->message;
    EXPECT_THAT(locked.error->message, HasSubstr("locked"));
  }
  EXPECT_EQ(scalar(store->database(), "SELECT count(*) FROM items"), 0);
  EXPECT_FALSE(store->validators("gov-feed")->etag.has_value());

  clock.advance(std::chrono::hours(1));
  const RunReport later = run_source_once(source, loaded.config, fetcher, *store, clock);
  EXPECT_EQ(later.outcome, "ok");
  EXPECT_EQ(later.stored.items_new, 8);
  EXPECT_EQ(scalar(store->database(), "SELECT count(DISTINCT url_key) FROM items"), 8);
  EXPECT_EQ(scalar(store->database(), "SELECT count(*) FROM items"), 8);
}

// S2: every fsync/fdatasync of `herald poll` fails with EIO (strace fault injection).
// herald must not report success it cannot vouch for, and the file must stay sound.
TEST(IoErrorTest, FailingFsyncIsNeverASilentSuccess) {
  if (std::system("strace -f -qq -o /dev/null true >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "strace cannot trace here (not installed, or ptrace is not permitted)";
  }
  std::atomic<int> version{1};
  testing::LocalServer server;
  server.routes().Get("/rss.xml", [&](const httplib::Request&, httplib::Response& response) {
    response.set_header("ETag", fmt::format("\"v{}\"", version.load()));
    response.set_content(make_feed(0, version.load() * 6), "application/rss+xml; charset=utf-8");
  });
  server.start();
  TempDir dir;
  testing::write_config(dir.path(), "state/herald.db", "", "", server.url("/rss.xml"));
  // A clean poll: the database exists with six items.
  ASSERT_EQ(run_herald_in(dir.path(), "poll").exit_code, 0);
  const fs::path database = dir.path() / "state" / "herald.db";

  version = 2;  // twelve items now
  const std::string args =
      fmt::format("-f -qq -o /dev/null -e trace=fsync,fdatasync -e inject=fsync:error=EIO "
                  "-e inject=fdatasync:error=EIO '{}' --config '{}' poll",
                  HERALD_BINARY, (dir.path() / "herald.toml").string());
  const int status = std::system(fmt::format("strace {} >'{}' 2>&1", args,
                                             (dir.path() / "eio.txt").string())
                                     .c_str());
  const std::string output = testing::read_bytes(dir.path() / "eio.txt");

  EXPECT_NE(status, 0) << output;
  EXPECT_THAT(output, ::testing::Not(HasSubstr("outcome=ok"))) << output;
  EXPECT_EQ(testing::integrity_of(database), "ok");
  {
    // All of the failed poll or none of it; never a part, never twice.
    auto db = Database::open(database);
    ASSERT_TRUE(db.has_value());
    const std::int64_t items = scalar(*db, "SELECT count(*) FROM items");
    EXPECT_TRUE(items == 6 || items == 12) << items;
    EXPECT_EQ(scalar(*db, "SELECT count(DISTINCT url_key) FROM items"), items);
  }

  // The disk behaves again: the next poll completes the batch.
  const auto healthy = run_herald_in(dir.path(), "poll");
  EXPECT_EQ(healthy.exit_code, 0) << healthy.err;
  auto db = Database::open(database);
  ASSERT_TRUE(db.has_value());
  EXPECT_EQ(scalar(*db, "SELECT count(*) FROM items"), 12);
  EXPECT_EQ(scalar(*db, "SELECT count(DISTINCT url_key) FROM items"), 12);
  EXPECT_EQ(testing::integrity_of(database), "ok");
}

}  // namespace
}  // namespace herald
