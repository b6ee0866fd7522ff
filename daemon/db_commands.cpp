// `herald db backup | check | prune | stats`: database care by hand (docs/database.md).

#include <algorithm>
#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "common/clock.h"
#include "common/timezone.h"
#include "daemon/cli.h"
#include "daemon/context.h"
#include "daemon/db_care.h"
#include "daemon/run_source.h"
#include "storage/maintenance.h"

namespace herald {
namespace {

int fail_with(const Error& error) {
  print_error(error);
  return exit_code_for(error);
}

std::string kilobytes(std::int64_t bytes) {
  return bytes >= 10 * 1024 * 1024 ? fmt::format("{} MB", bytes / (1024 * 1024))
                                   : fmt::format("{} KB", (bytes + 1023) / 1024);
}

// The configuration and its database, opened the way every verb opens it (the startup
// check included).
struct Opened {
  Loaded loaded;
  Store store;
};

Result<Opened> open_configured(const GlobalOptions& options) {
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    return fail(std::move(loaded.error()));
  }
  auto store = open_store(loaded->config);
  if (!store) {
    return fail(std::move(store.error()));
  }
  return Opened{std::move(*loaded), std::move(*store)};
}

int backup(const GlobalOptions& options, const std::string& file, bool force) {
  auto opened = open_configured(options);
  if (!opened) {
    return fail_with(opened.error());
  }
  Store* store = &opened->store;
  if (auto written = backup_database(store->database(), file, force); !written) {
    return fail_with(written.error());
  }
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  std::cout << fmt::format("backup written to {} ({}, integrity_check ok)\n", file,
                           kilobytes(static_cast<std::int64_t>(size)));
  return kExitOk;
}

// A path quoted for a shell command line (single quotes; a ' inside becomes '\'').
std::string shell_quoted(const std::filesystem::path& path) {
  std::string out = "'";
  for (char c : path.string()) {
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return out + "'";
}

// Warnings, not failures: the data is sound, but other users of the machine can read it
// (docs/service.md "File modes"). Each line says how to fix it.
void print_mode_warnings(const HeraldConfig& config) {
  const std::filesystem::path archive = evidence_dir(config);
  const ModeReport modes =
      check_private_modes(config.database, backup_directory(config), archive);
  if (modes.problems.empty()) {
    std::cout << "  file modes: ok\n";
    return;
  }
  const std::int64_t total = static_cast<std::int64_t>(modes.problems.size()) + modes.more;
  std::cout << fmt::format("  file modes: {} path(s) readable beyond herald's user and group\n",
                           total);
  for (const ModeProblem& problem : modes.problems) {
    std::cout << fmt::format("    warning: {} {} is {:04o}, herald makes it {:04o}; fix: chmod "
                             "{:o} {}\n",
                             problem.directory ? "directory" : "file", problem.path.string(),
                             problem.mode, problem.wanted, problem.wanted,
                             shell_quoted(problem.path));
  }
  if (modes.more > 0) {
    std::cout << fmt::format("    ... and {} more\n", modes.more);
  }
  // A whole tree at once (an archive copied in with cp -r, a backup directory made by hand).
  for (const std::filesystem::path& dir : {backup_directory(config), archive}) {
    const bool affected = std::any_of(
        modes.problems.begin(), modes.problems.end(), [&](const ModeProblem& problem) {
          const auto rel = problem.path.lexically_relative(dir);
          return !rel.empty() && *rel.begin() != "..";
        });
    if (affected) {
      const PrivateModes wanted = private_modes_in(dir.parent_path());
      std::cout << fmt::format(
          "    fix the whole of {}: find {} -type d -exec chmod {:o} {{}} + -o -type f -exec "
          "chmod {:o} {{}} +\n",
          dir.string(), shell_quoted(dir), wanted.directory & 0777, wanted.file);
    }
  }
}

// Reads the database as it is on disk: it neither moves a corrupt file aside nor migrates,
// so what it prints is what an admin needs to decide (docs/database.md "Restore").
int check(const GlobalOptions& options) {
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    return fail_with(loaded.error());
  }
  const std::filesystem::path& path = loaded->config.database;
  std::cout << fmt::format("database {}\n", path.string());
  auto file = check_database_file(path);
  if (!file) {
    return fail_with(file.error());
  }
  if (!file->exists) {
    return fail_with(Error{ErrorCode::kNotFound,
                           fmt::format("no database at {} (check [storage] database)",
                                       path.string())});
  }
  if (file->corrupt) {
    std::cout << fmt::format("  corrupt: {}\nresult: CORRUPT (the next herald start moves it "
                             "aside and restores the newest backup from {})\n",
                             file->problem, backup_directory(loaded->config).string());
    return kExitFailed;
  }
  auto db = Database::open_as_is(path);
  if (!db) {
    return fail_with(db.error());
  }
  auto report = check_database(*db);
  if (!report) {
    return fail_with(report.error());
  }
  auto print_findings = [](std::string_view name, const std::vector<std::string>& findings) {
    if (findings.empty()) {
      std::cout << fmt::format("  {}: ok\n", name);
      return;
    }
    std::cout << fmt::format("  {}: {} problem(s)\n", name, findings.size());
    for (const std::string& finding : findings) {
      std::cout << fmt::format("    {}\n", finding);
    }
  };
  print_findings("integrity_check", report->integrity);
  print_findings("foreign_key_check", report->foreign_keys);
  const int have = report->schema_version;
  const int want = report->expected_schema_version;
  std::cout << fmt::format(
      "  schema version: {} ({})\n", have,
      have == want ? "current"
      : have < want ? fmt::format("older than this herald's {}; herald serve upgrades it", want)
                    : fmt::format("NEWER than this herald's {}: run the herald that wrote it", want));
  print_mode_warnings(loaded->config);
  if (report->ok()) {
    std::cout << "result: ok\n";
    return kExitOk;
  }
  std::cout << fmt::format("result: PROBLEMS FOUND (restore a backup from {}: see "
                           "docs/database.md)\n",
                           backup_directory(loaded->config).string());
  return kExitFailed;
}

int prune(const GlobalOptions& options, bool dry_run, std::optional<int> older_than_days) {
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    return fail_with(loaded.error());
  }
  std::int64_t retention = 0;
  if (older_than_days) {
    if (*older_than_days < 1) {
      return fail_with(Error{ErrorCode::kUsage, "--older-than takes a number of days, at least 1"});
    }
    retention = static_cast<std::int64_t>(*older_than_days) * 86400;
  } else if (loaded->config.db_care.item_retention) {
    retention = loaded->config.db_care.item_retention->count();
  } else {
    return fail_with(Error{ErrorCode::kUsage,
                           "no retention configured: set [storage] item_retention (e.g. "
                           "\"365d\") or pass --older-than DAYS"});
  }
  auto store = open_store(loaded->config);
  if (!store) {
    return fail_with(store.error());
  }
  const SystemClock clock;
  const std::int64_t cutoff = clock.now_utc_seconds() - retention;
  auto report = prune_items(store->database(), cutoff, dry_run);
  if (!report) {
    return fail_with(report.error());
  }
  const std::string before =
      format_iso8601(cutoff, loaded->config.local_zone).substr(0, 10);
  std::cout << fmt::format("{} {} items first seen before {} that never became candidates "
                           "({} of text){}\n",
                           dry_run ? "would prune" : "pruned", report->items, before,
                           kilobytes(report->text_bytes),
                           dry_run ? "; run without --dry-run to do it" : "");
  return kExitOk;
}

