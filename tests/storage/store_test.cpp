#include "storage/store.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/storage/memory_store.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

Item make_item(const std::string& key, bool candidate = false,
               std::optional<std::int64_t> published_at = std::nullopt) {
  Item item;
  item.source_id = "bj-gov";
  item.title = "关于人工智能的通知 " + key;
  item.url = "https://www.example.gov.cn/" + key + ".html";
  item.url_key = "www.example.gov.cn/" + key + ".html";
  item.summary = "summary of " + key;
  item.published_text = "2024-03-01";
  item.published_at = published_at;
  item.fingerprint = "fp-" + key;
  item.score = candidate ? 2.5 : 0.0;
  item.matched_terms = candidate ? std::vector<std::string>{"人工智能", "AI \"act\""}
                                 : std::vector<std::string>{};
  item.candidate = candidate;
  return item;
}

PollRecord ok_poll(std::int64_t started_at, std::vector<Item> items,
                   std::optional<Validators> validators = std::nullopt) {
  PollRecord poll;
  poll.source_id = "bj-gov";
  poll.started_at = started_at;
  poll.duration_ms = 840;
  poll.outcome = "ok";
  poll.http_status = 200;
  poll.bytes = 12345;
  poll.new_validators = std::move(validators);
  poll.items = std::move(items);
  return poll;
}

PollRecord failed_poll(std::int64_t started_at, std::string error) {
  PollRecord poll;
  poll.source_id = "bj-gov";
  poll.started_at = started_at;
  poll.outcome = "timeout";
  poll.error = std::move(error);
  return poll;
}

class StoreTest : public testing::MemoryStoreTest {
 protected:
  std::int64_t count(const std::string& sql) {
    auto stmt = store().database().prepare(sql);
    EXPECT_TRUE(stmt.has_value()) << stmt.error().message;
    auto row = stmt->step();
    EXPECT_TRUE(row.has_value() && *row);
    return stmt->column_int64(0);
  }

  std::vector<Candidate> list(QueueFilter filter) {
    auto listed = store().list_candidates(filter);
    EXPECT_TRUE(listed.has_value()) << listed.error().message;
    return listed.value_or(std::vector<Candidate>{});
  }
};

TEST_F(StoreTest, FirstPollInsertsEveryItemAsNew) {
  auto summary = store().commit_poll(ok_poll(1000, {make_item("a"), make_item("b"),
                                                    make_item("c", true)}));

  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_EQ(summary->items_seen, 3);
  EXPECT_EQ(summary->items_new, 3);
  EXPECT_EQ(summary->candidates_new, 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM items"), 3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM items WHERE first_seen = 1000"), 3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM polls WHERE items_seen = 3 AND items_new = 3"
                  " AND outcome = 'ok' AND http_status = 200 AND error IS NULL"),
            1);
}

TEST_F(StoreTest, AStoredItemIsQueuedOnceWhenAnEditorAsksForIt) {
  ASSERT_TRUE(store().commit_poll(ok_poll(1000, {make_item("a"), make_item("b", true)})));

  auto queued = store().queue_stored_item("www.example.gov.cn/a.html", "最新行业动态", 2000);
  ASSERT_TRUE(queued) << queued.error().message;
  EXPECT_TRUE(*queued);
  EXPECT_EQ(count("SELECT COUNT(*) FROM candidates c JOIN items i ON i.id = c.item_id"
                  " WHERE i.url_key = 'www.example.gov.cn/a.html' AND c.state = 'pending'"
                  " AND c.section = '最新行业动态' AND c.queued_at = 2000"),
            1);

  // Asking again, for an item already queued by its poll, or for an unknown one: nothing.
  for (const char* key : {"www.example.gov.cn/a.html", "www.example.gov.cn/b.html",
                          "www.example.gov.cn/unknown.html"}) {
    auto again = store().queue_stored_item(key, "最新行业动态", 3000);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_FALSE(*again) << key;
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM candidates"), 2);
}

TEST_F(StoreTest, SamePollAgainFindsNothingNew) {
  const std::vector<Item> items = {make_item("a"), make_item("b", true)};
  ASSERT_TRUE(store().commit_poll(ok_poll(1000, items)).has_value());

  auto again = store().commit_poll(ok_poll(2000, items));

  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(again->items_seen, 2);
  EXPECT_EQ(again->items_new, 0);
  EXPECT_EQ(again->candidates_new, 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM items"), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM candidates"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM items WHERE first_seen = 1000"), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM polls WHERE started_at = 2000 AND items_new = 0"
                  " AND items_seen = 2"),
            1);
}

