// Repair proposals (schema v9, docs/repair.md): what herald would change in a source file
// whose page stopped matching, kept until an admin applies or discards it.

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "storage/store.h"

namespace herald {
namespace {

constexpr const char* kRepairColumns =
    "SELECT id, source_id, state, created_at, cause, page_url, page_sha256, file_path,"
    " file_sha256, proposed_text, diff, items, items_found, known_found, known_total,"
    " confidence, summary, decided_at, decided_by, backup_path FROM repair_proposals";

RepairState parse_repair_state(std::string_view name) {
  if (name == "applied") return RepairState::kApplied;
  if (name == "discarded") return RepairState::kDiscarded;
  if (name == "superseded") return RepairState::kSuperseded;
  return RepairState::kOpen;
}

RepairProposal read_repair(const Statement& stmt) {
  RepairProposal p;
  p.id = stmt.column_int64(0);
  p.source_id = stmt.column_text(1);
  p.state = parse_repair_state(stmt.column_text(2));
  p.created_at = stmt.column_int64(3);
  p.cause = stmt.column_text(4);
  p.page_url = stmt.column_text(5);
  p.page_sha256 = stmt.column_text(6);
  p.file_path = stmt.column_text(7);
  p.file_sha256 = stmt.column_text(8);
  p.proposed_text = stmt.column_text(9);
  p.diff = stmt.column_text(10);
  p.items = stmt.column_text(11);
  p.items_found = static_cast<int>(stmt.column_int64(12));
  p.known_found = static_cast<int>(stmt.column_int64(13));
  p.known_total = static_cast<int>(stmt.column_int64(14));
  p.confidence = stmt.column_double(15);
  p.summary = stmt.column_text(16);
  p.decided_at = stmt.column_optional_int64(17);
  p.decided_by = stmt.column_optional_text(18).value_or("");
  p.backup_path = stmt.column_optional_text(19).value_or("");
  return p;
}

Result<std::vector<RepairProposal>> read_repairs(Statement& stmt) {
  std::vector<RepairProposal> out;
  while (true) {
    auto row = stmt.step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return out;
    }
    out.push_back(read_repair(stmt));
  }
}

// Cached: open_repair runs after every successful poll (is there a proposal to retire?).
Result<std::optional<RepairProposal>> first_repair(Database& db, const std::string& sql,
                                                   const std::string& source_id) {
  auto stmt = db.cached(sql);
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, source_id);
  auto rows = read_repairs(*stmt);
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  if (rows->empty()) {
    return std::optional<RepairProposal>();
  }
  return std::optional<RepairProposal>(std::move(rows->front()));
}

}  // namespace

std::string_view repair_state_name(RepairState state) {
  switch (state) {
    case RepairState::kOpen: return "open";
    case RepairState::kApplied: return "applied";
    case RepairState::kDiscarded: return "discarded";
    case RepairState::kSuperseded: return "superseded";
  }
  return "open";
}

