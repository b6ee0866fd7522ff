// Legal metadata on the command line (docs/legal.md): `herald consultations`, `queue edit`
// with the legal flags, `queue list` filtered by instrument and deadline, and `queue show`
// with where each fact came from.

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/legal.h"
#include "daemon/context.h"
#include "tests/daemon/herald_cli.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::CommandResult;
using testing::run_herald;

LegalFacts consultation(const std::string& deadline, const std::string& number = "") {
  LegalFacts facts;
  if (!number.empty()) {
    facts[LegalField::kDocNumber] = {.value = number, .from = "table:文号"};
  }
  facts[LegalField::kInstrument] = {.value = "征求意见稿", .from = "title"};
  facts[LegalField::kCommentDeadline] = {.value = deadline,
                                         .from = "text:意见反馈截止时间为" + deadline};
  facts[LegalField::kCommentHow] = {.value = "ai@sheitc.example.cn", .from = "text:电子邮箱"};
  return facts;
}

Item item_of(const std::string& key, const std::string& title, LegalFacts legal) {
  Item item;
  item.source_id = "sh-sheitc";
  item.title = title;
  item.url = "https://sheitc.example.cn/" + key + ".html";
  item.url_key = "sheitc.example.cn/" + key + ".html";
  item.published_at = 1699322400;
  item.score = 2.0;
  item.matched_terms = {"人工智能"};
  item.candidate = true;
  item.legal = std::move(legal);
  return item;
}

class LegalCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_file(dir_.path() / "sources.d" / "sh-sheitc.toml",
                        "id = \"sh-sheitc\"\nname = \"上海经信委 · 征求意见\"\n"
                        "publisher = \"上海市经济和信息化委员会\"\nkind = \"government\"\n"
                        "language = \"zh\"\ntimezone = \"Asia/Shanghai\"\nmode = \"manual\"\n"
                        "manual_reason = \"editors add its drafts by hand\"\n"
                        "type = \"wechat\"\nurl = \"https://sheitc.example.cn/\"\n");
    std::ofstream(dir_.path() / "herald.toml")
        << "[storage]\ndatabase = \"herald.db\"\n\n[sources]\ndir = \"sources.d\"\n\n"
           "[schedule]\ntimezone = \"Pacific/Kiritimati\"\n";
    config_ = "--config '" + (dir_.path() / "herald.toml").string() + "' ";
    auto loaded = load_configuration(dir_.path() / "herald.toml");
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    ASSERT_NE(loaded->find("sh-sheitc"), nullptr) << "the source file did not load";
    zone_ = loaded->config.local_zone;
    auto store = open_store(loaded->config);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    PollRecord poll{.source_id = "sh-sheitc", .started_at = 1699322400, .outcome = "ok"};
    poll.items = {
        item_of("later", "关于生成式人工智能的办法（征求意见稿）", consultation("2023-12-20")),
        item_of("soon", "人工智能标准（征求意见稿）",
                consultation("2023-12-07", "沪经信规范〔2023〕8号")),
        item_of("closed", "算法备案通知（征求意见稿）", consultation("2023-12-01")),
        item_of("plain", "人工智能产业动态", LegalFacts{}),
    };
    poll.default_section = "最新法律与监管动态";
    ASSERT_TRUE(store->commit_poll(poll).has_value());
    // Candidates 1..4 in the order above; 5 is another outlet's report of candidate 2.
    PollRecord news{.source_id = "cn-xinhua", .started_at = 1699326000, .outcome = "ok"};
    Item report = item_of("relay", "人工智能标准公开征求意见", consultation("2023-12-07"));
    report.source_id = "cn-xinhua";
    news.items = {report};
    news.same_story_as = {2};
    news.default_section = "最新行业动态";
    ASSERT_TRUE(store->commit_poll(news).has_value());
  }

  nlohmann::json json_of(const std::string& args) {
    const CommandResult result = run_herald(config_ + args);
    EXPECT_EQ(result.exit_code, 0) << args;
    return nlohmann::json::parse(result.out, nullptr, false);
  }

  testing::TempDir dir_;
  std::string config_;
  TimeZone zone_ = TimeZone::utc();
};

