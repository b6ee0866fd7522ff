#include "daemon/run_source.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <sqlite3.h>
#include <spdlog/spdlog.h>

#include "common/text.h"
#include "daemon/edition.h"
#include "daemon/repair.h"
#include "daemon/replay_fetcher.h"
#include "scrapers/cluster/simhash.h"
#include "scrapers/cluster/story_index.h"
#include "scrapers/decode/decode.h"
#include "scrapers/enrich/article.h"
#include "scrapers/legal/legal.h"
#include "scrapers/normalise/normalise.h"
#include "scrapers/parse/html_document.h"
#include "scrapers/fetch/polite_fetcher.h"
#include "scrapers/registry.h"
#include "scrapers/relevance/relevance.h"
#include "storage/evidence.h"

namespace herald {
namespace {

// As in normalise: a date more than a day after the fetch is a site's mistake.
constexpr std::int64_t kFutureSlackSeconds = 86400;

// List pages cut long titles ("关于印发《...》的通知..."); the article page has it whole.
bool looks_truncated(std::string_view title) {
  return title.ends_with("...") || title.ends_with("…");
}

// UTC seconds of local midnight (in tz) of the day holding `utc_seconds`: where a
// date-only list entry was stored.
std::int64_t local_midnight_utc(std::int64_t utc_seconds, const TimeZone& tz) {
  const std::int64_t offset = tz.offset_at_utc(utc_seconds);
  const std::int64_t local = utc_seconds + offset;
  const std::int64_t day = (local >= 0 ? local : local - 86399) / 86400;
  return day * 86400 - offset;
}

Result<ArticleFields> read_article(const Item& item, const SourceConfig& source,
                                   const HeraldConfig& config, Fetcher& fetcher,
                                   std::int64_t now_utc, const std::atomic<bool>* cancel,
                                   FetchResponse& fetched) {
  FetchRequest request = make_request(source, config, Validators{});
  request.url = item.url;
  request.timeout = source.article->timeout;
  request.cancel = cancel;
  auto page = fetcher.fetch(request);
  if (!page) {
    return fail(page.error());
  }
  if (page->not_modified()) {  // no validators were sent: a 304 carries no page
    return fail(ErrorCode::kNetwork, fmt::format("{}: 304 without a conditional request",
                                                 item.url));
  }
  auto text = decode_to_utf8(page->body, page->content_type, source.charset);
  if (!text) {
    return fail(text.error());
  }
  auto doc = HtmlDocument::parse(text->utf8);
  if (!doc) {
    return fail(doc.error());
  }
  auto article = extract_article(*doc, source.article, source.timezone, now_utc);
  if (article) {
    fetched = std::move(*page);
  }
  return article;
}

// The list stays the authority for what it gave; the article fills the gaps.
void apply_article(Item& item, ArticleFields article, const SourceConfig& source,
                   std::int64_t now_utc) {
  bool identity_changed = false;
  if (article.published && article.published->utc_seconds <= now_utc + kFutureSlackSeconds) {
    const ParsedDate& date = *article.published;
    const bool undated = !item.published_at.has_value();
    // A date-only list entry on the same day as a timed article date gains the time.
    const bool adds_time = !undated && date.has_time &&
                           *item.published_at == local_midnight_utc(date.utc_seconds,
                                                                    source.timezone);
    if (undated || adds_time) {
      item.published_at = date.utc_seconds;
      item.published_text = std::move(article.published_text);
      item.date_suspect = false;
      identity_changed = true;
    }
  }
  if (looks_truncated(item.title) && !article.title.empty()) {
    item.title = truncate_utf8(article.title, kMaxTitleBytes);
    identity_changed = true;
  }
  if (item.summary.empty()) {
    item.summary = truncate_utf8(article.summary, kMaxSummaryBytes);
  }
  if (item.content_source.empty()) {
    item.content_source = std::move(article.content_source);
  }
  // The article page's metadata table is the authority on 文号, dates and deadline; what
  // the list row stated only fills its gaps.
  merge_legal(article.legal, item.legal);
  item.legal = std::move(article.legal);
  item.body = std::move(article.body);
  if (identity_changed) {
    item.fingerprint = item_fingerprint(item.title, item.published_at, source.timezone);
  }
}

// One poll's evidence: bodies go to the archive as they arrive, their records wait in
// `stage` for the poll's transaction. Never fails the poll: a body that cannot be written
// is logged and left out.
class EvidenceCollector {
 public:
  EvidenceCollector(const SourceConfig& source, const HeraldConfig& config, const Clock& clock,
                    RunReport& report)
      : source_(source), config_(config), clock_(clock), report_(report),
        archive_(evidence_dir(config)) {}

