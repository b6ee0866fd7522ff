// Issue 16: the newsletter prints an instrument's 文号 after its title and a draft's comment
// deadline as 征求意见截止日期 (once, whichever rule supplied it).
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "web/export.h"

namespace herald {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

web::Edition edition_of(std::vector<web::EditionItem> items) {
  web::Edition edition;
  edition.month = "2023-11";
  edition.sections = {"最新法律与监管动态"};
  edition.items = std::move(items);
  return edition;
}

web::EditionItem regulation() {
  web::EditionItem item;
  item.section = "最新法律与监管动态";
  item.title = "上海市经济和信息化委员会关于印发《上海市促进人工智能产业发展办法》的通知";
  item.published_date = CivilDate{.year = 2023, .month = 11, .day = 13};
  item.source_name = "上海市经济和信息化委员会";
  item.url = "https://sheitc.sh.gov.cn/a.html";
  item.summary = "办法自2024年1月1日起施行。";
  item.doc_number = "沪经信规范〔2023〕8号";
  return item;
}

TEST(LegalExportTest, TheDocNumberFollowsTheTitleInBothFormats) {
  const web::Edition edition = edition_of({regulation()});
  const std::string md = web::export_markdown(edition);
  EXPECT_THAT(md,
              HasSubstr("### 1. 上海市经济和信息化委员会关于印发《上海市促进人工智能产业发展办法》"
                        "的通知（沪经信规范〔2023〕8号）\n"));
  const std::string html = web::export_html(edition);
  EXPECT_THAT(html, HasSubstr("的通知（沪经信规范〔2023〕8号）</h3>"));
}

TEST(LegalExportTest, PrintedTitleIsWhatTheMonthPagePreviews) {
  EXPECT_EQ(web::printed_title(regulation()),
            "上海市经济和信息化委员会关于印发《上海市促进人工智能产业发展办法》的通知"
            "（沪经信规范〔2023〕8号）");
}

TEST(LegalExportTest, ATitleThatQuotesItsOwnNumberIsNotGivenItTwice) {
  web::EditionItem item = regulation();
  item.title = "国务院办公厅关于印发方案的通知（国办发〔2023〕26号）";
  item.doc_number = "国办发〔2023〕26号";
  const std::string md = web::export_markdown(edition_of({item}));
  EXPECT_EQ(occurrences(md, "国办发〔2023〕26号"), 2u);  // the 导读 line and the heading
  EXPECT_THAT(md, Not(HasSubstr("26号）（")));
}

TEST(LegalExportTest, WithoutADocNumberTheTitleIsAsBefore) {
  web::EditionItem item = regulation();
  item.doc_number.clear();
  const std::string md = web::export_markdown(edition_of({item}));
  EXPECT_THAT(md, HasSubstr("的通知\n"));
  EXPECT_THAT(md, Not(HasSubstr("（）")));
}

TEST(LegalExportTest, ACommentDeadlineIsPrintedInChineseAheadOfTheSummary) {
  web::EditionItem item = regulation();
  item.title = "数据出境安全评估办法（征求意见稿）";
  item.comment_deadline = "2023-12-07";
  const std::string md = web::export_markdown(edition_of({item}));
  EXPECT_THAT(
      md, HasSubstr("摘要：\n\n征求意见截止日期：2023年12月7日。\n\n办法自2024年1月1日起施行。"));
  const std::string html = web::export_html(edition_of({item}));
  EXPECT_THAT(html, HasSubstr("<p class=\"text\">征求意见截止日期：2023年12月7日。</p>"));
  // Without a summary the deadline is the 摘要.
  item.summary.clear();
  EXPECT_THAT(web::export_markdown(edition_of({item})),
              HasSubstr("摘要：\n\n征求意见截止日期：2023年12月7日。\n"));
}

TEST(LegalExportTest, ADeadlineTheSummaryAlreadyStatesIsPrintedOnce) {
  // cn-tc260: the list's date is the deadline and the summary already says so
  // (daemon/edition.cpp); the extracted deadline must not add a second line.
  web::EditionItem item = regulation();
  item.summary = "征求意见截止日期：2023-12-07。";
  item.comment_deadline = "2023-12-07";
  const std::string md = web::export_markdown(edition_of({item}));
  EXPECT_EQ(occurrences(md, "征求意见截止日期"), 1u);
  const std::string html = web::export_html(edition_of({item}));
  EXPECT_EQ(occurrences(html, "征求意见截止日期"), 1u);
}

TEST(LegalExportTest, ADeadlineThatIsNotADateIsLeftOut) {
  web::EditionItem item = regulation();
  item.comment_deadline = "2023-02-30";
  EXPECT_THAT(web::export_markdown(edition_of({item})), Not(HasSubstr("征求意见截止日期")));
}

}  // namespace
}  // namespace herald
