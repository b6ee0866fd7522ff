// What the notifier reads from the queue: the candidates a digest announces.

#include "storage/store.h"
#include "storage/store_rows.h"

namespace herald {

Result<QueuePage> Store::pending_queued_between(std::int64_t from_utc, std::int64_t to_utc,
                                                int limit) {
  QueuePage page;
  auto count = db_.prepare(
      "SELECT COUNT(*) FROM candidates"
      " WHERE state = 'pending' AND queued_at >= ?1 AND queued_at < ?2");
  if (!count) {
    return fail(std::move(count.error()));
  }
  count->bind(1, from_utc).bind(2, to_utc);
  auto counted = count->step();
  if (!counted) {
    return fail(std::move(counted.error()));
  }
  page.total = *counted ? count->column_int64(0) : 0;

  auto stmt = db_.prepare(std::string(store_detail::kCandidateSelect) +
                          " WHERE c.state = 'pending' AND c.queued_at >= ?1 AND c.queued_at < ?2"
                          " ORDER BY c.queued_at, c.id LIMIT ?3");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, from_utc).bind(2, to_utc).bind(3, limit > 0 ? limit : -1);
  auto rows = store_detail::read_candidates(db_, *stmt, true);
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  page.items = std::move(*rows);
  return page;
}

}  // namespace herald
