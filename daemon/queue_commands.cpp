// `herald queue list | show | edit | accept | reject | reopen`: the editors' command line.
// accept and reject also take --filter (every pending candidate the filters match).

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/legal.h"
#include "common/text.h"
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

int fail_with(const Error& error) {
  print_error(error);
  return exit_code_for(error);
}

// The editors' fields next to the README's candidate object.
json desk_json(const Candidate& c, const TimeZone& zone) {
  json out = candidate_json(c, zone);
  out["section"] = c.section;
  out["edited_title"] = c.edited_title;
  out["edited_summary"] = c.edited_summary;
  out["commentary"] = c.commentary;
  out["edition"] = c.edition.empty() ? json(nullptr) : json(c.edition);
  json also = json::array();
  for (const ClusterMember& member : c.also_reported_by) {
    also.push_back({{"candidate_id", member.candidate_id == 0 ? json(nullptr)
                                                               : json(member.candidate_id)},
                    {"source", member.source_id},
                    {"title", member.title},
                    {"url", member.url}});
  }
  out["also_reported_by"] = std::move(also);
  // Legal metadata (docs/legal.md): the stated fields only, each with where it was read.
  json legal = json::object();
  for (std::size_t i = 0; i < kLegalFieldCount; ++i) {
    const LegalValue& field = c.legal.fields[i];
    if (!field.value.empty()) {
      // An editor's value typed in another encoding must not make the JSON dump throw.
      legal[std::string(kLegalFieldNames[i])] = {{"value", sanitize_utf8(field.value)},
                                                 {"from", sanitize_utf8(field.from)}};
    }
  }
  out["legal"] = std::move(legal);
  return out;
}

// "--comment-deadline" for LegalField::kCommentDeadline.
std::string legal_flag(LegalField field) {
  std::string flag = "--" + std::string(legal_field_name(field));
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

// A date given on the command line, checked before anything is changed: the store would
// refuse it too, but after other edits of the same command had been applied.
std::optional<Error> bad_date_option(std::string_view flag,
                                     const std::optional<std::string>& value) {
  if (!value || value->empty() || is_calendar_date(*value)) {
    return std::nullopt;
  }
  return Error{.code = ErrorCode::kUsage,
               .message = fmt::format("{} '{}' is not a date: write YYYY-MM-DD, e.g. 2023-12-07",
                                      flag, *value)};
}

std::string also_reported_line(const Candidate& c) {
  std::vector<std::string> sources;
  for (const ClusterMember& member : c.also_reported_by) {
    sources.push_back(member.source_id);
  }
  return join(sources, ", ");
}

struct ListArguments {
  std::string state = "pending";
  std::string source_id{};
  std::string section{};
  std::string text{};
  std::optional<double> min_score{};
  std::optional<std::string> instrument{};      // 文种, exactly (e.g. 征求意见稿)
  bool has_deadline = false;                     // only those with a comment deadline
  std::optional<std::string> deadline_until{};   // comment deadline on or before, YYYY-MM-DD
  bool every_report = false;
  int limit = 50;
  int offset = 0;
  bool json = false;
};

int list_queue(const GlobalOptions& options, const ListArguments& args) {
  if (auto bad = bad_date_option("--deadline-until", args.deadline_until)) {
    return fail_with(*bad);
  }
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    return fail_with(loaded.error());
  }
  auto store = open_store(loaded->config);
  if (!store) {
    return fail_with(store.error());
  }
  QueueQuery query{.state = args.state == "all" ? std::nullopt : parse_review_state(args.state),
                   .min_score = args.min_score,
                   .text = args.text,
                   .collapse_clusters = !args.every_report,
                   .limit = args.limit,
                   .offset = args.offset};
  if (!args.source_id.empty()) {
    query.source_id = args.source_id;
  }
  if (!args.section.empty()) {
    query.section = args.section;
  }
  if (args.instrument && !args.instrument->empty()) {
    query.instrument = args.instrument;
  }
  query.has_deadline = args.has_deadline;
  if (args.deadline_until && !args.deadline_until->empty()) {
    query.deadline_until = args.deadline_until;
  }
  auto page = store->query_queue(query);
  if (!page) {
    return fail_with(page.error());
  }
  if (args.json) {
    json out = json::array();
    for (const Candidate& c : page->items) {
      out.push_back(desk_json(c, zone_of(*loaded, c.source_id)));
    }
    std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << std::endl;
    return kExitOk;
  }
  for (const Candidate& c : page->items) {
    std::cout << fmt::format("{:>6}  {:<9} {:>4.1f}  {}  {:<16} {}\n        matched: {}\n", c.id,
                             review_state_name(c.state), c.score,
                             published_short(c.published_at, zone_of(*loaded, c.source_id)),
                             c.source_id, strip_controls(c.edited_title.empty() ? c.title
                                                                                 : c.edited_title),
                             join(c.matched_terms, ", "));
    if (!c.also_reported_by.empty()) {
      std::cout << "        also reported by: " << also_reported_line(c) << "\n";
    }
    if (const std::string& deadline = c.legal.value(LegalField::kCommentDeadline);
        !deadline.empty()) {
      std::cout << "        意见反馈截止: " << strip_controls(deadline) << "\n";
    }
  }
  std::cout << fmt::format("{} of {} candidates ({})\n", page->items.size(), page->total,
                           args.state);
  return kExitOk;
}

