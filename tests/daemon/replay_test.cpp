// Replay: fetches answered from saved responses (tests/fixtures/<id>/index.toml), and the
// whole pipeline run offline over the shipped configuration with `herald poll --replay`.

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "config/config_loader.h"
#include "daemon/context.h"
#include "daemon/replay_fetcher.h"
#include "daemon/run_source.h"
#include "tests/daemon/herald_cli.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::CommandResult;
using testing::fixture_path;
using testing::read_fixture;
using testing::run_herald;
using testing::shipped_config_in;
using testing::TempDir;
using testing::write_file;

constexpr const char* kBjList = "https://www.beijing.gov.cn/ywdt/gzdt/";
constexpr const char* kBjArticle =
    "https://www.beijing.gov.cn/ywdt/gzdt/202311/t20231129_3321720.html";

std::unique_ptr<ReplayFetcher> open_replay(const std::filesystem::path& dir) {
  auto fetcher = ReplayFetcher::open(dir);
  EXPECT_TRUE(fetcher.has_value()) << fetcher.error().message;
  return fetcher ? std::move(*fetcher) : nullptr;
}

TEST(ReplayFetcherTest, ServesTheSavedBytesWithTheirContentType) {
  auto fetcher = open_replay(fixture_path("bj-gov-gzdt"));
  ASSERT_NE(fetcher, nullptr);
  EXPECT_EQ(fetcher->size(), 2u);

  auto page = fetcher->fetch(FetchRequest{.url = kBjList});
  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->final_url, kBjList);
  EXPECT_EQ(page->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(page->body, read_fixture("bj-gov-gzdt/list.html"));
  ASSERT_TRUE(page->etag.has_value());
  EXPECT_EQ(*page->etag, replay_etag(page->body));

  auto article = fetcher->fetch(FetchRequest{.url = kBjArticle});
  ASSERT_TRUE(article.has_value()) << article.error().message;
  EXPECT_EQ(article->body, read_fixture("bj-gov-gzdt/article-t20231129_3321720.html"));
  EXPECT_NE(*article->etag, *page->etag);
}

TEST(ReplayFetcherTest, TheSameEtagGets304AndAnotherGetsThePage) {
  auto fetcher = open_replay(fixture_path("bj-gov-gzdt"));
  ASSERT_NE(fetcher, nullptr);
  auto first = fetcher->fetch(FetchRequest{.url = kBjList});
  ASSERT_TRUE(first.has_value());

  auto again = fetcher->fetch(FetchRequest{.url = kBjList, .etag = first->etag});
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_TRUE(again->not_modified());
  EXPECT_TRUE(again->body.empty());
  EXPECT_EQ(again->etag, first->etag);

  auto stale = fetcher->fetch(FetchRequest{.url = kBjList, .etag = std::string("\"other\"")});
  ASSERT_TRUE(stale.has_value());
  EXPECT_EQ(stale->status, 200);
  EXPECT_EQ(stale->body, first->body);
}

