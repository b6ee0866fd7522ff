#include "storage/store.h"

#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "common/text.h"
#include "storage/store_rows.h"

namespace herald {

using store_detail::kCandidateSelect;
using store_detail::null_if_empty;

namespace {

// A cursor over a JSON text; every read returns false on malformed input.
class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : text_(text) {}

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool at_end() const { return pos_ == text_.size(); }
  bool consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool read_string(std::string& out) {
    if (!consume('"')) {
      return false;
    }
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') {
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return false;  // JSON forbids raw control characters inside strings
      }
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) {
        return false;
      }
      switch (text_[pos_++]) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          char32_t cp = 0;
          if (!read_hex4(cp)) {
            return false;
          }
          if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return false;  // a low surrogate with no high one before it
          }
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            char32_t low = 0;
            if (!consume('\\') || !consume('u') || !read_hex4(low) || low < 0xDC00 ||
                low > 0xDFFF) {
              return false;
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default:
          return false;
      }
    }
    return false;  // unterminated
  }

 private:
  bool read_hex4(char32_t& cp) {
    if (text_.size() - pos_ < 4) {
      return false;
    }
    cp = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      cp <<= 4;
      if (c >= '0' && c <= '9') {
        cp |= static_cast<char32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        cp |= static_cast<char32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        cp |= static_cast<char32_t>(c - 'A' + 10);
      } else {
        return false;
      }
    }
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

bool is_success(std::string_view outcome) { return outcome == "ok" || outcome == "not_modified"; }

// The cluster a new item that duplicates the stored item `same_as` joins: same_as's
// cluster, or a new one named after same_as when it is alone. nullopt when `same_as` is not
// stored (nothing to join). Looked up before the item is inserted, so the item is written
// with its cluster_id at once instead of being inserted and then updated (which would
// write its row and its items_cluster index entry twice).
struct ClusterToJoin {
  std::int64_t cluster = 0;
  bool name_after_same_as = false;  // same_as is alone: it heads the new cluster
};

Result<std::optional<ClusterToJoin>> cluster_to_join(Database& db, std::int64_t same_as) {
  auto find =
      db.cached("SELECT COALESCE(cluster_id, id), cluster_id IS NULL FROM items WHERE id = ?1");
  if (!find) {
    return fail(std::move(find.error()));
  }
  find->bind(1, same_as);
  auto row = find->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  if (!*row) {
    return std::optional<ClusterToJoin>();
  }
  return std::optional<ClusterToJoin>(ClusterToJoin{
      .cluster = find->column_int64(0), .name_after_same_as = find->column_int64(1) != 0});
}

// After the first item joined the alone item `same_as`: same_as heads the cluster.
Result<void> name_cluster(Database& db, std::int64_t same_as) {
  auto update = db.cached("UPDATE items SET cluster_id = ?1 WHERE id = ?1 AND cluster_id IS NULL");
  if (!update) {
    return fail(std::move(update.error()));
  }
  update->bind(1, same_as);
  return update->run();
}

// The poll's items go into `items` with ONE statement, staged row by row in a TEMP table
// first. Why: items has the FTS5 trigger, so every INSERT into it runs in a statement
// savepoint, and FTS5 writes its pending index out at every savepoint's end: one INSERT per
// item made one trigram segment per item (and the merges that follow), which was most of
// commit_poll's CPU. One statement flushes the poll's items as one segment. The TEMP table
// is this connection's own, and its rows are removed in the poll's transaction (or rolled
// back with it), so it is empty between polls.
constexpr std::string_view kPollItemsSchema = R"sql(
CREATE TEMP TABLE IF NOT EXISTS poll_items (
  seq INTEGER PRIMARY KEY, source_id, url, url_key, guid, title, summary, published_at,
  published_text, date_suspect, fingerprint, first_seen, score, matched, body,
  content_source, cluster_id, original_url
);
)sql";

// What insert_items did with poll.items[i].
struct NewItem {
  std::optional<std::int64_t> id{};       // set when the item was new (its url_key unknown)
  std::optional<ClusterToJoin> join{};    // the cluster it was stored in (same_story_as)
};

Statement& bind_text_or_null(Statement& stmt, int index, const std::string& value) {
  return value.empty() ? stmt.bind_null(index) : stmt.bind(index, std::string_view(value));
}

