#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/item.h"
#include "common/result.h"
#include "storage/database.h"

namespace herald {

struct Validators {
  std::optional<std::string> etag{};
  std::optional<std::string> last_modified{};
};

enum class StoreOutcome { kNew, kSameUrl };

// One message to one channel in the notification outbox (Store::enqueue_notification).
struct OutboxMessage {
  std::int64_t id = 0;
  std::string key{};               // the message: the same digest or alert has the same key
  std::string channel{};           // "webhook:<name>" or "email"
  std::string event{};             // "digest" or "alert"
  std::string format{};            // the webhook format `body` is written for, or "email"
  std::string subject{};           // e-mail only
  std::string body{};              // the webhook's request body, or the e-mail's text
  std::string message_id{};        // e-mail only: the same Message-ID on every attempt
  std::int64_t created_at = 0;
  int attempts = 0;                // failed attempts so far
  std::int64_t next_at = 0;        // UTC second of the next attempt
};

// Everything one poll of one source produced. Written by commit_poll in ONE transaction:
// the items, their candidates, the new validators and the poll record, so a crash can
// never leave validators ahead of the items they cover.
struct PollRecord {
  std::string source_id{};
  std::int64_t started_at = 0;     // UTC seconds
  std::int64_t duration_ms = 0;
  std::string outcome{};           // "ok", "not_modified", or an error_code_name()
  std::optional<std::int64_t> http_status{};
  std::int64_t bytes = 0;
  std::string error{};             // message for people; empty when ok
  std::optional<Validators> new_validators{};  // set when the fetch returned 200
  std::vector<Item> items{};       // normalised and scored
  // Section new candidates are filed under until an editor changes it (from the source's
  // kind: 最新法律与监管动态 for government/court/association, else 最新行业动态).
  std::string default_section{};
  // Same story, other outlet: for items[i], the id of a stored item it duplicates (found
  // by the daemon with scrapers/cluster); the new item joins that item's cluster.
  std::vector<std::optional<std::int64_t>> same_story_as{};
  // The backfill window: on the source's first successful poll (none recorded before),
  // candidates published before this time (UTC seconds) are stored but not queued, so a
  // new source does not flood the queue with its archive. Undated items are queued: their
  // age is unknown. Later polls queue whatever is new, whatever its date. nullopt = no window.
  std::optional<std::int64_t> backfill_cutoff{};
};

struct PollSummary {
  int items_seen = 0;
  int items_new = 0;
  int candidates_new = 0;
  bool first_poll = false;      // no successful poll of this source was recorded before
  int candidates_too_old = 0;   // first poll: candidates older than the backfill window
};

// pending -> accepted / rejected (with a reason) -> published (in an edition, YYYY-MM).
enum class ReviewState { kPending, kAccepted, kRejected, kPublished };
std::string_view review_state_name(ReviewState state);
// Inverse of review_state_name ("pending", "accepted", "rejected", "published").
std::optional<ReviewState> parse_review_state(std::string_view name);

// The items.matched column: a JSON array of strings, e.g. ["AI","人工智能"]. Non-ASCII
// UTF-8 is written as is; '"', '\\' and control characters are escaped.
std::string encode_string_array(const std::vector<std::string>& values);
// Reads what encode_string_array writes (and any JSON array of strings, \u escapes and
// surrogate pairs included). nullopt when `json` is not exactly that.
std::optional<std::vector<std::string>> decode_string_array(std::string_view json);

// Another outlet's report of the same story ("also reported by").
struct ClusterMember {
  std::int64_t candidate_id = 0;   // 0 when that item is not a candidate
  std::int64_t item_id = 0;
  std::string source_id{};
  std::string title{};
  std::string url{};
};

struct Candidate {
  std::int64_t id = 0;             // candidate id (what `queue show ID` takes)
  std::int64_t item_id = 0;
  std::string source_id{};
  std::string title{};
  std::string url{};               // the clean link (tracking parameters and fragment dropped)
  std::string original_url{};      // the link as the site gave it, when it differs; else empty
  std::string summary{};
  std::optional<std::int64_t> published_at{};
  std::string published_text{};
  std::int64_t first_seen = 0;
  double score = 0.0;
  std::vector<std::string> matched_terms{};
  ReviewState state = ReviewState::kPending;
  std::string reviewer{};
  std::optional<std::int64_t> decided_at{};
  std::string reason{};
  std::string section{};
  std::string edited_title{};      // empty: not edited (display edited_title or title)
  std::string edited_summary{};
  std::string commentary{};        // 短评
  std::string edition{};           // "2023-11" once published
  std::string body{};              // article text when enriched
  std::int64_t cluster_id = 0;     // the cluster's first item id; 0 = no other outlet
  std::vector<ClusterMember> also_reported_by{};  // filled by get_candidate and query_queue
  // Place within its section in the edition (1 = first), set by editors; 0 = not set:
  // such items follow the placed ones, by publish date.
  int position = 0;
  LegalFacts legal{};              // the item's legal metadata (empty when none is stated)
};

// The editors' queue view: filters, full-text search, clusters collapsed to one card.
struct QueueQuery {
  std::optional<ReviewState> state = ReviewState::kPending;  // nullopt: all states
  std::optional<std::string> section{};
  std::optional<std::string> source_id{};
  std::vector<std::string> source_ids{};        // e.g. all sources of one kind (daemon maps)
  std::optional<std::int64_t> from_utc{};       // published_at (else first_seen) >= from
  std::optional<std::int64_t> to_utc{};         // ... < to
  std::optional<double> min_score{};
  std::string text{};              // FTS5 trigram search over title, summary, body (zh + en)
  // Legal metadata (docs/legal.md): instrument type exactly ("征求意见稿", "proposed rule");
  // only items with a comment deadline; deadline on or before this date ("YYYY-MM-DD").
  std::optional<std::string> instrument{};
  bool has_deadline = false;
  std::optional<std::string> deadline_until{};
  bool collapse_clusters = true;   // one card per cluster: its earliest member
  int limit = 50;
  int offset = 0;
  // With text: count matches only up to this many (or to the end of the requested page,
  // if further), as search pages do ("1,000+"); 0 counts them all.
  std::int64_t count_up_to = 0;
};

struct QueuePage {
  std::vector<Candidate> items{};
  std::int64_t total = 0;          // matches before limit/offset (for pagination)
  // The count stopped at QueueQuery::count_up_to: there are more than `total` matches,
  // so at least one card follows this page.
  bool total_is_lower_bound = false;
};

// An editor's change to one candidate; unset fields stay as they are.
struct CandidateEdit {
  std::optional<ReviewState> state{};
  std::optional<std::string> reason{};
  std::optional<std::string> section{};
  std::optional<std::string> title{};      // edited title ("" clears the edit)
  std::optional<std::string> summary{};
  std::optional<std::string> commentary{};
  std::optional<int> position{};           // see Candidate::position; 0 clears
};

// An editor's change to a candidate's legal metadata: per field, the new value ("" clears it);
// unset fields stay as they are. Date fields take "YYYY-MM-DD".
struct LegalEdit {
  std::array<std::optional<std::string>, kLegalFieldCount> values{};
  std::optional<std::string>& operator[](LegalField field) {
    return values[static_cast<std::size_t>(field)];
  }
};

// A newsletter edition's month, "2023-11".
struct EditionMonth {
  int year = 0;
  int month = 0;  // 1..12
};
// nullopt unless `text` is exactly YYYY-MM with a month 01..12.
std::optional<EditionMonth> parse_edition_month(std::string_view text);
// Seconds from 1970-01-01 00:00 to the first day of the following month, 00:00, both
// in local time: where the month ends before a zone's offset is applied.
std::int64_t edition_month_end_local(const EditionMonth& month);

struct AuditEntry {
  std::int64_t at = 0;
  std::string actor{};
  std::string action{};            // "accept", "reject", "edit_title", "publish", ...
  std::int64_t candidate_id = 0;
  std::string detail{};
};

enum class Role { kEditor, kAdmin };
std::string_view role_name(Role role);
std::optional<Role> parse_role(std::string_view name);

struct User {
  std::int64_t id = 0;
  std::string name{};
  Role role = Role::kEditor;
  std::string password_hash{};     // Argon2id string from libsodium (crypto_pwhash_str)
  std::int64_t created_at = 0;
  bool disabled = false;           // cannot sign in (herald users disable); schema v8
};

// A web session. The cookie carries a random token; only its SHA-256 is stored.
struct Session {
  std::string token_hash{};
  std::int64_t user_id = 0;
  std::string csrf_token{};
  std::int64_t created_at = 0;
  std::int64_t last_seen_at = 0;
};

// What the clustering step needs of recent items (title and summary, to recompute keys).
struct StoryRecord {
  std::int64_t item_id = 0;
  std::int64_t cluster_id = 0;
  std::int64_t first_seen = 0;
  std::string source_id{};
  std::string title{};
  std::string summary{};
};

struct QueueFilter {
  std::optional<ReviewState> state = ReviewState::kPending;  // nullopt: all states
  std::optional<std::string> source_id{};
  int limit = 100;
  int offset = 0;
};

// How a source is doing, from its poll and item history (docs/health.md). Unhealthy:
// kFailing, kLayoutChanged, kSilent. Precedence when several apply: failing, then layout
// changed, then silent.
enum class HealthState {
  kOk,
  kFailing,        // kFailingAfter or more failed polls in a row
  kLayoutChanged,  // the last fetched page extracted nothing; earlier polls extracted items
  kSilent,         // no new item for longer than kSilentFactor x its usual gap
  kManual,         // not polled: editors add its articles by hand (never unhealthy)
  kNeverPolled,
};
// "ok", "failing", "layout_changed", "silent", "manual", "never_polled".
std::string_view health_state_name(HealthState state);
inline bool is_unhealthy(HealthState state) {
  return state == HealthState::kFailing || state == HealthState::kLayoutChanged ||
         state == HealthState::kSilent;
}

// The thresholds of the health judgement (docs/health.md explains each).
struct HealthRules {
  static constexpr int kFailingAfter = 3;                       // failed polls in a row
  static constexpr std::int64_t kCadenceWindow = 90 * 86400;    // history read for the gap
  static constexpr int kMinGaps = 5;                            // gaps needed to judge
  static constexpr std::int64_t kSilentFactor = 3;              // x the usual gap ...
  static constexpr std::int64_t kSilentFloor = 3 * 86400;       // ... and at least this
};

struct SourceHealth {
  std::string source_id{};
  std::optional<std::int64_t> last_poll_at{};
  std::string last_outcome{};
  std::string last_error{};
  std::optional<std::int64_t> last_success_at{};
  int consecutive_failures = 0;
  std::int64_t items_total = 0;
  std::int64_t items_last_30_days = 0;
  std::optional<std::int64_t> last_new_item_at{};  // first_seen of its newest item
  // The last poll that fetched a page ('ok' or 'no_match', not 304s or errors) extracted
  // no items. A fact, not yet a verdict: see matched_before and kLayoutChanged.
  bool matched_nothing = false;
  bool matched_before = false;     // some poll of this source did extract items
  bool repair_proposed = false;    // an admin has a repair proposal to decide (docs/repair.md)
  // Its cadence: the median gap between consecutive distinct first_seen times of its items
  // in the kCadenceWindow before its newest item; nullopt with fewer than kMinGaps gaps.
  std::optional<std::int64_t> usual_gap{};
  int cadence_gaps = 0;            // how many gaps usual_gap was taken from
  HealthState state = HealthState::kNeverPolled;
  std::string reason{};            // for people: "no new item for 19 days; usually one every 4 days"
};

// The verdict for a polled source from the facts in `h` (sets state and reason). `now_utc`
// only phrases the reason ("3 days ago"); silence is measured up to the last successful
// poll, so a stopped herald does not make every source look silent.
void judge_health(SourceHealth& h, std::int64_t now_utc);
// The health of a configured source: `stored` is its row from source_health (nullptr when
// never polled). A source herald does not poll (manual, without a bridge) is kManual
// whatever its history says; `manual_reason` becomes the reason.
SourceHealth configured_health(const std::string& source_id, const SourceHealth* stored,
                               bool polled, const std::string& manual_reason);
// "19 days", "7 hours", "1 minute": a duration for the reasons above.
std::string human_duration(std::int64_t seconds);

// What /metrics reports, read from the database at scrape time (Store::metrics_snapshot).
struct PollTally {
  std::string source_id{};
  std::string outcome{};
  std::int64_t polls = 0;
  std::int64_t items_new = 0;
  // Polls with a duration at most kDurationBuckets[i] seconds (cumulative, as Prometheus
  // histograms are); polls without a recorded duration count in none of them.
  std::vector<std::int64_t> duration_buckets{};
  std::int64_t timed_polls = 0;    // polls with a duration
  double duration_seconds_sum = 0.0;
};
inline constexpr std::array<double, 9> kDurationBuckets = {0.1, 0.25, 0.5, 1.0, 2.5,
                                                            5.0, 10.0, 30.0, 60.0};
struct MetricsSnapshot {
  std::vector<PollTally> polls{};  // by source, then outcome, of polls after after_poll_id
  // The newest poll in the table: the next call's after_poll_id. Below the after_poll_id
  // given, the table was replaced (a restored backup): start again from 0.
  std::int64_t last_poll_id = 0;
  std::int64_t candidates_pending = 0;
  std::int64_t database_bytes = 0; // page_count * page_size + the WAL file
};

// A proposed repair of a source whose page stopped matching (schema v9, docs/repair.md).
enum class RepairState { kOpen, kApplied, kDiscarded, kSuperseded };
std::string_view repair_state_name(RepairState state);  // "open", "applied", ...

struct RepairProposal {
  std::int64_t id = 0;
  std::string source_id{};
  RepairState state = RepairState::kOpen;
  std::int64_t created_at = 0;
  std::string cause{};             // "no_match", "few_items: 2, usually 20"
  std::string page_url{};
  std::string page_sha256{};
  std::string file_path{};
  std::string file_sha256{};
  std::string proposed_text{};     // the complete proposed source file
  std::string diff{};              // unified diff, current -> proposed
  std::string items{};             // JSON array of {title, url, date, known}
  int items_found = 0;
  int known_found = 0;
  int known_total = 0;
  double confidence = 0.0;
  std::string summary{};
  std::optional<std::int64_t> decided_at{};
  std::string decided_by{};
  std::string backup_path{};
};

// A stored item of one source, as a repair compares it.
struct SourceItemRef {
  std::string title{};
  std::string url{};
  std::string url_key{};
};

// A Chinese headline and 摘要 herald drafts for a candidate (schema v10, docs/drafts.md).
// The row is also the drafting queue: queued -> ready (or failed when nothing could be
// drafted at all) -> accepted / discarded by an editor; "redo" puts it back to queued.
enum class DraftState { kQueued, kReady, kFailed, kAccepted, kDiscarded };
std::string_view draft_state_name(DraftState state);  // "queued", "ready", ...
std::optional<DraftState> parse_draft_state(std::string_view name);

struct Draft {
  std::int64_t id = 0;
  std::int64_t candidate_id = 0;
  DraftState state = DraftState::kQueued;
  std::string method{};            // "model" or "extractive" once written; empty before
  std::string model{};             // the model that wrote it ("" for extractive)
  std::string title{};
  std::string summary{};
  int attempts = 0;                // failed model requests so far
  std::int64_t next_attempt_at = 0;
  std::string last_error{};        // kept after a fallback, so editors see why
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::string decided_by{};
  bool extractive() const { return method == "extractive"; }
};

// How many drafts are in each state (herald drafts status, the health of the queue).
struct DraftCounts {
  std::int64_t queued = 0;
  std::int64_t due = 0;            // queued and due now
  std::int64_t ready = 0;
  std::int64_t failed = 0;
  std::int64_t accepted = 0;
  std::int64_t discarded = 0;
};

// How a failed model request is retried (Store::record_draft_failure).
struct DraftRetryPolicy {
  int max_attempts = 5;
  std::int64_t base_delay = 60;          // seconds after the first failure, doubled each time
  std::int64_t max_delay = 6 * 3600;
};

// herald's SQLite store: items deduplicated by canonical URL key, the review queue,
// per-source validators and poll history. One instance per thread.
class Store {
 public:
  // Opens and migrates. Errors: kStorage, kDbFull.
  static Result<Store> open(const std::filesystem::path& path);

