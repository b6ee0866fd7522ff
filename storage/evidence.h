#pragma once

// The evidence archive (docs/evidence.md): the raw response of every list or article fetch
// that produced a new item, so the firm can show what a site published, and when.
//
// Bodies are files, content-addressed and gzip-compressed: DIR/ab/cdef….gz holds the body
// whose SHA-256 is abcdef… (`zcat` reads it). The fetch records (URL, final URL, status,
// headers, time) and their links to items are rows of the database (tables evidence and
// item_evidence, schema v5).
//
// Ordering, so that a crash never leaves an item pointing at a missing file: the body file
// is written (temp file, fsync, rename, fsync of the directory) before the poll's
// transaction begins; the evidence rows and their links are written inside that transaction,
// by the items themselves (see stage_poll), so they exist exactly when the new items do.
// A crash in between leaves at most a file no row refers to, which prune_evidence removes.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "storage/database.h"

namespace herald {

// Largest body the archive reads back (a bound for a corrupt or hostile file; bodies are
// capped far lower when fetched).
inline constexpr std::int64_t kMaxEvidenceBodyBytes = std::int64_t{512} << 20;

// The file name of the archive's marker: says which database indexes the archive, so
// `--replay DIR` can read an archive directory by itself.
inline constexpr const char* kEvidenceMarkerFile = "herald-evidence.toml";

// One body in the archive.
struct StoredBody {
  std::string sha256{};            // lower-case hex of the body as received
  std::int64_t size = 0;           // body bytes
  std::int64_t stored_size = 0;    // bytes of the .gz file
  std::filesystem::path path{};
};

// The files of an archive directory. Cheap to construct; nothing is created until put().
class EvidenceArchive {
 public:
  explicit EvidenceArchive(std::filesystem::path dir) : dir_(std::move(dir)) {}

  const std::filesystem::path& dir() const { return dir_; }
  // DIR/ab/cdef….gz for the hex digest `sha256` (not checked here; see is_sha256_hex).
  std::filesystem::path path_for(std::string_view sha256) const;

  // Stores `body` unless a file for its hash is already there (then only its modification
  // time is refreshed, which keeps prune's grace period from removing it under a poll that
  // is about to refer to it). Atomic: other readers see no file or the whole file.
  // Errors: kStorage (with the path and the reason; kDbFull when the disk is full).
  Result<StoredBody> put(std::string_view body) const;

  // The body stored for `sha256`, decompressed and re-hashed. Errors: kNotFound (no such
  // file), kStorage (unreadable, not gzip, or the bytes no longer hash to their name:
  // the message says which).
  Result<std::string> read(std::string_view sha256) const;

  // Writes DIR/herald-evidence.toml naming `database` unless it exists. Errors: kStorage.
  Result<void> write_marker(const std::filesystem::path& database) const;
  // The database named by DIR/herald-evidence.toml. Errors: kNotFound (no marker),
  // kConfig (a marker herald cannot read).
  Result<std::filesystem::path> marker_database() const;

  // Every body file under DIR (hash, path), sorted by hash; temp files are not listed.
  std::vector<std::pair<std::string, std::filesystem::path>> files() const;

