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
};

struct PollSummary {
  int items_seen = 0;
  int items_new = 0;
  int candidates_new = 0;
};

enum class ReviewState { kPending, kAccepted, kRejected };
std::string_view review_state_name(ReviewState state);
// Inverse of review_state_name ("pending", "accepted", "rejected"); nullopt otherwise.
std::optional<ReviewState> parse_review_state(std::string_view name);

// The items.matched column: a JSON array of strings, e.g. ["AI","人工智能"]. Non-ASCII
// UTF-8 is written as is; '"', '\\' and control characters are escaped.
std::string encode_string_array(const std::vector<std::string>& values);
// Reads what encode_string_array writes (and any JSON array of strings, \u escapes and
// surrogate pairs included). nullopt when `json` is not exactly that.
std::optional<std::vector<std::string>> decode_string_array(std::string_view json);

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

  Result<std::vector<SourceHealth>> source_health();

  Database& database() { return db_; }

 private:
  explicit Store(Database db) : db_(std::move(db)) {}
  Database db_;
};

}  // namespace herald