TEST_F(StoreTest, DuplicateUrlKeyWithinOnePollIsStoredOnce) {
  Item first = make_item("a", true);
  Item again = make_item("a", true);
  again.title = "same link, other title";

  auto summary = store().commit_poll(ok_poll(1000, {first, again}));

  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_EQ(summary->items_seen, 2);
  EXPECT_EQ(summary->items_new, 1);
  EXPECT_EQ(summary->candidates_new, 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM items"), 1);
}

TEST_F(StoreTest, ValidatorsAreSavedOnlyWithNewValidators) {
  EXPECT_EQ(store().validators("bj-gov")->etag, std::nullopt);  // unknown source: none

  ASSERT_TRUE(store()
                  .commit_poll(ok_poll(1000, {}, Validators{"\"v1\"", "Fri, 01 Mar 2024"}))
                  .has_value());
  auto saved = store().validators("bj-gov");
  ASSERT_TRUE(saved.has_value()) << saved.error().message;
  EXPECT_EQ(saved->etag, "\"v1\"");
  EXPECT_EQ(saved->last_modified, "Fri, 01 Mar 2024");

  PollRecord not_modified = ok_poll(2000, {});
  not_modified.outcome = "not_modified";
  not_modified.http_status = 304;
  ASSERT_TRUE(store().commit_poll(not_modified).has_value());
  ASSERT_TRUE(store().commit_poll(failed_poll(3000, "timed out after 30 s")).has_value());
  EXPECT_EQ(store().validators("bj-gov")->etag, "\"v1\"");
  EXPECT_EQ(store().validators("bj-gov")->last_modified, "Fri, 01 Mar 2024");

  // A later 200 without an ETag replaces both: the old ETag describes an old page.
  ASSERT_TRUE(store().commit_poll(ok_poll(4000, {}, Validators{std::nullopt, "Sat"})).has_value());
  EXPECT_EQ(store().validators("bj-gov")->etag, std::nullopt);
  EXPECT_EQ(store().validators("bj-gov")->last_modified, "Sat");
  EXPECT_EQ(store().validators("other")->last_modified, std::nullopt);
}

TEST_F(StoreTest, OnlyCandidateItemsAreQueued) {
  auto summary = store().commit_poll(
      ok_poll(1000, {make_item("plain"), make_item("flagged", true)}));

  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  const auto queued = list({.state = std::nullopt});
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].url, "https://www.example.gov.cn/flagged.html");
  EXPECT_EQ(queued[0].title, "关于人工智能的通知 flagged");
  EXPECT_EQ(queued[0].source_id, "bj-gov");
  EXPECT_EQ(queued[0].summary, "summary of flagged");
  EXPECT_EQ(queued[0].published_text, "2024-03-01");
  EXPECT_EQ(queued[0].first_seen, 1000);
  EXPECT_DOUBLE_EQ(queued[0].score, 2.5);
  EXPECT_EQ(queued[0].matched_terms, (std::vector<std::string>{"人工智能", "AI \"act\""}));
  EXPECT_EQ(queued[0].state, ReviewState::kPending);
  EXPECT_EQ(queued[0].decided_at, std::nullopt);
  EXPECT_EQ(count("SELECT COUNT(*) FROM candidates WHERE queued_at = 1000"), 1);
}

