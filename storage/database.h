#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sqlite3.h>

#include "common/result.h"

namespace herald {

struct SqliteClose {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct SqliteFinalize {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using SqliteDb = std::unique_ptr<sqlite3, SqliteClose>;
using SqliteStmt = std::unique_ptr<sqlite3_stmt, SqliteFinalize>;

namespace detail {
struct StatementCache;
}

// A prepared statement with typed binds (indices from 1). Text is bound SQLITE_TRANSIENT.
// One from Database::cached goes back to its connection's cache when destroyed (reset, its
// bindings cleared); one from Database::prepare is finalised.
class Statement {
 public:
  explicit Statement(SqliteStmt stmt) : stmt_(std::move(stmt)) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const std::optional<std::string>& value);
  Statement& bind(int index, const std::optional<std::int64_t>& value);
  Statement& bind_null(int index);

  // true: a row is available; false: done. Errors: kStorage, kDbFull.
  Result<bool> step();
  // Runs to completion, ignoring rows.
  Result<void> run();
  void reset();

  std::int64_t column_int64(int index) const;
  double column_double(int index) const;
  std::string column_text(int index) const;
  std::optional<std::string> column_optional_text(int index) const;
  std::optional<std::int64_t> column_optional_int64(int index) const;
  bool column_is_null(int index) const;

 private:
  friend class Database;
  // Hands a cached statement back to its cache (or finalises it when the cache is gone).
  void give_back() noexcept;

  SqliteStmt stmt_;
  // The first failed bind (SQLITE_RANGE, SQLITE_TOOBIG, ...). bind() returns *this for
  // chaining, so the failure is kept here and reported by the next step()/run().
  int bind_rc_ = SQLITE_OK;
  // Set for a statement lent by Database::cached: the cache, which may be gone by the time
  // this statement is (weak), and the idle list of its SQL text in that cache.
  std::weak_ptr<detail::StatementCache> cache_{};
  std::vector<SqliteStmt>* idle_ = nullptr;
};

// PRAGMA synchronous of a connection, in WAL mode. kFull (every connection's default)
// fsyncs the WAL on every commit: a commit that returned survives a power failure.
// kNormal fsyncs only at checkpoints: a commit still survives a crash of the process (the
// WAL is in the OS's page cache), and the database stays consistent whatever happens, but
// a power failure can lose the last commits.
enum class Synchronous { kNormal = 1, kFull = 2 };

// One connection. WAL, foreign keys on, busy_timeout 5 s. Not shared between threads.
class Database {
 public:
  // Opens (creating if needed) and migrates to the current schema. ":memory:" works.
  // Errors: kStorage (with the path and SQLite's message), kDbFull.
  static Result<Database> open(const std::filesystem::path& path);
  // Opens an existing database without creating a file or migrating the schema, so
  // `herald db check` reports the schema version on disk (the connection still switches
  // the file to WAL, as every herald connection does). Errors: kStorage, kNotFound.
  static Result<Database> open_as_is(const std::filesystem::path& path);

  Result<void> exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);
  // A statement of `sql` prepared once per connection and reused: reset, with its bindings
  // cleared, and back in the cache when the returned Statement is destroyed. For SQL that
  // runs often (every poll, every item) and is fixed text: only the first
  // kMaxCachedStatements different texts are kept. A statement is lent out to one holder at
  // a time; asking for the same SQL while it is lent (a helper called inside a loop over its
  // rows) prepares a second one, so two holders never step the same statement.
  // The Statement may outlive the Database (it is then finalised). Errors: as prepare.
  Result<Statement> cached(std::string_view sql);
  static constexpr std::size_t kMaxCachedStatements = 64;

  // PRAGMA synchronous for this connection (see Synchronous); every connection opens with
  // kFull. Errors: kStorage.
  Result<void> set_synchronous(Synchronous mode);

  std::int64_t last_insert_rowid() const;
  int changes() const;
  sqlite3* handle() const { return db_.get(); }

  // Copies the WAL into the database file (kPassive: as far as readers allow; kTruncate:
  // also empties the -wal file, for after a backup or a prune). A full disk is kDbFull like
  // on any other write.
  enum class CheckpointMode { kPassive, kTruncate };
  Result<void> checkpoint(CheckpointMode mode);

  // Error for the connection's last failure, classified (SQLITE_FULL, and an I/O error
  // whose errno is ENOSPC or EDQUOT, -> kDbFull).
  Error last_error(std::string_view what) const;

 private:
  explicit Database(SqliteDb db);
  static Result<Database> open_connection(const std::filesystem::path& path, bool create);
  SqliteDb db_;
  // After db_, so it goes first: its statements are finalised before the connection closes
  // (sqlite3_close_v2 would wait for them anyway, e.g. for one still lent out).
  std::shared_ptr<detail::StatementCache> cache_;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless committed.
class Transaction {
 public:
  static Result<Transaction> begin(Database& db);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Result<void> commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
};

// ---- Private files (docs/service.md "File modes") ----
// The database, its -wal and -shm, backups and the evidence archive hold unpublished
// review history, account hashes and everything fetched: herald creates them readable by
// its own user only (files 0600, directories 0700), whatever the process umask. When the
// directory a file or directory is created in has the setgid bit (chgrp GROUP DIR; chmod
// 2750 DIR), that directory's group is meant to read them: files 0640, directories 2750
// (setgid, so what is created further down keeps the group).
struct PrivateModes {
  unsigned file = 0600;
  unsigned directory = 0700;
};
// The modes for what is created in `dir` ("" means the current directory).
PrivateModes private_modes_in(const std::filesystem::path& dir);
// Creates `dir` and any missing parents with private_modes_in(their parent). Directories
// that exist are left as they are. Errors: kStorage (with the path and the reason).
Result<void> create_private_directories(const std::filesystem::path& dir);
// Creates `path` as an empty file with private_modes_in(its directory).file unless it
// exists (then it is left as it is); returns whether it created it. SQLite gives a
// database's -wal and -shm the database file's mode, so creating the database this way
// keeps all three private. Errors: kStorage, kDbFull.
Result<bool> create_private_file(const std::filesystem::path& path);

// Applies the ordered schema patches newer than PRAGMA user_version, in one transaction.
Result<void> migrate(Database& db);
int current_schema_version();
// The SQL that takes the schema from version - 1 to `version` (1..current); "" outside
// that range. For tests that build a database as an older herald left it.
std::string_view schema_patch(int version);

}  // namespace herald
