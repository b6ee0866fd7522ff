// `herald drafts status|run|show|accept|discard|redo`: the drafting queue from the command
// line (docs/drafts.md).
// `herald serve` drafts in the background; `drafts run` does the same work in the
// foreground, for installations without serve and for checking an endpoint by hand.

#include <iostream>
#include <memory>
#include <optional>
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

// One verb's store, opened from the configuration, or the exit code to return.
struct OpenedStore {
  std::optional<Store> store{};
  int exit_code = kExitOk;
};

OpenedStore open_configured_store(const GlobalOptions& options) {
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    print_error(loaded.error());
    return {.exit_code = exit_code_for(loaded.error())};
  }
  auto store = open_store(loaded->config);
  if (!store) {
    print_error(store.error());
    return {.exit_code = kExitFailed};
  }
  return {.store = std::move(*store)};
}

void print_draft(const Draft& draft) {
  std::cout << fmt::format("candidate {}: draft {}", draft.candidate_id,
                           draft_state_name(draft.state));
  if (!draft.method.empty()) {
    std::cout << (draft.extractive() ? " (the article's lead sentences)"
                                     : fmt::format(" (written by {})", draft.model));
  }
  std::cout << "\n";
  if (!draft.title.empty() || !draft.summary.empty()) {
    std::cout << fmt::format("标题: {}\n摘要: {}\n", strip_controls(draft.title),
                             strip_controls(draft.summary));
  }
  if (!draft.last_error.empty()) {
    std::cout << fmt::format("last error: {}\n", strip_controls(draft.last_error));
  }
}

int drafts_show(const GlobalOptions& options, std::int64_t id) {
  OpenedStore opened = open_configured_store(options);
  if (!opened.store) {
    return opened.exit_code;
  }
  auto draft = opened.store->draft_for(id);
  if (!draft) {
    print_error(draft.error());
    return exit_code_for(draft.error());
  }
  if (!*draft) {
    std::cout << fmt::format(
        "candidate {} has no draft yet (herald serve drafts new candidates; `herald drafts "
        "redo {}` queues one)\n",
        id, id);
    return kExitFailed;
  }
  print_draft(**draft);
  return kExitOk;
}

struct AcceptArgs {
  std::int64_t id = 0;
  std::optional<std::string> title{};
  std::optional<std::string> summary{};
};

int drafts_accept(const GlobalOptions& options, const AcceptArgs& args) {
  OpenedStore opened = open_configured_store(options);
  if (!opened.store) {
    return opened.exit_code;
  }
  SystemClock clock;
  auto accepted = opened.store->accept_draft(args.id, "cli", clock.now_utc_seconds(),
                                             args.title, args.summary);
  if (!accepted) {
    print_error(accepted.error());
    return exit_code_for(accepted.error());
  }
  std::cout << fmt::format(
      "candidate {}: the draft is now its title and 摘要 (the original is kept; `herald queue "
      "edit {} --title ''` goes back to it)\n",
      args.id, args.id);
  return kExitOk;
}

int drafts_discard(const GlobalOptions& options, std::int64_t id) {
  OpenedStore opened = open_configured_store(options);
  if (!opened.store) {
    return opened.exit_code;
  }
  SystemClock clock;
  if (auto discarded = opened.store->discard_draft(id, "cli", clock.now_utc_seconds());
      !discarded) {
    print_error(discarded.error());
    return exit_code_for(discarded.error());
  }
  std::cout << fmt::format("candidate {}: draft discarded\n", id);
  return kExitOk;
}

int drafts_redo(const GlobalOptions& options, std::int64_t id) {
  OpenedStore opened = open_configured_store(options);
  if (!opened.store) {
    return opened.exit_code;
  }
  SystemClock clock;
  if (auto redone = opened.store->redo_draft(id, "cli", clock.now_utc_seconds()); !redone) {
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

  auto shown = std::make_shared<std::int64_t>(0);
  CLI::App* show = drafts->add_subcommand("show", "A candidate's draft, beside nothing else");
  show->add_option("ID", *shown, "The candidate id (as `herald queue list` shows it)")
      ->required();
  cli.on(show, [&cli, shown] { return drafts_show(cli.options(), *shown); });

  auto accept_args = std::make_shared<AcceptArgs>();
  CLI::App* accept = drafts->add_subcommand(
      "accept", "Take a ready draft as the candidate's title and 摘要 (the original is kept)");
  accept->add_option("ID", accept_args->id, "The candidate id")->required();
  accept->add_option("--title", accept_args->title, "Take the draft with this title instead");
  accept->add_option("--summary", accept_args->summary,
                     "Take the draft with this 摘要 instead");
  cli.on(accept, [&cli, accept_args] { return drafts_accept(cli.options(), *accept_args); });

  auto discarded = std::make_shared<std::int64_t>(0);
  CLI::App* discard = drafts->add_subcommand("discard", "Drop a candidate's draft");
  discard->add_option("ID", *discarded, "The candidate id")->required();
  cli.on(discard, [&cli, discarded] { return drafts_discard(cli.options(), *discarded); });

  auto id = std::make_shared<std::int64_t>(0);
  CLI::App* redo = drafts->add_subcommand("redo", "Draft a candidate again");
  redo->add_option("ID", *id, "The candidate id (as `herald queue list` shows it)")->required();
  cli.on(redo, [&cli, id] { return drafts_redo(cli.options(), *id); });
}

}  // namespace herald
