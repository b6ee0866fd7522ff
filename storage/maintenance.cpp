#include "storage/maintenance.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string_view>
#include <system_error>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "common/timezone.h"

namespace herald {
namespace {

namespace fs = std::filesystem;

constexpr int kBusyTimeoutMs = 5000;
// quick_check stops after this many findings: enough to say what is wrong.
constexpr int kMaxFindings = 10;
// How often a budgeted quick_check is told again to stop (see check_database_file).
constexpr std::chrono::milliseconds kInterruptRepeat{5};
// Rows pruned per transaction, so the nightly prune never holds the write lock for long
// while the daemon polls.
constexpr int kPruneBatch = 500;
// What content_source says about an item whose text retention removed.
constexpr std::string_view kPrunedMarker = "pruned";

// Closes a POSIX file descriptor on every path.
class OwnedFd {
 public:
  explicit OwnedFd(int fd) : fd_(fd) {}
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;
  ~OwnedFd() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }

 private:
  int fd_;
};

bool is_corruption(int rc) {
  const int primary = rc & 0xff;
  return primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT;
}

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

// "20261128T031500Z"
std::string utc_stamp(std::int64_t utc_seconds) {
  const std::int64_t days = utc_seconds >= 0 ? utc_seconds / 86400 : (utc_seconds - 86399) / 86400;
  const std::int64_t rest = utc_seconds - days * 86400;
  const CivilDate date = civil_from_days(days);
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", date.year, date.month, date.day,
                     rest / 3600, (rest % 3600) / 60, rest % 60);
}

// Renames without ever replacing `to` (RENAME_NOREPLACE; link + unlink where the file
// system lacks it, which cannot replace either).
Result<void> move_no_replace(const fs::path& from, const fs::path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) {
    return {};
  }
  int err = errno;
  if (err == EINVAL || err == ENOSYS) {
    if (::link(from.c_str(), to.c_str()) == 0) {
      ::unlink(from.c_str());
      return {};
    }
    err = errno;
  }
  return fail(ErrorCode::kStorage,
              fmt::format("cannot move {} to {}: {}", from.string(), to.string(), errno_text(err)));
}

// fsync of a file or a directory, so a rename is durable before herald reports it done.
Result<void> sync_path(const fs::path& path, bool directory) {
  const int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) {
    return fail(ErrorCode::kStorage,
                fmt::format("cannot open {} to sync it: {}", path.string(), errno_text(errno)));
  }
  const OwnedFd owned(fd);
  if (::fsync(fd) != 0) {
    const int err = errno;
    return fail(ErrorCode::kStorage,
                fmt::format("cannot sync {}: {}", path.string(), errno_text(err)), false);
  }
  return {};
}

fs::path with_suffix(const fs::path& path, std::string_view suffix) {
  return fs::path(path.string() + std::string(suffix));
}

// A raw connection to an existing file, for checks that must neither create nor migrate.
struct RawConnection {
  SqliteDb db{};
  int rc = SQLITE_OK;
};

// `hands_off`: closing must not checkpoint the -wal into the file or delete it, which
// SQLite otherwise does when the last connection closes. A damaged database's -wal may
// hold its latest commits, and the file is evidence to keep exactly as it was.
RawConnection open_existing(const fs::path& path, bool hands_off) {
  sqlite3* raw = nullptr;
  RawConnection connection;
  connection.rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                                  nullptr);
  connection.db.reset(raw);
  if (raw != nullptr) {
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, kBusyTimeoutMs);
    if (hands_off) {
      sqlite3_db_config(raw, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    }
  }
  return connection;
}

// Runs `sql` and collects the first column of each row (up to `max_rows`).
struct Rows {
  std::vector<std::string> values{};
  int rc = SQLITE_OK;
};

