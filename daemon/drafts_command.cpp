// `herald drafts status|run|redo`: the drafting queue from the command line (docs/drafts.md).
// `herald serve` drafts in the background; `drafts run` does the same work in the
// foreground, for installations without serve and for checking an endpoint by hand.

#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "common/clock.h"
#include "common/text.h"
#include "daemon/cli.h"
#include "daemon/context.h"
#include "daemon/drafter.h"

namespace herald {
namespace {

int drafts_status(const GlobalOptions& options) {
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
  const std::int64_t now = clock.now_utc_seconds();
  auto counts = store->draft_counts(now);
  if (!counts) {
    print_error(counts.error());
    return kExitFailed;
  }
  const DraftConfig& draft = loaded->config.draft;
  if (draft.endpoint.empty()) {
    std::cout << "drafting: no [draft] endpoint: drafts are the article's lead sentences\n";
  } else {
    auto spent = store->draft_requests_on(utc_day(now));
    std::cout << fmt::format("drafting: model {} at {}; {} of {} requests used today (UTC)\n",
                             draft.model, draft.endpoint, spent.value_or(0), draft.daily_budget);
  }
  std::cout << fmt::format(
      "queued {} ({} due now), ready {}, accepted {}, discarded {}, failed {}\n",
      counts->queued, counts->due, counts->ready, counts->accepted, counts->discarded,
      counts->failed);
  auto errors = store->recent_draft_errors(5);
  if (errors && !errors->empty()) {
    std::cout << "last errors:\n";
    for (const Draft& d : *errors) {
      std::cout << fmt::format("  candidate {} ({}, {} attempts, {}): {}\n", d.candidate_id,
                               draft_state_name(d.state), d.attempts,
                               format_iso8601(d.updated_at, TimeZone::utc()),
                               strip_controls(d.last_error));
    }
  }
  return kExitOk;
}

int drafts_run(const GlobalOptions& options, int limit) {
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
  auto ran = run_due_drafts(*store, drafter_options(*loaded), clock, limit);
  if (!ran) {
    print_error(ran.error());
    return kExitFailed;
  }
  std::cout << fmt::format(
      "drafted {}: {} by the model, {} from the lead sentences; {} to retry later, {} "
      "without text\n",
      ran->model + ran->extractive, ran->model, ran->extractive, ran->retried, ran->failed);
  if (ran->over_budget) {
    std::cout << fmt::format(
        "today's budget of {} model requests is spent; the rest is drafted tomorrow "
        "(raise [draft] daily_budget to draft more)\n",
        loaded->config.draft.daily_budget);
  }
  return kExitOk;
}

int drafts_redo(const GlobalOptions& options, std::int64_t id) {
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
  if (auto redone = store->redo_draft(id, "cli", clock.now_utc_seconds()); !redone) {
    print_error(redone.error());
    return exit_code_for(redone.error());
  }
  std::cout << fmt::format(
      "candidate {}: queued for a new draft (herald serve drafts it shortly; `herald drafts "
      "run` does it now)\n",
      id);
  return kExitOk;
}

}  // namespace

void add_drafts_verbs(Cli& cli) {
  CLI::App* drafts = cli.app().add_subcommand(
      "drafts", "The drafted Chinese headlines and 摘要 (docs/drafts.md)");
  drafts->require_subcommand(1);

  CLI::App* status = drafts->add_subcommand("status", "Drafts per state and the last errors");
  cli.on(status, [&cli] { return drafts_status(cli.options()); });

  auto limit = std::make_shared<int>(0);
  CLI::App* run = drafts->add_subcommand(
      "run", "Draft the due candidates now, in the foreground (herald serve does it itself)");
  run->add_option("--limit", *limit, "Draft at most this many (default: all that are due)")
      ->check(CLI::NonNegativeNumber);
  cli.on(run, [&cli, limit] { return drafts_run(cli.options(), *limit); });

  auto id = std::make_shared<std::int64_t>(0);
  CLI::App* redo = drafts->add_subcommand("redo", "Draft a candidate again");
  redo->add_option("ID", *id, "The candidate id (as `herald queue list` shows it)")->required();
  cli.on(redo, [&cli, id] { return drafts_redo(cli.options(), *id); });
}

}  // namespace herald
