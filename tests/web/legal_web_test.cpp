// Issue 16: legal metadata on the desk: the queue card's line, the item page's 法律信息 box
// with provenance, the editors' form, the queue's legal filters (page, pager, bulk by
// filter) and the JSON API.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/web/web_test_support.h"
#include "web/queue_params.h"

namespace herald {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::Signed;

// The fake clock's 1'700'000'000 is 2023-11-14 22:13 UTC: 2023-11-15 at the desk (UTC+8).
class LegalWebTest : public testing::WebFixture {
 protected:
  static Item legal_item(const std::string& title, const std::string& url,
                         const std::string& deadline, const std::string& doc_number = "",
                         const std::string& instrument = "征求意见稿") {
    Item out = item(title, url);
    if (!doc_number.empty()) {
      out.legal[LegalField::kDocNumber] = {.value = doc_number, .from = "table:文号"};
    }
    if (!instrument.empty()) {
      out.legal[LegalField::kInstrument] = {.value = instrument, .from = "title"};
    }
    if (!deadline.empty()) {
      out.legal[LegalField::kCommentDeadline] = {
          .value = deadline, .from = "text:意见反馈截止时间为" + deadline + "。"};
    }
    return out;
  }

  std::string page(const Signed& who, const std::string& path) {
    auto response = client().Get(path, {{"Cookie", who.cookie}});
    if (!response) {
      ADD_FAILURE() << "GET " << path << " failed";
      return "";
    }
    EXPECT_EQ(response->status, 200) << path;
    return response->body;
  }

