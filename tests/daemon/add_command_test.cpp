// `herald add URL`: manual intake of one article page, through the binary as editors use it.

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/daemon/herald_cli.h"
#include "tests/support/fixtures.h"
#include "tests/support/local_server.h"

namespace herald {
namespace {

using ::testing::HasSubstr;
using testing::CommandResult;
using testing::fixture_path;
using testing::LocalServer;
using testing::read_fixture;
using testing::run_herald;
using testing::TempDir;
using testing::write_file;
using nlohmann::json;

constexpr const char* kWhitePaperUrl =
    "https://www.beijing.gov.cn/ywdt/gzdt/202311/t20231129_3321720.html";
constexpr const char* kWeiboUrl = "https://weibo.com/1595145397/NtbQwm1Om";

// stdout and stderr together (run_herald keeps stdout only): the refusals below are judged
// by what they tell the editor.
CommandResult run_herald_all_output(const std::string& args, const std::filesystem::path& out) {
  const int status =
      std::system(fmt::format("'{}' {} >'{}' 2>&1", HERALD_BINARY, args, out.string()).c_str());
  std::ostringstream text;
  text << std::ifstream(out, std::ios::binary).rdbuf();
  return CommandResult{.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                       .out = text.str()};
}

class AddCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A topic nothing matches: what an editor adds is queued whatever its score.
    write_file(dir_.path() / "herald.toml", R"(
[storage]
database = "state/herald.db"

[sources]
dir = "sources.d"

[fetch]
min_delay = "0s"

[[topics]]
name = "nothing"
threshold = 1.0
keywords = ["区块链专项整治"]
)");
    const std::filesystem::path shipped = std::filesystem::path(HERALD_SOURCE_ROOT) / "config" /
                                          "sources.d";
    std::filesystem::create_directories(dir_.path() / "sources.d");
    for (const char* id : {"bj-gov-gzdt", "cn-wechat-mp", "cn-hz-netcourt", "cn-weibo"}) {
      std::filesystem::copy_file(shipped / (std::string(id) + ".toml"),
                                 dir_.path() / "sources.d" / (std::string(id) + ".toml"));
    }
    config_ = fmt::format("--config '{}'", (dir_.path() / "herald.toml").string());
  }

  json queue() {
    const CommandResult listed = run_herald(config_ + " queue list --json");
    EXPECT_EQ(listed.exit_code, 0);
    return json::parse(listed.out);
  }

  // ` add <the saved Weibo status page> --source cn-weibo --replay ...` and `extra`.
  std::string add_weibo(std::string_view extra) const {
    return config_ + fmt::format(" add {} --source cn-weibo --replay '{}' {}", kWeiboUrl,
                                 fixture_path("manual/weibo-wps").string(), extra);
  }

  TempDir dir_;
  std::string config_;
};

TEST_F(AddCommandTest, QueuesASavedArticleOnceUnderTheSourceOfItsHost) {
  const std::string add = fmt::format(" add {} --replay '{}' --json", kWhitePaperUrl,
                                      fixture_path("bj-gov-gzdt").string());
  const CommandResult first = run_herald(config_ + add);
  ASSERT_EQ(first.exit_code, 0) << first.out;
  const json added = json::parse(first.out);
  EXPECT_EQ(added["added"], true);
  EXPECT_EQ(added["source"], "bj-gov-gzdt");  // www.beijing.gov.cn, no --source needed
  EXPECT_EQ(added["title"], "北京市人工智能行业大模型创新应用白皮书（2023年）发布");
  EXPECT_EQ(added["url"], kWhitePaperUrl);
  EXPECT_EQ(added["published_at"], "2023-11-29T10:30:00+08:00");  // meta PubDate, Beijing time
  EXPECT_EQ(added["section"], "最新法律与监管动态");                 // a government source
  EXPECT_EQ(added["state"], "pending");
  EXPECT_EQ(added["score"], 0.0);

  // Again: reported as stored, nothing added.
  const CommandResult second = run_herald(config_ + add);
  ASSERT_EQ(second.exit_code, 0) << second.out;
  const json again = json::parse(second.out);
  EXPECT_EQ(again["added"], false);
  EXPECT_EQ(again["id"], added["id"]);

  const json candidates = queue();
  ASSERT_EQ(candidates.size(), 1u) << candidates.dump();
  EXPECT_EQ(candidates[0]["id"], added["id"]);
  EXPECT_EQ(candidates[0]["url"], kWhitePaperUrl);

  const CommandResult text = run_herald(config_ + fmt::format(" add {} --replay '{}'",
                                                              kWhitePaperUrl,
                                                              fixture_path("bj-gov-gzdt").string()));
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_THAT(text.out, HasSubstr(fmt::format("already stored: candidate {}", added["id"].get<int>())));
}

