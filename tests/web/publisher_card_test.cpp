// Issue 15: the desk shows 来源 as the newsletter prints it (the source's publisher).
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/web/web_test_support.h"

namespace herald {
namespace {

using ::testing::HasSubstr;
using testing::Signed;

class PublisherCardTest : public testing::WebFixture {};

TEST_F(PublisherCardTest, CardsAndTheItemPageShowThePublisher) {
  auto ids = seed("gov", {item("人工智能办法", "https://www.cac.gov.cn/a.htm")});
  ASSERT_EQ(ids.size(), 1u);
  start([](WebSettings&, web::WebDeps& deps) {
    for (SourceConfig& source : deps.sources) {
      if (source.id == "gov") {
        source.publisher = "国家互联网信息办公室官网";
      }
    }
  });
  Signed alice = sign_in("alice", "correct horse");
  auto queue = client().Get("/queue", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(queue);
  EXPECT_THAT(queue->body, HasSubstr("<span class=\"source\">国家互联网信息办公室官网</span>"));
  auto page = client().Get("/items/" + std::to_string(ids[0]), {{"Cookie", alice.cookie}});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("国家互联网信息办公室官网"));
}

TEST_F(PublisherCardTest, WithoutAPublisherTheNameIsShown) {
  seed("gov", {item("人工智能办法", "https://www.cac.gov.cn/a.htm")});
  start();
  Signed alice = sign_in("alice", "correct horse");
  auto queue = client().Get("/queue", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(queue);
  EXPECT_THAT(queue->body, HasSubstr("<span class=\"source\">国家网信办</span>"));
}

TEST_F(PublisherCardTest, TheItemPageShowsTheLinkAsTheSiteGaveItBesideTheCleanOne) {
  Item tracked = item("人工智能办法", "https://www.cac.gov.cn/a.htm");
  tracked.original_url = "https://www.cac.gov.cn/a.htm?utm_source=wechat#top";
  auto ids = seed("gov", {tracked});
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(store_->get_candidate(ids[0]).value().original_url, tracked.original_url);
  start();
  Signed alice = sign_in("alice", "correct horse");
  auto page = client().Get("/items/" + std::to_string(ids[0]), {{"Cookie", alice.cookie}});
  ASSERT_TRUE(page);
  EXPECT_THAT(page->body, HasSubstr("href=\"https://www.cac.gov.cn/a.htm\""));
  EXPECT_THAT(page->body, HasSubstr("网站给出的原始链接"));
  EXPECT_THAT(page->body, HasSubstr("https://www.cac.gov.cn/a.htm?utm_source=wechat#top"));
}

}  // namespace
}  // namespace herald