  bool enabled() const { return config_.archive.enabled; }

  void keep(std::string_view kind, const std::string& request_url, const FetchResponse& page,
            std::int64_t fetched_at, std::string url_key) {
    if (!enabled()) {
      return;
    }
    // The marker lets `--replay DIR` find the database that indexes this archive.
    auto stored = archive_.write_marker(config_.database).and_then([&] {
      return archive_.put(page.body);
    });
    if (!stored) {
      report_.evidence_failed = true;
      spdlog::warn("source={} stage=evidence the {} page {} was not archived: {}; the poll "
                   "goes on without it (check [archive] dir and free space)",
                   source_.id, kind, strip_controls(request_url),
                   strip_controls(stored.error().message));
      return;
    }
    ++report_.evidence_staged;
    stage_.evidence.push_back(StagedEvidence{
        .record = EvidenceRecord{.source_id = source_.id,
                                 .kind = std::string(kind),
                                 .url = request_url,
                                 .final_url = page.final_url.empty() ? request_url
                                                                     : page.final_url,
                                 .status = page.status,
                                 .headers = page.headers,
                                 .fetched_at = fetched_at,
                                 .body_sha256 = stored->sha256,
                                 .size = stored->size,
                                 .stored_size = stored->stored_size},
        .url_key = std::move(url_key)});
  }

  ArticleObserver article_observer() {
    if (!enabled()) {
      return {};
    }
    return [this](const Item& item, const FetchResponse& page) {
      keep("article", item.url, page, clock_.now_utc_seconds(), item.url_key);
    };
  }

  PollStage& stage() { return stage_; }

 private:
  const SourceConfig& source_;
  const HeraldConfig& config_;
  const Clock& clock_;
  RunReport& report_;
  EvidenceArchive archive_;
  PollStage stage_{};
};

// For each of `items`, whether its url_key is stored already (same order). A poll asks once
// and uses the answer for article fetches, the list page's evidence and same-story checks.
Result<std::vector<bool>> stored_already(const std::vector<Item>& items, Store& store) {
  std::vector<std::string> keys;
  keys.reserve(items.size());
  for (const Item& item : items) {
    keys.push_back(item.url_key);
  }
  auto known = store.known_url_keys(keys);
  if (known && known->size() != items.size()) {
    return fail(ErrorCode::kInternal, "url key count mismatch");
  }
  return known;
}

bool any_new(const std::vector<bool>& known) {
  return std::find(known.begin(), known.end(), false) != known.end();
}

// The year of `utc_seconds` as the source's zone prints it: what a date written without a
// year (「意见反馈截止时间为12月7日」) means.
int local_year(std::int64_t utc_seconds, const TimeZone& tz) {
  const std::int64_t local = utc_seconds + tz.offset_at_utc(utc_seconds);
  const std::int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  return static_cast<int>(civil_from_days(days).year);
}

// Legal metadata of every new item, enriched or not (feeds and list-only sources too): what
// its list row states (a deadline list date, the title and summary) fills the fields the
// article page left empty. Known items are skipped: the store keeps what it stored with them
// first.
void fill_legal_from_list(std::vector<Item>& items, const std::vector<bool>& known,
                          const SourceConfig& source) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (known[i]) {
      continue;
    }
    Item& item = items[i];
    // [list] date_is = "deadline" (cn-tc260): the list's date, kept as the summary, is the
    // end of the comment period; the article page, had it stated one, came first.
    if (source.list && source.list->date_is_deadline && is_calendar_date(item.summary) &&
        item.legal.value(LegalField::kCommentDeadline).empty()) {
      item.legal[LegalField::kCommentDeadline] = LegalValue{.value = item.summary, .from = "list"};
    }
    std::optional<int> year;
    if (item.published_at) {
      year = local_year(*item.published_at, source.timezone);
    }
    merge_legal(item.legal, extract_legal_from_text(item.title, item.summary, year));
  }
}

