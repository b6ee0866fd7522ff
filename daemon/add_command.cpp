// `herald add URL`: manual intake. An editor found an article herald cannot poll (WeChat,
// Weibo, sites behind bot walls): herald fetches that one page, extracts it, stores it and
// queues it as a candidate. What the page does not say (a JavaScript shell's post, a
// homepage's announcement) the editor gives with --title, --date and --summary; an item is
// never stored without a publish date.

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/text.h"
#include "daemon/cli.h"
#include "daemon/context.h"
#include "daemon/output.h"
#include "daemon/politeness.h"
#include "daemon/replay_fetcher.h"
#include "scrapers/legal/legal.h"
#include "scrapers/normalise/normalise.h"
#include "scrapers/normalise/url.h"
#include "scrapers/registry.h"
#include "scrapers/relevance/relevance.h"
#include "storage/database.h"

namespace herald {
namespace {

// The pseudo-source of items added without a configured source.
constexpr std::string_view kManualSourceId = "manual";

struct AddArguments {
  std::string url{};
  std::string source_id{};
  std::string section{};
  std::string replay{};
  // The editor's reading of the page, for what extraction cannot find; each wins over
  // what the page gave, and the output says which fields came from here.
  std::optional<std::string> title{};
  std::optional<std::string> date{};     // YYYY-MM-DD, a day in the source's time zone
  std::optional<std::string> summary{};
  bool json = false;
};

// The fields an editor gave, checked before anything is fetched.
struct EditorFields {
  std::optional<std::string> title{};
  std::optional<std::int64_t> published_at{};  // local midnight of --date, as UTC
  std::string date_text{};                     // --date as given
  std::optional<std::string> summary{};

  bool any() const { return title || published_at || summary; }
  // "title, date": what the output credits to the editor.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    if (title) {
      out.emplace_back("title");
    }
    if (published_at) {
      out.emplace_back("date");
    }
    if (summary) {
      out.emplace_back("summary");
    }
    return out;
  }
};

// "--title, --date and --summary" advice, shared by every message that needs it.
std::string editor_flags_hint(const TimeZone& zone) {
  return fmt::format("--date YYYY-MM-DD (the day it was published, in {} time) and, when what "
                     "herald found is not the article's, --title \"...\" and --summary \"...\"",
                     zone.name());
}

Result<EditorFields> read_editor_fields(const AddArguments& args, const TimeZone& zone,
                                        std::int64_t now_utc) {
  EditorFields fields;
  const auto text = [](const std::optional<std::string>& given, std::string_view flag,
                       std::size_t max_bytes) -> Result<std::optional<std::string>> {
    if (!given) {
      return std::optional<std::string>();
    }
    std::string cleaned = collapse_whitespace(strip_controls(*given));
    if (cleaned.empty()) {
      return fail(ErrorCode::kUsage, fmt::format("{} is empty; write the text in quotes, e.g. "
                                                 "{} \"...\"",
                                                 flag, flag));
    }
    return std::optional<std::string>(truncate_utf8(cleaned, max_bytes));
  };
  auto title = text(args.title, "--title", kMaxTitleBytes);
  if (!title) {
    return fail(title.error());
  }
  fields.title = std::move(*title);
  auto summary = text(args.summary, "--summary", kMaxSummaryBytes);
  if (!summary) {
    return fail(summary.error());
  }
  fields.summary = std::move(*summary);
  if (args.date) {
    const std::string& d = *args.date;
    const auto digits = [&](std::size_t from, std::size_t count) {
      int value = 0;
      for (std::size_t i = from; i < from + count; ++i) {
        if (d[i] < '0' || d[i] > '9') {
          return -1;
        }
        value = value * 10 + (d[i] - '0');
      }
      return value;
    };
    const bool shaped = d.size() == 10 && d[4] == '-' && d[7] == '-';
    const int year = shaped ? digits(0, 4) : -1;
    const int month = shaped ? digits(5, 2) : -1;
    const int day = shaped ? digits(8, 2) : -1;
    if (year < 1990 || month < 0 || day < 0 || !is_valid_civil_date(year, month, day)) {
      return fail(ErrorCode::kUsage,
                  fmt::format("--date '{}' is not a day; write YYYY-MM-DD (1990 or later), e.g. "
                              "--date 2023-11-04",
                              strip_controls(d)));
    }
    fields.published_at = zone.local_to_utc(days_from_civil(year, month, day) * 86400);
    if (*fields.published_at > now_utc + 86400) {
      return fail(ErrorCode::kUsage,
                  fmt::format("--date {} is in the future; write the day the article was "
                              "published",
                              d));
    }
    fields.date_text = d;
  }
  return fields;
}

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
    request.internal = source->fetch.internal;
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

