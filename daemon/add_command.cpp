// `herald add URL`: manual intake. An editor found an article herald cannot poll (WeChat,
// Weibo, sites behind bot walls): herald fetches that one page, extracts it, stores it and
// queues it as a candidate.

#include <iostream>
#include <memory>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/text.h"
#include "daemon/cli.h"
#include "daemon/context.h"
#include "daemon/output.h"
#include "daemon/politeness.h"
#include "daemon/replay_fetcher.h"
#include "scrapers/normalise/normalise.h"
#include "scrapers/normalise/url.h"
#include "scrapers/registry.h"
#include "scrapers/relevance/relevance.h"

namespace herald {
namespace {

// The pseudo-source of items added without a configured source.
constexpr std::string_view kManualSourceId = "manual";

struct AddArguments {
  std::string url{};
  std::string source_id{};
  std::string section{};
  std::string replay{};
  bool json = false;
};

bool is_http_url(std::string_view url) {
  return url.starts_with("http://") || url.starts_with("https://");
}

// "example.gov.cn" and "/news/2023/x.html" of a canonical key with www./m. folded away.
std::pair<std::string, std::string> host_and_path(std::string_view url) {
  const std::string key = canonical_url_key(url, UrlKeyOptions{.ignore_www = true});
  const std::size_t start = key.find("://");
  if (start == std::string::npos) {
    return {};
  }
  const std::size_t host_start = start + 3;
  const std::size_t path_start = key.find_first_of("/?", host_start);
  std::string host = key.substr(host_start, path_start - host_start);
  std::string path = path_start == std::string::npos ? "/" : key.substr(path_start);
  return {std::move(host), std::move(path)};
}

// The configured source whose url (or bridge) is on the URL's host; among several, the one
// whose path is the longest prefix of the URL's. nullptr when no source is on that host.
const SourceConfig* source_for_url(const SourceSet& sources, std::string_view url) {
  const auto [host, path] = host_and_path(url);
  const SourceConfig* best = nullptr;
  std::size_t best_prefix = 0;
  for (const SourceConfig& source : sources.sources) {
    const auto [source_host, source_path] = host_and_path(source.url);
    if (source_host != host) {
      continue;
    }
    const std::size_t prefix = path.starts_with(source_path) ? source_path.size() : 0;
    if (best == nullptr || prefix > best_prefix) {
      best = &source;
      best_prefix = prefix;
    }
  }
  return best;
}

// Where an editor files a candidate by default (PollRecord.default_section).
std::string default_section(const SourceConfig* source) {
  if (source != nullptr && (source->kind == SourceKind::kGovernment ||
                            source->kind == SourceKind::kCourt ||
                            source->kind == SourceKind::kAssociation)) {
    return "最新法律与监管动态";
  }
  return "最新行业动态";
}

// The request for one article page: the source's HTTP settings (User-Agent, Referer, ...)
// but not its list request (no POST body, no API URL).
FetchRequest article_request(const std::string& url, const SourceConfig* source,
                             const HeraldConfig& config) {
  FetchRequest request{.url = url, .user_agent = config.user_agent, .timeout = config.default_timeout};
  if (source != nullptr) {
    request.user_agent = source->fetch.user_agent.value_or(config.user_agent);
    request.referer = source->fetch.referer;
    request.accept_language = source->fetch.accept_language;
    request.timeout = source->fetch.timeout;
    request.max_body_bytes = source->fetch.max_body_bytes;
  }
  return request;
}

// The candidate of the stored item at `url`, searching every state; nullopt when the item
// is stored but was never queued.
Result<std::optional<Candidate>> find_candidate(Store& store, const std::string& url_key,
                                                const UrlKeyOptions& key_options) {
  constexpr int kPage = 500;
  for (int offset = 0;; offset += kPage) {
    auto page = store.list_candidates(
        QueueFilter{.state = std::nullopt, .limit = kPage, .offset = offset});
    if (!page) {
      return fail(page.error());
    }
    for (Candidate& candidate : *page) {
      if (canonical_url_key(candidate.url, key_options) == url_key) {
        return std::optional<Candidate>(std::move(candidate));
      }
    }
    if (static_cast<int>(page->size()) < kPage) {
      return std::optional<Candidate>();
    }
  }
}

void print_candidate(const Candidate& candidate, const TimeZone& zone, bool as_json,
                     std::string_view what) {
  if (as_json) {
    nlohmann::json out = candidate_json(candidate, zone);
    out["section"] = candidate.section;
    out["added"] = what == "queued";
    std::cout << out.dump(2) << std::endl;
    return;
  }
  std::cout << fmt::format("{} candidate {} ({}, {})\n", what, candidate.id, candidate.source_id,
                           review_state_name(candidate.state));
  std::cout << fmt::format("  title:     {}\n  url:       {}\n  published: {}\n  section:   {}\n",
                           strip_controls(candidate.title), candidate.url,
                           candidate.published_at ? format_iso8601(*candidate.published_at, zone)
                                                  : std::string("unknown"),
                           candidate.section);
  if (!candidate.summary.empty()) {
    std::cout << "  summary:   " << strip_controls(truncate_utf8(candidate.summary, 600)) << "\n";
  }
}

// An item stored before: report it (its candidate when there is one) and add nothing.
int report_known(Store& store, const std::string& url, const std::string& url_key,
                 const UrlKeyOptions& key_options, const TimeZone& zone, bool as_json) {
  auto candidate = find_candidate(store, url_key, key_options);
  if (!candidate) {
    print_error(candidate.error());
    return kExitFailed;
  }
  if (*candidate) {
    print_candidate(**candidate, zone, as_json, "already stored:");
  } else if (as_json) {
    std::cout << nlohmann::json{{"url", url}, {"added", false}, {"id", nullptr}}.dump(2)
              << std::endl;
  } else {
    std::cout << "already stored (scraped earlier, not in the queue): " << url << "\n";
  }
  return kExitOk;
}

int add_url(const GlobalOptions& options, const AddArguments& args) {
  if (!is_http_url(args.url)) {
    print_error(Error{ErrorCode::kUsage,
                      fmt::format("'{}' is not an http:// or https:// address", args.url)});
    return kExitUsage;
  }
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    print_error(loaded.error());
    return exit_code_for(loaded.error());
  }
  const SourceConfig* source = nullptr;
  if (!args.source_id.empty()) {
    source = loaded->find(args.source_id);
    if (source == nullptr) {
      print_error(unknown_source(args.source_id));
      return kExitUsage;
    }
  } else {
    source = source_for_url(loaded->sources, args.url);
  }
  const UrlKeyOptions key_options = source != nullptr ? source->url_key : UrlKeyOptions{};
  const TimeZone zone = source != nullptr ? source->timezone : TimeZone::utc();