  Result<Validators> validators(const std::string& source_id);

  // For each key, whether an item with that url_key is already stored (same order).
  // Lets a poll spend article fetches on new items only. Errors: kStorage.
  Result<std::vector<bool>> known_url_keys(const std::vector<std::string>& keys);

  // See PollRecord. Items whose url_key is already stored count as seen, not new; an
  // item already decided by an editor is never queued again.
  Result<PollSummary> commit_poll(const PollRecord& poll);

  Result<std::vector<Candidate>> list_candidates(const QueueFilter& filter);
  // kNotFound when there is no such candidate.
  Result<Candidate> get_candidate(std::int64_t id);
  // Moves a candidate to accepted/rejected and writes the audit row.
  // kNotFound for an unknown id.
  Result<Candidate> decide(std::int64_t id, ReviewState state, const std::string& reviewer,
                           const std::string& reason, std::int64_t now_utc);

  // Health per source that has been polled, judged as a polled source (judge_health; see
  // configured_health for manual ones), by id. `now_utc` anchors "last 30 days". Cost: a
  // few index lookups per source (docs/health.md). Errors: kStorage.
  Result<std::vector<SourceHealth>> source_health(std::int64_t now_utc);

  // ---- the editors' desk ----

  // Dated items newest first, then undated ones (by first_seen). Text: whitespace-separated
  // terms, all of which must occur (case-insensitively for Latin letters) in the item's
  // title, summary or body or in the editors' title, summary or commentary: an ASCII term
  // as a whole word ("AI" does not find "said" or "OpenAI", as in the relevance profile),
  // any other as a substring. Terms of three or more characters use the FTS5 trigram index
  // to narrow the candidates; shorter ones ("AI", "算法") cannot (trigram indexes
  // 3-character sequences) and are matched with LIKE, a scan. A collapsed cluster is
  // shown as its earliest member that matches.
  Result<QueuePage> query_queue(const QueueQuery& query);
  // Applies `edit`; a state change applies to every member of the cluster (deciding the
  // cluster decides its members). Every changed field writes an audit row. A state change
  // sets reason to edit.reason (or clears it); back to pending clears the decision. A
  // published candidate's state cannot change (its edition is out): kUsage.
  // kNotFound for an unknown id; kUsage for a change editors cannot make (e.g. to published).
  Result<Candidate> edit_candidate(std::int64_t id, const CandidateEdit& edit,
                                   const std::string& actor, std::int64_t now_utc);
  Result<std::vector<AuditEntry>> audit_for(std::int64_t candidate_id);

