#pragma once

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
};

struct PollSummary {
  int items_seen = 0;
  int items_new = 0;
  int candidates_new = 0;
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
  std::string url{};
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
  bool collapse_clusters = true;   // one card per cluster: its earliest member
  int limit = 50;
  int offset = 0;
};

struct QueuePage {
  std::vector<Candidate> items{};
  std::int64_t total = 0;          // matches before limit/offset (for pagination)
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
  bool matched_nothing = false;    // the last fetched page extracted no items (no_match)
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

  // Health per source that has been polled; `now_utc` anchors "last 30 days".
  Result<std::vector<SourceHealth>> source_health(std::int64_t now_utc);

  // ---- the editors' desk ----

  // Newest first (published_at, else first_seen). Text: whitespace-separated terms, all of
  // which must occur (as substrings, case-insensitively for Latin letters) in the item's
  // title, summary or body or in the editors' title, summary or commentary. Terms of three
  // or more characters use the FTS5 trigram index; shorter ones ("AI", "算法") cannot
  // (trigram indexes 3-character sequences) and are matched with LIKE, a scan: "AI" then
  // also finds "said". A collapsed cluster is shown as its earliest member that matches.
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
  // Marks the month's accepted candidates (those edition_candidates returns, with the other
  // accepted members of their clusters) published in that edition, with one audit row
  // each; returns how many candidates changed.
  Result<int> publish_edition(const std::string& month, int utc_offset_seconds,
                              const std::string& actor, std::int64_t now_utc);

  // Items first seen at or after `since_utc`, oldest first, for same-story matching of a new
  // poll's items (cluster_id 0: the item is alone so far).
  Result<std::vector<StoryRecord>> recent_stories(std::int64_t since_utc);

  // ---- users and sessions ----

  // kUsage when the name is taken or invalid (1-64 bytes of UTF-8, no spaces or controls).
  Result<User> add_user(const std::string& name, Role role, const std::string& password_hash,
                        std::int64_t now_utc);
  // kNotFound for an unknown name.
  Result<void> set_password(const std::string& name, const std::string& password_hash);
  Result<std::vector<User>> list_users();
  Result<std::optional<User>> find_user(const std::string& name);
  Result<std::optional<User>> find_user_by_id(std::int64_t id);

  Result<void> create_session(const Session& session);
  Result<std::optional<Session>> find_session(const std::string& token_hash);
  Result<void> touch_session(const std::string& token_hash, std::int64_t now_utc);
  Result<void> delete_session(const std::string& token_hash);
  // Removes sessions idle since before `idle_before` or created before `created_before`.
  Result<int> expire_sessions(std::int64_t idle_before, std::int64_t created_before);

  Database& database() { return db_; }

 private:
  explicit Store(Database db) : db_(std::move(db)) {}
  Database db_;
};

}  // namespace herald
