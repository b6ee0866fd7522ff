// A search that counts its matches only up to a cap (QueueQuery::count_up_to, as the web UI
// and API ask): the same cards in the same order as counting every match, on every page,
// with the total marked as a lower bound exactly when the cap was reached.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "storage/store.h"
#include "tests/storage/memory_store.h"

namespace herald {
namespace {

constexpr std::int64_t kNov7 = 1699322400;  // 2023-11-07 10:00 in Beijing
constexpr std::int64_t kDay = 86400;
constexpr int kItems = 90;

class SearchTotalTest : public testing::MemoryStoreTest {
 protected:
  // kItems items in polls of ten. Publish dates are shuffled against the order the items
  // were stored in (an old announcement found late, one dated ahead), and some share a
  // date, so that newest-first is not highest-id-first. "人工智能" is in two of three
  // items, "监管沙盒" in four, "AI" (two letters: LIKE, not the index) in every fifth.
  // Every seventh item reports the same story as an item of the poll before.
  void SetUp() override {
    MemoryStoreTest::SetUp();
    for (int poll = 0; poll < kItems / 10; ++poll) {
      PollRecord record;
      record.source_id = "src" + std::to_string(poll % 3);
      record.started_at = kNov7 + poll * kDay;
      record.outcome = "ok";
      record.http_status = 200;
      record.default_section = "最新法律与监管动态";
      for (int n = poll * 10; n < poll * 10 + 10; ++n) {
        Item item;
        item.source_id = record.source_id;
        item.title = "第" + std::to_string(n) + "号公告" + (n % 3 != 2 ? "：人工智能" : "");
        item.summary = n % 23 == 0 ? "关于监管沙盒的说明" : (n % 5 == 0 ? "AI 治理" : "");
        item.url = "https://" + record.source_id + ".example.cn/" + std::to_string(n) + ".html";
        item.url_key = record.source_id + ".example.cn/" + std::to_string(n) + ".html";
        item.published_at = kNov7 + ((n * 37) % kItems / 2) * kDay;
        item.score = 2.0;
        item.matched_terms = {"人工智能"};
        item.candidate = true;
        record.items.push_back(item);
        record.same_story_as.push_back(poll > 0 && n % 7 == 6
                                           ? std::optional<std::int64_t>(last_id_ - 3)
                                           : std::nullopt);
      }
      auto done = store().commit_poll(record);
      ASSERT_TRUE(done.has_value()) << done.error().message;
      last_id_ += 10;
    }
  }

  QueuePage query(QueueQuery q) {
    auto page = store().query_queue(q);
    EXPECT_TRUE(page.has_value()) << page.error().message;
    return page.value_or(QueuePage{});
  }

  static std::vector<std::int64_t> ids(const QueuePage& page) {
    std::vector<std::int64_t> out;
    for (const Candidate& c : page.items) {
      out.push_back(c.id);
    }
    return out;
  }

