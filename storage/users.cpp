// Web UI accounts and sessions.

#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "common/text.h"
#include "storage/store.h"

namespace herald {
namespace {

constexpr std::size_t kMaxUserNameBytes = 64;

// Names appear in the audit trail and on the command line: printable, no spaces.
bool valid_user_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxUserNameBytes || !is_valid_utf8(name)) {
    return false;
  }
  return collapse_whitespace(name) == name && name.find(' ') == std::string_view::npos &&
         strip_controls(name) == name;
}

constexpr std::string_view kUserSelect =
    "SELECT id, name, role, password_hash, created_at, disabled FROM users";

Result<std::vector<User>> read_users(Statement& stmt) {
  std::vector<User> out;
  while (true) {
    auto row = stmt.step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return out;
    }
    const std::string role = stmt.column_text(2);
    auto parsed = parse_role(role);
    if (!parsed) {
      return fail(ErrorCode::kStorage,
                  fmt::format("sqlite: user {} has unknown role '{}'", stmt.column_int64(0), role));
    }
    out.push_back(User{.id = stmt.column_int64(0),
                       .name = stmt.column_text(1),
                       .role = *parsed,
                       .password_hash = stmt.column_text(3),
                       .created_at = stmt.column_int64(4),
                       .disabled = stmt.column_int64(5) != 0});
  }
}

Result<std::optional<User>> first_user(Database& db, std::string_view where,
                                       const auto& value) {
  auto stmt = db.prepare(std::string(kUserSelect) + " " + std::string(where));
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, value);
  auto users = read_users(*stmt);
  if (!users) {
    return fail(std::move(users.error()));
  }
  if (users->empty()) {
    return std::optional<User>();
  }
  return std::optional<User>(std::move(users->front()));
}

Error no_such_user(const std::string& name) {
  return Error{ErrorCode::kNotFound,
               fmt::format("no user '{}' (see 'herald users list')", strip_controls(name))};
}

Result<void> delete_sessions_of(Database& db, std::int64_t user_id) {
  auto remove = db.prepare("DELETE FROM sessions WHERE user_id = ?1");
  if (!remove) {
    return fail(std::move(remove.error()));
  }
  remove->bind(1, user_id);
  return remove->run();
}

// True when some enabled admin other than `user_id` remains: the last one cannot be
// removed, disabled or demoted, or nobody could manage accounts from the web UI.
Result<bool> another_admin_remains(Database& db, std::int64_t user_id) {
  auto stmt = db.prepare(
      "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id != ?1");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, user_id);
  auto row = stmt->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  return *row && stmt->column_int64(0) > 0;
}

}  // namespace

std::string_view role_name(Role role) {
  switch (role) {
    case Role::kEditor: return "editor";
    case Role::kAdmin: return "admin";
  }
  return "editor";
}

std::optional<Role> parse_role(std::string_view name) {
  for (Role role : {Role::kEditor, Role::kAdmin}) {
    if (role_name(role) == name) {
      return role;
    }
  }
  return std::nullopt;
}

Result<User> Store::add_user(const std::string& name, Role role, const std::string& password_hash,
                             std::int64_t now_utc) {
  if (!valid_user_name(name)) {
    return fail(ErrorCode::kUsage,
                fmt::format("invalid user name '{}': 1-{} bytes, no spaces or control characters",
                            strip_controls(name), kMaxUserNameBytes));
  }
  auto tx = Transaction::begin(db_);
  if (!tx) {
    return fail(std::move(tx.error()));
  }
  auto existing = find_user(name);
  if (!existing) {
    return fail(std::move(existing.error()));
  }
  if (*existing) {
    return fail(ErrorCode::kUsage, fmt::format("user '{}' already exists (change the password "
                                               "with 'herald users passwd {}')",
                                               name, name));
  }
  auto insert = db_.prepare(
      "INSERT INTO users (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)");
  if (!insert) {
    return fail(std::move(insert.error()));
  }
  insert->bind(1, name).bind(2, role_name(role)).bind(3, password_hash).bind(4, now_utc);
  if (auto done = insert->run(); !done) {
    return fail(std::move(done.error()));
  }
  User user{.id = db_.last_insert_rowid(),
            .name = name,
            .role = role,
            .password_hash = password_hash,
            .created_at = now_utc};
  if (auto committed = tx->commit(); !committed) {
    return fail(std::move(committed.error()));
  }
  return user;
}

