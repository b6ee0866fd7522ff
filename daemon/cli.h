#pragma once

#include <filesystem>
#include <functional>
#include <vector>

#include <CLI/CLI.hpp>

namespace herald {

// Exit codes of every verb (README "Interface contract").
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the operation failed (a source could not be fetched, ...)
inline constexpr int kExitUsage = 2;   // bad usage or invalid configuration

struct GlobalOptions {
  std::filesystem::path config{};  // herald.toml; final once the command line is parsed
};

// The command line under construction. Each verb group registers its subcommands and
// the action to run when one of them is chosen; main() runs the chosen action.
class Cli {
 public:
  Cli(CLI::App& app, const GlobalOptions& options) : app_(app), options_(options) {}

  CLI::App& app() { return app_; }
  const GlobalOptions& options() const { return options_; }

  // `run` is called after parsing when `command` was the verb given.
  void on(CLI::App* command, std::function<int()> run) {
    actions_.push_back({command, std::move(run)});
  }

  // Runs the action of the parsed verb; kExitUsage when none matches.
  int run_parsed() const {
    for (const auto& [command, run] : actions_) {
      if (command->parsed()) {
        return run();
      }
    }
    return kExitUsage;
  }

 private:
  CLI::App& app_;
  const GlobalOptions& options_;
  std::vector<std::pair<CLI::App*, std::function<int()>>> actions_;
};

// The default herald.toml: config/herald.toml when run from a checkout, else the installed
// /etc/herald/herald.toml.
std::filesystem::path default_config_path();

// One function per verb group, each in its own file.
void add_serve_verb(Cli& cli);      // serve.cpp
void add_poll_verb(Cli& cli);       // poll_command.cpp
void add_sources_verbs(Cli& cli);   // sources_commands.cpp
// discover_command.cpp: `sources discover URL`, called by add_sources_verbs on its group.
void add_sources_discover_verb(Cli& cli, CLI::App* sources);
void add_repair_verbs(Cli& cli);    // repair_command.cpp: `sources repair(s)`, after add_sources_verbs
void add_queue_verbs(Cli& cli);     // queue_commands.cpp
void add_add_verb(Cli& cli);        // add_command.cpp: manual intake, `herald add URL`
void add_export_verb(Cli& cli);     // export_command.cpp: the newsletter draft
void add_users_verbs(Cli& cli);     // users_commands.cpp: web UI accounts
void add_db_verbs(Cli& cli);        // db_commands.cpp: backup, check, prune
void add_evidence_verbs(Cli& cli);  // evidence_commands.cpp: the archive of raw responses
void add_drafts_verbs(Cli& cli);    // drafts_command.cpp: the drafting queue
void add_consultations_verb(Cli& cli);  // consultations_command.cpp: open comment periods

}  // namespace herald
