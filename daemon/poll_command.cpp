// `herald poll [SOURCE...]`: one poll cycle in the foreground.

#include <iostream>

#include "common/clock.h"
#include "daemon/cli.h"
#include "daemon/context.h"
#include "daemon/run_source.h"
#include "scrapers/fetch/curl_fetcher.h"

namespace herald {
namespace {

int poll_sources(const GlobalOptions& options, const std::vector<std::string>& source_ids) {
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    print_error(loaded.error());
    return exit_code_for(loaded.error());
  }
  std::vector<const SourceConfig*> selected;
  if (source_ids.empty()) {
    for (const SourceConfig& source : loaded->sources.sources) {
      if (source.enabled) {
        selected.push_back(&source);
      }
    }
  } else {
    for (const std::string& id : source_ids) {
      const SourceConfig* source = loaded->find(id);
      if (source == nullptr) {
        print_error(unknown_source(id));
        return kExitUsage;
      }
      selected.push_back(source);
    }
  }
  if (selected.empty()) {
    std::cerr << "herald: no enabled sources in " << loaded->config.sources_dir.string() << "\n";
    return kExitOk;
  }
  auto store = open_store(loaded->config);
  if (!store) {
    print_error(store.error());
    return kExitFailed;
  }
  auto fetcher = CurlFetcher::create();
  if (!fetcher) {
    print_error(fetcher.error());
    return kExitFailed;
  }
  SystemClock clock;
  int failures = 0;
  for (const SourceConfig* source : selected) {
    const RunReport report = run_source_once(*source, loaded->config, **fetcher, *store, clock);
    std::cout << format_report(report) << std::endl;
    if (!report.ok()) {
      ++failures;
    }
  }
  return failures == 0 ? kExitOk : kExitFailed;
}

}  // namespace

void add_poll_verb(Cli& cli) {
  auto source_ids = std::make_shared<std::vector<std::string>>();
  CLI::App* poll = cli.app().add_subcommand(
      "poll",
      "Poll sources once now (every enabled source, or the ones named), store new items and "
      "queue candidates; prints one line per source, exit 1 if any failed");
  poll->add_option("SOURCE", *source_ids, "Source ids (see 'herald sources list')");
  cli.on(poll, [&cli, source_ids] { return poll_sources(cli.options(), *source_ids); });
}

}  // namespace herald
