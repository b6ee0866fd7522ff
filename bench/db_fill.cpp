// Fills a herald database with synthetic items for the database-at-scale benchmark
// (scripts/bench-db), through the real Store API: every item goes in with
// Store::commit_poll, 20 items per poll as a list page delivers them, so the FTS triggers,
// the url_key dedup index and the candidate rows cost what they cost in service.
//
//   herald_db_fill --db FILE [--items 1000000] [--per-poll 20] [--sources 400]
//                  [--decide-older-than-days 14] [--seed 1]
//
// Items: realistic Chinese (government announcements) and English (regulator news) titles
// and summaries, one in ten with an article body of ~1.5 KB; first seen spread over the
// three years before now, about a quarter of them candidates (their titles carry an AI
// term). Sources alternate between government (section 最新法律与监管动态) and media
// (最新行业动态) kinds. Afterwards, candidates queued more than --decide-older-than-days
// ago are decided (80% rejected, 20% accepted) with one UPDATE, as an editorial team
// working through its queue leaves them; the rest stay pending.
//
// Prints one line per 100,000 items: "inserted=N seconds=S (block_seconds=B)".

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <sqlite3.h>

#include "bench/synthetic_items.h"
#include "storage/store.h"

namespace {

struct Fill {
  std::string db;
  long items = 1'000'000;
  int per_poll = 20;
  int sources = 400;
  int decide_days = 14;
  unsigned seed = 1;
};

int run(const Fill& fill) {
  std::filesystem::remove(fill.db);
  std::filesystem::remove(fill.db + "-wal");
  std::filesystem::remove(fill.db + "-shm");
  auto store = herald::Store::open(fill.db);
  if (!store) {
    std::cerr << "herald_db_fill: " << store.error().message << "\n";
    return 1;
  }
  std::mt19937_64 rng(fill.seed);
  const std::int64_t now = std::time(nullptr);
  const std::int64_t span = 3LL * 365 * 86400;
  const long polls = (fill.items + fill.per_poll - 1) / fill.per_poll;
  const auto start = std::chrono::steady_clock::now();
  auto block_start = start;
  long inserted = 0;
  for (long p = 0; p < polls; ++p) {
    const int source = static_cast<int>(p % fill.sources);
    const bool government = source % 2 == 0;
    herald::PollRecord poll;
    poll.source_id = fmt::format("bench-{:04d}", source);
    poll.started_at = now - span + span * p / polls;  // time moves forward poll by poll
    poll.duration_ms = 300;
    poll.outcome = "ok";
    poll.http_status = 200;
    poll.bytes = 55'000;
    poll.new_validators = herald::Validators{.etag = fmt::format("\"{:x}\"", rng()),
                                             .last_modified = std::nullopt};
    poll.default_section = government ? "最新法律与监管动态" : "最新行业动态";
    const int n = static_cast<int>(std::min<long>(fill.per_poll, fill.items - inserted));
    for (int i = 0; i < n; ++i) {
      poll.items.push_back(herald::bench::synthetic_item(rng, source, inserted + i,
                                                         poll.started_at));
    }
    poll.same_story_as.assign(poll.items.size(), std::nullopt);
    auto done = store->commit_poll(poll);
    if (!done) {
      std::cerr << "herald_db_fill: " << done.error().message << "\n";
      return 1;
    }
    const long before = inserted;
    inserted += n;
    if (inserted / 100'000 != before / 100'000 || inserted == fill.items) {
      const auto t = std::chrono::steady_clock::now();
      std::cout << fmt::format("inserted={} seconds={:.1f} block_seconds={:.1f}\n", inserted,
                               std::chrono::duration<double>(t - start).count(),
                               std::chrono::duration<double>(t - block_start).count())
                << std::flush;
      block_start = t;
    }
  }

  // The editors' work: everything older than decide_days has been decided.
  sqlite3* raw = nullptr;
  if (sqlite3_open(fill.db.c_str(), &raw) != SQLITE_OK) {
    std::cerr << "herald_db_fill: cannot reopen " << fill.db << "\n";
    sqlite3_close(raw);
    return 1;
  }
  sqlite3_busy_timeout(raw, 5000);
  const std::string decide = fmt::format(
      "UPDATE candidates SET state = CASE WHEN id % 5 = 0 THEN 'accepted' ELSE 'rejected' END,"
      " reviewer = 'bench', decided_at = queued_at + 86400 WHERE queued_at < {};"
      " PRAGMA wal_checkpoint(TRUNCATE);",
      now - static_cast<std::int64_t>(fill.decide_days) * 86400);
  char* message = nullptr;
  const int rc = sqlite3_exec(raw, decide.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::cerr << "herald_db_fill: " << (message != nullptr ? message : "update failed") << "\n";
    sqlite3_free(message);
    sqlite3_close(raw);
    return 1;
  }
  sqlite3_close(raw);
  std::cout << fmt::format("done items={} file_bytes={}\n", inserted,
                           std::filesystem::file_size(fill.db));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Fill fill;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--db") fill.db = value;
    else if (flag == "--items") fill.items = std::atol(value);
    else if (flag == "--per-poll") fill.per_poll = std::atoi(value);
    else if (flag == "--sources") fill.sources = std::atoi(value);
    else if (flag == "--decide-older-than-days") fill.decide_days = std::atoi(value);
    else if (flag == "--seed") fill.seed = static_cast<unsigned>(std::atoi(value));
    else {
      std::cerr << "herald_db_fill: unknown option " << flag << "\n";
      return 2;
    }
  }
  if (fill.db.empty() || fill.items <= 0 || fill.per_poll <= 0 || fill.sources <= 0) {
    std::cerr << "usage: herald_db_fill --db FILE [--items N] [--per-poll N] [--sources N] "
                 "[--decide-older-than-days N] [--seed N]\n";
    return 2;
  }
  return run(fill);
}
