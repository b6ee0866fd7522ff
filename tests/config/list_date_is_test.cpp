// [list] date_is in source files: "published" (default) or "deadline"; a deadline is read
// into the summary, never as the publish date.

#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr std::string_view kSource = R"(id = "comments"
name = "Drafts for comment"
kind = "association"
type = "html"
url = "https://www.example.org.cn/zqyj/"

[list]
item = "ul.list li"
)";

Result<SourceConfig> load(const testing::TempDir& dir, std::string_view extra) {
  const fs::path file = dir.path() / "comments.toml";
  std::ofstream(file, std::ios::binary) << kSource << extra;
  return load_source_file(file);
}

TEST(ListDateIs, PublishedUnlessWritten) {
  testing::TempDir dir;
  auto loaded = load(dir, "date = \"span.time\"\n");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  ASSERT_TRUE(loaded->list.has_value());
  EXPECT_FALSE(loaded->list->date_is_deadline);
  EXPECT_TRUE(loaded->list->date.has_value());
  EXPECT_FALSE(loaded->list->summary.has_value());
}

TEST(ListDateIs, ADeadlineIsReadAsTheSummaryNotThePublishDate) {
  testing::TempDir dir;
  auto loaded = load(dir, "date = \"span.time\"\ndate_is = \"deadline\"\n");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  ASSERT_TRUE(loaded->list.has_value());
  EXPECT_TRUE(loaded->list->date_is_deadline);
  EXPECT_FALSE(loaded->list->date.has_value());
  EXPECT_TRUE(loaded->list->summary.has_value());
}

TEST(ListDateIs, MistakesAreRefusedWithTheFix) {
  testing::TempDir dir;
  auto unknown = load(dir, "date = \"span.time\"\ndate_is = \"expiry\"\n");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_THAT(unknown.error().message, HasSubstr("list.date_is"));
  EXPECT_THAT(unknown.error().message, HasSubstr("date_is = \"deadline\""));
  auto no_date = load(dir, "date_is = \"deadline\"\n");
  ASSERT_FALSE(no_date.has_value());
  EXPECT_THAT(no_date.error().message, HasSubstr("needs the date selector"));
  auto both = load(dir, "date = \"span.time\"\nsummary = \"p\"\ndate_is = \"deadline\"\n");
  ASSERT_FALSE(both.has_value());
  EXPECT_THAT(both.error().message, HasSubstr("remove summary"));
}

TEST(ListDateIs, TheShippedTc260SourceCallsItsListDateADeadline) {
  auto loaded = load_source_file(fs::path(HERALD_SOURCE_ROOT) / "config/sources.d/cn-tc260.toml");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  ASSERT_TRUE(loaded->list.has_value());
  EXPECT_TRUE(loaded->list->date_is_deadline);
  EXPECT_FALSE(loaded->list->date.has_value());
}

}  // namespace
}  // namespace herald