Rows collect(sqlite3* db, const char* sql, int max_rows) {
  Rows rows;
  sqlite3_stmt* raw = nullptr;
  rows.rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
  const SqliteStmt stmt(raw);
  if (rows.rc != SQLITE_OK) {
    return rows;
  }
  while ((rows.rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    if (static_cast<int>(rows.values.size()) < max_rows) {
      const auto* text = sqlite3_column_text(stmt.get(), 0);
      rows.values.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
    }
  }
  if (rows.rc == SQLITE_DONE) {
    rows.rc = SQLITE_OK;
  }
  return rows;
}

std::string join(const std::vector<std::string>& lines, std::string_view separator) {
  std::string out;
  for (const std::string& line : lines) {
    if (!out.empty()) {
      out += separator;
    }
    out += line;
  }
  return out;
}

// Candidate backups to restore from, newest first: every *.db file in `dir` (nightly
// backups, and copies an admin made there with `herald db backup`).
std::vector<fs::path> restorable_backups(const fs::path& dir) {
  std::vector<std::pair<fs::file_time_type, fs::path>> found;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code entry_ec;
    if (it->path().extension() == ".db" && it->is_regular_file(entry_ec)) {
      found.emplace_back(fs::last_write_time(it->path(), entry_ec), it->path());
    }
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second > b.second;
  });
  std::vector<fs::path> paths;
  for (auto& [time, path] : found) {
    paths.push_back(std::move(path));
  }
  return paths;
}

// Copies `from` to `to` (which must not exist) through a synced temporary file.
Result<void> copy_into_place(const fs::path& from, const fs::path& to) {
  const fs::path temporary = with_suffix(to, fmt::format(".restore-{}", ::getpid()));
  std::error_code ec;
  fs::remove(temporary, ec);
  fs::copy_file(from, temporary, ec);
  if (ec) {
    fs::remove(temporary, ec);
    return fail(ErrorCode::kStorage, fmt::format("cannot copy backup {} to {}: {}", from.string(),
                                                 temporary.string(), ec.message()));
  }
  // copy_file keeps the backup's mode (an admin's copy may be 0644): the restored database
  // gets the private mode any new database would.
  const unsigned mode = private_modes_in(to.parent_path()).file;
  if (::chmod(temporary.c_str(), mode) != 0) {
    const int err = errno;
    fs::remove(temporary, ec);
    return fail(ErrorCode::kStorage, fmt::format("cannot set the mode of {} to {:o}: {}",
                                                 temporary.string(), mode, errno_text(err)));
  }
  if (auto synced = sync_path(temporary, false); !synced) {
    fs::remove(temporary, ec);
    return synced;
  }
  if (auto moved = move_no_replace(temporary, to); !moved) {
    fs::remove(temporary, ec);
    return moved;
  }
  return sync_path(to.parent_path().empty() ? fs::path(".") : to.parent_path(), true);
}

Result<std::int64_t> single_int(Database& db, std::string_view sql) {
  auto stmt = db.prepare(sql);
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  auto row = stmt->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  return *row ? stmt->column_int64(0) : 0;
}

// The items retention may prune (see prune_items), oldest first.
constexpr std::string_view kPrunableItems =
    " FROM items i"
    " WHERE i.first_seen < ?1"
    "   AND (i.content_source IS NULL OR i.content_source <> 'pruned')"
    "   AND NOT EXISTS (SELECT 1 FROM candidates c WHERE c.item_id = i.id)"
    "   AND (i.cluster_id IS NULL OR NOT EXISTS ("
    "        SELECT 1 FROM items o JOIN candidates c ON c.item_id = o.id"
    "        WHERE o.cluster_id = i.cluster_id OR o.id = i.cluster_id))";

constexpr std::string_view kItemTextBytes =
    "length(i.title) + coalesce(length(i.summary), 0) + coalesce(length(i.body), 0)"
    " + coalesce(length(i.published_text), 0) + coalesce(length(i.guid), 0)"
    " + coalesce(length(i.fingerprint), 0) + length(i.matched)";

}  // namespace

