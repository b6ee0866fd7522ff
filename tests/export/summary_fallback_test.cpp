// The exported 摘要 is never empty where the item has text: without an editor's or the
// site's summary it is the article's lead sentences. A summary that exists is kept as is.

#include <string>

#include <gtest/gtest.h>

#include "web/export.h"

namespace herald::web {
namespace {

Edition edition_of(EditionItem item) {
  Edition edition;
  edition.month = "2023-11";
  edition.sections = {"最新法律与监管动态"};
  item.section = "最新法律与监管动态";
  item.url = "https://www.cac.gov.cn/a.htm";
  item.source_name = "国家互联网信息办公室";
  edition.items.push_back(std::move(item));
  return edition;
}

TEST(ExportSummaryFallback, EmptySummaryTakesTheArticlesLeadSentences) {
  EditionItem item;
  item.title = "网信办发布通知";
  item.body = "国家网信办近日发布通知。通知要求相关单位于十二月底前完成备案。";
  const Edition edition = edition_of(item);
  const std::string md = export_markdown(edition);
  EXPECT_NE(md.find("摘要："), std::string::npos) << md;
  EXPECT_NE(md.find("国家网信办近日发布通知。"), std::string::npos) << md;
  const std::string html = export_html(edition);
  EXPECT_NE(html.find("国家网信办近日发布通知。"), std::string::npos);
}

TEST(ExportSummaryFallback, AnExistingSummaryWins) {
  EditionItem item;
  item.title = "网信办发布通知";
  item.summary = "编辑写的摘要。";
  item.body = "正文第一句。";
  const std::string md = export_markdown(edition_of(item));
  EXPECT_NE(md.find("编辑写的摘要。"), std::string::npos);
  EXPECT_EQ(md.find("正文第一句。"), std::string::npos);
}

TEST(ExportSummaryFallback, NoTextNoSummaryBlock) {
  EditionItem item;
  item.title = "网信办发布通知";
  const std::string md = export_markdown(edition_of(item));
  EXPECT_EQ(md.find("摘要："), std::string::npos);
}

TEST(ExportSummaryFallback, FallbackTextIsEscapedLikeAnyOther) {
  EditionItem item;
  item.title = "t";
  item.body = "<script>alert(1)</script> 是正文。";
  const std::string html = export_html(edition_of(item));
  EXPECT_EQ(html.find("<script>alert(1)"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
}

}  // namespace
}  // namespace herald::web
