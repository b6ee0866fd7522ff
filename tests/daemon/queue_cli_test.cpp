// `herald queue` on the editors' desk: filters, edits, clusters decided together, and
// `queue show` with the story's other reports and its history.

#include <fstream>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon/context.h"
#include "daemon/edition.h"
#include "tests/cluster/newsletter_stories.h"
#include "tests/daemon/herald_cli.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

using ::testing::HasSubstr;
using testing::CommandResult;
using testing::kSameStoryPairs;
using testing::run_herald;

Item item_of(const std::string& source, const std::string& key, std::string_view title,
             std::string_view summary, double score) {
  Item item;
  item.source_id = source;
  item.title = std::string(title);
  item.summary = std::string(summary);
  item.url = "https://" + source + ".example.cn/" + key;
  item.url_key = source + ".example.cn/" + key;
  item.published_at = 1699322400;
  item.score = score;
  item.matched_terms = {"人工智能"};
  item.candidate = true;
  return item;
}

class QueueCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path() / "sources.d");
    std::ofstream(dir_.path() / "herald.toml")
        << "[storage]\ndatabase = \"herald.db\"\n\n[sources]\ndir = \"sources.d\"\n";
    config_ = "--config '" + (dir_.path() / "herald.toml").string() + "' ";
    auto loaded = load_configuration(dir_.path() / "herald.toml");
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    auto store = open_store(loaded->config);
    ASSERT_TRUE(store.has_value()) << store.error().message;

    // 广东: the provincial government, then 新华网's rewrite of the same story.
    const auto& guangdong = kSameStoryPairs[13];
    PollRecord gov{.source_id = "gd-gov", .started_at = 1699322400, .outcome = "ok"};
    gov.items = {item_of("gd-gov", "a", guangdong.a.title, guangdong.a.summary, 3.0),
                 item_of("gd-gov", "b", "北京市促进通用人工智能创新发展的若干措施", "", 1.0)};
    gov.default_section = std::string(kLegalSection);
    ASSERT_TRUE(store->commit_poll(gov).has_value());
    PollRecord news{.source_id = "cn-xinhua", .started_at = 1699326000, .outcome = "ok"};
    news.items = {item_of("cn-xinhua", "c", guangdong.b.title, guangdong.b.summary, 3.0)};
    news.default_section = std::string(kIndustrySection);
    news.same_story_as = {1};
    ASSERT_TRUE(store->commit_poll(news).has_value());
  }

  nlohmann::json list(const std::string& options) {
    const CommandResult listed = run_herald(config_ + "queue list --json " + options);
    EXPECT_EQ(listed.exit_code, 0) << options;
    return nlohmann::json::parse(listed.out);
  }

  testing::TempDir dir_;
  std::string config_;
};

TEST_F(QueueCliTest, ListShowsOneLinePerStoryAndFilters) {
  const auto cards = list("");
  ASSERT_EQ(cards.size(), 2u);
  EXPECT_EQ(cards[0]["also_reported_by"].size() + cards[1]["also_reported_by"].size(), 1u);
  EXPECT_EQ(list("--every-report").size(), 3u);
  EXPECT_EQ(list("--min-score 2").size(), 1u);
  EXPECT_EQ(list("--section 最新行业动态 --every-report").size(), 1u);
  const auto found = list("--text 粤港澳大湾区");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]["source"], "gd-gov");
  EXPECT_EQ(list("--text 北京").size(), 1u);
  EXPECT_THAT(run_herald(config_ + "queue list").out, HasSubstr("also reported by: cn-xinhua"));
}

TEST_F(QueueCliTest, AcceptDecidesTheClusterAndShowPrintsEditsOthersAndHistory) {
  ASSERT_EQ(run_herald(config_ + "queue edit 1 --by ann --title 广东加快建设通用人工智能产业创新引领地 "
                                 "--commentary 值得关注 --section 最新法律与监管动态")
                .exit_code,
            0);
  const CommandResult accepted = run_herald(config_ + "queue accept 1 --by ann");
  ASSERT_EQ(accepted.exit_code, 0);
  EXPECT_THAT(accepted.out, HasSubstr("cn-xinhua"));

  const auto other = nlohmann::json::parse(run_herald(config_ + "queue show 3 --json").out);
  EXPECT_EQ(other["state"], "accepted");  // decided with its cluster
  const auto shown = nlohmann::json::parse(run_herald(config_ + "queue show 1 --json").out);
  EXPECT_EQ(shown["edited_title"], "广东加快建设通用人工智能产业创新引领地");
  EXPECT_EQ(shown["commentary"], "值得关注");
  ASSERT_EQ(shown["also_reported_by"].size(), 1u);
  EXPECT_EQ(shown["also_reported_by"][0]["candidate_id"], 3);
  std::vector<std::string> actions;
  for (const auto& entry : shown["history"]) {
    actions.push_back(entry["action"]);
    EXPECT_EQ(entry["actor"], "ann");
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"edit_title", "edit_commentary", "accept"}));

  const CommandResult text = run_herald(config_ + "queue show 1");
  EXPECT_THAT(text.out, HasSubstr("section:   最新法律与监管动态"));
  EXPECT_THAT(text.out, HasSubstr("edited:    广东加快建设通用人工智能产业创新引领地"));
  EXPECT_THAT(text.out, HasSubstr("commentary (短评):\n  值得关注"));
  EXPECT_THAT(text.out, HasSubstr("also reported by:\n  cn-xinhua"));
  EXPECT_THAT(text.out, HasSubstr("ann        accept"));

  EXPECT_EQ(list("").size(), 1u);  // only the Beijing item is still pending
  ASSERT_EQ(run_herald(config_ + "queue reopen 3").exit_code, 0);
  EXPECT_EQ(list("").size(), 2u);
}

TEST_F(QueueCliTest, RejectKeepsTheReasonAndBadIdsFail) {
  ASSERT_EQ(run_herald(config_ + "queue reject 2 --reason 非本月 --by bo").exit_code, 0);
  const auto shown = nlohmann::json::parse(run_herald(config_ + "queue show 2 --json").out);
  EXPECT_EQ(shown["state"], "rejected");
  EXPECT_EQ(shown["history"][0]["detail"], "非本月");
  EXPECT_EQ(run_herald(config_ + "queue edit 99 --title x").exit_code, 1);
  EXPECT_EQ(run_herald(config_ + "queue list --state bogus").exit_code, 2);
}

}  // namespace
}  // namespace herald
