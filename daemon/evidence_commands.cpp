// `herald evidence show | cat | verify | prune`: the archive of raw responses behind the
// items (storage/evidence.h, docs/evidence.md).

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "common/clock.h"
#include "common/text.h"
#include "common/timezone.h"
#include "daemon/cli.h"
#include "daemon/context.h"
#include "daemon/run_source.h"
#include "storage/evidence.h"

namespace herald {
namespace {

struct ShowArguments {
  std::int64_t id = 0;
  bool candidate = false;  // id is a candidate id (queue, web UI) rather than an item id
};

struct CatArguments {
  std::string sha256{};
  bool headers = false;
};

// The configuration and the database every evidence verb starts from; prints and returns
// the exit code on failure.
struct Opened {
  Loaded loaded{};
  std::optional<Store> store{};
};

std::optional<Opened> open_all(const GlobalOptions& options, int& exit_code) {
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    print_error(loaded.error());
    exit_code = exit_code_for(loaded.error());
    return std::nullopt;
  }
  auto store = open_store(loaded->config);
  if (!store) {
    print_error(store.error());
    exit_code = kExitFailed;
    return std::nullopt;
  }
  Opened opened{.loaded = std::move(*loaded)};
  opened.store.emplace(std::move(*store));
  return opened;
}

std::string utc_text(std::int64_t utc_seconds) {
  return format_iso8601(utc_seconds, TimeZone::utc());
}

int show_evidence(const GlobalOptions& options, const ShowArguments& args) {
  int exit_code = kExitOk;
  auto opened = open_all(options, exit_code);
  if (!opened) {
    return exit_code;
  }
  Store& store = *opened->store;
  std::int64_t item_id = args.id;
  if (args.candidate) {
    auto candidate = store.get_candidate(args.id);
    if (!candidate) {
      print_error(candidate.error());
      return exit_code_for(candidate.error());
    }
    item_id = candidate->item_id;
  } else if (auto exists = item_exists(store.database(), item_id); !exists || !*exists) {
    print_error(exists ? Error{ErrorCode::kNotFound,
                               fmt::format("no item with id {} (for a candidate id from the "
                                           "queue, add --candidate)",
                                           item_id)}
                       : exists.error());
    return kExitFailed;
  }
  auto records = evidence_for_item(store.database(), item_id);
  if (!records) {
    print_error(records.error());
    return kExitFailed;
  }
  if (records->empty()) {
    std::cerr << fmt::format(
        "herald: item {} has no archived evidence (it was stored before the archive was "
        "enabled, its evidence could not be written, or retention removed it)\n",
        item_id);
    return kExitFailed;
  }
  const EvidenceArchive archive(evidence_dir(opened->loaded.config));
  for (const EvidenceRecord& record : *records) {
    const auto path = archive.path_for(record.body_sha256);
    std::error_code ec;
    const bool present = std::filesystem::is_regular_file(path, ec);
    // URLs and headers come from remote servers: no terminal control characters.
    std::cout << fmt::format(
        "{} page of item {}\n"
        "  url:       {}\n"
        "  final url: {}\n"
        "  fetched:   {}\n"
        "  status:    {}\n"
        "  sha256:    {}\n"
        "  size:      {} bytes ({} stored)\n"
        "  file:      {}{}\n",
        record.kind, item_id, strip_controls(record.url), strip_controls(record.final_url),
        utc_text(record.fetched_at), record.status, record.body_sha256, record.size,
        record.stored_size, path.string(), present ? "" : "  (MISSING: run 'herald evidence verify')");
  }
  return kExitOk;
}

int cat_evidence(const GlobalOptions& options, const CatArguments& args) {
  if (!is_sha256_hex(args.sha256)) {
    print_error(Error{ErrorCode::kUsage,
                      fmt::format("'{}' is not a SHA-256 (64 lower-case hex digits, as 'herald "
                                  "evidence show' prints)",
                                  strip_controls(args.sha256))});
    return kExitUsage;
  }
  int exit_code = kExitOk;
  auto opened = open_all(options, exit_code);
  if (!opened) {
    return exit_code;
  }
  const EvidenceArchive archive(evidence_dir(opened->loaded.config));
  // Read and verified whole before anything is written: a corrupt file prints nothing.
  auto body = archive.read(args.sha256);
  if (!body) {
    print_error(body.error());
    return kExitFailed;
  }
  std::string head;
  if (args.headers) {
    auto records = evidence_with_body(opened->store->database(), args.sha256);
    if (!records) {
      print_error(records.error());
      return kExitFailed;
    }
    if (records->empty()) {
      print_error(Error{ErrorCode::kNotFound,
                        fmt::format("no fetch record refers to {} any more (prune removes the "
                                    "file soon); the body alone is printed without --headers",
                                    args.sha256)});
      return kExitFailed;
    }
    // The newest fetch of these bytes, like `curl -i`: status line, headers, blank line.
    const EvidenceRecord& newest = records->front();
    head = fmt::format("HTTP {}\r\n", newest.status);
    for (const auto& [name, value] : newest.headers) {
      head += fmt::format("{}: {}\r\n", name, value);
    }
    head += "\r\n";
  }
  if (std::fwrite(head.data(), 1, head.size(), stdout) != head.size() ||
      std::fwrite(body->data(), 1, body->size(), stdout) != body->size() ||
      std::fflush(stdout) != 0) {
    std::perror("herald: writing to stdout");
    return kExitFailed;
  }
  return kExitOk;
}

int verify_archive(const GlobalOptions& options) {
  int exit_code = kExitOk;
  auto opened = open_all(options, exit_code);
  if (!opened) {
    return exit_code;
  }
  const EvidenceArchive archive(evidence_dir(opened->loaded.config));
  int checked = 0;
  auto problems = verify_evidence(opened->store->database(), archive, &checked);
  if (!problems) {
    print_error(problems.error());
    return kExitFailed;
  }
  for (const EvidenceProblem& problem : *problems) {
    std::cout << fmt::format("{} {} {}\n",
                             problem.problem == "missing" ? "missing" : "corrupt",
                             problem.sha256, problem.problem == "missing"
                                                 ? problem.path.string()
                                                 : problem.problem);
  }
  std::cout << fmt::format("{} bodies checked in {}: {}\n", checked, archive.dir().string(),
                           problems->empty()
                               ? std::string("all present and intact")
                               : fmt::format("{} missing or corrupt", problems->size()));
  return problems->empty() ? kExitOk : kExitFailed;
}

int prune_archive(const GlobalOptions& options) {
  int exit_code = kExitOk;
  auto opened = open_all(options, exit_code);
  if (!opened) {
    return exit_code;
  }
  const HeraldConfig& config = opened->loaded.config;
  const EvidenceArchive archive(evidence_dir(config));
  const SystemClock clock;
  auto pruned = prune_evidence(opened->store->database(), archive, config.archive.retention,
                               clock.now_utc_seconds());
  if (!pruned) {
    print_error(pruned.error());
    return kExitFailed;
  }
  std::cout << fmt::format("deleted {} fetch records, removed {} files ({} bytes) from {}\n",
                           pruned->rows, pruned->files, pruned->bytes, archive.dir().string());
  return kExitOk;
}

}  // namespace