  // Accepted (and already published) candidates of `month` ("2023-11"), by section, then
  // publish date. `utc_offset_seconds` says in which zone the month is counted (+8 h for
  // a Beijing newsletter). kUsage for a malformed month.
  // Precisely: candidates published in that edition, plus accepted ones not yet published
  // whose date (published_at, else first_seen) is before the end of the month, so a story
  // found late (dated 30 October, accepted in November) goes into the next edition instead
  // of being lost. One candidate per cluster (its earliest accepted member). Within a
  // section: by position (set ones first), then date, then id.
  Result<std::vector<Candidate>> edition_candidates(const std::string& month,
                                                    int utc_offset_seconds);
  // Bulk accept/reject by filter (the queue page's "全部 N 条", `herald queue reject
  // --filter`): every pending card matching `query` (its state, limit and offset are
  // ignored: all pages of pending cards), each with the rest of its cluster as a single
  // decision would, in one transaction, one audit row per candidate changed. With
  // `expected_cards`, nothing is decided when the number of matching cards differs (the
  // queue changed since the editor saw the count): count_changed says so.
  struct BulkDecision {
    std::int64_t cards = 0;      // matching pending cards (what the editor was shown)
    int decided = 0;             // candidates changed, cluster members included
    bool count_changed = false;  // expected_cards differed: nothing was decided
  };
  Result<BulkDecision> decide_matching(QueueQuery query, ReviewState state,
                                       const std::string& reason, const std::string& actor,
                                       std::int64_t now_utc,
                                       std::optional<std::int64_t> expected_cards);
  // How many pending cards decide_matching would decide now (its dry run).
  Result<std::int64_t> count_matching_pending(QueueQuery query);
  // Sets positions 1..n in the order of `ids` (one section of an edition, as the month's
  // page shows it after an editor moved an item up or down), in one transaction, with an
  // "edit_position" audit row for each candidate whose position changed. kNotFound when an
  // id is not a candidate.
  Result<void> place_in_order(const std::vector<std::int64_t>& ids, const std::string& actor,
                              std::int64_t now_utc);
  // Marks the month's accepted candidates (those edition_candidates returns, with the other
  // accepted members of their clusters) published in that edition, with one audit row
  // each; returns how many candidates changed.
  Result<int> publish_edition(const std::string& month, int utc_offset_seconds,
                              const std::string& actor, std::int64_t now_utc);

