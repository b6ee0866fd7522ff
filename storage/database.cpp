#include "storage/database.h"

#include <cerrno>
#include <cstring>
#include <functional>
#include <system_error>
#include <unordered_map>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace herald {
namespace detail {

struct SqlHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view sql) const noexcept {
    return std::hash<std::string_view>{}(sql);
  }
};

// Database::cached's statements that nobody holds, by SQL text. A lent statement is in no
// list (so it cannot be lent twice) and knows the list it goes back to; elements of an
// unordered_map keep their address as the map grows, and are never erased.
struct StatementCache {
  std::unordered_map<std::string, std::vector<SqliteStmt>, SqlHash, std::equal_to<>> idle{};
};

}  // namespace detail

namespace {

constexpr int kBusyTimeoutMs = 5000;
constexpr std::size_t kSqlSnippetBytes = 60;

// SQLITE_FULL is the one failure the daemon treats differently (pause writes, alert, resume
// when space returns: RELIABILITY.md S1). BUSY/LOCKED outlived busy_timeout and are worth
// a later retry (S3); the batch stays intact because the transaction rolled back.
// `system_errno` is the errno behind an I/O error, when known: SQLite reports ENOSPC on a
// write as SQLITE_FULL, but on other calls (truncate, growing the -shm file, fsync on some
// file systems) as SQLITE_IOERR_*; a full disk is a full disk either way.
Error classify(int rc, std::string message, int system_errno = 0) {
  const int primary = rc & 0xff;
  const bool no_space =
      primary == SQLITE_IOERR && (system_errno == ENOSPC || system_errno == EDQUOT);
  if (primary == SQLITE_FULL || no_space) {
    return Error{ErrorCode::kDbFull,
                 std::move(message) + "; free disk space, herald retries the write later", true};
  }
  const bool retryable = primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
  return Error{ErrorCode::kStorage, std::move(message), retryable};
}

// The first line of a statement, cut short: enough to name the operation in a message
// without pasting a whole migration into the log.
std::string sql_snippet(std::string_view sql) {
  const auto start = sql.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) {
    return {};
  }
  sql.remove_prefix(start);
  sql = sql.substr(0, sql.find('\n'));
  if (sql.size() > kSqlSnippetBytes) {
    return std::string(sql.substr(0, kSqlSnippetBytes)) + "...";
  }
  return std::string(sql);
}

// Error for the most recent failure on `db`, which must be non-null.
Error connection_error(sqlite3* db, int rc, std::string_view what) {
  const char* file = sqlite3_db_filename(db, "main");
  std::string where = (file != nullptr && *file != '\0') ? fmt::format(" (database {})", file) : "";
  return classify(rc, fmt::format("sqlite: {} failed: {}{}", what, sqlite3_errmsg(db), where),
                  sqlite3_system_errno(db));
}

// Runs one PRAGMA during open and returns its first result column, if any.
Result<std::string> open_pragma(sqlite3* db, const std::string& path, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
  SqliteStmt stmt(raw);
  std::string value;
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(stmt.get());
    if (rc == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(stmt.get(), 0);
      if (text != nullptr) {
        value = reinterpret_cast<const char*>(text);
      }
      rc = SQLITE_DONE;
    }
  }
  if (rc == SQLITE_DONE || rc == SQLITE_OK) {
    return value;
  }
  if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT) {
    // The file exists but is not SQLite (or its header is damaged). Never overwrite it:
    // it may be the only copy of the review history (RELIABILITY.md S6). open_store moves
    // such a file aside and restores a backup before it gets here.
    return fail(ErrorCode::kStorage,
                fmt::format("cannot open database {}: file is not a database or is corrupt; "
                            "herald will not overwrite it: move it aside or point [storage] "
                            "database elsewhere",
                            path));
  }
  return fail(classify(
      rc, fmt::format("cannot open database {}: {} failed: {}", path, sql, sqlite3_errmsg(db)),
      sqlite3_system_errno(db)));
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Statement

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::move(other.stmt_)),
      bind_rc_(std::exchange(other.bind_rc_, SQLITE_OK)),
      cache_(std::move(other.cache_)),
      idle_(std::exchange(other.idle_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    give_back();
    stmt_ = std::move(other.stmt_);
    bind_rc_ = std::exchange(other.bind_rc_, SQLITE_OK);
    cache_ = std::move(other.cache_);
    idle_ = std::exchange(other.idle_, nullptr);
  }
  return *this;
}

