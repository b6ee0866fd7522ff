// Drafts on the item page and in the API: the draft is shown beside the original (never
// replacing it), escaped; accept / edit-then-accept / discard / redo need the CSRF token
// and go through the edit path, so the original stays and the audit log records it.

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/web/web_test_support.h"

namespace herald {
namespace {

using testing::Signed;

class DraftPagesTest : public testing::WebFixture {
 protected:
  void SetUp() override {
    WebFixture::SetUp();
    ids_ = seed("gov", {item("Guidelines for secure AI system development",
                             "https://www.cac.gov.cn/d.htm", "The original summary.")});
    ASSERT_EQ(ids_.size(), 1u);
    ASSERT_TRUE(store_->redo_draft(ids_[0], "herald", clock_.now_utc_seconds()));
    auto draft = store_->draft_for(ids_[0]);
    ASSERT_TRUE(draft && *draft);
    ASSERT_TRUE(store_->save_draft((*draft)->id, "model", "qwen2.5", kTitle, kSummary, "",
                                   clock_.now_utc_seconds()));
    start();
    alice_ = sign_in("alice", "correct horse");
  }

  std::string item_path(const std::string& tail = "") const {
    return "/items/" + std::to_string(ids_[0]) + tail;
  }

  std::string page() {
    auto response = client().Get(item_path(), {{"Cookie", alice_.cookie}});
    EXPECT_TRUE(response && response->status == 200);
    return response ? response->body : "";
  }

  int post(const std::string& tail, httplib::Params params, bool with_csrf = true) {
    if (with_csrf) {
      params.emplace("csrf", alice_.csrf);
    }
    auto response = client().Post(item_path(tail), form_headers(alice_), params);
    return response ? response->status : -1;
  }

  Candidate candidate() {
    auto c = store_->get_candidate(ids_[0]);
    EXPECT_TRUE(c.has_value());
    return c.value_or(Candidate{});
  }

  DraftState draft_state() {
    auto draft = store_->draft_for(ids_[0]);
    EXPECT_TRUE(draft && *draft);
    return draft && *draft ? (*draft)->state : DraftState::kQueued;
  }

