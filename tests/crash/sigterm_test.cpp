// RELIABILITY.md S13: SIGTERM while a poll is transferring a page. herald stops promptly
// (systemd's TimeoutStopSec would otherwise escalate to SIGKILL), exits by itself with a
// success or failure code rather than dying of the signal, and leaves the database
// consistent: the abandoned poll may be recorded, its page's items and validators are not.

#include <gtest/gtest.h>

#include "tests/crash/crash_harness.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

using testing::describe_status;
using testing::HeraldProcess;
using testing::LocalServer;
using testing::read_database;
using testing::read_text;
using testing::TempDir;

// Far longer than herald should take to stop, so "stopped before the stall ended" means it
// abandoned the transfer; both are safety nets, not timing assertions.
constexpr auto kStall = std::chrono::seconds(60);
constexpr auto kStopBound = std::chrono::seconds(30);

// A feed that sends its first bytes and then nothing until released (or kStall passes).
class StalledFeed {
 public:
  void handle(const httplib::Request&, httplib::Response& response) {
    response.set_chunked_content_provider(
        "application/rss+xml; charset=utf-8", [this](std::size_t offset, httplib::DataSink& sink) {
          if (offset == 0) {
            const std::string head =
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>"
                "<title>Stalled</title><item><title>Artificial intelligence rules</title>"
                "<link>http://127.0.0.1/stalled/item-1</link></item>\n";
            const bool written = sink.write(head.data(), head.size());
            {
              std::lock_guard lock(mutex_);
              transferring_ = true;
            }
            changed_.notify_all();
            return written;
          }
          std::unique_lock lock(mutex_);
          changed_.wait_for(lock, kStall, [this] { return released_; });
          return false;  // drop the connection: the page never completes
        });
  }

  // Waits until herald is inside the transfer (a condition; the bound is a safety net).
  bool wait_transferring() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kStopBound, [this] { return transferring_; });
  }

  void release() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool transferring_ = false;
  bool released_ = false;
};

class SigtermTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.routes().Get("/stalled/feed.xml",
                         [this](const auto& req, auto& res) { feed_.handle(req, res); });
    server_.start();
    testing::write_herald_toml(dir_.path());
    testing::write_source_toml(dir_.path(), "stalled", server_.url("/stalled/feed.xml"), false);
  }
  // Before the server's destructor joins its handlers, one of which is stalled.
  ~SigtermTest() override { feed_.release(); }

  // Starts herald `verb`, sends SIGTERM once the page is half transferred, and returns how
  // herald ended.
  void terminate_during_transfer(const std::string& verb) {
    const auto out = dir_.path() / (verb + ".out");
    const auto err = dir_.path() / (verb + ".err");
    HeraldProcess herald({"--config", (dir_.path() / "herald.toml").string(), verb}, out, err);
    ASSERT_TRUE(feed_.wait_transferring()) << "herald never fetched the feed; stderr:\n"
                                           << read_text(err);
    herald.signal(SIGTERM);
    const auto status = herald.wait_for(kStopBound);
    ASSERT_TRUE(status.has_value()) << "herald " << verb << " still running "
                                    << kStopBound.count() << " s after SIGTERM; stderr:\n"
                                    << read_text(err);
    status_ = *status;
    stdout_ = read_text(out);
    stderr_ = read_text(err);
  }

  void expect_nothing_stored() {
    const testing::DbSnapshot db = read_database(dir_.path() / "state" / "herald.db");
    ASSERT_TRUE(db.exists);
    EXPECT_EQ(db.integrity, "ok");
    EXPECT_EQ(db.items, 0);
    EXPECT_EQ(db.candidates, 0);
    const auto row = db.sources.find("stalled");
    if (row != db.sources.end()) {
      EXPECT_EQ(row->second.etag, std::nullopt);
    }
    for (const testing::PollRow& poll : db.polls) {
      EXPECT_NE(poll.outcome, "ok") << "the abandoned poll is recorded as a failure, if at all";
    }
  }

  StalledFeed feed_;
  LocalServer server_;
  TempDir dir_;
  int status_ = -1;
  std::string stdout_;
  std::string stderr_;
};

TEST_F(SigtermTest, ServeAbandonsTheTransferAndExitsZero) {
  ASSERT_NO_FATAL_FAILURE(terminate_during_transfer("serve"));
  EXPECT_EQ(describe_status(status_), "exit 0") << stderr_;
  expect_nothing_stored();
}

TEST_F(SigtermTest, PollAbandonsTheTransferAndExitsByItself) {
  ASSERT_NO_FATAL_FAILURE(terminate_during_transfer("poll"));
  // 1: the one source was not polled. Dying of the signal instead skips herald's own
  // shutdown: no summary line, no poll record, and a systemd timer unit running `herald
  // poll` reports the stop as a failure.
  EXPECT_TRUE(WIFEXITED(status_) && (WEXITSTATUS(status_) == 0 || WEXITSTATUS(status_) == 1))
      << describe_status(status_) << "; stdout:\n" << stdout_ << "stderr:\n" << stderr_;
  expect_nothing_stored();
}

}  // namespace
}  // namespace herald