  std::int64_t last_id_ = 0;
};

TEST_F(SearchTotalTest, CappedCountGivesTheSamePagesAsCountingEveryMatch) {
  for (const std::string text : {"人工智能", "监管沙盒", "AI", "人工智能 公告", "人工智能 ai",
                                 "第1", "没有这个词"}) {
    for (const bool collapse : {true, false}) {
      const QueuePage all = query({.state = std::nullopt, .text = text,
                                   .collapse_clusters = collapse, .limit = 0});
      for (const int limit : {1, 7, 30}) {
        for (int offset = 0; offset <= all.total + limit; offset += limit) {
          SCOPED_TRACE(text + " limit " + std::to_string(limit) + " offset " +
                       std::to_string(offset) + (collapse ? " collapsed" : ""));
          QueueQuery q{.state = std::nullopt, .text = text, .collapse_clusters = collapse,
                       .limit = limit, .offset = offset};
          const QueuePage exact = query(q);
          q.count_up_to = 10;
          const QueuePage capped = query(q);
          EXPECT_EQ(ids(capped), ids(exact));
          EXPECT_FALSE(exact.total_is_lower_bound);
          EXPECT_EQ(exact.total, all.total);
          const std::int64_t cap = std::max<std::int64_t>(10, offset + limit);
          if (all.total > cap) {
            EXPECT_TRUE(capped.total_is_lower_bound);
            EXPECT_EQ(capped.total, cap);
          } else {
            EXPECT_FALSE(capped.total_is_lower_bound);
            EXPECT_EQ(capped.total, all.total);
          }
        }
      }
    }
  }
}

TEST_F(SearchTotalTest, TotalIsALowerBoundOnlyWhenThereAreMoreMatchesThanTheCap) {
  const QueuePage all = query({.state = std::nullopt, .text = "人工智能", .limit = 0});
  ASSERT_GT(all.total, 20);
  const QueuePage at = query({.state = std::nullopt, .text = "人工智能", .limit = 5,
                              .count_up_to = all.total});
  EXPECT_FALSE(at.total_is_lower_bound);
  EXPECT_EQ(at.total, all.total);
  const QueuePage below = query({.state = std::nullopt, .text = "人工智能", .limit = 5,
                                 .count_up_to = all.total - 1});
  EXPECT_TRUE(below.total_is_lower_bound);
  EXPECT_EQ(below.total, all.total - 1);
  // Without text the count is exact whatever the cap: it costs an index lookup.
  const QueuePage queue = query({.state = std::nullopt, .limit = 5, .count_up_to = 3});
  EXPECT_FALSE(queue.total_is_lower_bound);
  EXPECT_EQ(queue.total, query({.state = std::nullopt, .limit = 0}).total);
}

TEST_F(SearchTotalTest, PagesBeyondTheCapAreTheSameAndTheLastOneSaysSo) {
  const QueuePage all = query({.state = std::nullopt, .text = "人工智能", .limit = 0});
  ASSERT_GT(all.total, 40);
  std::vector<std::int64_t> walked;
  for (int offset = 0;; offset += 8) {
    const QueuePage page = query({.state = std::nullopt, .text = "人工智能", .limit = 8,
                                  .offset = offset, .count_up_to = 5});
    const std::vector<std::int64_t> got = ids(page);
    walked.insert(walked.end(), got.begin(), got.end());
    // More cards follow exactly when the total says "at least".
    EXPECT_EQ(page.total_is_lower_bound, offset + 8 < all.total) << offset;
    if (!page.total_is_lower_bound) {
      EXPECT_EQ(page.total, all.total);
      break;
    }
  }
  EXPECT_EQ(walked, ids(all));
}

TEST_F(SearchTotalTest, MatchesOnlyInTheEditorsTextAreCountedUnderACap) {
  const QueuePage before = query({.state = std::nullopt, .text = "框架草案", .count_up_to = 10});
  EXPECT_EQ(before.total, 0);
  auto first = store().query_queue({.state = std::nullopt, .limit = 3});
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->items.size(), 3u);
  for (const Candidate& c : first->items) {
    auto edited = store().edit_candidate(
        c.id, {.commentary = std::string("新加坡金管局的框架草案")}, "ann", kNov7 + 99 * kDay);
    ASSERT_TRUE(edited.has_value()) << edited.error().message;
  }
  const QueuePage exact = query({.state = std::nullopt, .text = "框架草案 公告", .limit = 2});
  const QueuePage capped =
      query({.state = std::nullopt, .text = "框架草案 公告", .limit = 2, .count_up_to = 2});
  EXPECT_EQ(exact.total, 3);
  EXPECT_EQ(ids(capped), ids(exact));
  EXPECT_TRUE(capped.total_is_lower_bound);
  EXPECT_EQ(capped.total, 2);
  EXPECT_EQ(query({.state = std::nullopt, .text = "框架草案", .count_up_to = 10}).total, 3);
}

}  // namespace
}  // namespace herald
