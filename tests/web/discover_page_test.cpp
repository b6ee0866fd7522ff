// The admins' discovery page (GET/POST /sources/discover): URL → preview → save, with
// fake discovery and save callbacks in place of the fetcher and sources.d/.

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/web/web_test_support.h"

namespace herald::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct DiscoverCall {
  std::string url{};
  std::string id{};
  std::string kind{};
};

struct SaveCall {
  std::string id{};
  std::string text{};
};

class DiscoverPageTest : public WebFixture {
 protected:
  // Starts the server with fakes that record their calls; `preview_` and `save_result_`
  // say what they answer.
  void start_with_fakes() {
    start([this](WebSettings&, web::WebDeps& deps) {
      deps.discover_source = [this](const std::string& url, const std::string& id,
                                    const std::string& kind) -> Result<web::DiscoveryPreview> {
        std::lock_guard lock(mutex_);
        discover_calls_.push_back({url, id, kind});
        if (!discover_error_.empty()) {
          return fail(ErrorCode::kTimeout, discover_error_);
        }
        return preview_;
      };
      deps.save_source = [this](const std::string& id,
                                const std::string& text) -> Result<std::string> {
        std::lock_guard lock(mutex_);
        save_calls_.push_back({id, text});
        return save_result_;
      };
    });
  }

  httplib::Result post(const Signed& who, httplib::Params params) {
    return client().Post("/sources/discover", form_headers(who), params);
  }

  static web::DiscoveryPreview good_preview() {
    web::DiscoveryPreview p;
    p.id = "example-tzgg";
    p.confidence = 0.92;
    p.source_text = "id = \"example-tzgg\"\nname = \"示例 · 通知公告\"\n[list]\nitem = \"ul.news li\"\n";
    p.summary = {"24 条记录，ul.news > li", "日期格式 %Y-%m-%d"};
    p.items = {{"关于人工智能的通知", "https://www.example.gov.cn/a/1.html", "2026-12-01"}};
    p.alternatives = {"div.hot li：8 条，「热点」"};
    return p;
  }

  // The callbacks run on the server's worker threads: the test reads the calls through
  // these, under the same lock.
  std::vector<DiscoverCall> discover_calls() {
    std::lock_guard lock(mutex_);
    return discover_calls_;
  }
  std::vector<SaveCall> save_calls() {
    std::lock_guard lock(mutex_);
    return save_calls_;
  }

  std::mutex mutex_;
  std::vector<DiscoverCall> discover_calls_;
  std::vector<SaveCall> save_calls_;
  web::DiscoveryPreview preview_ = good_preview();
  std::string discover_error_{};
  Result<std::string> save_result_ = std::string("/etc/herald/sources.d/example-tzgg.toml");
};

TEST_F(DiscoverPageTest, AdminSeesTheFormAndTheSourcesPageLinksToIt) {
  start_with_fakes();
  const Signed root = sign_in("root", "admin pass");
  auto page = client().Get("/sources/discover", {{"Cookie", root.cookie}});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr(R"(name="url")"));
  EXPECT_THAT(page->body, HasSubstr(R"(<option value="government")"));
  EXPECT_THAT(page->body, HasSubstr(R"(<option value="company")"));
  auto sources = client().Get("/sources", {{"Cookie", root.cookie}});
  ASSERT_TRUE(sources);
  EXPECT_THAT(sources->body, HasSubstr(R"(href="/sources/discover")"));
  EXPECT_TRUE(discover_calls().empty());  // nothing is fetched on GET
}

TEST_F(DiscoverPageTest, EditorsAreRefusedAndAnonymousUsersSentToLogin) {
  start_with_fakes();
  const Signed alice = sign_in("alice", "correct horse");
  auto page = client().Get("/sources/discover", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 403);
  auto posted = post(alice, {{"csrf", alice.csrf},
                             {"action", "preview"},
                             {"url", "https://www.example.gov.cn/tzgg/"}});
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 403);
  auto sources = client().Get("/sources", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(sources);
  EXPECT_THAT(sources->body, Not(HasSubstr(R"(href="/sources/discover")")));

  auto anonymous = client().Get("/sources/discover");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 303);
  EXPECT_EQ(anonymous->get_header_value("Location"), "/login");
  EXPECT_TRUE(discover_calls().empty());
  EXPECT_TRUE(save_calls().empty());
}