Result<std::int64_t> Store::save_repair(const RepairProposal& p) {
  auto tx = Transaction::begin(db_);
  if (!tx) {
    return fail(std::move(tx.error()));
  }
  auto supersede = db_.prepare(
      "UPDATE repair_proposals SET state = 'superseded', decided_at = ?2"
      " WHERE source_id = ?1 AND state = 'open'");
  if (!supersede) {
    return fail(std::move(supersede.error()));
  }
  supersede->bind(1, p.source_id).bind(2, p.created_at);
  if (auto done = supersede->run(); !done) {
    return fail(std::move(done.error()));
  }
  auto insert = db_.prepare(
      "INSERT INTO repair_proposals(source_id, state, created_at, cause, page_url,"
      " page_sha256, file_path, file_sha256, proposed_text, diff, items, items_found,"
      " known_found, known_total, confidence, summary)"
      " VALUES (?1, 'open', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
  if (!insert) {
    return fail(std::move(insert.error()));
  }
  insert->bind(1, p.source_id)
      .bind(2, p.created_at)
      .bind(3, p.cause)
      .bind(4, p.page_url)
      .bind(5, p.page_sha256)
      .bind(6, p.file_path)
      .bind(7, p.file_sha256)
      .bind(8, p.proposed_text)
      .bind(9, p.diff)
      .bind(10, p.items)
      .bind(11, p.items_found)
      .bind(12, p.known_found)
      .bind(13, p.known_total)
      .bind(14, p.confidence)
      .bind(15, p.summary);
  if (auto done = insert->run(); !done) {
    return fail(std::move(done.error()));
  }
  const std::int64_t id = db_.last_insert_rowid();
  if (auto committed = tx->commit(); !committed) {
    return fail(std::move(committed.error()));
  }
  return id;
}

Result<std::optional<RepairProposal>> Store::open_repair(const std::string& source_id) {
  return first_repair(db_, std::string(kRepairColumns) +
                               " WHERE source_id = ?1 AND state = 'open' ORDER BY id DESC LIMIT 1",
                      source_id);
}

Result<std::optional<RepairProposal>> Store::newest_repair(const std::string& source_id) {
  return first_repair(db_, std::string(kRepairColumns) +
                               " WHERE source_id = ?1 ORDER BY id DESC LIMIT 1",
                      source_id);
}

Result<std::vector<RepairProposal>> Store::open_repairs() {
  auto stmt = db_.prepare(std::string(kRepairColumns) +
                          " WHERE state = 'open' ORDER BY source_id, id");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  return read_repairs(*stmt);
}

Result<void> Store::close_repair(std::int64_t id, RepairState state, const std::string& actor,
                                 std::int64_t now_utc, const std::string& backup_path) {
  if (state != RepairState::kApplied && state != RepairState::kDiscarded) {
    return fail(ErrorCode::kInternal, "a repair proposal is closed as applied or discarded");
  }
  auto stmt = db_.prepare(
      "UPDATE repair_proposals SET state = ?2, decided_at = ?3, decided_by = ?4,"
      " backup_path = NULLIF(?5, '') WHERE id = ?1 AND state = 'open'");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, id)
      .bind(2, repair_state_name(state))
      .bind(3, now_utc)
      .bind(4, actor)
      .bind(5, backup_path);
  if (auto done = stmt->run(); !done) {
    return done;
  }
  if (db_.changes() == 0) {
    return fail(ErrorCode::kNotFound,
                fmt::format("repair proposal {} is not open (applied, discarded or replaced "
                            "by a newer one); see `herald sources repairs`",
                            id));
  }
  return {};
}

Result<bool> Store::retire_open_repair(const std::string& source_id, std::int64_t now_utc) {
  auto stmt = db_.prepare(
      "UPDATE repair_proposals SET state = 'superseded', decided_at = ?2"
      " WHERE source_id = ?1 AND state = 'open'");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, source_id).bind(2, now_utc);
  if (auto done = stmt->run(); !done) {
    return fail(std::move(done.error()));
  }
  return db_.changes() > 0;
}

Result<std::vector<SourceItemRef>> Store::source_items(const std::string& source_id,
                                                        int limit) {
  auto stmt = db_.prepare(
      "SELECT title, url, url_key FROM items WHERE source_id = ?1"
      " ORDER BY first_seen DESC, id DESC LIMIT ?2");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, source_id).bind(2, limit > 0 ? limit : -1);
  std::vector<SourceItemRef> out;
  while (true) {
    auto row = stmt->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return out;
    }
    out.push_back(SourceItemRef{.title = stmt->column_text(0),
                                .url = stmt->column_text(1),
                                .url_key = stmt->column_text(2)});
  }
}

Result<std::optional<int>> Store::usual_items_seen(const std::string& source_id, int polls) {
  auto stmt = db_.cached(
      "SELECT items_seen FROM polls WHERE source_id = ?1 AND outcome = 'ok' AND items_seen > 0"
      " AND id <> (SELECT id FROM polls WHERE source_id = ?1"
      "   ORDER BY started_at DESC, id DESC LIMIT 1)"
      " ORDER BY started_at DESC, id DESC LIMIT ?2");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, source_id).bind(2, polls);
  std::vector<std::int64_t> seen;
  while (true) {
    auto row = stmt->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      break;
    }
    seen.push_back(stmt->column_int64(0));
  }
  constexpr std::size_t kMinPolls = 3;
  if (seen.size() < kMinPolls) {
    return std::optional<int>();
  }
  std::sort(seen.begin(), seen.end());
  return std::optional<int>(static_cast<int>(seen[seen.size() / 2]));
}

Result<bool> Store::matched_before(const std::string& source_id) {
  auto stmt = db_.prepare(
      "SELECT EXISTS (SELECT 1 FROM polls WHERE source_id = ?1 AND items_seen > 0)");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, source_id);
  auto row = stmt->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  return *row && stmt->column_int64(0) != 0;
}

}  // namespace herald
