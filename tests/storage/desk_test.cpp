// The editors' desk in the store: clusters, the filtered and searched queue, edits with
// their audit trail, the monthly edition, and the v3 migration.

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "storage/store.h"
#include "tests/cluster/newsletter_stories.h"
#include "tests/storage/memory_store.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

using testing::kSameStoryPairs;

constexpr std::string_view kLegal = "最新法律与监管动态";
constexpr std::string_view kIndustry = "最新行业动态";

// 2023-11-07 10:00 in Beijing.
constexpr std::int64_t kNov7 = 1699322400;
constexpr std::int64_t kDay = 86400;

Item make_item(const std::string& source, const std::string& key, std::string_view title,
               std::string_view summary = "", std::optional<std::int64_t> published_at = kNov7,
               double score = 2.0) {
  Item item;
  item.source_id = source;
  item.title = std::string(title);
  item.summary = std::string(summary);
  item.url = "https://" + source + ".example.cn/" + key + ".html";
  item.url_key = source + ".example.cn/" + key + ".html";
  item.published_at = published_at;
  item.score = score;
  item.matched_terms = {"人工智能"};
  item.candidate = true;
  return item;
}

PollRecord poll_of(const std::string& source, std::int64_t started_at, std::vector<Item> items,
                   std::string section = std::string(kLegal),
                   std::vector<std::optional<std::int64_t>> same = {}) {
  PollRecord poll;
  poll.source_id = source;
  poll.started_at = started_at;
  poll.outcome = "ok";
  poll.http_status = 200;
  poll.items = std::move(items);
  poll.default_section = std::move(section);
  poll.same_story_as = std::move(same);
  return poll;
}

class DeskTest : public testing::MemoryStoreTest {
 protected:
  void commit(const PollRecord& poll) {
    auto done = store().commit_poll(poll);
    ASSERT_TRUE(done.has_value()) << done.error().message;
  }

  std::int64_t item_id(const std::string& url_key) {
    auto stmt = store().database().prepare("SELECT id FROM items WHERE url_key = ?1");
    EXPECT_TRUE(stmt.has_value());
    stmt->bind(1, url_key);
    EXPECT_TRUE(stmt->step().value_or(false)) << url_key;
    return stmt->column_int64(0);
  }

  std::int64_t candidate_of(const std::string& url_key) {
    auto stmt = store().database().prepare(
        "SELECT c.id FROM candidates c JOIN items i ON i.id = c.item_id WHERE i.url_key = ?1");
    EXPECT_TRUE(stmt.has_value());
    stmt->bind(1, url_key);
    EXPECT_TRUE(stmt->step().value_or(false)) << url_key;
    return stmt->column_int64(0);
  }

  QueuePage query(QueueQuery q) {
    auto page = store().query_queue(q);
    EXPECT_TRUE(page.has_value()) << page.error().message;
    return page.value_or(QueuePage{});
  }

  std::vector<std::string> titles(QueueQuery q) {
    std::vector<std::string> out;
    for (const Candidate& c : query(std::move(q)).items) {
      out.push_back(c.title);
    }
    return out;
  }

  Candidate edit(std::int64_t id, const CandidateEdit& e, std::int64_t at = kNov7 + kDay) {
    auto edited = store().edit_candidate(id, e, "ann", at);
    EXPECT_TRUE(edited.has_value()) << edited.error().message;
    return edited.value_or(Candidate{});
  }

  // The Shanghai measures as the issuer, 腾讯新闻 (a repost) and 新华网 (its own headline)
  // published them: one story, three outlets.
  void three_outlets_of_one_story() {
    const auto& repost = kSameStoryPairs[0];
    const auto& rewrite = kSameStoryPairs[12];
    commit(poll_of("sh-sheitc", kNov7,
                   {make_item("sh-sheitc", "measures", rewrite.a.title, rewrite.a.summary)}));
    const std::int64_t first = item_id("sh-sheitc.example.cn/measures.html");
    commit(poll_of("cn-qqnews", kNov7 + 3600,
                   {make_item("cn-qqnews", "repost", repost.b.title, "", kNov7 + 3600)},
                   std::string(kIndustry), {first}));
    // 新华网's copy is matched against the 腾讯 one: it still joins the first item's cluster.
    commit(poll_of("cn-xinhua", kNov7 + 7200,
                   {make_item("cn-xinhua", "rewrite", rewrite.b.title, rewrite.b.summary,
                              kNov7 + 7200)},
                   std::string(kIndustry), {item_id("cn-qqnews.example.cn/repost.html")}));
  }

};

// ---- clusters ---------------------------------------------------------------------------