  // Items first seen at or after `since_utc` with an id of at least `from_id`, oldest (lowest
  // id) first, for same-story matching of a new poll's items (cluster_id 0: the item is alone
  // so far). `from_id` lets a caller that keeps the window in memory read only what is new
  // since the last item it holds (and that item again, to see it is still the same);
  // `limit` > 0 returns at most that many (the next page starts after the last id).
  Result<std::vector<StoryRecord>> recent_stories(std::int64_t since_utc,
                                                  std::int64_t from_id = 0, int limit = 0);

  // Queues a stored item that never became a candidate (a poll stored it below the topic
  // threshold): an editor asking for it (`herald add`) is the decision to review it.
  // Returns whether a candidate was created (false: no such item, or it is queued already).
  Result<bool> queue_stored_item(const std::string& url_key, const std::string& section,
                                 std::int64_t now_utc);

  // ---- users and sessions ----

  // kUsage when the name is taken or invalid (1-64 bytes of UTF-8, no spaces or controls).
  Result<User> add_user(const std::string& name, Role role, const std::string& password_hash,
                        std::int64_t now_utc);
  // kNotFound for an unknown name. Ends the user's sessions: whoever knew the old password
  // is signed out at once.
  Result<void> set_password(const std::string& name, const std::string& password_hash);
  // A stronger hash of the same password (after a login found the old one weaker than
  // today's parameters). Only while the stored hash is still `old_hash`; sessions stay.
  Result<void> upgrade_password_hash(std::int64_t user_id, const std::string& old_hash,
                                     const std::string& new_hash);
  // Revocation. Each ends the user's sessions at once (a changed role takes effect on the
  // next request, not at the next login). kNotFound for an unknown name; kUsage when it
  // would leave no enabled admin.
  Result<void> set_user_role(const std::string& name, Role role);
  Result<void> set_user_disabled(const std::string& name, bool disabled);
  Result<void> remove_user(const std::string& name);
  // Signs the user out everywhere; returns how many sessions ended.
  Result<int> end_user_sessions(std::int64_t user_id);
  Result<std::vector<User>> list_users();
  Result<std::optional<User>> find_user(const std::string& name);
  Result<std::optional<User>> find_user_by_id(std::int64_t id);

