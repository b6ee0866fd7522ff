// Issue 15 item 5: editors order the month's items with up/down on the month's page and
// with `position` in the JSON API.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/web/web_test_support.h"

namespace herald {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::Signed;

class EditorialOrderTest : public testing::WebFixture {
 protected:
  // Three accepted legal items of November 2023, oldest first.
  void seed_month() {
    std::vector<Item> items;
    for (int i = 0; i < 3; ++i) {
      Item one = item("人工智能办法 " + std::to_string(i + 1),
                      "https://www.cac.gov.cn/" + std::to_string(i + 1) + ".htm");
      one.published_at = 1'699'000'000 + i * 86400;
      items.push_back(one);
    }
    ids_ = seed("gov", items);
    ASSERT_EQ(ids_.size(), 3u);
    for (const std::int64_t id : ids_) {
      ASSERT_TRUE(store_->edit_candidate(id, {.state = ReviewState::kAccepted}, "alice",
                                         clock_.now_utc_seconds()));
    }
  }

  void start_with_edition() {
    // The daemon's build_edition orders by position, then by source and date; the store's
    // own order (positions first, then date) is enough to see a move here.
    start([](WebSettings&, web::WebDeps& deps) {
      deps.build_edition = [](Store& store, const std::string& month) -> Result<web::Edition> {
        auto candidates = store.edition_candidates(month, 8 * 3600);
        if (!candidates) {
          return fail(std::move(candidates.error()));
        }
        web::Edition edition;
        edition.month = month;
        edition.sections = {"最新法律与监管动态", "最新行业动态"};
        for (const Candidate& c : *candidates) {
          edition.items.push_back(web::EditionItem{
              .section = c.section, .title = c.title, .url = c.url, .candidate_id = c.id});
        }
        return edition;
      };
    });
  }

  std::vector<std::int64_t> order() {
    auto candidates = store_->edition_candidates("2023-11", 8 * 3600);
    EXPECT_TRUE(candidates.has_value());
    std::vector<std::int64_t> out;
    for (const Candidate& c : candidates.value_or(std::vector<Candidate>{})) {
      out.push_back(c.id);
    }
    return out;
  }

  httplib::Result move(const Signed& who, std::int64_t id, const std::string& dir,
                       const std::string& csrf) {
    return client().Post("/export/move", form_headers(who),
                         httplib::Params{{"csrf", csrf},
                                         {"month", "2023-11"},
                                         {"id", std::to_string(id)},
                                         {"dir", dir}});
  }

  std::vector<std::int64_t> ids_;
};

TEST_F(EditorialOrderTest, TheMonthsPageOffersUpAndDownExceptAtTheEnds) {
  seed_month();
  start_with_edition();
  Signed alice = sign_in("alice", "correct horse");
  auto page = client().Get("/export?month=2023-11", {{"Cookie", alice.cookie}});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  const std::string& body = page->body;
  const auto first = body.find("id=\"item-" + std::to_string(ids_[0]) + "\"");
  const auto second = body.find("id=\"item-" + std::to_string(ids_[1]) + "\"");
  const auto third = body.find("id=\"item-" + std::to_string(ids_[2]) + "\"");
  ASSERT_NE(first, std::string::npos);
  ASSERT_LT(first, second);
  ASSERT_LT(second, third);
  EXPECT_THAT(body.substr(first, second - first), Not(HasSubstr("value=\"up\"")));
  EXPECT_THAT(body.substr(first, second - first), HasSubstr("value=\"down\""));
  EXPECT_THAT(body.substr(second, third - second), HasSubstr("value=\"up\""));
  EXPECT_THAT(body.substr(third), Not(HasSubstr("value=\"down\"")));
  EXPECT_THAT(body, HasSubstr("action=\"/export/move\""));
}

TEST_F(EditorialOrderTest, UpSwapsAnItemWithTheOneBeforeItAndIsAudited) {
  seed_month();
  start_with_edition();
  Signed alice = sign_in("alice", "correct horse");
  ASSERT_EQ(order(), ids_);

  auto moved = move(alice, ids_[2], "up", alice.csrf);
  ASSERT_TRUE(moved);
  ASSERT_EQ(moved->status, 303);
  EXPECT_THAT(moved->get_header_value("Location"), HasSubstr("m=moved"));
  EXPECT_EQ(order(), (std::vector<std::int64_t>{ids_[0], ids_[2], ids_[1]}));
  EXPECT_EQ(store_->get_candidate(ids_[2]).value().position, 2);

  auto audit = store_->audit_for(ids_[2]);
  ASSERT_TRUE(audit.has_value());
  EXPECT_EQ(audit->back().action, "edit_position");
  EXPECT_EQ(audit->back().actor, "alice");

  // Down on the last one and up on the first change nothing.
  ASSERT_EQ(move(alice, ids_[1], "down", alice.csrf)->status, 303);
  ASSERT_EQ(move(alice, ids_[0], "up", alice.csrf)->status, 303);
  EXPECT_EQ(order(), (std::vector<std::int64_t>{ids_[0], ids_[2], ids_[1]}));

  auto page = client().Get(moved->get_header_value("Location"), {{"Cookie", alice.cookie}});
  ASSERT_TRUE(page);
  EXPECT_THAT(page->body, HasSubstr("已调整顺序"));
}

TEST_F(EditorialOrderTest, AMoveNeedsTheFormsToken) {
  seed_month();
  start_with_edition();
  Signed alice = sign_in("alice", "correct horse");
  auto forged = move(alice, ids_[2], "up", "not-the-token");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  EXPECT_EQ(order(), ids_);
  auto unknown = move(alice, 999999, "up", alice.csrf);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  auto sideways = move(alice, ids_[1], "sideways", alice.csrf);
  ASSERT_TRUE(sideways);
  EXPECT_EQ(sideways->status, 400);
}

TEST_F(EditorialOrderTest, ThePatchApiSetsAndClearsThePosition) {
  seed_month();
  start();
  Signed alice = sign_in("alice", "correct horse");
  httplib::Headers headers = form_headers(alice);
  headers.emplace("X-CSRF-Token", alice.csrf);
  const std::string path = "/api/v1/candidates/" + std::to_string(ids_[2]);

  auto placed = client().Patch(path, headers, R"({"position":1})", "application/json");
  ASSERT_TRUE(placed);
  ASSERT_EQ(placed->status, 200) << placed->body;
  EXPECT_EQ(nlohmann::json::parse(placed->body)["position"], 1);
  EXPECT_EQ(order().front(), ids_[2]);

  auto cleared = client().Patch(path, headers, R"({"position":null})", "application/json");
  ASSERT_TRUE(cleared);
  ASSERT_EQ(cleared->status, 200) << cleared->body;
  EXPECT_EQ(store_->get_candidate(ids_[2]).value().position, 0);
  EXPECT_EQ(order(), ids_);

  for (const char* bad : {R"({"position":-1})", R"({"position":"1"})", R"({"position":1.5})"}) {
    auto refused = client().Patch(path, headers, bad, "application/json");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 400) << bad;
  }
}

}  // namespace
}  // namespace herald
