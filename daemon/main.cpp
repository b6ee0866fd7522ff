// herald: watches the websites an AI-law newsletter draws from and queues their new
// announcements for the editors. This file holds the global options and the dispatch;
// each verb group lives in its own file (see cli.h).

#include <cstdlib>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <libxml/parser.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "common/log_format.h"
#include "daemon/cli.h"
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
  // Under systemd with stderr on the journal: "<6>message", the priority prefix journald
  // reads and strips, no timestamp (journald keeps its own). Elsewhere, timestamp and level.
  logger->set_formatter(std::make_unique<herald::LogFormatter>(herald::stderr_is_journal()));
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
  app.set_version_flag("--version", "herald " HERALD_VERSION);
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

  herald::Cli cli(app, options);
  herald::add_serve_verb(cli);
  herald::add_poll_verb(cli);
  herald::add_sources_verbs(cli);
  herald::add_repair_verbs(cli);
  herald::add_queue_verbs(cli);
  herald::add_add_verb(cli);
  herald::add_export_verb(cli);
  herald::add_users_verbs(cli);
  herald::add_db_verbs(cli);
  herald::add_evidence_verbs(cli);
  herald::add_drafts_verbs(cli);
  herald::add_consultations_verb(cli);

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
  return cli.run_parsed();
}
