// A full disk during a poll (RELIABILITY.md S1), through the real run_source_once path:
// the poll's outcome is db_full, its transaction is rolled back (nothing half-written, the
// validators stay behind), and the next poll after space returns stores everything.

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "common/clock.h"
#include "daemon/run_source.h"
#include "tests/dbcare/dbcare_support.h"
#include "tests/service/service_harness.h"
#include "tests/support/fake_clock.h"

namespace herald {
namespace {

namespace fs = std::filesystem;
using testing::FeedFetcher;
using testing::make_feed;
using testing::scalar;
using testing::TempDir;

constexpr int kFirstItems = 10;
constexpr int kLaterItems = 120;
constexpr std::size_t kPadding = 3000;

class DiskFullTest : public ::testing::Test {
 protected:
  void open(const std::string& database) {
    testing::write_config(dir_.path(), database);
    loaded_ = testing::load(dir_.path());
    ASSERT_EQ(loaded_.sources.sources.size(), 1u);
    auto store = open_store(loaded_.config);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    store_.emplace(std::move(*store));
  }

  RunReport poll() {
    clock_.advance(std::chrono::hours(1));
    return run_source_once(loaded_.sources.sources.front(), loaded_.config, fetcher_, *store_,
                           clock_);
  }

  // The first poll stores kFirstItems items; returns their url_keys' count check query.
  void first_poll() {
    fetcher_.serve(make_feed(0, kFirstItems), "\"v1\"");
    const RunReport report = poll();
    ASSERT_EQ(report.outcome, "ok") << testing::integrity_of(loaded_.config.database);
    ASSERT_EQ(report.stored.items_new, kFirstItems);
  }

  // What a poll that hit the full disk must leave behind: the first poll's items, each
  // once, the validators of the first poll, and a sound file.
  void expect_first_poll_intact() {
    Database& db = store_->database();
    EXPECT_EQ(testing::integrity_of(loaded_.config.database), "ok");
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM items"), kFirstItems);
    EXPECT_EQ(scalar(db, "SELECT count(DISTINCT url_key) FROM items"), kFirstItems);
    for (int i = 0; i < kFirstItems; ++i) {
      EXPECT_EQ(scalar(db, fmt::format("SELECT count(*) FROM items WHERE url LIKE '%/n/{}.html'",
                                       i)),
                1)
          << "item " << i;
    }
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM candidates"), kFirstItems / 2);
    auto validators = store_->validators("gov-feed");
    ASSERT_TRUE(validators.has_value());
    EXPECT_EQ(validators->etag, "\"v1\"") << "validators ran ahead of the items they cover";
  }

  void expect_recovered(const RunReport& report) {
    EXPECT_EQ(report.outcome, "ok") << (report.error ? report.error->message : "");
    EXPECT_EQ(report.stored.items_new, kLaterItems - kFirstItems);
    EXPECT_EQ(scalar(store_->database(), "SELECT count(*) FROM items"), kLaterItems);
    EXPECT_EQ(scalar(store_->database(), "SELECT count(DISTINCT url_key) FROM items"),
              kLaterItems);
    EXPECT_EQ(store_->validators("gov-feed")->etag, "\"v2\"");
    EXPECT_EQ(testing::integrity_of(loaded_.config.database), "ok");
  }

  TempDir dir_;
  Loaded loaded_;
  std::optional<Store> store_;
  FeedFetcher fetcher_;
  testing::FakeClock clock_{1'795'000'000};
};

// No root needed: max_page_count caps this connection's database at its current size,
// and SQLite then fails the write with a real SQLITE_FULL.
TEST_F(DiskFullTest, PageLimitGivesDbFullRollsBackAndTheNextPollRecovers) {
  open("state/herald.db");
  first_poll();
  ASSERT_TRUE(store_->database().exec("PRAGMA max_page_count = 1"));  // clamps to page_count

  fetcher_.serve(make_feed(0, kLaterItems, kPadding), "\"v2\"");
  const RunReport full = poll();

  EXPECT_EQ(full.outcome, "db_full");
  ASSERT_TRUE(full.error.has_value());
  EXPECT_EQ(full.error->code, ErrorCode::kDbFull);
  EXPECT_TRUE(full.error->retryable);
  EXPECT_NE(full.error->message.find("free disk space"), std::string::npos) << full.error->message;
  expect_first_poll_intact();

  // Space comes back: the same page is fetched again (validators were not advanced).
  ASSERT_TRUE(store_->database().exec("PRAGMA max_page_count = 1073741823"));
  expect_recovered(poll());
}

// A real full file system: a small tmpfs for the database directory, filled to the last
// byte by another file. Needs root (mount); CI runs as root.
class TmpfsMount {
 public:
  static std::optional<std::string> mount_at(const fs::path& dir, const std::string& size,
                                             std::optional<TmpfsMount>& out) {
    fs::create_directories(dir);
    const std::string options = "size=" + size;
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      return std::string(std::strerror(errno));
    }
    out.emplace(dir);
    return std::nullopt;
  }
  explicit TmpfsMount(fs::path dir) : dir_(std::move(dir)) {}
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  ~TmpfsMount() { ::umount2(dir_.c_str(), MNT_DETACH); }

