// What the notifier reads from the queue (the candidates a digest announces) and its
// outbox of messages not yet delivered (schema v7, docs/notifications.md).

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

Result<bool> Store::enqueue_notification(const OutboxMessage& message) {
  // ON CONFLICT DO NOTHING rather than OR IGNORE: only the (msg_key, channel) uniqueness
  // may turn an insert into nothing; a NOT NULL or CHECK failure stays an error.
  auto stmt = db_.prepare(
      "INSERT INTO notify_outbox(msg_key, channel, event, format, subject, body, message_id,"
      " created_at, state, attempts, next_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', 0, ?9)"
      " ON CONFLICT(msg_key, channel) DO NOTHING");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, message.key)
      .bind(2, message.channel)
      .bind(3, message.event)
      .bind(4, message.format)
      .bind(5, message.subject)
      .bind(6, message.body)
      .bind(7, message.message_id)
      .bind(8, message.created_at)
      .bind(9, message.next_at);
  if (auto done = stmt->run(); !done) {
    return fail(std::move(done.error()));
  }
  return db_.changes() > 0;
}

Result<std::vector<OutboxMessage>> Store::pending_notifications(int limit) {
  auto stmt = db_.prepare(
      "SELECT id, msg_key, channel, event, format, subject, body, message_id, created_at,"
      " attempts, next_at FROM notify_outbox WHERE state = 'pending' ORDER BY id LIMIT ?1");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, limit > 0 ? limit : -1);
  std::vector<OutboxMessage> messages;
  while (true) {
    auto row = stmt->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      break;
    }
    messages.push_back(OutboxMessage{.id = stmt->column_int64(0),
                                     .key = stmt->column_text(1),
                                     .channel = stmt->column_text(2),
                                     .event = stmt->column_text(3),
                                     .format = stmt->column_text(4),
                                     .subject = stmt->column_text(5),
                                     .body = stmt->column_text(6),
                                     .message_id = stmt->column_text(7),
                                     .created_at = stmt->column_int64(8),
                                     .attempts = static_cast<int>(stmt->column_int64(9)),
                                     .next_at = stmt->column_int64(10)});
  }
  return messages;
}

Result<void> Store::mark_notification_delivered(std::int64_t id, std::int64_t now_utc) {
  auto stmt = db_.prepare(
      "UPDATE notify_outbox SET state = 'delivered', done_at = ?2, last_error = NULL"
      " WHERE id = ?1");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, id).bind(2, now_utc);
  return stmt->run();
}

Result<void> Store::mark_notification_failed(std::int64_t id, int attempts, std::int64_t next_at,
                                             const std::string& error) {
  auto stmt = db_.prepare(
      "UPDATE notify_outbox SET attempts = ?2, next_at = ?3, last_error = ?4"
      " WHERE id = ?1 AND state = 'pending'");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, id).bind(2, attempts).bind(3, next_at).bind(4, error);
  return stmt->run();
}

Result<void> Store::drop_notification(std::int64_t id, int attempts, std::int64_t now_utc,
                                      const std::string& error) {
  auto stmt = db_.prepare(
      "UPDATE notify_outbox SET state = 'dropped', attempts = ?2, done_at = ?3, last_error = ?4"
      " WHERE id = ?1 AND state = 'pending'");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, id).bind(2, attempts).bind(3, now_utc).bind(4, error);
  return stmt->run();
}

Result<int> Store::forget_finished_notifications(std::int64_t before_utc) {
  auto stmt = db_.prepare(
      "DELETE FROM notify_outbox WHERE state IN ('delivered', 'dropped') AND done_at < ?1");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, before_utc);
  if (auto done = stmt->run(); !done) {
    return fail(std::move(done.error()));
  }
  return db_.changes();
}

}  // namespace herald
