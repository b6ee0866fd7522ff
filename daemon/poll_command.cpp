// `herald poll [SOURCE...] [--replay DIR]`: one poll cycle in the foreground.

#include <atomic>
#include <iostream>
#include <memory>

#include "common/clock.h"
#include "daemon/cli.h"
#include "daemon/context.h"
#include "daemon/contracts.h"
#include "daemon/politeness.h"
#include "daemon/replay_fetcher.h"
#include "daemon/run_source.h"
#include "daemon/stop_signal.h"

namespace herald {
namespace {

struct PollArguments {
  std::vector<std::string> source_ids{};
  std::string replay{};  // answer fetches from saved responses (docs/source-fixtures.md)
};

int poll_sources(const GlobalOptions& options, const PollArguments& args) {
  // SIGTERM/SIGINT (systemd stopping a `herald poll` unit, Ctrl-C) abandon the transfer in
  // progress, so herald exits by itself with that poll recorded as cancelled.
  StopSignal stop;
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    print_error(loaded.error());
    return exit_code_for(loaded.error());
  }
  // Manual sources are not polled (their bridge feed is, when they have one).
  std::vector<SourceConfig> selected;
  if (args.source_ids.empty()) {
    for (const SourceConfig& source : loaded->sources.sources) {
      if (source.enabled) {
        if (auto polled = polled_config(source)) {
          selected.push_back(std::move(*polled));
        }
      }
    }
  } else {
    for (const std::string& id : args.source_ids) {
      const SourceConfig* source = loaded->find(id);
      if (source == nullptr) {
        print_error(unknown_source(id));
        return kExitUsage;
      }
      auto polled = polled_config(*source);
      if (!polled) {
        print_error(Error{ErrorCode::kUsage,
                          id + " is a manual source (" + source->manual_reason +
                              "); add its articles with 'herald add URL --source " + id + "'"});
        return kExitUsage;
      }
      selected.push_back(std::move(*polled));
    }
  }
  if (selected.empty()) {
    std::cerr << "herald: no enabled polled sources in " << loaded->config.sources_dir.string()
              << "\n";
    return kExitOk;
  }
  auto fetcher = open_fetcher(
      args.replay, politeness_settings(loaded->config, loaded->sources.sources));
  if (!fetcher) {
    print_error(fetcher.error());
    return exit_code_for(fetcher.error());
  }
  auto store = open_store(loaded->config);
  if (!store) {
    print_error(store.error());
    return kExitFailed;
  }
  SystemClock clock;
  int failures = 0;
  for (const SourceConfig& source : selected) {
    if (stop.flag().load()) {
      return kExitFailed;  // the remaining sources were not polled
    }
    const RunReport report =
        run_source_once(source, loaded->config, **fetcher, *store, clock, &stop.flag());
    if (report.error && report.error->code == ErrorCode::kCancelled) {
      // Abandoned, not polled: stdout lists only polls that ran to the end.
      std::cerr << "herald: " << format_report(report) << std::endl;
      return kExitFailed;
    }
    std::cout << format_report(report) << std::endl;
    if (!report.ok()) {
      ++failures;
    }
  }
  return failures == 0 ? kExitOk : kExitFailed;
}

}  // namespace

void add_poll_verb(Cli& cli) {
  auto args = std::make_shared<PollArguments>();
  CLI::App* poll = cli.app().add_subcommand(
      "poll",
      "Poll sources once now (every enabled source, or the ones named), store new items and "
      "queue candidates; prints one line per source, exit 1 if any failed");
  poll->add_option("SOURCE", args->source_ids, "Source ids (see 'herald sources list')");
  poll->add_option("--replay", args->replay,
                   "Answer every fetch from saved responses instead of the network: a fixture "
                   "directory with index.toml, or a directory of them (tests/fixtures)")
      ->check(CLI::ExistingDirectory);
  cli.on(poll, [&cli, args] { return poll_sources(cli.options(), *args); });
}

}  // namespace herald
