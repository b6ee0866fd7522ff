// Issue 15: bulk accept/reject of every pending card matching the queue's filter, with the
// count shown and confirmed, asking again when it changed meanwhile.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/web/web_test_support.h"

namespace herald {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::Signed;

class BulkFilterPageTest : public testing::WebFixture {
 protected:
  void seed_queue() {
    std::vector<Item> news;
    for (int i = 0; i < 35; ++i) {  // more than one page of 30
      news.push_back(item("AI news " + std::to_string(i), "https://news.example/" + std::to_string(i)));
    }
    news_ = seed("news", news);
    gov_ = seed("gov", {item("人工智能办法", "https://www.cac.gov.cn/a.htm")});
    ASSERT_EQ(news_.size(), 35u);
    ASSERT_EQ(gov_.size(), 1u);
    // Decided before: a bulk rejection leaves it as it is.
    ASSERT_TRUE(store_->edit_candidate(news_[0], {.state = ReviewState::kAccepted}, "alice",
                                       clock_.now_utc_seconds()));
  }

  httplib::Result post(const Signed& who, const httplib::Params& params) {
    return client().Post("/queue/bulk-filter", form_headers(who), params);
  }

  int count_in(ReviewState state, const std::string& source) {
    QueueQuery query;
    query.state = state;
    query.source_id = source;
    query.collapse_clusters = false;
    query.limit = 1000;
    return static_cast<int>(store_->query_queue(query).value().items.size());
  }

  std::vector<std::int64_t> news_;
  std::vector<std::int64_t> gov_;
};

TEST_F(BulkFilterPageTest, TheQueueOffersAllMatchingCardsWithTheirCount) {
  seed_queue();
  start();
  Signed alice = sign_in("alice", "correct horse");
  auto page = client().Get("/queue?source=news", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("全部 34 条符合当前筛选的候选"));
  EXPECT_THAT(page->body, HasSubstr("action=\"/queue/bulk-filter\""));
  // Not over decided cards: the bulk decision is for pending ones.
  auto accepted = client().Get("/queue?state=accepted", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(accepted);
  EXPECT_THAT(accepted->body, Not(HasSubstr("action=\"/queue/bulk-filter\"")));
}

TEST_F(BulkFilterPageTest, FirstPostAsksThenTheConfirmedCountDecidesEveryPage) {
  seed_queue();
  start();
  Signed alice = sign_in("alice", "correct horse");
  auto asked = post(alice, {{"csrf", alice.csrf}, {"filters", "source=news"}, {"action", "reject"},
                            {"reason", "off topic"}, {"count", "34"}});
  ASSERT_TRUE(asked);
  ASSERT_EQ(asked->status, 200);
  EXPECT_THAT(asked->body, HasSubstr("全部拒绝全部 <strong class=\"bulk-confirm-count\">34</strong>"));
  EXPECT_THAT(asked->body, HasSubstr("name=\"confirmed\" value=\"1\""));
  EXPECT_EQ(count_in(ReviewState::kPending, "news"), 34) << "asking changes nothing";

  auto done = post(alice, {{"csrf", alice.csrf}, {"filters", "source=news"}, {"action", "reject"},
                           {"reason", "off topic"}, {"count", "34"}, {"confirmed", "1"}});
  ASSERT_TRUE(done);
  ASSERT_EQ(done->status, 303);
  EXPECT_THAT(done->get_header_value("Location"), HasSubstr("m=rejected"));
  EXPECT_EQ(count_in(ReviewState::kRejected, "news"), 34);
  EXPECT_EQ(count_in(ReviewState::kAccepted, "news"), 1);
  EXPECT_EQ(count_in(ReviewState::kPending, "gov"), 1);
  auto audit = store_->audit_for(news_[34]);
  ASSERT_TRUE(audit.has_value());
  EXPECT_EQ(audit->back().actor, "alice");
  EXPECT_EQ(audit->back().detail, "bulk, by filter: off topic");
}

TEST_F(BulkFilterPageTest, AChangedCountAsksAgainAndDecidesNothing) {
  seed_queue();
  start();
  Signed alice = sign_in("alice", "correct horse");
  // The editor saw 34; a poll added one since.
  seed("news", {item("AI news late", "https://news.example/late")});
  auto again = post(alice, {{"csrf", alice.csrf}, {"filters", "source=news"}, {"action", "reject"},
                            {"count", "34"}, {"confirmed", "1"}});
  ASSERT_TRUE(again);
  ASSERT_EQ(again->status, 200);
  EXPECT_THAT(again->body, HasSubstr("您确认的是 34 条，现在是 35 条"));
  EXPECT_EQ(count_in(ReviewState::kPending, "news"), 35);
}

TEST_F(BulkFilterPageTest, NeedsTheTokenAndAKnownAction) {
  seed_queue();
  start();
  Signed alice = sign_in("alice", "correct horse");
  auto forged = post(alice, {{"csrf", "nope"}, {"filters", "source=news"}, {"action", "reject"},
                             {"count", "34"}, {"confirmed", "1"}});
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  auto odd = post(alice, {{"csrf", alice.csrf}, {"filters", ""}, {"action", "pending"},
                          {"count", "35"}, {"confirmed", "1"}});
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->status, 400);
  EXPECT_EQ(count_in(ReviewState::kPending, "news"), 34);
}

}  // namespace
}  // namespace herald
