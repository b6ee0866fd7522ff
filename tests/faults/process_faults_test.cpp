// The "keeps running" half of RELIABILITY.md §2's contract: the herald binary survives the
// pages that kill naive scrapers (C6 parser DoS, N7 bomb, N6 endless chunked body) and
// exits with a typed outcome, the next poll still works, and a stalled site does not hold
// up the others — neither in `herald poll` nor on serve's schedule.

#include <chrono>
#include <sys/wait.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "common/clock.h"
#include "daemon/context.h"
#include "daemon/run_source.h"
#include "daemon/scheduler.h"
#include "scrapers/fetch/curl_fetcher.h"
#include "tests/daemon/herald_cli.h"
#include "tests/faults/fault_harness.h"
#include "tests/faults/hostile_server.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fixtures.h"
#include "tests/support/local_server.h"

namespace herald::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

std::string source_toml(std::string_view id, std::string_view type, const std::string& url) {
  std::string toml = fmt::format(R"(
id = "{}"
name = "{}"
kind = "company"
language = "en"
timezone = "UTC"
interval = "1h"
type = "{}"
url = "{}"

[fetch]
timeout = "2s"
max_body_bytes = 1048576
)", id, id, type, url);
  if (type == "html") {
    toml += "\n[list]\nitem = \"ul.news li\"\nlink = \"a@href\"\n";
  }
  return toml;
}

// The C6 page: 40,000 unclosed <span> (gumbo 0.10.1 with default options aborts on it).
std::string parser_dos_page() {
  std::string page = "<html><body><ul class=news>";
  for (int i = 0; i < 40000; ++i) {
    page += "<span>";
  }
  return page;
}

class ProcessFaultTest : public ::testing::Test {
 protected:
  ProcessFaultTest() { std::signal(SIGPIPE, SIG_IGN); }

  void SetUp() override {
    web_.routes().Get("/feed", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(feed_, "application/rss+xml; charset=utf-8");
    });
    web_.routes().Get("/dos.html", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(dos_page_, "text/html; charset=utf-8");
    });
    web_.routes().Get("/bomb", [this](const httplib::Request&, httplib::Response& res) {
      res.set_header("Content-Encoding", "gzip");
      res.set_content(bomb_, "application/octet-stream");
    });
    web_.start();

    write_fault_config(dir_.path());
    const auto sources = dir_.path() / "sources.d";
    write_file(sources / "good.toml", source_toml("good", "feed", web_.url("/feed")));
    write_file(sources / "dos.toml", source_toml("dos", "html", web_.url("/dos.html")));
    write_file(sources / "bomb.toml", source_toml("bomb", "feed", web_.url("/bomb")));
    write_file(sources / "chunked.toml", source_toml("chunked", "feed", chunked_.url("/feed")));
    write_file(sources / "stall.toml", source_toml("stall", "feed", stall_.url("/feed")));
    write_file(sources / "dnshang.toml",
               source_toml("dnshang", "feed", "http://hang.example.test/feed"));
  }

  CommandResult herald(const std::string& args) {
    return run_herald(fmt::format("--config '{}' {}", (dir_.path() / "herald.toml").string(),
                                  args));
  }

  std::string feed_ = read_fixture("integration/openai-news-rss-25.xml");
  std::string dos_page_ = parser_dos_page();
  std::string bomb_ = read_fixture("fetch/bomb-20MB.gz");
  LocalServer web_;
  // N6: an endless chunked body, 64 KiB a chunk, until herald hangs up.
  RawServer chunked_{[](int fd, const RawServer::Request&, RawServer&) {
    if (!send_feed_head(fd, "Transfer-Encoding: chunked")) {
      return;
    }
    const std::string chunk = fmt::format("10000\r\n{}\r\n", std::string(0x10000, 'x'));
    for (int i = 0; i < 4096 && send_all(fd, chunk); ++i) {
    }
  }};
  // N3: headers, one byte, then nothing.
  RawServer stall_{[](int fd, const RawServer::Request&, RawServer& self) {
    if (send_feed_head(fd, "Content-Length: 5000")) {
      send_all(fd, "<");
    }
    self.wait_or_stop(std::chrono::seconds{60});
  }};
  TempDir dir_;
};

TEST_F(ProcessFaultTest, HostilePagesEndInATypedOutcomeAndHeraldPollsOnAfterwards) {
  struct Row {
    const char* source;
    const char* outcome;
  };
  for (const Row row : {Row{"dos", "parse_limit"},     // C6
                        Row{"bomb", "too_large"},      // N7
                        Row{"chunked", "too_large"}}) {  // N6
    SCOPED_TRACE(row.source);
    const CommandResult hostile = herald(fmt::format("poll {}", row.source));
    EXPECT_EQ(hostile.exit_code, 1) << "herald did not exit normally: " << hostile.out;
    EXPECT_THAT(hostile.out,
                HasSubstr(fmt::format("source={} outcome={}", row.source, row.outcome)));

    const CommandResult good = herald("poll good");
    EXPECT_EQ(good.exit_code, 0) << good.out;
    // Same bytes as before: herald may report them as not_modified.
    EXPECT_THAT(good.out, ContainsRegex("source=good outcome=(ok|not_modified)")) << good.out;
  }
  // What the failed polls left: recorded outcomes, no items, a sound database.
  const CommandResult status = herald("sources status --json");
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_THAT(status.out, HasSubstr("parse_limit"));
  EXPECT_THAT(status.out, HasSubstr("too_large"));
}

