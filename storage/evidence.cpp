#include "storage/evidence.h"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <fmt/format.h>

#include "common/text.h"
#include "storage/store.h"

namespace herald {
namespace {

namespace fs = std::filesystem;

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

Error file_error(int err, std::string what) {
  return Error{err == ENOSPC || err == EDQUOT ? ErrorCode::kDbFull : ErrorCode::kStorage,
               fmt::format("{}: {}", what, errno_text(err))};
}

// A POSIX descriptor closed on every path.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  int get() const { return fd_; }
  // close() reports a failed delayed write (NFS, quota); the destructor cannot.
  int release_and_close() { return ::close(std::exchange(fd_, -1)); }

 private:
  int fd_;
};

Result<void> sync_directory(const fs::path& dir) {
  const Descriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
    return fail(file_error(errno, fmt::format("cannot sync directory {}", dir.string())));
  }
  return {};
}

// Creates `dir` (and its parents) and makes the new entries durable.
Result<void> make_directory(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) {
    return {};
  }
  if (!dir.has_parent_path() || dir.parent_path() == dir) {
    return fail(ErrorCode::kStorage, fmt::format("cannot create {}", dir.string()));
  }
  if (auto parent = make_directory(dir.parent_path()); !parent) {
    return parent;
  }
  // The archive is as private as the database (docs/service.md "File modes"): mkdir's mode
  // is narrowed by the umask, so the chmod sets exactly herald's, setgid included.
  if (::mkdir(dir.c_str(), 0700) != 0) {
    if (errno != EEXIST) {
      return fail(file_error(errno, fmt::format("cannot create the evidence directory {}",
                                                dir.string())));
    }
  } else if (::chmod(dir.c_str(), private_modes_in(dir.parent_path()).directory) != 0) {
    return fail(file_error(errno, fmt::format("cannot set the mode of the evidence directory {}",
                                              dir.string())));
  }
  return sync_directory(dir.parent_path());
}

// Writes `bytes` to `target` through a temp file in the same directory: written, fsynced,
// renamed over, directory fsynced. Readers see no file or the whole file.
Result<void> write_atomically(const fs::path& target, std::string_view bytes) {
  std::string temp = fmt::format("{}.tmp-XXXXXX", target.string());
  const int raw = ::mkostemp(temp.data(), O_CLOEXEC);
  if (raw < 0) {
    return fail(file_error(errno, fmt::format("cannot create a temp file next to {}",
                                              target.string())));
  }
  Descriptor fd(raw);
  auto abandon = [&](int err, std::string what) {
    ::unlink(temp.c_str());
    return fail(file_error(err, std::move(what)));
  };
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd.get(), bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return abandon(errno, fmt::format("cannot write {}", temp));
    }
    written += static_cast<std::size_t>(n);
  }
  // mkostemp made it 0600; a group meant to read the archive gets 0640.
  if (::fchmod(fd.get(), private_modes_in(target.parent_path()).file) != 0 ||
      ::fsync(fd.get()) != 0) {
    return abandon(errno, fmt::format("cannot sync {}", temp));
  }
  if (fd.release_and_close() != 0) {
    return abandon(errno, fmt::format("cannot close {}", temp));
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    return abandon(errno, fmt::format("cannot rename {} to {}", temp, target.string()));
  }
  return sync_directory(target.parent_path());
}

Result<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      return fail(ErrorCode::kNotFound, fmt::format("{}: missing", path.string()));
    }
    return fail(ErrorCode::kStorage, fmt::format("{}: cannot be read", path.string()));
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct InflateEnd {
  void operator()(z_stream* stream) const noexcept { inflateEnd(stream); }
};
struct DeflateEnd {
  void operator()(z_stream* stream) const noexcept { deflateEnd(stream); }
};

// zlib's windowBits: 15 (32 KB window) + 16 selects the gzip wrapper.
constexpr int kGzipWindow = 15 + 16;

// The columns every evidence read selects, in read_record's order.
constexpr std::string_view kEvidenceColumns =
    "e.id, e.source_id, e.kind, e.url, e.final_url, e.status, e.headers, e.fetched_at,"
    " e.body_sha256, e.size, e.stored_size";

