// `herald queue reject|accept --filter`: every pending candidate the queue list's filters
// match, with --dry-run and --yes (required without a terminal).
#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon/context.h"
#include "daemon/edition.h"
#include "tests/daemon/herald_cli.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

using ::testing::HasSubstr;
using testing::CommandResult;
using testing::run_herald;

Item item_of(const std::string& source, const std::string& key, const std::string& title) {
  Item item;
  item.source_id = source;
  item.title = title;
  item.url = "https://" + source + ".example.cn/" + key;
  item.url_key = source + ".example.cn/" + key;
  item.published_at = 1699322400;
  item.score = 1.0;
  item.candidate = true;
  return item;
}

class QueueFilterCliTest : public ::testing::Test {
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
    PollRecord openai{.source_id = "openai-news", .started_at = 1699322400, .outcome = "ok"};
    for (int i = 0; i < 5; ++i) {
      openai.items.push_back(
          item_of("openai-news", std::to_string(i), "OpenAI announcement " + std::to_string(i)));
    }
    openai.default_section = std::string(kIndustrySection);
    ASSERT_TRUE(store->commit_poll(openai).has_value());
    PollRecord gov{.source_id = "gd-gov", .started_at = 1699322400, .outcome = "ok"};
    gov.items = {item_of("gd-gov", "a", "广东省人工智能实施意见"),
                 item_of("gd-gov", "b", "广东省生成式人工智能管理办法（征求意见稿）")};
    gov.items[1].legal[LegalField::kInstrument] = {.value = "征求意见稿", .from = "title"};
    gov.items[1].legal[LegalField::kCommentDeadline] = {.value = "2023-12-07", .from = "text:…"};
    gov.default_section = std::string(kLegalSection);
    ASSERT_TRUE(store->commit_poll(gov).has_value());
    // One OpenAI card already decided: a bulk rejection leaves it accepted.
    ASSERT_TRUE(store->edit_candidate(1, {.state = ReviewState::kAccepted}, "ann", 1699400000));
  }

  std::map<std::string, int> states() {
    const CommandResult listed =
        run_herald(config_ + "queue list --json --state all --limit 100 < /dev/null");
    EXPECT_EQ(listed.exit_code, 0);
    std::map<std::string, int> out;
    for (const auto& c : nlohmann::json::parse(listed.out)) {
      ++out[c["source"].get<std::string>() + ":" + c["state"].get<std::string>()];
    }
    return out;
  }

  testing::TempDir dir_;
  std::string config_;
};

TEST_F(QueueFilterCliTest, DryRunCountsAndChangesNothing) {
  const CommandResult dry =
      run_herald(config_ + "queue reject --filter --source openai-news --dry-run < /dev/null");
  ASSERT_EQ(dry.exit_code, 0);
  EXPECT_THAT(dry.out, HasSubstr("4 pending candidates match; nothing changed (--dry-run)"));
  EXPECT_EQ(states()["openai-news:pending"], 4);
}

TEST_F(QueueFilterCliTest, WithoutATerminalItNeedsYes) {
  const CommandResult refused =
      run_herald(config_ + "queue reject --filter --source openai-news < /dev/null");
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(states()["openai-news:pending"], 4);
}

TEST_F(QueueFilterCliTest, RejectsOnlyThePendingCandidatesThatMatch) {
  const CommandResult done = run_herald(
      config_ + "queue reject --filter --source openai-news --yes --reason 'first-day flood' "
                "--by ann < /dev/null");
  ASSERT_EQ(done.exit_code, 0);
  EXPECT_THAT(done.out, HasSubstr("rejected 4 candidates"));
  auto after = states();
  EXPECT_EQ(after["openai-news:rejected"], 4);
  EXPECT_EQ(after["openai-news:accepted"], 1);  // decided before: kept
  EXPECT_EQ(after["gd-gov:pending"], 2);        // another source: untouched

  const auto shown = nlohmann::json::parse(run_herald(config_ + "queue show 2 --json").out);
  ASSERT_FALSE(shown["history"].empty());
  EXPECT_EQ(shown["history"].back()["action"], "reject");
  EXPECT_EQ(shown["history"].back()["actor"], "ann");
  EXPECT_THAT(shown["history"].back()["detail"].get<std::string>(), HasSubstr("first-day flood"));
}

// The legal filters of queue list select for bulk decisions too: only the draft with a
// deadline on or before the date is decided.
TEST_F(QueueFilterCliTest, LegalFiltersSelectTheDraftsOnly) {
  const CommandResult early = run_herald(
      config_ + "queue accept --filter --has-deadline --deadline-until 2023-12-06 --dry-run "
                "< /dev/null");
  ASSERT_EQ(early.exit_code, 0);
  EXPECT_THAT(early.out, HasSubstr("0 pending candidates match"));
  const CommandResult done = run_herald(
      config_ + "queue accept --filter --instrument 征求意见稿 --deadline-until 2023-12-07 --yes "
                "< /dev/null");
  ASSERT_EQ(done.exit_code, 0) << done.out;
  EXPECT_THAT(done.out, HasSubstr("accepted 1 candidates"));
  auto after = states();
  EXPECT_EQ(after["gd-gov:accepted"], 1);
  EXPECT_EQ(after["gd-gov:pending"], 1);
  EXPECT_EQ(after["openai-news:pending"], 4);
  // Not a date: refused before anything is counted or changed; filters need --filter.
  EXPECT_EQ(run_herald(config_ + "queue reject --filter --deadline-until 12/07/2023 --yes "
                                 "< /dev/null")
                .exit_code,
            2);
  EXPECT_EQ(run_herald(config_ + "queue reject 2 --has-deadline < /dev/null").exit_code, 2);
  EXPECT_EQ(states()["openai-news:pending"], 4);
}

TEST_F(QueueFilterCliTest, AcceptByTextAndIdOrFilterNotBoth) {
  const CommandResult done =
      run_herald(config_ + "queue accept --filter --text 广东省 --yes < /dev/null");
  ASSERT_EQ(done.exit_code, 0);
  EXPECT_EQ(states()["gd-gov:accepted"], 2);
  EXPECT_EQ(run_herald(config_ + "queue reject 2 --filter --yes < /dev/null").exit_code, 2);
  EXPECT_EQ(run_herald(config_ + "queue reject < /dev/null").exit_code, 2);
  EXPECT_EQ(run_herald(config_ + "queue reject 2 --by ann < /dev/null").exit_code, 0);
}

}  // namespace
}  // namespace herald
