// Same story, many outlets, as a poll sees it: find_same_stories picks the stored item a new
// one repeats, and run_source_once commits it into that item's cluster with the section of
// its own source's kind.

#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "common/clock.h"
#include "daemon/context.h"
#include "daemon/edition.h"
#include "daemon/run_source.h"
#include "scrapers/fetch/curl_fetcher.h"
#include "tests/cluster/newsletter_stories.h"
#include "tests/daemon/herald_cli.h"
#include "tests/storage/memory_store.h"
#include "tests/support/fixtures.h"
#include "tests/support/local_server.h"

namespace herald {
namespace {

using testing::Kind;
using testing::kNewsletterItems;
using testing::kSameStoryPairs;
using testing::write_file;

constexpr std::int64_t kNow = 1699322400;  // 2023-11-07 10:00 Beijing
constexpr std::int64_t kDay = 86400;

Item story_item(const std::string& source, std::size_t n, std::string_view title,
                std::string_view summary) {
  Item item;
  item.source_id = source;
  item.title = std::string(title);
  item.summary = std::string(summary);
  item.url = fmt::format("https://{}.example.cn/{}.html", source, n);
  item.url_key = fmt::format("{}.example.cn/{}.html", source, n);
  item.candidate = true;
  return item;
}

PollRecord poll_of(const std::string& source, std::int64_t at, std::vector<Item> items) {
  PollRecord poll;
  poll.source_id = source;
  poll.started_at = at;
  poll.outcome = "ok";
  poll.items = std::move(items);
  return poll;
}

class FindSameStoriesTest : public testing::MemoryStoreTest {
 protected:
  // Stores side a of every copy pair as a ministry's item; returns their ids in order.
  std::vector<std::int64_t> store_originals(std::int64_t at) {
    std::vector<Item> items;
    for (std::size_t i = 0; i < kSameStoryPairs.size(); ++i) {
      if (kSameStoryPairs[i].kind == Kind::kCopy) {
        items.push_back(
            story_item("ministry", i, kSameStoryPairs[i].a.title, kSameStoryPairs[i].a.summary));
      }
    }
    EXPECT_TRUE(store().commit_poll(poll_of("ministry", at, items)).has_value());
    std::vector<std::int64_t> ids;
    const auto stories = store().recent_stories(0);
    EXPECT_TRUE(stories.has_value());
    for (const StoryRecord& story : stories.value_or(std::vector<StoryRecord>{})) {
      ids.push_back(story.item_id);
    }
    return ids;
  }