Result<std::vector<NewItem>> insert_items(Database& db, const PollRecord& poll) {
  std::vector<NewItem> out(poll.items.size());
  auto exists = db.cached("SELECT 1 FROM temp.sqlite_master WHERE name = 'poll_items'")
                    .and_then([](Statement stmt) { return stmt.step(); });
  if (!exists) {
    return fail(std::move(exists.error()));
  }
  if (!*exists) {
    if (auto created = db.exec(kPollItemsSchema); !created) {
      return fail(std::move(created.error()));
    }
  }
  auto stage = db.cached(
      "INSERT INTO temp.poll_items (seq, source_id, url, url_key, guid, title, summary,"
      " published_at, published_text, date_suspect, fingerprint, first_seen, score, matched,"
      " body, content_source, cluster_id, original_url)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
      " ?18)");
  if (!stage) {
    return fail(std::move(stage.error()));
  }
  // url_key -> the first item with it (a page may list one article twice: the first wins,
  // as it did when items were inserted one by one).
  std::unordered_map<std::string_view, std::size_t> by_key;
  by_key.reserve(poll.items.size());
  for (std::size_t index = 0; index < poll.items.size(); ++index) {
    const Item& item = poll.items[index];
    by_key.emplace(item.url_key, index);
    if (index < poll.same_story_as.size() && poll.same_story_as[index]) {
      auto join = cluster_to_join(db, *poll.same_story_as[index]);
      if (!join) {
        return fail(std::move(join.error()));
      }
      out[index].join = *join;
    }
    stage->reset();
    stage->bind(1, static_cast<std::int64_t>(index))
        .bind(2, item.source_id.empty() ? poll.source_id : item.source_id)
        .bind(3, item.url)
        .bind(4, item.url_key);
    bind_text_or_null(*stage, 5, item.guid).bind(6, item.title);
    bind_text_or_null(*stage, 7, item.summary).bind(8, item.published_at);
    bind_text_or_null(*stage, 9, item.published_text).bind(10, item.date_suspect ? 1 : 0);
    bind_text_or_null(*stage, 11, item.fingerprint)
        .bind(12, poll.started_at)
        .bind(13, item.score)
        .bind(14, encode_string_array(item.matched_terms));
    bind_text_or_null(*stage, 15, item.body);
    bind_text_or_null(*stage, 16, item.content_source);
    if (out[index].join) {
      stage->bind(17, out[index].join->cluster);
    } else {
      stage->bind_null(17);
    }
    bind_text_or_null(*stage, 18, item.original_url);
    if (auto done = stage->run(); !done) {
      return fail(std::move(done.error()));
    }
  }
  // ORDER BY seq: ids are given in the page's order. "WHERE true" is SQLite's required
  // disambiguation of an upsert on INSERT ... SELECT. RETURNING lists only inserted rows.
  auto insert = db.cached(
      "INSERT INTO items (source_id, url, url_key, guid, title, summary, published_at,"
      " published_text, date_suspect, fingerprint, first_seen, score, matched, body,"
      " content_source, cluster_id, original_url)"
      " SELECT source_id, url, url_key, guid, title, summary, published_at, published_text,"
      " date_suspect, fingerprint, first_seen, score, matched, body, content_source, cluster_id,"
      " original_url"
      " FROM temp.poll_items WHERE true ORDER BY seq"
      " ON CONFLICT(url_key) DO NOTHING RETURNING id, url_key");
  if (!insert) {
    return fail(std::move(insert.error()));
  }
  while (true) {
    auto row = insert->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      break;
    }
    const auto found = by_key.find(insert->column_text(1));
    if (found == by_key.end()) {
      return fail(ErrorCode::kInternal,
                  "commit_poll: the database returned an item this poll did not stage");
    }
    out[found->second].id = insert->column_int64(0);
  }
  auto clear = db.cached("DELETE FROM temp.poll_items");
  if (!clear) {
    return fail(std::move(clear.error()));
  }
  if (auto done = clear->run(); !done) {
    return fail(std::move(done.error()));
  }
  return out;
}

struct ClusterDecision {
  std::int64_t candidate_id = 0;
  std::string state{};
  std::string reviewer{};
  std::string reason{};
  std::optional<std::string> edition{};
};