Statement::~Statement() { give_back(); }

void Statement::give_back() noexcept {
  std::vector<SqliteStmt>* idle = std::exchange(idle_, nullptr);
  const auto cache = cache_.lock();
  cache_.reset();
  bind_rc_ = SQLITE_OK;
  if (!stmt_ || idle == nullptr || !cache) {
    stmt_.reset();  // not cached, or its Database is closed: finalise
    return;
  }
  // Reset also ends the read this statement may hold open (a SELECT left mid-rows), so a
  // statement resting in the cache never pins a WAL snapshot or blocks a checkpoint.
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
  try {
    idle->push_back(std::move(stmt_));
  } catch (...) {
    stmt_.reset();  // out of memory: push_back left stmt_ as it was; finalise it
  }
}

Statement& Statement::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_.get(), index, value);
  if (bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
  }
  return *this;
}

Statement& Statement::bind(int index, double value) {
  const int rc = sqlite3_bind_double(stmt_.get(), index, value);
  if (bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
  }
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  // A default-constructed string_view has data() == nullptr, which SQLite would bind as
  // NULL; an empty string must stay an empty TEXT (title is NOT NULL).
  const char* data = value.data() != nullptr ? value.data() : "";
  const int rc = sqlite3_bind_text64(stmt_.get(), index, data, value.size(), SQLITE_TRANSIENT,
                                     SQLITE_UTF8);
  if (bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
  }
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& value) {
  return value ? bind(index, std::string_view(*value)) : bind_null(index);
}

Statement& Statement::bind(int index, const std::optional<std::int64_t>& value) {
  return value ? bind(index, *value) : bind_null(index);
}

Statement& Statement::bind_null(int index) {
  const int rc = sqlite3_bind_null(stmt_.get(), index);
  if (bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
  }
  return *this;
}

Result<bool> Statement::step() {
  sqlite3* db = sqlite3_db_handle(stmt_.get());
  if (bind_rc_ != SQLITE_OK) {
    return fail(classify(bind_rc_, fmt::format("sqlite: binding a parameter of '{}' failed: {}",
                                               sql_snippet(sqlite3_sql(stmt_.get())),
                                               sqlite3_errstr(bind_rc_))));
  }
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  return fail(connection_error(db, rc, fmt::format("'{}'", sql_snippet(sqlite3_sql(stmt_.get())))));
}

Result<void> Statement::run() {
  while (true) {
    auto row = step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return {};
    }
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
  bind_rc_ = SQLITE_OK;
}

std::int64_t Statement::column_int64(int index) const {
  return sqlite3_column_int64(stmt_.get(), index);
}

double Statement::column_double(int index) const {
  return sqlite3_column_double(stmt_.get(), index);
}

std::string Statement::column_text(int index) const {
  // column_text before column_bytes: the byte count is of the UTF-8 form just produced.
  const auto* text = sqlite3_column_text(stmt_.get(), index);
  if (text == nullptr) {
    return {};
  }
  const int bytes = sqlite3_column_bytes(stmt_.get(), index);
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(bytes));
}

std::optional<std::string> Statement::column_optional_text(int index) const {
  if (column_is_null(index)) {
    return std::nullopt;
  }
  return column_text(index);
}

std::optional<std::int64_t> Statement::column_optional_int64(int index) const {
  if (column_is_null(index)) {
    return std::nullopt;
  }
  return column_int64(index);
}

bool Statement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_.get(), index) == SQLITE_NULL;
}

// ---------------------------------------------------------------------------------------
// Private files

PrivateModes private_modes_in(const std::filesystem::path& dir) {
  const std::filesystem::path where = dir.empty() ? std::filesystem::path(".") : dir;
  struct stat info {};
  if (::stat(where.c_str(), &info) == 0 && S_ISDIR(info.st_mode) && (info.st_mode & S_ISGID)) {
    return PrivateModes{.file = 0640, .directory = 02750};
  }
  return PrivateModes{};
}