Result<FileCheck> check_database_file(const fs::path& path,
                                      std::optional<std::chrono::milliseconds> budget) {
  FileCheck check;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    return check;
  }
  check.exists = true;
  RawConnection connection = open_existing(path, true);
  auto verdict = [&](int rc, std::string_view what) -> Result<FileCheck> {
    const std::string message =
        connection.db ? sqlite3_errmsg(connection.db.get()) : sqlite3_errstr(rc);
    if (is_corruption(rc)) {
      check.corrupt = true;
      check.problem = fmt::format("{}: {}", what, message);
      return check;
    }
    return fail(ErrorCode::kStorage,
                fmt::format("cannot check database {}: {}: {}", path.string(), what, message),
                (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED);
  };
  if (connection.rc != SQLITE_OK) {
    return verdict(connection.rc, "open");
  }
  // The header and the schema first: a damaged first page is the common case (a file
  // overwritten or truncated) and is found here at once, whatever the budget.
  const Rows schema = collect(connection.db.get(), "SELECT count(*) FROM sqlite_schema", 1);
  if (schema.rc != SQLITE_OK) {
    return verdict(schema.rc, "reading the schema");
  }
  // quick_check does nearly all its work inside one VM instruction, where a progress
  // handler is never called; sqlite3_interrupt from another thread is noticed in the
  // b-tree walk itself. It is repeated because an interrupt that arrives before the
  // statement starts is ignored.
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;
  std::thread timer;
  if (budget) {
    timer = std::thread([&, db = connection.db.get(), deadline = std::chrono::steady_clock::now() +
                                                                 *budget] {
      std::unique_lock lock(mutex);
      if (finished.wait_until(lock, deadline, [&] { return done; })) {
        return;
      }
      while (!finished.wait_for(lock, kInterruptRepeat, [&] { return done; })) {
        sqlite3_interrupt(db);
      }
    });
  }
  const Rows rows = collect(connection.db.get(),
                            fmt::format("PRAGMA quick_check({})", kMaxFindings).c_str(),
                            kMaxFindings);
  if (timer.joinable()) {
    {
      std::lock_guard lock(mutex);
      done = true;
    }
    finished.notify_all();
    timer.join();
  }
  if ((rows.rc & 0xff) == SQLITE_INTERRUPT && budget) {
    check.complete = false;
    return check;
  }
  if (rows.rc != SQLITE_OK) {
    return verdict(rows.rc, "quick_check");
  }
  if (rows.values.size() != 1 || rows.values.front() != "ok") {
    check.corrupt = true;
    check.problem = "quick_check: " + join(rows.values, "; ");
  }
  return check;
}

Result<Recovery> recover_corrupt_database(const fs::path& path, const fs::path& backup_dir,
                                          std::int64_t now_utc) {
  Recovery recovery;
  // A second recovery within the same second gets ".2", ".3", ...: never a replacement.
  const std::string stamp = utc_stamp(now_utc);
  for (int attempt = 1;; ++attempt) {
    fs::path target = with_suffix(
        path, attempt == 1 ? fmt::format(".corrupt-{}", stamp)
                           : fmt::format(".corrupt-{}.{}", stamp, attempt));
    std::error_code ec;
    if (fs::exists(target, ec) || fs::exists(with_suffix(target, "-wal"), ec)) {
      continue;
    }
    auto moved = move_no_replace(path, target);
    if (!moved) {
      if (fs::exists(target, ec) && attempt < 100) {
        continue;  // lost a race for the name
      }
      return fail(std::move(moved.error()));
    }
    recovery.moved_to = std::move(target);
    break;
  }
  for (const char* companion : {"-wal", "-shm"}) {
    const fs::path from = with_suffix(path, companion);
    std::error_code ec;
    if (fs::exists(from, ec)) {
      if (auto moved = move_no_replace(from, with_suffix(recovery.moved_to, companion)); !moved) {
        return fail(std::move(moved.error()));
      }
    }
  }
  if (auto synced = sync_path(path.parent_path().empty() ? fs::path(".") : path.parent_path(),
                              true);
      !synced) {
    return fail(std::move(synced.error()));
  }

  for (const fs::path& backup : restorable_backups(backup_dir)) {
    auto check = check_database_file(backup);
    if (!check || check->corrupt) {
      recovery.skipped_backups.push_back(
          fmt::format("{} ({})", backup.string(), check ? check->problem : check.error().message));
      continue;
    }
    if (auto copied = copy_into_place(backup, path); !copied) {
      return fail(std::move(copied.error()));
    }
    recovery.restored_from = backup;
    break;
  }
  return recovery;
}