// The latest decision on any candidate of `cluster`; nullopt while all are pending.
Result<std::optional<ClusterDecision>> cluster_decision(Database& db, std::int64_t cluster) {
  auto stmt = db.cached(
      "SELECT c.id, c.state, COALESCE(c.reviewer, ''), COALESCE(c.reason, ''), c.edition"
      " FROM candidates c JOIN items i ON i.id = c.item_id"
      " WHERE i.cluster_id = ?1 AND c.state != 'pending'"
      " ORDER BY c.decided_at DESC, c.id DESC LIMIT 1");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, cluster);
  auto row = stmt->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  if (!*row) {
    return std::optional<ClusterDecision>();
  }
  return std::optional<ClusterDecision>(ClusterDecision{
      .candidate_id = stmt->column_int64(0),
      .state = stmt->column_text(1),
      .reviewer = stmt->column_text(2),
      .reason = stmt->column_text(3),
      .edition = stmt->column_optional_text(4),
  });
}

}  // namespace

std::string_view review_state_name(ReviewState state) {
  switch (state) {
    case ReviewState::kPending: return "pending";
    case ReviewState::kAccepted: return "accepted";
    case ReviewState::kRejected: return "rejected";
    case ReviewState::kPublished: return "published";
  }
  return "pending";
}

std::optional<ReviewState> parse_review_state(std::string_view name) {
  for (ReviewState s : {ReviewState::kPending, ReviewState::kAccepted, ReviewState::kRejected,
                        ReviewState::kPublished}) {
    if (review_state_name(s) == name) {
      return s;
    }
  }
  return std::nullopt;
}

std::string encode_string_array(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out += '"';
    for (const char c : values[i]) {
      const auto byte = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (byte < 0x20 || byte == 0x7F) {
        out += fmt::format("\\u{:04x}", byte);
      } else {
        out += c;
      }
    }
    out += '"';
  }
  out += ']';
  return out;
}

std::optional<std::vector<std::string>> decode_string_array(std::string_view json) {
  JsonReader in(json);
  std::vector<std::string> values;
  in.skip_space();
  if (!in.consume('[')) {
    return std::nullopt;
  }
  in.skip_space();
  if (!in.consume(']')) {
    while (true) {
      std::string value;
      in.skip_space();
      if (!in.read_string(value)) {
        return std::nullopt;
      }
      values.push_back(std::move(value));
      in.skip_space();
      if (in.consume(']')) {
        break;
      }
      if (!in.consume(',')) {
        return std::nullopt;
      }
    }
  }
  in.skip_space();
  if (!in.at_end()) {
    return std::nullopt;
  }
  return values;
}

Result<Store> Store::open(const std::filesystem::path& path) {
  auto db = Database::open(path);
  if (!db) {
    return fail(std::move(db.error()));
  }
  return Store(std::move(*db));
}

Result<Validators> Store::validators(const std::string& source_id) {
  auto stmt = db_.cached("SELECT etag, last_modified FROM sources WHERE id = ?1");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, source_id);
  auto row = stmt->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  Validators v;
  if (*row) {
    v.etag = stmt->column_optional_text(0);
    v.last_modified = stmt->column_optional_text(1);
  }
  return v;
}

Result<std::vector<bool>> Store::known_url_keys(const std::vector<std::string>& keys) {
  std::vector<bool> known;
  known.reserve(keys.size());
  if (keys.empty()) {
    return known;
  }
  auto stmt = db_.cached("SELECT 1 FROM items WHERE url_key = ?1");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  for (const std::string& key : keys) {
    stmt->reset();
    stmt->bind(1, key);
    auto row = stmt->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    known.push_back(*row);
  }
  return known;
}