TEST_F(StoreTest, DecidedItemSeenAgainIsNotRequeued) {
  ASSERT_TRUE(store().commit_poll(ok_poll(1000, {make_item("a", true)})).has_value());
  const auto pending = list({});
  ASSERT_EQ(pending.size(), 1u);
  ASSERT_TRUE(store().decide(pending[0].id, ReviewState::kAccepted, "ann", "", 1500).has_value());

  auto again = store().commit_poll(ok_poll(2000, {make_item("a", true)}));

  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(again->candidates_new, 0);
  EXPECT_TRUE(list({}).empty());  // nothing pending
  auto kept = store().get_candidate(pending[0].id);
  ASSERT_TRUE(kept.has_value()) << kept.error().message;
  EXPECT_EQ(kept->state, ReviewState::kAccepted);
  EXPECT_EQ(count("SELECT COUNT(*) FROM candidates"), 1);
}

TEST_F(StoreTest, FailingItemRollsBackTheWholePoll) {
  ASSERT_TRUE(store()
                  .commit_poll(ok_poll(1000, {make_item("old", true)}, Validators{"\"v1\"", {}}))
                  .has_value());
  // Stands in for any failure halfway through the writes (constraint, SQLITE_FULL, I/O).
  ASSERT_TRUE(store().database().exec(
      "CREATE TRIGGER poison BEFORE INSERT ON items WHEN NEW.title = 'poison'"
      " BEGIN SELECT RAISE(ABORT, 'poison item refused'); END"));
  Item poison = make_item("p", true);
  poison.title = "poison";

  auto result = store().commit_poll(
      ok_poll(2000, {make_item("new", true), poison, make_item("later")}, Validators{"\"v2\"", {}}));

  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kStorage);
  EXPECT_NE(result.error().message.find("poison item refused"), std::string::npos)
      << result.error().message;
  EXPECT_EQ(count("SELECT COUNT(*) FROM items"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM candidates"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM polls"), 1);
  EXPECT_EQ(store().validators("bj-gov")->etag, "\"v1\"");
  const auto health = store().source_health(0);
  ASSERT_TRUE(health.has_value());
  ASSERT_EQ(health->size(), 1u);
  EXPECT_EQ((*health)[0].last_poll_at, 1000);

  // The connection is usable afterwards: the next poll commits normally.
  auto next = store().commit_poll(ok_poll(3000, {make_item("new", true)}));
  ASSERT_TRUE(next.has_value()) << next.error().message;
  EXPECT_EQ(next->items_new, 1);
}

std::vector<std::string> urls(const std::vector<Candidate>& candidates) {
  std::vector<std::string> out;
  for (const auto& c : candidates) {
    out.push_back(c.url.substr(c.url.rfind('/') + 1));
  }
  return out;
}

TEST_F(StoreTest, ListIsNewestFirstAndFiltersBySourceAndState) {
  Item old_item = make_item("old", true, 100);
  Item mid_item = make_item("mid", true, 200);
  Item undated = make_item("undated", true);  // sorted by first_seen (1000) instead
  Item other = make_item("other", true, 150);
  other.source_id = "sh-gov";
  ASSERT_TRUE(store().commit_poll(ok_poll(1000, {old_item, mid_item, undated, other})).has_value());

  EXPECT_EQ(urls(list({})),
            (std::vector<std::string>{"undated.html", "mid.html", "other.html", "old.html"}));
  EXPECT_EQ(urls(list({.source_id = "sh-gov"})), (std::vector<std::string>{"other.html"}));
  EXPECT_EQ(urls(list({.limit = 2})), (std::vector<std::string>{"undated.html", "mid.html"}));
  EXPECT_EQ(urls(list({.limit = 2, .offset = 2})),
            (std::vector<std::string>{"other.html", "old.html"}));

  const auto all = list({});
  ASSERT_TRUE(store().decide(all[1].id, ReviewState::kRejected, "bo", "off topic", 2000));
  EXPECT_EQ(urls(list({})), (std::vector<std::string>{"undated.html", "other.html", "old.html"}));
  EXPECT_EQ(urls(list({.state = ReviewState::kRejected})),
            (std::vector<std::string>{"mid.html"}));
  EXPECT_EQ(list({.state = std::nullopt}).size(), 4u);
  EXPECT_TRUE(list({.state = ReviewState::kAccepted}).empty());
}