void print_candidate(const Candidate& c, const TimeZone& zone,
                     const std::vector<AuditEntry>& audit) {
  // Scraped text may carry control characters: keep the terminal safe.
  auto text = [](const std::string& s) { return strip_controls(s); };
  std::cout << fmt::format(
      "id:        {}\nstate:     {}{}\nsection:   {}\ntitle:     {}\n", c.id,
      review_state_name(c.state), c.edition.empty() ? "" : " (edition " + c.edition + ")",
      c.section.empty() ? "(none)" : c.section, text(c.title));
  if (!c.edited_title.empty()) {
    std::cout << "edited:    " << text(c.edited_title) << "\n";
  }
  std::cout << fmt::format(
      "source:    {}\npublished: {} ({})\nlink:      {}\nscore:     {:.1f} (matched: {})\n",
      c.source_id, c.published_at ? format_iso8601(*c.published_at, zone) : "unknown",
      c.published_text.empty() ? "no date text" : text(c.published_text), text(c.url), c.score,
      join(c.matched_terms, ", "));
  if (c.decided_at) {
    std::cout << fmt::format("decided:   {} by {}{}\n", format_iso8601(*c.decided_at, zone),
                             c.reviewer, c.reason.empty() ? "" : " (" + text(c.reason) + ")");
  }
  std::cout << "summary:\n  " << (c.summary.empty() ? "(none)" : text(c.summary)) << "\n";
  if (!c.edited_summary.empty()) {
    std::cout << "edited summary:\n  " << text(c.edited_summary) << "\n";
  }
  if (!c.commentary.empty()) {
    std::cout << "commentary (短评):\n  " << text(c.commentary) << "\n";
  }
  if (!c.legal.empty()) {
    // Each fact with where it was read, so an editor knows what to trust or correct.
    std::cout << "legal:\n";
    for (std::size_t i = 0; i < kLegalFieldCount; ++i) {
      const LegalValue& field = c.legal.fields[i];
      if (field.value.empty()) {
        continue;
      }
      std::cout << fmt::format("  {}：{}{}\n", kLegalFieldLabels[i], text(field.value),
                               field.from.empty() ? "" : "（来自 " + text(field.from) + "）");
    }
  }
  if (!c.also_reported_by.empty()) {
    std::cout << "also reported by:\n";
    for (const ClusterMember& member : c.also_reported_by) {
      std::cout << fmt::format("  {:<16} {}{}\n           {}\n", member.source_id,
                               text(member.title),
                               member.candidate_id == 0
                                   ? ""
                                   : fmt::format(" (candidate {})", member.candidate_id),
                               text(member.url));
    }
  }
  if (!audit.empty()) {
    std::cout << "history:\n";
    const TimeZone utc = TimeZone::utc();
    for (const AuditEntry& entry : audit) {
      std::cout << fmt::format("  {}  {:<10} {}{}\n", format_iso8601(entry.at, utc), entry.actor,
                               entry.action, entry.detail.empty() ? "" : ": " + text(entry.detail));
    }
  }
}