EvidenceRecord read_record(const Statement& stmt) {
  EvidenceRecord record;
  record.id = stmt.column_int64(0);
  record.source_id = stmt.column_text(1);
  record.kind = stmt.column_text(2);
  record.url = stmt.column_text(3);
  record.final_url = stmt.column_text(4);
  record.status = static_cast<long>(stmt.column_int64(5));
  record.headers = decode_headers(stmt.column_text(6)).value_or(
      std::vector<std::pair<std::string, std::string>>{});
  record.fetched_at = stmt.column_int64(7);
  record.body_sha256 = stmt.column_text(8);
  record.size = stmt.column_int64(9);
  record.stored_size = stmt.column_int64(10);
  return record;
}

Result<std::vector<EvidenceRecord>> read_records(Database& db, const std::string& sql,
                                                 const std::optional<std::string>& text,
                                                 std::optional<std::int64_t> number) {
  auto stmt = db.prepare(sql);
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  if (text) {
    stmt->bind(1, *text);
  } else if (number) {
    stmt->bind(1, *number);
  }
  std::vector<EvidenceRecord> records;
  while (true) {
    auto row = stmt->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return records;
    }
    records.push_back(read_record(*stmt));
  }
}

// The TEMP objects of a poll's stage. TEMP tables and triggers belong to this connection
// only: another thread's poll on its own connection neither sees nor fires them. Inside a
// TEMP trigger an unqualified table name resolves to main's table (temp has none of them).
// An item belongs to the staged poll when its first_seen is the poll's started_at (what
// commit_poll stores); the trigger fires only for rows actually inserted, never for a
// url_key already stored (ON CONFLICT DO NOTHING inserts nothing).
constexpr std::string_view kStageSchema = R"sql(
CREATE TEMP TABLE IF NOT EXISTS poll_stage (
  source_id TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  list_sha256 TEXT NOT NULL
);
CREATE TEMP TABLE IF NOT EXISTS evidence_stage (
  fetch_uid TEXT PRIMARY KEY,
  started_at INTEGER NOT NULL,
  url_key TEXT,
  source_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  url TEXT NOT NULL,
  final_url TEXT NOT NULL,
  status INTEGER NOT NULL,
  headers TEXT NOT NULL,
  fetched_at INTEGER NOT NULL,
  body_sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  stored_size INTEGER NOT NULL
);
CREATE TEMP TRIGGER IF NOT EXISTS evidence_stage_link AFTER INSERT ON items
WHEN EXISTS (SELECT 1 FROM temp.evidence_stage)
BEGIN
  INSERT INTO evidence (fetch_uid, source_id, kind, url, final_url, status, headers,
                        fetched_at, body_sha256, size, stored_size)
    SELECT s.fetch_uid, s.source_id, s.kind, s.url, s.final_url, s.status, s.headers,
           s.fetched_at, s.body_sha256, s.size, s.stored_size
    FROM temp.evidence_stage s
    WHERE s.started_at = NEW.first_seen AND (s.url_key IS NULL OR s.url_key = NEW.url_key)
      AND NOT EXISTS (SELECT 1 FROM main.evidence e WHERE e.fetch_uid = s.fetch_uid);
  INSERT INTO item_evidence (item_id, evidence_id)
    SELECT NEW.id, e.id
    FROM temp.evidence_stage s JOIN main.evidence e ON e.fetch_uid = s.fetch_uid
    WHERE s.started_at = NEW.first_seen AND (s.url_key IS NULL OR s.url_key = NEW.url_key);
END;
CREATE TEMP TRIGGER IF NOT EXISTS poll_stage_list_sha256 AFTER INSERT ON polls
WHEN NEW.outcome IN ('ok', 'not_modified')
  AND EXISTS (SELECT 1 FROM temp.poll_stage p
              WHERE p.source_id = NEW.source_id AND p.started_at = NEW.started_at)
BEGIN
  UPDATE sources SET list_sha256 =
    (SELECT p.list_sha256 FROM temp.poll_stage p
     WHERE p.source_id = NEW.source_id AND p.started_at = NEW.started_at)
  WHERE id = NEW.source_id;
END;
)sql";

}  // namespace

bool is_sha256_hex(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Result<std::string> gzip_compress(std::string_view data) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindow, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return fail(ErrorCode::kStorage, "zlib: cannot start compressing (out of memory?)");
  }
  const std::unique_ptr<z_stream, DeflateEnd> owner(&stream);
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  // zlib's API is not const-correct; deflate never writes to next_in.
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  if (deflate(&stream, Z_FINISH) != Z_STREAM_END) {
    return fail(ErrorCode::kStorage, "zlib: compression did not finish");
  }
  out.resize(stream.total_out);
  return out;
}

