#pragma once

// Internal to storage/: how a candidate row is selected and read, shared by the files that
// implement Store (store.cpp: items, polls and the queue; desk.cpp: the editors' desk;
// users.cpp: accounts and sessions).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "storage/database.h"
#include "storage/store.h"

namespace herald::store_detail {

inline std::optional<std::string> null_if_empty(const std::string& value) {
  return value.empty() ? std::nullopt : std::optional<std::string>(value);
}

// Columns in the order read_candidate expects; append WHERE/ORDER BY (or a JOIN first).
inline constexpr std::string_view kCandidateSelect =
    "SELECT c.id, c.item_id, i.source_id, i.title, i.url, i.summary, i.published_at,"
    " i.published_text, i.first_seen, i.score, i.matched, c.state, c.reviewer, c.decided_at,"
    " c.reason, c.section, c.edited_title, c.edited_summary, c.commentary, c.edition, i.body,"
    " COALESCE(i.cluster_id, 0), COALESCE(c.position, 0), COALESCE(i.original_url, '')"
    " FROM candidates c JOIN items i ON i.id = c.item_id";

// One row of kCandidateSelect; also_reported_by is left empty. kStorage for a row that
// breaks the schema's invariants (unknown state, malformed matched column).
Result<Candidate> read_candidate(const Statement& row);

// Steps `stmt` to the end and reads every row; with `with_clusters`, also fills each
// candidate's also_reported_by.
Result<std::vector<Candidate>> read_candidates(Database& db, Statement& stmt, bool with_clusters);

// The other items of `candidate`'s cluster, earliest first (nothing when it has none).
Result<void> load_cluster_members(Database& db, Candidate& candidate);

// Ids of the candidates whose items are in cluster `cluster_id`.
Result<std::vector<std::int64_t>> cluster_candidate_ids(Database& db, std::int64_t cluster_id);

// The legal metadata of `item_id` (storage/legal.cpp): write replaces the row (nothing is
// written for empty facts); load leaves `facts` empty when the item has none.
Result<void> write_item_legal(Database& db, std::int64_t item_id, const LegalFacts& facts,
                              std::int64_t now_utc);
Result<void> load_item_legal(Database& db, std::int64_t item_id, LegalFacts& facts);

Result<void> write_audit(Database& db, std::int64_t at, std::string_view actor,
                         std::string_view action, std::int64_t candidate_id,
                         std::string_view detail);

}  // namespace herald::store_detail
