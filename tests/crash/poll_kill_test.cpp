// RELIABILITY.md S4: `herald poll` killed with SIGKILL at random moments, over and over,
// while the sites it polls keep publishing. The oracle is SQLite's own (§1.4): after every
// kill PRAGMA integrity_check is ok, everything herald acknowledged is stored exactly once,
// nothing is half-written, and no source's validators (ETag, Last-Modified) describe a page
// whose items are not all stored, since then the next poll would get 304 and those items
// would be lost for good.

#include <random>
#include <set>

#include <gtest/gtest.h>

#include "tests/crash/crash_harness.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

using testing::Corpus;
using testing::DbSnapshot;
using testing::describe_status;
using testing::HeraldProcess;
using testing::parse_report_lines;
using testing::read_database;
using testing::read_text;
using testing::ReportLine;
using testing::TempDir;

constexpr int kSources = 8;
constexpr int kMinKills = 50;      // SIGKILLs that actually hit a running herald
constexpr int kMinRounds = 60;
constexpr int kMaxRounds = 300;    // bound on the loop if kills keep missing
constexpr auto kSafetyNet = std::chrono::seconds(60);  // a hang, not a timing check

enum class RoundKind { kSigkill, kSigterm, kFinish };

const char* kind_name(RoundKind kind) {
  switch (kind) {
    case RoundKind::kSigkill: return "SIGKILL";
    case RoundKind::kSigterm: return "SIGTERM";
    case RoundKind::kFinish: return "finish";
  }
  return "?";
}

std::vector<int> one_to(int n) {
  std::vector<int> numbers;
  for (int i = 1; i <= n; ++i) {
    numbers.push_back(i);
  }
  return numbers;
}

class PollKillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_herald_toml(dir_.path());
    for (int i = 0; i < kSources; ++i) {
      testing::write_source_toml(dir_.path(), corpus_.source(i).id(), corpus_.url(i),
                                 corpus_.source(i).html());
    }
    std::filesystem::create_directories(dir_.path() / "out");
  }

  std::filesystem::path database() const { return dir_.path() / "state" / "herald.db"; }

  // The invariants that hold after any kill, whatever the moment.
  void check_consistent(const DbSnapshot& db) {
    if (!db.exists) {
      return;
    }
    ASSERT_EQ(db.integrity, "ok");
    if (db.schema_version == 0) {
      return;
    }
    EXPECT_TRUE(db.foreign_urls.empty()) << db.foreign_urls.front();
    EXPECT_EQ(db.duplicate_url_keys, 0);
    EXPECT_EQ(db.orphan_candidates, 0);
    EXPECT_EQ(db.items_without_candidate, 0) << "every item matches the topic";
    EXPECT_EQ(db.candidates, db.items);
    for (int i = 0; i < kSources; ++i) {
      const testing::ChangingSource& source = corpus_.source(i);
      const auto numbers = db.item_numbers.find(source.id());
      const std::vector<int> stored =
          numbers == db.item_numbers.end() ? std::vector<int>{} : numbers->second;
      const auto row = db.sources.find(source.id());
      if (row == db.sources.end() || !row->second.etag) {
        EXPECT_TRUE(stored.empty()) << source.id() << ": items stored without validators";
        continue;
      }
      const auto generation = source.generation_of(*row->second.etag);
      ASSERT_TRUE(generation.has_value()) << source.id() << ": stored ETag "
                                          << *row->second.etag << " was never served";
      EXPECT_EQ(row->second.last_modified, source.last_modified(*generation))
          << source.id() << ": ETag and Last-Modified from different responses";
      // Equal, not just a superset: the items and the validators of one response are
      // committed together or not at all (and each item is there once).
      EXPECT_EQ(stored, one_to(source.items_in(*generation)))
          << source.id() << ": stored items do not match the page of stored ETag "
          << *row->second.etag;
    }
  }

  int etag_generation(const DbSnapshot& db, int index) {
    const testing::ChangingSource& source = corpus_.source(index);
    const auto row = db.sources.find(source.id());
    if (row == db.sources.end() || !row->second.etag) {
      return -1;
    }
    return source.generation_of(*row->second.etag).value_or(-2);
  }

  // What one run's printed lines promise, against the database before and after it.
  void check_acknowledged(int run, const std::vector<ReportLine>& lines, const DbSnapshot& before,
                          const DbSnapshot& after) {
    std::set<std::string> reported;
    for (const ReportLine& line : lines) {
      SCOPED_TRACE(line.text);
      const auto index = corpus_.index_of(line.source);
      ASSERT_TRUE(index.has_value());
      EXPECT_TRUE(reported.insert(line.source).second) << "one line per source";
      const int gained = after.count(line.source) - before.count(line.source);
      if (line.outcome == "ok") {
        ASSERT_EQ(line.http, 200);
        const auto served = corpus_.source(*index).served_in_run(run);
        ASSERT_TRUE(served.has_value()) << "an ok line for a page the server never sent";
        // Acknowledged: every item of the page herald reported on is stored.
        EXPECT_EQ(etag_generation(after, *index), *served);
        EXPECT_EQ(line.items, corpus_.source(*index).items_in(*served));
        EXPECT_EQ(line.fresh, gained);
        EXPECT_EQ(line.candidates, line.fresh);
        acknowledged_new_ += line.fresh;
        acknowledged_.insert({*index, corpus_.source(*index).items_in(*served)});
      } else if (line.outcome == "not_modified") {
        EXPECT_EQ(line.fresh, 0);
        EXPECT_EQ(gained, 0);
      } else {
        ADD_FAILURE() << "a poll of the loopback corpus failed";
      }
    }
    // A source without a line was not reached, or was killed before or after its commit:
    // its validators moved only to the page it was sent in this run.
    for (int i = 0; i < kSources; ++i) {
      if (reported.count(corpus_.source(i).id()) == 0 &&
          etag_generation(after, i) != etag_generation(before, i)) {
        EXPECT_EQ(etag_generation(after, i), corpus_.source(i).served_in_run(run).value_or(-3))
            << corpus_.source(i).id();
      }
    }
  }

  Corpus corpus_{kSources};
  TempDir dir_;
  std::set<std::pair<int, int>> acknowledged_;  // (source, items of the acknowledged page)
  int acknowledged_new_ = 0;
};