  Result<void> create_session(const Session& session);
  Result<std::optional<Session>> find_session(const std::string& token_hash);
  Result<void> touch_session(const std::string& token_hash, std::int64_t now_utc);
  Result<void> delete_session(const std::string& token_hash);
  // Removes sessions idle since before `idle_before` or created before `created_before`.
  Result<int> expire_sessions(std::int64_t idle_before, std::int64_t created_before);

  // ---- the daemon's own state (service_state) ----

  // The value stored under `key` ("notify.last_digest"), or nullopt. Errors: kStorage.
  Result<std::optional<std::string>> state(const std::string& key);
  // Inserts or replaces. Errors: kStorage, kDbFull.
  Result<void> set_state(const std::string& key, const std::string& value, std::int64_t now_utc);

  // ---- health and metrics (storage/health.cpp) ----

  // Polls by source and outcome with their duration histogram (only polls with an id above
  // `after_poll_id`, so a scraper adds what is new to its running totals), pending
  // candidates and the database's size on disk. For /metrics. Errors: kStorage.
  Result<MetricsSnapshot> metrics_snapshot(std::int64_t after_poll_id = 0);

  // ---- notifications (storage/notify_store.cpp) ----

  // Candidates still pending that were queued in [from_utc, to_utc), oldest first, at most
  // `limit` of them (also_reported_by filled); total counts them all. For the digest: the
  // half-open window lets consecutive digests neither repeat nor miss one. Errors: kStorage.
  Result<QueuePage> pending_queued_between(std::int64_t from_utc, std::int64_t to_utc, int limit);