TEST_F(DeskTest, SameStoryFromThreeOutletsIsOneClusterNamedAfterTheFirstItem) {
  three_outlets_of_one_story();
  const std::int64_t first = item_id("sh-sheitc.example.cn/measures.html");

  auto card = store().get_candidate(candidate_of("sh-sheitc.example.cn/measures.html"));

  ASSERT_TRUE(card.has_value()) << card.error().message;
  EXPECT_EQ(card->cluster_id, first);
  ASSERT_EQ(card->also_reported_by.size(), 2u);
  EXPECT_EQ(card->also_reported_by[0].source_id, "cn-qqnews");
  EXPECT_EQ(card->also_reported_by[0].title, kSameStoryPairs[0].b.title);
  EXPECT_EQ(card->also_reported_by[0].candidate_id,
            candidate_of("cn-qqnews.example.cn/repost.html"));
  EXPECT_EQ(card->also_reported_by[1].source_id, "cn-xinhua");
  auto xinhua = store().get_candidate(candidate_of("cn-xinhua.example.cn/rewrite.html"));
  ASSERT_TRUE(xinhua.has_value());
  EXPECT_EQ(xinhua->cluster_id, first);
  EXPECT_EQ(xinhua->section, kIndustry);  // each keeps its own source's default section
}

TEST_F(DeskTest, ItemWithoutSameStoryStaysAlone) {
  commit(poll_of("a", kNov7, {make_item("a", "x", kSameStoryPairs[1].a.title)}));
  commit(poll_of("b", kNov7, {make_item("b", "y", kSameStoryPairs[2].a.title)}, "", {}));

  const QueuePage page = query({});

  ASSERT_EQ(page.items.size(), 2u);
  for (const Candidate& c : page.items) {
    EXPECT_EQ(c.cluster_id, 0);
    EXPECT_TRUE(c.also_reported_by.empty());
  }
}

TEST_F(DeskTest, QueueShowsOneCardPerClusterItsEarliestMember) {
  three_outlets_of_one_story();
  commit(poll_of("gd-gov", kNov7, {make_item("gd-gov", "gd", kSameStoryPairs[1].a.title, "",
                                             kNov7 - kDay)}));

  const QueuePage collapsed = query({});
  const QueuePage every = query({.collapse_clusters = false});

  EXPECT_EQ(collapsed.total, 2);
  ASSERT_EQ(collapsed.items.size(), 2u);
  EXPECT_EQ(titles({}), (std::vector<std::string>{std::string(kSameStoryPairs[12].a.title),
                                                  std::string(kSameStoryPairs[1].a.title)}));
  EXPECT_EQ(collapsed.items[0].also_reported_by.size(), 2u);
  EXPECT_EQ(every.total, 4);
  EXPECT_EQ(every.items.size(), 4u);
}

TEST_F(DeskTest, DecidingTheClusterDecidesEveryMemberWithAnAuditRowEach) {
  three_outlets_of_one_story();
  const std::int64_t card = candidate_of("sh-sheitc.example.cn/measures.html");

  const Candidate decided = edit(card, {.state = ReviewState::kRejected, .reason = "已报道"});

  EXPECT_EQ(decided.state, ReviewState::kRejected);
  for (const char* key : {"sh-sheitc.example.cn/measures.html", "cn-qqnews.example.cn/repost.html",
                          "cn-xinhua.example.cn/rewrite.html"}) {
    SCOPED_TRACE(key);
    auto member = store().get_candidate(candidate_of(key));
    ASSERT_TRUE(member.has_value());
    EXPECT_EQ(member->state, ReviewState::kRejected);
    EXPECT_EQ(member->reviewer, "ann");
    auto audit = store().audit_for(member->id);
    ASSERT_TRUE(audit.has_value());
    ASSERT_EQ(audit->size(), 1u);
    EXPECT_EQ(audit->at(0).action, "reject");
    EXPECT_NE(audit->at(0).detail.find("已报道"), std::string::npos);
  }
  EXPECT_TRUE(query({}).items.empty());
}

TEST_F(DeskTest, LateReportOfADecidedStoryIsNotQueuedAgain) {
  const auto& pair = kSameStoryPairs[5];  // 日本 ... AI训练, then 新华网's copy
  commit(poll_of("jp-cao", kNov7, {make_item("jp-cao", "data", pair.a.title)}));
  edit(candidate_of("jp-cao.example.cn/data.html"),
       {.state = ReviewState::kAccepted, .section = std::string(kLegal)});

  auto summary = store().commit_poll(
      poll_of("cn-xinhua", kNov7 + 2 * kDay,
              {make_item("cn-xinhua", "copy", pair.b.title, "", kNov7 + 2 * kDay)},
              std::string(kIndustry), {item_id("jp-cao.example.cn/data.html")}));

  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_EQ(summary->items_new, 1);
  EXPECT_EQ(summary->candidates_new, 0);  // nothing new for the editors to look at
  EXPECT_TRUE(query({}).items.empty());
  auto copy = store().get_candidate(candidate_of("cn-xinhua.example.cn/copy.html"));
  ASSERT_TRUE(copy.has_value());
  EXPECT_EQ(copy->state, ReviewState::kAccepted);
  auto audit = store().audit_for(copy->id);
  ASSERT_TRUE(audit.has_value());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ(audit->at(0).action, "join_cluster");
  EXPECT_EQ(audit->at(0).actor, "herald");
}

