// Drafts (schema v10, docs/drafts.md): the Chinese headline and 摘要 herald prepares for
// each candidate, and the queue the drafting worker (daemon/drafter.h) works through.
// Editors accept, edit or discard a draft; it never replaces the original text.

#include <algorithm>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "storage/store.h"
#include "storage/store_rows.h"

namespace herald {

namespace {

constexpr std::string_view kDraftColumns =
    "SELECT id, candidate_id, state, COALESCE(method, ''), COALESCE(model, ''),"
    " COALESCE(title, ''), COALESCE(summary, ''), attempts, next_attempt_at,"
    " COALESCE(last_error, ''), created_at, updated_at, COALESCE(decided_by, '') FROM drafts";

constexpr std::string_view kRequestKeyPrefix = "drafts.requests.";

Result<Draft> read_draft(const Statement& row) {
  Draft draft;
  draft.id = row.column_int64(0);
  draft.candidate_id = row.column_int64(1);
  const std::string state = row.column_text(2);
  auto parsed = parse_draft_state(state);
  if (!parsed) {
    return fail(ErrorCode::kStorage,
                fmt::format("draft {} has the unknown state '{}'; the database was changed "
                            "outside herald (herald db check)",
                            draft.id, state));
  }
  draft.state = *parsed;
  draft.method = row.column_text(3);
  draft.model = row.column_text(4);
  draft.title = row.column_text(5);
  draft.summary = row.column_text(6);
  draft.attempts = static_cast<int>(row.column_int64(7));
  draft.next_attempt_at = row.column_int64(8);
  draft.last_error = row.column_text(9);
  draft.created_at = row.column_int64(10);
  draft.updated_at = row.column_int64(11);
  draft.decided_by = row.column_text(12);
  return draft;
}

Result<std::vector<Draft>> read_drafts(Statement& stmt) {
  std::vector<Draft> drafts;
  while (true) {
    auto row = stmt.step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return drafts;
    }
    auto draft = read_draft(stmt);
    if (!draft) {
      return fail(std::move(draft.error()));
    }
    drafts.push_back(std::move(*draft));
  }
}

}  // namespace

std::string_view draft_state_name(DraftState state) {
  switch (state) {
    case DraftState::kQueued:
      return "queued";
    case DraftState::kReady:
      return "ready";
    case DraftState::kFailed:
      return "failed";
    case DraftState::kAccepted:
      return "accepted";
    case DraftState::kDiscarded:
      return "discarded";
  }
  return "queued";
}

std::optional<DraftState> parse_draft_state(std::string_view name) {
  for (DraftState state : {DraftState::kQueued, DraftState::kReady, DraftState::kFailed,
                           DraftState::kAccepted, DraftState::kDiscarded}) {
    if (draft_state_name(state) == name) {
      return state;
    }
  }
  return std::nullopt;
}

Result<int> Store::enqueue_missing_drafts(std::int64_t now_utc) {
  // Rejected and published candidates need no draft: nobody will edit them again.
  auto stmt = db_.cached(
      "INSERT INTO drafts (candidate_id, state, attempts, next_attempt_at, created_at,"
      " updated_at)"
      " SELECT c.id, 'queued', 0, 0, ?1, ?1 FROM candidates c"
      " WHERE c.state IN ('pending', 'accepted')"
      "   AND NOT EXISTS (SELECT 1 FROM drafts d WHERE d.candidate_id = c.id)");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, now_utc);
  if (auto done = stmt->run(); !done) {
    return fail(std::move(done.error()));
  }
  return db_.changes();
}

Result<std::vector<Draft>> Store::claim_due_drafts(std::int64_t now_utc,
                                                   std::int64_t lease_until, int limit) {
  auto tx = Transaction::begin(db_);
  if (!tx) {
    return fail(std::move(tx.error()));
  }
  auto select = db_.prepare(std::string(kDraftColumns) +
                            " WHERE state = 'queued' AND next_attempt_at <= ?1"
                            " ORDER BY next_attempt_at, id LIMIT ?2");
  if (!select) {
    return fail(std::move(select.error()));
  }
  select->bind(1, now_utc).bind(2, std::max(limit, 1));
  auto drafts = read_drafts(*select);
  if (!drafts) {
    return fail(std::move(drafts.error()));
  }
  auto lease = db_.cached("UPDATE drafts SET next_attempt_at = ?2 WHERE id = ?1");
  if (!lease) {
    return fail(std::move(lease.error()));
  }
  for (const Draft& draft : *drafts) {
    lease->reset();
    lease->bind(1, draft.id).bind(2, lease_until);
    if (auto done = lease->run(); !done) {
      return fail(std::move(done.error()));
    }
  }
  if (auto committed = tx->commit(); !committed) {
    return fail(std::move(committed.error()));
  }
  return std::move(*drafts);
}

