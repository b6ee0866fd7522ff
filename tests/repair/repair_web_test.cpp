// The repair proposal in the web UI: the sources page says "layout changed — a repair is
// proposed", and only an admin sees the proposal and its Apply / Discard buttons, which are
// CSRF-checked like every other state change.

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/health/history.h"
#include "tests/web/web_test_support.h"

namespace herald::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class RepairWebTest : public WebFixture {
 protected:
  // gov matched 4 items, then its page stopped matching; herald proposed a repair.
  void SetUp() override {
    WebFixture::SetUp();
    const std::int64_t now = clock_.now_utc_seconds();
    commit_history(*store_, TestPoll{.source = "gov", .at = now - 7200, .new_items = 4});
    commit_history(*store_, TestPoll{.source = "gov", .at = now - 3600, .outcome = "no_match"});
    RepairProposal proposal;
    proposal.source_id = "gov";
    proposal.created_at = now - 3500;
    proposal.cause = "no_match";
    proposal.page_url = "https://www.cac.gov.cn/list/";
    proposal.page_sha256 = std::string(64, 'a');
    proposal.file_path = "/nonexistent/gov.toml";
    proposal.file_sha256 = std::string(64, 'b');
    proposal.proposed_text = "[list]\nitem = \"table.t tr\"\n";
    proposal.diff = "--- a/gov.toml\n+++ b/gov.toml\n-item = \"ul.news li\"\n+item = \"table.t tr\"\n";
    proposal.items =
        R"([{"title":"<script>alert(1)</script> 通知","url":"https://www.cac.gov.cn/a/1.html","date":"2024-03-01","known":true}])";
    proposal.items_found = 1;
    proposal.known_found = 1;
    proposal.known_total = 4;
    proposal.confidence = 0.9;
    proposal.summary = "div#main > table.t";
    auto saved = store_->save_repair(proposal);
    ASSERT_TRUE(saved.has_value()) << saved.error().message;
    proposal_id_ = *saved;
  }

  std::string get(const Signed& who, const std::string& path, int expected_status) {
    auto page = client().Get(path, {{"Cookie", who.cookie}});
    EXPECT_TRUE(page);
    if (!page) {
      return {};
    }
    EXPECT_EQ(page->status, expected_status) << path;
    return page->body;
  }

  httplib::Result decide(const Signed& who, const std::string& action, const std::string& csrf) {
    return client().Post("/sources/gov/repair", form_headers(who),
                         httplib::Params{{"csrf", csrf}, {"action", action}});
  }

  std::string open_state() {
    auto open = store_->open_repair("gov");
    EXPECT_TRUE(open.has_value());
    return open && *open ? "open" : "closed";
  }

  std::int64_t proposal_id_ = 0;
};

TEST_F(RepairWebTest, TheSourcesPageSaysARepairIsProposedAndOnlyAdminsGetTheButtons) {
  start();
  const Signed root = sign_in("root", "admin pass");
  const std::string admin_page = get(root, "/sources", 200);
  EXPECT_THAT(admin_page, HasSubstr("layout changed — a repair is proposed"));
  EXPECT_THAT(admin_page, HasSubstr(R"(action="/sources/gov/repair")"));
  EXPECT_THAT(admin_page, HasSubstr(R"(value="apply")"));
  EXPECT_THAT(admin_page, HasSubstr(R"(value="discard")"));

  const Signed alice = sign_in("alice", "correct horse");
  const std::string editor_page = get(alice, "/sources", 200);
  EXPECT_THAT(editor_page, HasSubstr("layout changed — a repair is proposed"));
  EXPECT_THAT(editor_page, Not(HasSubstr(R"(action="/sources/gov/repair")")));
  get(alice, "/sources/gov/repair", 403);
}

TEST_F(RepairWebTest, TheProposalPageShowsItemsAndDiffEscaped) {
  start([](WebSettings&, web::WebDeps& deps) {
    deps.decide_repair = [](Store&, const std::string&, bool, const std::string&) {
      return Result<std::string>(std::string("ok"));
    };
  });
  const Signed root = sign_in("root", "admin pass");
  const std::string page = get(root, "/sources/gov/repair", 200);
  EXPECT_THAT(page, HasSubstr("layout changed — a repair is proposed"));
  EXPECT_THAT(page, HasSubstr("+item = &quot;table.t tr&quot;"));
  EXPECT_THAT(page, Not(HasSubstr("<script>alert(1)</script>")));
  EXPECT_THAT(page, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt; 通知"));
  EXPECT_THAT(page, HasSubstr(R"(value="apply")"));
  EXPECT_THAT(page, HasSubstr(R"(data-proposal=")" + std::to_string(proposal_id_) + "\""));
}

TEST_F(RepairWebTest, DecisionsNeedAnAdminAndTheCsrfToken) {
  struct Call {
    std::string source;
    bool apply = false;
    std::string actor;
    int count = 0;
  };
  auto call = std::make_shared<Call>();
  start([call](WebSettings&, web::WebDeps& deps) {
    deps.decide_repair = [call](Store&, const std::string& source, bool apply,
                                const std::string& actor) {
      call->source = source;
      call->apply = apply;
      call->actor = actor;
      ++call->count;
      return Result<std::string>(std::string("applied"));
    };
  });
  const Signed root = sign_in("root", "admin pass");
  const Signed alice = sign_in("alice", "correct horse");

  auto no_token = decide(root, "apply", "");
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 403);
  auto wrong_token = decide(root, "apply", alice.csrf);
  ASSERT_TRUE(wrong_token);
  EXPECT_EQ(wrong_token->status, 403);
  auto editor = decide(alice, "apply", alice.csrf);
  ASSERT_TRUE(editor);
  EXPECT_EQ(editor->status, 403);
  EXPECT_EQ(call->count, 0) << "nothing is applied without an admin";

  auto applied = decide(root, "apply", root.csrf);
  ASSERT_TRUE(applied);
  EXPECT_EQ(applied->status, 303);
  EXPECT_EQ(applied->get_header_value("Location"), "/sources/gov/repair?m=applied");
  EXPECT_EQ(call->count, 1);
  EXPECT_EQ(call->source, "gov");
  EXPECT_TRUE(call->apply);
  EXPECT_EQ(call->actor, "root");
}

TEST_F(RepairWebTest, AnAdminCanDiscardEvenWithoutTheDaemon) {
  start();  // no decide_repair: a web UI not run by herald serve
  const Signed root = sign_in("root", "admin pass");
  auto apply = decide(root, "apply", root.csrf);
  ASSERT_TRUE(apply);
  EXPECT_EQ(apply->status, 400);
  EXPECT_EQ(open_state(), "open");
  auto discarded = decide(root, "discard", root.csrf);
  ASSERT_TRUE(discarded);
  EXPECT_EQ(discarded->status, 303);
  EXPECT_EQ(open_state(), "closed");
  const std::string page = get(root, "/sources", 200);
  EXPECT_THAT(page, Not(HasSubstr("a repair is proposed")));
}

}  // namespace
}  // namespace herald::testing
