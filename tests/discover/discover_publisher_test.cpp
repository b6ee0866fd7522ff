// Issue 15: a proposed source file asks for the publisher (来源) and still loads as written.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "scrapers/decode/decode.h"
#include "scrapers/discover/discover.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

TEST(DiscoverPublisher, TheProposalHasAnEmptyPublisherLineWithItsComment) {
  const std::string page =
      "<html><body><ul class=\"news\">"
      "<li><a href=\"/a/1\">关于开展网络安全检查工作的通知</a> <span>2023-11-01</span></li>"
      "<li><a href=\"/a/2\">关于公布深度合成服务算法备案信息的公告</a> <span>2023-11-02</span></li>"
      "<li><a href=\"/a/3\">数据出境安全评估申报指南第二版发布</a> <span>2023-11-03</span></li>"
      "<li><a href=\"/a/4\">个人信息保护合规审计管理办法征求意见</a> <span>2023-11-04</span></li>"
      "</ul></body></html>";
  auto decoded = decode_to_utf8(page, "", std::nullopt);
  ASSERT_TRUE(decoded.has_value());
  DiscoverOptions options;
  options.timezone = TimeZone::fixed(8 * 3600);
  options.now_utc = 1796083200;
  auto found = discover_list(*decoded, "https://example.gov.cn/news/", options);
  ASSERT_TRUE(found.has_value()) << found.error().message;
  const Discovery& d = *found;
  ASSERT_EQ(d.choice, DiscoveryChoice::kList);
  const std::string text =
      render_source_file(d, SourceDraft{.id = "x", .url = "https://example.gov.cn/news/"});
  const auto line = text.find("\npublisher = \"\"\n");
  ASSERT_NE(line, std::string::npos) << text;
  EXPECT_NE(text.rfind("来源", line), std::string::npos) << "the line is explained above it";

  testing::TempDir dir;
  std::ofstream(dir.path() / "x.toml") << text;
  auto loaded = load_source_file(dir.path() / "x.toml");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message << "\n" << text;
  EXPECT_EQ(loaded->publisher, "");
}

}  // namespace
}  // namespace herald
