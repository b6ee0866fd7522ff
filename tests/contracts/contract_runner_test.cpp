// The contract runner and the fixture files it reads: a contract that no longer holds must
// fail, and say what differs.

#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "config/fixtures.h"
#include "daemon/contracts.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::fixture_path;
using testing::read_fixture;
using testing::TempDir;

constexpr const char* kWhitePaper = "北京市人工智能行业大模型创新应用白皮书（2023年）发布";
constexpr const char* kWhitePaperUrl =
    "https://www.beijing.gov.cn/ywdt/gzdt/202311/t20231129_3321720.html";

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string expected_toml(int count, const std::string& title, const std::string& url,
                          const std::string& published) {
  return "count = " + std::to_string(count) + "\n\n[[item]]\ntitle = \"" + title +
         "\"\nurl = \"" + url + "\"\npublished = \"" + published + "\"\n";
}

class ContractRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto config = load_herald_config(fs::path(HERALD_SOURCE_ROOT) / "config" / "herald.toml");
    ASSERT_TRUE(config.has_value()) << config.error().message;
    config_ = std::move(*config);
    auto source = load_source_file(fs::path(HERALD_SOURCE_ROOT) / "config" / "sources.d" /
                                   "bj-gov-gzdt.toml");
    ASSERT_TRUE(source.has_value()) << source.error().message;
    bj_ = std::move(*source);
    // A copy of the shipped fixture whose expected.toml each test rewrites.
    fs::copy(fixture_path("bj-gov-gzdt"), root_.path() / "bj-gov-gzdt");
  }

  ContractResult run_with(const std::string& expected) {
    write_file(root_.path() / "bj-gov-gzdt" / "expected.toml", expected);
    return check_contract(bj_, config_, root_.path(), std::time(nullptr));
  }

  TempDir root_;
  HeraldConfig config_{};
  SourceConfig bj_{};
};

TEST_F(ContractRunnerTest, TheShippedContractHoldsAfterEnrichment) {
  const ContractResult result = run_with(read_fixture("bj-gov-gzdt/expected.toml"));
  EXPECT_EQ(result.status, ContractStatus::kOk) << format_contract_line(result);
  EXPECT_EQ(result.extracted, 15);
  EXPECT_EQ(format_contract_line(result), "ok      bj-gov-gzdt              15 items (contract)");
  // The list gives the day; the saved article page adds the time (the poll path, not just
  // list extraction).
  const Item* white_paper = nullptr;
  for (const Item& item : result.items) {
    white_paper = item.url == kWhitePaperUrl ? &item : white_paper;
  }
  ASSERT_NE(white_paper, nullptr);
  EXPECT_THAT(white_paper->body, HasSubstr("AICC 2023"));
  // 2023-11-29 10:30 in Beijing.
  EXPECT_EQ(white_paper->published_at, 1701225000);
}

TEST_F(ContractRunnerTest, AnInstantMustMatchToTheSecond) {
  EXPECT_EQ(run_with(expected_toml(15, kWhitePaper, kWhitePaperUrl, "2023-11-29T02:30:00Z")).status,
            ContractStatus::kOk);
  const ContractResult off =
      run_with(expected_toml(15, kWhitePaper, kWhitePaperUrl, "2023-11-29T02:31:00Z"));
  EXPECT_EQ(off.status, ContractStatus::kFailed);
  EXPECT_THAT(off.problems,
              ElementsAre(std::string(kWhitePaperUrl) +
                          ": published 2023-11-29T10:30:00+08:00, expected 2023-11-29T02:31:00Z"));
}