int stats(const GlobalOptions& options) {
  auto opened = open_configured(options);
  if (!opened) {
    return fail_with(opened.error());
  }
  const Loaded* loaded = &opened->loaded;
  Store* store = &opened->store;
  auto stats = database_stats(store->database(), loaded->config.database);
  if (!stats) {
    return fail_with(stats.error());
  }
  const std::vector<std::filesystem::path> backups =
      list_nightly_backups(backup_directory(loaded->config));
  auto last = store->state(std::string(kLastBackupStateKey));
  std::cout << fmt::format(
      "database      {}\n"
      "size          {} ({} free inside the file)\n"
      "items         {} ({} pruned)\n"
      "candidates    {}\n"
      "polls         {}\n"
      "backups       {} in {}{}\n"
      "last nightly  {}\n",
      loaded->config.database.string(), kilobytes(stats->file_bytes),
      kilobytes(stats->free_pages * stats->page_size), stats->items, stats->pruned_items,
      stats->candidates, stats->polls, backups.size(),
      backup_directory(loaded->config).string(),
      backups.empty() ? "" : fmt::format(", newest {}", backups.front().filename().string()),
      last && *last ? **last : std::string("never"));
  return kExitOk;
}

}  // namespace

void add_db_verbs(Cli& cli) {
  CLI::App* db = cli.app().add_subcommand(
      "db", "Database care: online backups, integrity check, retention of old items");
  db->require_subcommand(1);
  db->footer(
      "The daemon also backs up every night ([storage] backup_at, backup_keep, backup_dir) "
      "and prunes old items ([storage] item_retention). See docs/database.md for restoring.");

  auto backup_file = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  CLI::App* backup_command = db->add_subcommand(
      "backup",
      "Write a consistent copy of the database to FILE while herald keeps running "
      "(VACUUM INTO; the copy is checked with integrity_check before it is kept)");
  backup_command->add_option("FILE", *backup_file, "Where to write the backup")->required();
  backup_command->add_flag("--force", *force, "Replace FILE if it exists");
  cli.on(backup_command,
         [&cli, backup_file, force] { return backup(cli.options(), *backup_file, *force); });

  CLI::App* check_command = db->add_subcommand(
      "check",
      "Check the database: integrity_check, foreign_key_check and the schema version. "
      "Exit 0 when all is well, 1 when something is wrong. Changes nothing.");
  cli.on(check_command, [&cli] { return check(cli.options()); });

  auto dry_run = std::make_shared<bool>(false);
  auto older_than = std::make_shared<std::optional<int>>();
  CLI::App* prune_command = db->add_subcommand(
      "prune",
      "Clear the text of items that never became candidates and were first seen longer ago "
      "than [storage] item_retention; their URL is kept so they are never stored as new again");
  prune_command->add_flag("--dry-run", *dry_run, "Only say how many items would be pruned");
  prune_command
      ->add_option("--older-than", *older_than,
                   "Prune items first seen more than this many days ago, instead of "
                   "[storage] item_retention")
      ->type_name("DAYS");
  cli.on(prune_command, [&cli, dry_run, older_than] {
    return prune(cli.options(), *dry_run, *older_than);
  });

  CLI::App* stats_command =
      db->add_subcommand("stats", "Size, row counts, free space and backups of the database");
  cli.on(stats_command, [&cli] { return stats(cli.options()); });
}

}  // namespace herald