Result<PollSummary> Store::commit_poll(const PollRecord& poll) {
  if (poll.source_id.empty()) {
    return fail(ErrorCode::kInternal, "commit_poll: the poll record has no source id");
  }
  auto tx = Transaction::begin(db_);
  if (!tx) {
    return fail(std::move(tx.error()));
  }

  const bool success = is_success(poll.outcome);
  // Read before this poll's own success is recorded below.
  bool first_poll = false;
  if (success) {
    auto earlier =
        db_.cached("SELECT 1 FROM sources WHERE id = ?1 AND last_success_at IS NOT NULL");
    if (!earlier) {
      return fail(std::move(earlier.error()));
    }
    earlier->reset();
    earlier->bind(1, poll.source_id);
    auto row = earlier->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    first_poll = !*row;
    earlier->reset();
  }
  auto source = db_.cached(
      "INSERT INTO sources (id, etag, last_modified, last_poll_at, last_outcome, last_error,"
      " last_success_at, consecutive_failures) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
      " ON CONFLICT(id) DO UPDATE SET"
      "  etag = CASE WHEN ?9 THEN excluded.etag ELSE sources.etag END,"
      "  last_modified = CASE WHEN ?9 THEN excluded.last_modified ELSE sources.last_modified END,"
      "  last_poll_at = excluded.last_poll_at,"
      "  last_outcome = excluded.last_outcome,"
      "  last_error = excluded.last_error,"
      "  last_success_at = COALESCE(excluded.last_success_at, sources.last_success_at),"
      "  consecutive_failures ="
      "    CASE WHEN ?10 THEN 0 ELSE sources.consecutive_failures + 1 END");
  if (!source) {
    return fail(std::move(source.error()));
  }
  // Validators are replaced only by a 200: a failed or 304 poll proves nothing new about
  // the page. A 200 without an ETag clears the old one, which no longer describes it.
  const Validators fresh = poll.new_validators.value_or(Validators{});
  source->bind(1, poll.source_id)
      .bind(2, fresh.etag)
      .bind(3, fresh.last_modified)
      .bind(4, poll.started_at)
      .bind(5, poll.outcome)
      .bind(6, null_if_empty(poll.error))
      .bind(7, success ? std::optional<std::int64_t>(poll.started_at) : std::nullopt)
      .bind(8, success ? 0 : 1)
      .bind(9, poll.new_validators.has_value() ? 1 : 0)
      .bind(10, success ? 1 : 0);
  if (auto done = source->run(); !done) {
    return fail(std::move(done.error()));
  }

  PollSummary summary;
  summary.items_seen = static_cast<int>(poll.items.size());
  summary.first_poll = first_poll;
  if (!poll.items.empty()) {
    auto stored = insert_items(db_, poll);
    if (!stored) {
      return fail(std::move(stored.error()));
    }
    auto insert_candidate = db_.cached(
        "INSERT INTO candidates (item_id, state, queued_at, section, reviewer, decided_at,"
        " reason, edition) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!insert_candidate) {
      return fail(std::move(insert_candidate.error()));
    }
    for (std::size_t index = 0; index < poll.items.size(); ++index) {
      const Item& item = poll.items[index];
      const NewItem& stored_item = (*stored)[index];
      // A known url_key is "seen", never re-queued: whatever an editor decided about it
      // (or that it was not a candidate then) stands.
      if (!stored_item.id) {
        continue;
      }
      ++summary.items_new;
      if (!item.legal.empty()) {
        if (auto written =
                store_detail::write_item_legal(db_, *stored_item.id, item.legal, poll.started_at);
            !written) {
          return fail(std::move(written.error()));
        }
      }
      const std::optional<ClusterToJoin>& join = stored_item.join;
      if (join && join->name_after_same_as) {
        if (auto named = name_cluster(db_, join->cluster); !named) {
          return fail(std::move(named.error()));
        }
      }
      if (!item.candidate) {
        continue;
      }
      if (first_poll && poll.backfill_cutoff && item.published_at &&
          *item.published_at < *poll.backfill_cutoff) {
        ++summary.candidates_too_old;
        continue;
      }
      // Deciding a cluster decides its members, including those that arrive later: a
      // story the editors rejected does not come back because another outlet carried it.
      std::optional<ClusterDecision> decided;
      if (join) {
        auto found = cluster_decision(db_, join->cluster);
        if (!found) {
          return fail(std::move(found.error()));
        }
        decided = std::move(*found);
      }
      insert_candidate->reset();
      insert_candidate->bind(1, *stored_item.id)
          .bind(2, decided ? std::string_view(decided->state) : std::string_view("pending"))
          .bind(3, poll.started_at)
          .bind(4, poll.default_section);
      if (decided) {
        insert_candidate->bind(5, decided->reviewer)
            .bind(6, poll.started_at)
            .bind(7, decided->reason)
            .bind(8, decided->edition);
      } else {
        insert_candidate->bind_null(5).bind_null(6).bind_null(7).bind_null(8);
      }
      if (auto done = insert_candidate->run(); !done) {
        return fail(std::move(done.error()));
      }
      if (!decided) {
        ++summary.candidates_new;
        continue;
      }
      const std::int64_t candidate_id = db_.last_insert_rowid();
      if (auto audited = store_detail::write_audit(
              db_, poll.started_at, "herald", "join_cluster", candidate_id,
              fmt::format("{} with the cluster of candidate {}", decided->state,
                          decided->candidate_id));
          !audited) {
        return fail(std::move(audited.error()));
      }
    }
  }

  auto record = db_.cached(
      "INSERT INTO polls (source_id, started_at, duration_ms, outcome, http_status, bytes,"
      " items_seen, items_new, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!record) {
    return fail(std::move(record.error()));
  }
  record->bind(1, poll.source_id)
      .bind(2, poll.started_at)
      .bind(3, poll.duration_ms)
      .bind(4, poll.outcome)
      .bind(5, poll.http_status)
      .bind(6, poll.bytes)
      .bind(7, summary.items_seen)
      .bind(8, summary.items_new)
      .bind(9, null_if_empty(poll.error));
  if (auto done = record->run(); !done) {
    return fail(std::move(done.error()));
  }

  if (auto committed = tx->commit(); !committed) {
    return fail(std::move(committed.error()));
  }
  return summary;
}