// `from_editor`: the fields given with --title/--date/--summary ("title", "date", ...).
void print_candidate(const Candidate& candidate, const TimeZone& zone, bool as_json,
                     std::string_view what, const std::vector<std::string>& from_editor) {
  const auto given = [&](std::string_view field) {
    return std::find(from_editor.begin(), from_editor.end(), field) != from_editor.end()
               ? fmt::format("  (given with --{})", field)
               : std::string();
  };
  if (as_json) {
    nlohmann::json out = candidate_json(candidate, zone);
    out["section"] = candidate.section;
    out["added"] = what.starts_with("queued");  // queued by this call
    out["stored_before"] = what != "queued";
    out["from_editor"] = from_editor;
    std::cout << out.dump(2) << std::endl;
    return;
  }
  std::cout << fmt::format("{} candidate {} ({}, {})\n", what, candidate.id, candidate.source_id,
                           review_state_name(candidate.state));
  std::cout << fmt::format("  title:     {}{}\n  url:       {}\n  published: {}{}\n"
                           "  section:   {}\n",
                           strip_controls(candidate.title), given("title"), candidate.url,
                           candidate.published_at ? format_iso8601(*candidate.published_at, zone)
                                                  : std::string("unknown"),
                           given("date"), candidate.section);
  if (!candidate.summary.empty()) {
    std::cout << "  summary:   " << strip_controls(truncate_utf8(candidate.summary, 600))
              << given("summary") << "\n";
  }
}

// An item stored before: report its candidate, or queue it when it has none. Nothing is
// fetched and the stored fields stand (editors change them in the queue).
int report_known(Store& store, const std::string& url, const std::string& url_key,
                 const UrlKeyOptions& key_options, const TimeZone& zone, const std::string& section,
                 const EditorFields& editor, bool as_json) {
  auto candidate = find_candidate(store, url_key, key_options);
  if (!candidate) {
    print_error(candidate.error());
    return kExitFailed;
  }
  if (*candidate) {
    print_candidate(**candidate, zone, as_json, "already stored:", {});
    return kExitOk;
  }
  SystemClock clock;
  auto queued = store.queue_stored_item(url_key, section, clock.now_utc_seconds());
  if (!queued) {
    print_error(queued.error());
    return kExitFailed;
  }
  candidate = find_candidate(store, url_key, key_options);
  if (!candidate || !*candidate) {
    print_error(candidate ? Error{ErrorCode::kInternal,
                                  fmt::format("{} is stored but could not be queued", url)}
                          : candidate.error());
    return kExitFailed;
  }
  if (editor.any() && !as_json) {
    std::cerr << "note: " << url << " was stored earlier; its stored title, date and summary "
              << "are kept (--title, --date and --summary apply to new items only; edit the "
              << "candidate in the queue instead)\n";
  }
  print_candidate(**candidate, zone, as_json,
                  *queued ? "queued (stored earlier, not queued until now):" : "already stored:",
                  {});
  return kExitOk;
}

