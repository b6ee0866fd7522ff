#pragma once

// Database care: the startup check of a database file, recovery from a corrupt one, online
// backups and their rotation, the full check behind `herald db check`, and retention of old
// items that never became candidates (RELIABILITY.md S1, S6; docs/database.md).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "storage/database.h"

namespace herald {

// What the startup check found in a database file.
struct FileCheck {
  bool exists = false;
  bool corrupt = false;   // not a database, damaged header, or quick_check found problems
  std::string problem{};  // for people: SQLite's message or quick_check's first findings
  bool complete = true;   // false: the time budget ran out before quick_check finished
};

// Opens `path` without creating or migrating it, reads its header and schema, and runs
// PRAGMA quick_check (every page and b-tree, not index contents). Measured on this kind of
// database: 0.3 s for 560 MB and 2.9 s for 2.8 GB from the page cache, 6.5 s and 16 s from
// a cold disk. With a `budget`, quick_check stops when it runs out (complete = false):
// the header and schema are always read, and the nightly backup reads every row anyway.
// corrupt is set only for SQLITE_NOTADB, SQLITE_CORRUPT or a quick_check finding; any other
// failure (permissions, I/O error, a locked file) is an Error, because moving a healthy
// database aside on a transient error would be worse than not starting.
Result<FileCheck> check_database_file(
    const std::filesystem::path& path,
    std::optional<std::chrono::milliseconds> budget = std::nullopt);

// What recover_corrupt_database did.
struct Recovery {
  std::filesystem::path moved_to{};                   // herald.db.corrupt-20261128T031500Z
  std::optional<std::filesystem::path> restored_from; // the backup copied into place, if any
  std::vector<std::string> skipped_backups{};         // newer backups that failed their check
};

// Moves the corrupt database at `path`, with its -wal and -shm files, aside to
// "<name>.corrupt-YYYYMMDDTHHMMSSZ" (plus "-wal"/"-shm", so the three stay openable as one
// database), never replacing an existing file, then copies the newest backup in
// `backup_dir` that passes check_database_file into place. Without a usable backup nothing
// is put in place and the next open creates a fresh database. Nothing is ever deleted.
Result<Recovery> recover_corrupt_database(const std::filesystem::path& path,
                                          const std::filesystem::path& backup_dir,
                                          std::int64_t now_utc);

// Writes a consistent copy of the open database to `destination` while others keep
// reading and writing (VACUUM INTO: a read transaction, compacted). The copy is written to
// a temporary file next to `destination`, checked with PRAGMA integrity_check, synced and
// only then renamed into place, so `destination` is either absent or a complete backup.
// An existing `destination` is an error (kUsage) unless `overwrite`. Errors: kStorage,
// kDbFull (the backup's file system is full), kUsage.
Result<void> backup_database(Database& db, const std::filesystem::path& destination,
                             bool overwrite);

// Nightly backups are "herald-YYYYMMDD.db" in the backup directory.
std::string nightly_backup_name(int year, int month, int day);
// The nightly backups in `dir`, newest first (by the date in the name). Other files are
// never listed, so rotation cannot delete anything an admin put there.
std::vector<std::filesystem::path> list_nightly_backups(const std::filesystem::path& dir);
// Deletes all but the newest `keep` nightly backups; returns the deleted paths.
Result<std::vector<std::filesystem::path>> rotate_nightly_backups(const std::filesystem::path& dir,
                                                                  int keep);

// `herald db check`: PRAGMA integrity_check, PRAGMA foreign_key_check and the schema version.
struct CheckReport {
  std::vector<std::string> integrity{};     // empty when integrity_check said "ok"
  std::vector<std::string> foreign_keys{};  // "candidates row 12 -> items"
  int schema_version = 0;
  int expected_schema_version = 0;

  bool ok() const {
    return integrity.empty() && foreign_keys.empty() &&
           schema_version == expected_schema_version;
  }
};
Result<CheckReport> check_database(Database& db);

// `herald db check`: files and directories more open than herald makes them (see
// private_modes_in): the database, its -wal and -shm, the backup directory and everything
// in it, the evidence archive and everything in it. Missing paths are skipped; so are
// symbolic links (their target is the admin's choice).
struct ModeProblem {
  std::filesystem::path path{};
  unsigned mode = 0;               // its permission bits (07777)
  unsigned wanted = 0;             // the most herald gives it: 0600/0700, or 0640/0750
  bool directory = false;
};
struct ModeReport {
  std::vector<ModeProblem> problems{};  // at most the limit given
  std::int64_t more = 0;                // further problems past the limit
};
ModeReport check_private_modes(const std::filesystem::path& database,
                               const std::filesystem::path& backup_dir,
                               const std::filesystem::path& evidence_dir,
                               std::size_t limit = 20);

// Item retention. An item that never became a candidate is pruned once it was first seen
// before `cutoff_utc`: its row stays, with title "" and summary, body, date text, guid,
// fingerprint, matched terms and content source cleared, so its url_key still marks the
// URL as seen (a pruned announcement is not stored again as new) and every reference to
// the row stays valid. Items sharing a cluster with a candidate are kept whole: the
// candidate's "also reported by" shows them.
struct PruneReport {
  std::int64_t items = 0;      // items pruned (or, for a dry run, that would be)
  std::int64_t text_bytes = 0; // bytes of text they held
};
Result<PruneReport> prune_items(Database& db, std::int64_t cutoff_utc, bool dry_run);

// `herald db stats`.
struct DatabaseStats {
  std::int64_t file_bytes = 0;   // the database file plus its -wal
  std::int64_t free_pages = 0;   // reusable pages inside the file
  std::int64_t page_size = 0;
  std::int64_t items = 0;
  std::int64_t pruned_items = 0;
  std::int64_t candidates = 0;
  std::int64_t polls = 0;
};
Result<DatabaseStats> database_stats(Database& db, const std::filesystem::path& path);

}  // namespace herald