TEST_F(LegalCliTest, ConsultationsListsOpenOnesSoonestFirstWithDaysLeft) {
  const CommandResult text = run_herald(config_ + "consultations --on 2023-12-07");
  ASSERT_EQ(text.exit_code, 0);
  const auto soon = text.out.find("今天截止  截止 2023-12-07  #2  人工智能标准（征求意见稿）");
  const auto later = text.out.find("剩余 13 天  截止 2023-12-20  #1");
  ASSERT_NE(soon, std::string::npos) << text.out;
  ASSERT_NE(later, std::string::npos) << text.out;
  EXPECT_LT(soon, later);
  EXPECT_THAT(text.out, HasSubstr("文号：沪经信规范〔2023〕8号"));
  EXPECT_THAT(text.out, HasSubstr("来源：上海市经济和信息化委员会"));
  EXPECT_THAT(text.out, HasSubstr("链接：https://sheitc.example.cn/soon.html"));
  EXPECT_THAT(text.out, HasSubstr("意见反馈方式：ai@sheitc.example.cn"));
  EXPECT_THAT(text.out, Not(HasSubstr("算法备案通知")));  // closed on 12-01
  EXPECT_THAT(text.out, Not(HasSubstr("产业动态")));

  // Candidate 5 (the same draft reported by another outlet) is not listed again.
  ASSERT_EQ(json_of("queue show 5 --json")["also_reported_by"].size(), 1u);
  const auto listed = json_of("consultations --json --on 2023-12-07");
  ASSERT_EQ(listed.size(), 2u) << listed.dump();
  EXPECT_EQ(listed[0]["candidate_id"], 2);
  EXPECT_EQ(listed[0]["days_left"], 0);
  EXPECT_EQ(listed[0]["doc_number"], "沪经信规范〔2023〕8号");
  EXPECT_EQ(listed[0]["instrument"], "征求意见稿");
  EXPECT_EQ(listed[0]["comment_deadline"], "2023-12-07");
  EXPECT_EQ(listed[0]["comment_how"], "ai@sheitc.example.cn");
  EXPECT_EQ(listed[0]["publisher"], "上海市经济和信息化委员会");
  EXPECT_EQ(listed[0]["source_id"], "sh-sheitc");
  EXPECT_EQ(listed[0]["url"], "https://sheitc.example.cn/soon.html");
  EXPECT_EQ(listed[0]["state"], "pending");
  EXPECT_EQ(listed[1]["candidate_id"], 1);
  EXPECT_EQ(listed[1]["days_left"], 13);
  EXPECT_TRUE(listed[1]["doc_number"].is_null());
}

TEST_F(LegalCliTest, ConsultationsLeavesOutRejectedShowsEditedTitleAndSaysWhenNoneIsOpen) {
  ASSERT_EQ(run_herald(config_ + "queue reject 1 --by ann --reason 无关").exit_code, 0);
  ASSERT_EQ(run_herald(config_ + "queue edit 2 --by ann --title 上海人工智能标准征求意见").exit_code,
            0);
  const auto open = json_of("consultations --json --on 2023-12-01");
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0]["candidate_id"], 3);
  EXPECT_EQ(open[1]["title"], "上海人工智能标准征求意见");

  // --all: closed and rejected ones too, with negative days for the closed.
  const auto every = json_of("consultations --json --all --on 2023-12-08");
  ASSERT_EQ(every.size(), 3u);
  EXPECT_EQ(every[0]["days_left"], -7);
  EXPECT_EQ(every[2]["state"], "rejected");

  const CommandResult none = run_herald(config_ + "consultations --on 2023-12-08");
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_THAT(none.out, HasSubstr("当前没有未截止的征求意见"));
  EXPECT_EQ(json_of("consultations --json --on 2023-12-08"), nlohmann::json::array());
  EXPECT_EQ(run_herald(config_ + "consultations --on 2023-12-32").exit_code, 2);
}

// Without --on, days are counted from today on the desk's calendar ([schedule] timezone),
// not UTC's.
TEST_F(LegalCliTest, ConsultationsCountsFromTheDesksToday) {
  ASSERT_EQ(run_herald(config_ + "queue edit 4 --comment-deadline 2999-12-31").exit_code, 0);
  for (int attempt = 0; attempt < 3; ++attempt) {
    const std::string before = calendar_date(SystemClock{}.now_utc_seconds(), zone_);
    const auto listed = json_of("consultations --json");
    const std::string after = calendar_date(SystemClock{}.now_utc_seconds(), zone_);
    if (before != after) {
      continue;  // the desk's midnight passed during the run: ask again
    }
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0]["candidate_id"], 4);
    EXPECT_EQ(listed[0]["days_left"], days_between(before, "2999-12-31"));
    return;
  }
  FAIL() << "the date kept changing";
}