Result<void> backup_database(Database& db, const fs::path& destination, bool overwrite) {
  std::error_code ec;
  const char* live = sqlite3_db_filename(db.handle(), "main");
  if (live != nullptr && *live != '\0' && fs::equivalent(destination, live, ec)) {
    return fail(ErrorCode::kUsage,
                fmt::format("{} is the database itself; give the backup another name",
                            destination.string()));
  }
  if (fs::exists(destination, ec) && !overwrite) {
    return fail(ErrorCode::kUsage,
                fmt::format("{} already exists; choose another name or pass --force to replace "
                            "it",
                            destination.string()));
  }
  const fs::path dir = destination.parent_path().empty() ? fs::path(".") : destination.parent_path();
  if (!fs::is_directory(dir, ec)) {
    return fail(ErrorCode::kStorage,
                fmt::format("cannot write backup {}: directory {} does not exist",
                            destination.string(), dir.string()));
  }
  const fs::path temporary = with_suffix(destination, fmt::format(".tmp-{}", ::getpid()));
  fs::remove(temporary, ec);
  auto cleanup = [&temporary] {
    std::error_code ignored;
    fs::remove(temporary, ignored);
  };
  // A backup is the whole database: it gets the database's private mode. VACUUM INTO
  // would create the file 0644; into an empty file that exists it writes as it is.
  if (auto made = create_private_file(temporary); !made) {
    Error error = std::move(made.error());
    error.message = fmt::format("backup to {} failed: {}", destination.string(), error.message);
    return fail(std::move(error));
  }

  auto vacuum = db.prepare("VACUUM INTO ?1");
  if (!vacuum) {
    return fail(std::move(vacuum.error()));
  }
  vacuum->bind(1, temporary.string());
  if (auto done = vacuum->run(); !done) {
    cleanup();
    Error error = std::move(done.error());
    error.message = fmt::format("backup to {} failed: {}", destination.string(), error.message);
    return fail(std::move(error));
  }

  {
    // The copy must stand alone as one file (rollback journal, not WAL) and be sound.
    RawConnection copy = open_existing(temporary, false);
    if (copy.rc != SQLITE_OK) {
      cleanup();
      return fail(ErrorCode::kStorage, fmt::format("cannot open the new backup {}: {}",
                                                   temporary.string(), sqlite3_errstr(copy.rc)));
    }
    const Rows mode = collect(copy.db.get(), "PRAGMA journal_mode=DELETE", 1);
    const Rows integrity = collect(copy.db.get(), "PRAGMA integrity_check", kMaxFindings);
    if (mode.rc != SQLITE_OK || integrity.rc != SQLITE_OK || integrity.values.size() != 1 ||
        integrity.values.front() != "ok") {
      const std::string why = integrity.rc != SQLITE_OK || mode.rc != SQLITE_OK
                                  ? sqlite3_errmsg(copy.db.get())
                                  : join(integrity.values, "; ");
      copy.db.reset();
      cleanup();
      return fail(ErrorCode::kStorage,
                  fmt::format("the backup {} failed its integrity check ({}); the database may "
                              "be damaged: run 'herald db check'",
                              destination.string(), why));
    }
  }
  if (auto synced = sync_path(temporary, false); !synced) {
    cleanup();
    return synced;
  }
  if (overwrite) {
    fs::rename(temporary, destination, ec);
    if (ec) {
      cleanup();
      return fail(ErrorCode::kStorage, fmt::format("cannot move the backup into place at {}: {}",
                                                   destination.string(), ec.message()));
    }
  } else if (auto moved = move_no_replace(temporary, destination); !moved) {
    cleanup();
    return moved;
  }
  return sync_path(dir, true);
}