void enrich_unknown_items(std::vector<Item>& items, const std::vector<bool>& known,
                          const SourceConfig& source, const HeraldConfig& config,
                          Fetcher& fetcher, std::int64_t now_utc,
                          const std::atomic<bool>* cancel, RunReport& report,
                          const ArticleObserver& on_article);

std::vector<std::optional<std::int64_t>> same_stories_of_unknown(
    const std::vector<Item>& items, const std::vector<bool>& known, Store& store,
    std::int64_t now_utc);

}  // namespace

std::filesystem::path evidence_dir(const HeraldConfig& config) {
  if (!config.archive.dir.empty()) {
    return config.archive.dir;
  }
  return config.database.parent_path() / "evidence";
}

void enrich_new_items(std::vector<Item>& items, const SourceConfig& source,
                      const HeraldConfig& config, Fetcher& fetcher, Store& store,
                      std::int64_t now_utc, const std::atomic<bool>* cancel, RunReport& report,
                      const ArticleObserver& on_article) {
  if (!source.article || items.empty()) {
    return;
  }
  // Without knowing what is new, every item would look new and be fetched every poll;
  // the commit that follows reports the storage problem.
  if (auto known = stored_already(items, store)) {
    enrich_unknown_items(items, *known, source, config, fetcher, now_utc, cancel, report,
                         on_article);
  }
}

namespace {

void enrich_unknown_items(std::vector<Item>& items, const std::vector<bool>& known,
                          const SourceConfig& source, const HeraldConfig& config,
                          Fetcher& fetcher, std::int64_t now_utc,
                          const std::atomic<bool>* cancel, RunReport& report,
                          const ArticleObserver& on_article) {
  if (!source.article) {
    return;
  }
  std::set<std::string> attempted;  // a list can link one article twice
  int budget = source.article->max_per_poll;
  for (std::size_t i = 0; i < items.size() && budget > 0; ++i) {
    if (known[i] || !attempted.insert(items[i].url_key).second) {
      continue;
    }
    if (cancel != nullptr && cancel->load()) {
      return;  // shutting down: the items are stored as the list gave them
    }
    --budget;
    FetchResponse page;
    auto article = read_article(items[i], source, config, fetcher, now_utc, cancel, page);
    if (!article) {
      ++report.enrich_failed;
      continue;
    }
    apply_article(items[i], std::move(*article), source, now_utc);
    ++report.enriched;
    if (on_article) {
      on_article(items[i], page);
    }
  }
}

// The same-story window of one database, kept in memory between polls and shared by the
// poll workers of this process. Loading the window (every item of the last 7 days) and
// building each story's key costs far more than looking a new item up, so each poll reads
// only what was stored since the last one: the items from the newest id the index holds
// on, that item included, to see it is still there and unchanged (a database restored or
// replaced under the same path starts the index over).
class SameStoryWindow {
 public:
  // The window of the database `store` is connected to; one that is not shared (an
  // in-memory database) is built for this call alone.
  static std::shared_ptr<SameStoryWindow> of(Store& store) {
    const char* file = sqlite3_db_filename(store.database().handle(), "main");
    if (file == nullptr || *file == '\0') {
      return std::make_shared<SameStoryWindow>();
    }
    static std::mutex registry_mutex;
    // Most recently used first; a process polls one database, tests a few in turn.
    static std::vector<std::pair<std::string, std::shared_ptr<SameStoryWindow>>> registry;
    constexpr std::size_t kKept = 4;
    const std::lock_guard lock(registry_mutex);
    auto found = std::find_if(registry.begin(), registry.end(),
                              [&](const auto& entry) { return entry.first == file; });
    if (found == registry.end()) {
      registry.emplace(registry.begin(), file, std::make_shared<SameStoryWindow>());
      if (registry.size() > kKept) {
        registry.pop_back();
      }
    } else {
      std::rotate(registry.begin(), found, found + 1);
    }
    return registry.front().second;
  }