int show_candidate(const GlobalOptions& options, std::int64_t id, bool as_json) {
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    return fail_with(loaded.error());
  }
  auto store = open_store(loaded->config);
  if (!store) {
    return fail_with(store.error());
  }
  auto candidate = store->get_candidate(id);
  if (!candidate) {
    return fail_with(candidate.error());
  }
  auto audit = store->audit_for(id);
  if (!audit) {
    return fail_with(audit.error());
  }
  const TimeZone& zone = zone_of(*loaded, candidate->source_id);
  if (as_json) {
    json out = desk_json(*candidate, zone);
    json history = json::array();
    const TimeZone utc = TimeZone::utc();
    for (const AuditEntry& entry : *audit) {
      history.push_back({{"at", format_iso8601(entry.at, utc)},
                         {"actor", entry.actor},
                         {"action", entry.action},
                         {"detail", entry.detail}});
    }
    out["history"] = std::move(history);
    std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << std::endl;
    return kExitOk;
  }
  print_candidate(*candidate, zone, *audit);
  return kExitOk;
}

struct EditArguments {
  std::int64_t id = 0;
  std::string by{};
  std::optional<std::string> reason{};
  std::optional<std::string> title{};
  std::optional<std::string> summary{};
  std::optional<std::string> section{};
  std::optional<std::string> commentary{};
  std::optional<int> position{};
  LegalEdit legal{};  // `queue edit --doc-number ... --comment-how ...`
};

bool has_text_edit(const EditArguments& args) {
  return args.reason || args.title || args.summary || args.section || args.commentary ||
         args.position;
}

bool has_legal_edit(const EditArguments& args) {
  return std::any_of(args.legal.values.begin(), args.legal.values.end(),
                     [](const auto& value) { return value.has_value(); });
}

int edit_candidate(const GlobalOptions& options, const EditArguments& args,
                   std::optional<ReviewState> state) {
  for (std::size_t i = 0; i < kLegalFieldCount; ++i) {
    const auto field = static_cast<LegalField>(i);
    if (is_date_field(field)) {
      if (auto bad = bad_date_option(legal_flag(field), args.legal.values[i])) {
        return fail_with(*bad);
      }
    }
  }
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    return fail_with(loaded.error());
  }
  auto store = open_store(loaded->config);
  if (!store) {
    return fail_with(store.error());
  }
  const CandidateEdit edit{.state = state,
                           .reason = args.reason,
                           .section = args.section,
                           .title = args.title,
                           .summary = args.summary,
                           .commentary = args.commentary,
                           .position = args.position};
  SystemClock clock;
  const std::string actor = args.by.empty() ? std::string("cli") : args.by;
  // The legal fields first: edit_legal refuses a bad value before writing anything, and a
  // text edit (no state change) refuses nothing, so one command never half-applies.
  const bool legal_edit = has_legal_edit(args);
  Result<Candidate> edited = fail(ErrorCode::kInternal, "nothing edited");
  if (legal_edit) {
    edited = store->edit_legal(args.id, args.legal, actor, clock.now_utc_seconds());
  }
  if (!legal_edit || (edited && (state || has_text_edit(args)))) {
    edited = store->edit_candidate(args.id, edit, actor, clock.now_utc_seconds());
  }
  if (!edited) {
    return fail_with(edited.error());
  }
  const std::string title = strip_controls(edited->edited_title.empty() ? edited->title
                                                                        : edited->edited_title);
  if (!state) {
    std::cout << fmt::format("edited {}: {}\n", edited->id, title);
    return kExitOk;
  }
  const std::string verb = *state == ReviewState::kAccepted   ? "accepted"
                           : *state == ReviewState::kRejected ? "rejected"
                                                              : "reopened";
  std::cout << fmt::format("{} {}: {}\n", verb, edited->id, title);
  if (!edited->also_reported_by.empty()) {
    std::cout << fmt::format("  with the same story from: {}\n", also_reported_line(*edited));
  }
  return kExitOk;
}