  std::vector<Item> reposts(const std::string& source) {
    std::vector<Item> items;
    for (std::size_t i = 0; i < kSameStoryPairs.size(); ++i) {
      if (kSameStoryPairs[i].kind == Kind::kCopy) {
        items.push_back(
            story_item(source, i, kSameStoryPairs[i].b.title, kSameStoryPairs[i].b.summary));
      }
    }
    return items;
  }

};

TEST_F(FindSameStoriesTest, RepostsOnOtherOutletsPointAtTheOriginal) {
  const std::vector<std::int64_t> originals = store_originals(kNow - kDay);
  const std::vector<Item> copies = reposts("cn-qqnews");

  const auto same = find_same_stories(copies, store(), kNow);

  ASSERT_EQ(same.size(), originals.size());
  for (std::size_t i = 0; i < same.size(); ++i) {
    SCOPED_TRACE(copies[i].title);
    EXPECT_EQ(same[i], originals[i]);
  }
}

TEST_F(FindSameStoriesTest, DifferentStoriesKnownItemsAndOldItemsMatchNothing) {
  store_originals(kNow - 8 * kDay);  // older than the window
  std::vector<Item> others;
  for (std::size_t i = 0; i < kNewsletterItems.size(); ++i) {
    others.push_back(
        story_item("cn-xinhua", i, kNewsletterItems[i].title, kNewsletterItems[i].summary));
  }
  // 世界互联网大会: no repost of it is among the copies.
  ASSERT_TRUE(store().commit_poll(poll_of("cn-xinhua", kNow, {others[2]})).has_value());

  // Against the window: the reposts are too late to join the 8-day-old originals.
  const auto late = find_same_stories(reposts("cn-qqnews"), store(), kNow);
  // Against the one stored newsletter item: itself is known, the others are other stories.
  const auto rest = find_same_stories(others, store(), kNow);

  for (const auto& match : late) {
    EXPECT_EQ(match, std::nullopt);
  }
  for (std::size_t i = 0; i < rest.size(); ++i) {
    SCOPED_TRACE(others[i].title);
    EXPECT_EQ(rest[i], std::nullopt);
  }
}

TEST_F(FindSameStoriesTest, CommittedRepostsJoinTheOriginalsClusters) {
  const std::vector<std::int64_t> originals = store_originals(kNow - kDay);
  PollRecord poll = poll_of("cn-qqnews", kNow, reposts("cn-qqnews"));
  poll.same_story_as = find_same_stories(poll.items, store(), kNow);

  ASSERT_TRUE(store().commit_poll(poll).has_value());

  auto page = store().query_queue({});
  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_EQ(page->total, static_cast<std::int64_t>(originals.size()));
  for (const Candidate& card : page->items) {
    SCOPED_TRACE(card.title);
    EXPECT_EQ(card.source_id, "ministry");
    ASSERT_EQ(card.also_reported_by.size(), 1u);
    EXPECT_EQ(card.also_reported_by[0].source_id, "cn-qqnews");
  }
}

// A real poll over loopback: the OpenAI feed (a company) after 腾讯新闻 carried one of its
// stories, and the Beijing government's page.
class ClusterPollTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.routes().Get("/rss.xml", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(testing::read_fixture("integration/openai-news-rss-25.xml"),
                      "application/rss+xml; charset=utf-8");
    });
    server_.routes().Get("/bj/", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(testing::read_fixture("integration/bj-home-v2.gbk.html"), "text/html");
    });
    server_.start();
    write_file(dir_.path() / "herald.toml", R"(
[storage]
database = "herald.db"

[sources]
dir = "sources.d"

# The saved feeds are older than the first poll's backfill window; these tests are about
# what a poll queues, so the window is off.
[queue]
backfill_days = 0

[[topics]]
name = "ai"
threshold = 1.0
keywords = ["人工智能", "大模型", "AI", "OpenAI"]
)");
    write_file(dir_.path() / "sources.d" / "openai-news.toml", fmt::format(R"(
id = "openai-news"
name = "OpenAI News"
kind = "company"
language = "en"
timezone = "America/Los_Angeles"
interval = "1h"
type = "feed"
url = "{}"
)", server_.url("/rss.xml")));
    write_file(dir_.path() / "sources.d" / "bj-home.toml", fmt::format(R"(
id = "bj-home"
name = "北京市人民政府"
kind = "government"
language = "zh"
timezone = "Asia/Shanghai"
interval = "1h"
type = "html"
url = "{}"

[list]
item = "#csfwcontent ul li"
link = "a@href"
)", server_.url("/bj/")));
    auto loaded = load_configuration(dir_.path() / "herald.toml");
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    loaded_ = std::move(*loaded);
    auto store = open_store(loaded_.config);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    store_.emplace(std::move(*store));
    auto fetcher = CurlFetcher::create();
    ASSERT_TRUE(fetcher.has_value()) << fetcher.error().message;
    fetcher_ = std::move(*fetcher);
  }

  RunReport poll(const std::string& id) {
    return run_source_once(*loaded_.find(id), loaded_.config, *fetcher_, *store_, clock_);
  }

  CurlGlobal curl_global_;
  testing::LocalServer server_;
  testing::TempDir dir_;
  Loaded loaded_;
  std::optional<Store> store_;
  std::unique_ptr<CurlFetcher> fetcher_;
  SystemClock clock_;
};

