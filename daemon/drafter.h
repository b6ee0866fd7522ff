#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "daemon/context.h"
#include "scrapers/draft/draft.h"
#include "storage/store.h"

namespace herald {

// What a draft says about its source: the config's name, 来源 as editors write it and the
// language, by source id.
struct DraftSource {
  std::string name{};
  std::string publisher{};
  std::string language{};
};

struct DrafterOptions {
  DraftSettings settings{};           // endpoint "" = extractive drafts only
  DraftRetryPolicy retry{};
  std::map<std::string, DraftSource> sources{};
  // How often an idle worker looks for new candidates (wake() cuts the wait short).
  std::chrono::milliseconds period = std::chrono::seconds(30);
};

// What one pass over the queue did (herald drafts run, the tests).
struct DraftRunStats {
  int claimed = 0;
  int model = 0;          // drafts written by the model
  int extractive = 0;     // drafts from the article's lead sentences (no endpoint or fallback)
  int retried = 0;        // model failures that will be tried again later
  int failed = 0;         // nothing to draft from at all
  bool over_budget = false;  // the day's request budget is spent: the rest waits till tomorrow
};

// [draft] of herald.toml and the sources' names, as the worker needs them.
DrafterOptions drafter_options(const Loaded& loaded);

// "2026-12-07": the UTC day the daily request budget counts in.
std::string utc_day(std::int64_t utc_seconds);

// Queues drafts for new candidates, then drafts up to `limit` due rows now (0: all due),
// one at a time. With an endpoint: one model request per row within the day's budget; a
// transient failure is retried later (backoff, Retry-After), a permanent one or the last
// attempt falls back to the extractive draft with last_error kept. Without an endpoint:
// extractive drafts at once. `stop` (optional) ends the pass between rows.
// Errors: kStorage when the queue cannot be read or written.
Result<DraftRunStats> run_due_drafts(Store& store, const DrafterOptions& options,
                                     const Clock& clock, int limit,
                                     const std::atomic<bool>* stop = nullptr);

// The background drafting of `herald serve`: up to [draft] concurrency threads, each with
// its own Store, never the polling threads. Each drafts due rows one at a time, then sleeps
// `period` (or until wake()). A model or storage failure is logged (once per kind, not per
// row) and tried again later; it never blocks polling or the desk. The destructor stops
// the threads promptly: a request in flight is abandoned within about a second and its row
// is drafted after the next start, with no attempt counted.
class Drafter {
 public:
  Drafter(std::filesystem::path database, DrafterOptions options, const Clock& clock);
  ~Drafter();
  Drafter(const Drafter&) = delete;
  Drafter& operator=(const Drafter&) = delete;

  // New candidates were queued: look now rather than at the end of the period.
  void wake();

 private:
  void run(int worker);

  std::filesystem::path database_;
  DrafterOptions options_;
  const Clock& clock_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::uint64_t wakes_ = 0;  // guarded by mutex_
  std::string budget_logged_day_{};  // guarded by mutex_: "over budget" is logged once a day
  std::vector<std::thread> threads_;
};

}  // namespace herald
