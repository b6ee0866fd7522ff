// `herald sources list | check | status | test`: the admins' tools.

#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/text.h"
#include "daemon/cli.h"
#include "daemon/context.h"
#include "daemon/contracts.h"
#include "daemon/output.h"
#include "daemon/run_source.h"
#include "scrapers/fetch/curl_fetcher.h"
#include "scrapers/registry.h"
#include "scrapers/relevance/relevance.h"

namespace herald {
namespace {

using nlohmann::json;

Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(ErrorCode::kNotFound, fmt::format("cannot read {}", path.string()));
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

int list_sources(const GlobalOptions& options, bool as_json) {
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    print_error(loaded.error());
    return exit_code_for(loaded.error());
  }
  if (as_json) {
    json out = json::array();
    for (const SourceConfig& s : loaded->sources.sources) {
      out.push_back(json{{"id", s.id},
                         {"name", s.name},
                         {"kind", std::string(source_kind_name(s.kind))},
                         {"type", std::string(source_type_name(s.type))},
                         {"url", s.url},
                         {"interval_seconds", s.interval.count()},
                         {"timezone", s.timezone.name()},
                         {"language", s.language},
                         {"enabled", s.enabled},
                         {"mode", s.mode == SourceMode::kPoll ? "poll" : "manual"},
                         {"manual_reason", s.manual_reason},
                         {"always_candidate", s.always_candidate},
                         {"file", s.file}});
    }
    std::cout << out.dump(2) << std::endl;
  } else {
    for (const SourceConfig& s : loaded->sources.sources) {
      std::cout << fmt::format("{:<24} {:<5} {:<12} every {:>6}s {}{}  {}\n", s.id,
                               source_type_name(s.type), source_kind_name(s.kind),
                               s.interval.count(), s.enabled ? "" : "(disabled) ", s.url, s.name);
    }
    std::cout << loaded->sources.sources.size() << " sources in "
              << loaded->config.sources_dir.string() << "\n";
  }
  return loaded->sources.errors.empty() ? kExitOk : kExitUsage;
}

struct CheckArguments {
  std::string fixtures{};  // --fixtures: overrides herald.toml [sources] fixtures
};

// Validates every file, then runs each source's contract offline where it has a fixture
// directory. Exit 2 on configuration errors, 1 on contract failures.
int check_sources(const GlobalOptions& options, const CheckArguments& args) {
  auto config = load_herald_config(options.config);
  if (!config) {
    print_error(config.error());
    return kExitUsage;
  }
  auto sources = load_sources(config->sources_dir);
  if (!sources) {
    print_error(sources.error());
    return kExitUsage;
  }
  for (const Error& error : sources->errors) {
    std::cout << "error: " << error.message << "\n";
  }
  const std::filesystem::path fixtures =
      args.fixtures.empty() ? config->fixtures_dir : std::filesystem::path(args.fixtures);
  std::error_code ec;
  if (!args.fixtures.empty() && !std::filesystem::is_directory(fixtures, ec)) {
    print_error(Error{ErrorCode::kUsage,
                      fmt::format("--fixtures {}: not a directory", fixtures.string())});
    return kExitUsage;
  }
  std::map<ContractStatus, int> tally;
  if (!fixtures.empty()) {
    SystemClock clock;
    for (const SourceConfig& source : sources->sources) {
      const ContractResult result =
          check_contract(source, *config, fixtures, clock.now_utc_seconds());
      std::cout << format_contract_line(result) << std::endl;
      ++tally[result.status];
    }
  }
  std::cout << fmt::format("{}: {} sources valid, {} errors", options.config.string(),
                           sources->sources.size(), sources->errors.size());
  if (!fixtures.empty()) {
    std::cout << fmt::format("; contracts in {}: {} ok, {} failed, {} manual, {} without",
                             fixtures.string(), tally[ContractStatus::kOk],
                             tally[ContractStatus::kFailed], tally[ContractStatus::kManual],
                             tally[ContractStatus::kNoContract]);
  }
  std::cout << "\n";
  if (!sources->errors.empty()) {
    return kExitUsage;
  }
  return tally[ContractStatus::kFailed] == 0 ? kExitOk : kExitFailed;
}

std::string mode_text(const SourceConfig& source) {
  if (source.mode == SourceMode::kPoll) {
    return "poll";
  }
  return source.bridge_url ? "manual+bridge" : "manual";
}

// Unhealthy states are printed in capitals so they stand out in a column of "ok".
std::string to_upper_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return out;
}