  // The notification outbox (schema v7): one row per message and channel, so what is not
  // yet delivered survives a restart or reload. Call enqueue_notification in the same
  // transaction that records why the message exists (the digest time, an alert state).
  // Inserts unless a row with the same key and channel exists, in any state; returns
  // whether it inserted. Errors: kStorage, kDbFull.
  Result<bool> enqueue_notification(const OutboxMessage& message);
  // Messages still to be delivered, oldest first, at most `limit`. Errors: kStorage.
  Result<std::vector<OutboxMessage>> pending_notifications(int limit);
  // After a successful send: never sent again. Errors: kStorage, kDbFull.
  Result<void> mark_notification_delivered(std::int64_t id, std::int64_t now_utc);
  // After a failed send that will be retried at `next_at`.
  Result<void> mark_notification_failed(std::int64_t id, int attempts, std::int64_t next_at,
                                        const std::string& error);
  // Given up on (too many attempts, a configuration error, a channel no longer configured).
  Result<void> drop_notification(std::int64_t id, int attempts, std::int64_t now_utc,
                                 const std::string& error);
  // Deletes delivered and dropped rows finished before `before_utc`; returns how many.
  Result<int> forget_finished_notifications(std::int64_t before_utc);

  // ---- repair proposals (storage/repairs.cpp, docs/repair.md) ----

