// Legal metadata through the whole poll: saved list and article pages served from a loopback
// server, polled through libcurl into SQLite, and read back with the candidate. The article's
// 政务公开 table gives 文号 and 成文日期 (gd-gov), its body the comment deadline
// (bj-gov-yjzj); a source that reads no article pages still gets what its list titles state.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/clock.h"
#include "common/legal.h"
#include "daemon/context.h"
#include "daemon/run_source.h"
#include "scrapers/fetch/curl_fetcher.h"
#include "tests/support/fixtures.h"
#include "tests/support/local_server.h"

namespace herald {
namespace {

using ::testing::StartsWith;
using testing::LocalServer;
using testing::read_fixture;
using testing::TempDir;

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

constexpr std::string_view kGdArticle = "/zwgk/wjk/qbwj/yf/content/post_4282629.html";
constexpr std::string_view kBjList = "/hudong/gfxwjzj/zjxx/";
constexpr std::string_view kBjArticle = "/hudong/gfxwjzj/zjxx/202311/t20231101_3292553.html";
constexpr std::string_view kTc260List = "/front/bzzqyjList.html";

class LegalPollTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The pages are members: they outlive the server, which stops before they die.
    gd_article_ = read_fixture("gd-gov/article-post_4282629.html");
    bj_list_ = read_fixture("bj-gov-yjzj/list.html");
    bj_article_ = read_fixture("bj-gov-yjzj/article-t20231101_3292553.html");
    tc260_list_ = read_fixture("cn-tc260/list.html");
    server_.routes().Get("/gd/list.html", [this](const auto&, auto& res) {
      std::lock_guard lock(mutex_);
      res.set_content(gd_list_, "text/html; charset=utf-8");
    });
    server_.routes().Get(std::string(kGdArticle), [this](const auto&, auto& res) {
      res.set_content(gd_article_, "text/html; charset=utf-8");
    });
    server_.routes().Get(std::string(kBjList), [this](const auto&, auto& res) {
      res.set_content(bj_list_, "text/html; charset=utf-8");
    });
    server_.routes().Get(std::string(kBjArticle), [this](const auto&, auto& res) {
      res.set_content(bj_article_, "text/html; charset=utf-8");
    });
    server_.routes().Get(std::string(kTc260List), [this](const auto&, auto& res) {
      res.set_content(tc260_list_, "text/html; charset=utf-8");
    });
    // Every other article of the lists is not served: those items keep what the list gave.
    server_.start();
    {
      // The list's absolute links must point at this server, whose port is known now.
      std::lock_guard lock(mutex_);
      gd_list_ = replace_all(read_fixture("gd-gov/list.html"), "https://www.gd.gov.cn/",
                             server_.url("/"));
    }

    write_file(dir_.path() / "herald.toml", R"(
[storage]
database = "state/herald.db"

[sources]
dir = "sources.d"

[fetch]
user_agent = "herald-test/1.0"
min_delay = "0s"

[queue]
backfill_days = 0

[[topics]]
name = "ai-law"
threshold = 1.0
keywords = ["人工智能", "征求意见", "AI"]
)");
    write_file(dir_.path() / "sources.d" / "gd-gov.toml", fmt::format(R"(
id = "gd-gov"
name = "广东省人民政府 · 文件库"
kind = "government"
language = "zh"
timezone = "Asia/Shanghai"
interval = "4h"
type = "html"
url = "{}"

[list]
item = "div.viewList ul li, ul.newsIlist li"
link = "a@href"
date = "span.time, a + span"

[article]
body = "div.zw, div.article-content"
)",
                                    server_.url("/gd/list.html")));
    const std::string bj_list_source = R"(
kind = "government"
language = "zh"
timezone = "Asia/Shanghai"
interval = "4h"
type = "html"
url = "{}"

[list]
item = "ul.list li"
title = "a@title"
link = "a@href"
date = "span"
)";
    write_file(dir_.path() / "sources.d" / "bj-gov-yjzj.toml",
               "id = \"bj-gov-yjzj\"\nname = \"北京市人民政府 · 意见征集\"\n" +
                   fmt::format(fmt::runtime(bj_list_source), server_.url(kBjList)) +
                   "\n[article]\ndate = \"meta[name=PubDate]@content\"\nbody = \"#mainText\"\n");
    // The same list read without article pages, as a list-only source.
    write_file(dir_.path() / "sources.d" / "bj-list-only.toml",
               "id = \"bj-list-only\"\nname = \"北京市人民政府 · 意见征集（列表）\"\n" +
                   fmt::format(fmt::runtime(bj_list_source), server_.url(kBjList)));

    // The list's date is the comment deadline, kept as the summary (config/sources.d/cn-tc260).
    write_file(dir_.path() / "sources.d" / "cn-tc260.toml", fmt::format(R"(
id = "cn-tc260"
name = "全国网络安全标准化技术委员会 · 标准征求意见"
kind = "association"
language = "zh"
timezone = "Asia/Shanghai"
interval = "6h"
type = "html"
url = "{}"

[list]
item = "li.list_title_news"
link = "a@href"
date = ".list_time"
date_is = "deadline"
)",
                                    server_.url(kTc260List)));

    auto loaded = load_configuration(dir_.path() / "herald.toml");
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    loaded_ = std::move(*loaded);
    ASSERT_EQ(loaded_.sources.sources.size(), 4u);
    auto store = open_store(loaded_.config);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    store_.emplace(std::move(*store));
    auto fetcher = CurlFetcher::create();
    ASSERT_TRUE(fetcher.has_value()) << fetcher.error().message;
    fetcher_ = std::move(*fetcher);
  }

  RunReport poll(const std::string& source_id) {
    return run_source_once(*loaded_.find(source_id), loaded_.config, *fetcher_, *store_, clock_);
  }

  // The stored candidate of `source_id` whose link ends in `path`.
  std::optional<Candidate> candidate(const std::string& source_id, std::string_view path) {
    QueueQuery query{.state = std::nullopt, .collapse_clusters = false, .limit = 500};
    query.source_id = source_id;
    auto page = store_->query_queue(query);
    EXPECT_TRUE(page.has_value()) << page.error().message;
    for (const Candidate& c : page->items) {
      if (c.url.ends_with(path)) {
        return c;
      }
    }
    ADD_FAILURE() << "no candidate of " << source_id << " at " << path;
    return std::nullopt;
  }

  CurlGlobal curl_global_;
  std::mutex mutex_;
  std::string gd_list_;  // guarded by mutex_
  std::string gd_article_;
  std::string bj_list_;
  std::string bj_article_;
  std::string tc260_list_;
  // After the pages (stopped before they die), before the fetcher (whose kept-alive
  // connections close first, so stopping does not wait for them to time out).
  LocalServer server_;
  TempDir dir_;
  Loaded loaded_;
  std::optional<Store> store_;
  std::unique_ptr<CurlFetcher> fetcher_;
  SystemClock clock_;
};

