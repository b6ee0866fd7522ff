#include "daemon/commands.h"

#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "common/text.h"
#include "daemon/context.h"
#include "daemon/run_source.h"
#include "scrapers/fetch/curl_fetcher.h"
#include "scrapers/registry.h"
#include "scrapers/relevance/relevance.h"

namespace herald {
namespace {

using nlohmann::json;

// Failures to load configuration are usage errors (exit 2); everything later is 1.
int exit_code_for(const Error& error) {
  return error.code == ErrorCode::kConfig || error.code == ErrorCode::kUsage ? kExitUsage
                                                                             : kExitFailed;
}

const TimeZone& zone_of(const Loaded& loaded, const std::string& source_id) {
  static const TimeZone kUtc = TimeZone::utc();
  const SourceConfig* source = loaded.find(source_id);
  return source != nullptr ? source->timezone : kUtc;
}

json published_json(const std::optional<std::int64_t>& at, const TimeZone& zone) {
  return at ? json(format_iso8601(*at, zone)) : json(nullptr);
}

std::string published_short(const std::optional<std::int64_t>& at, const TimeZone& zone) {
  return at ? format_iso8601(*at, zone).substr(0, 10) : std::string("----------");
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) {
      out += separator;
    }
    out += part;
  }
  return out;
}

json candidate_json(const Candidate& c, const TimeZone& zone) {
  return json{{"id", c.id},
              {"source", c.source_id},
              {"title", c.title},
              {"url", c.url},
              {"published_at", published_json(c.published_at, zone)},
              {"summary", c.summary},
              {"state", std::string(review_state_name(c.state))},
              {"score", c.score},
              {"matched", c.matched_terms}};
}

Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(ErrorCode::kNotFound, fmt::format("cannot read {}", path.string()));
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

std::filesystem::path default_config_path() {
  const std::filesystem::path checkout = "config/herald.toml";
  std::error_code ec;
  if (std::filesystem::exists(checkout, ec)) {
    return checkout;
  }
  return "/etc/herald/herald.toml";
}

int cmd_poll(const GlobalOptions& options, const std::vector<std::string>& source_ids) {
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    print_error(loaded.error());
    return exit_code_for(loaded.error());
  }
  std::vector<const SourceConfig*> selected;
  if (source_ids.empty()) {
    for (const SourceConfig& source : loaded->sources.sources) {
      if (source.enabled) {
        selected.push_back(&source);
      }
    }
  } else {
    for (const std::string& id : source_ids) {
      const SourceConfig* source = loaded->find(id);
      if (source == nullptr) {
        std::cerr << "herald: no source with id '" << id
                  << "' (see 'herald sources list')\n";
        return kExitUsage;
      }
      selected.push_back(source);
    }
  }
  auto store = open_store(loaded->config);
  if (!store) {
    print_error(store.error());
    return kExitFailed;
  }
  auto fetcher = CurlFetcher::create();
  if (!fetcher) {
    print_error(fetcher.error());
    return kExitFailed;
  }
  SystemClock clock;
  int failures = 0;
  for (const SourceConfig* source : selected) {
    const RunReport report = run_source_once(*source, loaded->config, **fetcher, *store, clock);
    std::cout << format_report(report) << std::endl;
    if (!report.ok()) {
      ++failures;
    }
  }
  if (selected.empty()) {
    std::cerr << "herald: no enabled sources in " << loaded->config.sources_dir.string() << "\n";
  }
  return failures == 0 ? kExitOk : kExitFailed;
}

int cmd_sources_list(const GlobalOptions& options) {
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    print_error(loaded.error());
    return exit_code_for(loaded.error());
  }
  if (options.json) {
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
    return kExitOk;
  }
  for (const SourceConfig& s : loaded->sources.sources) {
    std::cout << fmt::format("{:<24} {:<5} {:<12} every {:>6}s {}{}  {}\n", s.id,
                             source_type_name(s.type), source_kind_name(s.kind), s.interval.count(),
                             s.enabled ? "" : "(disabled) ", s.url, s.name);
  }
  std::cout << loaded->sources.sources.size() << " sources in "
            << loaded->config.sources_dir.string() << "\n";
  return loaded->sources.errors.empty() ? kExitOk : kExitUsage;
}