  httplib::Headers api_headers(const Signed& who) const {
    return {{"Cookie", who.cookie}, {"Origin", origin()}, {"X-CSRF-Token", who.csrf}};
  }
};

TEST_F(LegalWebTest, TheCardShowsDocNumberInstrumentAndDaysLeftCountedAtTheDesk) {
  seed("gov", {legal_item("数据出境办法（征求意见稿）", "https://www.cac.gov.cn/a.htm",
                          "2023-11-20", "沪经信规范〔2023〕8号"),
               legal_item("今天截止的草案", "https://www.cac.gov.cn/b.htm", "2023-11-15"),
               legal_item("已过期的草案", "https://www.cac.gov.cn/c.htm", "2023-11-10"),
               item("没有法律信息的新闻", "https://www.cac.gov.cn/d.htm")});
  start();
  Signed alice = sign_in("alice", "correct horse");
  const std::string queue = page(alice, "/queue");
  // 2023-11-20 is five days after the desk's 2023-11-15 (six after UTC's 2023-11-14).
  EXPECT_THAT(queue, HasSubstr("意见截止 2023-11-20 · 剩 5 天"));
  EXPECT_THAT(queue, HasSubstr("<span class=\"doc-number\">沪经信规范〔2023〕8号</span>"));
  EXPECT_THAT(queue, HasSubstr("<span class=\"badge badge-instrument\">征求意见稿</span>"));
  EXPECT_THAT(queue, HasSubstr("意见截止 2023-11-15 · 今天截止"));
  EXPECT_THAT(queue, HasSubstr("意见截止 2023-11-10 · 已截止"));
  // Exactly the three items with facts carry the line.
  std::size_t lines = 0;
  for (auto at = queue.find("class=\"card-legal\""); at != std::string::npos;
       at = queue.find("class=\"card-legal\"", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 3u);
}

TEST_F(LegalWebTest, AListDeadlineThatIsAlsoTheCommentDeadlineIsShownOnce) {
  // cn-tc260's list date is the deadline ([list] date_is = "deadline"), kept as the summary;
  // when the article states the same comment deadline the card says it once.
  Item consultation =
      legal_item("生成式人工智能服务安全基本要求（征求意见稿）",
                 "https://www.tc260.org.cn/front/postDetail.html?id=1", "2024-01-30");
  consultation.summary = "2024-01-30";
  consultation.published_at.reset();
  seed("tc260", {consultation});
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
  const std::string queue = page(alice, "/queue");
  EXPECT_THAT(queue, HasSubstr("意见截止 2024-01-30 · 剩 76 天"));
  EXPECT_THAT(queue, Not(HasSubstr("截止日期 2024-01-30")));
}

TEST_F(LegalWebTest, TheItemPageListsEveryFieldWithWhereItCameFromEscaped) {
  Item article = item("关于印发办法的通知", "https://www.cac.gov.cn/a.htm");
  article.legal[LegalField::kDocNumber] = {.value = "国办发〔2023〕26号", .from = "table:文号"};
  article.legal[LegalField::kPublishedOn] = {.value = "2023-11-13", .from = "meta:PubDate"};
  article.legal[LegalField::kInstrument] = {.value = "通知", .from = "title"};
  article.legal[LegalField::kCommentHow] = {.value = "<b>ai@example.gov.cn</b>",
                                            .from = "text:请将意见发送至<script>alert(1)</script>"};
  auto ids = seed("gov", {article});
  ASSERT_EQ(ids.size(), 1u);
  start();
  Signed alice = sign_in("alice", "correct horse");
  const std::string body = page(alice, "/items/" + std::to_string(ids[0]));
  EXPECT_THAT(body, HasSubstr("<h2>法律信息</h2>"));
  for (std::string_view label : kLegalFieldLabels) {
    EXPECT_THAT(body, HasSubstr("<dt>" + std::string(label) + "</dt>")) << label;
  }
  EXPECT_THAT(body, HasSubstr("国办发〔2023〕26号</span><span class=\"legal-from muted small\">"
                              "来自：表格·文号</span>"));
  EXPECT_THAT(body, HasSubstr("来自：meta PubDate"));
  EXPECT_THAT(body, HasSubstr("来自：标题"));
  EXPECT_THAT(body, HasSubstr("来自：正文「请将意见发送至&lt;script&gt;alert(1)&lt;/script&gt;」"));
  EXPECT_THAT(body, HasSubstr("&lt;b&gt;ai@example.gov.cn&lt;/b&gt;"));
  EXPECT_THAT(body, Not(HasSubstr("<script>alert(1)")));
  // The form carries the stored values, dates as date inputs, 文种 with its list.
  EXPECT_THAT(body, HasSubstr("action=\"/items/" + std::to_string(ids[0]) + "/legal\""));
  EXPECT_THAT(body, HasSubstr("<input type=\"date\" name=\"published_on\" value=\"2023-11-13\""));
  EXPECT_THAT(body, HasSubstr("list=\"instrument-types\""));
  EXPECT_THAT(body, HasSubstr("<option value=\"proposed rule\">"));
}

TEST_F(LegalWebTest, TheFormSavesAuditedAndShowsWhoChangedIt) {
  auto ids = seed("gov", {item("数据出境办法", "https://www.cac.gov.cn/a.htm")});
  start();
  Signed alice = sign_in("alice", "correct horse");
  const std::string path = "/items/" + std::to_string(ids[0]);
  auto saved = client().Post(path + "/legal", form_headers(alice),
                             httplib::Params{{"csrf", alice.csrf},
                                             {"doc_number", " 国信办发〔2023〕5号 "},
                                             {"instrument", "征求意见稿"},
                                             {"comment_deadline", "2023-12-07"},
                                             {"comment_how", "ai@example.gov.cn"},
                                             {"issuer", ""},
                                             {"adopted_on", ""}});
  ASSERT_TRUE(saved);
  ASSERT_EQ(saved->status, 303) << saved->body;
  EXPECT_EQ(saved->get_header_value("Location"), path + "?m=legal_saved#legal");
  const Candidate stored = store_->get_candidate(ids[0]).value();
  EXPECT_EQ(stored.legal.value(LegalField::kDocNumber), "国信办发〔2023〕5号");
  EXPECT_EQ(stored.legal[LegalField::kCommentDeadline].from, "editor:alice");
  EXPECT_EQ(stored.legal.value(LegalField::kCommentHow), "ai@example.gov.cn");
  const std::string body = page(alice, path + "?m=legal_saved");
  EXPECT_THAT(body, HasSubstr("已保存法律信息"));
  EXPECT_THAT(body, HasSubstr("编辑 alice 修改"));
  EXPECT_THAT(body, HasSubstr("<span class=\"audit-what\">修改法律信息</span>"));
  EXPECT_THAT(body, HasSubstr("文号: （空） → 国信办发〔2023〕5号"));
}

TEST_F(LegalWebTest, ABadDateIsRefusedInChineseBesideTheFormWithNothingLost) {
  auto ids = seed("gov", {item("数据出境办法", "https://www.cac.gov.cn/a.htm")});
  start();
  Signed alice = sign_in("alice", "correct horse");
  auto refused = client().Post("/items/" + std::to_string(ids[0]) + "/legal", form_headers(alice),
                               httplib::Params{{"csrf", alice.csrf},
                                               {"doc_number", "国信办发〔2023〕5号"},
                                               {"comment_deadline", "2023-02-30"},
                                               {"comment_how", "邮寄<地址>"}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  EXPECT_THAT(refused->body,
              HasSubstr("id=\"legal-error\">意见反馈截止「2023-02-30」不是有效日期"));
  EXPECT_THAT(refused->body, HasSubstr("name=\"doc_number\" value=\"国信办发〔2023〕5号\""));
  EXPECT_THAT(refused->body, HasSubstr("name=\"comment_deadline\" value=\"2023-02-30\""));
  EXPECT_THAT(refused->body, HasSubstr("邮寄&lt;地址&gt;</textarea>"));
  EXPECT_TRUE(store_->get_candidate(ids[0]).value().legal.empty());
}

TEST_F(LegalWebTest, TheFormNeedsTheCsrfTokenLikeEveryOtherForm) {
  auto ids = seed("gov", {item("数据出境办法", "https://www.cac.gov.cn/a.htm")});
  start();
  Signed alice = sign_in("alice", "correct horse");
  auto forged =
      client().Post("/items/" + std::to_string(ids[0]) + "/legal", form_headers(alice),
                    httplib::Params{{"csrf", "forged"}, {"doc_number", "伪造〔2023〕1号"}});
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  httplib::Headers cross{{"Cookie", alice.cookie},
                         {"Origin", "https://evil.example"},
                         {"Sec-Fetch-Site", "cross-site"}};
  auto cross_site = client().Post("/items/" + std::to_string(ids[0]) + "/legal", cross,
                                  httplib::Params{{"csrf", alice.csrf}, {"doc_number", "伪造"}});
  ASSERT_TRUE(cross_site);
  EXPECT_EQ(cross_site->status, 403);
  EXPECT_TRUE(store_->get_candidate(ids[0]).value().legal.empty());
}

TEST_F(LegalWebTest, TheQueryStringBecomesTheQueueQueryAndBack) {
  httplib::Request request;
  request.params.emplace("instrument", "征求意见稿");
  request.params.emplace("has_deadline", "on");
  request.params.emplace("deadline_until", "2023-12-31");
  auto params = web::parse_queue_params(request, {}, 8 * 3600, 30);
  ASSERT_TRUE(params) << params.error().message;
  EXPECT_EQ(params->query.instrument, "征求意见稿");
  EXPECT_TRUE(params->query.has_deadline);
  EXPECT_EQ(params->query.deadline_until, "2023-12-31");
  const std::string query = web::queue_query_string(*params);
  EXPECT_THAT(query, HasSubstr("instrument=%E5%BE%81"));
  EXPECT_THAT(query, HasSubstr("has_deadline=1"));
  EXPECT_THAT(query, HasSubstr("deadline_until=2023-12-31"));
  const auto described = web::describe_filters(*params, {});
  EXPECT_THAT(described, ::testing::ElementsAre("文种：征求意见稿", "有截止日期",
                                                "截止日期不晚于：2023-12-31"));

  httplib::Request kind;
  kind.params.emplace("kind", "government");
  SourceConfig gov;
  gov.id = "gov";
  gov.kind = SourceKind::kGovernment;
  auto by_kind = web::parse_queue_params(kind, {gov}, 8 * 3600, 30);
  ASSERT_TRUE(by_kind);
  EXPECT_THAT(web::describe_filters(*by_kind, {gov}), ::testing::ElementsAre("来源类型：政府机关"));

  httplib::Request none;
  auto plain = web::parse_queue_params(none, {}, 8 * 3600, 30);
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->query.instrument.has_value());
  EXPECT_FALSE(plain->query.has_deadline);
  EXPECT_FALSE(plain->query.deadline_until.has_value());

  httplib::Request bad;
  bad.params.emplace("deadline_until", "2023-11-31");
  auto refused = web::parse_queue_params(bad, {}, 8 * 3600, 30);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUsage);
  EXPECT_THAT(refused.error().message, HasSubstr("截止日期不晚于"));
}

TEST_F(LegalWebTest, TheQueueFiltersCarryIntoThePagerAndTheBulkConfirmation) {
  std::vector<Item> items;
  for (int n = 0; n < 32; ++n) {
    items.push_back(legal_item("草案 " + std::to_string(n),
                               "https://www.cac.gov.cn/d" + std::to_string(n) + ".htm",
                               "2023-12-0" + std::to_string(1 + n % 9)));
  }
  items.push_back(item("没有截止日期", "https://www.cac.gov.cn/none.htm"));
  seed("gov", items);
  start();
  Signed alice = sign_in("alice", "correct horse");
  const std::string filtered =
      page(alice, "/queue?has_deadline=1&instrument=%E5%BE%81%E6%B1%82%E6%84%8F%E8%A7%81%E7%A8%BF");
  EXPECT_THAT(filtered, HasSubstr("共 32 条"));
  EXPECT_THAT(filtered, Not(HasSubstr("没有截止日期")));
  EXPECT_THAT(filtered, HasSubstr("id=\"filter-has-deadline\" checked"));
  EXPECT_THAT(filtered, HasSubstr("<option value=\"征求意见稿\" selected>"));
  EXPECT_THAT(filtered, HasSubstr("has_deadline=1&amp;page=2\" rel=\"next\""));
  const std::string until = page(alice, "/queue?deadline_until=2023-12-01");
  EXPECT_THAT(until, HasSubstr("共 4 条"));  // n = 0, 9, 18, 27
  EXPECT_THAT(until, HasSubstr("name=\"deadline_until\" value=\"2023-12-01\""));

  auto asked =
      client().Post("/queue/bulk-filter", form_headers(alice),
                    httplib::Params{{"csrf", alice.csrf},
                                    {"filters", "has_deadline=1&deadline_until=2023-12-01"},
                                    {"action", "reject"}});
  ASSERT_TRUE(asked);
  ASSERT_EQ(asked->status, 200);
  EXPECT_THAT(asked->body, HasSubstr("<strong class=\"bulk-confirm-count\">4</strong>"));
  EXPECT_THAT(asked->body, HasSubstr("<li>有截止日期</li>"));
  EXPECT_THAT(asked->body, HasSubstr("<li>截止日期不晚于：2023-12-01</li>"));
  auto done = client().Post("/queue/bulk-filter", form_headers(alice),
                            httplib::Params{{"csrf", alice.csrf},
                                            {"filters", "has_deadline=1&deadline_until=2023-12-01"},
                                            {"action", "reject"},
                                            {"count", "4"},
                                            {"confirmed", "1"}});
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 303);
  QueueQuery rejected;
  rejected.state = ReviewState::kRejected;
  rejected.collapse_clusters = false;
  EXPECT_EQ(store_->query_queue(rejected).value().total, 4);
}

TEST_F(LegalWebTest, TheApiShowsLegalFactsFiltersByThemAndPatchesThem) {
  auto ids = seed("gov", {legal_item("数据出境办法（征求意见稿）", "https://www.cac.gov.cn/a.htm",
                                     "2023-12-07", "国信办发〔2023〕5号"),
                          item("新闻", "https://www.cac.gov.cn/b.htm")});
  ASSERT_EQ(ids.size(), 2u);
  start();
  Signed alice = sign_in("alice", "correct horse");
  httplib::Headers cookie{{"Cookie", alice.cookie}};
  auto one = client().Get("/api/v1/candidates/" + std::to_string(ids[0]), cookie);
  ASSERT_TRUE(one);
  const auto candidate = nlohmann::json::parse(one->body);
  EXPECT_EQ(candidate["legal"]["doc_number"]["value"], "国信办发〔2023〕5号");
  EXPECT_EQ(candidate["legal"]["doc_number"]["from"], "table:文号");
  EXPECT_EQ(candidate["legal"]["comment_deadline"]["value"], "2023-12-07");
  EXPECT_FALSE(candidate["legal"].contains("issuer"));  // only the fields present

  auto listed = client().Get("/api/v1/candidates?has_deadline=1&deadline_until=2023-12-31", cookie);
  ASSERT_TRUE(listed);
  const auto list = nlohmann::json::parse(listed->body);
  ASSERT_EQ(list["items"].size(), 1u);
  EXPECT_EQ(list["items"][0]["id"], ids[0]);
  auto news = client().Get("/api/v1/candidates/" + std::to_string(ids[1]), cookie);
  ASSERT_TRUE(news);
  EXPECT_EQ(nlohmann::json::parse(news->body)["legal"], nlohmann::json::object());
  auto bad_filter = client().Get("/api/v1/candidates?deadline_until=soon", cookie);
  ASSERT_TRUE(bad_filter);
  EXPECT_EQ(bad_filter->status, 400);

  const std::string path = "/api/v1/candidates/" + std::to_string(ids[1]);
  auto patched = client().Patch(
      path, api_headers(alice),
      R"({"legal":{"doc_number":"国办发〔2023〕26号","effective_on":"2024-01-01"},"commentary":"值得关注"})",
      "application/json");
  ASSERT_TRUE(patched);
  ASSERT_EQ(patched->status, 200) << patched->body;
  const auto result = nlohmann::json::parse(patched->body);
  EXPECT_EQ(result["legal"]["doc_number"]["value"], "国办发〔2023〕26号");
  EXPECT_EQ(result["legal"]["effective_on"]["from"], "editor:alice");
  EXPECT_EQ(result["commentary"], "值得关注");

  auto cleared = client().Patch(path, api_headers(alice), R"({"legal":{"effective_on":""}})",
                                "application/json");
  ASSERT_TRUE(cleared);
  ASSERT_EQ(cleared->status, 200);
  EXPECT_FALSE(nlohmann::json::parse(cleared->body)["legal"].contains("effective_on"));

  // Refused: a bad date (nothing else in the body is applied), an unknown field, a number.
  auto bad_date = client().Patch(path, api_headers(alice),
                                 R"({"legal":{"comment_deadline":"2023-13-01"},"commentary":"改"})",
                                 "application/json");
  ASSERT_TRUE(bad_date);
  EXPECT_EQ(bad_date->status, 400);
  const auto error = nlohmann::json::parse(bad_date->body);
  EXPECT_THAT(error["error"].get<std::string>(), HasSubstr("不是有效日期"));
  EXPECT_EQ(error["code"], "invalid");
  EXPECT_EQ(store_->get_candidate(ids[1]).value().commentary, "值得关注");
  auto unknown =
      client().Patch(path, api_headers(alice), R"({"legal":{"wenhao":"x"}})", "application/json");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_THAT(nlohmann::json::parse(unknown->body)["error"].get<std::string>(),
              HasSubstr("没有字段“wenhao”"));
  auto number =
      client().Patch(path, api_headers(alice), R"({"legal":{"doc_number":5}})", "application/json");
  ASSERT_TRUE(number);
  EXPECT_EQ(number->status, 400);
  auto forged = client().Patch(path, {{"Cookie", alice.cookie}, {"Origin", origin()}},
                               R"({"legal":{"doc_number":"x"}})", "application/json");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  EXPECT_EQ(store_->get_candidate(ids[1]).value().legal.value(LegalField::kDocNumber),
            "国办发〔2023〕26号");
}

}  // namespace
}  // namespace herald