  // For each item not `known`, the oldest stored story within the window it is the same
  // story as.
  Result<std::vector<std::optional<std::int64_t>>> match(const std::vector<Item>& items,
                                                          const std::vector<bool>& known,
                                                          Store& store, std::int64_t since) {
    const std::lock_guard lock(mutex_);
    if (auto synced = catch_up(store, since); !synced) {
      index_.clear();  // half-read: start over next time
      return fail(std::move(synced.error()));
    }
    std::vector<std::optional<std::int64_t>> same(items.size());
    if (index_.size() == 0) {
      return same;
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!known[i]) {
        same[i] = index_.find(story_key(items[i].title, items[i].summary), since);
      }
    }
    return same;
  }

 private:
  static std::size_t fingerprint(const StoryRecord& story) {
    return std::hash<std::string>{}(story.title) * 31 + std::hash<std::string>{}(story.summary);
  }

  Result<void> catch_up(Store& store, std::int64_t since) {
    index_.forget_before(since);
    std::int64_t from = index_.last_id();
    if (from != 0) {
      auto held = store.recent_stories(since, from, 1);
      if (!held) {
        return fail(std::move(held.error()));
      }
      if (held->empty() || held->front().item_id != from ||
          fingerprint(held->front()) != last_fingerprint_) {
        index_.clear();
        from = 0;
      } else {
        ++from;
      }
    }
    // A page at a time: the first read of a busy window is tens of thousands of rows, and
    // their texts are only needed until their keys are built.
    constexpr int kPage = 1000;
    while (true) {
      auto stories = store.recent_stories(since, from, kPage);
      if (!stories) {
        return fail(std::move(stories.error()));
      }
      for (const StoryRecord& story : *stories) {
        index_.add(story.item_id, story.first_seen, story_key(story.title, story.summary));
        last_fingerprint_ = fingerprint(story);
      }
      if (stories->size() < static_cast<std::size_t>(kPage)) {
        return {};
      }
      from = stories->back().item_id + 1;
    }
  }

  std::mutex mutex_;
  StoryIndex index_;
  std::size_t last_fingerprint_ = 0;
};

// The poll workers of one process take turns at the database's write lock here, not in
// SQLite's busy handler: that one sleeps between tries (1 ms, rising to 100 ms), so two
// workers that commit hundreds of polls each would lose wall time to sleeping while the
// lock was long free again. Other processes (the CLI) still meet busy_timeout.
std::mutex& commit_turn_mutex() {
  static std::mutex turn;
  return turn;
}

std::vector<std::optional<std::int64_t>> same_stories_of_unknown(
    const std::vector<Item>& items, const std::vector<bool>& known, Store& store,
    std::int64_t now_utc) {
  // Most polls bring nothing new; the window is then not even looked at.
  if (!any_new(known)) {
    return std::vector<std::optional<std::int64_t>>(items.size());
  }
  auto same = SameStoryWindow::of(store)->match(items, known, store,
                                                now_utc - kSameStoryWindowSeconds);
  if (!same) {
    spdlog::warn("source={} stage=cluster same-story check skipped: {}", items.front().source_id,
                 strip_controls(same.error().message));
    return std::vector<std::optional<std::int64_t>>(items.size());
  }
  return std::move(*same);
}

}  // namespace

std::vector<std::optional<std::int64_t>> find_same_stories(const std::vector<Item>& items,
                                                           Store& store, std::int64_t now_utc) {
  auto known = stored_already(items, store);
  if (!known) {
    spdlog::warn("source={} stage=cluster same-story check skipped: {}",
                 items.empty() ? std::string() : items.front().source_id,
                 strip_controls(known.error().message));
    return std::vector<std::optional<std::int64_t>>(items.size());
  }
  return same_stories_of_unknown(items, *known, store, now_utc);
}

