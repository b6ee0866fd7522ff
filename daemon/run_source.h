#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

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

  bool ok() const { return !error.has_value(); }
};

// Builds the request for `source` with the stored validators.
FetchRequest make_request(const SourceConfig& source, const HeraldConfig& config,
                          const Validators& validators);

// One poll: fetch (conditional) -> decode -> parse -> extract -> normalise -> score ->
// store. The new items, their candidates, the validators and the poll record are
// committed in one transaction; on failure only the poll record is written and the
// validators stay as they were, so the next poll fetches the page again.
// `cancel` (optional) abandons the fetch when it becomes true (shutdown).
RunReport run_source_once(const SourceConfig& source, const HeraldConfig& config,
                          Fetcher& fetcher, Store& store, const Clock& clock,
                          const std::atomic<bool>* cancel = nullptr);

// The one summary line per poll, e.g.
// "source=bj-gov outcome=ok http=200 bytes=48213 items=20 new=2 candidates=1 ms=840".
std::string format_report(const RunReport& report);

}  // namespace herald
