// The health page (来源状态) served by the real web server: each source's state and reason,
// the same verdict as `herald sources status`, with everything a site controls escaped.

#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/health/history.h"
#include "tests/web/web_test_support.h"

namespace herald::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::int64_t kDay = 86400;

class HealthPageTest : public WebFixture {
 protected:
  void record(const std::string& source, std::int64_t at, const std::string& outcome,
              int new_items, const std::string& error = "") {
    commit_history(*store_, {.source = source, .at = at, .outcome = outcome,
                             .new_items = new_items, .error = error});
  }

  std::string sources_page() {
    Signed alice = sign_in("alice", "correct horse");
    auto page = client().Get("/sources", {{"Cookie", alice.cookie}});
    EXPECT_TRUE(page);
    if (!page) {
      return {};
    }
    EXPECT_EQ(page->status, 200);
    return page->body;
  }
};

TEST_F(HealthPageTest, ShowsEachSourcesStateAndReason) {
  const std::int64_t now = clock_.now_utc_seconds();
  // gov: a new item every 4 days, then 19 days of polls with nothing new.
  const std::int64_t last_item = now - 19 * kDay;
  for (int i = 10; i >= 0; --i) {
    record("gov", last_item - i * 4 * kDay, "ok", 1);
  }
  record("gov", now - 3600, "not_modified", 0);
  // news: failing, with an error text a hostile site chose.
  record("news", now - 5 * 3600, "ok", 2);
  for (int i = 3; i >= 1; --i) {
    record("news", now - i * 3600, "http_5xx", 0, "<script>alert(1)</script> & co");
  }
  start([](WebSettings&, web::WebDeps& deps) {
    SourceConfig manual;
    manual.id = "wechat";
    manual.name = "微信公众号";
    manual.mode = SourceMode::kManual;
    manual.manual_reason = "no list <b>here</b>";
    manual.url = "https://mp.weixin.qq.com/";
    deps.sources.push_back(manual);
  });
  const std::string body = sources_page();

  EXPECT_THAT(body, HasSubstr(R"(data-state="silent">长期无更新</span>)"));
  EXPECT_THAT(body, HasSubstr("已 19 天没有新条目；通常每 4 天一条"));
  EXPECT_THAT(body, HasSubstr(R"(data-state="failing">连续失败</span>)"));
  EXPECT_THAT(body, HasSubstr("已连续失败 3 次（最近：HTTP 5xx）；上次成功：5 小时前"));
  EXPECT_THAT(body, HasSubstr(R"(data-state="manual">手动录入</span>)"));
  EXPECT_THAT(body, HasSubstr("2 个需要关注"));

  EXPECT_THAT(body, Not(HasSubstr("<script>alert(1)</script>")));
  EXPECT_THAT(body, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
  EXPECT_THAT(body, Not(HasSubstr("<b>here</b>")));
  EXPECT_THAT(body, HasSubstr("no list &lt;b&gt;here&lt;/b&gt;"));
}

TEST_F(HealthPageTest, ALayoutChangeIsNamedAsSuch) {
  const std::int64_t now = clock_.now_utc_seconds();
  record("gov", now - 7200, "ok", 4);
  record("gov", now - 3600, "no_match", 0, "the item selector matched nothing");
  start();
  const std::string body = sources_page();
  EXPECT_THAT(body, HasSubstr(R"(data-state="layout_changed">页面改版</span>)"));
  EXPECT_THAT(body, HasSubstr("网站可能已改版，请检查选择器"));
  EXPECT_THAT(body, HasSubstr(R"(data-state="never_polled">尚未抓取</span>)"));  // news
}

}  // namespace
}  // namespace herald::testing
