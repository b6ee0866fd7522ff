#include <array>
#include <string_view>

#include <fmt/format.h>

#include "storage/database.h"

namespace herald {
namespace {

// Schema patches in order: kMigrations[i] takes PRAGMA user_version from i to i + 1.
// Append only. A released patch is never edited, because databases in the field have
// already run it; a change is a new patch.
constexpr std::array<std::string_view, 12> kMigrations = {
    // v1: sources, polls, items, candidates, audit (DESIGN.md "Storage").
    R"sql(
CREATE TABLE sources (
  id TEXT PRIMARY KEY,
  etag TEXT,
  last_modified TEXT,
  last_poll_at INTEGER,
  last_outcome TEXT,
  last_error TEXT,
  last_success_at INTEGER,
  consecutive_failures INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE polls (
  id INTEGER PRIMARY KEY,
  source_id TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  duration_ms INTEGER,
  outcome TEXT NOT NULL,
  http_status INTEGER,
  bytes INTEGER,
  items_seen INTEGER,
  items_new INTEGER,
  error TEXT
);

CREATE TABLE items (
  id INTEGER PRIMARY KEY,
  source_id TEXT NOT NULL,
  url TEXT NOT NULL,
  url_key TEXT NOT NULL UNIQUE,
  guid TEXT,
  title TEXT NOT NULL,
  summary TEXT,
  published_at INTEGER,
  published_text TEXT,
  date_suspect INTEGER NOT NULL DEFAULT 0,
  fingerprint TEXT,
  first_seen INTEGER NOT NULL,
  score REAL NOT NULL DEFAULT 0,
  matched TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE candidates (
  id INTEGER PRIMARY KEY,
  item_id INTEGER NOT NULL UNIQUE REFERENCES items(id) ON DELETE CASCADE,
  state TEXT NOT NULL CHECK(state IN ('pending','accepted','rejected')) DEFAULT 'pending',
  queued_at INTEGER NOT NULL,
  reviewer TEXT,
  decided_at INTEGER,
  reason TEXT
);

CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  candidate_id INTEGER,
  detail TEXT
);

CREATE INDEX items_source_first_seen ON items(source_id, first_seen);
CREATE INDEX items_fingerprint ON items(fingerprint);
CREATE INDEX candidates_state_queued ON candidates(state, queued_at);
CREATE INDEX polls_source_started ON polls(source_id, started_at);
)sql",
    // v2: what article enrichment reads from an item's own page.
    R"sql(
ALTER TABLE items ADD COLUMN body TEXT;
ALTER TABLE items ADD COLUMN content_source TEXT;
)sql",
    // v3: the editors' desk. candidates is rebuilt because SQLite cannot alter a CHECK
    // constraint ('published' is new); ids are copied so audit rows and links stay valid.
    // Nothing references candidates, so the drop cannot cascade.
    R"sql(
CREATE TABLE candidates_v3 (
  id INTEGER PRIMARY KEY,
  item_id INTEGER NOT NULL UNIQUE REFERENCES items(id) ON DELETE CASCADE,
  state TEXT NOT NULL
    CHECK(state IN ('pending','accepted','rejected','published')) DEFAULT 'pending',
  queued_at INTEGER NOT NULL,
  reviewer TEXT,
  decided_at INTEGER,
  reason TEXT,
  section TEXT NOT NULL DEFAULT '',
  edited_title TEXT,
  edited_summary TEXT,
  commentary TEXT,
  edition TEXT,
  position INTEGER
);
INSERT INTO candidates_v3 (id, item_id, state, queued_at, reviewer, decided_at, reason)
  SELECT id, item_id, state, queued_at, reviewer, decided_at, reason FROM candidates;
DROP TABLE candidates;
ALTER TABLE candidates_v3 RENAME TO candidates;
CREATE INDEX candidates_state_queued ON candidates(state, queued_at);
CREATE INDEX candidates_edition ON candidates(edition);

-- Same story, other outlet: the id of the cluster's first item; NULL = alone.
ALTER TABLE items ADD COLUMN cluster_id INTEGER;
CREATE INDEX items_cluster ON items(cluster_id);
CREATE INDEX items_first_seen ON items(first_seen);

-- Full-text search for the queue. trigram finds substrings of 3+ characters in any
-- script, so Chinese needs no word segmentation; shorter queries use LIKE instead
-- (Store::query_queue). External content: the text lives once, in items.
CREATE VIRTUAL TABLE items_fts USING fts5(
  title, summary, body, content='items', content_rowid='id', tokenize='trigram');
CREATE TRIGGER items_fts_after_insert AFTER INSERT ON items BEGIN
  INSERT INTO items_fts(rowid, title, summary, body)
    VALUES (new.id, new.title, new.summary, new.body);
END;
CREATE TRIGGER items_fts_after_delete AFTER DELETE ON items BEGIN
  INSERT INTO items_fts(items_fts, rowid, title, summary, body)
    VALUES ('delete', old.id, old.title, old.summary, old.body);
END;
CREATE TRIGGER items_fts_after_update AFTER UPDATE OF title, summary, body ON items BEGIN
  INSERT INTO items_fts(items_fts, rowid, title, summary, body)
    VALUES ('delete', old.id, old.title, old.summary, old.body);
  INSERT INTO items_fts(rowid, title, summary, body)
    VALUES (new.id, new.title, new.summary, new.body);
END;
INSERT INTO items_fts(items_fts) VALUES ('rebuild');

-- Web UI accounts; password_hash is libsodium's Argon2id string.
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK(role IN ('editor','admin')),
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- Web sessions: only the SHA-256 of the cookie's token is stored.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX audit_candidate ON audit(candidate_id, at);
)sql",
    // v4: the daemon's own small state (last digest sent, each source's alert state, last
    // nightly backup), so a restart neither repeats nor forgets a notification.
    R"sql(
CREATE TABLE service_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
)sql",
    // v5: the evidence archive (storage/evidence.h, docs/evidence.md): one row per kept
    // fetch, its body in the archive directory by SHA-256, linked to the items it produced;
    // and the hash of each source's last processed list body, so an unchanged 200 is not
    // parsed again.
    R"sql(