 private:
  fs::path dir_;
};

// Writes `path` until the file system says ENOSPC; true when it did.
bool fill(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return false;
  }
  const std::string chunk(4096, 'f');
  bool full = false;
  while (true) {
    const ssize_t n = ::write(fd, chunk.data(), chunk.size());
    if (n < 0) {
      full = errno == ENOSPC;
      break;
    }
  }
  ::close(fd);
  return full;
}

TEST_F(DiskFullTest, FullTmpfsGivesDbFullAndPollingResumesWhenSpaceReturns) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "needs root to mount a small tmpfs (CI runs as root); the page-limit "
                    "test covers SQLITE_FULL without it";
  }
  std::optional<TmpfsMount> mounted;
  if (auto error = TmpfsMount::mount_at(dir_.path() / "small", "4m", mounted)) {
    GTEST_SKIP() << "cannot mount a tmpfs here (" << *error
                 << "); a container without CAP_SYS_ADMIN?";
  }
  open("small/herald.db");
  first_poll();
  const fs::path filler = dir_.path() / "small" / "filler";
  ASSERT_TRUE(fill(filler)) << "the tmpfs never reported ENOSPC";

  fetcher_.serve(make_feed(0, kLaterItems, kPadding), "\"v2\"");
  const RunReport full = poll();

  EXPECT_EQ(full.outcome, "db_full") << (full.error ? full.error->message : "");
  expect_first_poll_intact();
  // Still full: a second attempt fails the same way and changes nothing.
  EXPECT_EQ(poll().outcome, "db_full");
  expect_first_poll_intact();

  fs::remove(filler);
  expect_recovered(poll());
}

// A port nobody listens on right now, for the web UI.
int free_port() {
  testing::LocalServer probe;
  probe.start();
  return probe.port();
}

// The daemon itself on a full disk: the poll logs db_full, and the process and its web UI
// (which reads the database) keep serving.
TEST(ServeDiskFullTest, DaemonAndWebUiKeepRunningWhenThePollHitsAFullDisk) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "needs root to mount a small tmpfs (CI runs as root)";
  }
  TempDir dir;
  std::optional<TmpfsMount> mounted;
  if (auto error = TmpfsMount::mount_at(dir.path() / "small", "4m", mounted)) {
    GTEST_SKIP() << "cannot mount a tmpfs here (" << *error << ")";
  }
  // The feed's first request waits until the test has filled the disk, so the daemon has
  // opened its database (with room for its -shm) before the disk is full.
  std::mutex mutex;
  std::condition_variable changed;
  bool requested = false;
  bool disk_full = false;
  testing::LocalServer feed;
  feed.routes().Get("/rss.xml", [&](const httplib::Request&, httplib::Response& response) {
    std::unique_lock lock(mutex);
    requested = true;
    changed.notify_all();
    changed.wait_for(lock, std::chrono::seconds(60), [&] { return disk_full; });
    response.set_header("ETag", "\"v2\"");
    response.set_content(make_feed(0, kLaterItems, kPadding), "application/rss+xml");
  });
  feed.start();
  const int port = free_port();
  testing::write_config(dir.path(), "small/herald.db", "", "", feed.url("/rss.xml"));
  {
    // Web UI on, evidence archive off (it would only add warnings about the full disk).
    std::string toml = testing::read_bytes(dir.path() / "herald.toml");
    toml.replace(toml.find("[web]\nenabled = false"), 21,
                 fmt::format("[web]\nenabled = true\nport = {}\n\n[archive]\nenabled = false\n\n"
                             "[schedule]\njitter = 0.0",
                             port));
    testing::write_file(dir.path() / "herald.toml", toml);
  }
  testing::ServeProcess serve(
      testing::ServeOptions{.args = {"--config", (dir.path() / "herald.toml").string(), "serve"}},
      dir.path() / "serve.log");
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, std::chrono::seconds(60), [&] { return requested; }))
        << serve.log();
  }
  const fs::path filler = dir.path() / "small" / "filler";
  ASSERT_TRUE(fill(filler));
  {
    std::lock_guard lock(mutex);
    disk_full = true;
  }
  changed.notify_all();

  ASSERT_TRUE(serve.wait_for_lines("outcome=db_full")) << serve.log();
  httplib::Client web("127.0.0.1", port);
  auto healthz = web.Get("/healthz");
  ASSERT_TRUE(healthz) << serve.log();
  EXPECT_EQ(healthz->status, 200);
  auto login = web.Get("/login");
  ASSERT_TRUE(login);
  EXPECT_EQ(login->status, 200);
  // /metrics reads the database (candidates pending, its size).
  auto metrics = web.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200) << metrics->body;
  EXPECT_FALSE(serve.wait_exit(std::chrono::milliseconds(200)).has_value())
      << "herald serve exited on a full disk:\n"
      << serve.log();
  fs::remove(filler);
  serve.signal(SIGTERM);
  const auto status = serve.wait_exit();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << serve.log();
  EXPECT_EQ(testing::integrity_of(dir.path() / "small" / "herald.db"), "ok");
}

}  // namespace
}  // namespace herald