TEST_F(DeskTest, DecidedItemScrapedAgainIsNeverRequeued) {
  const Item item = make_item("a", "x", kSameStoryPairs[3].a.title);
  commit(poll_of("a", kNov7, {item}));
  edit(candidate_of("a.example.cn/x.html"), {.state = ReviewState::kRejected});

  commit(poll_of("a", kNov7 + kDay, {item}));

  EXPECT_TRUE(query({}).items.empty());
  EXPECT_EQ(query({.state = std::nullopt}).total, 1);
}

TEST_F(DeskTest, RecentStoriesAreTheItemsFirstSeenSinceOldestFirst) {
  commit(poll_of("a", 1000, {make_item("a", "old", "old story", "s1")}));
  commit(poll_of("b", 5000, {make_item("b", "new", "new story", "s2")}));
  commit(poll_of("c", 6000, {make_item("c", "newer", "newer story")},
                 "", {item_id("b.example.cn/new.html")}));

  auto recent = store().recent_stories(5000);

  ASSERT_TRUE(recent.has_value()) << recent.error().message;
  ASSERT_EQ(recent->size(), 2u);
  EXPECT_EQ(recent->at(0).title, "new story");
  EXPECT_EQ(recent->at(0).summary, "s2");
  EXPECT_EQ(recent->at(0).source_id, "b");
  EXPECT_EQ(recent->at(0).cluster_id, recent->at(0).item_id);
  EXPECT_EQ(recent->at(1).cluster_id, recent->at(0).item_id);
}

TEST_F(DeskTest, RecentStoriesFromAnIdReadOnlyThatItemAndNewerOnes) {
  commit(poll_of("a", 5000, {make_item("a", "one", "first story")}));
  commit(poll_of("b", 6000, {make_item("b", "two", "second story")}));
  commit(poll_of("c", 7000, {make_item("c", "three", "third story")}));
  auto all = store().recent_stories(0);
  ASSERT_TRUE(all.has_value()) << all.error().message;
  ASSERT_EQ(all->size(), 3u);

  auto tail = store().recent_stories(0, all->at(1).item_id);

  ASSERT_TRUE(tail.has_value()) << tail.error().message;
  ASSERT_EQ(tail->size(), 2u);
  EXPECT_EQ(tail->at(0).title, "second story");
  EXPECT_EQ(tail->at(0).first_seen, 6000);
  EXPECT_EQ(tail->at(1).title, "third story");
  EXPECT_EQ(tail->at(1).first_seen, 7000);
  // The window still applies: an id from before it yields only what is inside.
  auto windowed = store().recent_stories(6500, all->at(0).item_id);
  ASSERT_TRUE(windowed.has_value());
  ASSERT_EQ(windowed->size(), 1u);
  EXPECT_EQ(windowed->at(0).title, "third story");
  // Pages: a limit, and the next page from after the last id.
  auto first_page = store().recent_stories(0, 0, 2);
  ASSERT_TRUE(first_page.has_value());
  ASSERT_EQ(first_page->size(), 2u);
  auto next_page = store().recent_stories(0, first_page->back().item_id + 1, 2);
  ASSERT_TRUE(next_page.has_value());
  ASSERT_EQ(next_page->size(), 1u);
  EXPECT_EQ(next_page->at(0).title, "third story");
}

// ---- full-text search -------------------------------------------------------------------

class SearchTest : public DeskTest {
 protected:
  void SetUp() override {
    DeskTest::SetUp();
    Item shanghai = make_item("sh", "1", testing::kNewsletterItems[0].title,
                              testing::kNewsletterItems[0].summary);
    Item mas = make_item("sg-mas", "2",
                         "MAS Partners Industry to Develop Generative AI Risk Framework for the "
                         "Financial Sector");
    Item algorithm = make_item("cn-cac", "3", "国家互联网信息办公室关于发布深度合成服务算法备案信息的公告");
    Item said = make_item("us-news", "4", "The minister said nothing new");
    said.body = "A long article body mentioning 100% of the 著作权 questions.";
    commit(poll_of("x", kNov7, {shanghai, mas, algorithm, said}));
  }
};