void add_evidence_verbs(Cli& cli) {
  CLI::App* evidence = cli.app().add_subcommand(
      "evidence",
      "The archive of raw responses: every list or article page that produced a new item, "
      "byte for byte, with its URL, time, status and headers ([archive] in herald.toml; "
      "docs/evidence.md)");
  evidence->require_subcommand(1);

  auto show_args = std::make_shared<ShowArguments>();
  CLI::App* show = evidence->add_subcommand(
      "show", "What is archived for one item: each page's URL, final URL, fetch time (UTC), "
              "HTTP status, SHA-256 and file; exit 1 when there is nothing");
  show->add_option("ITEM_ID", show_args->id, "The item's id (with --candidate: a candidate id)")
      ->required();
  show->add_flag("--candidate", show_args->candidate,
                 "ITEM_ID is a candidate id, as 'herald queue list' and the web UI show");
  cli.on(show, [&cli, show_args] { return show_evidence(cli.options(), *show_args); });

  auto cat_args = std::make_shared<CatArguments>();
  CLI::App* cat = evidence->add_subcommand(
      "cat", "Write an archived body to stdout exactly as the site sent it, after checking "
             "that it still hashes to SHA256 (exit 1 if not): "
             "herald evidence cat SHA256 > page.html");
  cat->add_option("SHA256", cat_args->sha256, "The body's hash, from 'herald evidence show'")
      ->required();
  cat->add_flag("--headers", cat_args->headers,
                "First print the status and response headers of the newest fetch of these "
                "bytes, then a blank line (like curl -i)");
  cli.on(cat, [&cli, cat_args] { return cat_evidence(cli.options(), *cat_args); });

  CLI::App* verify = evidence->add_subcommand(
      "verify", "Re-hash every archived body; list each missing or corrupt file and exit 1 if "
                "there is any");
  cli.on(verify, [&cli] { return verify_archive(cli.options()); });

  CLI::App* prune = evidence->add_subcommand(
      "prune", "Apply [archive] retention now (the daemon does it nightly): delete fetch records "
               "older than the retention or no longer linked to an item, then body files no "
               "record refers to");
  cli.on(prune, [&cli] { return prune_archive(cli.options()); });
}

}  // namespace herald
