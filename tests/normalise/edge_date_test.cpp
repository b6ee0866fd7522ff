// split_edge_date: the date a list template prints at one end of a link text.

#include <gtest/gtest.h>

#include "scrapers/normalise/date.h"

namespace herald {
namespace {

struct Split {
  std::string date;
  std::string headline;
};

std::optional<Split> split(std::string_view text) {
  auto found = split_edge_date(text);
  if (!found) return std::nullopt;
  return Split{found->date, found->headline};
}

TEST(SplitEdgeDate, ADateBeforeTheHeadline) {
  auto s = split("2023-11-07 关于开展网络安全检查工作的通知");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->date, "2023-11-07");
  EXPECT_EQ(s->headline, "关于开展网络安全检查工作的通知");

  s = split("  [2023/11/07]  Notice on the supervision of algorithm filing ");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->date, "2023/11/07");
  EXPECT_EQ(s->headline, "Notice on the supervision of algorithm filing");

  s = split("2023-11-07 10:30 | Notice 5 on data security");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->date, "2023-11-07 10:30");
  EXPECT_EQ(s->headline, "Notice 5 on data security");

  // A numeric date ending in a digit, right before Chinese text: as clearly set off.
  s = split("2023-11-07关于公布算法备案信息的公告");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->date, "2023-11-07");
  EXPECT_EQ(s->headline, "关于公布算法备案信息的公告");
}

TEST(SplitEdgeDate, ADateAfterTheHeadline) {
  auto s = split("关于开展网络安全检查工作的通知（2023年11月7日）");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->date, "2023年11月7日");
  EXPECT_EQ(s->headline, "关于开展网络安全检查工作的通知");

  s = split("关于开展网络安全检查工作的通知 [2023-11-07]");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->date, "2023-11-07");
  EXPECT_EQ(s->headline, "关于开展网络安全检查工作的通知");

  s = split("Notice on the supervision of algorithm filing - 7 Nov 2023");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->date, "7 Nov 2023");
  EXPECT_EQ(s->headline, "Notice on the supervision of algorithm filing");

  s = split("Notice on algorithm filing November 27, 2023");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->date, "November 27, 2023");
  EXPECT_EQ(s->headline, "Notice on algorithm filing");
}

TEST(SplitEdgeDate, HeadlinesThatOnlyMentionADateAreLeftAlone) {
  // The date is part of the headline: nothing sets it off.
  EXPECT_FALSE(split("2023年11月7日国务院常务会议").has_value());
  // A year alone is not a date; a date in the middle is the headline's.
  EXPECT_FALSE(split("关于开展2023年度网络安全检查工作的通知").has_value());
  EXPECT_FALSE(split("关于2023-11-07会议安排的通知").has_value());
  // Nothing but a date, or nothing at all: no headline remains.
  EXPECT_FALSE(split("2023-11-07").has_value());
  EXPECT_FALSE(split("[2023-11-07]").has_value());
  EXPECT_FALSE(split("   ").has_value());
  EXPECT_FALSE(split("").has_value());
  // An impossible date is not one.
  EXPECT_FALSE(split("2023-02-30 关于开展网络安全检查工作的通知").has_value());
}

}  // namespace
}  // namespace herald
