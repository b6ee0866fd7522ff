// What a poll costs after extraction (Google Benchmark): scoring the items against the
// editors' topics, committing them to a database that already holds 100,000 items
// (dedup by url_key, FTS triggers, candidate rows, one WAL commit, fsync'd or not), and
// the queue's full-text search on that database. bench/README.md has the results.
//
// The database is built once per run in a temporary directory with the real Store API
// (bench/synthetic_items.h: Chinese and English titles and summaries, a quarter
// candidates), 1,000 items per commit to keep the setup short.

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench/synthetic_items.h"
#include "daemon/context.h"
#include "scrapers/relevance/relevance.h"
#include "storage/store.h"

namespace herald {
namespace {

namespace fs = std::filesystem;

constexpr long kStoredItems = 100'000;
constexpr int kItemsPerPoll = 20;
constexpr int kSources = 400;

// One poll record of `source` at `at`, without items.
PollRecord make_poll(int source, std::int64_t at) {
  PollRecord poll;
  poll.source_id = fmt::format("bench-{:04d}", source);
  poll.started_at = at;
  poll.outcome = "ok";
  poll.http_status = 200;
  poll.new_validators = Validators{.etag = fmt::format("\"{}\"", at), .last_modified = {}};
  poll.default_section = source % 2 == 0 ? "最新法律与监管动态" : "最新行业动态";
  return poll;
}

// The shared 100k-item database; removed at exit.
class BenchDatabase {
 public:
  static BenchDatabase& get() {
    static BenchDatabase db;
    return db;
  }
  Store& store() { return *store_; }
  std::mt19937_64& rng() { return rng_; }
  // A url_key that is stored (for polls that see known items).
  const std::string& stored_key(std::size_t i) const { return keys_[i % keys_.size()]; }
  long next_id() { return next_id_++; }
  ~BenchDatabase() {
    store_.reset();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

 private:
  BenchDatabase() {
    std::string pattern = (fs::temp_directory_path() / "herald-store-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::cerr << "herald_store_bench: cannot make a temporary directory\n";
      std::exit(1);
    }
    dir_ = pattern;
    auto store = Store::open(dir_ / "herald.db");
    if (!store) {
      std::cerr << "herald_store_bench: " << store.error().message << "\n";
      std::exit(1);
    }
    store_.emplace(std::move(*store));
    const std::int64_t start = 1'700'000'000;
    for (long done = 0; done < kStoredItems; done += 1000) {
      const int source = static_cast<int>(done / 1000 % kSources);
      PollRecord poll = make_poll(source, start + done * 90);
      for (int i = 0; i < 1000; ++i) {
        poll.items.push_back(bench::synthetic_item(rng_, source, next_id_++, poll.started_at));
        if (keys_.size() < 10'000) keys_.push_back(poll.items.back().url_key);
      }
      poll.same_story_as.assign(poll.items.size(), std::nullopt);
      if (auto ok = store_->commit_poll(poll); !ok) {
        std::cerr << "herald_store_bench: " << ok.error().message << "\n";
        std::exit(1);
      }
    }
  }

 private:
  fs::path dir_;
  std::optional<Store> store_;
  std::mt19937_64 rng_{1};
  std::vector<std::string> keys_;
  long next_id_ = 0;
};

// commit_poll of one list page's 20 items: all new, or 18 already stored + 2 new (a
// changed page). Real time: with synchronous=FULL (the editors' connections) the WAL
// commit's fsync is most of it; with NORMAL (what the pollers use, daemon/poller_store.cpp)
// there is none.
void bm_commit_poll(benchmark::State& state, int known, Synchronous mode) {
  BenchDatabase& db = BenchDatabase::get();
  if (auto set = db.store().database().set_synchronous(mode); !set) {
    state.SkipWithError(set.error().message.c_str());
    return;
  }
  std::int64_t at = 1'800'000'000;
  std::size_t known_at = 0;
  for (auto _ : state) {
    state.PauseTiming();
    PollRecord poll = make_poll(static_cast<int>(at % kSources), at);
    at += 60;
    for (int i = 0; i < kItemsPerPoll; ++i) {
      Item item = bench::synthetic_item(db.rng(), 7, db.next_id(), poll.started_at);
      if (i < known) {
        item.url_key = db.stored_key(known_at++);
      }
      poll.items.push_back(std::move(item));
    }
    poll.same_story_as.assign(poll.items.size(), std::nullopt);
    state.ResumeTiming();
    auto summary = db.store().commit_poll(poll);
    if (!summary || summary->items_new != kItemsPerPoll - known) {
      state.SkipWithError("commit_poll did not store what it was given");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kItemsPerPoll);
  (void)db.store().database().set_synchronous(Synchronous::kFull);
}

// Store::query_queue as the queue page's search box calls it: all states, one term, the
// first page of 30 cards, clusters collapsed.
void bm_query_queue(benchmark::State& state, const char* term) {
  BenchDatabase& db = BenchDatabase::get();
  QueueQuery query;
  query.state = std::nullopt;
  query.text = term;
  query.limit = 30;
  std::int64_t total = 0;
  for (auto _ : state) {
    auto page = db.store().query_queue(query);
    if (!page) {
      state.SkipWithError(page.error().message.c_str());
      break;
    }
    total = page->total;
    benchmark::DoNotOptimize(page->items.data());
  }
  state.counters["matches"] = static_cast<double>(total);
}

// score_item on one page's 20 items with the shipped topics (config/herald.toml).
void bm_score_items(benchmark::State& state) {
  auto loaded = load_configuration(fs::path(HERALD_SOURCE_DIR) / "config" / "herald.toml");
  if (!loaded) {
    state.SkipWithError(loaded.error().message.c_str());
    return;
  }
  std::mt19937_64 rng(7);
  std::vector<Item> items;
  for (int i = 0; i < kItemsPerPoll; ++i) {
    items.push_back(bench::synthetic_item(rng, i % 8, i, 1'700'000'000));
    items.back().candidate = false;
    items.back().matched_terms.clear();
  }
  for (auto _ : state) {
    for (Item& item : items) {
      score_item(item, loaded->config.topics, false);
    }
    benchmark::DoNotOptimize(items.data());
  }
  state.SetItemsProcessed(state.iterations() * kItemsPerPoll);
}

}  // namespace
}  // namespace herald

int main(int argc, char** argv) {
  using herald::bm_commit_poll;
  using herald::bm_query_queue;
  benchmark::RegisterBenchmark("BM_ScoreItems/20", herald::bm_score_items);
  using herald::Synchronous;
  benchmark::RegisterBenchmark("BM_CommitPoll/new20_into100k", bm_commit_poll, 0,
                               Synchronous::kFull)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_CommitPoll/known18_new2_into100k", bm_commit_poll, 18,
                               Synchronous::kFull)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_CommitPoll/new20_into100k_normal", bm_commit_poll, 0,
                               Synchronous::kNormal)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_CommitPoll/known18_new2_into100k_normal", bm_commit_poll, 18,
                               Synchronous::kNormal)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_QueryQueue/fts_zh_人工智能", bm_query_queue, "人工智能")
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_QueryQueue/fts_en_consultation", bm_query_queue,
                               "consultation")
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_QueryQueue/fts_zh_rare_工作推进会", bm_query_queue,
                               "工作推进会")
      ->Unit(benchmark::kMillisecond);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
