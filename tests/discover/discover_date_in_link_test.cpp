// Discovery on a template that prints each item's date in its link text (a redesign that
// dropped the date's own element): the date is read from the link, the titles lose it.

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "scrapers/decode/decode.h"
#include "scrapers/discover/discover.h"
#include "scrapers/extract/html_list.h"
#include "scrapers/parse/html_document.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kNow = 1796083200;  // 2026-12-01: after every date below

DiscoverOptions options() {
  DiscoverOptions o;
  o.timezone = TimeZone::fixed(8 * 3600);
  o.now_utc = kNow;
  o.preview_items = 1000;
  return o;
}

Discovery discover_page(const std::string& bytes, const std::string& url) {
  auto decoded = decode_to_utf8(bytes, "", std::nullopt);
  EXPECT_TRUE(decoded.has_value());
  auto found = discover_list(*decoded, url, options());
  EXPECT_TRUE(found.has_value()) << (found ? "" : found.error().message);
  return found ? *found : Discovery{};
}

std::vector<RawItem> extract_with(const SourceConfig& source, const std::string& bytes) {
  auto decoded = decode_to_utf8(bytes, "", source.charset);
  EXPECT_TRUE(decoded.has_value());
  auto doc = HtmlDocument::parse(decoded->utf8);
  EXPECT_TRUE(doc.has_value());
  auto items = extract_list(*doc, *source.list);
  EXPECT_TRUE(items.has_value());
  return items ? *items : std::vector<RawItem>{};
}

TEST(DiscoverDateInLink, ALeadingDateIsReadFromTheLinkAndLeftOutOfTheTitles) {
  auto reference = load_source_file(testing::fixture_path("discover/date-in-link.toml"));
  ASSERT_TRUE(reference.has_value()) << reference.error().message;
  const std::string page = testing::read_fixture("discover/date-in-link.html");
  const Discovery d = discover_page(page, reference->url);
  ASSERT_EQ(d.choice, DiscoveryChoice::kList);
  const ListCandidate& best = d.lists.front();
  EXPECT_EQ(best.rules.item.text, "ul.notice-list > li") << describe_candidate(best);
  EXPECT_EQ(best.records, 8u);
  EXPECT_TRUE(best.rules.title_strip_date);
  ASSERT_TRUE(best.rules.date.has_value());
  EXPECT_EQ(best.rules.date->text, "a");
  EXPECT_EQ(best.date_origin, DateOrigin::kInItem);
  EXPECT_EQ(best.date_format, "YYYY-MM-DD");
  EXPECT_DOUBLE_EQ(best.date_share, 1.0);
  EXPECT_FALSE(best.needs_article_date);
  ASSERT_EQ(best.preview.size(), 8u);
  EXPECT_EQ(best.preview.front().title, "关于开展2023年度网络安全检查工作的通知");
  EXPECT_EQ(best.preview.front().date_text, "2023-11-28");
  EXPECT_EQ(best.preview.back().title, "网络数据安全管理条例正式施行");
  EXPECT_EQ(best.preview.back().date_text, "2023-11-21");

  // Against the hand-written config: every item, title, link and date.
  const ItemAgreement a =
      compare_items(extract_with(*reference, page), best.preview, reference->url, reference->timezone);
  EXPECT_EQ(a.reference, 8u);
  EXPECT_DOUBLE_EQ(a.recall(), 1.0);
  EXPECT_DOUBLE_EQ(a.precision(), 1.0);
  EXPECT_EQ(a.reference_dated, 8u);
  EXPECT_DOUBLE_EQ(a.date_recall(), 1.0);
}

TEST(DiscoverDateInLink, TheWrittenFileStripsTheDateToo) {
  const std::string page = testing::read_fixture("discover/date-in-link.html");
  const std::string url = "http://www.example.gov.cn/tzgg/";
  const Discovery d = discover_page(page, url);
  ASSERT_EQ(d.choice, DiscoveryChoice::kList);
  const std::string text = render_source_file(d, SourceDraft{.id = "dated-links", .url = url});
  EXPECT_NE(text.find("\ndate = \"a\"\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ntitle_strip_date = true\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("[article]"), std::string::npos) << "the dates are in the list\n" << text;
  testing::TempDir dir;
  const fs::path file = dir.path() / "dated-links.toml";
  std::ofstream(file) << text;
  auto loaded = load_source_file(file);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message << "\n" << text;
  ASSERT_TRUE(loaded->list.has_value());
  EXPECT_TRUE(loaded->list->title_strip_date);
  const auto items = extract_with(*loaded, page);
  const auto& preview = d.lists.front().preview;
  ASSERT_EQ(items.size(), preview.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(items[i].title, preview[i].title);
    EXPECT_EQ(items[i].date_text, preview[i].date_text);
    EXPECT_FALSE(items[i].title.starts_with("2023")) << items[i].title;
  }
  // render_list_table, what a repair proposal writes, carries the key as well.
  EXPECT_NE(render_list_table(d.lists.front()).find("title_strip_date = true"), std::string::npos);
}

TEST(DiscoverDateInLink, ATrailingBracketedDateIsReadToo) {
  const std::vector<std::string> titles = {"关于开展网络安全检查工作的通知", "关于公布深度合成服务算法备案信息的公告",
                                           "数据出境安全评估申报指南发布", "个人信息保护合规审计管理办法公开征求意见",
                                           "关于加强科技伦理治理的实施意见"};
  std::string items;
  for (std::size_t i = 0; i < titles.size(); ++i) {
    items += fmt::format("<li><a href=\"/c/{}.html\">{}（2023年11月{}日）</a></li>", i + 1, titles[i], 20 - i);
  }
  const Discovery d = discover_page(
      "<html><head><meta charset=\"utf-8\"></head><body><ul class=\"list\">" + items + "</ul></body></html>",
      "https://www.example.gov.cn/c/");
  ASSERT_EQ(d.choice, DiscoveryChoice::kList);
  const ListCandidate& best = d.lists.front();
  EXPECT_TRUE(best.rules.title_strip_date);
  EXPECT_EQ(best.date_origin, DateOrigin::kInItem);
  ASSERT_EQ(best.preview.size(), titles.size());
  for (std::size_t i = 0; i < titles.size(); ++i) {
    EXPECT_EQ(best.preview[i].title, titles[i]);
    EXPECT_EQ(best.preview[i].date_text, fmt::format("2023年11月{}日", 20 - i));
  }
}

TEST(DiscoverDateInLink, HeadlinesThatMentionAYearKeepItAndAskForArticlePages) {
  const Discovery d = discover_page(
      "<html><body><ul class=\"news\">"
      "<li><a href=\"/a/1\">关于开展2023年度网络安全检查工作的通知</a></li>"
      "<li><a href=\"/a/2\">2023年11月7日国务院常务会议研究数据安全工作</a></li>"
      "<li><a href=\"/a/3\">数据出境安全评估申报指南2023年版发布</a></li>"
      "<li><a href=\"/a/4\">个人信息保护合规审计管理办法征求意见</a></li>"
      "</ul></body></html>",
      "https://example.gov.cn/news/");
  ASSERT_EQ(d.choice, DiscoveryChoice::kList);
  const ListCandidate& best = d.lists.front();
  EXPECT_FALSE(best.rules.title_strip_date);
  EXPECT_TRUE(best.needs_article_date);
  ASSERT_EQ(best.preview.size(), 4u);
  EXPECT_EQ(best.preview[1].title, "2023年11月7日国务院常务会议研究数据安全工作");
}

}  // namespace
}  // namespace herald