 private:
  std::filesystem::path dir_;
};

// Whether `text` is 64 lower-case hex digits.
bool is_sha256_hex(std::string_view text);

// gzip (RFC 1952) of `data`, and back. gunzip stops with kStorage past `max_bytes`.
Result<std::string> gzip_compress(std::string_view data);
Result<std::string> gzip_decompress(std::string_view gz, std::int64_t max_bytes);

// One fetch kept as evidence (a row of the evidence table).
struct EvidenceRecord {
  std::int64_t id = 0;
  std::string source_id{};
  std::string kind{};              // "list" or "article"
  std::string url{};               // as requested
  std::string final_url{};         // after redirects
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers{};  // as received, in order
  std::int64_t fetched_at = 0;     // UTC seconds
  std::string body_sha256{};
  std::int64_t size = 0;
  std::int64_t stored_size = 0;
};

// headers as a JSON array of [name, value] pairs, and back (nullopt: not that shape).
std::string encode_headers(const std::vector<std::pair<std::string, std::string>>& headers);
std::optional<std::vector<std::pair<std::string, std::string>>> decode_headers(
    std::string_view json);

// ---- one poll's evidence, written by the poll's own transaction ----

// A fetch whose body is already in the archive, waiting for commit_poll.
struct StagedEvidence {
  EvidenceRecord record{};         // id is ignored
  // The item this fetch is for (an article page): linked only to the new item with this
  // url_key. Empty: the list page, linked to every new item of the poll.
  std::string url_key{};
};

// What the next Store::commit_poll on this connection writes besides the poll itself.
struct PollStage {
  std::string source_id{};
  std::int64_t started_at = 0;     // PollRecord::started_at of that poll
  std::vector<StagedEvidence> evidence{};
  // The SHA-256 of the list body the poll processed: stored with the source when the poll
  // is recorded as ok or not_modified (see stored_list_sha256). Empty: unchanged.
  std::string list_sha256{};
};

// Stages `stage` on this connection (TEMP tables and triggers, invisible to other
// connections): when commit_poll inserts a new item of that poll, the evidence rows it
// needs are inserted and linked in the same statement; an item already stored fires
// nothing, so a fetch that produced no new item leaves no row. Call clear_poll_stage after
// commit_poll, whatever it returned (PollStageGuard does). Errors: kStorage.
Result<void> stage_poll(Database& db, const PollStage& stage);
void clear_poll_stage(Database& db);

// Clears the stage when it goes out of scope.
class PollStageGuard {
 public:
  explicit PollStageGuard(Database& db) : db_(&db) {}
  PollStageGuard(const PollStageGuard&) = delete;
  PollStageGuard& operator=(const PollStageGuard&) = delete;
  ~PollStageGuard() { clear_poll_stage(*db_); }

 private:
  Database* db_;
};

// The SHA-256 of the last list body a successful poll of `source_id` processed, or nullopt.
// Errors: kStorage.
Result<std::optional<std::string>> stored_list_sha256(Database& db, const std::string& source_id);

// ---- reading and pruning ----

// The evidence of one item (list page, then article page), oldest first. Errors: kStorage.
Result<std::vector<EvidenceRecord>> evidence_for_item(Database& db, std::int64_t item_id);
// The fetches whose body hashes to `sha256`, newest first. Errors: kStorage.
Result<std::vector<EvidenceRecord>> evidence_with_body(Database& db, std::string_view sha256);
// For each requested URL, its newest fetch (by fetched_at, then id). Errors: kStorage.
Result<std::vector<EvidenceRecord>> newest_evidence_per_url(Database& db);
// The body hashes the evidence rows refer to, sorted, each once. Errors: kStorage.
Result<std::vector<std::string>> referenced_bodies(Database& db);

struct EvidencePruned {
  int rows = 0;                    // evidence rows deleted (their links with them)
  int files = 0;                   // body files removed
  std::int64_t bytes = 0;          // bytes of those files
};

// How long a body file no row refers to is kept: a poll writes its files a little before
// its transaction commits the rows, and prune must not remove them in between.
inline constexpr std::chrono::seconds kUnreferencedFileGrace{6 * 3600};

// Retention, precisely: (1) evidence rows fetched before now_utc - retention are deleted,
// with their links (nullopt retention: none is old enough); (2) evidence rows no item links
// to any more (the items were deleted) are deleted; (3) body files and stale temp files
// that no remaining row refers to, and that were not written or refreshed within `grace`,
// are removed. Rows go in one transaction, before any file. Errors: kStorage, kDbFull.
Result<EvidencePruned> prune_evidence(Database& db, const EvidenceArchive& archive,
                                      std::optional<std::chrono::seconds> retention,
                                      std::int64_t now_utc,
                                      std::chrono::seconds grace = kUnreferencedFileGrace);

struct EvidenceProblem {
  std::string sha256{};
  std::filesystem::path path{};
  std::string problem{};           // "missing", or why the file is corrupt
};

// Re-reads and re-hashes every body the rows refer to and every body file in the archive
// (`checked`: how many). A referenced body without a file is "missing"; a file that is not
// gzip or does not hash to its name is corrupt. Errors: kStorage (the rows cannot be read);
// problems with files are results, not errors.
Result<std::vector<EvidenceProblem>> verify_evidence(Database& db, const EvidenceArchive& archive,
                                                     int* checked = nullptr);

// Whether the items table has `item_id`. Errors: kStorage.
Result<bool> item_exists(Database& db, std::int64_t item_id);

}  // namespace herald