// The item from the editor's fields alone, when the page could not be fetched or gave no
// title. Needs --title and --date.
Result<Item> item_from_editor(const std::string& url, const SourceConfig* source,
                              const EditorFields& editor, std::int64_t now_utc) {
  SourceConfig manual;
  manual.id = std::string(kManualSourceId);
  const SourceConfig& config = source != nullptr ? *source : manual;
  const RawItem raw{.title = editor.title.value_or(""),
                    .link = url,
                    .summary = editor.summary.value_or("")};
  return normalise(raw, config, url, now_utc);
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
  const std::string section = args.section.empty() ? default_section(source) : args.section;
  auto editor = read_editor_fields(args, zone, SystemClock().now_utc_seconds());
  if (!editor) {
    print_error(editor.error());
    return kExitUsage;
  }

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
    return report_known(*store, args.url, given_key, key_options, zone, section, *editor,
                        args.json);
  }

  auto fetcher = open_fetcher(
      args.replay, politeness_settings(loaded->config, loaded->sources.sources));
  if (!fetcher) {
    print_error(fetcher.error());
    return exit_code_for(fetcher.error());
  }
  SystemClock clock;
  const std::int64_t started = clock.now_utc_seconds();
  const bool editor_can_stand_in = editor->title && editor->published_at;
  std::optional<Item> extracted_item;
  std::optional<std::int64_t> http_status;
  std::int64_t bytes = 0;
  std::string final_url = args.url;
  auto page = (*fetcher)->fetch(article_request(args.url, source, loaded->config));
  if (!page) {
    if (!editor_can_stand_in) {
      print_error(Error{page.error().code,
                        fmt::format("{}\n(If the page needs a login or a browser, read it there "
                                    "and add it with --title \"...\" --date YYYY-MM-DD "
                                    "[--summary \"...\"].)",
                                    page.error().message),
                        page.error().retryable});
      return kExitFailed;
    }
    std::cerr << "note: the page could not be fetched (" << page.error().message
              << "); storing it from --title and --date\n";
  } else {
    http_status = page->status;
    bytes = static_cast<std::int64_t>(page->body.size());
    if (!page->final_url.empty()) {
      final_url = page->final_url;
    }
    auto extracted = extract_single_item(source, *page, started);
    if (extracted) {
      extracted_item = std::move(*extracted);
    } else if (!editor_can_stand_in || extracted.error().code != ErrorCode::kNoMatch) {
      Error error = std::move(extracted.error());
      if (error.code == ErrorCode::kNoMatch) {
        error.message += fmt::format("; give what the page does not say with {}",
                                     editor_flags_hint(zone));
      }
      print_error(error);
      return kExitFailed;
    }
  }
  if (!extracted_item) {
    auto made = item_from_editor(final_url, source, *editor, started);
    if (!made) {
      print_error(made.error());
      return kExitFailed;
    }
    extracted_item = std::move(*made);
  }
  Item item = std::move(*extracted_item);
  item.source_id = source != nullptr ? source->id : std::string(kManualSourceId);
  if (item.url.empty()) {
    item.url = final_url;
  }
  if (item.url_key.empty()) {
    item.url_key = canonical_url_key(item.url, key_options);
  }
  // The editor read the page (or the post behind it): their fields win over extraction.
  if (editor->title) {
    item.title = *editor->title;
  }
  if (editor->summary) {
    item.summary = *editor->summary;
  }
  if (editor->published_at) {
    item.published_at = editor->published_at;
    item.published_text = editor->date_text;
    item.date_suspect = false;
  }
  if (!item.published_at) {
    // An undated item would sort and file wrongly in every edition; the editor knows the day.
    print_error(Error{
        ErrorCode::kNoMatch,
        fmt::format("{}: the page gives no publish date{} (found title: \"{}\"); nothing was "
                    "stored. Open it in a browser and add it again with {}",
                    item.url,
                    item.date_suspect ? " that can be trusted (it is in the future)" : "",
                    truncate_utf8(strip_controls(item.title), 120), editor_flags_hint(zone)),
        false});
    return kExitFailed;
  }
  // What the title and summary state (征求意见稿, a deadline sentence) fills what the page's
  // own metadata left empty, as a poll does; the year reads 「12月7日」 in the editor's zone.
  const std::int64_t local = *item.published_at + zone.offset_at_utc(*item.published_at);
  const std::int64_t local_day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  merge_legal(item.legal, extract_legal_from_text(item.title, item.summary,
                                                  static_cast<int>(civil_from_days(local_day).year)));
  item.fingerprint = item_fingerprint(item.title, item.published_at, zone);
  score_item(item, loaded->config.topics, source != nullptr && source->always_candidate);
  item.candidate = true;  // an editor chose it: queued whatever its score

  // A redirect can land on a page stored under another URL.
  const std::string url_key = item.url_key;
  const std::string url = item.url;
  PollRecord poll{.source_id = item.source_id,
                  .started_at = started,
                  .outcome = "ok",
                  .http_status = http_status,
                  .bytes = bytes,
                  .items = {std::move(item)},
                  .default_section = section};
  auto summary = store->commit_poll(poll);
  if (!summary) {
    print_error(summary.error());
    return kExitFailed;
  }
  if (summary->items_new == 0) {
    return report_known(*store, url, url_key, key_options, zone, section, *editor, args.json);
  }
  auto candidate = find_candidate(*store, url_key, key_options);
  if (!candidate || !*candidate) {
    print_error(candidate ? Error{ErrorCode::kInternal,
                                  fmt::format("{} was stored but is not in the queue", url)}
                          : candidate.error());
    return kExitFailed;
  }
  print_candidate(**candidate, zone, args.json, "queued", editor->names());
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
  add->add_option("--title", args->title,
                  "The article's title, when the page does not give it (a JavaScript shell, a "
                  "homepage); wins over what herald finds");
  add->add_option("--date", args->date,
                  "The day it was published, YYYY-MM-DD in the source's time zone, when the "
                  "page does not give it; herald stores nothing without a date");
  add->add_option("--summary", args->summary,
                  "A one-paragraph summary, when the page's is missing or not the article's");
  add->add_flag("--json", args->json, "Print the candidate as JSON");
  cli.on(add, [&cli, args] { return add_url(cli.options(), *args); });
}

}  // namespace herald
