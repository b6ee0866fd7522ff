// Legal metadata per item (migration v12, docs/legal.md): written with a poll's new items,
// read with every candidate, corrected by editors (audited), listed as open consultations.

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "common/legal.h"
#include "storage/store.h"
#include "storage/store_rows.h"

namespace herald {

using store_detail::null_if_empty;

namespace {

// An editor's value may be long (how to comment can be a paragraph), but not unbounded.
constexpr std::size_t kMaxLegalValueBytes = 2000;

// "doc_number, doc_number_from, issuer, issuer_from, ..." in kLegalFieldNames order.
std::string legal_columns() {
  std::string out;
  for (std::string_view name : kLegalFieldNames) {
    out += fmt::format("{}{}, {}_from", out.empty() ? "" : ", ", name, name);
  }
  return out;
}

}  // namespace

namespace store_detail {

Result<void> write_item_legal(Database& db, std::int64_t item_id, const LegalFacts& facts,
                              std::int64_t now_utc) {
  if (facts.empty()) {
    auto forget = db.cached("DELETE FROM item_legal WHERE item_id = ?1");
    if (!forget) {
      return fail(std::move(forget.error()));
    }
    forget->bind(1, item_id);
    return forget->run();
  }
  static const std::string sql = [] {
    std::string placeholders;
    for (std::size_t i = 0; i < 2 * kLegalFieldCount; ++i) {
      placeholders += fmt::format(", ?{}", i + 3);
    }
    return fmt::format("INSERT OR REPLACE INTO item_legal (item_id, updated_at, {})"
                       " VALUES (?1, ?2{})",
                       legal_columns(), placeholders);
  }();
  auto stmt = db.cached(sql);
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, item_id).bind(2, now_utc);
  for (std::size_t i = 0; i < kLegalFieldCount; ++i) {
    const LegalValue& field = facts.fields[i];
    const int index = static_cast<int>(3 + 2 * i);
    stmt->bind(index, null_if_empty(field.value));
    stmt->bind(index + 1, field.value.empty() ? std::nullopt : null_if_empty(field.from));
  }
  return stmt->run();
}

Result<void> load_item_legal(Database& db, std::int64_t item_id, LegalFacts& facts) {
  static const std::string sql =
      fmt::format("SELECT {} FROM item_legal WHERE item_id = ?1", legal_columns());
  facts = LegalFacts{};
  auto stmt = db.cached(sql);
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, item_id);
  auto row = stmt->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  if (*row) {
    for (std::size_t i = 0; i < kLegalFieldCount; ++i) {
      facts.fields[i].value = stmt->column_text(static_cast<int>(2 * i));
      facts.fields[i].from = stmt->column_text(static_cast<int>(2 * i + 1));
    }
  }
  return {};
}

}  // namespace store_detail

Result<Candidate> Store::edit_legal(std::int64_t id, const LegalEdit& edit,
                                    const std::string& actor, std::int64_t now_utc) {
  for (std::size_t i = 0; i < kLegalFieldCount; ++i) {
    const auto field = static_cast<LegalField>(i);
    const auto& value = edit.values[i];
    if (!value || value->empty()) {
      continue;
    }
    if (is_date_field(field) && !is_calendar_date(*value)) {
      return fail(ErrorCode::kUsage,
                  fmt::format("{}「{}」不是有效日期：请写成 YYYY-MM-DD，例如 2023-12-07",
                              legal_field_label(field), *value));
    }
    if (value->size() > kMaxLegalValueBytes) {
      return fail(ErrorCode::kUsage, fmt::format("{}过长：最多 {} 字节", legal_field_label(field),
                                                 kMaxLegalValueBytes));
    }
  }
  auto tx = Transaction::begin(db_);
  if (!tx) {
    return fail(std::move(tx.error()));
  }
  auto current = get_candidate(id);
  if (!current) {
    return fail(std::move(current.error()));
  }
  LegalFacts facts = current->legal;
  bool changed = false;
  for (std::size_t i = 0; i < kLegalFieldCount; ++i) {
    const auto& value = edit.values[i];
    if (!value || *value == facts.fields[i].value) {
      continue;
    }
    const auto field = static_cast<LegalField>(i);
    const std::string detail =
        fmt::format("{}: {} → {}", legal_field_label(field),
                    facts.fields[i].value.empty() ? "（空）" : facts.fields[i].value,
                    value->empty() ? "（空）" : *value);
    facts.fields[i] = LegalValue{.value = *value, .from = "editor:" + actor};
    changed = true;
    if (auto audited = store_detail::write_audit(db_, now_utc, actor, "edit_legal", id, detail);
        !audited) {
      return fail(std::move(audited.error()));
    }
  }
  if (!changed) {
    return current;
  }
  if (auto written = store_detail::write_item_legal(db_, current->item_id, facts, now_utc);
      !written) {
    return fail(std::move(written.error()));
  }
  if (auto committed = tx->commit(); !committed) {
    return fail(std::move(committed.error()));
  }
  return get_candidate(id);
}

Result<std::vector<Candidate>> Store::open_consultations(const std::string& today, int limit) {
  auto stmt = db_.prepare(std::string(store_detail::kCandidateSelect) +
                          " JOIN item_legal l ON l.item_id = i.id"
                          " WHERE l.comment_deadline IS NOT NULL AND l.comment_deadline >= ?1"
                          " AND c.state != 'rejected'"
                          " ORDER BY l.comment_deadline, c.id LIMIT ?2");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, today).bind(2, limit);
  return store_detail::read_candidates(db_, *stmt, true);
}

}  // namespace herald
