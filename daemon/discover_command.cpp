// `herald sources discover URL`: a source file from a list page's URL alone.

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "common/clock.h"
#include "config/config_loader.h"
#include "daemon/cli.h"
#include "daemon/context.h"
#include "daemon/discover_service.h"
#include "daemon/output.h"
#include "daemon/politeness.h"
#include "daemon/replay_fetcher.h"
#include "scrapers/decode/decode.h"
#include "scrapers/discover/discover.h"
#include "scrapers/fetch/polite_fetcher.h"

namespace herald {
namespace {

namespace fs = std::filesystem;

struct DiscoverArguments {
  std::string url{};
  std::string id{};
  std::string kind = "government";
  std::string page{};
  std::string replay{};
  bool write = false;
};

// "https://www.cac.gov.cn/wxzw/" -> "cac-gov-cn": a starting point the admin can rename.
std::string id_from_url(const std::string& url) {
  std::string host = url;
  if (auto at = host.find("://"); at != std::string::npos) host = host.substr(at + 3);
  host = host.substr(0, host.find_first_of("/?#:"));
  if (host.starts_with("www.")) host = host.substr(4);
  std::string id;
  for (char c : host) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      id += c;
    } else if (c >= 'A' && c <= 'Z') {
      id += static_cast<char>(c - 'A' + 'a');
    } else if (!id.empty() && id.back() != '-') {
      id += '-';
    }
  }
  while (!id.empty() && id.back() == '-') id.pop_back();
  return id.empty() ? "new-source" : id;
}

bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  }
  return true;
}

std::optional<SourceKind> kind_from_name(const std::string& name) {
  for (SourceKind k : {SourceKind::kGovernment, SourceKind::kCourt, SourceKind::kAssociation,
                       SourceKind::kCompany, SourceKind::kMedia, SourceKind::kPlatform}) {
    if (source_kind_name(k) == name) return k;
  }
  return std::nullopt;
}

Result<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::kNotFound, fmt::format("cannot read {}", path.string()));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

std::string no_list_message(const std::string& url) {
  return fmt::format(
      "no announcement list or feed found on {}.\n"
      "  What to try: open the page in a browser and follow the column's \"more\" (更多) link "
      "to the list page itself, then run discover on that URL; a homepage or a page drawn by "
      "JavaScript often has no list in its HTML. Otherwise write [list] by hand (README, "
      "\"Adding a source\").",
      url);
}

Result<DiscoverRun> run_discovery(const Loaded& loaded, Fetcher* fetcher, const DiscoverInput& input) {
  const std::string id = input.id.empty() ? id_from_url(input.url) : input.id;
  if (!valid_id(id)) {
    return fail(ErrorCode::kUsage, fmt::format("id '{}': use lower-case letters, digits, '-' and '_'", id));
  }
  const auto kind = kind_from_name(input.kind.empty() ? "government" : input.kind);
  if (!kind) {
    return fail(ErrorCode::kUsage,
                fmt::format("kind '{}': write government, court, association, company, media or platform",
                            input.kind));
  }
  if (!input.url.starts_with("http://") && !input.url.starts_with("https://")) {
    return fail(ErrorCode::kUsage, fmt::format("'{}' is not an http(s) URL", input.url));
  }
  FetchRequest request{.url = input.url,
                       .user_agent = identifying_user_agent(loaded.config.user_agent, loaded.config.contact),
                       .timeout = loaded.config.default_timeout};
  FetchResponse page;
  if (input.page) {
    page = *input.page;
  } else {
    if (fetcher == nullptr) {
      return fail(ErrorCode::kUsage, "no page to read: give a URL to fetch or a saved page");
    }
    auto fetched = fetcher->fetch(request);
    if (!fetched) {
      return fail(std::move(fetched.error()));
    }
    page = std::move(*fetched);
  }
  auto decoded = decode_to_utf8(page.body, page.content_type, std::nullopt);
  if (!decoded) {
    return fail(std::move(decoded.error()));
  }
  SystemClock clock;
  DiscoverOptions discover_options{.timezone = loaded.config.local_zone, .now_utc = clock.now_utc_seconds()};
  auto found = discover_list(*decoded, page.final_url.empty() ? input.url : page.final_url, discover_options);
  if (!found) {
    return fail(std::move(found.error()));
  }
  if (fetcher != nullptr) probe_feeds(*found, *fetcher, request);
  DiscoverRun run{.id = id, .url = input.url, .discovery = std::move(*found)};
  if (run.discovery.choice == DiscoveryChoice::kNone) {
    return run;
  }
  SourceDraft draft{.id = id, .kind = *kind, .url = input.url};
  // Dates were read in herald.toml's zone while discovering; the file says so, or the source
  // would read the same dates as UTC.
  const std::string zone = loaded.config.local_zone.name();
  if (zone.find('/') != std::string::npos) draft.timezone = zone;
  run.file = render_source_file(run.discovery, draft);
  return run;
}