// A draft added by hand is a consultation like a polled one: its comment deadline (a range
// sentence in the body) and its instrument type (the title) are read and stored.
TEST_F(AddCommandTest, AnAddedDraftCarriesItsCommentDeadlineAndInstrument) {
  const CommandResult added = run_herald(
      config_ + fmt::format(" add https://www.beijing.gov.cn/hudong/gfxwjzj/zjxx/202311/"
                            "t20231101_3292553.html --replay '{}' --json",
                            fixture_path("bj-gov-yjzj").string()));
  ASSERT_EQ(added.exit_code, 0) << added.out;
  const json candidates = queue();
  ASSERT_EQ(candidates.size(), 1u) << candidates.dump();
  const json& legal = candidates[0]["legal"];
  ASSERT_TRUE(legal.contains("comment_deadline")) << candidates.dump();
  EXPECT_EQ(legal["comment_deadline"]["value"], "2023-11-30");
  EXPECT_THAT(legal["comment_deadline"]["from"].get<std::string>(), HasSubstr("text:"));
  ASSERT_TRUE(legal.contains("instrument")) << candidates.dump();
  EXPECT_EQ(legal["instrument"]["value"], "征求意见稿");
}

TEST_F(AddCommandTest, APageOfNoConfiguredSourceGoesUnderManual) {
  // A real saved article page (tests/fixtures/enrich/NOTE.md), from a loopback server.
  const std::string page = read_fixture("enrich/qq-tech-article-2016-deepmind.utf8.html");
  std::mutex mutex;
  int requests = 0;
  LocalServer server;
  server.routes().Get("/a/deepmind.html", [&](const auto&, auto& res) {
    std::lock_guard lock(mutex);
    ++requests;
    res.set_content(page, "text/html; charset=utf-8");
  });
  server.start();
  const std::string url = server.url("/a/deepmind.html");

  const CommandResult first =
      run_herald(config_ + fmt::format(" add {} --section 专题 --json", url));
  ASSERT_EQ(first.exit_code, 0) << first.out;
  const json added = json::parse(first.out);
  EXPECT_EQ(added["source"], "manual");
  EXPECT_EQ(added["section"], "专题");
  EXPECT_THAT(added["title"].get<std::string>(), HasSubstr("DeepMind新电脑已可利用记忆自学"));
  EXPECT_EQ(added["url"], url);
  // <span class="pubTime">2016年10月14日07:17</span>, read in UTC without a source.
  EXPECT_EQ(added["published_at"], "2016-10-14T07:17:00+00:00");

  // Stored already: answered from the database, the page is not fetched again.
  const CommandResult second = run_herald(config_ + fmt::format(" add {} --json", url));
  ASSERT_EQ(second.exit_code, 0) << second.out;
  EXPECT_EQ(json::parse(second.out)["added"], false);
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(requests, 1);
  }
  EXPECT_EQ(queue().size(), 1u);
}