Result<bool> Store::save_draft(std::int64_t draft_id, const std::string& method,
                               const std::string& model, const std::string& title,
                               const std::string& summary, const std::string& error,
                               std::int64_t now_utc) {
  auto stmt = db_.cached(
      "UPDATE drafts SET state = 'ready', method = ?2, model = ?3, title = ?4, summary = ?5,"
      " last_error = ?6, updated_at = ?7 WHERE id = ?1 AND state = 'queued'");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, draft_id)
      .bind(2, method)
      .bind(3, model)
      .bind(4, title)
      .bind(5, summary)
      .bind(6, store_detail::null_if_empty(error))
      .bind(7, now_utc);
  if (auto done = stmt->run(); !done) {
    return fail(std::move(done.error()));
  }
  return db_.changes() > 0;
}

Result<int> Store::record_draft_failure(std::int64_t draft_id, const std::string& error,
                                        std::int64_t retry_after,
                                        const DraftRetryPolicy& policy, std::int64_t now_utc) {
  auto current = db_.prepare("SELECT attempts FROM drafts WHERE id = ?1");
  if (!current) {
    return fail(std::move(current.error()));
  }
  current->bind(1, draft_id);
  auto row = current->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  if (!*row) {
    return fail(ErrorCode::kNotFound, fmt::format("there is no draft {}", draft_id));
  }
  const int attempts = static_cast<int>(current->column_int64(0)) + 1;
  // 60 s, 120 s, 240 s, ... capped, and never sooner than the server asked.
  std::int64_t delay = policy.base_delay;
  for (int i = 1; i < attempts && delay < policy.max_delay; ++i) {
    delay *= 2;
  }
  delay = std::min(delay, policy.max_delay);
  delay = std::max(delay, retry_after);
  const std::int64_t next = attempts >= policy.max_attempts ? now_utc : now_utc + delay;
  auto update = db_.prepare(
      "UPDATE drafts SET attempts = ?2, next_attempt_at = ?3, last_error = ?4, updated_at = ?5"
      " WHERE id = ?1");
  if (!update) {
    return fail(std::move(update.error()));
  }
  update->bind(1, draft_id).bind(2, attempts).bind(3, next).bind(4, error).bind(5, now_utc);
  if (auto done = update->run(); !done) {
    return fail(std::move(done.error()));
  }
  return attempts;
}

Result<void> Store::mark_draft_failed(std::int64_t draft_id, const std::string& error,
                                      std::int64_t now_utc) {
  auto stmt = db_.prepare(
      "UPDATE drafts SET state = 'failed', last_error = ?2, updated_at = ?3"
      " WHERE id = ?1 AND state = 'queued'");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, draft_id).bind(2, error).bind(3, now_utc);
  return stmt->run();
}

Result<std::optional<Draft>> Store::draft_for(std::int64_t candidate_id) {
  auto stmt = db_.cached(std::string(kDraftColumns) + " WHERE candidate_id = ?1");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, candidate_id);
  auto drafts = read_drafts(*stmt);
  if (!drafts) {
    return fail(std::move(drafts.error()));
  }
  if (drafts->empty()) {
    return std::optional<Draft>{};
  }
  return std::optional<Draft>{std::move(drafts->front())};
}

Result<Candidate> Store::accept_draft(std::int64_t candidate_id, const std::string& actor,
                                      std::int64_t now_utc,
                                      const std::optional<std::string>& title,
                                      const std::optional<std::string>& summary) {
  auto draft = draft_for(candidate_id);
  if (!draft) {
    return fail(std::move(draft.error()));
  }
  if (!*draft) {
    return fail(ErrorCode::kNotFound,
                fmt::format("candidate {} has no draft yet; herald drafts it in the "
                            "background (herald drafts status)",
                            candidate_id));
  }
  if ((*draft)->state != DraftState::kReady) {
    return fail(ErrorCode::kUsage,
                fmt::format("the draft of candidate {} is {}, not ready; only a ready draft "
                            "can be accepted",
                            candidate_id, draft_state_name((*draft)->state)));
  }
  // Through edit_candidate: the same checks and audit rows as an editor's own edit.
  CandidateEdit edit;
  edit.title = title.value_or((*draft)->title);
  edit.summary = summary.value_or((*draft)->summary);
  auto edited = edit_candidate(candidate_id, edit, actor, now_utc);
  if (!edited) {
    return fail(std::move(edited.error()));
  }
  auto stmt = db_.prepare(
      "UPDATE drafts SET state = 'accepted', decided_by = ?2, updated_at = ?3"
      " WHERE candidate_id = ?1");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, candidate_id).bind(2, actor).bind(3, now_utc);
  if (auto done = stmt->run(); !done) {
    return fail(std::move(done.error()));
  }
  const bool changed = title.has_value() || summary.has_value();
  if (auto audited = store_detail::write_audit(
          db_, now_utc, actor, "accept_draft", candidate_id,
          changed ? "edited before accepting" : (*draft)->method);
      !audited) {
    return fail(std::move(audited.error()));
  }
  return edited;
}

