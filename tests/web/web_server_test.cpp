// The web UI and JSON API through real HTTP on loopback: authentication, sessions, roles,
// CSRF and origin checks, Host checks, security headers, escaping, and the editing flow.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "tests/web/web_test_support.h"
#include "web/security.h"

namespace herald::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class WebServerTest : public WebFixture {};

void expect_security_headers(const httplib::Response& response, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(response.get_header_value("Content-Security-Policy"),
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  EXPECT_EQ(response.get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(response.get_header_value("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(response.get_header_value("Cross-Origin-Opener-Policy"), "same-origin");
  EXPECT_EQ(response.get_header_value("Cross-Origin-Resource-Policy"), "same-origin");
  EXPECT_EQ(response.get_header_value("Cache-Control"), "no-store");
  EXPECT_EQ(response.get_header_value_count("Content-Security-Policy"), 1u);
}

TEST_F(WebServerTest, HealthzAnswersWithoutSession) {
  start();
  auto response = client().Get("/healthz");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(nlohmann::json::parse(response->body), nlohmann::json({{"status", "ok"}}));
  EXPECT_EQ(response->get_header_value("Content-Type"), "application/json; charset=utf-8");
}

TEST_F(WebServerTest, LoginSetsHttpOnlyStrictCookieAndRedirectsToQueue) {
  start();
  auto response = login("alice", "correct horse");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 303);
  EXPECT_EQ(response->get_header_value("Location"), "/queue");
  const std::string cookie = response->get_header_value("Set-Cookie");
  EXPECT_THAT(cookie, StartsWith("herald_sid="));
  EXPECT_THAT(cookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(cookie, HasSubstr("SameSite=Strict"));
  EXPECT_THAT(cookie, HasSubstr("Path=/"));
  EXPECT_THAT(cookie, Not(HasSubstr("Secure")));  // plain loopback HTTP
  // 32 random bytes as hex.
  EXPECT_EQ(cookie.find(';') - std::string("herald_sid=").size(), 64u);

  Signed alice = sign_in("alice", "correct horse");
  auto queue = client().Get("/queue", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(queue);
  EXPECT_EQ(queue->status, 200);
  EXPECT_THAT(queue->body, HasSubstr("alice"));
  EXPECT_EQ(alice.csrf.size(), 64u);
}

TEST_F(WebServerTest, SessionTokenIsStoredOnlyAsItsHash) {
  start();
  Signed alice = sign_in("alice", "correct horse");
  const std::string token = alice.cookie.substr(alice.cookie.find('=') + 1);
  auto by_token = store_->find_session(token);
  ASSERT_TRUE(by_token);
  EXPECT_FALSE(by_token->has_value());
  auto by_hash = store_->find_session(sha256_hex(token));
  ASSERT_TRUE(by_hash);
  ASSERT_TRUE(by_hash->has_value());
  EXPECT_EQ((*by_hash)->csrf_token, alice.csrf);
}

TEST_F(WebServerTest, WrongPasswordIsRefusedWithoutCookie) {
  start();
  for (auto [name, password] : {std::pair{"alice", "wrong"}, {"nobody", "correct horse"},
                                {"alice", ""}}) {
    auto response = login(name, password);
    ASSERT_TRUE(response);
    EXPECT_NE(response->status, 303) << name;
    EXPECT_FALSE(response->has_header("Set-Cookie")) << name;
    EXPECT_THAT(response->body, HasSubstr("<form method=\"post\" action=\"/login\""));
  }
}

TEST_F(WebServerTest, LoginRotatesTheSessionId) {
  start();
  Signed first = sign_in("alice", "correct horse");
  auto second = login("alice", "correct horse", first.cookie);
  ASSERT_TRUE(second);
  ASSERT_EQ(second->status, 303);
  const std::string set_cookie = second->get_header_value("Set-Cookie");
  const std::string new_cookie = set_cookie.substr(0, set_cookie.find(';'));
  EXPECT_NE(new_cookie, first.cookie);

  auto old_session = client().Get("/queue", {{"Cookie", first.cookie}});
  ASSERT_TRUE(old_session);
  EXPECT_EQ(old_session->status, 303);
  EXPECT_EQ(old_session->get_header_value("Location"), "/login");
  auto new_session = client().Get("/queue", {{"Cookie", new_cookie}});
  ASSERT_TRUE(new_session);
  EXPECT_EQ(new_session->status, 200);
}

TEST_F(WebServerTest, IdleSessionExpires) {
  start();
  Signed alice = sign_in("alice", "correct horse");
  clock_.advance(std::chrono::hours(1));
  auto active = client().Get("/queue", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(active);
  EXPECT_EQ(active->status, 200);

  clock_.advance(std::chrono::hours(2));  // the default idle timeout is 2 h
  auto idle = client().Get("/queue", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(idle);
  EXPECT_EQ(idle->status, 303);
  EXPECT_EQ(idle->get_header_value("Location"), "/login");
}

TEST_F(WebServerTest, SessionEndsAtTheAbsoluteTimeoutEvenWhenActive) {
  start([](WebSettings& settings, web::WebDeps&) {
    settings.session_absolute_timeout = std::chrono::hours(3);
  });
  Signed alice = sign_in("alice", "correct horse");
  for (int hour = 1; hour <= 2; ++hour) {
    clock_.advance(std::chrono::hours(1));
    auto response = client().Get("/queue", {{"Cookie", alice.cookie}});
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200) << "after " << hour << " h";
  }
  clock_.advance(std::chrono::hours(1));
  auto expired = client().Get("/queue", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->status, 303);
}

TEST_F(WebServerTest, LogoutEndsTheSession) {
  start();
  Signed alice = sign_in("alice", "correct horse");
  auto logout = client().Post("/logout", form_headers(alice), httplib::Params{{"csrf", alice.csrf}});
  ASSERT_TRUE(logout);
  EXPECT_EQ(logout->status, 303);
  EXPECT_THAT(logout->get_header_value("Set-Cookie"), HasSubstr("Max-Age=0"));
  auto after = client().Get("/queue", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 303);
}

TEST_F(WebServerTest, OnlyAdminsSeeTheUsersPage) {
  start();
  Signed alice = sign_in("alice", "correct horse");
  Signed root = sign_in("root", "admin pass");
  auto editor = client().Get("/users", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(editor);
  EXPECT_EQ(editor->status, 403);
  EXPECT_THAT(editor->body, Not(HasSubstr("root")));
  auto admin = client().Get("/users", {{"Cookie", root.cookie}});
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->status, 200);
  EXPECT_THAT(admin->body, HasSubstr("alice"));
  // The nav shows the users link to admins only.
  auto editor_queue = client().Get("/queue", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(editor_queue);
  EXPECT_THAT(editor_queue->body, Not(HasSubstr("href=\"/users\"")));
}

class CsrfTest : public WebServerTest {
 protected:
  void SetUp() override {
    WebServerTest::SetUp();
    ids_ = seed("gov", {item("生成式人工智能服务管理办法", "https://www.cac.gov.cn/b.htm")});
    ASSERT_EQ(ids_.size(), 1u);
    start();
    alice_ = sign_in("alice", "correct horse");
  }

  int decide(const httplib::Headers& headers, const httplib::Params& params) {
    auto response =
        client().Post("/items/" + std::to_string(ids_[0]) + "/decision", headers, params);
    return response ? response->status : -1;
  }

  ReviewState state() {
    auto candidate = store_->get_candidate(ids_[0]);
    EXPECT_TRUE(candidate);
    return candidate ? candidate->state : ReviewState::kPending;
  }

  std::vector<std::int64_t> ids_;
  Signed alice_;
};

TEST_F(CsrfTest, MissingOrWrongTokenIsRefused) {
  EXPECT_EQ(decide(form_headers(alice_), {{"decision", "accept"}}), 403);
  // One character changed (a fixed replacement would be no change when the token starts
  // with it: one time in sixteen).
  std::string wrong = alice_.csrf;
  wrong[0] = wrong[0] == '0' ? '1' : '0';
  EXPECT_EQ(decide(form_headers(alice_), {{"decision", "accept"}, {"csrf", wrong}}), 403);
  EXPECT_EQ(state(), ReviewState::kPending);
}

TEST_F(CsrfTest, CrossSiteFetchMetadataIsRefusedEvenWithToken) {
  for (const char* site : {"cross-site", "same-site"}) {
    httplib::Headers headers{{"Cookie", alice_.cookie}, {"Sec-Fetch-Site", site},
                             {"Origin", origin()}};
    EXPECT_EQ(decide(headers, {{"decision", "accept"}, {"csrf", alice_.csrf}}), 403) << site;
  }
  EXPECT_EQ(state(), ReviewState::kPending);
}

TEST_F(CsrfTest, WithoutFetchMetadataTheOriginMustBeOurs) {
  const httplib::Params params{{"decision", "accept"}, {"csrf", alice_.csrf}};
  EXPECT_EQ(decide({{"Cookie", alice_.cookie}, {"Origin", "http://evil.example"}}, params), 403);
  EXPECT_EQ(decide({{"Cookie", alice_.cookie}, {"Referer", "http://evil.example/x"}}, params), 403);
  EXPECT_EQ(decide({{"Cookie", alice_.cookie}}, params), 403);  // neither header
  EXPECT_EQ(state(), ReviewState::kPending);

  EXPECT_EQ(decide({{"Cookie", alice_.cookie}, {"Referer", origin() + "/queue"}}, params), 303);
  EXPECT_EQ(state(), ReviewState::kAccepted);
}

TEST_F(CsrfTest, SameOriginPostWithTokenDecides) {
  EXPECT_EQ(decide(form_headers(alice_),
                   {{"decision", "reject"}, {"reason", "与 AI 无关"}, {"csrf", alice_.csrf}}),
            303);
  auto candidate = store_->get_candidate(ids_[0]);
  ASSERT_TRUE(candidate);
  EXPECT_EQ(candidate->state, ReviewState::kRejected);
  EXPECT_EQ(candidate->reason, "与 AI 无关");
  EXPECT_EQ(candidate->reviewer, "alice");
}

TEST_F(CsrfTest, CrossSiteLoginIsRefused) {
  auto response = client().Post(
      "/login", {{"Origin", "http://evil.example"}, {"Sec-Fetch-Site", "cross-site"}},
      httplib::Params{{"name", "alice"}, {"password", "correct horse"}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 403);
  EXPECT_FALSE(response->has_header("Set-Cookie"));
}

TEST_F(CsrfTest, ApiNeedsTheTokenHeaderAndJson) {
  const std::string path = "/api/v1/candidates/" + std::to_string(ids_[0]) + "/decision";
  const std::string body = R"({"state":"accepted"})";
  httplib::Headers base{{"Cookie", alice_.cookie}, {"Origin", origin()}};

  auto no_token = client().Post(path, base, body, "application/json");
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 403);

  httplib::Headers with_token = base;
  with_token.emplace("X-CSRF-Token", alice_.csrf);
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", "text/json"}) {
    auto wrong_type = client().Post(path, with_token, body, type);
    ASSERT_TRUE(wrong_type);
    EXPECT_EQ(wrong_type->status, 415) << type;
    EXPECT_EQ(wrong_type->get_header_value("Content-Type"), "application/json; charset=utf-8");
  }
  // httplib itself refuses a multipart body that does not parse, before any route runs.
  auto multipart = client().Post(path, with_token, body, "multipart/form-data; boundary=x");
  ASSERT_TRUE(multipart);
  EXPECT_GE(multipart->status, 400);
  EXPECT_EQ(state(), ReviewState::kPending);

  auto ok = client().Post(path, with_token, body, "application/json; charset=utf-8");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(nlohmann::json::parse(ok->body)["state"], "accepted");
  EXPECT_EQ(state(), ReviewState::kAccepted);
}

TEST_F(WebServerTest, ForeignHostHeaderIsRefused) {
  start();
  for (const char* host : {"evil.example", "evil.example:80", "127.0.0.1:1"}) {
    auto response = client().Get("/healthz", {{"Host", host}});
    ASSERT_TRUE(response) << host;
    EXPECT_EQ(response->status, 400) << host;
    expect_security_headers(*response, host);
  }
  auto localhost = client().Get("/healthz", {{"Host", "localhost:" + std::to_string(port_)}});
  ASSERT_TRUE(localhost);
  EXPECT_EQ(localhost->status, 200);
}

TEST_F(WebServerTest, PublicOriginHostIsAccepted) {
  start([](WebSettings& settings, web::WebDeps&) {
    settings.public_origin = "https://herald.example.com";
  });
  auto proxied = client().Get("/healthz", {{"Host", "herald.example.com"}});
  ASSERT_TRUE(proxied);
  EXPECT_EQ(proxied->status, 200);
  // Behind TLS the cookie is Secure and __Host- prefixed.
  auto response = client().Post(
      "/login", {{"Host", "herald.example.com"}, {"Origin", "https://herald.example.com"}},
      httplib::Params{{"name", "alice"}, {"password", "correct horse"}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 303);
  EXPECT_THAT(response->get_header_value("Set-Cookie"), StartsWith("__Host-herald_sid="));
  EXPECT_THAT(response->get_header_value("Set-Cookie"), HasSubstr("; Secure"));
}

TEST_F(WebServerTest, SecurityHeadersOnEveryResponse) {
  seed("gov", {item("人工智能", "https://www.cac.gov.cn/c.htm")});
  start();
  Signed alice = sign_in("alice", "correct horse");
  const httplib::Headers cookie{{"Cookie", alice.cookie}};
  for (const auto& [path, headers] :
       std::vector<std::pair<std::string, httplib::Headers>>{
           {"/healthz", {}}, {"/login", {}}, {"/queue", {}}, {"/assets/app.css", {}},
           {"/assets/app.js", {}}, {"/no/such/page", {}}, {"/api/v1/candidates", {}},
           {"/queue", cookie}, {"/items/999999", cookie}, {"/sources", cookie},
           {"/export?month=2023-11", cookie}, {"/api/v1/candidates", cookie},
           {"/api/v1/nothing", cookie}, {"/queue?state=bogus", cookie}}) {
    auto response = client().Get(path, headers);
    ASSERT_TRUE(response) << path;
    expect_security_headers(*response, path + " (" + std::to_string(response->status) + ")");
  }
  auto bad_post = client().Post("/login", "x", "text/plain");
  ASSERT_TRUE(bad_post);
  expect_security_headers(*bad_post, "POST /login without origin");
}

TEST_F(WebServerTest, AssetsHaveTheirTypesAndNeedNoSession) {
  start();
  auto css = client().Get("/assets/app.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->status, 200);
  EXPECT_THAT(css->get_header_value("Content-Type"), StartsWith("text/css"));
  auto js = client().Get("/assets/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_THAT(js->get_header_value("Content-Type"), HasSubstr("javascript"));
  auto traversal = client().Get("/assets/../templates/layout.mustache");
  ASSERT_TRUE(traversal);
  EXPECT_NE(traversal->status, 200);
}

constexpr const char* kHostileTitle =
    "<img src=x onerror=alert(1)><script>window.__pwned=1</script> \"quoted\" & 'single'";

TEST_F(WebServerTest, ScrapedMarkupIsShownAsText) {
  auto ids = seed("gov", {item(kHostileTitle, "javascript:alert(document.cookie)",
                               "<b onmouseover=alert(2)>summary</b>")});
  ASSERT_EQ(ids.size(), 1u);
  start();
  Signed alice = sign_in("alice", "correct horse");
  for (const std::string& path : {std::string("/queue"), "/items/" + std::to_string(ids[0])}) {
    auto page = client().Get(path, {{"Cookie", alice.cookie}});
    ASSERT_TRUE(page) << path;
    ASSERT_EQ(page->status, 200) << path;
    EXPECT_THAT(page->body, HasSubstr("&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;"
                                      "window.__pwned=1&lt;/script&gt; &quot;quoted&quot; "
                                      "&amp; &apos;single&apos;"))
        << path;
    EXPECT_THAT(page->body, Not(HasSubstr("<img src=x"))) << path;
    EXPECT_THAT(page->body, Not(HasSubstr("<script>window"))) << path;
    EXPECT_THAT(page->body, Not(HasSubstr("<b onmouseover"))) << path;
    EXPECT_THAT(page->body, Not(HasSubstr("href=\"javascript:"))) << path;
    EXPECT_THAT(page->body, Not(HasSubstr("<script>"))) << "no inline script at all: " << path;
  }
}

TEST_F(WebServerTest, ApiEscapesAngleBracketsAndNamesItsType) {
  auto ids = seed("gov", {item(kHostileTitle, "https://www.cac.gov.cn/d.htm")});
  ASSERT_EQ(ids.size(), 1u);
  start();
  Signed alice = sign_in("alice", "correct horse");
  auto response = client().Get("/api/v1/candidates/" + std::to_string(ids[0]),
                               {{"Cookie", alice.cookie}});
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200);
  EXPECT_EQ(response->get_header_value("Content-Type"), "application/json; charset=utf-8");
  EXPECT_THAT(response->body, Not(HasSubstr("<")));
  EXPECT_THAT(response->body, HasSubstr("\\u003cscript\\u003e"));
  const auto json = nlohmann::json::parse(response->body);
  EXPECT_EQ(json["title"], kHostileTitle);  // same text once parsed
  EXPECT_EQ(json["source_name"], "国家网信办");
}

TEST_F(WebServerTest, ApiListsFiltersEditsAndDecides) {
  auto gov = seed("gov", {item("算法推荐管理规定", "https://www.cac.gov.cn/e.htm", "算法")});
  auto news = seed("news", {item("OpenAI releases a model", "https://news.example/f")});
  ASSERT_EQ(gov.size(), 1u);
  ASSERT_EQ(news.size(), 1u);
  start();
  Signed alice = sign_in("alice", "correct horse");
  const httplib::Headers cookie{{"Cookie", alice.cookie}};

  auto all = client().Get("/api/v1/candidates", cookie);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->status, 200) << all->body;
  EXPECT_EQ(nlohmann::json::parse(all->body)["total"], 2);

  auto media = client().Get("/api/v1/candidates?kind=media", cookie);
  ASSERT_TRUE(media);
  const auto media_json = nlohmann::json::parse(media->body);
  ASSERT_EQ(media_json["items"].size(), 1u);
  EXPECT_EQ(media_json["items"][0]["source"], "news");

  auto bad = client().Get("/api/v1/candidates?state=maybe", cookie);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);

  httplib::Headers write{{"Cookie", alice.cookie}, {"Origin", origin()},
                         {"X-CSRF-Token", alice.csrf}};
  auto patched = client().Patch("/api/v1/candidates/" + std::to_string(gov[0]), write,
                                R"({"title":"《算法推荐管理规定》发布","commentary":"值得关注"})",
                                "application/json");
  ASSERT_TRUE(patched);
  ASSERT_EQ(patched->status, 200) << patched->body;
  auto candidate = store_->get_candidate(gov[0]);
  ASSERT_TRUE(candidate);
  EXPECT_EQ(candidate->edited_title, "《算法推荐管理规定》发布");
  EXPECT_EQ(candidate->commentary, "值得关注");

  auto wrong_field = client().Patch("/api/v1/candidates/" + std::to_string(gov[0]), write,
                                    R"({"state":"published"})", "application/json");
  ASSERT_TRUE(wrong_field);
  EXPECT_EQ(wrong_field->status, 400);
  auto not_json = client().Patch("/api/v1/candidates/" + std::to_string(gov[0]), write,
                                 "{title:", "application/json");
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->status, 400);
  auto missing = client().Post("/api/v1/candidates/999999/decision", write,
                               R"({"state":"accepted"})", "application/json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);

  auto sources = client().Get("/api/v1/sources", cookie);
  ASSERT_TRUE(sources);
  ASSERT_EQ(sources->status, 200);
  const auto sources_json = nlohmann::json::parse(sources->body)["sources"];
  ASSERT_EQ(sources_json.size(), 2u);
  EXPECT_EQ(sources_json[0]["id"], "gov");
  EXPECT_EQ(sources_json[0]["last_outcome"], "ok");
}

TEST_F(WebServerTest, ItemPageEditsEveryField) {
  auto ids = seed("gov", {item("原标题", "https://www.cac.gov.cn/g.htm", "原摘要")});
  ASSERT_EQ(ids.size(), 1u);
  start();
  Signed alice = sign_in("alice", "correct horse");
  const std::string path = "/items/" + std::to_string(ids[0]);
  auto saved = client().Post(path, form_headers(alice),
                             httplib::Params{{"csrf", alice.csrf},
                                             {"title", "新标题"},
                                             {"summary", "第一段\r\n\r\n第二段"},
                                             {"section", "最新行业动态"},
                                             {"commentary", "短评内容"}});
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->status, 303);
  EXPECT_EQ(saved->get_header_value("Location"), path + "?m=saved");
  auto candidate = store_->get_candidate(ids[0]);
  ASSERT_TRUE(candidate);
  EXPECT_EQ(candidate->edited_title, "新标题");
  EXPECT_EQ(candidate->edited_summary, "第一段\n\n第二段");
  EXPECT_EQ(candidate->section, "最新行业动态");
  EXPECT_EQ(candidate->commentary, "短评内容");

  auto page = client().Get(path, {{"Cookie", alice.cookie}});
  ASSERT_TRUE(page);
  EXPECT_THAT(page->body, HasSubstr("新标题"));
  EXPECT_THAT(page->body, HasSubstr("原标题：原标题"));
  EXPECT_THAT(page->body, HasSubstr("href=\"https://www.cac.gov.cn/g.htm\" target=\"_blank\" "
                                    "rel=\"noopener noreferrer\""));
  EXPECT_THAT(page->body, HasSubstr("人工智能"));  // why it matched
  auto audit = store_->audit_for(ids[0]);
  ASSERT_TRUE(audit);
  EXPECT_GE(audit->size(), 4u);
}

TEST_F(WebServerTest, BulkAcceptDecidesTheSelectedCards) {
  auto ids = seed("gov", {item("一", "https://www.cac.gov.cn/1.htm"),
                          item("二", "https://www.cac.gov.cn/2.htm"),
                          item("三", "https://www.cac.gov.cn/3.htm")});
  ASSERT_EQ(ids.size(), 3u);
  start();
  Signed alice = sign_in("alice", "correct horse");
  httplib::Params params{{"csrf", alice.csrf}, {"action", "accept"}, {"back", "state=pending"}};
  params.emplace("ids", std::to_string(ids[0]));
  params.emplace("ids", std::to_string(ids[2]));
  auto response = client().Post("/queue/bulk", form_headers(alice), params);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 303);
  EXPECT_EQ(response->get_header_value("Location"), "/queue?state=pending&m=accepted");
  EXPECT_EQ(store_->get_candidate(ids[0])->state, ReviewState::kAccepted);
  EXPECT_EQ(store_->get_candidate(ids[1])->state, ReviewState::kPending);
  EXPECT_EQ(store_->get_candidate(ids[2])->state, ReviewState::kAccepted);
}

TEST_F(WebServerTest, QueueFiltersBySourceAndPaginates) {
  std::vector<Item> items;
  for (int i = 0; i < 35; ++i) {
    items.push_back(item("人工智能 " + std::to_string(i),
                         "https://www.cac.gov.cn/p" + std::to_string(i) + ".htm"));
  }
  seed("gov", items);
  seed("news", {item("AI news", "https://news.example/n")});
  start();
  Signed alice = sign_in("alice", "correct horse");
  auto first = client().Get("/queue?source=gov", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);
  EXPECT_THAT(first->body, HasSubstr("第 1–30 条，共 35 条"));
  EXPECT_THAT(first->body, HasSubstr("href=\"/queue?state=pending&amp;source=gov&amp;page=2\""));
  EXPECT_THAT(first->body, Not(HasSubstr("AI news")));
  auto second = client().Get("/queue?source=gov&page=2", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(second);
  EXPECT_THAT(second->body, HasSubstr("第 31–35 条，共 35 条"));
}

TEST_F(WebServerTest, ExportDownloadsTheInjectedEdition) {
  start([](WebSettings&, web::WebDeps& deps) {
    deps.build_edition = [](Store&, const std::string& month) -> Result<web::Edition> {
      web::Edition edition;
      edition.month = month;
      edition.sections = {"最新法律与监管动态"};
      edition.items.push_back(web::EditionItem{.section = "最新法律与监管动态",
                                               .title = "<script>x</script>办法",
                                               .published_date = CivilDate{2023, 11, 7},
                                               .published_text = "",
                                               .source_name = "国家网信办",
                                               .url = "https://www.cac.gov.cn/h.htm",
                                               .summary = "摘要",
                                               .commentary = ""});
      return edition;
    };
  });
  Signed alice = sign_in("alice", "correct horse");
  auto preview = client().Get("/export?month=2023-11", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(preview);
  ASSERT_EQ(preview->status, 200);
  EXPECT_THAT(preview->body, HasSubstr("一、最新法律与监管动态"));
  EXPECT_THAT(preview->body, HasSubstr("&lt;script&gt;x&lt;/script&gt;办法"));
  EXPECT_THAT(preview->body, HasSubstr("2023年11月7日"));

  auto md = client().Get("/export/download?month=2023-11&format=md", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(md);
  ASSERT_EQ(md->status, 200);
  EXPECT_EQ(md->get_header_value("Content-Disposition"),
            "attachment; filename=\"herald-2023-11.md\"");
  EXPECT_THAT(md->body, HasSubstr("导读"));

  auto api = client().Get("/api/v1/export?month=2023-11&format=html", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(api);
  ASSERT_EQ(api->status, 200);
  EXPECT_THAT(nlohmann::json::parse(api->body)["content"].get<std::string>(), HasSubstr("<html"));
  auto bad_month = client().Get("/api/v1/export?month=2023-13&format=md", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(bad_month);
  EXPECT_EQ(bad_month->status, 400);
}

TEST_F(WebServerTest, SourcesPageShowsHealthAndAlerts) {
  PollRecord failed{.source_id = "news", .started_at = clock_.now_utc_seconds(), .duration_ms = 5,
                    .outcome = "no_match", .http_status = 200, .bytes = 10,
                    .error = "the item selector matched nothing"};
  ASSERT_TRUE(store_->commit_poll(failed));
  start();
  Signed alice = sign_in("alice", "correct horse");
  auto page = client().Get("/sources", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("国家网信办"));
  EXPECT_THAT(page->body, HasSubstr("尚未抓取"));
  EXPECT_THAT(page->body, HasSubstr("the item selector matched nothing"));
  EXPECT_THAT(page->body, HasSubstr("页面没有匹配到任何条目"));
}

TEST(WebServerCreateTest, RefusesNonLoopbackWithoutHttpsOrigin) {
  WebSettings settings;
  settings.listen_host = "0.0.0.0";
  web::WebDeps deps;
  deps.verify_password = fake_verify;
  auto server = web::WebServer::create(settings, deps);
  ASSERT_FALSE(server);
  EXPECT_EQ(server.error().code, ErrorCode::kConfig);
  EXPECT_THAT(server.error().message, HasSubstr("loopback"));

  settings.public_origin = "http://herald.example.com";
  EXPECT_FALSE(web::check_listen_settings(settings));
  settings.public_origin = "https://herald.example.com";
  EXPECT_TRUE(web::check_listen_settings(settings));
  settings.public_origin = "https://herald.example.com/path";
  EXPECT_FALSE(web::check_listen_settings(settings));
}

}  // namespace
}  // namespace herald::testing
