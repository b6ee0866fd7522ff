// The text a repair proposal is made of: the source file with its [list] table replaced,
// and the unified diff an admin reads before applying it.

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/repair.h"

namespace herald {
namespace {

TEST(ReplaceListTable, ReplacesOnlyTheListTable) {
  const std::string file =
      "id = \"x\"\n"
      "type = \"html\"\n"
      "\n"
      "[list]\n"
      "item = \"ul.news li\"\n"
      "link = \"a@href\"\n"
      "\n"
      "# how the article pages are read\n"
      "[article]\n"
      "body = \"#main\"\n";
  const std::string table = "[list]\nitem = \"table.t tr\"\nlink = \"a@href\"\n";
  EXPECT_EQ(replace_list_table(file, table),
            "id = \"x\"\n"
            "type = \"html\"\n"
            "\n"
            "[list]\n"
            "item = \"table.t tr\"\n"
            "link = \"a@href\"\n"
            "\n"
            "# how the article pages are read\n"
            "[article]\n"
            "body = \"#main\"\n");
}

TEST(ReplaceListTable, AListAtTheEndAndAMissingOne) {
  EXPECT_EQ(replace_list_table("id = \"x\"\n[list]\nitem = \"li\"\n", "[list]\nitem = \"p\"\n"),
            "id = \"x\"\n[list]\nitem = \"p\"\n");
  EXPECT_EQ(replace_list_table("id = \"x\"", "[list]\nitem = \"p\"\n"),
            "id = \"x\"\n\n[list]\nitem = \"p\"\n");
  // [list.extra] or [listing] is not the [list] table.
  EXPECT_EQ(replace_list_table("[listing]\na = 1\n", "[list]\nitem = \"p\"\n"),
            "[listing]\na = 1\n\n[list]\nitem = \"p\"\n");
}

TEST(UnifiedDiff, ShowsChangedLinesWithContext) {
  const std::string before = "a\nb\nc\nd\ne\nf\ng\nh\n";
  const std::string after = "a\nb\nc\nd\nE\nf\ng\nh\n";
  EXPECT_EQ(unified_diff(before, after, "a/x.toml", "b/x.toml"),
            "--- a/x.toml\n+++ b/x.toml\n"
            "@@ -2,7 +2,7 @@\n"
            " b\n c\n d\n-e\n+E\n f\n g\n h\n");
  EXPECT_EQ(unified_diff(before, before, "a", "b"), "");
}

TEST(UnifiedDiff, FarApartChangesAreSeparateHunks) {
  std::string before;
  for (int i = 1; i <= 20; ++i) {
    before += std::to_string(i) + "\n";
  }
  std::string after = before;
  after.replace(after.find("2\n"), 2, "two\n");
  after.replace(after.find("\n19\n") + 1, 3, "nineteen\n");
  const std::string diff = unified_diff(before, after, "a", "b");
  EXPECT_THAT(diff, ::testing::HasSubstr("@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n"));
  EXPECT_THAT(diff, ::testing::HasSubstr("@@ -16,5 +16,5 @@\n 16\n 17\n 18\n-19\n+nineteen\n 20\n"));
}

TEST(UnifiedDiff, AddedLinesAtTheEnd) {
  EXPECT_EQ(unified_diff("a\n", "a\nb\nc\n", "x", "y"), "--- x\n+++ y\n@@ -1,1 +1,3 @@\n a\n+b\n+c\n");
}

}  // namespace
}  // namespace herald