TEST_F(ClusterPollTest, FeedItemJoinsTheEarlierReportAndTakesItsSourcesSection) {
  constexpr std::string_view kTitle =
      "OpenAI and UK Government announce strategic partnership to deliver AI-driven growth";
  Item repost = story_item("cn-qqnews", 1, fmt::format("【转载】{}_腾讯新闻", kTitle), "");
  PollRecord earlier = poll_of("cn-qqnews", clock_.now_utc_seconds() - 3600, {repost});
  earlier.default_section = std::string(kIndustrySection);
  ASSERT_TRUE(store_->commit_poll(earlier).has_value());

  const RunReport report = poll("openai-news");

  ASSERT_TRUE(report.ok()) << report.error->message;
  auto page = store_->query_queue({.source_id = std::string("openai-news"),
                                   .collapse_clusters = false, .limit = 0});
  ASSERT_TRUE(page.has_value()) << page.error().message;
  ASSERT_FALSE(page->items.empty());
  int clustered = 0;
  for (const Candidate& c : page->items) {
    EXPECT_EQ(c.section, kIndustrySection);
    if (c.cluster_id == 0) {
      continue;
    }
    ++clustered;
    EXPECT_EQ(c.title, kTitle);
    ASSERT_EQ(c.also_reported_by.size(), 1u);
    EXPECT_EQ(c.also_reported_by[0].source_id, "cn-qqnews");
  }
  EXPECT_EQ(clustered, 1);
  // The queue shows the story once, as its earliest published report: OpenAI's own (the
  // repost has no date and was seen only an hour ago).
  auto cards = store_->query_queue({.text = "Government announce strategic"});
  ASSERT_TRUE(cards.has_value());
  ASSERT_EQ(cards->items.size(), 1u);
  EXPECT_EQ(cards->items[0].source_id, "openai-news");
  ASSERT_EQ(cards->items[0].also_reported_by.size(), 1u);
  EXPECT_EQ(cards->items[0].also_reported_by[0].source_id, "cn-qqnews");
}

TEST_F(ClusterPollTest, GovernmentItemsAreFiledUnderLawAndRegulation) {
  const RunReport report = poll("bj-home");

  ASSERT_TRUE(report.ok()) << report.error->message;
  ASSERT_GT(report.stored.candidates_new, 0);
  auto page = store_->query_queue({.limit = 0});
  ASSERT_TRUE(page.has_value());
  for (const Candidate& c : page->items) {
    EXPECT_EQ(c.section, kLegalSection);
  }
}

TEST(DefaultSectionTest, FollowsTheSourceKind) {
  EXPECT_EQ(default_section(SourceKind::kGovernment), kLegalSection);
  EXPECT_EQ(default_section(SourceKind::kCourt), kLegalSection);
  EXPECT_EQ(default_section(SourceKind::kAssociation), kLegalSection);
  EXPECT_EQ(default_section(SourceKind::kCompany), kIndustrySection);
  EXPECT_EQ(default_section(SourceKind::kMedia), kIndustrySection);
  EXPECT_EQ(default_section(SourceKind::kPlatform), kIndustrySection);
}

