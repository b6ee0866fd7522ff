// Issue 15, fixes from use: whole-word search on the queue page and API, pages past the
// end that say so, Chinese messages, a styled 404 and a favicon, published cards without
// decisions, and every moment shown in the desk's zone with its label.

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/web/web_test_support.h"

namespace herald::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class FixesFromUseTest : public WebFixture {};

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

TEST_F(FixesFromUseTest, QueueSearchMatchesWholeAsciiWords) {
  seed("news", {item("OpenAI 发布新模型", "https://news.example/1"),
                item("AI 治理框架征求意见", "https://news.example/2"),
                item("Security flaws in routers", "https://news.example/3"),
                item("The law on personal data", "https://news.example/4")});
  start();
  Signed alice = sign_in("alice", "correct horse");
  const httplib::Headers cookie{{"Cookie", alice.cookie}};

  auto ai = client().Get("/queue?state=all&q=AI", cookie);
  ASSERT_TRUE(ai);
  ASSERT_EQ(ai->status, 200);
  EXPECT_THAT(ai->body, HasSubstr("AI 治理框架征求意见"));
  EXPECT_THAT(ai->body, Not(HasSubstr("OpenAI 发布新模型")));
  EXPECT_THAT(ai->body, HasSubstr("共 1 条"));

  auto law = client().Get("/api/v1/candidates?state=all&q=law", cookie);
  ASSERT_TRUE(law);
  ASSERT_EQ(law->status, 200);
  const auto json = nlohmann::json::parse(law->body);
  EXPECT_EQ(json["total"], 1);
  ASSERT_EQ(json["items"].size(), 1u);
  EXPECT_EQ(json["items"][0]["title"], "The law on personal data");
}

TEST_F(FixesFromUseTest, APagePastTheEndSaysSoAndLinksTheLastPage) {
  std::vector<Item> items;
  for (int i = 0; i < 35; ++i) {
    items.push_back(item("人工智能公告 " + std::to_string(i),
                         "https://www.cac.gov.cn/p" + std::to_string(i) + ".htm"));
  }
  seed("gov", items);
  start();
  Signed alice = sign_in("alice", "correct horse");
  const httplib::Headers cookie{{"Cookie", alice.cookie}};

  auto past = client().Get("/queue?page=7", cookie);
  ASSERT_TRUE(past);
  ASSERT_EQ(past->status, 200);
  EXPECT_THAT(past->body, HasSubstr("第 7 页已超出范围：共 35 条，最后一页是第 2 页"));
  EXPECT_THAT(past->body, HasSubstr("href=\"/queue?state=pending&amp;page=2\""));
  EXPECT_THAT(past->body, HasSubstr("前往最后一页"));
  EXPECT_THAT(past->body, Not(HasSubstr("第 0–")));
  EXPECT_THAT(past->body, Not(HasSubstr("rel=\"prev\"")));

  // The last page itself is an ordinary page.
  auto last = client().Get("/queue?page=2", cookie);
  ASSERT_TRUE(last);
  EXPECT_THAT(last->body, HasSubstr("第 31–35 条，共 35 条"));

  for (const std::string page : {"0", "-3", "99999999", "abc"}) {
    auto refused = client().Get("/queue?page=" + page, cookie);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 400) << page;
    EXPECT_THAT(refused->body, HasSubstr("页码应为 1 到 100000 之间的整数")) << page;
  }
}

TEST_F(FixesFromUseTest, FilterErrorsAreInChinese) {
  start();
  Signed alice = sign_in("alice", "correct horse");
  const httplib::Headers cookie{{"Cookie", alice.cookie}};
  auto from = client().Get("/queue?from=2023-13-01", cookie);
  ASSERT_TRUE(from);
  EXPECT_EQ(from->status, 400);
  EXPECT_THAT(from->body, HasSubstr("起始日期应为 YYYY-MM-DD"));
  EXPECT_THAT(from->body, Not(HasSubstr("must be")));
  auto state = client().Get("/queue?state=maybe", cookie);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->status, 400);
  EXPECT_THAT(state->body, HasSubstr("未知的状态"));
}

