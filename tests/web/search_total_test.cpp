// A search with more matches than herald counts (web::kSearchCountUpTo): the API marks its
// total as a lower bound, the queue page says "1,000+", and paging goes on to the end.

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/web/web_test_support.h"
#include "web/queue_params.h"

namespace herald::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class SearchTotalWebTest : public WebFixture {
 protected:
  // kSearchCountUpTo + 5 items with 人工智能, the first five also with 数据安全.
  void seed_many() {
    std::vector<Item> items;
    for (int i = 0; i < web::kSearchCountUpTo + 5; ++i) {
      items.push_back(item("人工智能公告 " + std::to_string(i),
                           "https://www.cac.gov.cn/s" + std::to_string(i) + ".htm",
                           i < 5 ? "数据安全" : ""));
    }
    seed("gov", items);
  }
};

TEST_F(SearchTotalWebTest, ApiMarksACappedTotalAndAnExactOne) {
  seed_many();
  start();
  Signed alice = sign_in("alice", "correct horse");
  const httplib::Headers cookie{{"Cookie", alice.cookie}};

  auto common = client().Get("/api/v1/candidates?state=all&q=%E4%BA%BA%E5%B7%A5%E6%99%BA%E8%83%BD",
                             cookie);  // 人工智能
  ASSERT_TRUE(common);
  ASSERT_EQ(common->status, 200) << common->body;
  const auto many = nlohmann::json::parse(common->body);
  EXPECT_EQ(many["total"], web::kSearchCountUpTo);
  EXPECT_EQ(many["total_is_lower_bound"], true);
  EXPECT_EQ(many["items"].size(), 50u);

  auto rare = client().Get("/api/v1/candidates?state=all&q=%E6%95%B0%E6%8D%AE%E5%AE%89%E5%85%A8",
                           cookie);  // 数据安全
  ASSERT_TRUE(rare);
  const auto few = nlohmann::json::parse(rare->body);
  EXPECT_EQ(few["total"], 5);
  EXPECT_EQ(few["total_is_lower_bound"], false);
  EXPECT_EQ(few["items"].size(), 5u);

  // Without text the queue is counted exactly.
  auto queue = client().Get("/api/v1/candidates?state=all", cookie);
  ASSERT_TRUE(queue);
  const auto whole = nlohmann::json::parse(queue->body);
  EXPECT_EQ(whole["total"], web::kSearchCountUpTo + 5);
  EXPECT_EQ(whole["total_is_lower_bound"], false);
}

TEST_F(SearchTotalWebTest, QueuePageSaysThousandPlusAndPagesToTheEnd) {
  seed_many();
  start();
  Signed alice = sign_in("alice", "correct horse");
  const httplib::Headers cookie{{"Cookie", alice.cookie}};
  const std::string search = "/queue?state=all&q=%E4%BA%BA%E5%B7%A5%E6%99%BA%E8%83%BD";

  auto first = client().Get(search, cookie);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);
  EXPECT_THAT(first->body, HasSubstr("第 1–30 条，共 1,000+ 条"));
  EXPECT_THAT(first->body, HasSubstr("page=2\" rel=\"next\""));

  // The page that reaches the cap still has a next page...
  auto before_end = client().Get(search + "&page=33", cookie);
  ASSERT_TRUE(before_end);
  EXPECT_THAT(before_end->body, HasSubstr("第 961–990 条，共 1,000+ 条"));
  EXPECT_THAT(before_end->body, HasSubstr("page=34\" rel=\"next\""));
  // ... and the last one counts to the end: an exact total, no next page.
  auto last = client().Get(search + "&page=34", cookie);
  ASSERT_TRUE(last);
  EXPECT_THAT(last->body, HasSubstr("第 991–1005 条，共 1005 条"));
  EXPECT_THAT(last->body, Not(HasSubstr("rel=\"next\"")));
  EXPECT_THAT(last->body, HasSubstr("人工智能公告 0<"));  // the oldest is the last card
}

}  // namespace
}  // namespace herald::testing