TEST_F(SearchTest, ChineseSubstringOfThreeOrMoreCharactersUsesTheTrigramIndex) {
  EXPECT_EQ(titles({.text = "大模型创新"}),
            std::vector<std::string>{std::string(testing::kNewsletterItems[0].title)});
  // In the summary only.
  EXPECT_EQ(titles({.text = "上海市财政局"}).size(), 1u);
}

TEST_F(SearchTest, OneAndTwoCharacterTermsFallBackToLike) {
  EXPECT_EQ(titles({.text = "算法"}),
            std::vector<std::string>{"国家互联网信息办公室关于发布深度合成服务算法备案信息的公告"});
  // An ASCII term is a whole word: "AI" finds "Generative AI", not "said".
  EXPECT_EQ(titles({.text = "ai"}),
            std::vector<std::string>{"MAS Partners Industry to Develop Generative AI Risk "
                                     "Framework for the Financial Sector"});
}

TEST_F(SearchTest, EnglishWordsMatchCaseInsensitively) {
  const std::vector<std::string> mas = {
      "MAS Partners Industry to Develop Generative AI Risk Framework for the Financial Sector"};
  EXPECT_EQ(titles({.text = "generative"}), mas);
  EXPECT_EQ(titles({.text = "RISK framework"}), mas);
  EXPECT_TRUE(titles({.text = "generative 上海"}).empty());  // every term must occur
}

TEST_F(SearchTest, BodyIsSearchedAndQuerySyntaxIsTakenLiterally) {
  EXPECT_EQ(titles({.text = "著作权"}), std::vector<std::string>{"The minister said nothing new"});
  EXPECT_EQ(titles({.text = "100%"}), std::vector<std::string>{"The minister said nothing new"});
  EXPECT_EQ(titles({.text = "%"}), std::vector<std::string>{"The minister said nothing new"});
  EXPECT_TRUE(titles({.text = "_"}).empty());
  // FTS5 operators and quotes in a term are text, not syntax (and not an error).
  EXPECT_TRUE(titles({.text = "\"AI\" OR NEAR(x*"}).empty());
  EXPECT_TRUE(titles({.text = "\""}).empty());
}

TEST_F(SearchTest, EditedTitleAndCommentaryAreSearchedToo) {
  const std::int64_t id = candidate_of("sg-mas.example.cn/2.html");
  edit(id, {.title = std::string("新加坡金融管理局与业界合作开发生成式人工智能风险框架"),
            .commentary = std::string("值得关注")});

  EXPECT_EQ(query({.text = "金融管理局"}).items.size(), 1u);
  EXPECT_EQ(query({.text = "关注"}).items.size(), 1u);
}

TEST_F(SearchTest, EditsToTheItemTextKeepTheIndexInStep) {
  ASSERT_TRUE(store().database().exec(
      "UPDATE items SET title = '生成式人工智能服务管理暂行办法' WHERE url_key LIKE 'cn-cac%'"));
  EXPECT_EQ(query({.text = "暂行办法"}).items.size(), 1u);
  EXPECT_TRUE(query({.text = "深度合成"}).items.empty());
  ASSERT_TRUE(store().database().exec("DELETE FROM items WHERE url_key LIKE 'cn-cac%'"));
  EXPECT_TRUE(query({.text = "暂行办法"}).items.empty());
}

TEST_F(SearchTest, TermsOnlyInTheEditorsTextAreFoundAndForgottenWhenTheEditIsCleared) {
  const std::int64_t id = candidate_of("sg-mas.example.cn/2.html");
  edit(id, {.summary = std::string("新加坡金管局的框架草案")});

  // Long and short terms, alone and with a term from the item's own text.
  EXPECT_EQ(query({.text = "框架草案"}).total, 1);
  EXPECT_EQ(query({.text = "草案"}).total, 1);
  EXPECT_EQ(query({.text = "generative 框架草案"}).total, 1);
  EXPECT_EQ(query({.text = "ai 草案"}).total, 1);
  EXPECT_EQ(query({.text = "上海 框架草案"}).total, 0);

  edit(id, {.summary = std::string()});
  EXPECT_EQ(query({.text = "框架草案"}).total, 0);
  EXPECT_EQ(query({.text = "草案"}).total, 0);
}

