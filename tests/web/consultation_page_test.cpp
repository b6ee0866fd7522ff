// Issue 16: 征求意见 (/consultations): open consultations, soonest deadline first, days left
// counted at the desk, nothing past or rejected, an empty state, every field escaped.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/web/web_test_support.h"

namespace herald {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::Signed;

// The fake clock's 1'700'000'000 is 2023-11-14 22:13 UTC: 2023-11-15 at the desk (UTC+8).
class ConsultationPageTest : public testing::WebFixture {
 protected:
  static Item draft(const std::string& title, const std::string& url, const std::string& deadline) {
    Item out = item(title, url);
    out.legal[LegalField::kInstrument] = {.value = "征求意见稿", .from = "title"};
    out.legal[LegalField::kCommentDeadline] = {.value = deadline, .from = "text:截止。"};
    return out;
  }

  std::string consultations(const Signed& who) {
    auto response = client().Get("/consultations", {{"Cookie", who.cookie}});
    if (!response) {
      ADD_FAILURE() << "GET /consultations failed";
      return "";
    }
    EXPECT_EQ(response->status, 200);
    return response->body;
  }
};

TEST_F(ConsultationPageTest, OpenOnesSoonestFirstWithDaysLeftAndNothingPastOrRejected) {
  Item later = draft("人工智能法（草案）", "https://www.cac.gov.cn/later.htm", "2023-12-07");
  later.legal[LegalField::kDocNumber] = {.value = "国信办〔2023〕9号", .from = "table:文号"};
  later.legal[LegalField::kCommentHow] = {.value = "ai@example.gov.cn", .from = "text:邮箱。"};
  auto ids =
      seed("gov", {later, draft("今天截止的办法", "https://www.cac.gov.cn/today.htm", "2023-11-15"),
                   draft("已过期的规定", "https://www.cac.gov.cn/past.htm", "2023-11-14"),
                   draft("被拒绝的标准", "https://www.cac.gov.cn/rejected.htm", "2023-11-30"),
                   draft("明天截止的指南", "https://www.cac.gov.cn/tomorrow.htm", "2023-11-16")});
  ASSERT_EQ(ids.size(), 5u);
  ASSERT_TRUE(store_->edit_candidate(ids[3], CandidateEdit{.state = ReviewState::kRejected},
                                     "alice", clock_.now_utc_seconds()));
  ASSERT_TRUE(store_->edit_candidate(ids[0], CandidateEdit{.title = "人工智能法（草案征求意见稿）"},
                                     "alice", clock_.now_utc_seconds()));
  start([](WebSettings&, web::WebDeps& deps) {
    deps.sources[0].publisher = "国家互联网信息办公室官网";
  });
  Signed alice = sign_in("alice", "correct horse");
  const std::string body = consultations(alice);
  const auto today = body.find("今天截止的办法");
  const auto tomorrow = body.find("明天截止的指南");
  const auto later_at = body.find("人工智能法（草案征求意见稿）");  // the edited title
  ASSERT_NE(today, std::string::npos);
  ASSERT_NE(tomorrow, std::string::npos);
  ASSERT_NE(later_at, std::string::npos);
  EXPECT_LT(today, tomorrow);
  EXPECT_LT(tomorrow, later_at);
  EXPECT_THAT(body, HasSubstr("<span class=\"days-left\">今天截止</span>"));
  EXPECT_THAT(body, HasSubstr("<span class=\"days-left\">剩 1 天</span>"));
  EXPECT_THAT(body, HasSubstr("<span class=\"days-left\">剩 22 天</span>"));
  EXPECT_THAT(body, HasSubstr("<a href=\"/items/" + std::to_string(ids[0]) + "\">"));
  EXPECT_THAT(body, HasSubstr("<dd class=\"doc-number\">国信办〔2023〕9号</dd>"));
  EXPECT_THAT(body, HasSubstr("<dd class=\"comment-how\">ai@example.gov.cn</dd>"));
  EXPECT_THAT(body, HasSubstr("<dd class=\"source\">国家互联网信息办公室官网</dd>"));
  EXPECT_THAT(body, HasSubstr("<dd class=\"deadline\">2023-12-07</dd>"));
  EXPECT_THAT(body, Not(HasSubstr("已过期的规定")));
  EXPECT_THAT(body, Not(HasSubstr("被拒绝的标准")));
  EXPECT_THAT(
      body,
      HasSubstr("href=\"/consultations\" class=\"active\" aria-current=\"page\">征求意见</a>"));
}

TEST_F(ConsultationPageTest, WithNoneOpenThePageSaysSo) {
  seed("gov", {draft("已过期的规定", "https://www.cac.gov.cn/past.htm", "2023-11-01"),
               item("普通新闻", "https://www.cac.gov.cn/news.htm")});
  start();
  Signed alice = sign_in("alice", "correct horse");
  const std::string body = consultations(alice);
  EXPECT_THAT(body, HasSubstr("当前没有未截止的征求意见"));
  EXPECT_THAT(body, Not(HasSubstr("class=\"consultations\"")));
}

TEST_F(ConsultationPageTest, HostileTextIsEscaped) {
  Item hostile =
      draft("<img src=x onerror=alert(1)>办法", "https://www.cac.gov.cn/x.htm", "2023-11-20");
  hostile.legal[LegalField::kDocNumber] = {.value = "\"><script>alert(2)</script>",
                                           .from = "table:文号"};
  hostile.legal[LegalField::kCommentHow] = {.value = "<a href=javascript:alert(3)>点此</a>",
                                            .from = "text:x"};
  seed("gov", {hostile});
  start();
  Signed alice = sign_in("alice", "correct horse");
  const std::string body = consultations(alice);
  EXPECT_THAT(body, HasSubstr("&lt;img src=x onerror=alert(1)&gt;办法"));
  EXPECT_THAT(body, HasSubstr("&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
  EXPECT_THAT(body, HasSubstr("&lt;a href=javascript:alert(3)&gt;"));
  EXPECT_THAT(body, Not(HasSubstr("<img src=x")));
  EXPECT_THAT(body, Not(HasSubstr("<script>alert(2)")));
}

TEST_F(ConsultationPageTest, OnlySignedInUsersSeeIt) {
  start();
  auto anonymous = client().Get("/consultations");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 303);
  EXPECT_EQ(anonymous->get_header_value("Location"), "/login");
}

}  // namespace
}  // namespace herald