TEST_F(ContractRunnerTest, SaysWhatDiffers) {
  const ContractResult result = run_with(
      expected_toml(16, "北京市人工智能行业大模型创新应用白皮书发布", kWhitePaperUrl, "2023-11-28") +
      "\n[[item]]\ntitle = \"不存在\"\nurl = \"https://www.beijing.gov.cn/ywdt/gzdt/x.html\"\n");
  EXPECT_EQ(result.status, ContractStatus::kFailed);
  EXPECT_EQ(result.extracted, 15);
  ASSERT_EQ(result.problems.size(), 4u) << format_contract_line(result);
  EXPECT_EQ(result.problems[0], "15 items, expected count = 16");
  EXPECT_EQ(result.problems[1], std::string(kWhitePaperUrl) + ": title \"" + kWhitePaper +
                                    "\", expected \"北京市人工智能行业大模型创新应用白皮书发布\"");
  EXPECT_EQ(result.problems[2], std::string(kWhitePaperUrl) +
                                    ": published 2023-11-29T10:30:00+08:00, expected 2023-11-28");
  EXPECT_THAT(result.problems[3],
              HasSubstr("missing \"不存在\" https://www.beijing.gov.cn/ywdt/gzdt/x.html"));
  EXPECT_THAT(result.problems[3], HasSubstr("expected.toml:8"));
  EXPECT_THAT(format_contract_line(result),
              HasSubstr("FAIL    bj-gov-gzdt              15 items, expected count = 16; "));
}

TEST_F(ContractRunnerTest, AListPageThatWasNotSavedFails) {
  write_file(root_.path() / "bj-gov-gzdt" / "index.toml",
             "[[response]]\nurl = \"https://www.beijing.gov.cn/other/\"\nfile = \"list.html\"\n");
  const ContractResult result = run_with(read_fixture("bj-gov-gzdt/expected.toml"));
  EXPECT_EQ(result.status, ContractStatus::kFailed);
  EXPECT_THAT(format_contract_line(result),
              HasSubstr("404: no saved response for https://www.beijing.gov.cn/ywdt/gzdt/ in"));
}

TEST_F(ContractRunnerTest, ABrokenExpectedFileFailsWithItsLine) {
  const ContractResult result = run_with("count = \"many\"\n");
  EXPECT_EQ(result.status, ContractStatus::kFailed);
  EXPECT_THAT(format_contract_line(result), HasSubstr("expected.toml:1:9: key 'count': must be"));
}

TEST_F(ContractRunnerTest, NoFixtureDirIsNoContract) {
  SourceConfig other = bj_;
  other.id = "bj-gov-elsewhere";
  const ContractResult result = check_contract(other, config_, root_.path(), std::time(nullptr));
  EXPECT_EQ(result.status, ContractStatus::kNoContract);
  EXPECT_EQ(format_contract_line(result), "none    bj-gov-elsewhere         no contract");
  // Without a fixtures directory at all, nothing is looked up.
  EXPECT_EQ(check_contract(bj_, config_, fs::path(), std::time(nullptr)).status,
            ContractStatus::kNoContract);
}

TEST_F(ContractRunnerTest, AManualSourceIsReportedWithItsReason) {
  SourceConfig manual = bj_;
  manual.mode = SourceMode::kManual;
  manual.manual_reason = "no public list";
  const ContractResult result = check_contract(manual, config_, root_.path(), std::time(nullptr));
  EXPECT_EQ(result.status, ContractStatus::kManual);
  EXPECT_EQ(format_contract_line(result), "manual  bj-gov-gzdt              no public list");
  EXPECT_FALSE(polled_config(manual).has_value());
}

TEST_F(ContractRunnerTest, AManualSourceWithABridgeIsCheckedAsTheBridgeFeed) {
  SourceConfig manual = bj_;
  manual.id = "cn-bridged";
  manual.mode = SourceMode::kManual;
  manual.manual_reason = "WeChat";
  manual.bridge_url = "https://bridge.example.org/feed.xml";
  const auto polled = polled_config(manual);
  ASSERT_TRUE(polled.has_value());
  EXPECT_EQ(polled->type, SourceType::kFeed);
  EXPECT_EQ(polled->url, "https://bridge.example.org/feed.xml");
  EXPECT_EQ(polled->mode, SourceMode::kPoll);

  // Without a saved bridge response it stays manual; with one, its contract runs.
  EXPECT_EQ(check_contract(manual, config_, root_.path(), std::time(nullptr)).status,
            ContractStatus::kManual);
  const fs::path dir = root_.path() / "cn-bridged";
  write_file(dir / "index.toml",
             "[[response]]\nurl = \"https://bridge.example.org/feed.xml\"\nfile = \"feed.xml\"\n"
             "content_type = \"application/rss+xml\"\n");
  write_file(dir / "expected.toml", "count = 12\n");
  fs::copy_file(fixture_path("us-cisa/news.xml"), dir / "feed.xml",
                fs::copy_options::overwrite_existing);
  const ContractResult result = check_contract(manual, config_, root_.path(), std::time(nullptr));
  EXPECT_EQ(result.status, ContractStatus::kOk) << format_contract_line(result);
  EXPECT_EQ(result.extracted, 12);
}