TEST(ReplayFetcherTest, AnUnknownUrlIsA404NamingTheDirectory) {
  auto fetcher = open_replay(fixture_path("bj-gov-gzdt"));
  ASSERT_NE(fetcher, nullptr);
  auto missing = fetcher->fetch(FetchRequest{.url = "https://www.beijing.gov.cn/ywdt/gzdt/x"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kHttp4xx);
  EXPECT_THAT(missing.error().message,
              HasSubstr("404: no saved response for https://www.beijing.gov.cn/ywdt/gzdt/x in"));
  EXPECT_THAT(missing.error().message, HasSubstr("bj-gov-gzdt"));
  // Keys are exact: another spelling of the same page is another URL.
  auto spelling = fetcher->fetch(FetchRequest{.url = "https://www.beijing.gov.cn/ywdt/gzdt"});
  EXPECT_FALSE(spelling.has_value());
}

TEST(ReplayFetcherTest, ADirectoryOfFixtureDirsServesTheirUnion) {
  auto fetcher = open_replay(fixture_path(""));
  ASSERT_NE(fetcher, nullptr);
  EXPECT_GT(fetcher->size(), 30u);
  auto bj = fetcher->fetch(FetchRequest{.url = kBjList});
  ASSERT_TRUE(bj.has_value()) << bj.error().message;
  EXPECT_EQ(bj->body, read_fixture("bj-gov-gzdt/list.html"));
  auto cisa = fetcher->fetch(FetchRequest{.url = "https://www.cisa.gov/news.xml"});
  ASSERT_TRUE(cisa.has_value()) << cisa.error().message;
  EXPECT_EQ(cisa->body, read_fixture("us-cisa/news.xml"));
  EXPECT_EQ(cisa->content_type, "application/rss+xml; charset=utf-8");
}

TEST(ReplayFetcherTest, MethodStatusAndSizeComeFromTheIndex) {
  TempDir dir;
  write_file(dir.path() / "api.json", R"({"ok": true})");
  write_file(dir.path() / "gone.html", "<p>gone</p>");
  write_file(dir.path() / "index.toml", R"(
[[response]]
url = "https://api.example.org/search"
method = "POST"
file = "api.json"
content_type = "application/json"

[[response]]
url = "https://example.org/gone"
file = "gone.html"
status = 503

[[response]]
url = "https://example.org/limited"
file = "gone.html"
status = 429
)");
  auto fetcher = open_replay(dir.path());
  ASSERT_NE(fetcher, nullptr);

  auto get = fetcher->fetch(FetchRequest{.url = "https://api.example.org/search"});
  ASSERT_FALSE(get.has_value());
  EXPECT_EQ(get.error().code, ErrorCode::kHttp4xx);
  FetchRequest post{.url = "https://api.example.org/search"};
  post.method = "POST";
  post.body = "q=ai";
  auto posted = fetcher->fetch(post);
  ASSERT_TRUE(posted.has_value()) << posted.error().message;
  EXPECT_EQ(posted->body, R"({"ok": true})");

  auto gone = fetcher->fetch(FetchRequest{.url = "https://example.org/gone"});
  ASSERT_FALSE(gone.has_value());
  EXPECT_EQ(gone.error().code, ErrorCode::kHttp5xx);
  auto limited = fetcher->fetch(FetchRequest{.url = "https://example.org/limited"});
  ASSERT_FALSE(limited.has_value());
  EXPECT_EQ(limited.error().code, ErrorCode::kRateLimited);

  auto capped = fetcher->fetch(FetchRequest{.url = "https://api.example.org/search",
                                            .max_body_bytes = 4});
  ASSERT_FALSE(capped.has_value());  // a GET: still no such response
  post.max_body_bytes = 4;
  auto too_large = fetcher->fetch(post);
  ASSERT_FALSE(too_large.has_value());
  EXPECT_EQ(too_large.error().code, ErrorCode::kTooLarge);
}

TEST(ReplayFetcherTest, BadIndexesAreConfigErrorsWithFileAndLine) {
  TempDir dir;
  write_file(dir.path() / "a" / "index.toml", R"([[response]]
url = "https://example.org/"
file = "missing.html"
)");
  auto bad_file = ReplayFetcher::open(dir.path() / "a");
  ASSERT_FALSE(bad_file.has_value());
  EXPECT_EQ(bad_file.error().code, ErrorCode::kConfig);
  EXPECT_THAT(bad_file.error().message, HasSubstr("index.toml:3:"));
  EXPECT_THAT(bad_file.error().message, HasSubstr("missing.html does not exist"));

  // The same URL saved differently by two fixture dirs cannot be replayed.
  write_file(dir.path() / "b" / "one.html", "one");
  write_file(dir.path() / "b" / "index.toml", "[[response]]\nurl = \"https://x.org/\"\nfile = \"one.html\"\n");
  write_file(dir.path() / "c" / "two.html", "two");
  write_file(dir.path() / "c" / "index.toml", "[[response]]\nurl = \"https://x.org/\"\nfile = \"two.html\"\n");
  std::filesystem::remove_all(dir.path() / "a");
  auto conflict = ReplayFetcher::open(dir.path());
  ASSERT_FALSE(conflict.has_value());
  EXPECT_THAT(conflict.error().message, HasSubstr("https://x.org/ is already saved differently"));

  // ... but the same bytes twice are fine (two sources saving one shared page).
  write_file(dir.path() / "c" / "two.html", "one");
  EXPECT_TRUE(ReplayFetcher::open(dir.path()).has_value());

  TempDir empty;
  auto nothing = ReplayFetcher::open(empty.path());
  ASSERT_FALSE(nothing.has_value());
  EXPECT_EQ(nothing.error().code, ErrorCode::kNotFound);
}

TEST(ReplayFetcherTest, ASecondReplayPollIsNotModified) {
  TempDir dir;
  auto config = load_herald_config(std::filesystem::path(HERALD_SOURCE_ROOT) / "config" /
                                   "herald.toml");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  config->database = dir.path() / "herald.db";
  auto source = load_source_file(std::filesystem::path(HERALD_SOURCE_ROOT) / "config" /
                                 "sources.d" / "bj-gov-gzdt.toml");
  ASSERT_TRUE(source.has_value()) << source.error().message;
  auto store = open_store(*config);
  ASSERT_TRUE(store.has_value()) << store.error().message;
  auto fetcher = open_replay(fixture_path("bj-gov-gzdt"));
  ASSERT_NE(fetcher, nullptr);
  SystemClock clock;

  const RunReport first = run_source_once(*source, *config, *fetcher, *store, clock);
  ASSERT_TRUE(first.ok()) << format_report(first);
  EXPECT_EQ(first.outcome, "ok");
  EXPECT_EQ(first.extracted, 15);
  EXPECT_EQ(first.stored.items_new, 15);
  EXPECT_EQ(first.enriched, 1);  // the one article page saved; the others 404
  EXPECT_EQ(first.enrich_failed, 14);

  const RunReport second = run_source_once(*source, *config, *fetcher, *store, clock);
  ASSERT_TRUE(second.ok()) << format_report(second);
  EXPECT_EQ(second.outcome, "not_modified");
  EXPECT_EQ(second.http_status, 304);
  EXPECT_EQ(second.stored.items_new, 0);
}

// ---- the herald binary over the shipped configuration ----

int count_lines_with(const std::string& text, const std::string& needle) {
  int count = 0;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    count += line.find(needle) != std::string::npos ? 1 : 0;
  }
  return count;
}

