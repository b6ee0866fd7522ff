#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/item.h"
#include "config/herald_config.h"
#include "config/source_config.h"

namespace herald {

// What herald polls for `source`: the source itself in poll mode; for a manual source with
// a bridge_url, a feed source reading that bridge (mode poll); nullopt for a manual source
// without one (editors add its articles with `herald add`).
std::optional<SourceConfig> polled_config(const SourceConfig& source);

// A source's contract (docs/source-fixtures.md): its saved responses replayed through the
// source's normal poll path (list extraction plus [article] enrichment), without storage,
// compared with expected.toml. Shared by `herald sources check` and the contracts tests.
enum class ContractStatus {
  kOk,          // the extraction matches expected.toml
  kFailed,      // it does not, or the fixture is unreadable
  kManual,      // a manual source: nothing to poll, so nothing to check (reason given)
  kNoContract,  // polled, but no fixture directory
};

struct ContractResult {
  std::string source_id{};
  ContractStatus status = ContractStatus::kNoContract;
  int extracted = 0;                   // items from the list response
  std::vector<std::string> problems{};  // what differs, for kFailed
  std::string manual_reason{};          // for kManual
  std::vector<Item> items{};            // what the source extracted (after enrichment)
};

// Runs the contract in `fixture_dir` (holding index.toml and expected.toml) for `source`.
// `now_utc` anchors date sanity checks, as the fetch time does in a poll.
ContractResult run_contract(const SourceConfig& source, const HeraldConfig& config,
                            const std::filesystem::path& fixture_dir, std::int64_t now_utc);

// What `sources check` does for one source: kManual for a manual source (unless it has a
// bridge and a fixture), kNoContract when `fixtures_root`/<id>/ does not exist, else
// run_contract on it.
ContractResult check_contract(const SourceConfig& source, const HeraldConfig& config,
                              const std::filesystem::path& fixtures_root, std::int64_t now_utc);

// One line per source: "ok      bj-gov-gzdt             15 items (contract)",
// "FAIL    sh-sheitc               count 11, expected 12; ...",
// "manual  cn-wechat-mp            <reason>", "none    us-x                    no contract".
std::string format_contract_line(const ContractResult& result);

}  // namespace herald