int cmd_sources_check(const GlobalOptions& options) {
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

int cmd_sources_test(const GlobalOptions& options, const std::string& source_id,
                     const std::optional<std::filesystem::path>& page_file,
                     const std::optional<std::string>& url) {
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    print_error(loaded.error());
    return exit_code_for(loaded.error());
  }
  const SourceConfig* source = loaded->find(source_id);
  if (source == nullptr) {
    std::cerr << "herald: no source with id '" << source_id << "' (see 'herald sources list')\n";
    return kExitUsage;
  }
  SystemClock clock;
  FetchResponse page;
  if (page_file) {
    auto body = read_file(*page_file);
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
    if (url) {
      request.url = *url;
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
  if (options.json) {
    json out = json::array();
    for (const Item& item : extraction->items) {
      out.push_back(json{{"source", item.source_id},
                         {"title", item.title},
                         {"url", item.url},
                         {"published_at", published_json(item.published_at, source->timezone)},
                         {"summary", item.summary},
                         {"candidate", item.candidate},
                         {"matched", item.matched_terms}});
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

int cmd_queue_list(const GlobalOptions& options, const std::string& state,
                   const std::optional<std::string>& source_id, int limit) {
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    print_error(loaded.error());
    return exit_code_for(loaded.error());
  }
  auto store = open_store(loaded->config);
  if (!store) {
    print_error(store.error());
    return kExitFailed;
  }
  QueueFilter filter{.source_id = source_id, .limit = limit};
  if (state == "all") {
    filter.state = std::nullopt;
  } else if (state == "accepted") {
    filter.state = ReviewState::kAccepted;
  } else if (state == "rejected") {
    filter.state = ReviewState::kRejected;
  }
  auto candidates = store->list_candidates(filter);
  if (!candidates) {
    print_error(candidates.error());
    return kExitFailed;
  }
  if (options.json) {
    json out = json::array();
    for (const Candidate& c : *candidates) {
      out.push_back(candidate_json(c, zone_of(*loaded, c.source_id)));
    }
    std::cout << out.dump(2) << std::endl;
    return kExitOk;
  }
  for (const Candidate& c : *candidates) {
    std::cout << fmt::format("{:>6}  {:<8} {:>4.1f}  {}  {:<16} {}\n        matched: {}\n", c.id,
                             review_state_name(c.state), c.score,
                             published_short(c.published_at, zone_of(*loaded, c.source_id)),
                             c.source_id, c.title, join(c.matched_terms, ", "));
  }
  std::cout << candidates->size() << " candidates (" << state << ")\n";
  return kExitOk;
}

int cmd_queue_show(const GlobalOptions& options, std::int64_t id) {
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    print_error(loaded.error());
    return exit_code_for(loaded.error());
  }
  auto store = open_store(loaded->config);
  if (!store) {
    print_error(store.error());
    return kExitFailed;
  }
  auto candidate = store->get_candidate(id);
  if (!candidate) {
    print_error(candidate.error());
    return kExitFailed;
  }
  const TimeZone& zone = zone_of(*loaded, candidate->source_id);
  if (options.json) {
    std::cout << candidate_json(*candidate, zone).dump(2) << std::endl;
    return kExitOk;
  }
  std::cout << fmt::format(
      "id:        {}\nstate:     {}\ntitle:     {}\nsource:    {}\npublished: {} ({})\nlink:      {}\n"
      "score:     {:.1f} (matched: {})\n",
      candidate->id, review_state_name(candidate->state), candidate->title, candidate->source_id,
      candidate->published_at ? format_iso8601(*candidate->published_at, zone) : "unknown",
      candidate->published_text.empty() ? "no date text" : candidate->published_text,
      candidate->url, candidate->score, join(candidate->matched_terms, ", "));
  if (candidate->decided_at) {
    std::cout << fmt::format("decided:   {} by {}{}\n", format_iso8601(*candidate->decided_at, zone),
                             candidate->reviewer,
                             candidate->reason.empty() ? "" : " (" + candidate->reason + ")");
  }
  std::cout << "summary:\n  " << (candidate->summary.empty() ? "(none)" : candidate->summary) << "\n";
  return kExitOk;
}

int cmd_queue_decide(const GlobalOptions& options, std::int64_t id, bool accept,
                     const std::string& reviewer, const std::string& reason) {
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    print_error(loaded.error());
    return exit_code_for(loaded.error());
  }
  auto store = open_store(loaded->config);
  if (!store) {
    print_error(store.error());
    return kExitFailed;
  }
  SystemClock clock;
  auto decided = store->decide(id, accept ? ReviewState::kAccepted : ReviewState::kRejected,
                               reviewer.empty() ? std::string("cli") : reviewer, reason,
                               clock.now_utc_seconds());
  if (!decided) {
    print_error(decided.error());
    return kExitFailed;
  }
  std::cout << fmt::format("{} {}: {}\n", accept ? "accepted" : "rejected", decided->id,
                           decided->title);
  return kExitOk;
}

}  // namespace herald