// Three outlets of one story: the issuer's (no "腾讯" anywhere), 腾讯's repost an hour later,
// and an unrelated story. Searching for what only a later member says shows that member.
TEST_F(DeskTest, ClusterIsShownAsItsEarliestMemberThatMatches) {
  commit(poll_of("gov", kNov7, {make_item("gov", "first", "上海市促进大模型创新发展若干措施")}));
  const std::int64_t first = item_id("gov.example.cn/first.html");
  commit(poll_of("qq", kNov7 + 3600,
                 {make_item("qq", "repost", "腾讯转载：上海市促进大模型创新发展若干措施", "",
                            kNov7 + 3600)},
                 std::string(kLegal), {first}));
  commit(poll_of("qq", kNov7 + 7200,
                 {make_item("qq", "late", "腾讯再转载：上海市促进大模型创新发展若干措施", "",
                            kNov7 + 7200)},
                 std::string(kLegal), {first}));
  commit(poll_of("other", kNov7, {make_item("other", "x", "腾讯发布新模型", "", kNov7 - kDay)}));

  const QueuePage both = query({.text = "大模型创新"});
  EXPECT_EQ(both.total, 1);
  ASSERT_EQ(both.items.size(), 1u);
  EXPECT_EQ(both.items[0].source_id, "gov");

  // The earliest member does not say 腾讯转载; the repost does, and is the card (once).
  const QueuePage repost = query({.text = "腾讯转载"});
  EXPECT_EQ(repost.total, 1);
  ASSERT_EQ(repost.items.size(), 1u);
  EXPECT_EQ(repost.items[0].title, "腾讯转载：上海市促进大模型创新发展若干措施");

  // Two later members match: the earlier of them stands for the cluster.
  EXPECT_EQ(titles({.text = "腾讯"}),
            (std::vector<std::string>{"腾讯转载：上海市促进大模型创新发展若干措施", "腾讯发布新模型"}));
  EXPECT_EQ(query({.text = "腾讯"}).total, 2);
  EXPECT_EQ(query({.text = "腾讯", .collapse_clusters = false}).total, 3);

  // Filters other than text pick the member too: only 腾讯's items, one card for the cluster.
  const QueuePage from_qq = query({.source_id = std::string("qq")});
  EXPECT_EQ(from_qq.total, 1);
  ASSERT_EQ(from_qq.items.size(), 1u);
  EXPECT_EQ(from_qq.items[0].title, "腾讯转载：上海市促进大模型创新发展若干措施");
}

// Pages of every size put together are the whole queue, in order, each cluster once, with
// the same total: whichever way query_queue walks (the newest-first index for common
// matches, the match list for rare ones), it returns the same cards.
TEST_F(DeskTest, PagesOfAnySizeMakeUpTheWholeCollapsedQueue) {
  std::vector<Item> items;
  for (int i = 0; i < 12; ++i) {
    // Two items a day, so that dates tie and the order falls back to the candidate id.
    items.push_back(make_item("gov", "n" + std::to_string(i), "第" + std::to_string(i) + "号通知",
                              i % 3 == 0 ? "人工智能" : "", kNov7 + (i / 2) * kDay));
  }
  commit(poll_of("gov", kNov7, items));
  const std::int64_t first = item_id("gov.example.cn/n0.html");
  const std::int64_t later = item_id("gov.example.cn/n5.html");
  // A cluster: n0 (the earliest), a late copy of it, and a copy dated before n5.
  commit(poll_of("qq", kNov7 + 10 * kDay,
                 {make_item("qq", "copy0", "转载第0号通知", "人工智能", kNov7 + 9 * kDay)},
                 std::string(kLegal), {first}));
  commit(poll_of("qq", kNov7 + 10 * kDay,
                 {make_item("qq", "copy5", "转载第5号通知", "", kNov7 - kDay)}, std::string(kLegal),
                 {later}));

  for (const std::string& text : {std::string(), std::string("人工智能"), std::string("通知")}) {
    const QueuePage all = query({.text = text, .limit = 0});
    EXPECT_EQ(all.total, static_cast<std::int64_t>(all.items.size())) << text;
    for (const int size : {1, 2, 5, 30}) {
      std::vector<std::int64_t> ids;
      for (int offset = 0; offset < all.total + size; offset += size) {
        const QueuePage part = query({.text = text, .limit = size, .offset = offset});
        EXPECT_EQ(part.total, all.total) << text;
        for (const Candidate& c : part.items) {
          ids.push_back(c.id);
        }
      }
      std::vector<std::int64_t> expected;
      for (const Candidate& c : all.items) {
        expected.push_back(c.id);
      }
      EXPECT_EQ(ids, expected) << "text '" << text << "', pages of " << size;
    }
  }
  // Unfiltered: 12 items + 2 copies, in 2 clusters of 2 → 12 cards; the copy of n5 is dated
  // first, so it stands for n5's cluster; n0's late copy is not shown.
  const QueuePage all = query({.limit = 0});
  EXPECT_EQ(all.total, 12);
  std::vector<std::string> shown;
  for (const Candidate& c : all.items) {
    shown.push_back(c.title);
  }
  EXPECT_EQ(std::count(shown.begin(), shown.end(), "转载第5号通知"), 1);
  EXPECT_EQ(std::count(shown.begin(), shown.end(), "第5号通知"), 0);
  EXPECT_EQ(std::count(shown.begin(), shown.end(), "转载第0号通知"), 0);
  EXPECT_EQ(shown.front(), "第11号通知");
  EXPECT_EQ(shown.back(), "转载第5号通知");
  // 人工智能: n0, n3, n6, n9 and n0's copy; the cluster once, as n0.
  EXPECT_EQ(query({.text = "人工智能"}).total, 4);
}