TEST(ReplayCliTest, PollReplayRunsEveryPolledSourceOfflineAndFillsTheQueue) {
  TempDir dir;
  const std::string config = fmt::format("--config '{}'", shipped_config_in(dir.path()).string());
  const std::string replay = fmt::format("--replay '{}'", fixture_path("").string());

  const CommandResult listed = run_herald(config + " sources list --json");
  const auto sources = nlohmann::json::parse(listed.out);
  int polled = 0;
  for (const auto& source : sources) {
    polled += source.value("mode", std::string("poll")) == "poll" && source["enabled"] ? 1 : 0;
  }
  ASSERT_GT(polled, 30);

  const CommandResult first = run_herald(config + " poll " + replay);
  EXPECT_EQ(first.exit_code, 0) << first.out;
  EXPECT_EQ(count_lines_with(first.out, " outcome=ok "), polled) << first.out;
  EXPECT_THAT(first.out, Not(HasSubstr("outcome=http_4xx")));
  EXPECT_THAT(first.out, HasSubstr("source=bj-gov-gzdt outcome=ok"));
  EXPECT_THAT(first.out, Not(HasSubstr("source=cn-wechat-mp")));  // manual: not polled

  const CommandResult queue = run_herald(config + " queue list --json --limit 10000");
  ASSERT_EQ(queue.exit_code, 0) << queue.out;
  const auto candidates = nlohmann::json::parse(queue.out);
  ASSERT_TRUE(candidates.is_array());
  EXPECT_GT(candidates.size(), 100u);
  const auto beijing = nlohmann::json::parse(
      run_herald(config + " queue list --json --source bj-gov-gzdt").out);
  bool beijing_white_paper = false;
  for (const auto& candidate : beijing) {
    beijing_white_paper |=
        candidate["url"] == kBjArticle &&
        candidate["title"] == "北京市人工智能行业大模型创新应用白皮书（2023年）发布" &&
        candidate["published_at"] == "2023-11-29T10:30:00+08:00";  // from the article page
  }
  EXPECT_TRUE(beijing_white_paper) << beijing.dump(1);

  // The saved pages have not changed: every source answers 304, nothing is queued twice.
  const CommandResult second = run_herald(config + " poll " + replay);
  EXPECT_EQ(second.exit_code, 0) << second.out;
  EXPECT_EQ(count_lines_with(second.out, " outcome=not_modified "), polled) << second.out;
  const CommandResult again = run_herald(config + " queue list --json --limit 10000");
  EXPECT_EQ(nlohmann::json::parse(again.out).size(), candidates.size());
}