// `queue accept|reject --filter`: the queue list's filters, over every pending card.
struct FilterArguments {
  bool filter = false;
  std::string source_id{};
  std::string section{};
  std::string text{};
  std::optional<double> min_score{};
  std::optional<std::string> instrument{};     // as queue list's --instrument
  bool has_deadline = false;
  std::optional<std::string> deadline_until{};
  bool dry_run = false;
  bool yes = false;

  bool any_filter() const {
    return !source_id.empty() || !text.empty() || min_score || instrument || has_deadline ||
           deadline_until;
  }
};

int decide_by_filter(const GlobalOptions& options, const EditArguments& args,
                     const FilterArguments& filter, ReviewState state) {
  if (auto bad = bad_date_option("--deadline-until", filter.deadline_until)) {
    return fail_with(*bad);
  }
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    return fail_with(loaded.error());
  }
  auto store = open_store(loaded->config);
  if (!store) {
    return fail_with(store.error());
  }
  QueueQuery query{.min_score = filter.min_score, .text = filter.text};
  if (!filter.source_id.empty()) {
    query.source_id = filter.source_id;
  }
  if (!filter.section.empty()) {
    query.section = filter.section;
  }
  if (filter.instrument && !filter.instrument->empty()) {
    query.instrument = filter.instrument;
  }
  query.has_deadline = filter.has_deadline;
  if (filter.deadline_until && !filter.deadline_until->empty()) {
    query.deadline_until = filter.deadline_until;
  }
  auto count = store->count_matching_pending(query);
  if (!count) {
    return fail_with(count.error());
  }
  const std::string_view verb = state == ReviewState::kAccepted ? "accept" : "reject";
  if (filter.dry_run || *count == 0) {
    std::cout << fmt::format("{} pending candidates match; nothing changed{}\n", *count,
                             filter.dry_run ? " (--dry-run)" : "");
    return kExitOk;
  }
  if (!filter.yes) {
    if (isatty(STDIN_FILENO) == 0) {
      return fail_with(Error{
          .code = ErrorCode::kUsage,
          .message = fmt::format("{} pending candidates match; add --yes to {} them all without a "
                                 "prompt (or --dry-run to only count them)",
                                 *count, verb)});
    }
    std::cout << fmt::format("{} all {} pending candidates matching the filter? [y/N] ",
                             state == ReviewState::kAccepted ? "Accept" : "Reject", *count)
              << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "y" && answer != "Y" && answer != "yes") {
      std::cout << "nothing changed\n";
      return kExitOk;
    }
  }
  SystemClock clock;
  auto decided = store->decide_matching(query, state, args.reason.value_or(""),
                                        args.by.empty() ? std::string("cli") : args.by,
                                        clock.now_utc_seconds(), *count);
  if (!decided) {
    return fail_with(decided.error());
  }
  if (decided->count_changed) {
    return fail_with(Error{.code = ErrorCode::kUsage,
                           .message = fmt::format("the queue changed meanwhile: {} pending "
                                                  "candidates match now, not {}; nothing "
                                                  "changed, run the command again",
                                                  decided->cards, *count)});
  }
  std::cout << fmt::format("{} {} candidates ({} matching, with their other reports)\n",
                           state == ReviewState::kAccepted ? "accepted" : "rejected",
                           decided->decided, decided->cards);
  return kExitOk;
}

// accept/reject: one ID, or --filter with the queue list's filters.
int decide_one_or_filter(const GlobalOptions& options, const EditArguments& args,
                         const FilterArguments& filter, ReviewState state) {
  if (filter.filter == (args.id != 0)) {
    return fail_with(Error{.code = ErrorCode::kUsage,
                           .message = "give either a candidate ID or --filter (with --source, "
                                      "--section, --text, --min-score, --instrument, "
                                      "--has-deadline, --deadline-until as for 'queue list')"});
  }
  if (!filter.filter && (filter.dry_run || filter.yes || filter.any_filter())) {
    return fail_with(Error{.code = ErrorCode::kUsage,
                           .message = "--source, --text, --min-score, --instrument, "
                                      "--has-deadline, --deadline-until, --dry-run and --yes "
                                      "go with --filter"});
  }
  return filter.filter ? decide_by_filter(options, args, filter, state)
                       : edit_candidate(options, args, state);
}

