// `herald poll --jobs N`: sources polled by several workers at once, each with its own
// fetcher and database connection, while no host ever sees two requests of one cycle at
// the same time. Two loopback servers are two hosts (politeness counts host:port).

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/daemon/herald_cli.h"
#include "tests/support/fixtures.h"
#include "tests/support/local_server.h"

namespace herald {
namespace {

using ::testing::HasSubstr;
using testing::LocalServer;
using testing::read_fixture;
using testing::run_herald;
using testing::TempDir;
using testing::write_file;

constexpr int kFeedsPerHost = 3;
constexpr int kItemsPerFeed = 25;  // tests/fixtures/integration/openai-news-rss-25.xml

// Watches every feed request of both hosts: how many are in flight per host at once, and
// whether requests to the two hosts ever overlapped. The first feed request of each host
// waits (for at most a few seconds) until the other host has one in flight too, so a
// cycle that polls the hosts in parallel is seen to do so whatever the scheduling.
class Traffic {
 public:
  void begin(int host) {
    std::unique_lock lock(mutex_);
    ++in_flight_[host];
    max_in_flight_[host] = std::max(max_in_flight_[host], in_flight_[host]);
    if (in_flight_[1 - host] > 0) {
      overlapped_ = true;
    }
    changed_.notify_all();
    if (rendezvous_ && met_.insert(host).second) {
      changed_.wait_for(lock, std::chrono::seconds(5), [&] { return in_flight_[1 - host] > 0; });
      if (in_flight_[1 - host] > 0) {
        overlapped_ = true;
      }
    }
  }
  void end(int host) {
    std::lock_guard lock(mutex_);
    --in_flight_[host];
    changed_.notify_all();
  }
  int max_in_flight(int host) {
    std::lock_guard lock(mutex_);
    return max_in_flight_[host];
  }
  // Off: nothing waits (a cycle with one worker would only be slowed down).
  void set_rendezvous(bool on) {
    std::lock_guard lock(mutex_);
    rendezvous_ = on;
  }
  bool overlapped() {
    std::lock_guard lock(mutex_);
    return overlapped_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<int, int> in_flight_{{0, 0}, {1, 0}};
  std::map<int, int> max_in_flight_{{0, 0}, {1, 0}};
  std::set<int> met_;
  bool overlapped_ = false;
  bool rendezvous_ = true;
};

class PollJobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string feed = read_fixture("integration/openai-news-rss-25.xml");
    for (int host = 0; host < 2; ++host) {
      for (int n = 0; n < kFeedsPerHost; ++n) {
        // Each source's items get links of their own, so every source stores 25 new items.
        std::string body = feed;
        const std::string from = "https://openai.com/";
        const std::string to = fmt::format("https://openai.com/h{}f{}/", host, n);
        for (std::size_t at = body.find(from); at != std::string::npos;
             at = body.find(from, at + to.size())) {
          body.replace(at, from.size(), to);
        }
        servers_[host].routes().Get(
            fmt::format("/feed{}.xml", n),
            [this, host, body](const httplib::Request& request, httplib::Response& response) {
              traffic_.begin(host);
              if (request.get_header_value("If-None-Match") == "\"v1\"") {
                response.status = 304;
              } else {
                response.set_header("ETag", "\"v1\"");
                response.set_content(body, "application/rss+xml");
              }
              traffic_.end(host);
            });
      }
      servers_[host].start();
    }
    // No topics: what is stored, not what is queued, is under test here.
    write_file(dir_.path() / "herald.toml",
               "[storage]\ndatabase = \"jobs.db\"\n[sources]\ndir = \"sources.d\"\n"
               "[fetch]\nmin_delay = \"0s\"\n");
    for (int host = 0; host < 2; ++host) {
      for (int n = 0; n < kFeedsPerHost; ++n) {
        add_source(fmt::format("h{}-feed{}", host, n),
                   servers_[host].url(fmt::format("/feed{}.xml", n)));
      }
    }
  }

  void add_source(const std::string& id, const std::string& url) {
    write_file(dir_.path() / "sources.d" / (id + ".toml"),
               fmt::format("id = \"{0}\"\nname = \"{0}\"\nkind = \"company\"\nlanguage = \"en\"\n"
                           "timezone = \"UTC\"\ninterval = \"1h\"\ntype = \"feed\"\nurl = \"{1}\"\n",
                           id, url));
  }

  std::string config() const { return "--config '" + (dir_.path() / "herald.toml").string() + "'"; }