TEST_F(DiscoverPageTest, BothActionsNeedTheCsrfToken) {
  start_with_fakes();
  const Signed root = sign_in("root", "admin pass");
  for (const char* action : {"preview", "save"}) {
    SCOPED_TRACE(action);
    auto missing = post(root, {{"action", action},
                               {"url", "https://www.example.gov.cn/tzgg/"},
                               {"id", "example-tzgg"},
                               {"text", "id = \"example-tzgg\"\n"}});
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 403);
    auto wrong = post(root, {{"csrf", root.csrf + "x"},
                             {"action", action},
                             {"url", "https://www.example.gov.cn/tzgg/"},
                             {"id", "example-tzgg"},
                             {"text", "id = \"example-tzgg\"\n"}});
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 403);
  }
  EXPECT_TRUE(discover_calls().empty());
  EXPECT_TRUE(save_calls().empty());
}

TEST_F(DiscoverPageTest, PreviewShowsTheProposalItemsAndAlternatives) {
  start_with_fakes();
  const Signed root = sign_in("root", "admin pass");
  auto page = post(root, {{"csrf", root.csrf},
                          {"action", "preview"},
                          {"url", "https://www.example.gov.cn/tzgg/"},
                          {"id", ""},
                          {"kind", "government"}});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  ASSERT_EQ(discover_calls().size(), 1u);
  EXPECT_EQ(discover_calls()[0].url, "https://www.example.gov.cn/tzgg/");
  EXPECT_EQ(discover_calls()[0].id, "");
  EXPECT_EQ(discover_calls()[0].kind, "government");
  EXPECT_THAT(page->body, HasSubstr("92%"));
  EXPECT_THAT(page->body, HasSubstr(R"(<textarea name="text")"));
  EXPECT_THAT(page->body, HasSubstr("item = &quot;ul.news li&quot;"));
  EXPECT_THAT(page->body, HasSubstr("关于人工智能的通知"));
  EXPECT_THAT(page->body, HasSubstr(R"(href="https://www.example.gov.cn/a/1.html")"));
  EXPECT_THAT(page->body, HasSubstr("div.hot li：8 条，「热点」"));
  EXPECT_THAT(page->body, HasSubstr("日期格式 %Y-%m-%d"));
  EXPECT_THAT(page->body, HasSubstr(R"(name="id" value="example-tzgg")"));  // the derived id
}

TEST_F(DiscoverPageTest, PreviewEscapesHostileTextFromThePage) {
  preview_.source_text = "name = \"</textarea><script>alert(1)</script>\"\n";
  preview_.items = {{"<script>alert('t')</script>", "javascript:alert(1)", "<b>d</b>"},
                    {"ok", "https://x.example/\"><img src=x onerror=alert(2)>", ""}};
  preview_.summary = {"<img src=x onerror=alert(3)>"};
  preview_.alternatives = {"<iframe src=//evil>"};
  start_with_fakes();
  const Signed root = sign_in("root", "admin pass");
  auto page = post(root, {{"csrf", root.csrf},
                          {"action", "preview"},
                          {"url", "https://www.example.gov.cn/tzgg/"}});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->body, Not(HasSubstr("<script>alert")));
  EXPECT_THAT(page->body, Not(HasSubstr("</textarea><script>")));
  EXPECT_THAT(page->body, Not(HasSubstr("<img src=x")));
  EXPECT_THAT(page->body, Not(HasSubstr("<iframe")));
  EXPECT_THAT(page->body, Not(HasSubstr("<b>d</b>")));
  EXPECT_THAT(page->body, Not(HasSubstr(R"(href="javascript:)")));
  EXPECT_THAT(page->body, HasSubstr("&lt;/textarea&gt;&lt;script&gt;"));
  EXPECT_THAT(page->body, HasSubstr("&lt;script&gt;alert("));
}

TEST_F(DiscoverPageTest, AUrlThatIsNotHttpIsRefusedBeforeDiscovery) {
  start_with_fakes();
  const Signed root = sign_in("root", "admin pass");
  for (const char* url : {"file:///etc/passwd", "javascript:alert(1)", "ftp://x.example/",
                          "www.example.gov.cn/tzgg/", "", "https://a.example/with space"}) {
    SCOPED_TRACE(url);
    auto page = post(root, {{"csrf", root.csrf}, {"action", "preview"}, {"url", url}});
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 400);
    EXPECT_THAT(page->body, HasSubstr("网址"));
  }
  auto bad_id = post(root, {{"csrf", root.csrf},
                            {"action", "preview"},
                            {"url", "https://www.example.gov.cn/"},
                            {"id", "../etc"}});
  ASSERT_TRUE(bad_id);
  EXPECT_EQ(bad_id->status, 400);
  auto bad_save = post(root, {{"csrf", root.csrf},
                              {"action", "save"},
                              {"url", "file:///etc/passwd"},
                              {"id", "x"},
                              {"text", "id = \"x\"\n"}});
  ASSERT_TRUE(bad_save);
  EXPECT_EQ(bad_save->status, 400);
  EXPECT_TRUE(discover_calls().empty());
  EXPECT_TRUE(save_calls().empty());
}

TEST_F(DiscoverPageTest, NothingFoundAndFetchFailuresAreSaidInChinese) {
  preview_ = {};
  preview_.problem = "no repeating list of links on this page; try the column's list page";
  start_with_fakes();
  const Signed root = sign_in("root", "admin pass");
  auto page = post(root, {{"csrf", root.csrf},
                          {"action", "preview"},
                          {"url", "https://www.example.gov.cn/"}});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("未找到可用的列表"));
  EXPECT_THAT(page->body, HasSubstr("try the column"));
  EXPECT_THAT(page->body, Not(HasSubstr("<textarea")));  // nothing to save

  {
    std::lock_guard lock(mutex_);
    discover_error_ = "https://www.example.gov.cn/: timed out after 30 s";
  }
  auto failed = post(root, {{"csrf", root.csrf},
                            {"action", "preview"},
                            {"url", "https://www.example.gov.cn/"}});
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 502);
  EXPECT_THAT(failed->body, HasSubstr("无法读取该网页"));
  EXPECT_THAT(failed->body, HasSubstr("timed out after 30 s"));
}