Result<void> create_private_directories(const std::filesystem::path& dir) {
  std::error_code ec;
  if (dir.empty() || std::filesystem::is_directory(dir, ec)) {
    return {};
  }
  const std::filesystem::path parent = dir.parent_path();
  if (!parent.empty() && parent != dir) {
    if (auto made = create_private_directories(parent); !made) {
      return made;
    }
  }
  // mkdir's mode is narrowed by the umask, never widened; the chmod then sets exactly
  // what herald wants (including setgid, which mkdir leaves to the parent).
  if (::mkdir(dir.c_str(), 0700) != 0) {
    const int err = errno;
    if (err == EEXIST && std::filesystem::is_directory(dir, ec)) {
      return {};  // made by someone else meanwhile: theirs to decide
    }
    return fail(ErrorCode::kStorage,
                fmt::format("cannot create directory {}: {}", dir.string(), std::strerror(err)));
  }
  const PrivateModes modes = private_modes_in(parent);
  if (::chmod(dir.c_str(), modes.directory) != 0) {
    const int err = errno;
    return fail(ErrorCode::kStorage, fmt::format("cannot set the mode of directory {} to {:o}: {}",
                                                 dir.string(), modes.directory,
                                                 std::strerror(err)));
  }
  return {};
}

Result<bool> create_private_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int err = errno;
    if (err == EEXIST) {
      return false;
    }
    return fail(classify(SQLITE_IOERR,
                         fmt::format("cannot create {}: {}", path.string(), std::strerror(err)),
                         err));
  }
  // fchmod rather than the open mode: open's mode is narrowed by the umask, and a group
  // that should read the file needs exactly 0640.
  const unsigned mode = private_modes_in(path.parent_path()).file;
  const int chmod_rc = ::fchmod(fd, mode);
  const int chmod_err = errno;
  ::close(fd);
  if (chmod_rc != 0) {
    ::unlink(path.c_str());
    return fail(ErrorCode::kStorage, fmt::format("cannot set the mode of {} to {:o}: {}",
                                                 path.string(), mode, std::strerror(chmod_err)));
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// Database

Result<Database> Database::open(const std::filesystem::path& path) {
  auto db = open_connection(path, true);
  if (!db) {
    return db;
  }
  if (auto migrated = migrate(*db); !migrated) {
    Error error = std::move(migrated.error());
    error.message = fmt::format("cannot open database {}: {}", path.string(), error.message);
    return fail(std::move(error));
  }
  return db;
}

Result<Database> Database::open_as_is(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return fail(ErrorCode::kNotFound,
                fmt::format("no database at {} (check [storage] database)", path.string()));
  }
  return open_connection(path, false);
}

Result<Database> Database::open_connection(const std::filesystem::path& path, bool create) {
  const std::string name = path.string();
  const bool in_memory = name == ":memory:";
  if (!in_memory) {
    const std::filesystem::path parent = path.parent_path();
    std::error_code ec;
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
      return fail(ErrorCode::kStorage,
                  fmt::format("cannot open database {}: directory {} does not exist; create it "
                              "(herald serve does) or fix [storage] database",
                              name, parent.string()));
    }
  }

  if (create && !in_memory && !name.empty()) {
    // SQLite would create the file 0644 (and its -wal and -shm like it): made here first,
    // empty, with herald's private mode, which SQLite then gives the -wal and -shm too.
    if (auto made = create_private_file(path); !made) {
      Error error = std::move(made.error());
      error.message = fmt::format("cannot open database {}: {}", name, error.message);
      return fail(std::move(error));
    }
  }

  // One connection per thread, so SQLite's own mutexes are pure overhead (NOMUTEX).
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(name.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) |
                                     SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  // sqlite3_open_v2 hands back a connection even when it fails; own it before checking.
  SqliteDb handle(raw);
  if (rc != SQLITE_OK) {
    const char* why = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    return fail(classify(rc, fmt::format("cannot open database {}: {}", name, why),
                         raw != nullptr ? sqlite3_system_errno(raw) : 0));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);

  if (!in_memory) {
    // WAL: readers (web UI) never block the writer, and a crash mid-write leaves the
    // database consistent. Also the first statement to read the file, so it is where a
    // file that is not SQLite shows up.
    auto mode = open_pragma(raw, name, "PRAGMA journal_mode=WAL");
    if (!mode) {
      return fail(std::move(mode.error()));
    }
    if (*mode != "wal") {
      return fail(ErrorCode::kStorage,
                  fmt::format("cannot open database {}: could not switch to WAL journal mode "
                              "(still '{}'); is it on a network file system?",
                              name, *mode));
    }
  }
  // FULL, not NORMAL, unless the caller asks (set_synchronous): in WAL mode NORMAL may
  // lose the last commits on power loss, and an editor's decision that returned is
  // acknowledged (RELIABILITY.md §1.4, S4/S5). Pollers ask for NORMAL: a lost poll is
  // fetched again (daemon/poller_store.cpp).
  for (const char* pragma : {"PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
    auto done = open_pragma(raw, name, pragma);
    if (!done) {
      return fail(std::move(done.error()));
    }
  }

  return Database(std::move(handle));
}