Result<std::vector<Candidate>> Store::list_candidates(const QueueFilter& filter) {
  auto stmt = db_.prepare(std::string(kCandidateSelect) +
                          " WHERE (?1 IS NULL OR c.state = ?1) AND (?2 IS NULL OR i.source_id = ?2)"
                          " ORDER BY COALESCE(i.published_at, i.first_seen) DESC, c.id DESC"
                          " LIMIT ?3 OFFSET ?4");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  if (filter.state) {
    stmt->bind(1, review_state_name(*filter.state));
  } else {
    stmt->bind_null(1);
  }
  stmt->bind(2, filter.source_id);
  // limit <= 0 means "no limit" (SQLite's LIMIT -1), as a CLI's --limit 0 would.
  stmt->bind(3, filter.limit > 0 ? filter.limit : -1);
  stmt->bind(4, filter.offset > 0 ? filter.offset : 0);
  return store_detail::read_candidates(db_, *stmt, true);
}

Result<Candidate> Store::get_candidate(std::int64_t id) {
  auto stmt = db_.prepare(std::string(kCandidateSelect) + " WHERE c.id = ?1");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, id);
  auto found = store_detail::read_candidates(db_, *stmt, true);
  if (!found) {
    return fail(std::move(found.error()));
  }
  if (found->empty()) {
    return fail(ErrorCode::kNotFound, fmt::format("no candidate with id {}", id));
  }
  return std::move(found->front());
}

Result<Candidate> Store::decide(std::int64_t id, ReviewState state, const std::string& reviewer,
                                const std::string& reason, std::int64_t now_utc) {
  if (state != ReviewState::kAccepted && state != ReviewState::kRejected) {
    return fail(ErrorCode::kUsage,
                fmt::format("candidate {}: a decision is 'accepted' or 'rejected', not '{}'", id,
                            review_state_name(state)));
  }
  return edit_candidate(id, CandidateEdit{.state = state, .reason = reason}, reviewer, now_utc);
}

Result<std::vector<StoryRecord>> Store::recent_stories(std::int64_t since_utc,
                                                       std::int64_t from_id, int limit) {
  // LIMIT -1: no limit.
  auto stmt = db_.cached(
      "SELECT id, COALESCE(cluster_id, 0), source_id, title, COALESCE(summary, ''), first_seen"
      " FROM items WHERE first_seen >= ?1 AND id >= ?2 ORDER BY id LIMIT ?3");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, since_utc).bind(2, from_id).bind(3, static_cast<std::int64_t>(limit > 0 ? limit : -1));
  std::vector<StoryRecord> out;
  while (true) {
    auto row = stmt->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      break;
    }
    out.push_back(StoryRecord{.item_id = stmt->column_int64(0),
                              .cluster_id = stmt->column_int64(1),
                              .first_seen = stmt->column_int64(5),
                              .source_id = stmt->column_text(2),
                              .title = stmt->column_text(3),
                              .summary = stmt->column_text(4)});
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// store_detail: candidate rows