FetchRequest make_request(const SourceConfig& source, const HeraldConfig& config,
                          const Validators& validators) {
  FetchRequest request{
      .url = source.url,
      .etag = validators.etag,
      .last_modified = validators.last_modified,
      .user_agent = source.fetch.user_agent.value_or(
          identifying_user_agent(config.user_agent, config.contact)),
      .referer = source.fetch.referer,
      .accept_language = source.fetch.accept_language,
      .timeout = source.fetch.timeout,
      .max_body_bytes = source.fetch.max_body_bytes,
  };
  request.ignore_robots = source.fetch.ignore_robots;
  request.internal = source.fetch.internal;
  prepare_list_request(source, config.tokens, request);
  return request;
}

RunReport run_source_once(const SourceConfig& source, const HeraldConfig& config,
                          Fetcher& fetcher, Store& store, const Clock& clock,
                          const std::atomic<bool>* cancel) {
  const auto started_steady = clock.now_steady();
  RunReport report{.source_id = source.id};
  PollRecord poll{.source_id = source.id, .started_at = clock.now_utc_seconds()};
  EvidenceCollector evidence(source, config, clock, report);
  // Whatever happens below, nothing staged for this poll outlives it on this connection.
  const PollStageGuard stage_guard(store.database());

  // Every exit writes the poll record (with or without items) and fills the report.
  auto finish = [&](std::string outcome, std::optional<Error> error) {
    report.outcome = std::move(outcome);
    report.error = std::move(error);
    report.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             clock.now_steady() - started_steady)
                             .count();
    poll.outcome = report.outcome;
    poll.duration_ms = report.duration_ms;
    poll.bytes = report.bytes;
    if (report.http_status) {
      poll.http_status = *report.http_status;
    }
    if (report.error) {
      poll.error = report.error->message;
      poll.items.clear();
      poll.new_validators.reset();
    }
    if (!report.error && (!evidence.stage().evidence.empty() ||
                          !evidence.stage().list_sha256.empty())) {
      evidence.stage().source_id = poll.source_id;
      evidence.stage().started_at = poll.started_at;
      if (auto staged = stage_poll(store.database(), evidence.stage()); !staged) {
        // Evidence and the unchanged-body hash are aids: the items are committed without.
        report.evidence_failed = report.evidence_failed || !evidence.stage().evidence.empty();
        spdlog::warn("source={} stage=evidence not recorded: {}", source.id,
                     strip_controls(staged.error().message));
        clear_poll_stage(store.database());
      }
    }
    const std::lock_guard commit_turn(commit_turn_mutex());
    auto stored = store.commit_poll(poll);
    if (stored) {
      report.stored = *stored;
    } else if (!report.error) {
      report.outcome = std::string(error_code_name(stored.error().code));
      report.error = stored.error();
      // The poll's own transaction was rolled back (a full disk, a lock held too long):
      // record the failure alone, so `sources status` and the health page show db_full
      // instead of the previous poll's outcome. On a full disk this small write can fail
      // too; the log line is then the only trace.
      clear_poll_stage(store.database());
      poll.outcome = report.outcome;
      poll.error = report.error->message;
      poll.items.clear();
      poll.same_story_as.clear();
      poll.new_validators.reset();
      if (auto recorded = store.commit_poll(poll); !recorded) {
        spdlog::error("source={} the {} outcome could not be recorded either: {}", source.id,
                      report.outcome, strip_controls(recorded.error().message));
      }
    }
    return report;
  };
  auto failed = [&](const Error& error) {
    return finish(std::string(error_code_name(error.code)), error);
  };

  auto validators = store.validators(source.id);
  if (!validators) {
    return failed(validators.error());
  }

  FetchRequest request = make_request(source, config, *validators);
  request.cancel = cancel;
  auto page = fetcher.fetch(request);
  if (!page) {
    return failed(page.error());
  }
  const std::int64_t fetched_at = clock.now_utc_seconds();
  report.http_status = page->status;
  report.bytes = static_cast<std::int64_t>(page->body.size());
  if (page->not_modified()) {
    return finish("not_modified", std::nullopt);
  }
  // A server that ignores If-None-Match / If-Modified-Since sends the same bytes again:
  // the hash says so before any decoding or parsing. The hash is stored only by a poll
  // that succeeded, in its transaction, so it never runs ahead of the items it covers.
  const std::string list_sha256 = sha256_hex(page->body);
  if (auto previous = stored_list_sha256(store.database(), source.id);
      previous && *previous == list_sha256) {
    report.body_unchanged = true;
    poll.new_validators = Validators{.etag = page->etag, .last_modified = page->last_modified};
    return finish("not_modified", std::nullopt);
  }

  auto extraction = extract_page(source, *page, poll.started_at);
  if (!extraction) {
    RunReport unmatched = failed(extraction.error());
    // After the poll's transaction: a page that loads but stopped matching gets a repair
    // proposal (daemon/repair.h), which an admin applies or discards.
    consider_repair(source, store, *page, unmatched, poll.started_at);
    return unmatched;
  }
  report.extracted = static_cast<int>(extraction->items.size());
  report.rejected = extraction->rejected;
  report.charset_suspect = extraction->charset_suspect;

  // Which items are new decides article fetches, the list page's evidence and same-story
  // checks. A store that cannot say cannot commit the poll either.
  auto known = stored_already(extraction->items, store);
  if (!known) {
    return failed(known.error());
  }
  enrich_unknown_items(extraction->items, *known, source, config, fetcher, poll.started_at,
                       cancel, report, evidence.article_observer());
  fill_legal_from_list(extraction->items, *known, source);
  if (evidence.enabled() && any_new(*known)) {
    evidence.keep("list", request.url, *page, fetched_at, std::string());
  }
  evidence.stage().list_sha256 = list_sha256;

  for (Item& item : extraction->items) {
    score_item(item, config.topics, source.always_candidate);
  }
  poll.items = std::move(extraction->items);
  poll.default_section = default_section(source.kind);
  // The backfill window (issue 15): Store::commit_poll applies it only on the source's
  // first successful poll, so a new source does not queue its whole archive.
  // Saved responses (`poll --replay`, tests) are old by construction and replaying them is
  // not a source's first day online: no window there.
  const bool replaying = dynamic_cast<const ReplayFetcher*>(&fetcher) != nullptr;
  report.backfill_days = replaying ? 0 : source.backfill_days.value_or(config.backfill_days);
  if (report.backfill_days > 0) {
    poll.backfill_cutoff =
        poll.started_at - static_cast<std::int64_t>(report.backfill_days) * 86400;
  }
  poll.same_story_as = same_stories_of_unknown(poll.items, *known, store, poll.started_at);
  poll.new_validators = Validators{.etag = page->etag, .last_modified = page->last_modified};
  RunReport done = finish("ok", std::nullopt);
  if (done.ok()) {
    consider_repair(source, store, *page, done, poll.started_at);  // far fewer items than usual
  }
  return done;
}