TEST_F(StoreTest, SamePublishedTimeFallsBackToNewestCandidateId) {
  ASSERT_TRUE(store()
                  .commit_poll(ok_poll(1000, {make_item("first", true, 500),
                                              make_item("second", true, 500)}))
                  .has_value());

  EXPECT_EQ(urls(list({})), (std::vector<std::string>{"second.html", "first.html"}));
}

TEST_F(StoreTest, DecideUpdatesTheCandidateAndWritesAnAuditRow) {
  ASSERT_TRUE(store().commit_poll(ok_poll(1000, {make_item("a", true)})).has_value());
  const std::int64_t id = list({}).at(0).id;

  auto decided = store().decide(id, ReviewState::kRejected, "ann", "not about AI", 1700);

  ASSERT_TRUE(decided.has_value()) << decided.error().message;
  EXPECT_EQ(decided->id, id);
  EXPECT_EQ(decided->state, ReviewState::kRejected);
  EXPECT_EQ(decided->reviewer, "ann");
  EXPECT_EQ(decided->decided_at, 1700);
  EXPECT_EQ(decided->reason, "not about AI");
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit WHERE at = 1700 AND actor = 'ann'"
                  " AND action = 'reject' AND candidate_id = " + std::to_string(id) +
                  " AND detail = 'not about AI'"),
            1);

  auto accepted = store().decide(id, ReviewState::kAccepted, "bo", "", 1800);
  ASSERT_TRUE(accepted.has_value()) << accepted.error().message;
  EXPECT_EQ(accepted->state, ReviewState::kAccepted);
  EXPECT_EQ(accepted->reason, "");
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit WHERE action = 'accept' AND actor = 'bo'"), 1);
}

TEST_F(StoreTest, DecideUnknownIdIsNotFoundAndWritesNoAudit) {
  auto decided = store().decide(42, ReviewState::kAccepted, "ann", "", 1700);

  ASSERT_FALSE(decided.has_value());
  EXPECT_EQ(decided.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(decided.error().message, "no candidate with id 42");
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit"), 0);
}

TEST_F(StoreTest, DecideToPendingIsAUsageError) {
  ASSERT_TRUE(store().commit_poll(ok_poll(1000, {make_item("a", true)})).has_value());
  const std::int64_t id = list({}).at(0).id;

  auto decided = store().decide(id, ReviewState::kPending, "ann", "", 1700);

  ASSERT_FALSE(decided.has_value());
  EXPECT_EQ(decided.error().code, ErrorCode::kUsage);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit"), 0);
}

TEST_F(StoreTest, GetCandidateReturnsItOrNotFound) {
  ASSERT_TRUE(store().commit_poll(ok_poll(1000, {make_item("a", true, 900)})).has_value());
  const std::int64_t id = list({}).at(0).id;

  auto found = store().get_candidate(id);
  auto missing = store().get_candidate(id + 100);

  ASSERT_TRUE(found.has_value()) << found.error().message;
  EXPECT_EQ(found->published_at, 900);
  EXPECT_EQ(found->url, "https://www.example.gov.cn/a.html");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message, "no candidate with id " + std::to_string(id + 100));
}

