// `systemctl reload herald` (SIGHUP; issue 7 item 3, RELIABILITY.md S12): herald.toml and
// sources.d/ are read again between polls. Added sources are polled, removed ones stop,
// changed ones take effect; a broken source file is reported with file:line and its
// previous version keeps polling; a broken herald.toml changes nothing.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include "tests/service/service_harness.h"

namespace herald {
namespace {

using testing::Feeds;
using testing::Installation;
using testing::kSecondPollLimit;
using testing::ServeProcess;
using testing::write_text;

// herald serve on a temporary installation whose sources are feeds on a loopback server.
class ReloadTest : public ::testing::Test {
 protected:
  // Starts serve on the feeds `ids` (a source per feed, same name) and waits for each one's
  // first poll.
  ServeProcess& start(std::initializer_list<std::string> ids) {
    for (const std::string& id : ids) {
      install_.write_source(id, feeds_.url(id));
    }
    serve_ = std::make_unique<ServeProcess>(install_.serve_options(), install_.log());
    for (const std::string& id : ids) {
      EXPECT_TRUE(serve_->wait_for_lines("source=" + id + " outcome=ok")) << serve_->log();
    }
    return *serve_;
  }

  Feeds feeds_;
  Installation install_;
  std::unique_ptr<ServeProcess> serve_;
};

TEST_F(ReloadTest, AnAddedSourceIsPolled) {
  ServeProcess& serve = start({"alpha"});

  install_.write_source("beta", feeds_.url("beta"));
  serve.signal(SIGHUP);
  ASSERT_TRUE(serve.wait_for_lines(
      R"(reload: 2 sources polled: added=1 removed=0 changed=0 kept=1 errors=0)"))
      << serve.log();
  ASSERT_TRUE(serve.wait_for_lines("source=beta outcome=ok")) << serve.log();
  EXPECT_EQ(feeds_.requests("beta"), 1);
  // alpha kept its place: not polled again because of the reload.
  EXPECT_EQ(serve.lines_matching("source=alpha outcome="), 1) << serve.log();
}

TEST_F(ReloadTest, AChangedSourceTakesEffect) {
  ServeProcess& serve = start({"alpha"});

  // The site moved its feed: the admin edits the file and reloads.
  install_.write_source("alpha", feeds_.url("alpha-moved"));
  serve.signal(SIGHUP);
  ASSERT_TRUE(serve.wait_for_lines(R"(reload: 1 sources polled: added=0 removed=0 changed=1 kept=0)"))
      << serve.log();
  // A changed source is polled soon with its new settings, not at its old due time.
  ASSERT_TRUE(serve.wait_for_lines("source=alpha outcome=", 2)) << serve.log();
  EXPECT_EQ(feeds_.requests("alpha-moved"), 1);
  EXPECT_EQ(feeds_.requests("alpha"), 1);
}

TEST_F(ReloadTest, ABrokenHeraldTomlChangesNothing) {
  ServeProcess& serve = start({"alpha"});

  // A new source and a herald.toml with a typo: neither is applied.
  install_.write_source("beta", feeds_.url("beta"));
  write_text(install_.config(), testing::service_herald_toml() + "\n[fetch\nmin_delay = 1\n");
  serve.signal(SIGHUP);
  ASSERT_TRUE(serve.wait_for_lines(R"(reload: failed, nothing changed: the previous configuration keeps running)"))
      << serve.log();
  EXPECT_GE(serve.lines_matching(R"(error reload: .*herald\.toml:\d+)"), 1) << serve.log();
  EXPECT_EQ(feeds_.requests("beta"), 0);

  // Fixed: the next reload applies both.
  write_text(install_.config(), testing::service_herald_toml());
  serve.signal(SIGHUP);
  ASSERT_TRUE(serve.wait_for_lines(R"(reload: 2 sources polled: added=1 )")) << serve.log();
  ASSERT_TRUE(serve.wait_for_lines("source=beta outcome=ok")) << serve.log();
  serve.signal(SIGTERM);
  const auto status = serve.wait_exit();
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << serve.log();
}

TEST_F(ReloadTest, APollInFlightFinishesBeforeTheReload) {
  install_.write_source("slow", feeds_.url("slow"));
  ServeProcess serve(install_.serve_options(), install_.log());
  ASSERT_TRUE(feeds_.wait_slow_requested()) << serve.log();

  install_.write_source("beta", feeds_.url("beta"));
  serve.signal(SIGHUP);
  ASSERT_TRUE(serve.wait_for_lines("SIGHUP received")) << serve.log();
  feeds_.release_slow();
  ASSERT_TRUE(serve.wait_for_lines("reload: 2 sources polled")) << serve.log();
  const std::string log = serve.log();
  const auto poll = log.find("source=slow outcome=ok");
  const auto reload = log.find("reload: 2 sources polled");
  ASSERT_NE(poll, std::string::npos) << log;
  EXPECT_LT(poll, reload) << "the poll in flight must finish (and be logged) first\n" << log;
  ASSERT_TRUE(serve.wait_for_lines("source=beta outcome=ok")) << serve.log();
}

// A port nothing listens on now: the kernel's pick for a socket that is closed again (a
// plain socket: a listening httplib::Server left behind would share the port).
int free_port() {
  const testing::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t size = sizeof address;
  if (fd.get() < 0 || ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), size) != 0 ||
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    return -1;
  }
  return ntohs(address.sin_port);
}