TEST(ReplayCliTest, SourcesCheckRunsEveryContractOfTheShippedConfiguration) {
  TempDir dir;
  const std::string config = fmt::format("--config '{}'", shipped_config_in(dir.path()).string());
  const CommandResult check =
      run_herald(config + fmt::format(" sources check --fixtures '{}'", fixture_path("").string()));
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_THAT(check.out, HasSubstr("ok      bj-gov-gzdt              15 items (contract)"));
  EXPECT_THAT(check.out, HasSubstr("manual  cn-wechat-mp"));
  EXPECT_THAT(check.out, Not(HasSubstr("FAIL")));
  EXPECT_THAT(check.out, HasSubstr("0 failed"));
}

TEST(ReplayCliTest, SourcesCheckFailsOnABrokenContract) {
  TempDir dir;
  const std::string config = fmt::format("--config '{}'", shipped_config_in(dir.path()).string());
  // A copy of the shipped fixtures of one source whose contract no longer holds.
  const std::filesystem::path fixtures = dir.path() / "fixtures";
  std::filesystem::create_directories(fixtures);
  std::filesystem::copy(fixture_path("bj-gov-gzdt"), fixtures / "bj-gov-gzdt");
  std::string expected = read_fixture("bj-gov-gzdt/expected.toml");
  expected.replace(expected.find("count = 15"), 10, "count = 16");
  write_file(fixtures / "bj-gov-gzdt" / "expected.toml", expected);

  const CommandResult check =
      run_herald(config + fmt::format(" sources check --fixtures '{}'", fixtures.string()));
  EXPECT_EQ(check.exit_code, 1) << check.out;
  EXPECT_THAT(check.out, HasSubstr("FAIL    bj-gov-gzdt              15 items, expected count = 16"));
  EXPECT_THAT(check.out, HasSubstr("none    cn-cac                   no contract"));
}

TEST(ReplayCliTest, SourcesStatusShowsModesAndFlagsFailingSources) {
  TempDir dir;
  const std::string config = fmt::format("--config '{}'", shipped_config_in(dir.path()).string());
  // One fixture dir only: every other polled source fails with "no saved response".
  const std::string replay = fmt::format("--replay '{}'", fixture_path("us-cisa").string());
  const CommandResult ok = run_herald(config + " poll us-cisa " + replay);
  ASSERT_EQ(ok.exit_code, 0) << ok.out;

  CommandResult status = run_herald(config + " sources status --json");
  EXPECT_EQ(status.exit_code, 0) << status.out;
  auto rows = nlohmann::json::parse(status.out);
  const auto row = [&](const std::string& id) {
    for (const auto& r : rows) {
      if (r["id"] == id) {
        return r;
      }
    }
    return nlohmann::json();
  };
  EXPECT_EQ(row("us-cisa")["last_outcome"], "ok");
  EXPECT_EQ(row("us-cisa")["mode"], "poll");
  EXPECT_EQ(row("us-cisa")["items_last_30_days"], 12);  // first seen now
  EXPECT_EQ(row("cn-wechat-mp")["mode"], "manual");
  EXPECT_THAT(row("cn-wechat-mp")["manual_reason"].get<std::string>(), HasSubstr("WeChat"));
  EXPECT_TRUE(row("us-nist")["last_poll_at"].is_null());

  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(run_herald(config + " poll us-nist " + replay).exit_code, 1);
  }
  status = run_herald(config + " sources status");
  EXPECT_EQ(status.exit_code, 1) << status.out;
  EXPECT_THAT(status.out, HasSubstr("FAILING"));
  EXPECT_THAT(status.out, HasSubstr("no saved response"));
  EXPECT_THAT(status.out, HasSubstr("1 failing"));
  rows = nlohmann::json::parse(run_herald(config + " sources status --json").out);
  EXPECT_EQ(row("us-nist")["consecutive_failures"], 3);
  EXPECT_EQ(row("us-nist")["failing"], true);
}

}  // namespace
}  // namespace herald