TEST_F(StoreTest, SourceHealthCountsFailuresAndResetsOnSuccess) {
  ASSERT_TRUE(store().commit_poll(ok_poll(1000, {make_item("a"), make_item("b")})).has_value());
  ASSERT_TRUE(store().commit_poll(failed_poll(2000, "timed out")).has_value());
  ASSERT_TRUE(store().commit_poll(failed_poll(3000, "timed out again")).has_value());

  auto failing = store().source_health(0);

  ASSERT_TRUE(failing.has_value()) << failing.error().message;
  ASSERT_EQ(failing->size(), 1u);
  EXPECT_EQ((*failing)[0].source_id, "bj-gov");
  EXPECT_EQ((*failing)[0].consecutive_failures, 2);
  EXPECT_EQ((*failing)[0].last_poll_at, 3000);
  EXPECT_EQ((*failing)[0].last_outcome, "timeout");
  EXPECT_EQ((*failing)[0].last_error, "timed out again");
  EXPECT_EQ((*failing)[0].last_success_at, 1000);
  EXPECT_EQ((*failing)[0].items_total, 2);

  PollRecord not_modified = ok_poll(4000, {});
  not_modified.outcome = "not_modified";
  ASSERT_TRUE(store().commit_poll(not_modified).has_value());
  auto recovered = store().source_health(0);
  ASSERT_TRUE(recovered.has_value()) << recovered.error().message;
  EXPECT_EQ((*recovered)[0].consecutive_failures, 0);
  EXPECT_EQ((*recovered)[0].last_success_at, 4000);
  EXPECT_EQ((*recovered)[0].last_error, "");
  EXPECT_EQ(count("SELECT COUNT(*) FROM polls"), 4);
}

TEST_F(StoreTest, FirstPollOfASourceThatFailsStartsAtOneFailure) {
  ASSERT_TRUE(store().commit_poll(failed_poll(1000, "dns")).has_value());

  auto health = store().source_health(0);

  ASSERT_TRUE(health.has_value()) << health.error().message;
  ASSERT_EQ(health->size(), 1u);
  EXPECT_EQ((*health)[0].consecutive_failures, 1);
  EXPECT_EQ((*health)[0].last_success_at, std::nullopt);
  EXPECT_EQ((*health)[0].items_total, 0);
}

TEST_F(StoreTest, KnownUrlKeysTellsWhichItemsAreAlreadyStored) {
  ASSERT_TRUE(store().commit_poll(ok_poll(1000, {make_item("a"), make_item("c")})));

  auto known = store().known_url_keys(
      {"www.example.gov.cn/a.html", "www.example.gov.cn/b.html", "www.example.gov.cn/c.html",
       "www.example.gov.cn/a.html"});

  ASSERT_TRUE(known.has_value()) << known.error().message;
  EXPECT_EQ(*known, (std::vector<bool>{true, false, true, true}));
  auto none = store().known_url_keys({});
  ASSERT_TRUE(none.has_value()) << none.error().message;
  EXPECT_TRUE(none->empty());
}

TEST_F(StoreTest, BodyAndContentSourceAreStoredAndEmptyMeansNull) {
  Item enriched = make_item("a");
  enriched.body = "第一段。\n\n第二段。";
  enriched.content_source = "教育部";
  ASSERT_TRUE(store().commit_poll(ok_poll(1000, {enriched, make_item("b")})));

  EXPECT_EQ(count("SELECT COUNT(*) FROM items WHERE url_key = 'www.example.gov.cn/a.html'"
                  " AND body = '第一段。' || char(10) || char(10) || '第二段。'"
                  " AND content_source = '教育部'"),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM items WHERE url_key = 'www.example.gov.cn/b.html'"
                  " AND body IS NULL AND content_source IS NULL"),
            1);
}