CREATE TABLE evidence (
  id INTEGER PRIMARY KEY,
  fetch_uid TEXT NOT NULL UNIQUE,   -- random; lets the poll's transaction find its rows
  source_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('list','article')),
  url TEXT NOT NULL,                -- as requested
  final_url TEXT NOT NULL,          -- after redirects
  status INTEGER NOT NULL,
  headers TEXT NOT NULL,            -- JSON [[name, value], ...] as received
  fetched_at INTEGER NOT NULL,      -- UTC seconds
  body_sha256 TEXT NOT NULL,        -- the file <archive>/ab/cdef....gz
  size INTEGER NOT NULL,            -- body bytes
  stored_size INTEGER NOT NULL      -- gzip file bytes
);
CREATE INDEX evidence_body ON evidence(body_sha256);
CREATE INDEX evidence_url ON evidence(url, fetched_at);
CREATE INDEX evidence_fetched ON evidence(fetched_at);
CREATE TABLE item_evidence (
  item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,
  PRIMARY KEY (item_id, evidence_id)
) WITHOUT ROWID;
CREATE INDEX item_evidence_evidence ON item_evidence(evidence_id);
ALTER TABLE sources ADD COLUMN list_sha256 TEXT;
)sql",
    // v6: the queue's two lookups (Store::query_queue): items newest first, so a page of a
    // large queue stops after its last card instead of sorting every match; and the few
    // candidates an editor has edited, so searching the editors' text does not read every
    // candidate. The expression must stay exactly the one query_queue orders by.
    R"sql(