  static constexpr const char* kTitle = "18国签署《安全人工智能系统开发指南》";
  static constexpr const char* kSummary = "英国国家网络安全中心发布指南。<script>alert(1)</script>";
  std::vector<std::int64_t> ids_;
  Signed alice_;
};

TEST_F(DraftPagesTest, ItemPageShowsTheDraftBesideTheOriginalEscaped) {
  const std::string body = page();
  EXPECT_NE(body.find("id=\"draft\""), std::string::npos);
  EXPECT_NE(body.find(kTitle), std::string::npos);
  EXPECT_NE(body.find("由模型 qwen2.5 起草"), std::string::npos);
  // The original is still there, as the page's title and in the edit form.
  EXPECT_NE(body.find("Guidelines for secure AI system development"), std::string::npos);
  // Draft text is text: the script tag arrives escaped.
  EXPECT_EQ(body.find("<script>alert(1)</script>"), std::string::npos);
  EXPECT_NE(body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  for (const char* action : {"/draft/accept", "/draft/edit", "/draft/discard", "/draft/redo"}) {
    EXPECT_NE(body.find(item_path(action)), std::string::npos) << action;
  }
}

TEST_F(DraftPagesTest, AcceptMakesTheDraftTheTitleAndKeepsTheOriginal) {
  EXPECT_EQ(post("/draft/accept", {}), 303);
  Candidate c = candidate();
  EXPECT_EQ(c.edited_title, kTitle);
  EXPECT_EQ(c.edited_summary, kSummary);
  EXPECT_EQ(c.title, "Guidelines for secure AI system development");
  EXPECT_EQ(draft_state(), DraftState::kAccepted);
  const std::string body = page();
  EXPECT_NE(body.find("原标题：Guidelines for secure AI system development"), std::string::npos);
  EXPECT_NE(body.find("id=\"draft-decided\""), std::string::npos);
  auto audit = store_->audit_for(ids_[0]);
  ASSERT_TRUE(audit);
  bool edited = false;
  for (const AuditEntry& entry : *audit) {
    edited = edited || (entry.action == "edit_title" && entry.actor == "alice");
  }
  EXPECT_TRUE(edited);
}

TEST_F(DraftPagesTest, EditThenAcceptSavesTheEditedText) {
  EXPECT_EQ(post("/draft/edit", {{"title", "编辑改写的标题"}, {"summary", "编辑改写的摘要。"}}),
            303);
  Candidate c = candidate();
  EXPECT_EQ(c.edited_title, "编辑改写的标题");
  EXPECT_EQ(c.edited_summary, "编辑改写的摘要。");
  EXPECT_EQ(draft_state(), DraftState::kAccepted);
}

TEST_F(DraftPagesTest, DiscardLeavesTheCandidateAsItWas) {
  EXPECT_EQ(post("/draft/discard", {}), 303);
  EXPECT_EQ(draft_state(), DraftState::kDiscarded);
  EXPECT_TRUE(candidate().edited_title.empty());
  const std::string body = page();
  EXPECT_EQ(body.find("id=\"draft\""), std::string::npos);
  EXPECT_EQ(body.find(kTitle), std::string::npos);
  // Redo queues it again.
  EXPECT_EQ(post("/draft/redo", {}), 303);
  EXPECT_EQ(draft_state(), DraftState::kQueued);
}

TEST_F(DraftPagesTest, EveryDraftActionNeedsTheCsrfToken) {
  for (const char* action : {"/draft/accept", "/draft/edit", "/draft/discard", "/draft/redo"}) {
    EXPECT_EQ(post(action, {{"title", "x"}, {"summary", "y"}}, /*with_csrf=*/false), 403)
        << action;
  }
  EXPECT_EQ(draft_state(), DraftState::kReady);
  EXPECT_TRUE(candidate().edited_title.empty());
}

TEST_F(DraftPagesTest, AcceptingTwiceIsRefusedInChinese) {
  EXPECT_EQ(post("/draft/accept", {}), 303);
  auto again = client().Post(item_path("/draft/accept"), form_headers(alice_),
                             httplib::Params{{"csrf", alice_.csrf}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 400);
  EXPECT_NE(again->body.find("草稿已被处理或尚未写好"), std::string::npos);
}

TEST_F(DraftPagesTest, ApiShowsTheDraftAndAcceptsOrDiscardsIt) {
  auto got = client().Get("/api/v1/candidates/" + std::to_string(ids_[0]),
                          {{"Cookie", alice_.cookie}});
  ASSERT_TRUE(got);
  ASSERT_EQ(got->status, 200);
  const auto json = nlohmann::json::parse(got->body);
  ASSERT_TRUE(json.contains("draft"));
  EXPECT_EQ(json["draft"]["state"], "ready");
  EXPECT_EQ(json["draft"]["title"], kTitle);
  EXPECT_EQ(json["draft"]["method"], "model");

  httplib::Headers write{{"Cookie", alice_.cookie}, {"Origin", origin()},
                         {"X-CSRF-Token", alice_.csrf}};
  const std::string base = "/api/v1/candidates/" + std::to_string(ids_[0]);
  auto accepted = client().Post(base + "/draft/accept", write,
                                R"({"title":"API 改写的标题"})", "application/json");
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->status, 200) << accepted->body;
  EXPECT_EQ(candidate().edited_title, "API 改写的标题");
  EXPECT_EQ(candidate().edited_summary, kSummary);

  auto discarded = client().Post(base + "/draft/discard", write, "{}", "application/json");
  ASSERT_TRUE(discarded);
  EXPECT_EQ(discarded->status, 200);
  EXPECT_EQ(draft_state(), DraftState::kDiscarded);

  auto missing = client().Post("/api/v1/candidates/999999/draft/discard", write, "{}",
                               "application/json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

}  // namespace
}  // namespace herald