// ---- filters and paging -----------------------------------------------------------------

TEST_F(DeskTest, FiltersBySectionSourcesDatesAndScoreAndCountsTheTotal) {
  commit(poll_of("gov", kNov7, {make_item("gov", "a", "甲", "", kNov7, 1.0),
                                make_item("gov", "b", "乙", "", kNov7 + kDay, 3.0)}));
  commit(poll_of("com", kNov7, {make_item("com", "c", "丙", "", kNov7 + 2 * kDay, 5.0)},
                 std::string(kIndustry)));

  EXPECT_EQ(titles({.section = std::string(kIndustry)}), std::vector<std::string>{"丙"});
  EXPECT_EQ(titles({.source_ids = {"gov"}}), (std::vector<std::string>{"乙", "甲"}));
  EXPECT_EQ(titles({.source_id = std::string("com"), .source_ids = {"gov"}}).size(), 0u);
  EXPECT_EQ(titles({.from_utc = kNov7 + kDay, .to_utc = kNov7 + 2 * kDay}),
            std::vector<std::string>{"乙"});
  EXPECT_EQ(titles({.min_score = 3.0}), (std::vector<std::string>{"丙", "乙"}));

  const QueuePage second = query({.limit = 2, .offset = 2});
  EXPECT_EQ(second.total, 3);
  ASSERT_EQ(second.items.size(), 1u);
  EXPECT_EQ(second.items[0].title, "甲");
}

// ---- edits and audit --------------------------------------------------------------------

TEST_F(DeskTest, EditsChangeOnlyWhatIsGivenAndWriteOneAuditRowPerChangedField) {
  commit(poll_of("gov", kNov7, {make_item("gov", "a", "原标题", "原摘要")}));
  const std::int64_t id = candidate_of("gov.example.cn/a.html");

  const Candidate edited = edit(id, {.section = std::string(kIndustry),
                                     .title = std::string("新标题"),
                                     .summary = std::string("新摘要"),
                                     .commentary = std::string("短评内容")});
  edit(id, {.title = std::string("新标题"), .position = 3});  // same title: no row

  EXPECT_EQ(edited.title, "原标题");
  EXPECT_EQ(edited.edited_title, "新标题");
  EXPECT_EQ(edited.summary, "原摘要");
  EXPECT_EQ(edited.edited_summary, "新摘要");
  EXPECT_EQ(edited.commentary, "短评内容");
  EXPECT_EQ(edited.section, kIndustry);
  EXPECT_EQ(edited.state, ReviewState::kPending);
  auto audit = store().audit_for(id);
  ASSERT_TRUE(audit.has_value());
  std::vector<std::string> actions;
  for (const AuditEntry& entry : *audit) {
    actions.push_back(entry.action);
    EXPECT_EQ(entry.actor, "ann");
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"edit_section", "edit_title", "edit_summary",
                                               "edit_commentary", "edit_position"}));
  EXPECT_EQ(audit->at(1).detail, "新标题");

  const Candidate cleared = edit(id, {.title = std::string("")});
  EXPECT_EQ(cleared.edited_title, "");
  EXPECT_EQ(cleared.position, 3);
}

TEST_F(DeskTest, ReopeningClearsTheDecision) {
  commit(poll_of("gov", kNov7, {make_item("gov", "a", "标题")}));
  const std::int64_t id = candidate_of("gov.example.cn/a.html");
  edit(id, {.state = ReviewState::kRejected, .reason = "无关"});

  const Candidate reopened = edit(id, {.state = ReviewState::kPending});

  EXPECT_EQ(reopened.state, ReviewState::kPending);
  EXPECT_EQ(reopened.reviewer, "");
  EXPECT_EQ(reopened.decided_at, std::nullopt);
  EXPECT_EQ(reopened.reason, "");
  auto audit = store().audit_for(id);
  ASSERT_TRUE(audit.has_value());
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ(audit->at(1).action, "reopen");
}

TEST_F(DeskTest, PublishingByEditAndUnknownIdsAreRefusedWithoutAuditRows) {
  commit(poll_of("gov", kNov7, {make_item("gov", "a", "标题")}));
  const std::int64_t id = candidate_of("gov.example.cn/a.html");

  auto publish = store().edit_candidate(id, {.state = ReviewState::kPublished}, "ann", kNov7);
  auto unknown = store().edit_candidate(id + 99, {.commentary = std::string("x")}, "ann", kNov7);

  ASSERT_FALSE(publish.has_value());
  EXPECT_EQ(publish.error().code, ErrorCode::kUsage);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store().audit_for(id).value_or(std::vector<AuditEntry>{{}}).empty());
}