CREATE INDEX items_date ON items(COALESCE(published_at, first_seen));
CREATE INDEX candidates_edited ON candidates(id)
  WHERE edited_title IS NOT NULL OR edited_summary IS NOT NULL OR commentary IS NOT NULL;
)sql",
    // v7: the notification outbox (docs/notifications.md). Each message to each channel is a
    // row, written in the same transaction that advances the digest time or a source's
    // alert state, so a restart or reload while a chat service is down loses nothing. A
    // message is (msg_key, channel): enqueueing the same digest or alert again is one row.
    // Delivered and dropped rows stay a while, so an old message is never sent again.
    R"sql(
CREATE TABLE notify_outbox (
  id INTEGER PRIMARY KEY,
  msg_key TEXT NOT NULL,            -- "digest:<since>:<until>", "alert:<at>:<sources>"
  channel TEXT NOT NULL,            -- "webhook:<name>" or "email"
  event TEXT NOT NULL,              -- "digest" or "alert"
  format TEXT NOT NULL,             -- the webhook format the body is written for, or "email"
  subject TEXT NOT NULL DEFAULT '', -- e-mail only
  body TEXT NOT NULL,               -- the webhook's request body, or the e-mail's text
  message_id TEXT NOT NULL DEFAULT '', -- e-mail only: the same Message-ID on every attempt
  created_at INTEGER NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('pending','delivered','dropped')) DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,         -- UTC second of the next attempt
  done_at INTEGER,                  -- delivered or dropped at
  last_error TEXT,
  UNIQUE (msg_key, channel)
);
CREATE INDEX notify_outbox_pending ON notify_outbox(state, id);
)sql",
    // v8: accounts can be disabled without losing their role or audit trail (herald users
    // disable); a disabled account cannot sign in and its sessions are gone.
    R"sql(
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
)sql",
    // v9: repair proposals (docs/repair.md): when a source's page stops matching, herald
    // runs discovery on it and keeps what it would change here, until an admin applies or
    // discards it. At most one open proposal per source (the partial unique index).
    R"sql(
CREATE TABLE repair_proposals (
  id INTEGER PRIMARY KEY,
  source_id TEXT NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('open','applied','discarded','superseded'))
    DEFAULT 'open',
  created_at INTEGER NOT NULL,
  cause TEXT NOT NULL,              -- why: "no_match", "few_items: 2, usually 20"
  page_url TEXT NOT NULL,           -- the page discovery read (final URL)
  page_sha256 TEXT NOT NULL,        -- its body's hash: a new proposal only for a new page
  file_path TEXT NOT NULL,          -- the source file the proposal replaces
  file_sha256 TEXT NOT NULL,        -- that file as it was: apply refuses a file edited since
  proposed_text TEXT NOT NULL,      -- the complete proposed source file
  diff TEXT NOT NULL,               -- unified diff, current -> proposed
  items TEXT NOT NULL,              -- JSON array: what the proposed rules extract
  items_found INTEGER NOT NULL,
  known_found INTEGER NOT NULL,     -- of items_found, already stored by herald
  known_total INTEGER NOT NULL,     -- the source's stored items it was compared with
  confidence REAL NOT NULL,
  summary TEXT NOT NULL,            -- the region chosen and why, for people
  decided_at INTEGER,
  decided_by TEXT,
  backup_path TEXT                  -- applied: where the old file was kept
);
CREATE UNIQUE INDEX repair_proposals_open ON repair_proposals(source_id) WHERE state = 'open';
CREATE INDEX repair_proposals_source ON repair_proposals(source_id, id);
)sql",
    // v10: drafts (docs/drafts.md): a Chinese headline and 摘要 herald prepares for each
    // candidate, from the firm's model endpoint or, without one, from the article's lead
    // sentences. A draft never replaces the original: editors accept (it becomes the
    // candidate's edited title/summary), edit or discard it. The row is also the drafting
    // queue: 'queued' rows are worked in the background, with attempts and backoff that
    // survive restarts.
    R"sql(
