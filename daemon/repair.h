#pragma once

// Self-repair (docs/repair.md): when a polled html source's page still loads but stops
// matching, herald runs discovery on that very page and keeps a proposal (the new [list]
// rules as a complete source file, the items they yield, which of those herald already
// has, a diff against the current file). Nothing changes until an admin applies it
// (`herald sources repair ID --apply`, or the button on the sources page) or discards it.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "config/source_config.h"
#include "daemon/run_source.h"
#include "scrapers/fetch/fetcher.h"
#include "storage/store.h"

namespace herald {

// What sources status, the health page and the alert say of a source with an open proposal.
inline constexpr std::string_view kRepairProposedText = "layout changed — a repair is proposed";

// A poll brings "far fewer items than usual" below this share of its usual count...
inline constexpr double kFewItemsShare = 0.25;
// ... and only when it usually brings at least this many (a list of 3 that shows 1 is noise).
inline constexpr int kFewItemsMinUsual = 8;

// Why the poll in `report` calls for a repair: "no_match" (the page matched nothing, and
// earlier polls did match: health's layout_changed) or "few_items: 2, usually 20"; nullopt
// when it does not (other outcomes, sources that are not polled html lists).
Result<std::optional<std::string>> repair_cause(const SourceConfig& source, Store& store,
                                                const RunReport& report);

// Runs discovery on `page` (the body the poll just fetched) and stores a proposal for
// `source`, unless the newest proposal already was for this same page (an admin's discard
// holds until the page changes) or discovery finds no list that yields items. Returns the
// new proposal's id, or nullopt when none was stored. Reads the source file (source.file).
// Errors: kStorage, kNotFound (the source file cannot be read), kParse.
Result<std::optional<std::int64_t>> propose_repair(const SourceConfig& source, Store& store,
                                                   const FetchResponse& page,
                                                   const std::string& cause,
                                                   std::int64_t now_utc);

// The hook run_source_once calls after the poll's transaction: repair_cause, then
// propose_repair. Never fails the poll: problems are logged.
void consider_repair(const SourceConfig& source, Store& store, const FetchResponse& page,
                     const RunReport& report, std::int64_t now_utc);

struct AppliedRepair {
  std::int64_t proposal_id = 0;
  std::filesystem::path file{};    // the source file, now the proposed text
  std::filesystem::path backup{};  // the old file, kept as ID.toml.bak-YYYYmmddTHHMMSS
  SourceConfig source{};           // the new file as loaded
};

// Applies the source's open proposal: the proposed text is validated as `sources check`
// loads a file (same id, valid keys and selectors), the old file is copied to a backup next
// to it, and the new text replaces it atomically (temp file in the same directory, fsync,
// rename, fsync of the directory). The proposal is then closed as applied by `actor`.
// The running daemon picks the file up at its next reload (SIGHUP). Errors: kNotFound (no
// open proposal), kUsage (the file was edited since the proposal was made), kConfig (the
// proposed text does not load), kStorage.
Result<AppliedRepair> apply_repair(Store& store, const std::string& source_id,
                                   const std::string& actor, std::int64_t now_utc);

// Closes the source's open proposal as discarded; the same page is not proposed for
// again. Errors: kNotFound (no open proposal), kStorage.
Result<RepairProposal> discard_repair(Store& store, const std::string& source_id,
                                      const std::string& actor, std::int64_t now_utc);

// `file_text` with its [list] table (header to the next table) replaced by `list_table`;
// the table is appended when the file has none.
std::string replace_list_table(std::string_view file_text, std::string_view list_table);

// A unified diff (3 lines of context) from `before` to `after`; "" when they are equal.
std::string unified_diff(std::string_view before, std::string_view after,
                         std::string_view before_name, std::string_view after_name);

}  // namespace herald