  // Stores `proposal` as the source's one open proposal; an open one it replaces becomes
  // superseded, in the same transaction. Returns the new id. Errors: kStorage, kDbFull.
  Result<std::int64_t> save_repair(const RepairProposal& proposal);
  // The source's open proposal, if any.
  Result<std::optional<RepairProposal>> open_repair(const std::string& source_id);
  // Every open proposal, by source id.
  Result<std::vector<RepairProposal>> open_repairs();
  // The source's newest proposal in any state (a page already proposed for, or discarded,
  // is not proposed for again).
  Result<std::optional<RepairProposal>> newest_repair(const std::string& source_id);
  // Closes the open proposal `id` as applied or discarded by `actor`. kNotFound when
  // there is no open proposal with that id (decided already, or superseded).
  Result<void> close_repair(std::int64_t id, RepairState state, const std::string& actor,
                            std::int64_t now_utc, const std::string& backup_path = {});
  // Marks the source's open proposal superseded (its page matches again, repaired by
  // hand); returns whether there was one.
  Result<bool> retire_open_repair(const std::string& source_id, std::int64_t now_utc);
  // The source's newest stored items (at most `limit`), newest first.
  Result<std::vector<SourceItemRef>> source_items(const std::string& source_id, int limit);
  // The median items_seen of the source's last `polls` polls that extracted items, before
  // its newest poll (the one just made, which is compared with it); nullopt when there are
  // fewer than 3 of them (too little history to say "usual").
  Result<std::optional<int>> usual_items_seen(const std::string& source_id, int polls = 10);
  // Whether some poll of the source extracted items (health's matched_before).
  Result<bool> matched_before(const std::string& source_id);

  // ---- drafts (storage/drafts.cpp, docs/drafts.md) ----

