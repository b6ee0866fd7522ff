#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "config/herald_config.h"
#include "config/source_config.h"
#include "scrapers/fetch/fetcher.h"
#include "storage/store.h"

namespace herald {

// What one poll of one source did: the summary log line, the health view and the exit
// code of `herald poll` are made from this.
struct RunReport {
  std::string source_id{};
  std::string outcome{};                   // "ok", "not_modified" or an error_code_name()
  std::optional<long> http_status{};
  std::int64_t bytes = 0;
  int extracted = 0;
  int rejected = 0;                        // rows dropped by normalise
  PollSummary stored{};
  std::int64_t duration_ms = 0;
  std::optional<Error> error{};            // set when the poll failed
  bool charset_suspect = false;
  int enriched = 0;                        // new items whose article page was read
  int enrich_failed = 0;                   // article pages that could not be fetched/read
  // A 200 whose body hashes like the last one processed (a server that ignores ETag and
  // If-Modified-Since): nothing was decoded or parsed; outcome is "not_modified".
  bool body_unchanged = false;
  int evidence_staged = 0;                 // fetches whose body went into the archive
  bool evidence_failed = false;            // the archive could not be written (logged)
  int backfill_days = 0;                   // the window applied if this was the first poll

  bool ok() const { return !error.has_value(); }
};

// Builds the request for `source` with the stored validators.
FetchRequest make_request(const SourceConfig& source, const HeraldConfig& config,
                          const Validators& validators);

// One poll: fetch (conditional) -> decode -> parse -> extract -> normalise -> score ->
// store. The new items, their candidates, the validators, the list body's SHA-256, the
// evidence rows and the poll record are committed in one transaction; on failure only the
// poll record is written and the validators stay as they were, so the next poll fetches
// the page again. A 200 whose body hashes like the last successfully processed one is not
// parsed at all (outcome not_modified, report.body_unchanged).
// Evidence ([archive] enabled): when the poll has new items, the list body and the article
// bodies of new items are written to the archive before the transaction (storage/
// evidence.h); a failure to write them is logged and the poll goes on without evidence.
// `cancel` (optional) abandons the fetch when it becomes true (shutdown).
RunReport run_source_once(const SourceConfig& source, const HeraldConfig& config,
                          Fetcher& fetcher, Store& store, const Clock& clock,
                          const std::atomic<bool>* cancel = nullptr);

// Called with each article page that enrichment read and applied to a new item.
using ArticleObserver = std::function<void(const Item& item, const FetchResponse& page)>;

// Article enrichment ([article]): fetches the page of each item in `items` whose url_key
// `store` does not know yet, at most rules.max_per_poll of them, one after the other with
// `fetcher`, and fills what the list lacked (date, summary, a truncated title) plus body
// and content_source. Counts into report.enriched / report.enrich_failed. Never fails: an
// item whose page cannot be read is kept as the list gave it. `on_article` (optional) sees
// every page that was applied (the evidence archive keeps it).
void enrich_new_items(std::vector<Item>& items, const SourceConfig& source,
                      const HeraldConfig& config, Fetcher& fetcher, Store& store,
                      std::int64_t now_utc, const std::atomic<bool>* cancel, RunReport& report,
                      const ArticleObserver& on_article = {});

// The evidence archive's directory: [archive] dir, else "evidence" next to the database.
// (Nightly retention: storage/evidence.h prune_evidence(store.database(),
// EvidenceArchive(evidence_dir(config)), config.archive.retention, now).)
std::filesystem::path evidence_dir(const HeraldConfig& config);

// How far back a new item is compared with stored ones for "same story, other outlet".
inline constexpr std::int64_t kSameStoryWindowSeconds = 7 * 86400;

// For each of `items`, the id of a stored item first seen within kSameStoryWindowSeconds
// before `now_utc` that reports the same story (scrapers/cluster same_story), the oldest
// such item; nullopt for no match and for items whose url_key is already stored (they are
// not inserted again). All nullopt when the store cannot be read: clustering is an aid,
// never a reason to lose a poll.
std::vector<std::optional<std::int64_t>> find_same_stories(const std::vector<Item>& items,
                                                           Store& store, std::int64_t now_utc);

// The one summary line per poll, e.g.
// "source=bj-gov outcome=ok http=200 bytes=48213 items=20 new=2 candidates=1 ms=840"
// (plus "enriched=N enrich_failed=M" when the source reads article pages, "unchanged=true"
// for a 200 with the last body, "evidence_failed=true" when the archive could not be written).
std::string format_report(const RunReport& report);

}  // namespace herald