TEST(StoreFileTest, CommittedPollSurvivesReopen) {
  testing::TempDir dir;
  const auto path = dir.path() / "herald.db";
  {
    auto store = Store::open(path);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    ASSERT_TRUE(
        store->commit_poll(ok_poll(1000, {make_item("a", true)}, Validators{"\"v1\"", {}})));
  }

  auto store = Store::open(path);

  ASSERT_TRUE(store.has_value()) << store.error().message;
  EXPECT_EQ(store->validators("bj-gov")->etag, "\"v1\"");
  auto queued = store->list_candidates({});
  ASSERT_TRUE(queued.has_value()) << queued.error().message;
  ASSERT_EQ(queued->size(), 1u);
  EXPECT_EQ((*queued)[0].matched_terms, (std::vector<std::string>{"人工智能", "AI \"act\""}));
}

TEST(StoreFileTest, FullDatabaseIsDbFullAndRollsBackThePoll) {
  testing::TempDir dir;
  auto store = Store::open(dir.path() / "herald.db");
  ASSERT_TRUE(store.has_value()) << store.error().message;
  ASSERT_TRUE(store->commit_poll(ok_poll(1000, {make_item("kept")}, Validators{"\"v1\"", {}})));
  // max_page_count caps the file at its current size: the cheapest stand-in for ENOSPC.
  ASSERT_TRUE(store->database().exec("PRAGMA max_page_count = 1"));  // clamps to page_count
  std::vector<Item> big;
  for (int i = 0; i < 50; ++i) {
    Item item = make_item("big" + std::to_string(i), true);
    item.summary = std::string(4000, 'x');
    big.push_back(std::move(item));
  }

  auto result = store->commit_poll(ok_poll(2000, big, Validators{"\"v2\"", {}}));

  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kDbFull) << result.error().message;
  EXPECT_TRUE(result.error().retryable);
  EXPECT_EQ(store->validators("bj-gov")->etag, "\"v1\"");
  auto health = store->source_health(0);
  ASSERT_TRUE(health.has_value()) << health.error().message;
  EXPECT_EQ((*health)[0].items_total, 1);

  // Space comes back: the same poll now commits.
  ASSERT_TRUE(store->database().exec("PRAGMA max_page_count = 1073741823"));
  auto retried = store->commit_poll(ok_poll(2000, big, Validators{"\"v2\"", {}}));
  ASSERT_TRUE(retried.has_value()) << retried.error().message;
  EXPECT_EQ(retried->items_new, 50);
}

// A database written by a herald of schema version 1 gains the later columns on open and
// keeps its rows.
TEST(StoreFileTest, VersionOneDatabaseIsMigratedAndKeepsItsItems) {
  testing::TempDir dir;
  const auto path = dir.path() / "herald.db";
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.string().c_str(), &raw), SQLITE_OK);
    SqliteDb v1(raw);
    const std::string sql =
        std::string(schema_patch(1)) +
        "INSERT INTO items (id, source_id, url, url_key, title, first_seen, matched)"
        " VALUES (1, 'bj-gov', 'https://www.example.gov.cn/old.html',"
        " 'www.example.gov.cn/old.html', '关于人工智能的通知 old', 1000, '[]');"
        "INSERT INTO candidates (id, item_id, state, queued_at) VALUES (1, 1, 'pending', 1000);"
        "PRAGMA user_version = 1;";
    ASSERT_EQ(sqlite3_exec(v1.get(), sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(v1.get());
  }

  auto store = Store::open(path);

  ASSERT_TRUE(store.has_value()) << store.error().message;
  auto version = store->database().prepare("PRAGMA user_version");
  ASSERT_TRUE(version.has_value());
  ASSERT_TRUE(version->step().value_or(false));
  EXPECT_EQ(version->column_int64(0), current_schema_version());
  auto known = store->known_url_keys({"www.example.gov.cn/old.html"});
  ASSERT_TRUE(known.has_value()) << known.error().message;
  EXPECT_EQ(*known, std::vector<bool>{true});
  Item fresh = make_item("new");
  fresh.body = "正文";
  auto summary = store->commit_poll(ok_poll(2000, {make_item("old"), fresh}));
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_EQ(summary->items_new, 1);
}

}  // namespace
}  // namespace herald