  auto store = open_store(loaded->config);
  if (!store) {
    print_error(store.error());
    return kExitFailed;
  }
  const std::string given_key = canonical_url_key(args.url, key_options);
  auto known = store->known_url_keys({given_key});
  if (!known) {
    print_error(known.error());
    return kExitFailed;
  }
  if (known->at(0)) {
    return report_known(*store, args.url, given_key, key_options, zone, args.json);
  }

  auto fetcher = open_fetcher(
      args.replay, politeness_settings(loaded->config, loaded->sources.sources));
  if (!fetcher) {
    print_error(fetcher.error());
    return exit_code_for(fetcher.error());
  }
  SystemClock clock;
  const std::int64_t started = clock.now_utc_seconds();
  auto page = (*fetcher)->fetch(article_request(args.url, source, loaded->config));
  if (!page) {
    print_error(page.error());
    return kExitFailed;
  }
  auto extracted = extract_single_item(source, *page, started);
  if (!extracted) {
    print_error(extracted.error());
    return kExitFailed;
  }
  Item item = std::move(*extracted);
  item.source_id = source != nullptr ? source->id : std::string(kManualSourceId);
  if (item.url.empty()) {
    item.url = page->final_url.empty() ? args.url : page->final_url;
  }
  if (item.url_key.empty()) {
    item.url_key = canonical_url_key(item.url, key_options);
  }
  if (item.fingerprint.empty()) {
    item.fingerprint = item_fingerprint(item.title, item.published_at, zone);
  }
  score_item(item, loaded->config.topics, source != nullptr && source->always_candidate);
  item.candidate = true;  // an editor chose it: queued whatever its score

  // A redirect can land on a page stored under another URL.
  const std::string url_key = item.url_key;
  const std::string url = item.url;
  PollRecord poll{.source_id = item.source_id,
                  .started_at = started,
                  .outcome = "ok",
                  .http_status = page->status,
                  .bytes = static_cast<std::int64_t>(page->body.size()),
                  .items = {std::move(item)},
                  .default_section = args.section.empty() ? default_section(source) : args.section};
  auto summary = store->commit_poll(poll);
  if (!summary) {
    print_error(summary.error());
    return kExitFailed;
  }
  if (summary->items_new == 0) {
    return report_known(*store, url, url_key, key_options, zone, args.json);
  }
  auto candidate = find_candidate(*store, url_key, key_options);
  if (!candidate || !*candidate) {
    print_error(candidate ? Error{ErrorCode::kInternal,
                                  fmt::format("{} was stored but is not in the queue", url)}
                          : candidate.error());
    return kExitFailed;
  }
  print_candidate(**candidate, zone, args.json, "queued");
  return kExitOk;
}

}  // namespace

void add_add_verb(Cli& cli) {
  auto args = std::make_shared<AddArguments>();
  CLI::App* add = cli.app().add_subcommand(
      "add",
      "Manual intake: fetch one article page, extract its title, date and summary, store it "
      "and queue it as a candidate (for sources herald cannot poll, e.g. WeChat)");
  add->add_option("URL", args->url, "The article's address")->required();
  add->add_option("--source", args->source_id,
                  "Source id to file it under and read it with (default: the source on the "
                  "URL's host, else \"manual\")");
  add->add_option("--section", args->section,
                  "Newsletter section (default: 最新法律与监管动态 for government, court and "
                  "association sources, else 最新行业动态)");
  add->add_option("--replay", args->replay,
                  "Read the page from saved responses (a fixture directory) instead of the "
                  "network")
      ->check(CLI::ExistingDirectory);
  add->add_flag("--json", args->json, "Print the candidate as JSON");
  cli.on(add, [&cli, args] { return add_url(cli.options(), *args); });
}

}  // namespace herald
