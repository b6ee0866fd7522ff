// `herald consultations`: the drafts open for public comment (docs/legal.md), soonest
// deadline first, with how many days are left on the desk's calendar ([schedule] timezone),
// so the firm can decide in time whether to comment.

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/legal.h"
#include "common/text.h"
#include "daemon/cli.h"
#include "daemon/context.h"

namespace herald {
namespace {

using nlohmann::json;

// `--all` reads every candidate with a deadline; more than this is not a list to read.
constexpr int kAllLimit = 10000;

struct ConsultationsArguments {
  bool json = false;
  bool all = false;                 // closed and rejected ones too
  std::optional<std::string> on{};  // count days from this date instead of today
};

int fail_with(const Error& error) {
  print_error(error);
  return exit_code_for(error);
}

// 来源 as the newsletter prints it: the source's publisher, else its name, else its id.
std::string publisher_of(const Loaded& loaded, const std::string& source_id) {
  const SourceConfig* source = loaded.find(source_id);
  if (source == nullptr) {
    return source_id;
  }
  return !source->publisher.empty() ? source->publisher
         : !source->name.empty()    ? source->name
                                    : source_id;
}

std::string days_left_text(std::int64_t days) {
  if (days == 0) {
    return "今天截止";
  }
  if (days < 0) {
    return fmt::format("已截止 {} 天", -days);
  }
  return fmt::format("剩余 {} 天", days);
}

json null_if_empty_json(const std::string& text) {
  return text.empty() ? json(nullptr) : json(text);
}

int list_consultations(const GlobalOptions& options, const ConsultationsArguments& args) {
  if (args.on && !is_calendar_date(*args.on)) {
    return fail_with(Error{.code = ErrorCode::kUsage,
                           .message = fmt::format("--on '{}' is not a date: write YYYY-MM-DD, "
                                                  "e.g. 2023-12-07",
                                                  *args.on)});
  }
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    return fail_with(loaded.error());
  }
  auto store = open_store(loaded->config);
  if (!store) {
    return fail_with(store.error());
  }
  // Deadlines are calendar dates as the regulator printed them; "today" is the desk's.
  const std::string today =
      args.on ? *args.on
              : calendar_date(SystemClock{}.now_utc_seconds(), loaded->config.local_zone);

  std::vector<Candidate> found;
  if (args.all) {
    QueueQuery query{.state = std::nullopt,
                     .has_deadline = true,
                     .collapse_clusters = false,
                     .limit = kAllLimit};
    auto page = store->query_queue(query);
    if (!page) {
      return fail_with(page.error());
    }
    found = std::move(page->items);
    std::sort(found.begin(), found.end(), [](const Candidate& a, const Candidate& b) {
      return std::pair(a.legal.value(LegalField::kCommentDeadline), a.id) <
             std::pair(b.legal.value(LegalField::kCommentDeadline), b.id);
    });
  } else {
    auto open = store->open_consultations(today);
    if (!open) {
      return fail_with(open.error());
    }
    found = std::move(*open);
  }
  // One entry per consultation: another outlet's report of the same draft (its cluster) is
  // left out, as on the desk and in the digest.
  std::set<std::int64_t> clusters;
  std::erase_if(found, [&](const Candidate& c) {
    return c.cluster_id != 0 && !clusters.insert(c.cluster_id).second;
  });

  if (args.json) {
    json out = json::array();
    for (const Candidate& c : found) {
      const std::string& deadline = c.legal.value(LegalField::kCommentDeadline);
      out.push_back({
          {"candidate_id", c.id},
          {"title", c.edited_title.empty() ? c.title : c.edited_title},
          {"url", c.url},
          {"source_id", c.source_id},
          {"publisher", publisher_of(*loaded, c.source_id)},
          {"doc_number", null_if_empty_json(c.legal.value(LegalField::kDocNumber))},
          {"instrument", null_if_empty_json(c.legal.value(LegalField::kInstrument))},
          {"comment_deadline", deadline},
          {"days_left", days_between(today, deadline)},
          {"comment_how", null_if_empty_json(c.legal.value(LegalField::kCommentHow))},
          {"state", std::string(review_state_name(c.state))},
      });
    }
    // An editor's value typed in another encoding must not abort the listing.
    std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << std::endl;
    return kExitOk;
  }
  if (found.empty()) {
    std::cout << (args.all ? "没有带意见反馈截止日期的条目\n"
                           : fmt::format("当前没有未截止的征求意见（截至 {}）\n", today));
    return kExitOk;
  }
  // Scraped text may carry control characters: keep the terminal safe.
  auto text = [](const std::string& s) { return strip_controls(s); };
  for (const Candidate& c : found) {
    const std::string& deadline = c.legal.value(LegalField::kCommentDeadline);
    std::cout << fmt::format("{}  截止 {}  #{}  {}\n",
                             days_left_text(days_between(today, deadline)), text(deadline), c.id,
                             text(c.edited_title.empty() ? c.title : c.edited_title));
    if (const std::string& number = c.legal.value(LegalField::kDocNumber); !number.empty()) {
      std::cout << "    文号：" << text(number) << "\n";
    }
    std::cout << "    来源：" << text(publisher_of(*loaded, c.source_id)) << "\n";
    std::cout << "    链接：" << text(c.url) << "\n";
    if (const std::string& how = c.legal.value(LegalField::kCommentHow); !how.empty()) {
      std::cout << "    意见反馈方式：" << text(how) << "\n";
    }
    if (c.state != ReviewState::kPending) {
      std::cout << "    状态：" << review_state_name(c.state) << "\n";
    }
  }
  std::cout << fmt::format("{} 项{}（截至 {}）\n", found.size(),
                           args.all ? "带截止日期的条目" : "未截止的征求意见", today);
  return kExitOk;
}

}  // namespace

void add_consultations_verb(Cli& cli) {
  auto args = std::make_shared<ConsultationsArguments>();
  CLI::App* command = cli.app().add_subcommand(
      "consultations", "The drafts open for comment (征求意见), soonest deadline first");
  command->footer(
      "Each with the days left on the desk's calendar ([schedule] timezone; 今天截止 on the "
      "last day), the 文号, the publisher, the link and how to comment. Rejected candidates "
      "and other outlets' reports of the same draft are left out. Set or correct a deadline "
      "with 'herald queue edit ID --comment-deadline YYYY-MM-DD'.");
  command->add_flag("--json", args->json,
                    "Print a JSON array of {candidate_id, title, url, source_id, publisher, "
                    "doc_number, instrument, comment_deadline, days_left, comment_how, state}");
  command->add_flag("--all", args->all,
                    "Every candidate with a comment deadline: closed and rejected ones too "
                    "(days_left is then negative for a closed one)");
  command->add_option("--on", args->on,
                      "Count from this date instead of today (YYYY-MM-DD), e.g. to see what "
                      "is still open next Monday");
  cli.on(command, [&cli, args] { return list_consultations(cli.options(), *args); });
}

}  // namespace herald