std::string nightly_backup_name(int year, int month, int day) {
  return fmt::format("herald-{:04}{:02}{:02}.db", year, month, day);
}

std::vector<fs::path> list_nightly_backups(const fs::path& dir) {
  std::vector<fs::path> backups;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    // herald-YYYYMMDD.db exactly
    if (name.size() != 18 || !name.starts_with("herald-") || !name.ends_with(".db")) {
      continue;
    }
    const std::string_view digits = std::string_view(name).substr(7, 8);
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    std::error_code entry_ec;
    if (it->is_regular_file(entry_ec)) {
      backups.push_back(it->path());
    }
  }
  std::sort(backups.begin(), backups.end(), std::greater<>());
  return backups;
}

Result<std::vector<fs::path>> rotate_nightly_backups(const fs::path& dir, int keep) {
  std::vector<fs::path> deleted;
  const std::vector<fs::path> backups = list_nightly_backups(dir);
  for (std::size_t i = static_cast<std::size_t>(std::max(keep, 1)); i < backups.size(); ++i) {
    std::error_code ec;
    fs::remove(backups[i], ec);
    if (ec) {
      return fail(ErrorCode::kStorage, fmt::format("cannot delete old backup {}: {}",
                                                   backups[i].string(), ec.message()));
    }
    deleted.push_back(backups[i]);
  }
  return deleted;
}

namespace {

// Records `path` in `report` when its permission bits go beyond what herald gives such a
// file or directory in its parent (private_modes_in).
void check_mode(const fs::path& path, ModeReport& report, std::size_t limit) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0 || S_ISLNK(info.st_mode)) {
    return;  // missing (no -wal yet), or a link an admin made: the target is theirs
  }
  const bool directory = S_ISDIR(info.st_mode);
  const PrivateModes modes = private_modes_in(path.parent_path());
  const unsigned wanted = directory ? modes.directory : modes.file;
  const unsigned mode = info.st_mode & 07777;
  if ((mode & 0777 & ~(wanted & 0777)) == 0) {
    return;
  }
  if (report.problems.size() >= limit) {
    ++report.more;
    return;
  }
  report.problems.push_back(
      ModeProblem{.path = path, .mode = mode, .wanted = wanted & 0777, .directory = directory});
}

}  // namespace

ModeReport check_private_modes(const fs::path& database, const fs::path& backup_dir,
                               const fs::path& evidence_dir, std::size_t limit) {
  ModeReport report;
  for (std::string_view suffix : {"", "-wal", "-shm"}) {
    check_mode(with_suffix(database, suffix), report, limit);
  }
  for (const fs::path& dir : {backup_dir, evidence_dir}) {
    std::error_code ec;
    if (dir.empty() || !fs::is_directory(dir, ec)) {
      continue;
    }
    check_mode(dir, report, limit);
    // Every backup and every archived body: each is a copy of private data.
    for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied,
                                             ec),
         end;
         !ec && it != end; it.increment(ec)) {
      check_mode(it->path(), report, limit);
    }
  }
  return report;
}

