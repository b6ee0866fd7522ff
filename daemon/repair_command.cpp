// `herald sources repairs` and `herald sources repair ID [--show|--apply|--discard]`: the
// admin's side of self-repair (daemon/repair.h, docs/repair.md).

#include <cstdlib>
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/text.h"
#include "daemon/cli.h"
#include "daemon/context.h"
#include "daemon/politeness.h"
#include "daemon/replay_fetcher.h"
#include "daemon/repair.h"
#include "daemon/run_source.h"

namespace herald {
namespace {

using nlohmann::json;

json proposal_json(const RepairProposal& p, bool full) {
  json out{{"id", p.id},
           {"source_id", p.source_id},
           {"state", std::string(repair_state_name(p.state))},
           {"created_at", format_iso8601(p.created_at, TimeZone::utc())},
           {"cause", p.cause},
           {"page_url", p.page_url},
           {"file", p.file_path},
           {"items_found", p.items_found},
           {"known_found", p.known_found},
           {"known_total", p.known_total},
           {"confidence", p.confidence},
           {"summary", p.summary}};
  if (full) {
    out["proposed_text"] = p.proposed_text;
    out["diff"] = p.diff;
    out["items"] = json::parse(p.items, nullptr, false);
  }
  return out;
}

// "re-finds 18 of the items herald has": what tells an admin whether to trust it.
std::string known_line(const RepairProposal& p) {
  if (p.known_total == 0) {
    return fmt::format("yields {} items; herald has stored none of this source's items yet",
                       p.items_found);
  }
  return fmt::format("yields {} items, {} of them already stored by herald{}", p.items_found,
                     p.known_found,
                     p.known_found == 0 ? " (it re-finds none of them: check it by hand)" : "");
}

int list_repairs(const GlobalOptions& options, bool as_json) {
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
  auto open = store->open_repairs();
  if (!open) {
    print_error(open.error());
    return kExitFailed;
  }
  if (as_json) {
    json out = json::array();
    for (const RepairProposal& p : *open) {
      out.push_back(proposal_json(p, false));
    }
    std::cout << out.dump(2) << std::endl;
    return kExitOk;
  }
  for (const RepairProposal& p : *open) {
    std::cout << fmt::format("{:<24} {} ({}), proposed {}: {}\n", p.source_id,
                             kRepairProposedText, p.cause,
                             format_iso8601(p.created_at, TimeZone::utc()), known_line(p));
  }
  std::cout << fmt::format("{} repairs proposed{}\n", open->size(),
                           open->empty() ? ""
                                         : "; `herald sources repair ID` shows one, --apply "
                                           "or --discard decides it");
  return kExitOk;
}

struct RepairArguments {
  std::string source_id{};
  bool apply = false;
  bool discard = false;
  bool show = false;  // the default anyway; accepted so scripts can say it
  bool no_poll = false;
  bool json = false;
  std::string by{};
};

void print_proposal(const RepairProposal& p) {
  std::cout << fmt::format("repair {} for {}: {} ({})\n", p.id, p.source_id,
                           kRepairProposedText, p.cause);
  std::cout << fmt::format("proposed {} from the page {}\n",
                           format_iso8601(p.created_at, TimeZone::utc()), p.page_url);
  std::cout << fmt::format("{}; confidence {:.2f}\n", known_line(p), p.confidence);
  std::cout << fmt::format("list: {}\n\n", strip_controls(p.summary));
  const json items = json::parse(p.items, nullptr, false);
  if (items.is_array()) {
    for (const json& item : items) {
      std::cout << fmt::format(
          "  {} {}  {}\n      {}\n", item.value("known", false) ? "=" : "+",
          strip_controls(item.value("date", std::string())),
          strip_controls(item.value("title", std::string())),
          strip_controls(item.value("url", std::string())));
    }
    std::cout << "  (= already stored, + new)\n\n";
  }
  std::cout << p.diff << "\n";
  std::cout << fmt::format("apply: herald sources repair {} --apply    discard: herald sources "
                           "repair {} --discard\n",
                           p.source_id, p.source_id);
}

int repair_source(const GlobalOptions& options, const RepairArguments& args) {
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
  if (args.discard) {
    auto discarded = discard_repair(*store, args.source_id, args.by, clock.now_utc_seconds());
    if (!discarded) {
      print_error(discarded.error());
      return discarded.error().code == ErrorCode::kNotFound ? kExitUsage : kExitFailed;
    }
    std::cout << fmt::format("repair {} for {} discarded; herald proposes again only when "
                             "the page changes\n",
                             discarded->id, args.source_id);
    return kExitOk;
  }
  if (!args.apply) {
    auto open = store->open_repair(args.source_id);
    if (!open) {
      print_error(open.error());
      return kExitFailed;
    }
    if (!*open) {
      print_error(Error{ErrorCode::kNotFound,
                        fmt::format("no repair is proposed for source '{}' (see `herald "
                                    "sources repairs`)",
                                    args.source_id)});
      return kExitUsage;
    }
    if (args.json) {
      std::cout << proposal_json(**open, true).dump(2) << std::endl;
    } else {
      print_proposal(**open);
    }
    return kExitOk;
  }
  auto applied = apply_repair(*store, args.source_id, args.by, clock.now_utc_seconds());
  if (!applied) {
    print_error(applied.error());
    return exit_code_for(applied.error());
  }
  std::cout << fmt::format("repair {} applied to {}; the old file is kept as {}\n",
                           applied->proposal_id, applied->file.string(),
                           applied->backup.string());
  int code = kExitOk;
  if (!args.no_poll) {
    // Polled here with the new file at once, so the admin sees what it brings; the
    // daemon's next poll then finds these items stored.
    auto fetcher = open_fetcher(
        {}, politeness_settings(loaded->config, loaded->sources.sources));
    if (!fetcher) {
      print_error(fetcher.error());
      return kExitFailed;
    }
    const RunReport report =
        run_source_once(applied->source, loaded->config, **fetcher, *store, clock);
    std::cout << format_report(report) << "\n";
    code = report.ok() ? kExitOk : kExitFailed;
  }
  std::cout << "herald serve reads the new file at its next reload: `systemctl reload herald` "
               "(or `kill -HUP` the herald serve process)\n";
  return code;
}

}  // namespace

void add_repair_verbs(Cli& cli) {
  CLI::App* sources = cli.app().get_subcommand("sources");

  auto list_json = std::make_shared<bool>(false);
  CLI::App* list = sources->add_subcommand(
      "repairs",
      "List the repairs herald proposes for sources whose page stopped matching (see "
      "docs/repair.md)");
  list->add_flag("--json", *list_json, "Print a JSON array");
  cli.on(list, [&cli, list_json] { return list_repairs(cli.options(), *list_json); });

  auto args = std::make_shared<RepairArguments>();
  if (const char* user = std::getenv("USER"); user != nullptr) {
    args->by = user;
  }
  CLI::App* repair = sources->add_subcommand(
      "repair",
      "Show the repair proposed for a source (new selectors, the items they yield, which of "
      "them herald already has, the diff), or apply it (the old file is kept as "
      "ID.toml.bak-TIME, the source is polled once with the new file) or discard it");
  repair->add_option("SOURCE", args->source_id, "Source id")->required();
  CLI::Option* apply = repair->add_flag("--apply", args->apply, "Write the proposed file");
  CLI::Option* discard =
      repair->add_flag("--discard", args->discard, "Drop the proposal")->excludes(apply);
  repair->add_flag("--show", args->show, "Show the proposal (the default)")
      ->excludes(apply)
      ->excludes(discard);
  repair->add_flag("--no-poll", args->no_poll, "With --apply: do not poll the source now");
  repair->add_flag("--json", args->json, "With --show: print JSON");
  repair->add_option("--by", args->by, "Who decides (default: $USER); kept with the proposal");
  cli.on(repair, [&cli, args] { return repair_source(cli.options(), *args); });
}

}  // namespace herald