TEST_F(PollKillTest, SigkillAtRandomMomentsLosesAndDuplicatesNothing) {
  const std::vector<std::string> args{"--config", (dir_.path() / "herald.toml").string(), "poll"};
  std::mt19937 random(20231107);  // deterministic kill moments
  std::uniform_int_distribution<int> delay_ms(0, 300);

  int kills = 0;          // SIGKILL reached a running herald
  int kill_missed = 0;    // herald had finished before the signal
  int mid_poll = 0;       // killed with some sources acknowledged and some not
  int sigterms = 0;
  int sigterm_clean = 0;  // exited by itself (0/1) after SIGTERM
  int finished = 0;
  DbSnapshot before = read_database(database());
  int round = 0;
  for (; round < kMaxRounds && (kills < kMinKills || round < kMinRounds); ++round) {
    const RoundKind kind = round % 10 == 9                 ? RoundKind::kFinish
                           : (round % 10 == 4 && round < 40) ? RoundKind::kSigterm
                                                             : RoundKind::kSigkill;
    const int delay = delay_ms(random);
    const auto out = dir_.path() / "out" / fmt::format("{}.out", round);
    const auto err = dir_.path() / "out" / fmt::format("{}.err", round);
    SCOPED_TRACE(fmt::format("round {} ({}, after {} ms)", round, kind_name(kind), delay));

    corpus_.begin_run(round);
    std::optional<int> status;
    {
      HeraldProcess herald(args, out, err);
      if (kind != RoundKind::kFinish) {
        // The kill moment, not a timing assertion.
        std::this_thread::sleep_for(std::chrono::milliseconds(delay));
        herald.signal(kind == RoundKind::kSigkill ? SIGKILL : SIGTERM);
      }
      status = herald.wait_for(kSafetyNet);
    }
    ASSERT_TRUE(status.has_value()) << "herald poll still running after "
                                    << kSafetyNet.count() << " s; stderr:\n" << read_text(err);
    const std::vector<ReportLine> lines = parse_report_lines(read_text(out));
    const bool killed = WIFSIGNALED(*status);
    switch (kind) {
      case RoundKind::kFinish:
        ++finished;
        EXPECT_EQ(describe_status(*status), "exit 0") << read_text(err);
        EXPECT_EQ(lines.size(), static_cast<std::size_t>(kSources)) << read_text(out);
        break;
      case RoundKind::kSigkill:
        if (killed) {
          EXPECT_EQ(WTERMSIG(*status), SIGKILL);
          ++kills;
          if (!lines.empty() && lines.size() < static_cast<std::size_t>(kSources)) {
            ++mid_poll;
          }
        } else {
          ++kill_missed;
          EXPECT_EQ(describe_status(*status), "exit 0") << read_text(err);
        }
        break;
      case RoundKind::kSigterm:
        // Whether poll exits by itself on SIGTERM is SigtermTest's business; here SIGTERM
        // is one more moment to stop at.
        ++sigterms;
        if (!killed) {
          ++sigterm_clean;
        }
        break;
    }

    const DbSnapshot after = read_database(database());
    ASSERT_NO_FATAL_FAILURE(check_consistent(after));
    ASSERT_NO_FATAL_FAILURE(check_acknowledged(round, lines, before, after));
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "stopping at the first inconsistent round; stdout:\n"
                    << read_text(out) << "stderr:\n" << read_text(err);
      return;
    }
    before = after;
  }
  ASSERT_GE(kills, kMinKills) << "too few kills landed while herald ran";

  // Restarted without interference, herald catches up on its own: everything the sites
  // ever published is stored, once.
  corpus_.begin_run(round);
  const auto out = dir_.path() / "out" / "final.out";
  const auto err = dir_.path() / "out" / "final.err";
  std::optional<int> status;
  {
    HeraldProcess herald(args, out, err);
    status = herald.wait_for(kSafetyNet);
  }
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(describe_status(*status), "exit 0") << read_text(err);
  const std::vector<ReportLine> lines = parse_report_lines(read_text(out));
  EXPECT_EQ(lines.size(), static_cast<std::size_t>(kSources)) << read_text(out);
  const DbSnapshot last = read_database(database());
  ASSERT_NO_FATAL_FAILURE(check_consistent(last));
  ASSERT_NO_FATAL_FAILURE(check_acknowledged(round, lines, before, last));

  int published = 0;
  for (int i = 0; i < kSources; ++i) {
    const testing::ChangingSource& source = corpus_.source(i);
    const int all = source.items_in(source.current_generation());
    published += all;
    EXPECT_EQ(last.item_numbers.count(source.id()) ? last.item_numbers.at(source.id())
                                                   : std::vector<int>{},
              one_to(all))
        << source.id() << " after " << source.requests() << " requests";
  }
  for (const auto& [index, count] : acknowledged_) {
    EXPECT_GE(last.count(corpus_.source(index).id()), count);
  }
  EXPECT_EQ(last.items, published);

  fmt::print("crash: rounds={} sigkill={} sigkill_mid_poll={} sigkill_missed={} sigterm={} "
             "sigterm_clean_exit={} finished={} items={} acknowledged_new={} polls={}\n",
             round, kills, mid_poll, kill_missed, sigterms, sigterm_clean, finished, last.items,
             acknowledged_new_, last.polls.size());
}

}  // namespace
}  // namespace herald
