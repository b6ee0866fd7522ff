// `herald serve` talking to its service manager the way systemd sees it (issue 7 items 1
// and 4): READY=1 once started, WATCHDOG=1 pings while the loop runs, RELOADING=1 then
// READY=1 around a SIGHUP reload, STOPPING=1 on SIGTERM; and log lines with syslog priority
// prefixes when stderr is the journal's stream. No systemd needed: the test is the socket.

#include <gtest/gtest.h>

#include "tests/service/service_harness.h"

namespace herald {
namespace {

using testing::Feeds;
using testing::Installation;
using testing::NotifySocket;
using testing::ServeOptions;
using testing::ServeProcess;

TEST(ServeNotifyTest, ReadyWatchdogReloadAndStoppingReachTheServiceManager) {
  Feeds feeds;
  Installation install;
  install.write_source("alpha", feeds.url("alpha"));
  NotifySocket notify(install.path("notify.sock"));

  ServeOptions options = install.serve_options();
  options.env = {"NOTIFY_SOCKET=" + notify.path().string(), "WATCHDOG_USEC=2000000"};
  options.watchdog_pid = true;
  ServeProcess serve(options, install.log());

  ASSERT_TRUE(notify.wait_for_line("READY=1")) << serve.log();
  EXPECT_TRUE(serve.wait_for_lines("watchdog 2000 ms")) << serve.log();
  // Pings keep coming while the loop is alive (several, not a single one at start).
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(notify.wait_for_line("WATCHDOG=1")) << "ping " << i << "\n" << serve.log();
  }
  ASSERT_TRUE(serve.wait_for_lines("source=alpha outcome=ok")) << serve.log();

  serve.signal(SIGHUP);
  ASSERT_TRUE(notify.wait_for_line("RELOADING=1")) << serve.log();
  const auto ready = notify.wait_for_line("READY=1");
  ASSERT_TRUE(ready) << serve.log();
  EXPECT_TRUE(serve.wait_for_lines(R"(reload: 1 sources polled: added=0 removed=0 changed=0 kept=1 errors=0)"))
      << serve.log();
  // Still pinging after the reload.
  ASSERT_TRUE(notify.wait_for_line("WATCHDOG=1")) << serve.log();

  serve.signal(SIGTERM);
  ASSERT_TRUE(notify.wait_for_line("STOPPING=1")) << serve.log();
  const auto status = serve.wait_exit();
  ASSERT_TRUE(status) << serve.log();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << testing::describe_status(*status);
}

TEST(ServeNotifyTest, NoWatchdogPingsWhenSystemdDidNotAskForThem) {
  Feeds feeds;
  Installation install;
  install.write_source("alpha", feeds.url("alpha"));
  NotifySocket notify(install.path("notify.sock"));
  ServeOptions options = install.serve_options();
  // WATCHDOG_PID names another process: the watchdog is not herald's (sd_watchdog_enabled).
  options.env = {"NOTIFY_SOCKET=" + notify.path().string(), "WATCHDOG_USEC=200000",
                 "WATCHDOG_PID=1"};
  ServeProcess serve(options, install.log());
  ASSERT_TRUE(notify.wait_for_line("READY=1")) << serve.log();
  ASSERT_TRUE(serve.wait_for_lines("source=alpha outcome=ok")) << serve.log();
  serve.signal(SIGTERM);
  ASSERT_TRUE(notify.wait_for_line("STOPPING=1")) << serve.log();
  for (const std::string& message : notify.messages()) {
    EXPECT_FALSE(NotifySocket::has_line(message, "WATCHDOG=1")) << message;
  }
  EXPECT_TRUE(serve.wait_exit());
}

// Every line herald writes: "<N>" then the message, no timestamp.
void expect_journal_lines(const std::string& log) {
  const std::regex prefixed(R"(^<[2-7]>\S)");
  const std::regex timestamp(R"(^<\d>\d{4}-\d\d-\d\d )");
  std::istringstream in(log);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    EXPECT_TRUE(std::regex_search(line, prefixed)) << "no priority prefix: " << line;
    EXPECT_FALSE(std::regex_search(line, timestamp)) << "journald adds the time: " << line;
  }
  EXPECT_GT(lines, 2);
}

TEST(ServeJournalTest, PriorityPrefixesWhenStderrIsTheJournalStream) {
  Feeds feeds;
  Installation install;
  install.write_source("alpha", feeds.url("alpha"));
  // A source whose page does not exist: its poll line is an error.
  install.write_source("gone", feeds.url("missing"));
  ServeOptions options = install.serve_options();
  options.journal_stream = true;
  ServeProcess serve(options, install.log());

  ASSERT_TRUE(serve.wait_for_lines(R"(^<6>source=alpha outcome=ok)")) << serve.log();
  ASSERT_TRUE(serve.wait_for_lines(R"(^<3>source=gone outcome=)")) << serve.log();
  EXPECT_EQ(serve.lines_matching(R"(^<6>herald serve: 2 sources)"), 1) << serve.log();
  serve.signal(SIGTERM);
  ASSERT_TRUE(serve.wait_exit());
  EXPECT_EQ(serve.lines_matching(R"(^<6>herald serve: stopped)"), 1) << serve.log();
  expect_journal_lines(serve.log());
}

TEST(ServeJournalTest, PlainFormatWhenJournalStreamNamesAnotherFile) {
  Feeds feeds;
  Installation install;
  install.write_source("alpha", feeds.url("alpha"));
  ServeOptions options = install.serve_options();
  // systemd set JOURNAL_STREAM, but the admin redirected stderr to a file.
  options.env = {"JOURNAL_STREAM=1:1"};
  ServeProcess serve(options, install.log());
  ASSERT_TRUE(serve.wait_for_lines(R"(^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d info source=alpha outcome=ok)"))
      << serve.log();
  serve.signal(SIGTERM);
  ASSERT_TRUE(serve.wait_exit());
  EXPECT_EQ(serve.lines_matching(R"(^<\d>)"), 0) << serve.log();
}

}  // namespace
}  // namespace herald