Result<std::string> gzip_decompress(std::string_view gz, std::int64_t max_bytes) {
  z_stream stream{};
  if (inflateInit2(&stream, kGzipWindow) != Z_OK) {
    return fail(ErrorCode::kStorage, "zlib: cannot start decompressing (out of memory?)");
  }
  const std::unique_ptr<z_stream, InflateEnd> owner(&stream);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  stream.avail_in = static_cast<uInt>(gz.size());
  std::string out;
  char buffer[64 * 1024];
  while (true) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    const int rc = inflate(&stream, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      return fail(ErrorCode::kStorage,
                  fmt::format("not a valid gzip file ({})", stream.msg != nullptr ? stream.msg
                                                                                 : "truncated"));
    }
    out.append(buffer, sizeof buffer - stream.avail_out);
    if (static_cast<std::int64_t>(out.size()) > max_bytes) {
      return fail(ErrorCode::kStorage,
                  fmt::format("decompresses to more than {} bytes", max_bytes));
    }
    if (rc == Z_STREAM_END) {
      if (stream.avail_in != 0) {
        return fail(ErrorCode::kStorage, "bytes after the end of the gzip stream");
      }
      return out;
    }
    if (stream.avail_in == 0 && stream.avail_out != 0) {
      return fail(ErrorCode::kStorage, "not a valid gzip file (truncated)");
    }
  }
}

fs::path EvidenceArchive::path_for(std::string_view sha256) const {
  if (sha256.size() < 3) {
    return dir_ / std::string(sha256);
  }
  return dir_ / std::string(sha256.substr(0, 2)) /
         fmt::format("{}.gz", sha256.substr(2));
}

Result<StoredBody> EvidenceArchive::put(std::string_view body) const {
  StoredBody stored{.sha256 = sha256_hex(body),
                    .size = static_cast<std::int64_t>(body.size())};
  stored.path = path_for(stored.sha256);
  struct stat existing {};
  if (::stat(stored.path.c_str(), &existing) == 0 && S_ISREG(existing.st_mode)) {
    // Same name, same bytes (the name is their hash). A fresh mtime keeps prune's grace
    // period from removing the file before this poll's rows refer to it.
    ::utimensat(AT_FDCWD, stored.path.c_str(), nullptr, 0);
    stored.stored_size = static_cast<std::int64_t>(existing.st_size);
    return stored;
  }
  auto gz = gzip_compress(body);
  if (!gz) {
    return fail(std::move(gz.error()));
  }
  if (auto made = make_directory(stored.path.parent_path()); !made) {
    return fail(std::move(made.error()));
  }
  if (auto written = write_atomically(stored.path, *gz); !written) {
    return fail(std::move(written.error()));
  }
  stored.stored_size = static_cast<std::int64_t>(gz->size());
  return stored;
}

Result<std::string> EvidenceArchive::read(std::string_view sha256) const {
  if (!is_sha256_hex(sha256)) {
    return fail(ErrorCode::kUsage,
                fmt::format("'{}' is not a SHA-256 (64 lower-case hex digits)",
                            strip_controls(sha256)));
  }
  const fs::path path = path_for(sha256);
  auto gz = read_file(path);
  if (!gz) {
    return fail(std::move(gz.error()));
  }
  auto body = gzip_decompress(*gz, kMaxEvidenceBodyBytes);
  if (!body) {
    return fail(ErrorCode::kStorage,
                fmt::format("{}: corrupt: {}", path.string(), body.error().message));
  }
  if (const std::string actual = sha256_hex(*body); actual != sha256) {
    return fail(ErrorCode::kStorage,
                fmt::format("{}: corrupt: the body hashes to {}, not to its name", path.string(),
                            actual));
  }
  return body;
}