TEST_F(LegalPollTest, TheArticlesTableGivesDocNumberAndAdoptionDate) {
  const RunReport report = poll("gd-gov");
  ASSERT_TRUE(report.ok()) << format_report(report);
  ASSERT_GE(report.enriched, 1) << format_report(report);

  const auto item = candidate("gd-gov", kGdArticle);
  ASSERT_TRUE(item.has_value());
  EXPECT_EQ(item->legal[LegalField::kDocNumber].value, "粤府〔2023〕90号");
  EXPECT_THAT(item->legal[LegalField::kDocNumber].from, StartsWith("table:"));
  EXPECT_EQ(item->legal.value(LegalField::kAdoptedOn), "2023-11-03");
  EXPECT_THAT(item->legal[LegalField::kAdoptedOn].from, StartsWith("table:"));
  EXPECT_EQ(item->legal.value(LegalField::kPublishedOn), "2023-11-13");
  // Read through get_candidate too (the item page and `queue show`).
  EXPECT_EQ(store_->get_candidate(item->id)->legal, item->legal);
}

TEST_F(LegalPollTest, TheArticlesBodyGivesTheCommentDeadlineAndTheListTitleTheInstrument) {
  const RunReport report = poll("bj-gov-yjzj");
  ASSERT_TRUE(report.ok()) << format_report(report);

  const auto item = candidate("bj-gov-yjzj", kBjArticle);
  ASSERT_TRUE(item.has_value());
  // 「公开征集意见时间为2023年11月1日至2023年11月30日」: the range's end is the deadline.
  EXPECT_EQ(item->legal.value(LegalField::kCommentDeadline), "2023-11-30");
  EXPECT_THAT(item->legal[LegalField::kCommentDeadline].from, StartsWith("text:"));
  EXPECT_EQ(item->legal.value(LegalField::kInstrument), "征求意见稿");

  auto open = store_->open_consultations("2023-11-30");
  ASSERT_TRUE(open.has_value()) << open.error().message;
  ASSERT_FALSE(open->empty());
  EXPECT_EQ(open->front().id, item->id);
}

TEST_F(LegalPollTest, AListOnlySourceGetsWhatItsTitlesState) {
  const RunReport report = poll("bj-list-only");
  ASSERT_TRUE(report.ok()) << format_report(report);
  EXPECT_EQ(report.enriched, 0);

  // Every title of this list is a …（征求意见稿） announcement.
  const auto item = candidate("bj-list-only", kBjArticle);
  ASSERT_TRUE(item.has_value());
  EXPECT_EQ(item->legal[LegalField::kInstrument],
            (LegalValue{.value = "征求意见稿", .from = "title"}));
  // No article page was read: the deadline in its body is unknown.
  EXPECT_EQ(item->legal.value(LegalField::kCommentDeadline), "");
  QueueQuery drafts{.state = std::nullopt, .collapse_clusters = false, .limit = 500};
  drafts.source_id = "bj-list-only";
  drafts.instrument = "征求意见稿";
  EXPECT_GE(store_->query_queue(drafts)->items.size(), 5u);
}

TEST_F(LegalPollTest, ADeadlineListDateBecomesTheCommentDeadline) {
  const RunReport report = poll("cn-tc260");
  ASSERT_TRUE(report.ok()) << format_report(report);

  QueueQuery query{.state = std::nullopt, .collapse_clusters = false, .limit = 500};
  query.source_id = "cn-tc260";
  auto page = store_->query_queue(query);
  ASSERT_TRUE(page.has_value()) << page.error().message;
  ASSERT_FALSE(page->items.empty());
  for (const Candidate& c : page->items) {
    EXPECT_EQ(c.legal[LegalField::kCommentDeadline],
              (LegalValue{.value = c.summary, .from = "list"}))
        << c.title;
  }
  // 「关于国家标准《…》征求意见稿征求意见的通知」, due 2024-01-30 by the list.
  auto open = store_->open_consultations("2024-01-30");
  ASSERT_TRUE(open.has_value()) << open.error().message;
  ASSERT_FALSE(open->empty());
  EXPECT_EQ(open->front().legal.value(LegalField::kCommentDeadline), "2024-01-30");
  EXPECT_EQ(open->front().legal.value(LegalField::kInstrument), "征求意见稿");
}

}  // namespace
}  // namespace herald