std::string short_time(const std::optional<std::int64_t>& utc) {
  return utc ? format_iso8601(*utc, TimeZone::utc()).substr(0, 16) + "Z" : std::string("never");
}

// Per configured source: how it is watched, how its polls went and its health
// (docs/health.md). Exit 1 when an enabled polled source is unhealthy (failing, layout
// changed, silent), so a monitoring script needs only the exit code.
int status_sources(const GlobalOptions& options, bool as_json) {
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    print_error(loaded.error());
    return exit_code_for(loaded.error());
  }
  auto store = open_store(loaded->config);
  if (!store) {
    print_error(store.error());
    return kExitFailed;
  }
  SystemClock clock;
  auto health = store->source_health(clock.now_utc_seconds());
  if (!health) {
    print_error(health.error());
    return kExitFailed;
  }
  std::map<std::string, const SourceHealth*> by_id;
  for (const SourceHealth& h : *health) {
    by_id[h.source_id] = &h;
  }
  int unhealthy = 0;
  std::map<HealthState, int> tally;
  json out = json::array();
  for (const SourceConfig& s : loaded->sources.sources) {
    const auto found = by_id.find(s.id);
    const bool polled = polled_config(s).has_value();
    const SourceHealth h = configured_health(
        s.id, found == by_id.end() ? nullptr : found->second, polled, s.manual_reason);
    const bool counts = s.enabled && is_unhealthy(h.state);
    unhealthy += counts ? 1 : 0;
    tally[h.state] += counts ? 1 : 0;
    if (as_json) {
      out.push_back(json{{"id", s.id},
                         {"name", s.name},
                         {"mode", s.mode == SourceMode::kPoll ? "poll" : "manual"},
                         {"manual_reason", s.manual_reason},
                         {"bridge_url", s.bridge_url ? json(*s.bridge_url) : json(nullptr)},
                         {"enabled", s.enabled},
                         {"last_poll_at", published_json(h.last_poll_at, TimeZone::utc())},
                         {"last_success_at", published_json(h.last_success_at, TimeZone::utc())},
                         {"last_outcome", h.last_outcome},
                         {"last_error", h.last_error},
                         {"consecutive_failures", h.consecutive_failures},
                         {"items_last_30_days", h.items_last_30_days},
                         {"items_total", h.items_total},
                         {"last_new_item_at", published_json(h.last_new_item_at, TimeZone::utc())},
                         {"usual_gap_seconds", h.usual_gap ? json(*h.usual_gap) : json(nullptr)},
                         {"state", std::string(health_state_name(h.state))},
                         {"reason", h.reason},
                         {"repair_proposed", h.repair_proposed},  // docs/repair.md
                         {"unhealthy", counts},
                         {"failing", counts && h.state == HealthState::kFailing}});
      continue;
    }
    std::string line = fmt::format(
        "{:<24} {:<13} {:<8} {:<14} success={:<17} fails={:<3} 30d={:<5} {:<14}", s.id, mode_text(s),
        s.enabled ? "enabled" : "disabled", h.last_outcome.empty() ? "-" : h.last_outcome,
        short_time(h.last_success_at), h.consecutive_failures, h.items_last_30_days,
        counts ? to_upper_ascii(health_state_name(h.state))
               : std::string(health_state_name(h.state)));
    if (!h.reason.empty()) {
      line += "  " + truncate_utf8(strip_controls(h.reason), 160);  // --json: all of it
    }
    if (polled && h.state != HealthState::kOk && !h.last_error.empty()) {
      line += "  error: " + truncate_utf8(strip_controls(h.last_error), 200);
    }
    std::cout << line << "\n";
  }
  if (as_json) {
    std::cout << out.dump(2) << std::endl;
  } else {
    std::cout << fmt::format("{} sources; {} unhealthy: {} failing, {} layout_changed, {} silent\n",
                             loaded->sources.sources.size(), unhealthy,
                             tally[HealthState::kFailing], tally[HealthState::kLayoutChanged],
                             tally[HealthState::kSilent]);
  }
  // A skipped file in sources.d (reported on stderr) is a source nobody watches: as much
  // a reason for a monitoring script to wake someone as an unhealthy one.
  if (!loaded->sources.errors.empty()) {
    return kExitUsage;
  }
  return unhealthy == 0 ? kExitOk : kExitFailed;
}

struct TestArguments {
  std::string source_id{};
  std::string page{};
  std::string url{};
  bool json = false;
};