namespace store_detail {

Result<Candidate> read_candidate(const Statement& row) {
  Candidate c;
  c.id = row.column_int64(0);
  c.item_id = row.column_int64(1);
  c.source_id = row.column_text(2);
  c.title = row.column_text(3);
  c.url = row.column_text(4);
  c.summary = row.column_text(5);
  c.published_at = row.column_optional_int64(6);
  c.published_text = row.column_text(7);
  c.first_seen = row.column_int64(8);
  c.score = row.column_double(9);
  auto terms = decode_string_array(row.column_text(10));
  if (!terms) {
    return fail(ErrorCode::kStorage,
                fmt::format("sqlite: item {} has a malformed matched column (not a JSON array of "
                            "strings)",
                            c.item_id));
  }
  c.matched_terms = std::move(*terms);
  const std::string state = row.column_text(11);
  auto parsed = parse_review_state(state);
  if (!parsed) {
    return fail(ErrorCode::kStorage,
                fmt::format("sqlite: candidate {} has unknown state '{}'", c.id, state));
  }
  c.state = *parsed;
  c.reviewer = row.column_text(12);
  c.decided_at = row.column_optional_int64(13);
  c.reason = row.column_text(14);
  c.section = row.column_text(15);
  c.edited_title = row.column_text(16);
  c.edited_summary = row.column_text(17);
  c.commentary = row.column_text(18);
  c.edition = row.column_text(19);
  c.body = row.column_text(20);
  c.cluster_id = row.column_int64(21);
  c.position = static_cast<int>(row.column_int64(22));
  c.original_url = row.column_text(23);
  return c;
}

Result<std::vector<Candidate>> read_candidates(Database& db, Statement& stmt, bool with_clusters) {
  std::vector<Candidate> out;
  while (true) {
    auto row = stmt.step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      break;
    }
    auto candidate = read_candidate(stmt);
    if (!candidate) {
      return fail(std::move(candidate.error()));
    }
    out.push_back(std::move(*candidate));
  }
  // After the rows are read: the lookup statement must not interleave with `stmt`'s steps.
  for (Candidate& candidate : out) {
    if (auto loaded = load_item_legal(db, candidate.item_id, candidate.legal); !loaded) {
      return fail(std::move(loaded.error()));
    }
  }
  if (with_clusters) {
    for (Candidate& candidate : out) {
      if (auto loaded = load_cluster_members(db, candidate); !loaded) {
        return fail(std::move(loaded.error()));
      }
    }
  }
  return out;
}

Result<void> load_cluster_members(Database& db, Candidate& candidate) {
  candidate.also_reported_by.clear();
  if (candidate.cluster_id == 0) {
    return {};
  }
  auto stmt = db.prepare(
      "SELECT COALESCE(c.id, 0), i.id, i.source_id, i.title, i.url"
      " FROM items i LEFT JOIN candidates c ON c.item_id = i.id"
      " WHERE i.cluster_id = ?1 AND i.id != ?2"
      " ORDER BY COALESCE(i.published_at, i.first_seen), i.id");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, candidate.cluster_id).bind(2, candidate.item_id);
  while (true) {
    auto row = stmt->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return {};
    }
    candidate.also_reported_by.push_back(ClusterMember{.candidate_id = stmt->column_int64(0),
                                                       .item_id = stmt->column_int64(1),
                                                       .source_id = stmt->column_text(2),
                                                       .title = stmt->column_text(3),
                                                       .url = stmt->column_text(4)});
  }
}

Result<std::vector<std::int64_t>> cluster_candidate_ids(Database& db, std::int64_t cluster_id) {
  auto stmt = db.prepare(
      "SELECT c.id FROM candidates c JOIN items i ON i.id = c.item_id"
      " WHERE i.cluster_id = ?1 ORDER BY c.id");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, cluster_id);
  std::vector<std::int64_t> ids;
  while (true) {
    auto row = stmt->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return ids;
    }
    ids.push_back(stmt->column_int64(0));
  }
}

Result<void> write_audit(Database& db, std::int64_t at, std::string_view actor,
                         std::string_view action, std::int64_t candidate_id,
                         std::string_view detail) {
  auto audit = db.cached(
      "INSERT INTO audit (at, actor, action, candidate_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!audit) {
    return fail(std::move(audit.error()));
  }
  audit->bind(1, at).bind(2, actor).bind(3, action).bind(4, candidate_id);
  if (detail.empty()) {
    audit->bind_null(5);
  } else {
    audit->bind(5, detail);
  }
  return audit->run();
}

}  // namespace store_detail
}  // namespace herald
