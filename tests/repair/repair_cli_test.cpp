// `herald sources repairs`, `herald sources repair ID [--show|--apply|--discard]` and what
// `herald sources status` says of a source with a proposal, run as admins run them.

#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/repair/repair_support.h"

namespace herald::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class RepairCliTest : public RepairFixture {
 protected:
  void break_the_source() {
    site_.show(Template::kOriginal, 5);
    ASSERT_TRUE(poll().ok());
    site_.show(Template::kTable, 7);
    ASSERT_EQ(poll().outcome, "no_match");
    ASSERT_EQ(proposals("open"), 1);
  }
  CommandResult herald(const std::string& args) {
    return run_herald(fmt::format("-c '{}' {}", (dir_.path() / "herald.toml").string(), args));
  }
  std::string file_text() {
    std::ifstream in(source_file(), std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }
};

TEST_F(RepairCliTest, StatusListShowAndApply) {
  break_the_source();
  const std::string before = file_text();

  const CommandResult status = herald("sources status");
  EXPECT_EQ(status.exit_code, 1) << status.out;
  EXPECT_THAT(status.out, HasSubstr("layout changed — a repair is proposed"));
  const CommandResult status_json = herald("sources status --json");
  const auto rows = nlohmann::json::parse(status_json.out, nullptr, false);
  ASSERT_TRUE(rows.is_array() && rows.size() == 1u) << status_json.out;
  EXPECT_EQ(rows[0].at("state"), "layout_changed");
  EXPECT_EQ(rows[0].at("repair_proposed"), true);

  const CommandResult list = herald("sources repairs");
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_THAT(list.out, HasSubstr("tpl-news"));
  EXPECT_THAT(list.out, HasSubstr("yields 7 items, 5 of them already stored by herald"));

  const CommandResult show = herald("sources repair tpl-news");
  EXPECT_EQ(show.exit_code, 0);
  EXPECT_THAT(show.out, HasSubstr("-item = \"ul.news li\""));
  EXPECT_THAT(show.out, HasSubstr("= 2024-03-05  " + headline(5)));
  EXPECT_THAT(show.out, HasSubstr("+ 2024-03-07  " + headline(7)));
  EXPECT_EQ(file_text(), before) << "showing changes nothing";

  const CommandResult applied = herald("sources repair tpl-news --apply --by admin");
  EXPECT_EQ(applied.exit_code, 0) << applied.out;
  EXPECT_THAT(applied.out, HasSubstr("the old file is kept as"));
  EXPECT_THAT(applied.out, HasSubstr("outcome=ok"));
  EXPECT_THAT(applied.out, HasSubstr("items=7 new=2"));
  EXPECT_THAT(applied.out, HasSubstr("systemctl reload herald"));
  EXPECT_NE(file_text(), before);
  EXPECT_EQ(stored_items(), 7);

  const CommandResult again = herald("sources repair tpl-news --apply");
  EXPECT_EQ(again.exit_code, 1) << "nothing left to apply";
  const CommandResult status_after = herald("sources status");
  EXPECT_EQ(status_after.exit_code, 0) << status_after.out;
  EXPECT_THAT(status_after.out, Not(HasSubstr("a repair is proposed")));
}

TEST_F(RepairCliTest, Discard) {
  break_the_source();
  const std::string before = file_text();
  const CommandResult discarded = herald("sources repair tpl-news --discard");
  EXPECT_EQ(discarded.exit_code, 0);
  EXPECT_THAT(discarded.out, HasSubstr("discarded"));
  EXPECT_EQ(file_text(), before);
  EXPECT_EQ(proposals("discarded"), 1);
  const CommandResult show = herald("sources repair tpl-news");
  EXPECT_EQ(show.exit_code, 2) << "no proposal to show";
  const CommandResult both = herald("sources repair tpl-news --apply --discard");
  EXPECT_EQ(both.exit_code, 2) << "apply and discard exclude each other";
}

}  // namespace
}  // namespace herald::testing
