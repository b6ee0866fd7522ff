// `herald queue list | show | accept | reject`: the editors' command line.

#include <cstdlib>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "daemon/cli.h"
#include "daemon/context.h"
#include "daemon/output.h"

namespace herald {
namespace {

using nlohmann::json;

const TimeZone& zone_of(const Loaded& loaded, const std::string& source_id) {
  static const TimeZone kUtc = TimeZone::utc();
  const SourceConfig* source = loaded.find(source_id);
  return source != nullptr ? source->timezone : kUtc;
}

struct ListArguments {
  std::string state = "pending";
  std::string source_id{};
  int limit = 50;
  bool json = false;
};

int list_queue(const GlobalOptions& options, const ListArguments& args) {
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
  QueueFilter filter{.limit = args.limit};
  if (!args.source_id.empty()) {
    filter.source_id = args.source_id;
  }
  if (args.state == "all") {
    filter.state = std::nullopt;
  } else {
    filter.state = parse_review_state(args.state);
  }
  auto candidates = store->list_candidates(filter);
  if (!candidates) {
    print_error(candidates.error());
    return kExitFailed;
  }
  if (args.json) {
    json out = json::array();
    for (const Candidate& c : *candidates) {
      out.push_back(candidate_json(c, zone_of(*loaded, c.source_id)));
    }
    std::cout << out.dump(2) << std::endl;
    return kExitOk;
  }
  for (const Candidate& c : *candidates) {
    std::cout << fmt::format("{:>6}  {:<8} {:>4.1f}  {}  {:<16} {}\n        matched: {}\n", c.id,
                             review_state_name(c.state), c.score,
                             published_short(c.published_at, zone_of(*loaded, c.source_id)),
                             c.source_id, c.title, join(c.matched_terms, ", "));
  }
  std::cout << candidates->size() << " candidates (" << args.state << ")\n";
  return kExitOk;
}

int show_candidate(const GlobalOptions& options, std::int64_t id, bool as_json) {
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
  auto candidate = store->get_candidate(id);
  if (!candidate) {
    print_error(candidate.error());
    return kExitFailed;
  }
  const TimeZone& zone = zone_of(*loaded, candidate->source_id);
  if (as_json) {
    std::cout << candidate_json(*candidate, zone).dump(2) << std::endl;
    return kExitOk;
  }
  std::cout << fmt::format(
      "id:        {}\nstate:     {}\ntitle:     {}\nsource:    {}\npublished: {} ({})\nlink:      {}\n"
      "score:     {:.1f} (matched: {})\n",
      candidate->id, review_state_name(candidate->state), candidate->title, candidate->source_id,
      candidate->published_at ? format_iso8601(*candidate->published_at, zone) : "unknown",
      candidate->published_text.empty() ? "no date text" : candidate->published_text,
      candidate->url, candidate->score, join(candidate->matched_terms, ", "));
  if (candidate->decided_at) {
    std::cout << fmt::format("decided:   {} by {}{}\n", format_iso8601(*candidate->decided_at, zone),
                             candidate->reviewer,
                             candidate->reason.empty() ? "" : " (" + candidate->reason + ")");
  }
  std::cout << "summary:\n  " << (candidate->summary.empty() ? "(none)" : candidate->summary)
            << "\n";
  return kExitOk;
}

struct DecideArguments {
  std::int64_t id = 0;
  std::string reviewer{};
  std::string reason{};
};

int decide_candidate(const GlobalOptions& options, const DecideArguments& args, bool accept) {
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
  auto decided = store->decide(args.id, accept ? ReviewState::kAccepted : ReviewState::kRejected,
                               args.reviewer.empty() ? std::string("cli") : args.reviewer,
                               args.reason, clock.now_utc_seconds());
  if (!decided) {
    print_error(decided.error());
    return kExitFailed;
  }
  std::cout << fmt::format("{} {}: {}\n", accept ? "accepted" : "rejected", decided->id,
                           decided->title);
  return kExitOk;
}

}  // namespace

void add_queue_verbs(Cli& cli) {
  CLI::App* queue = cli.app().add_subcommand("queue", "The editors' review queue of candidate items");
  queue->require_subcommand(1);

  auto list_args = std::make_shared<ListArguments>();
  CLI::App* list = queue->add_subcommand("list", "List candidates, newest first");
  list->add_option("--state", list_args->state, "pending, accepted, rejected or all")
      ->check(CLI::IsMember({"pending", "accepted", "rejected", "all"}))
      ->capture_default_str();
  list->add_option("--source", list_args->source_id, "Only this source");
  list->add_option("--limit", list_args->limit, "At most this many")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  list->add_flag("--json", list_args->json, "Print a JSON array");
  cli.on(list, [&cli, list_args] { return list_queue(cli.options(), *list_args); });

  auto show_id = std::make_shared<std::int64_t>(0);
  auto show_json = std::make_shared<bool>(false);
  CLI::App* show = queue->add_subcommand("show", "Show one candidate in full");
  show->add_option("ID", *show_id, "Candidate id (from 'queue list')")->required();
  show->add_flag("--json", *show_json, "Print a JSON object");
  cli.on(show, [&cli, show_id, show_json] {
    return show_candidate(cli.options(), *show_id, *show_json);
  });

  auto decide_args = std::make_shared<DecideArguments>();
  if (const char* user = std::getenv("USER"); user != nullptr) {
    decide_args->reviewer = user;
  }
  CLI::App* accept = queue->add_subcommand("accept", "Accept a candidate for the newsletter");
  accept->add_option("ID", decide_args->id, "Candidate id")->required();
  accept->add_option("--by", decide_args->reviewer, "Who decided (default: $USER)");
  cli.on(accept, [&cli, decide_args] { return decide_candidate(cli.options(), *decide_args, true); });

  CLI::App* reject = queue->add_subcommand("reject", "Reject a candidate");
  reject->add_option("ID", decide_args->id, "Candidate id")->required();
  reject->add_option("--reason", decide_args->reason, "Why (kept in the audit log)");
  reject->add_option("--by", decide_args->reviewer, "Who decided (default: $USER)");
  cli.on(reject, [&cli, decide_args] { return decide_candidate(cli.options(), *decide_args, false); });
}

}  // namespace herald