// herald poll's workers and serve's poller keep one same-story window per database file in
// memory and read only what was stored since; what they find must be what a fresh read of
// the whole window finds, whichever connection stored the items.
TEST(SameStoryWindowTest, ConnectionsToOneFileSeeEachOthersItems) {
  const testing::TempDir dir;
  const auto path = dir.path() / "herald.db";
  auto writer = Store::open(path);
  auto poller = Store::open(path);
  ASSERT_TRUE(writer.has_value() && poller.has_value());
  const Item first = story_item("ministry", 1, kSameStoryPairs[0].a.title, kSameStoryPairs[0].a.summary);
  const Item second = story_item("ministry", 2, kNewsletterItems[5].title, kNewsletterItems[5].summary);
  const Item first_copy = story_item("outlet", 1, kSameStoryPairs[0].b.title, kSameStoryPairs[0].b.summary);
  const Item second_copy = story_item("outlet", 2, kNewsletterItems[5].title, "");

  ASSERT_TRUE(writer->commit_poll(poll_of("ministry", kNow - kDay, {first})).has_value());
  const auto before = find_same_stories({first_copy, second_copy}, *poller, kNow);
  // Stored by the other connection after the window was first read.
  ASSERT_TRUE(writer->commit_poll(poll_of("ministry", kNow - 3600, {second})).has_value());
  const auto after = find_same_stories({first_copy, second_copy}, *poller, kNow);

  const auto stories = writer->recent_stories(0);
  ASSERT_TRUE(stories.has_value());
  ASSERT_EQ(stories->size(), 2u);
  ASSERT_TRUE(before[0].has_value());
  EXPECT_EQ(before[0], stories->at(0).item_id);
  EXPECT_EQ(before[1], std::nullopt);
  EXPECT_EQ(after[0], stories->at(0).item_id);
  EXPECT_EQ(after[1], stories->at(1).item_id);
}

TEST(SameStoryWindowTest, ADatabaseReplacedUnderTheSamePathIsReadAfresh) {
  const testing::TempDir dir;
  const auto path = dir.path() / "herald.db";
  const Item original = story_item("ministry", 1, kSameStoryPairs[0].a.title, kSameStoryPairs[0].a.summary);
  const Item copy = story_item("outlet", 1, kSameStoryPairs[0].b.title, kSameStoryPairs[0].b.summary);
  const Item other = story_item("ministry", 2, kNewsletterItems[1].title, kNewsletterItems[1].summary);
  {
    auto store = Store::open(path);
    ASSERT_TRUE(store.has_value());
    ASSERT_TRUE(store->commit_poll(poll_of("ministry", kNow - kDay, {original})).has_value());
    ASSERT_TRUE(find_same_stories({copy}, *store, kNow)[0].has_value());
  }
  std::filesystem::remove_all(dir.path());
  std::filesystem::create_directories(dir.path());
  // Same path, same first id, a different story under it.
  auto store = Store::open(path);
  ASSERT_TRUE(store.has_value());
  ASSERT_TRUE(store->commit_poll(poll_of("ministry", kNow - kDay, {other})).has_value());

  EXPECT_EQ(find_same_stories({copy}, *store, kNow)[0], std::nullopt);
}

TEST(SameStoryWindowTest, AWindowLongerThanOneReadIsReadWhole) {
  const testing::TempDir dir;
  auto store = Store::open(dir.path() / "herald.db");
  ASSERT_TRUE(store.has_value());
  // 2,500 stories (the window is read 1,000 rows at a time), each its own headline.
  for (int poll = 0; poll < 125; ++poll) {
    std::vector<Item> items;
    for (int i = 0; i < 20; ++i) {
      const int n = poll * 20 + i;
      items.push_back(story_item("portal", static_cast<std::size_t>(n),
                                 fmt::format("第{}号公告 关于{}号地块规划的批复", n, n * 7919), ""));
    }
    ASSERT_TRUE(store->commit_poll(poll_of("portal", kNow - kDay, items)).has_value());
  }
  const auto stories = store->recent_stories(0);
  ASSERT_TRUE(stories.has_value());
  ASSERT_EQ(stories->size(), 2500u);

  const auto same = find_same_stories(
      {story_item("outlet", 1, fmt::format("转载：第{}号公告 关于{}号地块规划的批复", 2400, 2400 * 7919), ""),
       story_item("outlet", 2, fmt::format("转载：第{}号公告 关于{}号地块规划的批复", 5, 5 * 7919), "")},
      *store, kNow);

  EXPECT_EQ(same[0], stories->at(2400).item_id);
  EXPECT_EQ(same[1], stories->at(5).item_id);
}

}  // namespace
}  // namespace herald