int test_source(const GlobalOptions& options, const TestArguments& args) {
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    print_error(loaded.error());
    return exit_code_for(loaded.error());
  }
  const SourceConfig* source = loaded->find(args.source_id);
  if (source == nullptr) {
    print_error(unknown_source(args.source_id));
    return kExitUsage;
  }
  SystemClock clock;
  FetchResponse page;
  if (!args.page.empty()) {
    auto body = read_file(args.page);
    if (!body) {
      print_error(body.error());
      return kExitFailed;
    }
    // A saved page has no HTTP headers: its charset comes from the source, a BOM, <meta> or
    // detection, and relative links resolve against the source's URL.
    page = FetchResponse{.status = 200, .final_url = source->url, .body = std::move(*body)};
  } else {
    auto fetcher = CurlFetcher::create();
    if (!fetcher) {
      print_error(fetcher.error());
      return kExitFailed;
    }
    FetchRequest request = make_request(*source, loaded->config, Validators{});
    if (!args.url.empty()) {
      request.url = args.url;
    }
    auto fetched = (*fetcher)->fetch(request);
    if (!fetched) {
      print_error(fetched.error());
      return kExitFailed;
    }
    page = std::move(*fetched);
  }
  auto extraction = extract_page(*source, page, clock.now_utc_seconds());
  if (!extraction) {
    print_error(extraction.error());
    return kExitFailed;
  }
  for (Item& item : extraction->items) {
    score_item(item, loaded->config.topics, source->always_candidate);
  }
  if (args.json) {
    json out = json::array();
    for (const Item& item : extraction->items) {
      out.push_back(item_json(item, source->timezone));
    }
    std::cout << out.dump(2) << std::endl;
    return kExitOk;
  }
  for (const Item& item : extraction->items) {
    std::cout << fmt::format("{}  {}{}\n    {}\n", published_short(item.published_at, source->timezone),
                             item.candidate ? "* " : "", item.title, item.url);
  }
  std::cout << fmt::format("{} items ({} rejected), charset {}{}; * = candidate\n",
                           extraction->items.size(), extraction->rejected, extraction->charset,
                           extraction->charset_suspect ? " (suspect)" : "");
  return kExitOk;
}

}  // namespace

void add_sources_verbs(Cli& cli) {
  CLI::App* sources = cli.app().add_subcommand("sources", "Inspect and test source configurations");
  sources->require_subcommand(1);

  auto list_json = std::make_shared<bool>(false);
  CLI::App* list = sources->add_subcommand("list", "List the configured sources");
  list->add_flag("--json", *list_json, "Print a JSON array");
  cli.on(list, [&cli, list_json] { return list_sources(cli.options(), *list_json); });

  auto check_args = std::make_shared<CheckArguments>();
  CLI::App* check = sources->add_subcommand(
      "check",
      "Validate herald.toml and every file in sources.d/ (exit 2 on any error), then run each "
      "source's contract offline on its saved responses (exit 1 when one fails)");
  check->add_option("--fixtures", check_args->fixtures,
                    "Directory of fixture dirs, one per source id (default: herald.toml "
                    "[sources] fixtures)");
  cli.on(check, [&cli, check_args] { return check_sources(cli.options(), *check_args); });

  auto status_json = std::make_shared<bool>(false);
  CLI::App* status = sources->add_subcommand(
      "status",
      "Each source's mode, last outcome, last success, failures in a row and health "
      "(ok, failing, layout_changed, silent, manual, never_polled) with the reason. Exit "
      "codes: 0 every enabled polled source is healthy; 1 at least one is failing (3+ failed "
      "polls in a row), layout_changed (its page stopped matching) or silent (no new item "
      "for over 3x its usual gap), or the database cannot be read; 2 invalid configuration "
      "(herald.toml, or a file in sources.d that was skipped). "
      "See docs/health.md");
  status->add_flag("--json", *status_json, "Print a JSON array");
  cli.on(status, [&cli, status_json] { return status_sources(cli.options(), *status_json); });

  auto args = std::make_shared<TestArguments>();
  CLI::App* test = sources->add_subcommand(
      "test",
      "Show what a source extracts, from a saved page (offline) or fetched now; stores nothing");
  test->add_option("SOURCE", args->source_id, "Source id")->required();
  CLI::Option* page = test->add_option("--page", args->page, "Saved page or feed file to extract from")
                          ->check(CLI::ExistingFile);
  test->add_option("--url", args->url, "Fetch this URL instead of the source's own")->excludes(page);
  test->add_flag("--json", args->json, "Print a JSON array");
  cli.on(test, [&cli, args] { return test_source(cli.options(), *args); });

  add_sources_discover_verb(cli, sources);
}

}  // namespace herald
