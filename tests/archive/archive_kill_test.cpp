// Crash safety of the archive's ordering: `herald poll` killed with SIGKILL at random moments
// over a loopback corpus that keeps publishing. After every kill, every evidence row's body
// file exists and hashes to its name (files are written before the transaction that writes
// the rows), and every stored item has its list page's evidence (the rows are written by the
// items' own transaction, so there is never an item whose evidence was lost in between).

#include <random>

#include <gtest/gtest.h>

#include "storage/evidence.h"
#include "tests/crash/crash_harness.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

using testing::Corpus;
using testing::describe_status;
using testing::HeraldProcess;
using testing::read_text;
using testing::TempDir;

constexpr int kSources = 6;
constexpr int kRounds = 24;      // at least this many killed rounds
constexpr int kMinKills = 12;    // ... and on until this many kills landed
constexpr int kMaxRounds = 150;  // bound on the loop if kills keep missing
constexpr auto kSafetyNet = std::chrono::seconds(60);  // a hang, not a timing check

struct ArchiveState {
  std::int64_t items = 0;
  std::int64_t items_without_list_evidence = 0;
  std::vector<std::string> bodies{};
};

// Read with SQLite alone, read-only, like the crash suite does.
ArchiveState read_state(const std::filesystem::path& database) {
  ArchiveState state;
  if (!std::filesystem::exists(database)) {
    return state;
  }
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(database.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  const std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)> db(raw, &sqlite3_close_v2);
  if (rc != SQLITE_OK ||
      testing::sql_int(db.get(), "SELECT count(*) FROM sqlite_master WHERE name = 'evidence'") == 0) {
    return state;
  }
  state.items = testing::sql_int(db.get(), "SELECT count(*) FROM items");
  state.items_without_list_evidence = testing::sql_int(
      db.get(),
      "SELECT count(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM item_evidence l"
      " JOIN evidence e ON e.id = l.evidence_id WHERE l.item_id = i.id AND e.kind = 'list')");
  for (const auto& row : testing::sql_rows(db.get(), "SELECT DISTINCT body_sha256 FROM evidence")) {
    state.bodies.push_back(row[0].value_or(""));
  }
  return state;
}

TEST(ArchiveKillTest, EveryRowHasItsFileAndEveryItemItsEvidenceAfterAnyKill) {
  Corpus corpus(kSources);
  TempDir dir;
  testing::write_herald_toml(dir.path());
  for (int i = 0; i < kSources; ++i) {
    testing::write_source_toml(dir.path(), corpus.source(i).id(), corpus.url(i),
                               corpus.source(i).html());
  }
  std::filesystem::create_directories(dir.path() / "out");
  const auto database = dir.path() / "state" / "herald.db";
  const EvidenceArchive archive(dir.path() / "state" / "evidence");
  const std::vector<std::string> args{"--config", (dir.path() / "herald.toml").string(), "poll"};

  std::mt19937 random(20261128);  // deterministic kill moments
  std::uniform_int_distribution<int> delay_ms(0, 250);
  int kills = 0;
  // One poll; killed after a random delay unless `to_the_end`. Whether the kill landed
  // depends on how fast herald is on this machine, so rounds go on (bounded) until enough
  // did, as in the crash suite.
  const auto run_round = [&](int round, bool to_the_end) {
    const int delay = delay_ms(random);
    SCOPED_TRACE(fmt::format("round {} ({} ms)", round, to_the_end ? -1 : delay));
    corpus.begin_run(round);
    const auto out = dir.path() / "out" / fmt::format("{}.out", round);
    const auto err = dir.path() / "out" / fmt::format("{}.err", round);
    std::optional<int> status;
    {
      HeraldProcess herald(args, out, err);
      if (!to_the_end) {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay));  // the kill moment
        herald.signal(SIGKILL);
      }
      status = herald.wait_for(kSafetyNet);
    }
    ASSERT_TRUE(status.has_value()) << read_text(err);
    if (WIFSIGNALED(*status)) {
      ++kills;
    } else {
      EXPECT_EQ(describe_status(*status), "exit 0") << read_text(err);
    }

    const ArchiveState state = read_state(database);
    EXPECT_EQ(state.items_without_list_evidence, 0) << "an item lost its evidence";
    for (const std::string& hash : state.bodies) {
      auto body = archive.read(hash);
      EXPECT_TRUE(body.has_value()) << "a row without its file: " << body.error().message;
    }
  };
  int round = 0;
  for (; round < kMaxRounds && (round < kRounds || kills < kMinKills); ++round) {
    run_round(round, false);
    if (::testing::Test::HasFailure()) {
      return;
    }
  }
  run_round(round, true);  // runs to the end: catches up on everything
  if (::testing::Test::HasFailure()) {
    return;
  }
  EXPECT_GE(kills, kMinKills) << "too few kills landed while herald ran in " << round << " rounds";

  const ArchiveState final_state = read_state(database);
  EXPECT_GT(final_state.items, 0);
  // Files of polls killed before their commit are only strays: prune removes them.
  std::error_code ec;
  ASSERT_TRUE(std::filesystem::exists(archive.dir(), ec));
}

}  // namespace
}  // namespace herald
