// herald: watches the websites an AI-law newsletter draws from and queues their new
// announcements for the editors. This file only defines the command line; each verb
// lives in commands.cpp / serve.cpp.

#include <cstdlib>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <libxml/parser.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "daemon/commands.h"
#include "scrapers/fetch/curl_fetcher.h"

namespace {

// libxml2 2.9 is not safe to initialise from several threads at once: do it here, first.
struct XmlGlobal {
  XmlGlobal() { xmlInitParser(); }
  ~XmlGlobal() { xmlCleanupParser(); }
  XmlGlobal(const XmlGlobal&) = delete;
  XmlGlobal& operator=(const XmlGlobal&) = delete;
};

void setup_logging(bool verbose) {
  auto logger = spdlog::stderr_color_mt("herald");
  // Under systemd, journald adds timestamps and reads the level from the line.
  if (std::getenv("JOURNAL_STREAM") != nullptr) {
    logger->set_pattern("%l %v");
  } else {
    logger->set_pattern("%Y-%m-%d %H:%M:%S %^%l%$ %v");
  }
  logger->set_level(verbose ? spdlog::level::debug : spdlog::level::info);
  spdlog::set_default_logger(logger);
}

// CLI11 reports a mistyped verb as "A subcommand is required"; say which word is wrong
// and what would be valid instead. Returns an empty string when every verb is known.
std::string unknown_verb_message(const CLI::App& app, int argc, char** argv) {
  const CLI::App* level = &app;
  std::string path = "herald";
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "--") {
      break;
    }
    if (!word.empty() && word[0] == '-') {
      if (word == "-c" || word == "--config") {
        ++i;  // its value
      }
      continue;
    }
    const auto verbs = level->get_subcommands([](const CLI::App*) { return true; });
    if (verbs.empty()) {
      break;  // a leaf verb: the rest are its arguments
    }
    const CLI::App* next = nullptr;
    std::string valid;
    for (const CLI::App* verb : verbs) {
      valid += (valid.empty() ? "" : ", ") + verb->get_name();
      if (verb->get_name() == word) {
        next = verb;
      }
    }
    if (next == nullptr) {
      return "herald: '" + word + "' is not a verb of '" + path + "'; use one of: " + valid +
             " (see '" + path + " --help')";
    }
    path += " " + word;
    level = next;
  }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  herald::CurlGlobal curl_global;
  XmlGlobal xml_global;

  CLI::App app{
      "herald watches government, court and company websites for new announcements on AI law\n"
      "and industry, and queues the relevant ones for the newsletter's editors.",
      "herald"};
  app.set_version_flag("--version", "herald 0.1.0");
  app.require_subcommand(1);
  app.fallthrough();

  herald::GlobalOptions options{.config = herald::default_config_path()};
  std::string config_path = options.config.string();
  bool verbose = false;
  app.add_option("-c,--config", config_path,
                 "herald.toml to use (default: config/herald.toml in a checkout, else "
                 "/etc/herald/herald.toml)")
      ->capture_default_str();
  app.add_flag("-v,--verbose", verbose, "Log per-item detail (debug level)");

  auto* serve = app.add_subcommand(
      "serve", "Run the daemon: poll every enabled source on its own interval until SIGTERM/SIGINT");

  std::vector<std::string> poll_ids;
  auto* poll = app.add_subcommand(
      "poll", "Poll sources once now (all enabled sources, or the ones named) and store new items");
  poll->add_option("SOURCE", poll_ids, "Source ids (see 'herald sources list')");

  auto* sources = app.add_subcommand("sources", "Inspect and test source configurations");
  sources->require_subcommand(1);
  auto* sources_list = sources->add_subcommand("list", "List the configured sources");
  sources_list->add_flag("--json", options.json, "Print a JSON array");
  auto* sources_check = sources->add_subcommand(
      "check", "Validate herald.toml and every file in sources.d/ (exit 2 on any error)");
  std::string test_id;
  std::string test_page;
  std::string test_url;
  auto* sources_test = sources->add_subcommand(
      "test", "Show what a source extracts, from a saved page (offline) or fetched now; stores nothing");
  sources_test->add_option("SOURCE", test_id, "Source id")->required();
  auto* page_opt = sources_test->add_option("--page", test_page, "Saved page or feed file to extract from")
                       ->check(CLI::ExistingFile);
  sources_test->add_option("--url", test_url, "Fetch this URL instead of the source's own")
      ->excludes(page_opt);
  sources_test->add_flag("--json", options.json, "Print a JSON array");

  auto* queue = app.add_subcommand("queue", "The editors' review queue of candidate items");
  queue->require_subcommand(1);
  std::string state = "pending";
  std::string queue_source;
  int limit = 50;
  auto* queue_list = queue->add_subcommand("list", "List candidates, newest first");
  queue_list->add_option("--state", state, "pending, accepted, rejected or all")
      ->check(CLI::IsMember({"pending", "accepted", "rejected", "all"}))
      ->capture_default_str();
  queue_list->add_option("--source", queue_source, "Only this source");
  queue_list->add_option("--limit", limit, "At most this many")->check(CLI::Range(1, 10000))
      ->capture_default_str();
  queue_list->add_flag("--json", options.json, "Print a JSON array");
  std::int64_t candidate_id = 0;
  auto* queue_show = queue->add_subcommand("show", "Show one candidate in full");
  queue_show->add_option("ID", candidate_id, "Candidate id (from 'queue list')")->required();
  queue_show->add_flag("--json", options.json, "Print a JSON object");
  std::string reviewer;
  if (const char* user = std::getenv("USER"); user != nullptr) {
    reviewer = user;
  }
  std::string reason;
  auto* queue_accept = queue->add_subcommand("accept", "Accept a candidate for the newsletter");
  queue_accept->add_option("ID", candidate_id, "Candidate id")->required();
  queue_accept->add_option("--by", reviewer, "Who decided (default: $USER)");
  auto* queue_reject = queue->add_subcommand("reject", "Reject a candidate");
  queue_reject->add_option("ID", candidate_id, "Candidate id")->required();
  queue_reject->add_option("--reason", reason, "Why (kept in the audit log)");
  queue_reject->add_option("--by", reviewer, "Who decided (default: $USER)");

  if (const std::string message = unknown_verb_message(app, argc, argv); !message.empty()) {
    std::cerr << message << "\n";
    return herald::kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? herald::kExitOk : herald::kExitUsage;
  }
  options.config = config_path;
  setup_logging(verbose);

  const auto optional_path = [](const std::string& s) {
    return s.empty() ? std::nullopt : std::optional<std::filesystem::path>(s);
  };
  const auto optional_string = [](const std::string& s) {
    return s.empty() ? std::nullopt : std::optional<std::string>(s);
  };
  if (serve->parsed()) {
    return herald::cmd_serve(options);
  }
  if (poll->parsed()) {
    return herald::cmd_poll(options, poll_ids);
  }
  if (sources_list->parsed()) {
    return herald::cmd_sources_list(options);
  }
  if (sources_check->parsed()) {
    return herald::cmd_sources_check(options);
  }
  if (sources_test->parsed()) {
    return herald::cmd_sources_test(options, test_id, optional_path(test_page),
                                    optional_string(test_url));
  }
  if (queue_list->parsed()) {
    return herald::cmd_queue_list(options, state, optional_string(queue_source), limit);
  }
  if (queue_show->parsed()) {
    return herald::cmd_queue_show(options, candidate_id);
  }
  if (queue_accept->parsed() || queue_reject->parsed()) {
    return herald::cmd_queue_decide(options, candidate_id, queue_accept->parsed(), reviewer,
                                    reason);
  }
  return herald::kExitUsage;
}