Result<void> Store::set_password(const std::string& name, const std::string& password_hash) {
  auto tx = Transaction::begin(db_);
  if (!tx) {
    return fail(std::move(tx.error()));
  }
  auto user = find_user(name);
  if (!user) {
    return fail(std::move(user.error()));
  }
  if (!*user) {
    return fail(no_such_user(name));
  }
  auto update = db_.prepare("UPDATE users SET password_hash = ?1 WHERE id = ?2");
  if (!update) {
    return fail(std::move(update.error()));
  }
  update->bind(1, password_hash).bind(2, (*user)->id);
  if (auto done = update->run(); !done) {
    return done;
  }
  if (auto ended = delete_sessions_of(db_, (*user)->id); !ended) {
    return ended;
  }
  return tx->commit();
}

Result<void> Store::upgrade_password_hash(std::int64_t user_id, const std::string& old_hash,
                                          const std::string& new_hash) {
  auto update =
      db_.prepare("UPDATE users SET password_hash = ?1 WHERE id = ?2 AND password_hash = ?3");
  if (!update) {
    return fail(std::move(update.error()));
  }
  update->bind(1, new_hash).bind(2, user_id).bind(3, old_hash);
  return update->run();
}

Result<void> Store::set_user_role(const std::string& name, Role role) {
  auto tx = Transaction::begin(db_);
  if (!tx) {
    return fail(std::move(tx.error()));
  }
  auto user = find_user(name);
  if (!user) {
    return fail(std::move(user.error()));
  }
  if (!*user) {
    return fail(no_such_user(name));
  }
  if ((*user)->role == role) {
    return {};
  }
  if (role != Role::kAdmin && !(*user)->disabled) {
    auto others = another_admin_remains(db_, (*user)->id);
    if (!others) {
      return fail(std::move(others.error()));
    }
    if (!*others) {
      return fail(ErrorCode::kUsage,
                  fmt::format("'{}' is the only enabled admin; make another user admin first "
                              "('herald users role NAME admin')",
                              strip_controls(name)));
    }
  }
  auto update = db_.prepare("UPDATE users SET role = ?1 WHERE id = ?2");
  if (!update) {
    return fail(std::move(update.error()));
  }
  update->bind(1, role_name(role)).bind(2, (*user)->id);
  if (auto done = update->run(); !done) {
    return done;
  }
  if (auto ended = delete_sessions_of(db_, (*user)->id); !ended) {
    return ended;
  }
  return tx->commit();
}

Result<void> Store::set_user_disabled(const std::string& name, bool disabled) {
  auto tx = Transaction::begin(db_);
  if (!tx) {
    return fail(std::move(tx.error()));
  }
  auto user = find_user(name);
  if (!user) {
    return fail(std::move(user.error()));
  }
  if (!*user) {
    return fail(no_such_user(name));
  }
  if (disabled && (*user)->role == Role::kAdmin && !(*user)->disabled) {
    auto others = another_admin_remains(db_, (*user)->id);
    if (!others) {
      return fail(std::move(others.error()));
    }
    if (!*others) {
      return fail(ErrorCode::kUsage,
                  fmt::format("'{}' is the only enabled admin; make another user admin first "
                              "('herald users role NAME admin')",
                              strip_controls(name)));
    }
  }
  auto update = db_.prepare("UPDATE users SET disabled = ?1 WHERE id = ?2");
  if (!update) {
    return fail(std::move(update.error()));
  }
  update->bind(1, static_cast<std::int64_t>(disabled ? 1 : 0)).bind(2, (*user)->id);
  if (auto done = update->run(); !done) {
    return done;
  }
  if (disabled) {
    if (auto ended = delete_sessions_of(db_, (*user)->id); !ended) {
      return ended;
    }
  }
  return tx->commit();
}