TEST_F(LegalCliTest, QueueEditSetsAndClearsLegalFieldsAndShowSaysWhereEachCameFrom) {
  const CommandResult edited =
      run_herald(config_ + "queue edit 2 --by ann --doc-number '' --effective-on 2024-01-01 "
                           "--issuer 上海市经济和信息化委员会 --comment-deadline 2023-12-15");
  ASSERT_EQ(edited.exit_code, 0);
  const auto shown = json_of("queue show 2 --json");
  EXPECT_FALSE(shown["legal"].contains("doc_number"));
  EXPECT_EQ(shown["legal"]["effective_on"]["value"], "2024-01-01");
  EXPECT_EQ(shown["legal"]["effective_on"]["from"], "editor:ann");
  EXPECT_EQ(shown["legal"]["comment_deadline"]["value"], "2023-12-15");
  EXPECT_EQ(shown["legal"]["instrument"]["from"], "title");  // untouched
  std::vector<std::string> details;
  for (const auto& entry : shown["history"]) {
    EXPECT_EQ(entry["action"], "edit_legal");
    EXPECT_EQ(entry["actor"], "ann");
    details.push_back(entry["detail"]);
  }
  EXPECT_EQ(details.size(), 4u);

  const CommandResult text = run_herald(config_ + "queue show 2");
  EXPECT_THAT(text.out, HasSubstr("施行日期：2024-01-01（来自 editor:ann）"));
  EXPECT_THAT(text.out, HasSubstr("文种：征求意见稿（来自 title）"));
  EXPECT_THAT(text.out, HasSubstr("意见反馈截止：2023-12-15（来自 editor:ann）"));
  EXPECT_THAT(text.out, Not(HasSubstr("文号：")));

  // Legal and text edits in one command.
  ASSERT_EQ(run_herald(config_ + "queue edit 4 --by bo --commentary 值得关注 --instrument 通知")
                .exit_code,
            0);
  const auto both = json_of("queue show 4 --json");
  EXPECT_EQ(both["commentary"], "值得关注");
  EXPECT_EQ(both["legal"]["instrument"]["value"], "通知");
}

TEST_F(LegalCliTest, QueueEditRefusesABadValueAndChangesNothing) {
  for (const std::string bad : {"2023-02-30", "12/07/2023"}) {
    const CommandResult refused = run_herald(
        config_ + fmt::format("queue edit 2 --by ann --commentary x --comment-deadline '{}'", bad));
    EXPECT_EQ(refused.exit_code, 2) << bad;
  }
  // A value the store refuses (too long) leaves the text edits of the same command undone.
  const CommandResult too_long = run_herald(
      config_ + fmt::format("queue edit 2 --by ann --commentary x --comment-how '{}'",
                            std::string(2001, 'a')));
  EXPECT_EQ(too_long.exit_code, 2);
  const auto shown = json_of("queue show 2 --json");
  EXPECT_EQ(shown["legal"]["comment_deadline"]["value"], "2023-12-07");
  EXPECT_EQ(shown["commentary"], "");
  EXPECT_TRUE(shown["history"].empty());
  EXPECT_EQ(run_herald(config_ + "queue edit 99 --doc-number x").exit_code, 1);
}

// A value typed in a terminal set to GBK is stored as given, and still lists as JSON.
TEST_F(LegalCliTest, AValueThatIsNotUtf8DoesNotBreakTheJsonListings) {
  ASSERT_EQ(run_herald(config_ + "queue edit 2 --comment-how \"$(printf 'mail\\241\\242')\"")
                .exit_code,
            0);
  const CommandResult open = run_herald(config_ + "consultations --json --on 2023-12-01");
  ASSERT_EQ(open.exit_code, 0);
  const auto listed = nlohmann::json::parse(open.out, nullptr, false);
  ASSERT_FALSE(listed.is_discarded()) << open.out;
  EXPECT_EQ(listed[1]["candidate_id"], 2);
  EXPECT_EQ(listed[1]["comment_how"].get<std::string>().rfind("mail", 0), 0u);
  const CommandResult shown = run_herald(config_ + "queue show 2 --json");
  ASSERT_EQ(shown.exit_code, 0);
  EXPECT_FALSE(nlohmann::json::parse(shown.out, nullptr, false).is_discarded()) << shown.out;
}

TEST_F(LegalCliTest, QueueListFiltersByInstrumentAndDeadline) {
  auto ids = [&](const std::string& filters) {
    std::vector<int> out;
    for (const auto& card : json_of("queue list --json " + filters)) {
      out.push_back(card["id"]);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(ids(""), (std::vector<int>{1, 2, 3, 4}));
  EXPECT_EQ(ids("--instrument 征求意见稿"), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(ids("--has-deadline"), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(ids("--deadline-until 2023-12-07"), (std::vector<int>{2, 3}));
  EXPECT_EQ(ids("--deadline-until 2023-11-30"), std::vector<int>{});
  EXPECT_EQ(run_herald(config_ + "queue list --deadline-until 12/07/2023").exit_code, 2);
  EXPECT_THAT(run_herald(config_ + "queue list --has-deadline").out,
              HasSubstr("意见反馈截止: 2023-12-01"));
}

}  // namespace
}  // namespace herald
