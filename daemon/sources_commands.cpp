// `herald sources list | check | test`: the admins' tools.

#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "daemon/cli.h"
#include "daemon/context.h"
#include "daemon/output.h"
#include "daemon/run_source.h"
#include "scrapers/fetch/curl_fetcher.h"
#include "scrapers/registry.h"
#include "scrapers/relevance/relevance.h"

namespace herald {
namespace {

using nlohmann::json;

Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(ErrorCode::kNotFound, fmt::format("cannot read {}", path.string()));
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

int list_sources(const GlobalOptions& options, bool as_json) {
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    print_error(loaded.error());
    return exit_code_for(loaded.error());
  }
  if (as_json) {
    json out = json::array();
    for (const SourceConfig& s : loaded->sources.sources) {
      out.push_back(json{{"id", s.id},
                         {"name", s.name},
                         {"kind", std::string(source_kind_name(s.kind))},
                         {"type", std::string(source_type_name(s.type))},
                         {"url", s.url},
                         {"interval_seconds", s.interval.count()},
                         {"timezone", s.timezone.name()},
                         {"language", s.language},
                         {"enabled", s.enabled},
                         {"always_candidate", s.always_candidate},
                         {"file", s.file}});
    }
    std::cout << out.dump(2) << std::endl;
  } else {
    for (const SourceConfig& s : loaded->sources.sources) {
      std::cout << fmt::format("{:<24} {:<5} {:<12} every {:>6}s {}{}  {}\n", s.id,
                               source_type_name(s.type), source_kind_name(s.kind),
                               s.interval.count(), s.enabled ? "" : "(disabled) ", s.url, s.name);
    }
    std::cout << loaded->sources.sources.size() << " sources in "
              << loaded->config.sources_dir.string() << "\n";
  }
  return loaded->sources.errors.empty() ? kExitOk : kExitUsage;
}

int check_sources(const GlobalOptions& options) {
  auto config = load_herald_config(options.config);
  if (!config) {
    print_error(config.error());
    return kExitUsage;
  }
  auto sources = load_sources(config->sources_dir);
  if (!sources) {
    print_error(sources.error());
    return kExitUsage;
  }
  for (const Error& error : sources->errors) {
    std::cout << "error: " << error.message << "\n";
  }
  std::cout << fmt::format("{}: {} sources valid, {} errors\n", options.config.string(),
                           sources->sources.size(), sources->errors.size());
  return sources->errors.empty() ? kExitOk : kExitUsage;
}

struct TestArguments {
  std::string source_id{};
  std::string page{};
  std::string url{};
  bool json = false;
};

int test_source(const GlobalOptions& options, const TestArguments& args) {
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    print_error(loaded.error());
    return exit_code_for(loaded.error());
  }
  const SourceConfig* source = loaded->find(args.source_id);
  if (source == nullptr) {
    print_error(unknown_source(args.source_id));
    return kExitUsage;
  }
  SystemClock clock;
  FetchResponse page;
  if (!args.page.empty()) {
    auto body = read_file(args.page);
    if (!body) {
      print_error(body.error());
      return kExitFailed;
    }
    // A saved page has no HTTP headers: its charset comes from the source, a BOM, <meta> or
    // detection, and relative links resolve against the source's URL.
    page = FetchResponse{.status = 200, .final_url = source->url, .body = std::move(*body)};
  } else {
    auto fetcher = CurlFetcher::create();
    if (!fetcher) {
      print_error(fetcher.error());
      return kExitFailed;
    }
    FetchRequest request = make_request(*source, loaded->config, Validators{});
    if (!args.url.empty()) {
      request.url = args.url;
    }
    auto fetched = (*fetcher)->fetch(request);
    if (!fetched) {
      print_error(fetched.error());
      return kExitFailed;
    }
    page = std::move(*fetched);
  }
  auto extraction = extract_page(*source, page, clock.now_utc_seconds());
  if (!extraction) {
    print_error(extraction.error());
    return kExitFailed;
  }
  for (Item& item : extraction->items) {
    score_item(item, loaded->config.topics, source->always_candidate);
  }
  if (args.json) {
    json out = json::array();
    for (const Item& item : extraction->items) {
      out.push_back(item_json(item, source->timezone));
    }
    std::cout << out.dump(2) << std::endl;
    return kExitOk;
  }
  for (const Item& item : extraction->items) {
    std::cout << fmt::format("{}  {}{}\n    {}\n", published_short(item.published_at, source->timezone),
                             item.candidate ? "* " : "", item.title, item.url);
  }
  std::cout << fmt::format("{} items ({} rejected), charset {}{}; * = candidate\n",
                           extraction->items.size(), extraction->rejected, extraction->charset,
                           extraction->charset_suspect ? " (suspect)" : "");
  return kExitOk;
}

}  // namespace

void add_sources_verbs(Cli& cli) {
  CLI::App* sources = cli.app().add_subcommand("sources", "Inspect and test source configurations");
  sources->require_subcommand(1);

  auto list_json = std::make_shared<bool>(false);
  CLI::App* list = sources->add_subcommand("list", "List the configured sources");
  list->add_flag("--json", *list_json, "Print a JSON array");
  cli.on(list, [&cli, list_json] { return list_sources(cli.options(), *list_json); });

  CLI::App* check = sources->add_subcommand(
      "check", "Validate herald.toml and every file in sources.d/ (exit 2 on any error)");
  cli.on(check, [&cli] { return check_sources(cli.options()); });

  auto args = std::make_shared<TestArguments>();
  CLI::App* test = sources->add_subcommand(
      "test",
      "Show what a source extracts, from a saved page (offline) or fetched now; stores nothing");
  test->add_option("SOURCE", args->source_id, "Source id")->required();
  CLI::Option* page = test->add_option("--page", args->page, "Saved page or feed file to extract from")
                          ->check(CLI::ExistingFile);
  test->add_option("--url", args->url, "Fetch this URL instead of the source's own")->excludes(page);
  test->add_flag("--json", args->json, "Print a JSON array");
  cli.on(test, [&cli, args] { return test_source(cli.options(), *args); });
}

}  // namespace herald
