// Issue 15: the month's default order (the seed's: domestic rules, foreign rules, reports,
// cases; industry by date) and 来源 as the publisher's name.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/edition.h"
#include "storage/store.h"

namespace herald {
namespace {

SourceConfig source(const std::string& id, SourceKind kind, const std::string& language) {
  SourceConfig s;
  s.id = id;
  s.name = id + " · news";
  s.kind = kind;
  s.language = language;
  return s;
}

Candidate candidate(std::int64_t id, const std::string& source_id, std::string_view section,
                    std::int64_t published_at, int position = 0) {
  Candidate c;
  c.id = id;
  c.source_id = source_id;
  c.section = std::string(section);
  c.published_at = published_at;
  c.position = position;
  return c;
}

std::vector<std::int64_t> ids(const std::vector<Candidate>& candidates) {
  std::vector<std::int64_t> out;
  for (const Candidate& c : candidates) {
    out.push_back(c.id);
  }
  return out;
}

const std::vector<SourceConfig>& sources() {
  static const std::vector<SourceConfig> all = {
      source("sh-sheitc", SourceKind::kGovernment, "zh"),
      source("uk-ncsc", SourceKind::kGovernment, "en"),
      source("cn-caict", SourceKind::kAssociation, "zh"),
      source("cn-hz-netcourt", SourceKind::kCourt, "zh"),
      source("openai", SourceKind::kCompany, "en"),
      source("cn-jiemian", SourceKind::kMedia, "zh"),
  };
  return all;
}

TEST(EditorialOrderTest, LegalSectionIsDomesticForeignReportsCasesEachByDate) {
  std::vector<Candidate> month = {
      candidate(1, "cn-hz-netcourt", kLegalSection, 300),
      candidate(2, "cn-caict", kLegalSection, 200),
      candidate(3, "uk-ncsc", kLegalSection, 100),
      candidate(4, "sh-sheitc", kLegalSection, 400),
      candidate(5, "sh-sheitc", kLegalSection, 50),
      candidate(6, "cn-hz-netcourt", kLegalSection, 10),
      candidate(7, "gone-source", kLegalSection, 1),
  };
  order_for_edition(month, sources());
  EXPECT_EQ(ids(month), (std::vector<std::int64_t>{5, 4, 3, 2, 6, 1, 7}));
}

TEST(EditorialOrderTest, IndustrySectionIsByDateOldestFirst) {
  std::vector<Candidate> month = {
      candidate(1, "openai", kIndustrySection, 300),
      candidate(2, "cn-jiemian", kIndustrySection, 100),
      candidate(3, "openai", kIndustrySection, 200),
  };
  order_for_edition(month, sources());
  EXPECT_EQ(ids(month), (std::vector<std::int64_t>{2, 3, 1}));
}

TEST(EditorialOrderTest, PlacedItemsComeFirstInTheEditorsOrder) {
  std::vector<Candidate> month = {
      candidate(1, "sh-sheitc", kLegalSection, 100),
      candidate(2, "cn-hz-netcourt", kLegalSection, 200, 1),
      candidate(3, "cn-caict", kLegalSection, 300, 2),
      candidate(4, "openai", kIndustrySection, 50),
  };
  order_for_edition(month, sources());
  // Sections keep the store's order by name; within the legal one the placed items lead.
  std::vector<std::int64_t> legal;
  for (const Candidate& c : month) {
    if (c.section == kLegalSection) {
      legal.push_back(c.id);
    }
  }
  EXPECT_EQ(legal, (std::vector<std::int64_t>{2, 3, 1}));
}

TEST(EditorialOrderTest, RanksFollowKindAndLanguage) {
  const SourceConfig domestic = source("a", SourceKind::kGovernment, "zh");
  const SourceConfig foreign = source("b", SourceKind::kGovernment, "ja");
  const SourceConfig report = source("c", SourceKind::kAssociation, "zh");
  const SourceConfig court = source("d", SourceKind::kCourt, "en");
  EXPECT_LT(editorial_rank(&domestic, kLegalSection), editorial_rank(&foreign, kLegalSection));
  EXPECT_LT(editorial_rank(&foreign, kLegalSection), editorial_rank(&report, kLegalSection));
  EXPECT_LT(editorial_rank(&report, kLegalSection), editorial_rank(&court, kLegalSection));
  EXPECT_EQ(editorial_rank(&court, kIndustrySection), editorial_rank(&domestic, kIndustrySection));
}

TEST(EditionPublisherTest, SourceIsThePublisherElseTheName) {
  auto opened = Store::open(":memory:");
  ASSERT_TRUE(opened.has_value());
  Store& store = *opened;
  std::vector<SourceConfig> configured = {source("uk-ncsc", SourceKind::kGovernment, "en"),
                                          source("plain", SourceKind::kGovernment, "zh")};
  configured[0].publisher = "英国国家网络安全中心官网";
  const std::int64_t nov = 1'699'000'000;  // 2023-11-03
  for (const SourceConfig& s : configured) {
    Item item;
    item.source_id = s.id;
    item.title = "AI guidelines " + s.id;
    item.url = "https://example.org/" + s.id;
    item.url_key = item.url;
    item.published_at = nov;
    item.candidate = true;
    PollRecord poll{.source_id = s.id, .started_at = nov + 3600, .outcome = "ok"};
    poll.items = {item};
    poll.default_section = default_section(s.kind);
    ASSERT_TRUE(store.commit_poll(poll).has_value());
  }
  auto queued = store.query_queue({.collapse_clusters = false, .limit = 0});
  ASSERT_TRUE(queued.has_value());
  for (const Candidate& c : queued->items) {
    ASSERT_TRUE(store.edit_candidate(c.id, {.state = ReviewState::kAccepted}, "editor", nov));
  }
  auto zone = TimeZone::load("Asia/Shanghai");
  ASSERT_TRUE(zone.has_value());
  auto edition = build_edition(store, configured, "2023-11", *zone);
  ASSERT_TRUE(edition.has_value()) << edition.error().message;
  ASSERT_EQ(edition->items.size(), 2u);
  for (const web::EditionItem& item : edition->items) {
    EXPECT_GT(item.candidate_id, 0);
    if (item.url.ends_with("uk-ncsc")) {
      EXPECT_EQ(item.source_name, "英国国家网络安全中心官网");
    } else {
      EXPECT_EQ(item.source_name, "plain · news");
    }
  }
}

TEST(EditionDeadlineTest, ADeadlineKeptAsTheSummaryIsSaidToBeOneNotPrintedBare) {
  auto opened = Store::open(":memory:");
  ASSERT_TRUE(opened.has_value());
  Store& store = *opened;
  SourceConfig tc260 = source("cn-tc260", SourceKind::kAssociation, "zh");
  tc260.list = ListRules{};
  tc260.list->date_is_deadline = true;
  const std::int64_t nov = 1'699'000'000;  // 2023-11-03
  Item item;
  item.source_id = tc260.id;
  item.title = "关于征求《生成式人工智能服务安全基本要求》意见的通知";
  item.url = "https://www.tc260.org.cn/front/postDetail.html?id=20231011";
  item.url_key = item.url;
  item.summary = "2023-10-25";  // the list's deadline ([list] date_is = "deadline")
  item.published_at = nov;
  item.candidate = true;
  PollRecord poll{.source_id = tc260.id, .started_at = nov + 3600, .outcome = "ok"};
  poll.items = {item};
  poll.default_section = default_section(tc260.kind);
  ASSERT_TRUE(store.commit_poll(poll).has_value());
  auto queued = store.query_queue({.collapse_clusters = false, .limit = 0});
  ASSERT_TRUE(queued.has_value());
  ASSERT_EQ(queued->items.size(), 1u);
  ASSERT_TRUE(store.edit_candidate(queued->items[0].id, {.state = ReviewState::kAccepted},
                                   "editor", nov));
  auto zone = TimeZone::load("Asia/Shanghai");
  ASSERT_TRUE(zone.has_value());
  auto edition = build_edition(store, {tc260}, "2023-11", *zone);
  ASSERT_TRUE(edition.has_value()) << edition.error().message;
  ASSERT_EQ(edition->items.size(), 1u);
  EXPECT_EQ(edition->items[0].summary, "征求意见截止日期：2023-10-25。");

  // An editor's own 摘要 is printed as written.
  ASSERT_TRUE(store.edit_candidate(queued->items[0].id, {.summary = "编辑的摘要"}, "editor", nov));
  edition = build_edition(store, {tc260}, "2023-11", *zone);
  ASSERT_TRUE(edition.has_value());
  EXPECT_EQ(edition->items[0].summary, "编辑的摘要");
}

}  // namespace
}  // namespace herald