CREATE TABLE drafts (
  id INTEGER PRIMARY KEY,
  candidate_id INTEGER NOT NULL UNIQUE REFERENCES candidates(id) ON DELETE CASCADE,
  state TEXT NOT NULL CHECK(state IN ('queued','ready','failed','accepted','discarded'))
    DEFAULT 'queued',
  method TEXT,                      -- 'model' or 'extractive' once written
  model TEXT,                       -- the model that wrote it ('' for extractive)
  title TEXT,
  summary TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  decided_by TEXT
);
CREATE INDEX drafts_queue ON drafts(state, next_attempt_at);
)sql",
    // v11: clean links. items.url is stored without tracking parameters (utm_*, spm, from,
    // ...) and fragments; the link exactly as the site gave it is kept here when it differs,
    // for evidence.
    R"sql(
ALTER TABLE items ADD COLUMN original_url TEXT;
)sql",
    // v12: legal metadata (docs/legal.md): 文号, issuer, adopted/published/effective dates,
    // instrument type, comment deadline and how to comment, each with where it was read
    // ("table:文号", "meta:PubDate", "text:<sentence>", "editor:<name>"). One row per item
    // that states any of it; dates are calendar dates "YYYY-MM-DD" as the page prints them.
    R"sql(
CREATE TABLE item_legal (
  item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
  doc_number TEXT, doc_number_from TEXT,
  issuer TEXT, issuer_from TEXT,
  adopted_on TEXT, adopted_on_from TEXT,
  published_on TEXT, published_on_from TEXT,
  effective_on TEXT, effective_on_from TEXT,
  instrument TEXT, instrument_from TEXT,
  comment_deadline TEXT, comment_deadline_from TEXT,
  comment_how TEXT, comment_how_from TEXT,
  updated_at INTEGER NOT NULL
);
CREATE INDEX item_legal_deadline ON item_legal(comment_deadline)
  WHERE comment_deadline IS NOT NULL;
CREATE INDEX item_legal_instrument ON item_legal(instrument) WHERE instrument IS NOT NULL;
)sql",
};

Result<int> read_user_version(Database& db) {
  auto stmt = db.prepare("PRAGMA user_version");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  auto row = stmt->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  return *row ? static_cast<int>(stmt->column_int64(0)) : 0;
}

}  // namespace

int current_schema_version() { return static_cast<int>(kMigrations.size()); }

std::string_view schema_patch(int version) {
  if (version < 1 || version > current_schema_version()) {
    return {};
  }
  return kMigrations[static_cast<std::size_t>(version - 1)];
}

Result<void> migrate(Database& db) {
  auto version = read_user_version(db);
  if (!version) {
    return fail(std::move(version.error()));
  }
  if (*version > current_schema_version()) {
    return fail(ErrorCode::kStorage,
                fmt::format("schema version {} is newer than this herald understands ({}); "
                            "run the newer herald or restore a matching backup",
                            *version, current_schema_version()));
  }
  // One transaction per version: user_version lives in the database header, so it
  // commits (or rolls back) together with the patch it records. The version is read again
  // under the write lock, in case another process migrated in between.
  while (*version < current_schema_version()) {
    auto tx = Transaction::begin(db);
    if (!tx) {
      return fail(std::move(tx.error()));
    }
    version = read_user_version(db);
    if (!version) {
      return fail(std::move(version.error()));
    }
    if (*version >= current_schema_version()) {
      break;  // the rollback in tx's destructor releases the lock; nothing was written
    }
    const int next = *version + 1;
    if (auto applied = db.exec(kMigrations[static_cast<std::size_t>(next - 1)]); !applied) {
      Error error = std::move(applied.error());
      error.message = fmt::format("schema migration to version {}: {}", next, error.message);
      return fail(std::move(error));
    }
    if (auto recorded = db.exec(fmt::format("PRAGMA user_version = {}", next)); !recorded) {
      return recorded;
    }
    if (auto committed = tx->commit(); !committed) {
      return committed;
    }
    version = next;
  }
  return {};
}

}  // namespace herald