// ---- the monthly edition ----------------------------------------------------------------

constexpr int kBeijing = 8 * 3600;
// 2023-11-30 16:30 UTC = 1 December 00:30 in Beijing; 2023-10-31 16:30 UTC = 1 November.
constexpr std::int64_t kDec1Beijing = 1701361800;
constexpr std::int64_t kNov1Beijing = 1698769800;

TEST_F(DeskTest, EditionCountsTheMonthInTheNewsletterZoneAndOrdersBySectionAndPosition) {
  commit(poll_of("gov", kNov7,
                 {make_item("gov", "nov1", "十一月一日", "", kNov1Beijing),
                  make_item("gov", "dec1", "十二月一日", "", kDec1Beijing),
                  make_item("gov", "nov7", "十一月七日", "", kNov7),
                  make_item("gov", "oct", "十月补报", "", kNov1Beijing - 5 * kDay),
                  make_item("gov", "pending", "未决定", "", kNov7)}));
  commit(poll_of("com", kNov7, {make_item("com", "ind", "行业", "", kNov7)},
                 std::string(kIndustry)));
  for (const char* key : {"nov1", "dec1", "nov7", "oct"}) {
    edit(candidate_of(std::string("gov.example.cn/") + key + ".html"),
         {.state = ReviewState::kAccepted});
  }
  edit(candidate_of("com.example.cn/ind.html"), {.state = ReviewState::kAccepted});
  edit(candidate_of("gov.example.cn/nov7.html"), {.position = 1});

  auto november = store().edition_candidates("2023-11", kBeijing);

  ASSERT_TRUE(november.has_value()) << november.error().message;
  std::vector<std::string> got;
  for (const Candidate& c : *november) {
    got.push_back(c.title);
  }
  // 最新法律与监管动态 sorts before 最新行业动态 (UTF-8 order of 法 < 行), the placed item
  // first, then by date; the October item was never published, so it is carried over.
  EXPECT_EQ(got, (std::vector<std::string>{"十一月七日", "十月补报", "十一月一日", "行业"}));
}

TEST_F(DeskTest, PublishedCandidatesStayInTheirEditionAndLeaveTheNext) {
  commit(poll_of("gov", kNov7, {make_item("gov", "a", "十一月", "", kNov7),
                                make_item("gov", "b", "十二月", "", kDec1Beijing + kDay)}));
  edit(candidate_of("gov.example.cn/a.html"), {.state = ReviewState::kAccepted});
  edit(candidate_of("gov.example.cn/b.html"), {.state = ReviewState::kAccepted});

  auto published = store().publish_edition("2023-11", kBeijing, "ann", kNov7 + 30 * kDay);

  ASSERT_TRUE(published.has_value()) << published.error().message;
  EXPECT_EQ(*published, 1);
  auto a = store().get_candidate(candidate_of("gov.example.cn/a.html"));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->state, ReviewState::kPublished);
  EXPECT_EQ(a->edition, "2023-11");
  EXPECT_EQ(store().audit_for(a->id)->back().action, "publish");
  EXPECT_EQ(store().edition_candidates("2023-11", kBeijing)->size(), 1u);
  auto december = store().edition_candidates("2023-12", kBeijing);
  ASSERT_TRUE(december.has_value());
  ASSERT_EQ(december->size(), 1u);
  EXPECT_EQ(december->at(0).title, "十二月");
  auto reject = store().edit_candidate(a->id, {.state = ReviewState::kRejected}, "bo", kNov7);
  ASSERT_FALSE(reject.has_value());
  EXPECT_EQ(reject.error().code, ErrorCode::kUsage);
  EXPECT_EQ(*store().publish_edition("2023-11", kBeijing, "ann", kNov7), 0);
}

TEST_F(DeskTest, EditionShowsAClusterOnceAndPublishesAllItsMembers) {
  three_outlets_of_one_story();
  edit(candidate_of("cn-xinhua.example.cn/rewrite.html"), {.state = ReviewState::kAccepted});

  auto edition = store().edition_candidates("2023-11", kBeijing);
  auto published = store().publish_edition("2023-11", kBeijing, "ann", kNov7 + kDay);

  ASSERT_TRUE(edition.has_value()) << edition.error().message;
  ASSERT_EQ(edition->size(), 1u);
  EXPECT_EQ(edition->at(0).source_id, "sh-sheitc");
  ASSERT_TRUE(published.has_value());
  EXPECT_EQ(*published, 3);
  EXPECT_EQ(query({.state = ReviewState::kPublished, .collapse_clusters = false}).total, 3);
}