// ---- the fixture files ----

TEST(FixtureFilesTest, ReadsTheShippedIndexAndContract) {
  auto index = load_fixture_index(fixture_path("bj-gov-gzdt"));
  ASSERT_TRUE(index.has_value()) << index.error().message;
  ASSERT_EQ(index->responses.size(), 2u);
  EXPECT_EQ(index->responses[0].url, "https://www.beijing.gov.cn/ywdt/gzdt/");
  EXPECT_EQ(index->responses[0].method, "GET");
  EXPECT_EQ(index->responses[0].status, 200);
  EXPECT_EQ(index->responses[0].content_type, "text/html; charset=utf-8");
  EXPECT_EQ(index->responses[0].file, fixture_path("bj-gov-gzdt") / "list.html");
  EXPECT_THAT(index->responses[1].where, HasSubstr("index.toml:6"));

  auto contract = load_fixture_contract(fixture_path("bj-gov-gzdt"));
  ASSERT_TRUE(contract.has_value()) << contract.error().message;
  EXPECT_EQ(contract->count, 15);
  ASSERT_EQ(contract->items.size(), 1u);
  EXPECT_EQ(contract->items[0].title, kWhitePaper);
  EXPECT_EQ(contract->items[0].url, kWhitePaperUrl);
  EXPECT_EQ(contract->items[0].published, "2023-11-29");
}

TEST(FixtureFilesTest, EveryProblemOfAnIndexIsReportedWithItsLine) {
  TempDir dir;
  write_file(dir.path() / "page.html", "<p>x</p>");
  write_file(dir.path() / "index.toml", R"([[response]]
url = "https://example.org/"
file = "page.html"
status = 99
method = "PUT"
charset = "gbk"

[[response]]
url = "ftp://example.org/"
)");
  auto index = load_fixture_index(dir.path());
  ASSERT_FALSE(index.has_value());
  EXPECT_EQ(index.error().code, ErrorCode::kConfig);
  const std::string& message = index.error().message;
  EXPECT_THAT(message, HasSubstr("index.toml:4:10: key 'status': must be an HTTP status"));
  EXPECT_THAT(message, HasSubstr("index.toml:5:10: key 'method': 'PUT' is not a method"));
  EXPECT_THAT(message, HasSubstr("index.toml:6:1: key 'charset': unknown key"));
  EXPECT_THAT(message, HasSubstr("index.toml:8:1: key 'file': missing"));
  EXPECT_THAT(message, HasSubstr("index.toml:9:7: key 'url': 'ftp://example.org/' is not"));

  auto none = load_fixture_index(dir.path() / "nothing");
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
}

TEST(FixtureFilesTest, ExpectedDatesAreLocalDaysOrInstants) {
  TempDir dir;
  write_file(dir.path() / "expected.toml", R"(count = 2

[[item]]
title = "a"
url = "https://example.org/a"
published = 2023-11-29

[[item]]
title = "b"
url = "https://example.org/b"
published = 2023-11-02T19:23:30+08:00
)");
  auto contract = load_fixture_contract(dir.path());
  ASSERT_TRUE(contract.has_value()) << contract.error().message;
  EXPECT_EQ(contract->items[0].published, "2023-11-29");
  EXPECT_EQ(contract->items[1].published, "2023-11-02T19:23:30+08:00");

  write_file(dir.path() / "expected.toml", R"([[item]]
title = "a"
published = "29 Nov 2023"
)");
  auto bad = load_fixture_contract(dir.path());
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message, HasSubstr("expected.toml:1:1: key 'count': missing"));
  EXPECT_THAT(bad.error().message, HasSubstr("expected.toml:1:1: key 'url': missing"));
  EXPECT_THAT(bad.error().message, HasSubstr("expected.toml:3:13: key 'published': must be"));
}

}  // namespace
}  // namespace herald
