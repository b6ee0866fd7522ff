// The daemon's own small state: a key-value table (schema v4) for what must survive a
// restart, such as when the last digest went out and which sources were last alerted.

#include "storage/store.h"

namespace herald {

Result<std::optional<std::string>> Store::state(const std::string& key) {
  auto stmt = db_.prepare("SELECT value FROM service_state WHERE key = ?1");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, key);
  auto row = stmt->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  if (!*row) {
    return std::optional<std::string>{};
  }
  return std::optional<std::string>{stmt->column_text(0)};
}

Result<void> Store::set_state(const std::string& key, const std::string& value,
                              std::int64_t now_utc) {
  auto stmt = db_.prepare(
      "INSERT INTO service_state(key, value, updated_at) VALUES (?1, ?2, ?3) "
      "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, key).bind(2, value).bind(3, now_utc);
  return stmt->run();
}

}  // namespace herald
