// Issue 15: 来源 as editors write it (publisher) and the backfill window's settings.
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSource = R"(id = "uk-ncsc"
name = "UK National Cyber Security Centre · News"
kind = "government"
language = "en"
timezone = "Europe/London"
type = "feed"
url = "https://www.ncsc.gov.uk/api/1/services/v1/news-rss-feed.xml"
)";

fs::path write(const fs::path& dir, const std::string& name, std::string_view text) {
  const fs::path file = dir / name;
  std::ofstream out(file, std::ios::binary);
  out << text;
  return file;
}

Result<SourceConfig> load_with(const testing::TempDir& dir, std::string_view extra) {
  return load_source_file(write(dir.path(), "uk-ncsc.toml", std::string(kSource) + std::string(extra)));
}

TEST(PublisherTest, EveryShippedSourceNamesItsPublisher) {
  Result<SourceSet> set = load_sources(fs::path(HERALD_SOURCE_ROOT) / "config" / "sources.d");
  ASSERT_TRUE(set.has_value()) << set.error().message;
  EXPECT_TRUE(set->errors.empty()) << set->errors.front().message;
  ASSERT_GE(set->sources.size(), 40u);
  for (const SourceConfig& source : set->sources) {
    EXPECT_FALSE(source.publisher.empty()) << source.file << " has no publisher = \"...\"";
  }
}

TEST(PublisherTest, IsReadAndMayBeLeftEmpty) {
  testing::TempDir dir;
  auto named = load_with(dir, "publisher = \"英国国家网络安全中心官网\"\n");
  ASSERT_TRUE(named.has_value()) << named.error().message;
  EXPECT_EQ(named->publisher, "英国国家网络安全中心官网");

  // What `herald sources discover` writes for the admin to fill in: not set.
  auto empty = load_with(dir, "publisher = \"\"\n");
  ASSERT_TRUE(empty.has_value()) << empty.error().message;
  EXPECT_EQ(empty->publisher, "");
}

TEST(PublisherTest, RejectsALineBreakOrAnOverlongName) {
  testing::TempDir dir;
  auto broken = load_with(dir, "publisher = \"英国\\n官网\"\n");
  ASSERT_FALSE(broken.has_value());
  EXPECT_NE(broken.error().message.find("publisher"), std::string::npos) << broken.error().message;

  auto long_name = load_with(dir, "publisher = \"" + std::string(200, 'x') + "\"\n");
  ASSERT_FALSE(long_name.has_value());
  EXPECT_NE(long_name.error().message.find("at most 120 bytes"), std::string::npos)
      << long_name.error().message;
}

TEST(BackfillSettingTest, SourceOverrideAndHeraldDefault) {
  testing::TempDir dir;
  auto source = load_with(dir, "backfill_days = 7\n");
  ASSERT_TRUE(source.has_value()) << source.error().message;
  EXPECT_EQ(source->backfill_days, 7);
  auto plain = load_with(dir, "");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->backfill_days, std::nullopt);
  EXPECT_FALSE(load_with(dir, "backfill_days = -1\n").has_value());

  const fs::path sparse = write(dir.path(), "herald.toml", "[storage]\ndatabase = \"h.db\"\n");
  auto defaults = load_herald_config(sparse);
  ASSERT_TRUE(defaults.has_value()) << defaults.error().message;
  EXPECT_EQ(defaults->backfill_days, 30);

  const fs::path set = write(dir.path(), "herald2.toml", "[queue]\nbackfill_days = 0\n");
  auto none = load_herald_config(set);
  ASSERT_TRUE(none.has_value()) << none.error().message;
  EXPECT_EQ(none->backfill_days, 0);
}

}  // namespace
}  // namespace herald
