#include "scrapers/relevance/relevance.h"

#include <gtest/gtest.h>
#include <gmock/gmock.h>

namespace herald {
namespace {

std::vector<TopicProfile> ai_law_profile() {
  return {TopicProfile{.name = "ai-law",
                       .threshold = 1.0,
                       .keywords = {{"人工智能", 1.0}, {"大模型", 1.0}, {"生成式", 1.0},
                                    {"AI", 1.0}, {"deepfake", 1.0}, {"LLM", 1.0}},
                       .excludes = {"招聘"}}};
}

Item item_titled(std::string title, std::string summary = "") {
  Item item;
  item.title = std::move(title);
  item.summary = std::move(summary);
  return item;
}

TEST(RelevanceTest, NewsletterTitleMatchesChineseTerms) {
  // Item 1 of the November 2023 newsletter.
  Item item = item_titled("上海市经济和信息化委员会印发《上海市推动人工智能大模型创新发展若干措施（2023-2025年）》");
  score_item(item, ai_law_profile(), false);
  EXPECT_TRUE(item.candidate);
  EXPECT_DOUBLE_EQ(item.score, 2.0);
  EXPECT_THAT(item.matched_terms, ::testing::ElementsAre("人工智能", "大模型"));
}

TEST(RelevanceTest, AsciiTermsMatchWholeWordsOnly) {
  Item said = item_titled("The minister said the plan will maintain funding");
  score_item(said, ai_law_profile(), false);
  EXPECT_FALSE(said.candidate);
  EXPECT_TRUE(said.matched_terms.empty());

  Item ai = item_titled("OpenAI introduces Copyright Shield for AI customers");
  score_item(ai, ai_law_profile(), false);
  EXPECT_TRUE(ai.candidate);
  EXPECT_THAT(ai.matched_terms, ::testing::ElementsAre("AI"));
}

TEST(RelevanceTest, MatchingIgnoresCaseAndFullWidthForms) {
  Item item = item_titled("日本计划将政府数据用于ＡＩ训练", "");
  score_item(item, ai_law_profile(), false);
  EXPECT_TRUE(item.candidate);

  Item lower = item_titled("new llm rules", "");
  score_item(lower, ai_law_profile(), false);
  EXPECT_TRUE(lower.candidate);
}

TEST(RelevanceTest, AiAdjacentToChineseCountsAsWholeWord) {
  Item item = item_titled("vivo发布自研AI大模型矩阵");
  score_item(item, ai_law_profile(), false);
  EXPECT_THAT(item.matched_terms, ::testing::ElementsAre("大模型", "AI"));
}

TEST(RelevanceTest, ExcludeVetoesTheProfile) {
  Item item = item_titled("人工智能研究院招聘公告");
  score_item(item, ai_law_profile(), false);
  EXPECT_FALSE(item.candidate);
}

TEST(RelevanceTest, SummaryCountsToo) {
  Item item = item_titled("关于印发实施意见的通知", "加快建设通用人工智能产业创新引领地");
  score_item(item, ai_law_profile(), false);
  EXPECT_TRUE(item.candidate);
}

TEST(RelevanceTest, ThresholdIsRespected) {
  auto profiles = ai_law_profile();
  profiles[0].threshold = 2.5;
  Item item = item_titled("人工智能大模型");
  score_item(item, profiles, false);
  EXPECT_FALSE(item.candidate);
  EXPECT_DOUBLE_EQ(item.score, 2.0);
}

TEST(RelevanceTest, AlwaysCandidateSourcesQueueEverything) {
  Item item = item_titled("Quarterly earnings call transcript");
  score_item(item, ai_law_profile(), true);
  EXPECT_TRUE(item.candidate);
  EXPECT_DOUBLE_EQ(item.score, 0.0);
}

TEST(RelevanceTest, NoProfilesMeansNoCandidates) {
  Item item = item_titled("人工智能");
  score_item(item, {}, false);
  EXPECT_FALSE(item.candidate);
}

}  // namespace
}  // namespace herald