Result<void> EvidenceArchive::write_marker(const fs::path& database) const {
  const fs::path marker = dir_ / kEvidenceMarkerFile;
  std::error_code ec;
  if (fs::exists(marker, ec)) {
    return {};
  }
  if (auto made = make_directory(dir_); !made) {
    return made;
  }
  const fs::path absolute = fs::absolute(database, ec).lexically_normal();
  // A TOML basic string: '"' and '\' escaped; control characters cannot be in a path
  // herald opens as its database, and encode_string_array escapes them anyway.
  const std::string quoted = encode_string_array({absolute.string()});
  return write_atomically(
      marker,
      fmt::format("# herald evidence archive (docs/evidence.md). Each ab/cdef….gz file is a\n"
                  "# response body exactly as received, gzip-compressed, named by the SHA-256\n"
                  "# of the body (zcat shows it). Who fetched it, when and from where is in the\n"
                  "# evidence table of this database; 'herald evidence show ITEM_ID' prints it.\n"
                  "database = {}\n",
                  quoted.substr(1, quoted.size() - 2)));
}

Result<fs::path> EvidenceArchive::marker_database() const {
  const fs::path marker = dir_ / kEvidenceMarkerFile;
  auto text = read_file(marker);
  if (!text) {
    return fail(ErrorCode::kNotFound,
                fmt::format("{}: not an evidence archive (it has no {})", dir_.string(),
                            kEvidenceMarkerFile));
  }
  std::istringstream lines(*text);
  for (std::string line; std::getline(lines, line);) {
    constexpr std::string_view kKey = "database = ";
    if (line.starts_with(kKey)) {
      auto value = decode_string_array("[" + line.substr(kKey.size()) + "]");
      if (value && value->size() == 1 && !value->front().empty()) {
        return fs::path(value->front());
      }
    }
  }
  return fail(ErrorCode::kConfig,
              fmt::format("{}: no 'database = \"…\"' line; write the path of the herald "
                          "database that indexes this archive there",
                          marker.string()));
}

