// Legal metadata in the store (schema v12, storage/legal.cpp, docs/legal.md): written with a
// poll's new items only, read with every candidate, corrected by editors (audited, dates
// checked), filtered in the queue, listed as open consultations; a v11 database upgrades.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/legal.h"
#include "storage/store.h"
#include "tests/storage/memory_store.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

// 2023-11-07 10:00 in Beijing.
constexpr std::int64_t kNov7 = 1699322400;

LegalFacts consultation(const std::string& deadline) {
  LegalFacts facts;
  facts[LegalField::kDocNumber] = {.value = "沪经信规范〔2023〕8号", .from = "table:文号"};
  facts[LegalField::kIssuer] = {.value = "上海市经济和信息化委员会", .from = "table:发文机关"};
  facts[LegalField::kInstrument] = {.value = "征求意见稿", .from = "title"};
  facts[LegalField::kCommentDeadline] = {
      .value = deadline, .from = "text:意见反馈截止时间为" + deadline};
  facts[LegalField::kCommentHow] = {.value = "ai@example.gov.cn", .from = "text:电子邮箱"};
  return facts;
}

Item make_item(const std::string& key, const std::string& title, LegalFacts legal = {}) {
  Item item;
  item.source_id = "sh-sheitc";
  item.title = title;
  item.summary = "关于" + title + "的说明";
  item.url = "https://sheitc.sh.gov.cn/" + key + ".html";
  item.url_key = "sheitc.sh.gov.cn/" + key + ".html";
  item.published_at = kNov7;
  item.score = 2.0;
  item.matched_terms = {"人工智能"};
  item.candidate = true;
  item.legal = std::move(legal);
  return item;
}

class LegalStoreTest : public testing::MemoryStoreTest {
 protected:
  void poll(std::vector<Item> items, std::int64_t at = kNov7) {
    PollRecord record{.source_id = "sh-sheitc", .started_at = at, .outcome = "ok"};
    record.items = std::move(items);
    record.default_section = "最新法律与监管动态";
    auto done = store().commit_poll(record);
    ASSERT_TRUE(done.has_value()) << done.error().message;
  }

  // The candidate of the item whose url_key ends in `key`.
  Candidate candidate_of(const std::string& key) {
    auto page = store().query_queue({.state = std::nullopt, .limit = 1000});
    EXPECT_TRUE(page.has_value()) << page.error().message;
    for (const Candidate& c : page->items) {
      if (c.url.ends_with("/" + key + ".html")) {
        return c;
      }
    }
    ADD_FAILURE() << "no candidate for " << key;
    return {};
  }

  std::vector<std::string> titles(const QueueQuery& query) {
    auto page = store().query_queue(query);
    EXPECT_TRUE(page.has_value()) << page.error().message;
    std::vector<std::string> out;
    for (const Candidate& c : page->items) {
      out.push_back(c.title);
    }
    return out;
  }

  std::vector<std::string> open_titles(const std::string& today) {
    auto open = store().open_consultations(today);
    EXPECT_TRUE(open.has_value()) << open.error().message;
    std::vector<std::string> out;
    for (const Candidate& c : open.value_or(std::vector<Candidate>{})) {
      out.push_back(c.title);
    }
    return out;
  }
};

TEST_F(LegalStoreTest, CommitPollStoresLegalFactsOfNewItemsOnly) {
  poll({make_item("a", "关于人工智能的办法（征求意见稿）", consultation("2023-12-07")),
        make_item("b", "人工智能产业动态")});
  const Candidate a = candidate_of("a");
  EXPECT_EQ(a.legal, consultation("2023-12-07"));
  EXPECT_EQ(a.legal[LegalField::kDocNumber].from, "table:文号");
  EXPECT_TRUE(candidate_of("b").legal.empty());

  // The same item seen again with other facts (and one first seen without any) is known:
  // what was stored with it stands.
  poll({make_item("a", "关于人工智能的办法（征求意见稿）", consultation("2024-01-31")),
        make_item("b", "人工智能产业动态", consultation("2024-01-31"))},
       kNov7 + 3600);
  EXPECT_EQ(candidate_of("a").legal[LegalField::kCommentDeadline].value, "2023-12-07");
  EXPECT_TRUE(candidate_of("b").legal.empty());
}