  // Queues a draft for every pending or accepted candidate that has none yet (new ones
  // from a poll, `herald add`, or those stored before drafting existed); returns how many.
  // A sweep rather than a hook in each path that creates candidates, so none is missed.
  Result<int> enqueue_missing_drafts(std::int64_t now_utc);
  // Up to `limit` queued drafts due at `now_utc`, oldest due first. Each is leased until
  // `lease_until` (its next_attempt_at moves there), so another worker does not take it
  // and a crash mid-request only delays it. Errors: kStorage.
  Result<std::vector<Draft>> claim_due_drafts(std::int64_t now_utc, std::int64_t lease_until,
                                              int limit);
  // Stores a finished draft (state ready). `error` is kept as last_error (the reason a
  // model draft fell back to an extractive one). Only a draft still queued is written:
  // returns false when an editor discarded or accepted it meanwhile.
  Result<bool> save_draft(std::int64_t draft_id, const std::string& method,
                          const std::string& model, const std::string& title,
                          const std::string& summary, const std::string& error,
                          std::int64_t now_utc);
  // A failed model request: attempts + 1 and the next attempt after an exponential backoff
  // (at least `retry_after` seconds when the server said so). Returns the attempts made;
  // at policy.max_attempts the row stays queued with next_attempt_at = now and the caller
  // decides (the worker falls back to an extractive draft; see mark_draft_failed).
  Result<int> record_draft_failure(std::int64_t draft_id, const std::string& error,
                                   std::int64_t retry_after, const DraftRetryPolicy& policy,
                                   std::int64_t now_utc);
  // Nothing could be drafted (no model answer and no text to extract from): state failed.
  Result<void> mark_draft_failed(std::int64_t draft_id, const std::string& error,
                                 std::int64_t now_utc);
  // The candidate's draft, if any.
  Result<std::optional<Draft>> draft_for(std::int64_t candidate_id);
  // The editor takes the draft: its title and summary (or `title`/`summary` when given:
  // edited before accepting) become the candidate's edited title and summary through
  // edit_candidate, so the audit log records them; the original stays as it was.
  // kNotFound without a draft; kUsage unless the draft is ready.
  Result<Candidate> accept_draft(std::int64_t candidate_id, const std::string& actor,
                                 std::int64_t now_utc,
                                 const std::optional<std::string>& title = std::nullopt,
                                 const std::optional<std::string>& summary = std::nullopt);
  // kNotFound without a draft. Writes an audit row.
  Result<void> discard_draft(std::int64_t candidate_id, const std::string& actor,
                             std::int64_t now_utc);
  // Back to the queue, due now, attempts reset (a new draft, e.g. after the prompt
  // changed). Creates the row when the candidate has none. kNotFound for no candidate.
  Result<void> redo_draft(std::int64_t candidate_id, const std::string& actor,
                          std::int64_t now_utc);
  Result<DraftCounts> draft_counts(std::int64_t now_utc);
  // Drafts with a last_error, newest first (herald drafts status).
  Result<std::vector<Draft>> recent_draft_errors(int limit);
  // Model requests counted on `day` ("2026-12-07", UTC): the daily budget.
  Result<std::int64_t> draft_requests_on(const std::string& day);
  // Counts one request on `day`; counters of other days are dropped.
  Result<std::int64_t> count_draft_request(const std::string& day, std::int64_t now_utc);

  // --- Legal metadata (storage/legal.cpp, docs/legal.md) -----------------------------------

  // Applies an editor's change to candidate `id`'s item: the field takes the new value with
  // from = "editor:<actor>", and each changed field writes an audit row ("edit_legal",
  // "文号: old → new"). kUsage for a date field that is not a real "YYYY-MM-DD" date or an
  // over-long value (the message says what to write instead).
  Result<Candidate> edit_legal(std::int64_t id, const LegalEdit& edit, const std::string& actor,
                               std::int64_t now_utc);
  // Open consultations: candidates not rejected whose comment deadline is on or after
  // `today` ("YYYY-MM-DD", the desk's date), soonest deadline first, at most `limit`.
  Result<std::vector<Candidate>> open_consultations(const std::string& today, int limit = 500);

  Database& database() { return db_; }

 private:
  explicit Store(Database db) : db_(std::move(db)) {}
  Database db_;
};

}  // namespace herald