std::string format_report(const RunReport& report) {
  std::string line = fmt::format("source={} outcome={}", report.source_id, report.outcome);
  if (report.http_status) {
    line += fmt::format(" http={}", *report.http_status);
  }
  line += fmt::format(" bytes={} items={} new={} candidates={} ms={}", report.bytes,
                      report.extracted, report.stored.items_new, report.stored.candidates_new,
                      report.duration_ms);
  if (report.rejected > 0) {
    line += fmt::format(" rejected={}", report.rejected);
  }
  if (report.stored.first_poll && report.stored.candidates_too_old > 0) {
    line += fmt::format(" first_poll=\"{} items stored, {} queued, {} older than {} days not "
                        "queued\"",
                        report.stored.items_new, report.stored.candidates_new,
                        report.stored.candidates_too_old, report.backfill_days);
  }
  if (report.enriched > 0 || report.enrich_failed > 0) {
    line += fmt::format(" enriched={} enrich_failed={}", report.enriched, report.enrich_failed);
  }
  if (report.charset_suspect) {
    line += " charset_suspect=true";
  }
  if (report.body_unchanged) {
    line += " unchanged=true";
  }
  if (report.evidence_failed) {
    line += " evidence_failed=true";
  }
  if (report.error) {
    // Messages can quote scraped text (titles, URLs): keep the journal clean.
    line += fmt::format(" error=\"{}\"", strip_controls(report.error->message));
  }
  return line;
}

}  // namespace herald
