// [web] trusted_proxies (issue 13, item 1): the reverse proxies whose X-Forwarded-For herald
// believes. Addresses or CIDR blocks; anything else is a configuration error, not ignored.

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

fs::path write_config(const fs::path& dir, std::string_view text) {
  const fs::path path = dir / "herald.toml";
  std::ofstream out(path, std::ios::binary);
  out << text;
  return path;
}

TEST(WebTrustedProxiesTest, AddressesAndBlocksAreRead) {
  testing::TempDir dir;
  const fs::path file = write_config(
      dir.path(), "[web]\ntrusted_proxies = [\"127.0.0.1\", \"::1\", \"10.0.0.0/8\"]\n");
  Result<HeraldConfig> config = load_herald_config(file);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_THAT(config->web.trusted_proxies, ElementsAre("127.0.0.1", "::1", "10.0.0.0/8"));
}

TEST(WebTrustedProxiesTest, DefaultIsNone) {
  testing::TempDir dir;
  Result<HeraldConfig> config = load_herald_config(write_config(dir.path(), ""));
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_TRUE(config->web.trusted_proxies.empty());
}

TEST(WebTrustedProxiesTest, NamesAndBadPrefixesAreRefused) {
  testing::TempDir dir;
  const fs::path file = write_config(
      dir.path(), "[web]\ntrusted_proxies = [\"proxy.example.com\", \"10.0.0.0/40\", 3]\n");
  Result<HeraldConfig> config = load_herald_config(file);
  ASSERT_FALSE(config.has_value());
  const std::string& message = config.error().message;
  EXPECT_THAT(message, HasSubstr("web.trusted_proxies"));
  EXPECT_THAT(message, HasSubstr("address or CIDR block"));
  // One problem per bad element.
  std::size_t count = 0;
  for (auto at = message.find("address or CIDR block"); at != std::string::npos;
       at = message.find("address or CIDR block", at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 3u);
}

}  // namespace
}  // namespace herald