Database::Database(SqliteDb db)
    : db_(std::move(db)), cache_(std::make_shared<detail::StatementCache>()) {}

Result<void> Database::exec(std::string_view sql) {
  // sqlite3_exec needs a NUL-terminated string; migrations and pragmas are small.
  const std::string text(sql);
  const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return fail(connection_error(db_.get(), rc, fmt::format("'{}'", sql_snippet(sql))));
  }
  return {};
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw,
                                    nullptr);
  SqliteStmt stmt(raw);
  if (rc != SQLITE_OK) {
    return fail(connection_error(db_.get(), rc, fmt::format("preparing '{}'", sql_snippet(sql))));
  }
  if (!stmt) {
    return fail(ErrorCode::kInternal, "sqlite: prepare of an empty statement");
  }
  return Statement(std::move(stmt));
}

Result<Statement> Database::cached(std::string_view sql) {
  auto& idle = cache_->idle;
  auto slot = idle.find(sql);
  if (slot != idle.end() && !slot->second.empty()) {
    Statement stmt(std::move(slot->second.back()));
    slot->second.pop_back();
    stmt.cache_ = cache_;
    stmt.idle_ = &slot->second;
    return stmt;
  }
  auto stmt = prepare(sql);
  if (!stmt) {
    return stmt;
  }
  if (slot == idle.end()) {
    if (idle.size() >= kMaxCachedStatements) {
      return stmt;  // SQL built at run time would grow the cache without bound
    }
    slot = idle.emplace(std::string(sql), std::vector<SqliteStmt>{}).first;
  }
  stmt->cache_ = cache_;
  stmt->idle_ = &slot->second;
  return stmt;
}

Result<void> Database::set_synchronous(Synchronous mode) {
  return exec(mode == Synchronous::kNormal ? "PRAGMA synchronous=NORMAL"
                                           : "PRAGMA synchronous=FULL");
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_.get()); }

int Database::changes() const { return sqlite3_changes(db_.get()); }

Result<void> Database::checkpoint(CheckpointMode mode) {
  const int sqlite_mode =
      mode == CheckpointMode::kTruncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE;
  const int rc = sqlite3_wal_checkpoint_v2(db_.get(), nullptr, sqlite_mode, nullptr, nullptr);
  // BUSY from TRUNCATE means a reader kept part of the WAL alive: the checkpoint still
  // copied what it could, and the next one catches up.
  if (rc == SQLITE_OK || (rc & 0xff) == SQLITE_BUSY) {
    return {};
  }
  return fail(connection_error(db_.get(), rc, "WAL checkpoint"));
}

Error Database::last_error(std::string_view what) const {
  return connection_error(db_.get(), sqlite3_extended_errcode(db_.get()), what);
}

// ---------------------------------------------------------------------------------------
// Transaction

Result<Transaction> Transaction::begin(Database& db) {
  // IMMEDIATE takes the write lock now, so a busy database fails here (after
  // busy_timeout) rather than halfway through the writes.
  if (auto begun = db.exec("BEGIN IMMEDIATE"); !begun) {
    return fail(std::move(begun.error()));
  }
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  // SQLite may already have rolled back on its own (SQLITE_FULL, IOERR, a failed COMMIT);
  // a second ROLLBACK would only fail, and there is nothing useful to do with an error here.
  if (db_ != nullptr && sqlite3_get_autocommit(db_->handle()) == 0) {
    sqlite3_exec(db_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

Result<void> Transaction::commit() {
  if (db_ == nullptr) {
    return fail(ErrorCode::kInternal, "sqlite: commit of a transaction that is already over");
  }
  auto done = db_->exec("COMMIT");
  if (!done) {
    return done;  // the destructor rolls back whatever is left
  }
  db_ = nullptr;
  return {};
}

}  // namespace herald