TEST_F(DeskTest, MalformedMonthIsAUsageError) {
  for (const char* month : {"2023-13", "2023-1", "23-11", "2023/11", "", "2023-00"}) {
    SCOPED_TRACE(month);
    auto edition = store().edition_candidates(month, kBeijing);
    ASSERT_FALSE(edition.has_value());
    EXPECT_EQ(edition.error().code, ErrorCode::kUsage);
  }
  EXPECT_FALSE(parse_edition_month("2023-1x").has_value());
  EXPECT_EQ(parse_edition_month("2023-11")->month, 11);
}

// ---- health -----------------------------------------------------------------------------

TEST_F(DeskTest, SourceHealthCountsRecentItemsAndSeesAPageThatMatchedNothing) {
  commit(poll_of("gov", kNov7 - 40 * kDay, {make_item("gov", "old", "旧")}));
  commit(poll_of("gov", kNov7, {make_item("gov", "new", "新")}));
  PollRecord no_match = poll_of("gov", kNov7 + 3600, {});
  no_match.outcome = "no_match";
  no_match.error = "the item selector matched nothing";
  commit(no_match);
  PollRecord not_modified = poll_of("gov", kNov7 + 7200, {});
  not_modified.outcome = "not_modified";
  commit(not_modified);
  commit(poll_of("com", kNov7, {make_item("com", "x", "行业")}));

  auto health = store().source_health(kNov7 + kDay);

  ASSERT_TRUE(health.has_value()) << health.error().message;
  ASSERT_EQ(health->size(), 2u);
  const SourceHealth& com = health->at(0);
  const SourceHealth& gov = health->at(1);
  EXPECT_EQ(gov.items_total, 2);
  EXPECT_EQ(gov.items_last_30_days, 1);
  EXPECT_EQ(gov.last_new_item_at, kNov7);
  EXPECT_TRUE(gov.matched_nothing);
  EXPECT_FALSE(com.matched_nothing);
  EXPECT_EQ(com.items_last_30_days, 1);
}

// ---- migration --------------------------------------------------------------------------

// A version 2 database (before the desk) keeps its candidates, ids and decisions, and its
// items become searchable.
TEST(DeskMigrationTest, VersionTwoDatabaseKeepsCandidatesAndGainsTheDesk) {
  testing::TempDir dir;
  const auto path = dir.path() / "herald.db";
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.string().c_str(), &raw), SQLITE_OK);
    SqliteDb v2(raw);
    const std::string sql =
        std::string(schema_patch(1)) + std::string(schema_patch(2)) +
        "INSERT INTO items (id, source_id, url, url_key, title, summary, first_seen, matched)"
        " VALUES (5, 'gov', 'https://gov.example.cn/a.html', 'gov.example.cn/a.html',"
        " '生成式人工智能服务管理暂行办法', NULL, 1000, '[\"生成式\"]');"
        "INSERT INTO candidates (id, item_id, state, queued_at, reviewer, decided_at, reason)"
        " VALUES (7, 5, 'rejected', 1000, 'ann', 1500, '重复');"
        "INSERT INTO audit (at, actor, action, candidate_id, detail)"
        " VALUES (1500, 'ann', 'reject', 7, '重复');"
        "PRAGMA user_version = 2;";
    ASSERT_EQ(sqlite3_exec(v2.get(), sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(v2.get());
  }

  auto store = Store::open(path);

  ASSERT_TRUE(store.has_value()) << store.error().message;
  auto old = store->get_candidate(7);
  ASSERT_TRUE(old.has_value()) << old.error().message;
  EXPECT_EQ(old->item_id, 5);
  EXPECT_EQ(old->state, ReviewState::kRejected);
  EXPECT_EQ(old->reviewer, "ann");
  EXPECT_EQ(old->reason, "重复");
  EXPECT_EQ(old->section, "");
  EXPECT_EQ(store->audit_for(7)->size(), 1u);
  auto found = store->query_queue({.state = std::nullopt, .text = "暂行办法"});
  ASSERT_TRUE(found.has_value()) << found.error().message;
  EXPECT_EQ(found->total, 1);
  // The rebuilt table admits the new state and keeps its foreign key to items.
  ASSERT_TRUE(store->database().exec(
      "UPDATE candidates SET state = 'published', edition = '2023-11' WHERE id = 7"));
  EXPECT_FALSE(store->database().exec(
      "INSERT INTO candidates (item_id, state, queued_at) VALUES (999, 'pending', 1)"));
  EXPECT_FALSE(store->database().exec("UPDATE candidates SET state = 'lost' WHERE id = 7"));
}

}  // namespace
}  // namespace herald