TEST_F(ReloadTest, TheWebUiGetsTheNewSourceList) {
  const int port = free_port();
  ASSERT_GT(port, 0);
  std::string toml = testing::service_herald_toml();
  toml.replace(toml.find("enabled = false"), 15,
               fmt::format("enabled = true\nlisten_host = \"127.0.0.1\"\nport = {}", port));
  write_text(install_.config(), toml);
  ServeProcess& serve = start({"alpha"});
  ASSERT_TRUE(serve.wait_for_lines(fmt::format("web UI on http://127.0.0.1:{}/", port)))
      << serve.log();

  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(std::chrono::seconds(60));  // a safety net; answers come at once
  const auto metrics = [&client] {
    const auto response = client.Get("/metrics");
    if (!response) {
      return fmt::format("no answer: {}", httplib::to_string(response.error()));
    }
    return response->status == 200 ? response->body : fmt::format("status {}", response->status);
  };
  // herald_source_state lists the configured sources (polled or not).
  const std::string before = metrics();
  EXPECT_NE(before.find("herald_source_state{source=\"alpha\""), std::string::npos) << before;
  EXPECT_EQ(before.find("herald_source_state{source=\"beta\""), std::string::npos) << before;

  install_.write_source("beta", feeds_.url("beta"));
  serve.signal(SIGHUP);
  ASSERT_TRUE(serve.wait_for_lines("reload: 2 sources polled")) << serve.log();
  EXPECT_EQ(serve.lines_matching(fmt::format("web UI on http://127.0.0.1:{}/", port)), 2)
      << serve.log();
  const std::string after = metrics();
  EXPECT_NE(after.find("herald_source_state{source=\"beta\""), std::string::npos) << after;
}

// The long one: waits for second polls, one 60 s interval after the first.
TEST_F(ReloadTest, ABrokenSourceKeepsItsPreviousVersionAndARemovedOneStops) {
  ServeProcess& serve = start({"alpha", "beta"});

  // alpha's file is broken on its line 6, beta's is removed, gamma's is added.
  std::string broken = testing::feed_source_toml("alpha", feeds_.url("alpha-new"));
  broken.replace(broken.find("interval = \"60s\""), 16, "interval = \"soon\"");
  write_text(install_.source_file("alpha"), broken);
  std::filesystem::remove(install_.source_file("beta"));
  install_.write_source("gamma", feeds_.url("gamma"));
  serve.signal(SIGHUP);
  ASSERT_TRUE(serve.wait_for_lines(
      R"(reload: 2 sources polled: added=1 removed=1 changed=0 kept=1 errors=1 \(previous version kept for 1\))"))
      << serve.log();
  EXPECT_EQ(serve.lines_matching(R"(error reload: .*alpha\.toml:6:\d+: .*interval)"), 1)
      << serve.log();
  EXPECT_EQ(serve.lines_matching(R"(warning reload: alpha: .*alpha\.toml is invalid; its previous version keeps running)"),
            1)
      << serve.log();
  ASSERT_TRUE(serve.wait_for_lines("source=gamma outcome=ok")) << serve.log();

  // alpha polls again, as it was: its old URL, not the broken file's new one (the page did
  // not change, so the outcome may be not_modified).
  ASSERT_TRUE(serve.wait_for_lines("source=alpha outcome=(ok|not_modified) ", 2, kSecondPollLimit))
      << serve.log();
  EXPECT_EQ(feeds_.requests("alpha"), 2);
  EXPECT_EQ(feeds_.requests("alpha-new"), 0);
  // gamma was added after beta's first poll, so its second poll comes after beta would
  // have been polled again: by then beta has not been asked again.
  ASSERT_TRUE(serve.wait_for_lines("source=gamma outcome=", 2, kSecondPollLimit))
      << serve.log();
  EXPECT_EQ(serve.lines_matching("source=beta outcome="), 1) << serve.log();
  EXPECT_EQ(feeds_.requests("beta"), 1);
}

}  // namespace
}  // namespace herald