void add_filter_options(CLI::App* command, const std::shared_ptr<FilterArguments>& filter,
                        bool with_section) {
  command->add_flag("--filter", filter->filter,
                    "Decide every pending candidate matching the filters below (all pages)");
  command->add_option("--source", filter->source_id, "With --filter: only this source");
  if (with_section) {
    command->add_option("--section", filter->section, "With --filter: only this section");
  }
  command->add_option("--text", filter->text,
                      "With --filter: only candidates whose title, summary or text contain "
                      "every word given");
  command->add_option("--min-score", filter->min_score,
                      "With --filter: only candidates scoring at least this");
  command->add_option("--instrument", filter->instrument,
                      "With --filter: only this instrument type (文种), e.g. 征求意见稿");
  command->add_flag("--has-deadline", filter->has_deadline,
                    "With --filter: only candidates with a comment deadline");
  command->add_option("--deadline-until", filter->deadline_until,
                      "With --filter: only those whose comment deadline is on or before this "
                      "date (YYYY-MM-DD)");
  command->add_flag("--dry-run", filter->dry_run, "With --filter: only print how many match");
  command->add_flag("--yes", filter->yes,
                    "With --filter: do not ask (required when stdin is not a terminal)");
}

}  // namespace

void add_queue_verbs(Cli& cli) {
  CLI::App* queue = cli.app().add_subcommand("queue", "The editors' review queue of candidate items");
  queue->require_subcommand(1);

  auto list_args = std::make_shared<ListArguments>();
  CLI::App* list = queue->add_subcommand(
      "list", "List candidates, newest first, one line per story (its other reports below it)");
  list->add_option("--state", list_args->state, "pending, accepted, rejected, published or all")
      ->check(CLI::IsMember({"pending", "accepted", "rejected", "published", "all"}))
      ->capture_default_str();
  list->add_option("--source", list_args->source_id, "Only this source");
  list->add_option("--section", list_args->section, "Only this section, e.g. 最新行业动态");
  list->add_option("--text", list_args->text,
                   "Only candidates whose title, summary or text contain every word given");
  list->add_option("--min-score", list_args->min_score, "Only candidates scoring at least this");
  list->add_option("--instrument", list_args->instrument,
                   "Only this instrument type (文种), e.g. 征求意见稿, 办法, proposed rule");
  list->add_flag("--has-deadline", list_args->has_deadline,
                 "Only candidates with a comment deadline (consultations)");
  list->add_option("--deadline-until", list_args->deadline_until,
                   "Only candidates whose comment deadline is on or before this date "
                   "(YYYY-MM-DD)");
  list->add_flag("--every-report", list_args->every_report,
                 "One line per candidate, not per story");
  list->add_option("--limit", list_args->limit, "At most this many")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  list->add_option("--offset", list_args->offset, "Skip this many (paging)")
      ->check(CLI::NonNegativeNumber);
  list->add_flag("--json", list_args->json, "Print a JSON array");
  cli.on(list, [&cli, list_args] { return list_queue(cli.options(), *list_args); });

  auto show_id = std::make_shared<std::int64_t>(0);
  auto show_json = std::make_shared<bool>(false);
  CLI::App* show = queue->add_subcommand("show", "Show one candidate in full, with its history");
  show->add_option("ID", *show_id, "Candidate id (from 'queue list')")->required();
  show->add_flag("--json", *show_json, "Print a JSON object");
  cli.on(show, [&cli, show_id, show_json] {
    return show_candidate(cli.options(), *show_id, *show_json);
  });

  std::string default_reviewer;
  if (const char* user = std::getenv("USER"); user != nullptr) {
    default_reviewer = user;
  }
  auto add_common = [&](CLI::App* command, const std::shared_ptr<EditArguments>& args,
                        bool id_required = true) {
    args->by = default_reviewer;
    CLI::Option* id = command->add_option("ID", args->id, "Candidate id");
    if (id_required) {
      id->required();
    }
    command->add_option("--by", args->by, "Who (default: $USER); kept in the history");
  };

  auto edit_args = std::make_shared<EditArguments>();
  CLI::App* edit = queue->add_subcommand("edit", "Edit a candidate's text for the newsletter");
  add_common(edit, edit_args);
  edit->add_option("--title", edit_args->title,
                   "The newsletter's title (\"\" restores the original)");
  edit->add_option("--summary", edit_args->summary, "The newsletter's summary (\"\" restores it)");
  edit->add_option("--section", edit_args->section, "最新法律与监管动态 or 最新行业动态");
  edit->add_option("--commentary", edit_args->commentary, "The editors' comment (短评)");
  edit->add_option("--position", edit_args->position,
                   "Place within its section in the edition (1 = first; 0 = by date)")
      ->check(CLI::NonNegativeNumber);
  // Legal metadata (docs/legal.md), one flag per field; "" clears a field. The history
  // keeps each change and the field then reads "editor:<--by>" as where it came from.
  static constexpr std::array<std::string_view, kLegalFieldCount> kLegalHelp = {
      "文号, e.g. 沪经信规范〔2023〕8号",
      "发文机关, who issued it",
      "成文日期, YYYY-MM-DD",
      "发布日期, YYYY-MM-DD",
      "施行日期, YYYY-MM-DD",
      "文种: 征求意见稿, 办法, 通知, proposed rule, ...",
      "意见反馈截止日期 (comments due), YYYY-MM-DD",
      "How to comment: an e-mail or postal address, a URL",
  };
  for (std::size_t i = 0; i < kLegalFieldCount; ++i) {
    const auto field = static_cast<LegalField>(i);
    edit->add_option(legal_flag(field), edit_args->legal[field],
                     fmt::format("{} (\"\" clears it)", kLegalHelp[i]));
  }
  cli.on(edit, [&cli, edit_args] {
    return edit_candidate(cli.options(), *edit_args, std::nullopt);
  });

  auto accept_args = std::make_shared<EditArguments>();
  CLI::App* accept = queue->add_subcommand(
      "accept", "Accept a candidate for the newsletter (with its other reports)");
  add_common(accept, accept_args, false);
  auto accept_filter = std::make_shared<FilterArguments>();
  // With --filter, --section selects; with an ID it files the candidate under it.
  accept->add_option("--section", accept_args->section,
                     "File it under this section (with --filter: only this section)");
  add_filter_options(accept, accept_filter, false);
  cli.on(accept, [&cli, accept_args, accept_filter] {
    if (accept_filter->filter && accept_args->section) {
      accept_filter->section = *accept_args->section;
      accept_args->section.reset();
    }
    return decide_one_or_filter(cli.options(), *accept_args, *accept_filter,
                                ReviewState::kAccepted);
  });

  auto reject_args = std::make_shared<EditArguments>();
  CLI::App* reject = queue->add_subcommand("reject", "Reject a candidate (with its other reports)");
  add_common(reject, reject_args, false);
  reject->add_option("--reason", reject_args->reason, "Why (kept in the history)");
  auto reject_filter = std::make_shared<FilterArguments>();
  add_filter_options(reject, reject_filter, true);
  cli.on(reject, [&cli, reject_args, reject_filter] {
    return decide_one_or_filter(cli.options(), *reject_args, *reject_filter,
                                ReviewState::kRejected);
  });

  auto reopen_args = std::make_shared<EditArguments>();
  CLI::App* reopen = queue->add_subcommand("reopen", "Put a decided candidate back in the queue");
  add_common(reopen, reopen_args);
  cli.on(reopen, [&cli, reopen_args] {
    return edit_candidate(cli.options(), *reopen_args, ReviewState::kPending);
  });
}

}  // namespace herald