std::vector<std::pair<std::string, fs::path>> EvidenceArchive::files() const {
  std::vector<std::pair<std::string, fs::path>> found;
  std::error_code ec;
  for (fs::directory_iterator outer(dir_, ec), end; !ec && outer != end; outer.increment(ec)) {
    const std::string prefix = outer->path().filename().string();
    std::error_code inner_ec;
    if (prefix.size() != 2 || !outer->is_directory(inner_ec)) {
      continue;
    }
    for (fs::directory_iterator inner(outer->path(), inner_ec); !inner_ec && inner != end;
         inner.increment(inner_ec)) {
      const std::string name = inner->path().filename().string();
      if (!name.ends_with(".gz")) {
        continue;
      }
      const std::string hash = prefix + name.substr(0, name.size() - 3);
      if (is_sha256_hex(hash)) {
        found.emplace_back(hash, inner->path());
      }
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::string encode_headers(const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string json = "[";
  for (const auto& [name, value] : headers) {
    json += json.size() > 1 ? "," : "";
    // Header bytes come from the server: only valid UTF-8 goes into the database.
    json += encode_string_array({sanitize_utf8(name), sanitize_utf8(value)});
  }
  return json + "]";
}

std::optional<std::vector<std::pair<std::string, std::string>>> decode_headers(
    std::string_view json) {
  // An array of two-string arrays: find each inner array (outside strings), decode it.
  if (json.size() < 2 || json.front() != '[' || json.back() != ']') {
    return std::nullopt;
  }
  std::vector<std::pair<std::string, std::string>> headers;
  bool in_string = false;
  bool escaped = false;
  std::size_t start = std::string_view::npos;
  for (std::size_t i = 1; i + 1 < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      if (start == std::string_view::npos) {
        return std::nullopt;  // a string outside a pair
      }
      in_string = true;
    } else if (c == '[') {
      if (start != std::string_view::npos) {
        return std::nullopt;
      }
      start = i;
    } else if (c == ']') {
      if (start == std::string_view::npos) {
        return std::nullopt;
      }
      auto pair = decode_string_array(json.substr(start, i - start + 1));
      if (!pair || pair->size() != 2) {
        return std::nullopt;
      }
      headers.emplace_back(std::move((*pair)[0]), std::move((*pair)[1]));
      start = std::string_view::npos;
    } else if (c != ',' && c != ' ' && c != '\n' && c != '\t' && c != '\r') {
      if (start == std::string_view::npos) {
        return std::nullopt;
      }
    }
  }
  if (in_string || start != std::string_view::npos) {
    return std::nullopt;
  }
  return headers;
}

namespace {

// Whether this connection has the TEMP object `name` (the stage is created on a
// connection's first stage_poll and then kept: creating it again on every poll would
// parse the whole kStageSchema each time, and change the TEMP schema, which makes SQLite
// prepare every cached statement of the connection again).
Result<bool> has_temp_object(Database& db, std::string_view name) {
  auto stmt = db.cached("SELECT 1 FROM temp.sqlite_master WHERE name = ?1");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, name);
  return stmt->step();
}

Result<void> run_cached(Database& db, std::string_view sql) {
  auto stmt = db.cached(sql);
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  return stmt->run();
}

}  // namespace

Result<void> stage_poll(Database& db, const PollStage& stage) {
  clear_poll_stage(db);
  // The trigger is the schema's last object: if it is there, so is everything before it.
  auto ready = has_temp_object(db, "poll_stage_list_sha256");
  if (!ready) {
    return fail(std::move(ready.error()));
  }
  if (!*ready) {
    if (auto schema = db.exec(kStageSchema); !schema) {
      return schema;
    }
  }
  if (!stage.list_sha256.empty()) {
    auto insert = db.cached(
        "INSERT INTO temp.poll_stage (source_id, started_at, list_sha256) VALUES (?1, ?2, ?3)");
    if (!insert) {
      return fail(std::move(insert.error()));
    }
    insert->bind(1, stage.source_id).bind(2, stage.started_at).bind(3, stage.list_sha256);
    if (auto done = insert->run(); !done) {
      return done;
    }
  }
  if (stage.evidence.empty()) {
    return {};
  }
  auto insert = db.cached(
      "INSERT INTO temp.evidence_stage (fetch_uid, started_at, url_key, source_id, kind, url,"
      " final_url, status, headers, fetched_at, body_sha256, size, stored_size)"
      " VALUES (lower(hex(randomblob(16))), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  if (!insert) {
    return fail(std::move(insert.error()));
  }
  for (const StagedEvidence& staged : stage.evidence) {
    const EvidenceRecord& record = staged.record;
    insert->reset();
    insert->bind(1, stage.started_at);
    if (staged.url_key.empty()) {
      insert->bind_null(2);
    } else {
      insert->bind(2, staged.url_key);
    }
    insert->bind(3, record.source_id.empty() ? stage.source_id : record.source_id)
        .bind(4, record.kind)
        .bind(5, sanitize_utf8(record.url))
        .bind(6, sanitize_utf8(record.final_url.empty() ? record.url : record.final_url))
        .bind(7, static_cast<std::int64_t>(record.status))
        .bind(8, encode_headers(record.headers))
        .bind(9, record.fetched_at)
        .bind(10, record.body_sha256)
        .bind(11, record.size)
        .bind(12, record.stored_size);
    if (auto done = insert->run(); !done) {
      return done;
    }
  }
  return {};
}

void clear_poll_stage(Database& db) {
  // The tables exist only after a first stage_poll on this connection.
  if (has_temp_object(db, "evidence_stage").value_or(false)) {
    (void)run_cached(db, "DELETE FROM temp.evidence_stage");
    (void)run_cached(db, "DELETE FROM temp.poll_stage");
  }
}

Result<std::optional<std::string>> stored_list_sha256(Database& db, const std::string& source_id) {
  auto stmt = db.cached("SELECT list_sha256 FROM sources WHERE id = ?1");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, source_id);
  auto row = stmt->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  if (!*row) {
    return std::optional<std::string>{};
  }
  return stmt->column_optional_text(0);
}

Result<std::vector<EvidenceRecord>> evidence_for_item(Database& db, std::int64_t item_id) {
  return read_records(
      db,
      fmt::format("SELECT {} FROM item_evidence l JOIN evidence e ON e.id = l.evidence_id"
                  " WHERE l.item_id = ?1 ORDER BY e.kind = 'article', e.fetched_at, e.id",
                  kEvidenceColumns),
      std::nullopt, item_id);
}

Result<std::vector<EvidenceRecord>> evidence_with_body(Database& db, std::string_view sha256) {
  return read_records(db,
                      fmt::format("SELECT {} FROM evidence e WHERE e.body_sha256 = ?1"
                                  " ORDER BY e.fetched_at DESC, e.id DESC",
                                  kEvidenceColumns),
                      std::string(sha256), std::nullopt);
}

Result<std::vector<EvidenceRecord>> newest_evidence_per_url(Database& db) {
  return read_records(
      db,
      fmt::format("SELECT {} FROM evidence e WHERE e.id = (SELECT n.id FROM evidence n"
                  " WHERE n.url = e.url ORDER BY n.fetched_at DESC, n.id DESC LIMIT 1)"
                  " ORDER BY e.url",
                  kEvidenceColumns),
      std::nullopt, std::nullopt);
}