TEST_F(AddCommandTest, ACompanySourceOnTheSameHostFilesUnderIndustryNews) {
  LocalServer server;
  server.routes().Get("/news/deepmind.html", [](const auto&, auto& res) {
    res.set_content(read_fixture("enrich/qq-tech-article-2016-deepmind.utf8.html"),
                    "text/html; charset=utf-8");
  });
  server.start();
  write_file(dir_.path() / "sources.d" / "acme-news.toml", fmt::format(R"(
id = "acme-news"
name = "Acme newsroom"
kind = "company"
language = "zh"
timezone = "Asia/Shanghai"
type = "feed"
url = "{}"
)", server.url("/news/feed.xml")));

  const CommandResult added =
      run_herald(config_ + fmt::format(" add {} --json", server.url("/news/deepmind.html")));
  ASSERT_EQ(added.exit_code, 0) << added.out;
  const json candidate = json::parse(added.out);
  EXPECT_EQ(candidate["source"], "acme-news");
  EXPECT_EQ(candidate["section"], "最新行业动态");
  EXPECT_EQ(candidate["published_at"], "2016-10-14T07:17:00+08:00");  // the source's zone
}

TEST_F(AddCommandTest, AWechatArticleOfAManualCourtSourceIsQueuedWithItsFields) {
  // Newsletter item 15: 杭州互联网法院 publishes through WeChat only (manual source).
  // tests/fixtures/sites/wechat-hz-netcourt.html is reconstructed (see its NOTE.md).
  const std::string url = "https://mp.weixin.qq.com/s/f1fMfsuawveBEP_eLkD8_w";
  const std::filesystem::path saved = dir_.path() / "saved";
  std::filesystem::create_directories(saved);
  std::filesystem::copy_file(fixture_path("sites/wechat-hz-netcourt.html"), saved / "article.html");
  write_file(saved / "index.toml", fmt::format("[[response]]\nurl = \"{}\"\nfile = \"article.html\"\n"
                                               "content_type = \"text/html; charset=utf-8\"\n",
                                               url));

  const CommandResult added = run_herald(
      config_ + fmt::format(" add {} --source cn-hz-netcourt --replay '{}' --json", url,
                            saved.string()));
  ASSERT_EQ(added.exit_code, 0) << added.out;
  const json candidate = json::parse(added.out);
  EXPECT_EQ(candidate["source"], "cn-hz-netcourt");
  EXPECT_EQ(candidate["title"], "杭州互联网法院发布十大典型司法建议，涉及AI换脸应添加显著标识的司法建议");
  EXPECT_EQ(candidate["url"], url);
  EXPECT_EQ(candidate["published_at"], "2023-11-07T18:00:00+08:00");  // var ct = "1699351200"
  EXPECT_EQ(candidate["section"], "最新法律与监管动态");                 // a court
  EXPECT_THAT(candidate["summary"].get<std::string>(), HasSubstr("人脸替换信息技术"));

  // Without --source the host names the generic WeChat intake (a platform: industry news);
  // the same article is not stored twice either way.
  const CommandResult again =
      run_herald(config_ + fmt::format(" add {} --replay '{}' --json", url, saved.string()));
  ASSERT_EQ(again.exit_code, 0) << again.out;
  EXPECT_EQ(json::parse(again.out)["added"], false);
  EXPECT_EQ(queue().size(), 1u);
}

TEST_F(AddCommandTest, BadUseAndFailedFetchesAddNothing) {
  EXPECT_EQ(run_herald(config_ + " add not-a-url").exit_code, 2);
  EXPECT_EQ(run_herald(config_ + fmt::format(" add {} --source no-such-source", kWhitePaperUrl))
                .exit_code,
            2);
  // Not among the saved responses: the fetch fails (404), exit 1.
  const CommandResult missing = run_herald(
      config_ + fmt::format(" add https://www.beijing.gov.cn/ywdt/gzdt/none.html --replay '{}'",
                            fixture_path("bj-gov-gzdt").string()));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(queue().empty());
}

TEST_F(AddCommandTest, AStoredItemThatWasNeverQueuedIsQueuedWhenAnEditorAddsIt) {
  // A poll stores the list's items; the topic matches none of them, so none is queued.
  const CommandResult polled = run_herald(
      config_ + fmt::format(" poll bj-gov-gzdt --replay '{}'", fixture_path("bj-gov-gzdt").string()));
  ASSERT_EQ(polled.exit_code, 0) << polled.out;
  ASSERT_TRUE(queue().empty());

  // The editor wants one of them: it is queued from what is stored, without a fetch (no
  // --replay: a fetch would go to the network and fail).
  const CommandResult added = run_herald(config_ + fmt::format(" add {} --json", kWhitePaperUrl));
  ASSERT_EQ(added.exit_code, 0) << added.out;
  const json candidate = json::parse(added.out);
  EXPECT_EQ(candidate["added"], true);
  EXPECT_EQ(candidate["stored_before"], true);
  EXPECT_EQ(candidate["source"], "bj-gov-gzdt");
  EXPECT_EQ(candidate["title"], "北京市人工智能行业大模型创新应用白皮书（2023年）发布");
  EXPECT_EQ(candidate["published_at"], "2023-11-29T10:30:00+08:00");
  EXPECT_EQ(candidate["section"], "最新法律与监管动态");
  EXPECT_EQ(candidate["state"], "pending");
  const json candidates = queue();
  ASSERT_EQ(candidates.size(), 1u) << candidates.dump();
  EXPECT_EQ(candidates[0]["url"], kWhitePaperUrl);

  // Asked again, it is reported as it stands and not queued twice.
  const CommandResult again = run_herald(config_ + fmt::format(" add {}", kWhitePaperUrl));
  ASSERT_EQ(again.exit_code, 0) << again.out;
  EXPECT_THAT(again.out, HasSubstr(fmt::format("already stored: candidate {}",
                                               candidate["id"].get<int>())));
  EXPECT_EQ(queue().size(), 1u);
}

TEST_F(AddCommandTest, APageWithoutADateIsRefusedAndTheMessageNamesTheFlags) {
  // Weibo's status page is a JavaScript shell: <title>微博</title> and no date.
  const CommandResult refused = run_herald_all_output(add_weibo(""), dir_.path() / "out.txt");
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_THAT(refused.out, HasSubstr("the page gives no publish date (found title: \"微博\"); "
                                     "nothing was stored"));
  EXPECT_THAT(refused.out, HasSubstr("--date YYYY-MM-DD (the day it was published, in "
                                     "Asia/Shanghai time)"));
  EXPECT_THAT(refused.out, HasSubstr("--title"));
  EXPECT_THAT(refused.out, HasSubstr("--summary"));
  // A title alone does not make a date up either.
  EXPECT_EQ(run_herald(add_weibo("--title 'WPS发布声明'")).exit_code, 1);
  EXPECT_TRUE(queue().empty());
}

TEST_F(AddCommandTest, TheEditorsTitleDateAndSummaryFillWhatThePageLacks) {
  const CommandResult added = run_herald(add_weibo(
      "--title 'WPS发布声明，承诺用户文档不会被用于AI训练' --date 2023-11-18 "
      "--summary 'WPS 声明用户文档不会被用于 AI 训练。' --json"));
  ASSERT_EQ(added.exit_code, 0) << added.out;
  const json candidate = json::parse(added.out);
  EXPECT_EQ(candidate["added"], true);
  EXPECT_EQ(candidate["source"], "cn-weibo");
  EXPECT_EQ(candidate["url"], kWeiboUrl);
  EXPECT_EQ(candidate["title"], "WPS发布声明，承诺用户文档不会被用于AI训练");
  EXPECT_EQ(candidate["published_at"], "2023-11-18T00:00:00+08:00");  // the source's zone
  EXPECT_EQ(candidate["summary"], "WPS 声明用户文档不会被用于 AI 训练。");
  EXPECT_EQ(candidate["from_editor"], json::array({"title", "date", "summary"}));
  ASSERT_EQ(queue().size(), 1u);

  // The text output says which fields the editor gave; what the page gave is not marked.
  const std::string other = "https://weibo.com/1595145397/Other";
  const std::filesystem::path saved = dir_.path() / "saved";
  std::filesystem::create_directories(saved);
  std::filesystem::copy_file(fixture_path("manual/weibo-wps/status.html"), saved / "status.html");
  write_file(saved / "index.toml",
             fmt::format("[[response]]\nurl = \"{}\"\nfile = \"status.html\"\n"
                         "content_type = \"text/html; charset=utf-8\"\n",
                         other));
  const CommandResult text = run_herald(
      config_ + fmt::format(" add {} --source cn-weibo --replay '{}' --date 2023-11-20", other,
                            saved.string()));
  ASSERT_EQ(text.exit_code, 0) << text.out;
  EXPECT_THAT(text.out, HasSubstr("  title:     微博\n"));
  EXPECT_THAT(text.out, HasSubstr("  published: 2023-11-20T00:00:00+08:00  (given with --date)"));
}

TEST_F(AddCommandTest, TheEditorsDateWinsOverThePagesAndBadDatesAreUsageErrors) {
  const std::string add = fmt::format(" add {} --replay '{}' --json", kWhitePaperUrl,
                                      fixture_path("bj-gov-gzdt").string());
  for (const char* bad : {"2023-13-01", "2023/11/04", "23-11-04", "2023-02-30", "1989-12-31",
                          "2999-01-01", "''"}) {
    SCOPED_TRACE(bad);
    const CommandResult refused = run_herald_all_output(config_ + add + " --date " + bad, dir_.path() / "out.txt");
    EXPECT_EQ(refused.exit_code, 2) << refused.out;
    EXPECT_THAT(refused.out, HasSubstr("--date"));
  }
  EXPECT_EQ(run_herald(config_ + add + " --title ' '").exit_code, 2);
  EXPECT_TRUE(queue().empty());

  const CommandResult added = run_herald(config_ + add + " --date 2023-11-28");
  ASSERT_EQ(added.exit_code, 0) << added.out;
  const json candidate = json::parse(added.out);
  EXPECT_EQ(candidate["published_at"], "2023-11-28T00:00:00+08:00");
  EXPECT_EQ(candidate["title"], "北京市人工智能行业大模型创新应用白皮书（2023年）发布");
  EXPECT_EQ(candidate["from_editor"], json::array({"date"}));
}

TEST_F(AddCommandTest, AnUnfetchablePageIsStoredFromTheEditorsTitleAndDateOnly) {
  // Not among the saved responses: the fetch fails (a login wall, HTTP 432 on weibo.com).
  const std::string missing = "https://weibo.com/1595145397/Missing";
  const std::string add = config_ + fmt::format(" add {} --source cn-weibo --replay '{}'", missing,
                                                fixture_path("manual/weibo-wps").string());
  const CommandResult refused = run_herald_all_output(add, dir_.path() / "out.txt");
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_THAT(refused.out, HasSubstr("add it with --title \"...\" --date YYYY-MM-DD"));
  EXPECT_TRUE(queue().empty());

  const CommandResult added = run_herald(add + " --title 'WPS声明' --date 2023-11-18 --json");
  ASSERT_EQ(added.exit_code, 0) << added.out;
  const json candidate = json::parse(added.out);
  EXPECT_EQ(candidate["url"], missing);
  EXPECT_EQ(candidate["title"], "WPS声明");
  EXPECT_EQ(candidate["published_at"], "2023-11-18T00:00:00+08:00");
  EXPECT_EQ(queue().size(), 1u);
}

}  // namespace
}  // namespace herald
