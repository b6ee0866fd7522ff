// The drafts queue in the store (schema v10): every new candidate gets a queued draft,
// workers claim due rows, failures back off (Retry-After respected), editors accept
// (through the edit path, audited), discard or redo, and the daily request counter.

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "storage/store.h"
#include "tests/storage/memory_store.h"

namespace herald {
namespace {

constexpr std::int64_t kNow = 1765000000;

Item make_item(const std::string& key, const std::string& title, bool candidate = true) {
  Item item;
  item.source_id = "cn-cac";
  item.title = title;
  item.summary = "原始摘要：" + title;
  item.url = "https://www.cac.gov.cn/" + key + ".htm";
  item.url_key = "www.cac.gov.cn/" + key + ".htm";
  item.published_at = kNow - 3600;
  item.score = 2.0;
  item.matched_terms = {"人工智能"};
  item.candidate = candidate;
  return item;
}

class DraftsTest : public testing::MemoryStoreTest {
 protected:
  // Commits one poll of `items`; returns the ids of the candidates it created.
  std::vector<std::int64_t> poll(std::vector<Item> items, std::int64_t at = kNow) {
    PollRecord record;
    record.source_id = "cn-cac";
    record.started_at = at;
    record.outcome = "ok";
    record.http_status = 200;
    record.items = std::move(items);
    record.default_section = "最新法律与监管动态";
    auto done = store().commit_poll(record);
    EXPECT_TRUE(done.has_value()) << done.error().message;
    QueueFilter filter;
    filter.state = std::nullopt;
    auto listed = store().list_candidates(filter);
    EXPECT_TRUE(listed.has_value());
    std::vector<std::int64_t> ids;
    for (const Candidate& c : *listed) {
      ids.push_back(c.id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  Draft draft_of(std::int64_t candidate_id) {
    auto draft = store().draft_for(candidate_id);
    EXPECT_TRUE(draft.has_value()) << draft.error().message;
    EXPECT_TRUE(draft->has_value()) << "candidate " << candidate_id << " has no draft";
    return draft->value_or(Draft{});
  }
};

TEST_F(DraftsTest, EveryNewCandidateIsQueuedOnceAndNonCandidatesAreNot) {
  auto ids = poll({make_item("a", "关于人工智能的通知"), make_item("b", "无关新闻", false)});
  ASSERT_EQ(ids.size(), 1u);
  auto added = store().enqueue_missing_drafts(kNow);
  ASSERT_TRUE(added.has_value()) << added.error().message;
  EXPECT_EQ(*added, 1);
  // A second sweep finds nothing new: one draft per candidate.
  EXPECT_EQ(store().enqueue_missing_drafts(kNow + 1).value_or(-1), 0);
  Draft draft = draft_of(ids[0]);
  EXPECT_EQ(draft.state, DraftState::kQueued);
  EXPECT_EQ(draft.attempts, 0);
  EXPECT_EQ(draft.next_attempt_at, 0);
}

TEST_F(DraftsTest, RejectedCandidatesGetNoDraft) {
  auto ids = poll({make_item("a", "通知一"), make_item("b", "通知二")});
  ASSERT_EQ(ids.size(), 2u);
  ASSERT_TRUE(store().decide(ids[1], ReviewState::kRejected, "li", "off topic", kNow));
  EXPECT_EQ(store().enqueue_missing_drafts(kNow).value_or(-1), 1);
  auto none = store().draft_for(ids[1]);
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());
}

TEST_F(DraftsTest, ClaimTakesABoundedBatchAndLeasesIt) {
  std::vector<Item> items;
  for (int i = 0; i < 5; ++i) {
    items.push_back(make_item("k" + std::to_string(i), "通知" + std::to_string(i)));
  }
  poll(items);
  ASSERT_EQ(store().enqueue_missing_drafts(kNow).value_or(-1), 5);
  auto first = store().claim_due_drafts(kNow, kNow + 120, 3);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_EQ(first->size(), 3u);
  // The leased rows are not handed out again before the lease ends ...
  auto second = store().claim_due_drafts(kNow, kNow + 120, 10);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->size(), 2u);
  EXPECT_TRUE(store().claim_due_drafts(kNow + 60, kNow + 180, 10)->empty());
  // ... and come back when it ends without an answer (a crash mid-request).
  EXPECT_EQ(store().claim_due_drafts(kNow + 120, kNow + 240, 10)->size(), 5u);
}

TEST_F(DraftsTest, SaveMakesItReadyUnlessAnEditorDecidedMeanwhile) {
  auto ids = poll({make_item("a", "通知一"), make_item("b", "通知二")});
  ASSERT_EQ(store().enqueue_missing_drafts(kNow).value_or(-1), 2);
  auto claimed = store().claim_due_drafts(kNow, kNow + 120, 10);
  ASSERT_EQ(claimed->size(), 2u);
  ASSERT_TRUE(store().discard_draft(ids[1], "li", kNow + 1));

  auto saved = store().save_draft(draft_of(ids[0]).id, "model", "qwen2.5", "网信办发布通知",
                                  "摘要第一句。", "", kNow + 2);
  ASSERT_TRUE(saved.has_value()) << saved.error().message;
  EXPECT_TRUE(*saved);
  Draft ready = draft_of(ids[0]);
  EXPECT_EQ(ready.state, DraftState::kReady);
  EXPECT_EQ(ready.method, "model");
  EXPECT_EQ(ready.model, "qwen2.5");
  EXPECT_EQ(ready.title, "网信办发布通知");

  EXPECT_FALSE(store().save_draft(draft_of(ids[1]).id, "model", "qwen2.5", "x", "y", "",
                                  kNow + 2)
                   .value_or(true));
  EXPECT_EQ(draft_of(ids[1]).state, DraftState::kDiscarded);
}

TEST_F(DraftsTest, FailuresBackOffExponentiallyAndRespectRetryAfter) {
  auto ids = poll({make_item("a", "通知一")});
  ASSERT_EQ(store().enqueue_missing_drafts(kNow).value_or(-1), 1);
  const std::int64_t id = draft_of(ids[0]).id;
  DraftRetryPolicy policy;
  policy.max_attempts = 4;
  policy.base_delay = 60;

  EXPECT_EQ(store().record_draft_failure(id, "HTTP 500", 0, policy, kNow).value_or(0), 1);
  EXPECT_EQ(draft_of(ids[0]).next_attempt_at, kNow + 60);
  EXPECT_EQ(store().record_draft_failure(id, "HTTP 500", 0, policy, kNow).value_or(0), 2);
  EXPECT_EQ(draft_of(ids[0]).next_attempt_at, kNow + 120);
  // The server's Retry-After wins over a shorter backoff.
  EXPECT_EQ(store().record_draft_failure(id, "429", 900, policy, kNow).value_or(0), 3);
  Draft draft = draft_of(ids[0]);
  EXPECT_EQ(draft.next_attempt_at, kNow + 900);
  EXPECT_EQ(draft.state, DraftState::kQueued);
  EXPECT_EQ(draft.last_error, "429");
  // Not due before then.
  EXPECT_TRUE(store().claim_due_drafts(kNow + 899, kNow + 1000, 10)->empty());
  EXPECT_EQ(store().claim_due_drafts(kNow + 900, kNow + 1000, 10)->size(), 1u);

  // The last attempt leaves it due at once, for the caller's fallback.
  EXPECT_EQ(store().record_draft_failure(id, "HTTP 500", 0, policy, kNow).value_or(0), 4);
  EXPECT_EQ(draft_of(ids[0]).next_attempt_at, kNow);
  ASSERT_TRUE(store().mark_draft_failed(id, "no text to draft from", kNow));
  EXPECT_EQ(draft_of(ids[0]).state, DraftState::kFailed);
  EXPECT_EQ(draft_of(ids[0]).last_error, "no text to draft from");
}

TEST_F(DraftsTest, AcceptGoesThroughTheEditPathAndKeepsTheOriginal) {
  auto ids = poll({make_item("a", "Original headline")});
  ASSERT_EQ(store().enqueue_missing_drafts(kNow).value_or(-1), 1);
  const std::int64_t id = draft_of(ids[0]).id;
  ASSERT_TRUE(store().save_draft(id, "model", "qwen2.5", "中文标题", "中文摘要。", "", kNow));

  auto accepted = store().accept_draft(ids[0], "li", kNow + 5);
  ASSERT_TRUE(accepted.has_value()) << accepted.error().message;
  EXPECT_EQ(accepted->edited_title, "中文标题");
  EXPECT_EQ(accepted->edited_summary, "中文摘要。");
  EXPECT_EQ(accepted->title, "Original headline");
  EXPECT_EQ(accepted->summary, "原始摘要：Original headline");
  Draft draft = draft_of(ids[0]);
  EXPECT_EQ(draft.state, DraftState::kAccepted);
  EXPECT_EQ(draft.decided_by, "li");

  auto audit = store().audit_for(ids[0]);
  ASSERT_TRUE(audit.has_value());
  std::vector<std::string> actions;
  for (const AuditEntry& entry : *audit) {
    actions.push_back(entry.action);
  }
  EXPECT_NE(std::find(actions.begin(), actions.end(), "edit_title"), actions.end());
  EXPECT_NE(std::find(actions.begin(), actions.end(), "accept_draft"), actions.end());

  // Accepted once; accepting again is refused.
  auto again = store().accept_draft(ids[0], "li", kNow + 6);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kUsage);
}

TEST_F(DraftsTest, EditThenAcceptSavesTheEditorsText) {
  auto ids = poll({make_item("a", "Original headline")});
  ASSERT_EQ(store().enqueue_missing_drafts(kNow).value_or(-1), 1);
  ASSERT_TRUE(store().save_draft(draft_of(ids[0]).id, "extractive", "", "标题", "首段。", "",
                                 kNow));
  auto accepted = store().accept_draft(ids[0], "li", kNow, std::string("编辑后的标题"),
                                       std::string("编辑后的摘要。"));
  ASSERT_TRUE(accepted.has_value()) << accepted.error().message;
  EXPECT_EQ(accepted->edited_title, "编辑后的标题");
  EXPECT_EQ(accepted->edited_summary, "编辑后的摘要。");
}

TEST_F(DraftsTest, AcceptWithoutAReadyDraftIsRefused) {
  auto ids = poll({make_item("a", "通知")});
  auto none = store().accept_draft(ids[0], "li", kNow);
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
  ASSERT_EQ(store().enqueue_missing_drafts(kNow).value_or(-1), 1);
  auto queued = store().accept_draft(ids[0], "li", kNow);
  ASSERT_FALSE(queued.has_value());
  EXPECT_EQ(queued.error().code, ErrorCode::kUsage);
  EXPECT_TRUE(store().get_candidate(ids[0])->edited_title.empty());
}

TEST_F(DraftsTest, RedoQueuesAgainWithAttemptsReset) {
  auto ids = poll({make_item("a", "通知")});
  // Redo also creates the row for a candidate that has none.
  ASSERT_TRUE(store().redo_draft(ids[0], "li", kNow));
  const std::int64_t id = draft_of(ids[0]).id;
  ASSERT_EQ(store().record_draft_failure(id, "timeout", 0, DraftRetryPolicy{}, kNow).value_or(0),
            1);
  ASSERT_TRUE(store().save_draft(id, "extractive", "", "t", "s", "timeout", kNow));
  ASSERT_TRUE(store().discard_draft(ids[0], "li", kNow));
  ASSERT_TRUE(store().redo_draft(ids[0], "li", kNow + 10));
  Draft draft = draft_of(ids[0]);
  EXPECT_EQ(draft.state, DraftState::kQueued);
  EXPECT_EQ(draft.attempts, 0);
  EXPECT_EQ(draft.next_attempt_at, 0);
  EXPECT_EQ(draft.id, id);
  auto missing = store().redo_draft(9999, "li", kNow);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(DraftsTest, CountsPerStateAndRecentErrors) {
  auto ids = poll({make_item("a", "一"), make_item("b", "二"), make_item("c", "三")});
  ASSERT_EQ(store().enqueue_missing_drafts(kNow).value_or(-1), 3);
  ASSERT_TRUE(store().save_draft(draft_of(ids[0]).id, "extractive", "", "t", "s",
                                 "model said 400", kNow));
  ASSERT_TRUE(store().record_draft_failure(draft_of(ids[1]).id, "HTTP 503", 0,
                                           DraftRetryPolicy{}, kNow));
  auto counts = store().draft_counts(kNow);
  ASSERT_TRUE(counts.has_value()) << counts.error().message;
  EXPECT_EQ(counts->queued, 2);
  EXPECT_EQ(counts->due, 1);
  EXPECT_EQ(counts->ready, 1);
  EXPECT_EQ(counts->failed, 0);
  auto errors = store().recent_draft_errors(10);
  ASSERT_TRUE(errors.has_value());
  ASSERT_EQ(errors->size(), 2u);
}

TEST_F(DraftsTest, RequestsAreCountedPerDay) {
  EXPECT_EQ(store().draft_requests_on("2026-12-07").value_or(-1), 0);
  EXPECT_EQ(store().count_draft_request("2026-12-07", kNow).value_or(-1), 1);
  EXPECT_EQ(store().count_draft_request("2026-12-07", kNow).value_or(-1), 2);
  EXPECT_EQ(store().draft_requests_on("2026-12-07").value_or(-1), 2);
  // A new day starts from zero, and the old counter goes.
  EXPECT_EQ(store().count_draft_request("2026-12-08", kNow).value_or(-1), 1);
  EXPECT_EQ(store().draft_requests_on("2026-12-07").value_or(-1), 0);
}

TEST_F(DraftsTest, DeletingTheCandidateDeletesItsDraft) {
  auto ids = poll({make_item("a", "通知")});
  ASSERT_EQ(store().enqueue_missing_drafts(kNow).value_or(-1), 1);
  ASSERT_TRUE(store().database().exec("PRAGMA foreign_keys = ON"));
  ASSERT_TRUE(store().database().exec("DELETE FROM candidates"));
  auto gone = store().draft_for(ids[0]);
  ASSERT_TRUE(gone.has_value());
  EXPECT_FALSE(gone->has_value());
}

}  // namespace
}  // namespace herald