Result<std::vector<std::string>> referenced_bodies(Database& db) {
  auto stmt = db.prepare("SELECT DISTINCT body_sha256 FROM evidence ORDER BY body_sha256");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  std::vector<std::string> hashes;
  while (true) {
    auto row = stmt->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return hashes;
    }
    hashes.push_back(stmt->column_text(0));
  }
}

Result<EvidencePruned> prune_evidence(Database& db, const EvidenceArchive& archive,
                                      std::optional<std::chrono::seconds> retention,
                                      std::int64_t now_utc, std::chrono::seconds grace) {
  EvidencePruned pruned;
  {
    auto tx = Transaction::begin(db);
    if (!tx) {
      return fail(std::move(tx.error()));
    }
    auto remove = db.prepare(
        "DELETE FROM evidence WHERE (?1 IS NOT NULL AND fetched_at < ?1)"
        " OR NOT EXISTS (SELECT 1 FROM item_evidence l WHERE l.evidence_id = evidence.id)");
    if (!remove) {
      return fail(std::move(remove.error()));
    }
    remove->bind(1, retention ? std::optional<std::int64_t>(now_utc - retention->count())
                              : std::nullopt);
    if (auto done = remove->run(); !done) {
      return fail(std::move(done.error()));
    }
    pruned.rows = db.changes();  // item_evidence rows go by ON DELETE CASCADE
    if (auto committed = tx->commit(); !committed) {
      return fail(std::move(committed.error()));
    }
  }
  // Files after rows: a file is removed only once no committed row refers to it. A poll that
  // is about to refer to a file has written or touched it within `grace`.
  auto referenced = referenced_bodies(db);
  if (!referenced) {
    return fail(std::move(referenced.error()));
  }
  const std::set<std::string> keep(referenced->begin(), referenced->end());
  const std::int64_t cutoff = now_utc - grace.count();
  auto old_enough = [&](const fs::path& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && info.st_mtim.tv_sec < cutoff;
  };
  std::error_code ec;
  for (fs::recursive_directory_iterator it(archive.dir(), ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code file_ec;
    if (it.depth() != 1 || !it->is_regular_file(file_ec)) {
      continue;
    }
    const std::string prefix = it->path().parent_path().filename().string();
    const std::string name = it->path().filename().string();
    const bool temp = name.find(".gz.tmp-") != std::string::npos;
    const bool body = name.ends_with(".gz") && is_sha256_hex(prefix + name.substr(0, name.size() - 3));
    if (!(temp || (body && !keep.contains(prefix + name.substr(0, name.size() - 3)))) ||
        !old_enough(it->path())) {
      continue;
    }
    const auto size = static_cast<std::int64_t>(it->file_size(file_ec));
    if (fs::remove(it->path(), file_ec)) {
      ++pruned.files;
      pruned.bytes += file_ec ? 0 : size;
    }
  }
  return pruned;
}

Result<std::vector<EvidenceProblem>> verify_evidence(Database& db, const EvidenceArchive& archive,
                                                     int* checked) {
  auto referenced = referenced_bodies(db);
  if (!referenced) {
    return fail(std::move(referenced.error()));
  }
  // Every body a row refers to, and every body file on disk (a corrupt file no row needs
  // yet is still worth knowing about before a poll re-uses its name).
  std::set<std::string> hashes(referenced->begin(), referenced->end());
  for (auto& [hash, path] : archive.files()) {
    hashes.insert(hash);
  }
  std::vector<EvidenceProblem> problems;
  for (const std::string& hash : hashes) {
    auto body = archive.read(hash);
    if (!body) {
      problems.push_back(EvidenceProblem{
          .sha256 = hash,
          .path = archive.path_for(hash),
          .problem = body.error().code == ErrorCode::kNotFound ? std::string("missing")
                                                               : body.error().message});
    }
  }
  if (checked != nullptr) {
    *checked = static_cast<int>(hashes.size());
  }
  return problems;
}

Result<bool> item_exists(Database& db, std::int64_t item_id) {
  auto stmt = db.prepare("SELECT 1 FROM items WHERE id = ?1");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, item_id);
  return stmt->step();
}

}  // namespace herald