Result<CheckReport> check_database(Database& db) {
  CheckReport report;
  report.expected_schema_version = current_schema_version();
  const Rows integrity = collect(db.handle(), "PRAGMA integrity_check(100)", 100);
  if (integrity.rc != SQLITE_OK) {
    if (is_corruption(integrity.rc)) {
      report.integrity.push_back(sqlite3_errmsg(db.handle()));
    } else {
      return fail(db.last_error("PRAGMA integrity_check"));
    }
  } else if (!(integrity.values.size() == 1 && integrity.values.front() == "ok")) {
    report.integrity = integrity.values;
  }

  auto fk = db.prepare("PRAGMA foreign_key_check");
  if (!fk) {
    return fail(std::move(fk.error()));
  }
  while (true) {
    auto row = fk->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      break;
    }
    report.foreign_keys.push_back(fmt::format("{} row {} refers to a missing {} row",
                                              fk->column_text(0), fk->column_int64(1),
                                              fk->column_text(2)));
  }

  auto version = single_int(db, "PRAGMA user_version");
  if (!version) {
    return fail(std::move(version.error()));
  }
  report.schema_version = static_cast<int>(*version);
  return report;
}

Result<PruneReport> prune_items(Database& db, std::int64_t cutoff_utc, bool dry_run) {
  PruneReport report;
  if (dry_run) {
    auto count = db.prepare(fmt::format("SELECT count(*), coalesce(sum({}), 0){}",
                                        kItemTextBytes, kPrunableItems));
    if (!count) {
      return fail(std::move(count.error()));
    }
    count->bind(1, cutoff_utc);
    auto row = count->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    report.items = count->column_int64(0);
    report.text_bytes = count->column_int64(1);
    return report;
  }

  while (true) {
    auto tx = Transaction::begin(db);
    if (!tx) {
      return fail(std::move(tx.error()));
    }
    auto batch = db.prepare(fmt::format("SELECT i.id, {}{} ORDER BY i.first_seen LIMIT {}",
                                        kItemTextBytes, kPrunableItems, kPruneBatch));
    auto update = db.prepare(
        "UPDATE items SET title = '', summary = NULL, body = NULL, published_text = NULL,"
        " guid = NULL, fingerprint = NULL, matched = '[]', content_source = ?2 WHERE id = ?1");
    if (!batch || !update) {
      return fail(std::move(!batch ? batch.error() : update.error()));
    }
    batch->bind(1, cutoff_utc);
    std::vector<std::int64_t> ids;
    while (true) {
      auto row = batch->step();
      if (!row) {
        return fail(std::move(row.error()));
      }
      if (!*row) {
        break;
      }
      ids.push_back(batch->column_int64(0));
      report.text_bytes += batch->column_int64(1);
    }
    if (ids.empty()) {
      break;
    }
    for (const std::int64_t id : ids) {
      update->reset();
      update->bind(1, id).bind(2, kPrunedMarker);
      if (auto done = update->run(); !done) {
        return fail(std::move(done.error()));
      }
    }
    if (auto committed = tx->commit(); !committed) {
      return fail(std::move(committed.error()));
    }
    report.items += static_cast<std::int64_t>(ids.size());
    if (static_cast<int>(ids.size()) < kPruneBatch) {
      break;
    }
  }
  return report;
}

Result<DatabaseStats> database_stats(Database& db, const fs::path& path) {
  DatabaseStats stats;
  std::error_code ec;
  for (const fs::path& file : {path, with_suffix(path, "-wal")}) {
    const auto size = fs::file_size(file, ec);
    if (!ec) {
      stats.file_bytes += static_cast<std::int64_t>(size);
    }
  }
  const std::pair<std::int64_t*, std::string_view> queries[] = {
      {&stats.free_pages, "PRAGMA freelist_count"},
      {&stats.page_size, "PRAGMA page_size"},
      {&stats.items, "SELECT count(*) FROM items"},
      {&stats.pruned_items, "SELECT count(*) FROM items WHERE content_source = 'pruned'"},
      {&stats.candidates, "SELECT count(*) FROM candidates"},
      {&stats.polls, "SELECT count(*) FROM polls"},
  };
  for (const auto& [target, sql] : queries) {
    auto value = single_int(db, sql);
    if (!value) {
      return fail(std::move(value.error()));
    }
    *target = *value;
  }
  return stats;
}

}  // namespace herald
