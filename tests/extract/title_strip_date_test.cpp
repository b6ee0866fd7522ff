// [list] title_strip_date: a template that prints each date in its link text.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "config/selector.h"
#include "scrapers/extract/html_list.h"

namespace herald {
namespace {

Selector css(std::string_view text, SelectorScope scope) {
  auto s = compile_selector(text, scope);
  EXPECT_TRUE(s.has_value()) << text;
  return s.value_or(Selector{});
}

constexpr const char* kPage =
    "<html><body><ul class=\"list\">"
    "<li><a href=\"/a/1.html\">2023-11-07 关于开展网络安全检查工作的通知</a></li>"
    "<li><a href=\"/a/2.html\">关于公布深度合成服务算法备案信息的公告 [2023-11-06]</a></li>"
    "<li><a href=\"/a/3.html\">关于开展2023年度数据安全检查的通知</a></li>"
    "</ul></body></html>";

std::vector<RawItem> extract(const ListRules& rules) {
  auto doc = HtmlDocument::parse(kPage);
  EXPECT_TRUE(doc.has_value());
  if (!doc) return {};
  auto items = extract_list(*doc, rules);
  EXPECT_TRUE(items.has_value()) << items.error().message;
  return items.value_or(std::vector<RawItem>{});
}

ListRules rules(bool strip) {
  return ListRules{.item = css("ul.list li", SelectorScope::kDocument),
                   .link = css("a@href", SelectorScope::kRelative),
                   .date = css("a", SelectorScope::kRelative),
                   .title_strip_date = strip};
}

TEST(ExtractTitleStripDate, TheDateLeavesTheTitleAndIsTheDateText) {
  const auto items = extract(rules(true));
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].title, "关于开展网络安全检查工作的通知");
  EXPECT_EQ(items[0].date_text, "2023-11-07");
  EXPECT_EQ(items[1].title, "关于公布深度合成服务算法备案信息的公告");
  EXPECT_EQ(items[1].date_text, "2023-11-06");
  // No date at either end: the title is kept whole, and so is the date rule's text.
  EXPECT_EQ(items[2].title, "关于开展2023年度数据安全检查的通知");
  EXPECT_EQ(items[2].date_text, "关于开展2023年度数据安全检查的通知");
}

TEST(ExtractTitleStripDate, OffByDefaultTitlesStayAsPrinted) {
  EXPECT_FALSE(ListRules{}.title_strip_date);
  const auto items = extract(rules(false));
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].title, "2023-11-07 关于开展网络安全检查工作的通知");
  EXPECT_EQ(items[0].date_text, "2023-11-07 关于开展网络安全检查工作的通知");
  EXPECT_EQ(items[1].title, "关于公布深度合成服务算法备案信息的公告 [2023-11-06]");
}

TEST(ExtractTitleStripDate, ADateReadElsewhereIsKeptAsItIs) {
  ListRules r = rules(true);
  r.date = css("span.date", SelectorScope::kRelative);  // absent: the date text stays empty
  const auto items = extract(r);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].title, "关于开展网络安全检查工作的通知");
  EXPECT_EQ(items[0].date_text, "");
}

}  // namespace
}  // namespace herald