TEST_F(DiscoverPageTest, SaveSendsTheEditedTextAndShowsThePath) {
  start_with_fakes();
  const Signed root = sign_in("root", "admin pass");
  const std::string edited = "id = \"example-tzgg\"\r\nname = \"改过的名字\"\r\n";
  auto page = post(root, {{"csrf", root.csrf},
                          {"action", "save"},
                          {"url", "https://www.example.gov.cn/tzgg/"},
                          {"kind", "government"},
                          {"id", "example-tzgg"},
                          {"text", edited}});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  ASSERT_EQ(save_calls().size(), 1u);
  EXPECT_EQ(save_calls()[0].id, "example-tzgg");
  EXPECT_EQ(save_calls()[0].text, "id = \"example-tzgg\"\nname = \"改过的名字\"\n");
  EXPECT_THAT(page->body, HasSubstr("已保存来源文件"));
  EXPECT_THAT(page->body, HasSubstr("/etc/herald/sources.d/example-tzgg.toml"));
  EXPECT_THAT(page->body, HasSubstr(R"(<a href="/sources">)"));
  EXPECT_TRUE(discover_calls().empty());  // saving never fetches again
}

TEST_F(DiscoverPageTest, SaveErrorsAreShownAndTheEditedFileKept) {
  save_result_ = fail(ErrorCode::kConfig,
                      "sources.d/example-tzgg.toml:3: [list] item: a selector is required");
  start_with_fakes();
  const Signed root = sign_in("root", "admin pass");
  auto page = post(root, {{"csrf", root.csrf},
                          {"action", "save"},
                          {"url", "https://www.example.gov.cn/tzgg/"},
                          {"id", "example-tzgg"},
                          {"text", "id = \"example-tzgg\"\n# 我的修改 <b>\n"}});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 422);
  EXPECT_THAT(page->body, HasSubstr("未能保存来源文件"));
  EXPECT_THAT(page->body, HasSubstr("example-tzgg.toml:3"));
  EXPECT_THAT(page->body, HasSubstr("sudo herald sources discover URL --write"));
  EXPECT_THAT(page->body, HasSubstr("# 我的修改 &lt;b&gt;"));  // the edit survives

  auto no_id = post(root, {{"csrf", root.csrf},
                           {"action", "save"},
                           {"url", "https://www.example.gov.cn/tzgg/"},
                           {"text", "id = \"x\"\n"}});
  ASSERT_TRUE(no_id);
  EXPECT_EQ(no_id->status, 400);
  EXPECT_EQ(save_calls().size(), 1u);
}

TEST_F(DiscoverPageTest, WithoutCallbacksThePageSaysDiscoveryIsNotAvailable) {
  start();
  const Signed root = sign_in("root", "admin pass");
  auto page = client().Get("/sources/discover", {{"Cookie", root.cookie}});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("此进程未启用来源发现"));
  EXPECT_THAT(page->body, Not(HasSubstr(R"(name="url")")));
  auto posted = post(root, {{"csrf", root.csrf},
                            {"action", "preview"},
                            {"url", "https://www.example.gov.cn/"}});
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 503);
  EXPECT_THAT(posted->body, HasSubstr("此进程未启用来源发现"));
}

TEST_F(DiscoverPageTest, ThePageIsARegisteredRoute) {
  start();
  const auto& routes = server_->routes();
  for (const char* method : {"GET", "POST"}) {
    SCOPED_TRACE(method);
    EXPECT_TRUE(std::any_of(routes.begin(), routes.end(), [&](const web::RouteEntry& r) {
      return r.method == method && r.pattern == "/sources/discover";
    }));
  }
}

}  // namespace
}  // namespace herald::testing