Result<void> Store::remove_user(const std::string& name) {
  auto tx = Transaction::begin(db_);
  if (!tx) {
    return fail(std::move(tx.error()));
  }
  auto user = find_user(name);
  if (!user) {
    return fail(std::move(user.error()));
  }
  if (!*user) {
    return fail(no_such_user(name));
  }
  if ((*user)->role == Role::kAdmin && !(*user)->disabled) {
    auto others = another_admin_remains(db_, (*user)->id);
    if (!others) {
      return fail(std::move(others.error()));
    }
    if (!*others) {
      return fail(ErrorCode::kUsage,
                  fmt::format("'{}' is the only enabled admin; make another user admin first "
                              "('herald users role NAME admin')",
                              strip_controls(name)));
    }
  }
  // Explicitly, though the foreign key cascades: the sessions must go even if a future
  // connection forgets PRAGMA foreign_keys.
  if (auto ended = delete_sessions_of(db_, (*user)->id); !ended) {
    return ended;
  }
  auto remove = db_.prepare("DELETE FROM users WHERE id = ?1");
  if (!remove) {
    return fail(std::move(remove.error()));
  }
  remove->bind(1, (*user)->id);
  if (auto done = remove->run(); !done) {
    return done;
  }
  return tx->commit();
}

Result<int> Store::end_user_sessions(std::int64_t user_id) {
  if (auto done = delete_sessions_of(db_, user_id); !done) {
    return fail(std::move(done.error()));
  }
  return db_.changes();
}

Result<std::vector<User>> Store::list_users() {
  auto stmt = db_.prepare(std::string(kUserSelect) + " ORDER BY name");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  return read_users(*stmt);
}

Result<std::optional<User>> Store::find_user(const std::string& name) {
  return first_user(db_, "WHERE name = ?1", name);
}

Result<std::optional<User>> Store::find_user_by_id(std::int64_t id) {
  return first_user(db_, "WHERE id = ?1", id);
}

Result<void> Store::create_session(const Session& session) {
  auto insert = db_.prepare(
      "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!insert) {
    return fail(std::move(insert.error()));
  }
  insert->bind(1, session.token_hash)
      .bind(2, session.user_id)
      .bind(3, session.csrf_token)
      .bind(4, session.created_at)
      .bind(5, session.last_seen_at);
  return insert->run();
}

Result<std::optional<Session>> Store::find_session(const std::string& token_hash) {
  auto stmt = db_.prepare(
      "SELECT token_hash, user_id, csrf_token, created_at, last_seen_at FROM sessions"
      " WHERE token_hash = ?1");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, token_hash);
  auto row = stmt->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  if (!*row) {
    return std::optional<Session>();
  }
  return std::optional<Session>(Session{.token_hash = stmt->column_text(0),
                                        .user_id = stmt->column_int64(1),
                                        .csrf_token = stmt->column_text(2),
                                        .created_at = stmt->column_int64(3),
                                        .last_seen_at = stmt->column_int64(4)});
}

Result<void> Store::touch_session(const std::string& token_hash, std::int64_t now_utc) {
  auto update = db_.prepare("UPDATE sessions SET last_seen_at = ?1 WHERE token_hash = ?2");
  if (!update) {
    return fail(std::move(update.error()));
  }
  update->bind(1, now_utc).bind(2, token_hash);
  return update->run();
}

Result<void> Store::delete_session(const std::string& token_hash) {
  auto remove = db_.prepare("DELETE FROM sessions WHERE token_hash = ?1");
  if (!remove) {
    return fail(std::move(remove.error()));
  }
  remove->bind(1, token_hash);
  return remove->run();
}

Result<int> Store::expire_sessions(std::int64_t idle_before, std::int64_t created_before) {
  auto remove =
      db_.prepare("DELETE FROM sessions WHERE last_seen_at < ?1 OR created_at < ?2");
  if (!remove) {
    return fail(std::move(remove.error()));
  }
  remove->bind(1, idle_before).bind(2, created_before);
  if (auto done = remove->run(); !done) {
    return fail(std::move(done.error()));
  }
  return db_.changes();
}

}  // namespace herald