TEST_F(LegalStoreTest, EveryCandidateReadCarriesTheFacts) {
  poll({make_item("a", "关于人工智能的办法（征求意见稿）", consultation("2023-12-07"))});
  const Candidate listed = candidate_of("a");
  auto got = store().get_candidate(listed.id);
  ASSERT_TRUE(got.has_value()) << got.error().message;
  EXPECT_EQ(got->legal, consultation("2023-12-07"));

  ASSERT_TRUE(store().edit_candidate(listed.id, {.state = ReviewState::kAccepted}, "ann", kNov7)
                  .has_value());
  auto edition = store().edition_candidates("2023-11", 8 * 3600);
  ASSERT_TRUE(edition.has_value()) << edition.error().message;
  ASSERT_EQ(edition->size(), 1u);
  EXPECT_EQ((*edition)[0].legal, consultation("2023-12-07"));

  auto listed_again = store().list_candidates({.state = std::nullopt});
  ASSERT_TRUE(listed_again.has_value()) << listed_again.error().message;
  ASSERT_EQ(listed_again->size(), 1u);
  EXPECT_EQ((*listed_again)[0].legal, consultation("2023-12-07"));
}

TEST_F(LegalStoreTest, EditSetsClearsAndAuditsEachChangedField) {
  poll({make_item("a", "关于人工智能的办法（征求意见稿）", consultation("2023-12-07"))});
  const std::int64_t id = candidate_of("a").id;

  LegalEdit edit;
  edit[LegalField::kCommentDeadline] = "2023-12-15";     // changed
  edit[LegalField::kDocNumber] = "";                     // cleared
  edit[LegalField::kEffectiveOn] = "2024-01-01";         // new
  edit[LegalField::kIssuer] = "上海市经济和信息化委员会";  // unchanged: no audit row
  auto edited = store().edit_legal(id, edit, "ann", kNov7 + 60);
  ASSERT_TRUE(edited.has_value()) << edited.error().message;

  EXPECT_EQ(edited->legal[LegalField::kCommentDeadline],
            (LegalValue{.value = "2023-12-15", .from = "editor:ann"}));
  EXPECT_EQ(edited->legal[LegalField::kEffectiveOn],
            (LegalValue{.value = "2024-01-01", .from = "editor:ann"}));
  EXPECT_EQ(edited->legal.value(LegalField::kDocNumber), "");
  // Untouched fields keep their value and where it came from.
  EXPECT_EQ(edited->legal[LegalField::kIssuer], consultation("")[LegalField::kIssuer]);
  EXPECT_EQ(edited->legal[LegalField::kCommentHow], consultation("")[LegalField::kCommentHow]);
  EXPECT_EQ(edited->legal[LegalField::kInstrument], consultation("")[LegalField::kInstrument]);
  // Read back from the database, not just returned.
  EXPECT_EQ(store().get_candidate(id)->legal, edited->legal);

  auto audit = store().audit_for(id);
  ASSERT_TRUE(audit.has_value()) << audit.error().message;
  std::vector<std::string> details;
  for (const AuditEntry& entry : *audit) {
    EXPECT_EQ(entry.action, "edit_legal");
    EXPECT_EQ(entry.actor, "ann");
    details.push_back(entry.detail);
  }
  EXPECT_EQ(details, (std::vector<std::string>{"文号: 沪经信规范〔2023〕8号 → （空）",
                                               "施行日期: （空） → 2024-01-01",
                                               "意见反馈截止: 2023-12-07 → 2023-12-15"}));

  // Clearing every field leaves the candidate without facts.
  LegalEdit clear_all;
  for (auto& value : clear_all.values) {
    value = "";
  }
  auto cleared = store().edit_legal(id, clear_all, "ann", kNov7 + 120);
  ASSERT_TRUE(cleared.has_value()) << cleared.error().message;
  EXPECT_TRUE(cleared->legal.empty());
  EXPECT_TRUE(store().get_candidate(id)->legal.empty());
}

