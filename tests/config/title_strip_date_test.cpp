// [list] title_strip_date in source files: a boolean, off unless written.

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

constexpr std::string_view kSource = R"(id = "dated-links"
name = "Dated links"
kind = "government"
type = "html"
url = "https://www.example.gov.cn/tzgg/"

[list]
item = "ul.list li"
date = "a"
)";

Result<SourceConfig> load(const testing::TempDir& dir, std::string_view extra) {
  const fs::path file = dir.path() / "dated-links.toml";
  std::ofstream(file, std::ios::binary) << kSource << extra;
  return load_source_file(file);
}

TEST(ListTitleStripDate, OffUnlessWritten) {
  testing::TempDir dir;
  auto loaded = load(dir, "");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  ASSERT_TRUE(loaded->list.has_value());
  EXPECT_FALSE(loaded->list->title_strip_date);
}

TEST(ListTitleStripDate, TrueIsRead) {
  testing::TempDir dir;
  auto loaded = load(dir, "title_strip_date = true\n");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  ASSERT_TRUE(loaded->list.has_value());
  EXPECT_TRUE(loaded->list->title_strip_date);
}

TEST(ListTitleStripDate, AQuotedValueIsRefusedWithTheFix) {
  testing::TempDir dir;
  auto loaded = load(dir, "title_strip_date = \"yes\"\n");
  ASSERT_FALSE(loaded.has_value());
  EXPECT_THAT(loaded.error().message, HasSubstr("list.title_strip_date"));
  EXPECT_THAT(loaded.error().message, HasSubstr("write title_strip_date = true"));
}

TEST(ListTitleStripDate, ATypoIsPointedToTheKey) {
  testing::TempDir dir;
  auto loaded = load(dir, "title_strip_dates = true\n");
  ASSERT_FALSE(loaded.has_value());
  EXPECT_THAT(loaded.error().message, HasSubstr("did you mean 'title_strip_date'?"));
}

}  // namespace
}  // namespace herald