  // source id -> its output line; fails the test when a source has no line or several.
  static std::map<std::string, std::string> lines_by_source(const std::string& out) {
    std::map<std::string, std::string> lines;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
      const std::string id = line.substr(7, line.find(' ') - 7);  // "source=ID outcome=…"
      EXPECT_TRUE(line.starts_with("source=")) << line;
      EXPECT_TRUE(lines.emplace(id, line).second) << "two lines for " << id << ":\n" << out;
    }
    return lines;
  }

  TempDir dir_;
  Traffic traffic_;  // before the servers: their routes use it until they stop
  LocalServer servers_[2];
};

TEST_F(PollJobsTest, TwoWorkersPollTwoHostsAtOnceButNeverOneHostTwice) {
  const auto first = run_herald(config() + " poll --jobs 2");
  EXPECT_EQ(first.exit_code, 0) << first.out;
  const auto lines = lines_by_source(first.out);
  ASSERT_EQ(lines.size(), 2u * kFeedsPerHost) << first.out;
  for (const auto& [id, line] : lines) {
    EXPECT_THAT(line, HasSubstr("outcome=ok http=200"));
    EXPECT_THAT(line, HasSubstr(fmt::format("items={} new={}", kItemsPerFeed, kItemsPerFeed)));
  }
  EXPECT_TRUE(traffic_.overlapped()) << "the two hosts were never polled at the same time";
  EXPECT_EQ(traffic_.max_in_flight(0), 1);
  EXPECT_EQ(traffic_.max_in_flight(1), 1);

  // Every worker's commits arrived: all 150 items are in the one database.
  const auto sources = run_herald(config() + " sources status --json");
  ASSERT_EQ(sources.exit_code, 0) << sources.out;
  const auto status = nlohmann::json::parse(sources.out);
  ASSERT_EQ(status.size(), 2u * kFeedsPerHost);
  for (const auto& source : status) {
    EXPECT_EQ(source.value("items_total", -1), kItemsPerFeed) << source.dump();
  }

  // The validators each worker stored are sent back: the next cycle is all 304s.
  const auto again = run_herald(config() + " poll --jobs 2");
  EXPECT_EQ(again.exit_code, 0) << again.out;
  for (const auto& [id, line] : lines_by_source(again.out)) {
    EXPECT_THAT(line, HasSubstr("outcome=not_modified http=304")) << id;
  }
  EXPECT_EQ(traffic_.max_in_flight(0), 1);
  EXPECT_EQ(traffic_.max_in_flight(1), 1);
}

TEST_F(PollJobsTest, OneFailingSourceFailsTheCycleAndTheOthersAreStillPolled) {
  LocalServer broken;
  broken.routes().Get("/down.xml", [](const httplib::Request&, httplib::Response& response) {
    response.status = 500;
  });
  broken.start();
  add_source("broken", broken.url("/down.xml"));

  const auto result = run_herald(config() + " poll --jobs 3");
  EXPECT_EQ(result.exit_code, 1) << result.out;
  const auto lines = lines_by_source(result.out);
  ASSERT_EQ(lines.size(), 2u * kFeedsPerHost + 1) << result.out;
  EXPECT_THAT(lines.at("broken"), HasSubstr("outcome=http_5xx"));
  for (const auto& [id, line] : lines) {
    if (id != "broken") {
      EXPECT_THAT(line, HasSubstr("outcome=ok")) << line;
    }
  }
}

TEST_F(PollJobsTest, OneJobPollsEverySourceInOrderAndZeroJobsIsAUsageError) {
  traffic_.set_rendezvous(false);
  const auto serial = run_herald(config() + " poll --jobs 1");
  EXPECT_EQ(serial.exit_code, 0) << serial.out;
  const auto lines = lines_by_source(serial.out);
  ASSERT_EQ(lines.size(), 2u * kFeedsPerHost);
  EXPECT_FALSE(traffic_.overlapped());
  // One worker takes one host after the other, each host's sources in configuration order.
  std::vector<std::string> order;
  std::istringstream in(serial.out);
  for (std::string line; std::getline(in, line);) {
    order.push_back(line.substr(7, line.find(' ') - 7));
  }
  for (int n = 1; n < kFeedsPerHost; ++n) {
    const auto at = [&](const std::string& id) {
      return std::find(order.begin(), order.end(), id) - order.begin();
    };
    EXPECT_LT(at(fmt::format("h0-feed{}", n - 1)), at(fmt::format("h0-feed{}", n)));
    EXPECT_LT(at(fmt::format("h1-feed{}", n - 1)), at(fmt::format("h1-feed{}", n)));
  }

  EXPECT_EQ(run_herald(config() + " poll --jobs 0").exit_code, 2);
}

}  // namespace
}  // namespace herald