Result<fs::path> save_discovered_source(const Loaded& loaded, const std::string& id,
                                        const std::string& text) {
  const fs::path dir = loaded.config.sources_dir;
  const fs::path target = dir / (id + ".toml");
  if (loaded.find(id) != nullptr || fs::exists(target)) {
    return fail(ErrorCode::kUsage,
                fmt::format("a source with id '{}' already exists ({}); pick another id, or edit that file "
                            "by hand",
                            id, target.string()));
  }
  // Checked under its own name in a private directory next to sources.d's files (the loader
  // wants id == file name; the daemon reads sources.d/*.toml only, never subdirectories),
  // then linked into place: same file system, and never a half-written file in sources.d.
  std::string pattern = (dir / ".discover-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return fail(ErrorCode::kConfig,
                fmt::format("cannot write in {}: check that it exists and is writable", dir.string()));
  }
  const fs::path scratch = pattern;
  struct Cleanup {
    fs::path path;
    ~Cleanup() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  } cleanup{scratch};
  const fs::path temp = scratch / (id + ".toml");
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return fail(ErrorCode::kConfig, fmt::format("cannot write {}", temp.string()));
  }
  auto checked = load_source_file(temp);
  if (!checked) {
    return fail(ErrorCode::kConfig,
                "the discovered file does not pass `sources check`, so it was not saved:\n" +
                    checked.error().message);
  }
  std::error_code ec;
  // A hard link fails if the name was taken since the check, where rename would replace it.
  fs::create_hard_link(temp, target, ec);
  if (ec) {
    return fail(ErrorCode::kConfig, fmt::format("cannot save {}: {}", target.string(), ec.message()));
  }
  return target;
}

namespace {

int discover(const GlobalOptions& options, const DiscoverArguments& args) {
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    print_error(loaded.error());
    return exit_code_for(loaded.error());
  }
  std::unique_ptr<Fetcher> fetcher;
  if (args.page.empty() || !args.replay.empty()) {
    auto opened = open_fetcher(args.replay, politeness_settings(loaded->config, loaded->sources.sources));
    if (!opened) {
      print_error(opened.error());
      return kExitFailed;
    }
    fetcher = std::move(*opened);
  }
  DiscoverInput input{.url = args.url, .id = args.id, .kind = args.kind};
  if (!args.page.empty()) {
    auto body = read_file(args.page);
    if (!body) {
      print_error(body.error());
      return kExitFailed;
    }
    // A saved page has no headers: the charset comes from a BOM, <meta> or detection.
    input.page = FetchResponse{.status = 200, .final_url = args.url, .body = std::move(*body)};
  }
  auto run = run_discovery(*loaded, fetcher.get(), input);
  if (!run) {
    print_error(run.error());
    return exit_code_for(run.error());
  }
  const Discovery& found = run->discovery;
  if (found.choice == DiscoveryChoice::kNone) {
    std::cerr << "herald: " << no_list_message(args.url) << "\n";
    for (const ListCandidate& c : found.lists) {
      std::cerr << "  looked at: " << describe_candidate(c) << "\n";
    }
    return kExitFailed;
  }
  std::cout << run->file;
  if (found.choice == DiscoveryChoice::kList) {
    const ListCandidate& best = found.lists.front();
    std::cout << fmt::format("\n# First items extracted with these rules ({} in all):\n", best.round_trip_items);
    for (const RawItem& item : best.preview) {
      std::cout << fmt::format("#   {:<12} {}\n#                {}\n", item.date_text.empty() ? "-" : item.date_text,
                               item.title, item.link);
    }
    if (found.lists.size() > 1) {
      std::cout << "\n# Rejected alternatives:\n";
      for (std::size_t i = 1; i < found.lists.size(); ++i) {
        std::cout << "#   " << describe_candidate(found.lists[i]) << "\n";
      }
    }
  } else {
    std::cout << fmt::format("\n# The page's own list was: {}\n",
                             found.lists.empty() ? std::string("none found") : describe_candidate(found.lists.front()));
  }
  if (!args.write) {
    std::cout << fmt::format("\n# Not saved. Run again with --write to check it and save it as {}\n",
                             (loaded->config.sources_dir / (run->id + ".toml")).string());
    return kExitOk;
  }
  auto written = save_discovered_source(*loaded, run->id, run->file);
  if (!written) {
    print_error(written.error());
    return exit_code_for(written.error());
  }
  std::cout << fmt::format("\n# Saved as {}; herald serve picks it up at the next reload.\n", written->string());
  return kExitOk;
}

}  // namespace

void add_sources_discover_verb(Cli& cli, CLI::App* sources) {
  auto args = std::make_shared<DiscoverArguments>();
  CLI::App* cmd = sources->add_subcommand(
      "discover",
      "Propose a source file from a list page's URL: feeds first, else the page's list of "
      "announcements with selectors, checked by extracting with them; prints the file, the "
      "first items and the rejected alternatives");
  cmd->add_option("URL", args->url, "The list page (a column's own page, not the homepage)")->required();
  cmd->add_option("--id", args->id, "Source id (default: from the host name)");
  cmd->add_option("--kind", args->kind, "government, court, association, company, media or platform");
  cmd->add_flag("--write", args->write,
                "Check the file as `sources check` does and save it to sources.d (never overwrites)");
  CLI::Option* page = cmd->add_option("--page", args->page, "Read the page from this saved file (offline)")
                          ->check(CLI::ExistingFile);
  cmd->add_option("--replay", args->replay, "Answer every fetch from saved responses in DIR")
      ->check(CLI::ExistingDirectory)
      ->excludes(page);
  cli.on(cmd, [&cli, args] { return discover(cli.options(), *args); });
}

}  // namespace herald