TEST_F(LegalStoreTest, EditRejectsDatesThatAreNotCalendarDatesAndChangesNothing) {
  poll({make_item("a", "关于人工智能的办法（征求意见稿）", consultation("2023-12-07"))});
  const std::int64_t id = candidate_of("a").id;
  for (const std::string bad : {"2023-02-30", "12/07/2023"}) {
    LegalEdit edit;
    edit[LegalField::kDocNumber] = "新文号";
    edit[LegalField::kCommentDeadline] = bad;
    auto refused = store().edit_legal(id, edit, "ann", kNov7 + 60);
    ASSERT_FALSE(refused.has_value()) << bad;
    EXPECT_EQ(refused.error().code, ErrorCode::kUsage);
    EXPECT_NE(refused.error().message.find("不是有效日期"), std::string::npos)
        << refused.error().message;
    EXPECT_NE(refused.error().message.find(bad), std::string::npos) << refused.error().message;
  }
  EXPECT_EQ(store().get_candidate(id)->legal, consultation("2023-12-07"));
  EXPECT_TRUE(store().audit_for(id)->empty());

  auto missing = store().edit_legal(999, LegalEdit{}, "ann", kNov7);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(LegalStoreTest, QueueFiltersByInstrumentAndDeadline) {
  LegalFacts rule;
  rule[LegalField::kInstrument] = {.value = "办法", .from = "title"};
  poll({make_item("early", "征求意见一", consultation("2023-12-01")),
        make_item("late", "征求意见二", consultation("2023-12-20")),
        make_item("rule", "管理办法", rule), make_item("none", "产业新闻")});
  const QueueQuery all{.state = std::nullopt};

  QueueQuery drafts = all;
  drafts.instrument = "征求意见稿";
  EXPECT_EQ(titles(drafts).size(), 2u);
  QueueQuery rules = all;
  rules.instrument = "办法";
  EXPECT_EQ(titles(rules), std::vector<std::string>{"管理办法"});

  QueueQuery with_deadline = all;
  with_deadline.has_deadline = true;
  EXPECT_EQ(titles(with_deadline).size(), 2u);
  QueueQuery until = all;
  until.deadline_until = "2023-12-01";  // on or before
  EXPECT_EQ(titles(until), std::vector<std::string>{"征求意见一"});
  until.deadline_until = "2023-11-30";
  EXPECT_TRUE(titles(until).empty());
}

TEST_F(LegalStoreTest, OpenConsultationsFromTodaySoonestFirstNotRejected) {
  poll({make_item("yesterday", "昨天截止", consultation("2023-12-06")),
        make_item("later", "下月截止", consultation("2024-01-16")),
        make_item("today", "今天截止", consultation("2023-12-07")),
        make_item("rejected", "已拒绝", consultation("2023-12-10")),
        make_item("accepted", "已采用", consultation("2023-12-08")),
        make_item("none", "没有截止日期")});
  ASSERT_TRUE(store()
                  .edit_candidate(candidate_of("rejected").id,
                                  {.state = ReviewState::kRejected, .reason = "无关"}, "ann",
                                  kNov7)
                  .has_value());
  ASSERT_TRUE(store()
                  .edit_candidate(candidate_of("accepted").id, {.state = ReviewState::kAccepted},
                                  "ann", kNov7)
                  .has_value());

  EXPECT_EQ(open_titles("2023-12-07"),
            (std::vector<std::string>{"今天截止", "已采用", "下月截止"}));
  EXPECT_TRUE(open_titles("2024-01-17").empty());
  auto open = store().open_consultations("2023-12-07");
  ASSERT_TRUE(open.has_value());
  EXPECT_EQ((*open)[0].legal.value(LegalField::kCommentHow), "ai@example.gov.cn");
  auto limited = store().open_consultations("2023-12-07", 1);
  ASSERT_TRUE(limited.has_value());
  EXPECT_EQ(limited->size(), 1u);
}

// A database left by the herald before legal metadata (schema v11) gains item_legal on
// open, keeps its candidates, and takes facts for them.
TEST(LegalMigrationTest, VersionElevenDatabaseUpgradesAndKeepsItsCandidates) {
  testing::TempDir dir;
  const auto path = dir.path() / "herald.db";
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.string().c_str(), &raw), SQLITE_OK);
    SqliteDb v11(raw);
    std::string sql;
    for (int version = 1; version <= 11; ++version) {
      sql += std::string(schema_patch(version));
    }
    sql +=
        "INSERT INTO items (id, source_id, url, url_key, title, first_seen, matched)"
        " VALUES (1, 'sh-sheitc', 'https://sheitc.sh.gov.cn/old.html',"
        " 'sheitc.sh.gov.cn/old.html', '关于人工智能的办法（征求意见稿）', 1000, '[]');"
        "INSERT INTO candidates (id, item_id, state, queued_at) VALUES (4, 1, 'pending', 1000);"
        "PRAGMA user_version = 11;";
    ASSERT_EQ(sqlite3_exec(v11.get(), sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(v11.get());
  }

  auto store = Store::open(path);
  ASSERT_TRUE(store.has_value()) << store.error().message;
  EXPECT_EQ(current_schema_version(), 12);
  auto version = store->database().prepare("PRAGMA user_version");
  ASSERT_TRUE(version.has_value());
  ASSERT_TRUE(version->step().value_or(false));
  EXPECT_EQ(version->column_int64(0), current_schema_version());

  auto old = store->get_candidate(4);
  ASSERT_TRUE(old.has_value()) << old.error().message;
  EXPECT_TRUE(old->legal.empty());
  LegalEdit edit;
  edit[LegalField::kCommentDeadline] = "2023-12-07";
  auto edited = store->edit_legal(4, edit, "ann", 2000);
  ASSERT_TRUE(edited.has_value()) << edited.error().message;
  auto open = store->open_consultations("2023-12-01");
  ASSERT_TRUE(open.has_value()) << open.error().message;
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].id, 4);
}

}  // namespace
}  // namespace herald