TEST_F(FixesFromUseTest, PublishedCardsOfferNoDecisionAndRefuseOneInChinese) {
  const auto ids = seed("gov", {item("已发布的办法", "https://www.cac.gov.cn/pub.htm"),
                                item("待审的办法", "https://www.cac.gov.cn/pending.htm")});
  ASSERT_EQ(ids.size(), 2u);
  const std::int64_t now = clock_.now_utc_seconds();
  ASSERT_TRUE(store_->edit_candidate(ids[0], {.state = ReviewState::kAccepted}, "alice", now));
  auto published = store_->publish_edition("2023-11", 8 * 3600, "alice", now);
  ASSERT_TRUE(published.has_value()) << published.error().message;
  ASSERT_EQ(*published, 1);
  start();
  Signed alice = sign_in("alice", "correct horse");

  auto queue = client().Get("/queue?state=all", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(queue);
  ASSERT_EQ(queue->status, 200);
  EXPECT_THAT(queue->body, Not(HasSubstr("value=\"accept:" + std::to_string(ids[0]) + ":")));
  EXPECT_THAT(queue->body, Not(HasSubstr("value=\"reject:" + std::to_string(ids[0]) + ":")));
  EXPECT_THAT(queue->body, HasSubstr("value=\"accept:" + std::to_string(ids[1]) + ":"));

  auto refused = client().Post("/items/" + std::to_string(ids[0]) + "/decision",
                               form_headers(alice), "csrf=" + alice.csrf + "&decision=reject",
                               "application/x-www-form-urlencoded");
  ASSERT_TRUE(refused);
  EXPECT_GE(refused->status, 400);
  EXPECT_THAT(refused->body,
              HasSubstr("第 " + std::to_string(ids[0]) + " 条已在月刊中发布，状态不能再更改"));
  EXPECT_THAT(refused->body, Not(HasSubstr("is published")));
}

TEST_F(FixesFromUseTest, UnknownPagesGetTheStyled404SignedInOrNot) {
  start();
  auto anonymous = client().Get("/no/such/page");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 404);
  EXPECT_THAT(anonymous->body, HasSubstr("没有这个页面"));
  EXPECT_THAT(anonymous->body, HasSubstr("/assets/app.css"));
  EXPECT_THAT(anonymous->body, Not(HasSubstr("class=\"topbar\"")));

  Signed alice = sign_in("alice", "correct horse");
  auto signed_in = client().Get("/no/such/page", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(signed_in);
  EXPECT_EQ(signed_in->status, 404);
  EXPECT_THAT(signed_in->body, HasSubstr("没有这个页面"));
  EXPECT_THAT(signed_in->body, HasSubstr("class=\"topbar\""));
  EXPECT_THAT(signed_in->body, HasSubstr("alice"));

  // The API keeps its JSON errors.
  auto api = client().Get("/api/v1/nothing", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 404);
  EXPECT_THAT(api->get_header_value("Content-Type"), HasSubstr("application/json"));
}

TEST_F(FixesFromUseTest, TheFaviconNeedsNoSessionAndEveryPageLinksIt) {
  start();
  auto icon = client().Get("/assets/favicon.svg");
  ASSERT_TRUE(icon);
  EXPECT_EQ(icon->status, 200);
  EXPECT_THAT(icon->get_header_value("Content-Type"), HasSubstr("image/svg+xml"));
  EXPECT_THAT(icon->body, HasSubstr("<svg"));
  auto login = client().Get("/login");
  ASSERT_TRUE(login);
  EXPECT_THAT(login->body, HasSubstr("<link rel=\"icon\" href=\"/assets/favicon.svg\""));
}

TEST_F(FixesFromUseTest, PollsAtOneInstantShowOneTimeInTheDesksZone) {
  // Polled now (1'700'000'000: 2023-11-14 22:13:20 UTC) by two sources five and nine hours
  // away from UTC: 17:13 and 07:13 in their own zones, 06:13 on the 15th in Beijing.
  seed("gov", {item("人工智能办法", "https://www.cac.gov.cn/a.htm")});
  seed("news", {item("AI rules", "https://news.example/a")});
  start([](WebSettings&, web::WebDeps& deps) {
    deps.sources[0].timezone = TimeZone::fixed(-5 * 3600);
    deps.sources[1].timezone = TimeZone::fixed(9 * 3600);
  });
  Signed alice = sign_in("alice", "correct horse");
  auto sources = client().Get("/sources", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(sources);
  ASSERT_EQ(sources->status, 200);
  EXPECT_GE(count_of(sources->body, "2023-11-15 06:13"), 2u);
  EXPECT_THAT(sources->body, Not(HasSubstr("2023-11-14 17:13")));
  EXPECT_THAT(sources->body, Not(HasSubstr("2023-11-15 07:13")));
  EXPECT_THAT(sources->body, HasSubstr("时区 UTC+08:00"));
}

TEST_F(FixesFromUseTest, ACardsOwnDecisionComesBackToTheNextCard) {
  // One publish date: the queue shows the highest id first.
  const auto ids = seed("gov", {item("办法一", "https://www.cac.gov.cn/1.htm"),
                                item("办法二", "https://www.cac.gov.cn/2.htm"),
                                item("办法三", "https://www.cac.gov.cn/3.htm")});
  ASSERT_EQ(ids.size(), 3u);
  start();
  Signed alice = sign_in("alice", "correct horse");
  auto queue = client().Get("/queue", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(queue);
  const std::string top = std::to_string(ids[2]);
  const std::string second = std::to_string(ids[1]);
  EXPECT_THAT(queue->body, HasSubstr("id=\"c" + top + "\""));
  EXPECT_THAT(queue->body, HasSubstr("value=\"accept:" + top + ":" + second + "\""));
  // The last card comes back to the one before it.
  EXPECT_THAT(queue->body, HasSubstr("value=\"reject:" + std::to_string(ids[0]) + ":" + second + "\""));

  auto decided = client().Post("/queue/bulk", form_headers(alice),
                               "csrf=" + alice.csrf + "&back=state%3Dpending&single=accept%3A" + top +
                                   "%3A" + second,
                               "application/x-www-form-urlencoded");
  ASSERT_TRUE(decided);
  EXPECT_EQ(decided->status, 303);
  EXPECT_EQ(decided->get_header_value("Location"), "/queue?state=pending&m=accepted#c" + second);
  EXPECT_EQ(store_->get_candidate(ids[2]).value().state, ReviewState::kAccepted);
}

TEST_F(FixesFromUseTest, TheItemPageLinksTheNextPendingCandidate) {
  const auto ids = seed("gov", {item("办法一", "https://www.cac.gov.cn/1.htm"),
                                item("办法二", "https://www.cac.gov.cn/2.htm"),
                                item("办法三", "https://www.cac.gov.cn/3.htm")});
  ASSERT_EQ(ids.size(), 3u);
  start();
  Signed alice = sign_in("alice", "correct horse");
  const httplib::Headers cookie{{"Cookie", alice.cookie}};
  auto next_of = [&](std::int64_t id) {
    auto page = client().Get("/items/" + std::to_string(id), cookie);
    EXPECT_TRUE(page && page->status == 200);
    const std::string marker = "<a class=\"next-link\" href=\"/items/";
    const auto at = page ? page->body.find(marker) : std::string::npos;
    if (at == std::string::npos) {
      return std::string();
    }
    const auto start = at + marker.size();
    return page->body.substr(start, page->body.find('"', start) - start);
  };
  // Queue order: ids[2], ids[1], ids[0].
  EXPECT_EQ(next_of(ids[2]), std::to_string(ids[1]));
  EXPECT_EQ(next_of(ids[1]), std::to_string(ids[0]));
  EXPECT_EQ(next_of(ids[0]), "");  // the last pending one
  // Once decided, "next" is the first pending candidate.
  ASSERT_TRUE(store_->edit_candidate(ids[1], {.state = ReviewState::kRejected}, "alice",
                                     clock_.now_utc_seconds()));
  EXPECT_EQ(next_of(ids[1]), std::to_string(ids[2]));
}

TEST_F(FixesFromUseTest, ApiErrorsCarryAStableCodeAndChineseText) {
  start();
  auto anonymous = client().Get("/api/v1/candidates");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  const auto refused = nlohmann::json::parse(anonymous->body);
  EXPECT_EQ(refused["code"], "not_signed_in");
  EXPECT_EQ(refused["error"], "未登录或会话已过期，请重新登录");

  Signed alice = sign_in("alice", "correct horse");
  auto bad = client().Get("/api/v1/candidates?from=2023-02-30", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  const auto invalid = nlohmann::json::parse(bad->body);
  EXPECT_EQ(invalid["code"], "invalid");
  EXPECT_THAT(invalid["error"].get<std::string>(), HasSubstr("起始日期应为 YYYY-MM-DD"));

  auto missing = client().Get("/api/v1/candidates/999999", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  const auto absent = nlohmann::json::parse(missing->body);
  EXPECT_EQ(absent["code"], "not_found");
  EXPECT_EQ(absent["error"], "没有找到所请求的条目或资源");
  auto malformed = client().Get("/api/v1/candidates/abc", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 404);
}

TEST_F(FixesFromUseTest, AListDateThatIsADeadlineIsLabelledSo) {
  // As cn-tc260's list is read ([list] date_is = "deadline"): the deadline is the summary
  // and the item has no publish date from the list.
  Item consultation = item("生成式人工智能服务安全基本要求（征求意见稿）",
                           "https://www.tc260.org.cn/front/postDetail.html?id=1");
  consultation.summary = "2024-01-30";
  consultation.published_at.reset();
  const auto ids = seed("tc260", {consultation});
  ASSERT_EQ(ids.size(), 1u);
  start([](WebSettings&, web::WebDeps& deps) {
    SourceConfig tc260;
    tc260.id = "tc260";
    tc260.name = "全国网络安全标准化技术委员会";
    tc260.kind = SourceKind::kAssociation;
    tc260.url = "https://www.tc260.org.cn/";
    tc260.list = ListRules{};
    tc260.list->date_is_deadline = true;
    deps.sources.push_back(tc260);
  });
  Signed alice = sign_in("alice", "correct horse");
  for (const std::string& path : {std::string("/queue"), "/items/" + std::to_string(ids[0])}) {
    auto page = client().Get(path, {{"Cookie", alice.cookie}});
    ASSERT_TRUE(page);
    ASSERT_EQ(page->status, 200) << path;
    EXPECT_THAT(page->body, HasSubstr("截止日期 2024-01-30")) << path;
  }
  auto queue = client().Get("/queue", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(queue);
  EXPECT_THAT(queue->body, Not(HasSubstr("card-summary\">2024-01-30")));
}

}  // namespace
}  // namespace herald::testing