Result<void> Store::discard_draft(std::int64_t candidate_id, const std::string& actor,
                                  std::int64_t now_utc) {
  auto stmt = db_.prepare(
      "UPDATE drafts SET state = 'discarded', decided_by = ?2, updated_at = ?3"
      " WHERE candidate_id = ?1");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, candidate_id).bind(2, actor).bind(3, now_utc);
  if (auto done = stmt->run(); !done) {
    return fail(std::move(done.error()));
  }
  if (db_.changes() == 0) {
    return fail(ErrorCode::kNotFound,
                fmt::format("candidate {} has no draft to discard", candidate_id));
  }
  return store_detail::write_audit(db_, now_utc, actor, "discard_draft", candidate_id, "");
}

Result<void> Store::redo_draft(std::int64_t candidate_id, const std::string& actor,
                               std::int64_t now_utc) {
  auto exists = get_candidate(candidate_id);
  if (!exists) {
    return fail(std::move(exists.error()));
  }
  auto stmt = db_.prepare(
      "INSERT INTO drafts (candidate_id, state, attempts, next_attempt_at, created_at,"
      " updated_at) VALUES (?1, 'queued', 0, 0, ?2, ?2)"
      " ON CONFLICT(candidate_id) DO UPDATE SET state = 'queued', attempts = 0,"
      "  next_attempt_at = 0, last_error = NULL, decided_by = NULL, updated_at = ?2");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, candidate_id).bind(2, now_utc);
  if (auto done = stmt->run(); !done) {
    return fail(std::move(done.error()));
  }
  return store_detail::write_audit(db_, now_utc, actor, "redo_draft", candidate_id, "");
}

Result<DraftCounts> Store::draft_counts(std::int64_t now_utc) {
  auto stmt = db_.prepare(
      "SELECT state, COUNT(*), SUM(next_attempt_at <= ?1) FROM drafts GROUP BY state");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, now_utc);
  DraftCounts counts;
  while (true) {
    auto row = stmt->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return counts;
    }
    const auto state = parse_draft_state(stmt->column_text(0));
    const std::int64_t n = stmt->column_int64(1);
    if (!state) {
      continue;
    }
    switch (*state) {
      case DraftState::kQueued:
        counts.queued = n;
        counts.due = stmt->column_int64(2);
        break;
      case DraftState::kReady:
        counts.ready = n;
        break;
      case DraftState::kFailed:
        counts.failed = n;
        break;
      case DraftState::kAccepted:
        counts.accepted = n;
        break;
      case DraftState::kDiscarded:
        counts.discarded = n;
        break;
    }
  }
}

Result<std::vector<Draft>> Store::recent_draft_errors(int limit) {
  auto stmt = db_.prepare(std::string(kDraftColumns) +
                          " WHERE last_error IS NOT NULL AND last_error <> ''"
                          " ORDER BY updated_at DESC, id DESC LIMIT ?1");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, std::max(limit, 1));
  return read_drafts(*stmt);
}

Result<std::int64_t> Store::draft_requests_on(const std::string& day) {
  auto value = state(std::string(kRequestKeyPrefix) + day);
  if (!value) {
    return fail(std::move(value.error()));
  }
  if (!*value) {
    return std::int64_t{0};
  }
  try {
    return static_cast<std::int64_t>(std::stoll(**value));
  } catch (const std::exception&) {
    return std::int64_t{0};  // a counter edited by hand: start the day again
  }
}

Result<std::int64_t> Store::count_draft_request(const std::string& day, std::int64_t now_utc) {
  const std::string key = std::string(kRequestKeyPrefix) + day;
  auto tx = Transaction::begin(db_);
  if (!tx) {
    return fail(std::move(tx.error()));
  }
  // Only today's counter matters; yesterday's would only accumulate.
  auto forget = db_.prepare("DELETE FROM service_state WHERE key LIKE ?1 AND key <> ?2");
  if (!forget) {
    return fail(std::move(forget.error()));
  }
  forget->bind(1, std::string(kRequestKeyPrefix) + "%").bind(2, key);
  if (auto done = forget->run(); !done) {
    return fail(std::move(done.error()));
  }
  auto bump = db_.prepare(
      "INSERT INTO service_state(key, value, updated_at) VALUES (?1, '1', ?2)"
      " ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT),"
      "  updated_at = excluded.updated_at");
  if (!bump) {
    return fail(std::move(bump.error()));
  }
  bump->bind(1, key).bind(2, now_utc);
  if (auto done = bump->run(); !done) {
    return fail(std::move(done.error()));
  }
  if (auto committed = tx->commit(); !committed) {
    return fail(std::move(committed.error()));
  }
  return draft_requests_on(day);
}

}  // namespace herald
