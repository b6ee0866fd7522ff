#include "daemon/contracts.h"

#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "config/fixtures.h"
#include "daemon/context.h"
#include "daemon/output.h"
#include "daemon/replay_fetcher.h"
#include "daemon/run_source.h"
#include "scrapers/normalise/date.h"
#include "scrapers/registry.h"
#include "storage/store.h"

namespace herald {
namespace {

// Multi-line loader errors fit on the one line a source gets.
std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text) {
    out += c == '\n' ? std::string("; ") : std::string(1, c);
  }
  return out;
}

std::string describe_published(const Item& item, const TimeZone& zone) {
  return item.published_at ? format_iso8601(*item.published_at, zone) : "no date";
}

// Whether the item's date is what expected.toml says: the same local day in the source's
// zone for "2023-11-29", the same instant for a full ISO 8601 value.
bool published_matches(const Item& item, const std::string& expected, const TimeZone& zone,
                       std::int64_t now_utc) {
  if (expected.empty()) {
    return true;
  }
  if (!item.published_at) {
    return false;
  }
  if (expected.size() == 10) {
    return published_short(item.published_at, zone) == expected;
  }
  const auto instant = parse_date(expected, TimeZone::utc(), now_utc);
  return instant && instant->utc_seconds == *item.published_at;
}

void compare(ContractResult& result, const FixtureContract& contract, const SourceConfig& source,
             std::int64_t now_utc) {
  if (result.extracted != contract.count) {
    result.problems.push_back(
        fmt::format("{} items, expected count = {}", result.extracted, contract.count));
  }
  for (const ExpectedItem& expected : contract.items) {
    const Item* found = nullptr;
    for (const Item& item : result.items) {
      if (item.url == expected.url) {
        found = &item;
        break;
      }
    }
    if (found == nullptr) {
      result.problems.push_back(
          fmt::format("missing \"{}\" {} ({})", expected.title, expected.url, expected.where));
      continue;
    }
    if (found->title != expected.title) {
      result.problems.push_back(fmt::format("{}: title \"{}\", expected \"{}\"", expected.url,
                                            found->title, expected.title));
    }
    if (!published_matches(*found, expected.published, source.timezone, now_utc)) {
      result.problems.push_back(fmt::format("{}: published {}, expected {}", expected.url,
                                            describe_published(*found, source.timezone),
                                            expected.published));
    }
  }
  result.status = result.problems.empty() ? ContractStatus::kOk : ContractStatus::kFailed;
}

}  // namespace

std::optional<SourceConfig> polled_config(const SourceConfig& source) {
  if (source.mode == SourceMode::kPoll) {
    return source;
  }
  if (!source.bridge_url) {
    return std::nullopt;
  }
  SourceConfig bridge = source;
  bridge.mode = SourceMode::kPoll;
  bridge.type = SourceType::kFeed;
  bridge.url = *source.bridge_url;
  bridge.list.reset();
  bridge.json.reset();
  bridge.courtlistener.reset();
  return bridge;
}

ContractResult run_contract(const SourceConfig& source, const HeraldConfig& config,
                            const std::filesystem::path& fixture_dir, std::int64_t now_utc) {
  ContractResult result{.source_id = source.id, .status = ContractStatus::kFailed};
  auto failed = [&](const Error& error) {
    result.problems.push_back(one_line(error.message));
    return result;
  };
  const std::optional<SourceConfig> polled = polled_config(source);
  if (!polled) {
    result.status = ContractStatus::kManual;
    result.manual_reason = source.manual_reason;
    return result;
  }
  auto contract = load_fixture_contract(fixture_dir);
  if (!contract) {
    return failed(contract.error());
  }
  auto fetcher = ReplayFetcher::open(fixture_dir);
  if (!fetcher) {
    return failed(fetcher.error());
  }
  // Enrichment reads only the pages of items the store does not know: an empty store
  // makes every item new, as on a source's first poll.
  auto store = Store::open(":memory:");
  if (!store) {
    return failed(store.error());
  }
  const FetchRequest request = make_request(*polled, config, Validators{});
  auto page = (*fetcher)->fetch(request);
  if (!page) {
    return failed(page.error());
  }
  auto extraction = extract_page(*polled, *page, now_utc);
  if (!extraction) {
    return failed(extraction.error());
  }
  RunReport report{.source_id = source.id};
  enrich_new_items(extraction->items, *polled, config, **fetcher, *store, now_utc, nullptr,
                   report);
  result.extracted = static_cast<int>(extraction->items.size());
  result.items = std::move(extraction->items);
  compare(result, *contract, *polled, now_utc);
  return result;
}

ContractResult check_contract(const SourceConfig& source, const HeraldConfig& config,
                              const std::filesystem::path& fixtures_root, std::int64_t now_utc) {
  const std::filesystem::path dir = fixtures_root / source.id;
  std::error_code ec;
  const bool has_fixture = !fixtures_root.empty() && std::filesystem::is_directory(dir, ec);
  if (!polled_config(source) || (source.mode == SourceMode::kManual && !has_fixture)) {
    return ContractResult{.source_id = source.id,
                          .status = ContractStatus::kManual,
                          .manual_reason = source.manual_reason};
  }
  if (!has_fixture) {
    return ContractResult{.source_id = source.id, .status = ContractStatus::kNoContract};
  }
  return run_contract(source, config, dir, now_utc);
}

std::string format_contract_line(const ContractResult& result) {
  switch (result.status) {
    case ContractStatus::kOk:
      return fmt::format("ok      {:<24} {} items (contract)", result.source_id, result.extracted);
    case ContractStatus::kFailed:
      return fmt::format("FAIL    {:<24} {}", result.source_id, join(result.problems, "; "));
    case ContractStatus::kManual:
      return fmt::format("manual  {:<24} {}", result.source_id,
                         result.manual_reason.empty() ? "(no reason given)"
                                                      : one_line(result.manual_reason));
    case ContractStatus::kNoContract:
      break;
  }
  return fmt::format("none    {:<24} no contract", result.source_id);
}

}  // namespace herald