TEST_F(ProcessFaultTest, AStalledSiteDoesNotHoldUpTheOtherSourcesInOnePoll) {
  const CommandResult result = herald("poll stall good");

  EXPECT_EQ(result.exit_code, 1);  // one source failed
  EXPECT_THAT(result.out, HasSubstr("source=stall outcome=timeout"));
  EXPECT_THAT(result.out, HasSubstr("source=good outcome=ok"));
  EXPECT_THAT(result.out, HasSubstr("new=25"));
}

// Runs `script` with sh in fresh user, network and mount namespaces (no root needed where
// unprivileged user namespaces are allowed); stdout and the exit code.
CommandResult run_in_namespaces(const std::string& script) {
  return testing::run_command(fmt::format(
      "unshare --user --map-root-user --net --mount sh -c '{}' 2>/dev/null", script));
}

// N15: a DNS server that never answers. In a network namespace of its own, herald's
// resolv.conf points at a UDP socket on 127.0.0.1:53 that reads nothing back: the source's
// 2 s timeout must end the poll, with the outcome timeout.
TEST_F(ProcessFaultTest, N15_HungResolverIsBoundedByTheSourceTimeout) {
  if (run_in_namespaces("ip link set lo up && echo ready").out != "ready\n" ||
      !std::filesystem::exists("/usr/bin/python3")) {
    GTEST_SKIP() << "needs unshare with user namespaces, ip and /usr/bin/python3";
  }
  write_file(dir_.path() / "resolv.conf", "nameserver 127.0.0.1\noptions attempts:5\n");
  // The listener writes `ready` once bound; herald starts only then.
  const std::string script = fmt::format(
      "ip link set lo up && mount --bind {resolv} /etc/resolv.conf || exit 99; "
      "/usr/bin/python3 -c \"import socket, sys, time; "
      "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
      "s.bind((socket.inet_ntoa(bytes([127, 0, 0, 1])), 53)); open(sys.argv[1], chr(119)); "
      "time.sleep(60)\" {ready} & listener=$!; "
      "while [ ! -e {ready} ]; do sleep 0.05; done; "
      "{herald} --config {config} poll dnshang; rc=$?; kill $listener; exit $rc",
      fmt::arg("resolv", (dir_.path() / "resolv.conf").string()),
      fmt::arg("ready", (dir_.path() / "listener-ready").string()),
      fmt::arg("herald", HERALD_BINARY),
      fmt::arg("config", (dir_.path() / "herald.toml").string()));

  const CommandResult result = run_in_namespaces(script);

  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_THAT(result.out, HasSubstr("source=dnshang outcome=timeout")) << result.out;
  EXPECT_THAT(result.out, HasSubstr("Resolving timed out")) << result.out;
  // The resolver alone would take 5 attempts × 5 s; the poll must end near the source's 2 s
  // (a generous margin for a loaded machine).
  const std::size_t ms_at = result.out.find(" ms=");
  ASSERT_NE(ms_at, std::string::npos);
  EXPECT_LT(std::stol(result.out.substr(ms_at + 4)), 20000) << result.out;
}

// serve's loop in miniature: the Scheduler on a fake steady clock decides who runs; the
// polls are real (a stalled server against a good one). Over six simulated hours the good
// source runs on every hourly tick while the stalled one backs off.
TEST_F(ProcessFaultTest, OtherSourcesKeepTheirScheduleWhileOneStalls) {
  const CurlGlobal curl_global;
  auto loaded = load_configuration(dir_.path() / "herald.toml");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  auto store = open_store(loaded->config);
  ASSERT_TRUE(store.has_value()) << store.error().message;
  auto fetcher = CurlFetcher::create();
  ASSERT_TRUE(fetcher.has_value());
  FakeClock clock;
  const std::vector<std::string> ids = {"stall", "good"};
  Scheduler scheduler({{ids[0], std::chrono::hours(1)}, {ids[1], std::chrono::hours(1)}},
                      clock.now_steady(), 0.0, std::chrono::seconds{0}, 7);
  const auto end = clock.now_steady() + std::chrono::hours(6);
  std::vector<std::vector<std::chrono::steady_clock::time_point>> runs(ids.size());
  std::vector<std::vector<std::string>> outcomes(ids.size());

  while (true) {
    const auto due = scheduler.next();
    ASSERT_TRUE(due.has_value());
    if (due->at > end) {
      break;
    }
    if (due->at > clock.now_steady()) {
      clock.advance(due->at - clock.now_steady());
    }
    const std::size_t i = due->index;
    runs[i].push_back(clock.now_steady());
    const auto started = std::chrono::steady_clock::now();
    const RunReport report = run_source_once(*loaded->find(ids[i]), loaded->config, **fetcher,
                                             *store, clock);
    // The poll took real time; the schedule sees it pass too.
    clock.advance(std::chrono::steady_clock::now() - started);
    outcomes[i].push_back(report.outcome);
    scheduler.completed(i, clock.now_steady(),
                        report.ok() ? Scheduler::Outcome::success()
                                    : Scheduler::Outcome::failure(report.error->retryable));
  }
  fetcher->reset();

  // The stalled source failed every time and was asked less and less often.
  ASSERT_GE(runs[0].size(), 2u);
  for (const std::string& outcome : outcomes[0]) {
    EXPECT_EQ(outcome, "timeout");
  }
  EXPECT_LT(runs[0].size(), runs[1].size());
  // The good one ran every hour, never pushed back by more than the other's stall.
  ASSERT_GE(runs[1].size(), 6u);
  for (std::size_t k = 1; k < runs[1].size(); ++k) {
    EXPECT_LE(runs[1][k] - runs[1][k - 1], std::chrono::hours(1) + std::chrono::seconds(30));
  }
  EXPECT_EQ(outcomes[1].front(), "ok");
}

}  // namespace
}  // namespace herald::testing
