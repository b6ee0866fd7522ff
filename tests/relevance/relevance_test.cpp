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

TEST(RelevanceTest, FullWidthKeywordsAreStillWholeWords) {
  // "ＡＩ" folds to "ai", an ASCII word: it must not match inside "said".
  const std::vector<TopicProfile> profiles{
      TopicProfile{.name = "jp", .threshold = 1.0, .keywords = {{"ＡＩ", 1.0}}}};
  Item said = item_titled("The minister SAID the plan will continue");
  score_item(said, profiles, false);
  EXPECT_FALSE(said.candidate);

  Item ai = item_titled("日本计划明年开始将政府持有的数据提供用于 AI训练");
  score_item(ai, profiles, false);
  EXPECT_TRUE(ai.candidate);
  EXPECT_THAT(ai.matched_terms, ::testing::ElementsAre("ＡＩ"));  // as configured
}

TEST(RelevanceTest, JapaneseKeywordsMatchHalfAndFullWidthVariants) {
  const std::vector<TopicProfile> profiles{TopicProfile{
      .name = "jp",
      .threshold = 1.0,
      .keywords = {{"生成AI", 1.0}, {"人工知能", 1.0}, {"ディープフェイク", 1.0}}}};
  for (const char* title : {"生成ＡＩの利用に関するガイドライン", "生成ai利用ガイドライン",
                            "生成AI利用ガイドライン"}) {
    Item item = item_titled(title);
    score_item(item, profiles, false);
    EXPECT_THAT(item.matched_terms, ::testing::ElementsAre("生成AI")) << title;
  }
  Item kana = item_titled("ﾃﾞｨｰﾌﾟﾌｪｲｸ対策と人工知能の安全性");
  score_item(kana, profiles, false);
  EXPECT_THAT(kana.matched_terms, ::testing::ElementsAre("人工知能", "ディープフェイク"));
  EXPECT_DOUBLE_EQ(kana.score, 2.0);
}

TEST(RelevanceTest, UnicodeCaseFoldingBeyondAscii) {
  const std::vector<TopicProfile> profiles{TopicProfile{
      .name = "de", .threshold = 1.0, .keywords = {{"künstliche Intelligenz", 1.0}, {"KI", 1.0}}}};
  Item item = item_titled("KÜNSTLICHE INTELLIGENZ: Bundestag berät");
  score_item(item, profiles, false);
  EXPECT_THAT(item.matched_terms, ::testing::ElementsAre("künstliche Intelligenz"));

  // Whole words also respect non-ASCII letters: "KI" is not a word inside "KIÉL".
  Item inside = item_titled("Hafen KIÉL eröffnet");
  score_item(inside, profiles, false);
  EXPECT_FALSE(inside.candidate);
}

TEST(RelevanceTest, EachTermCountsOncePerItem) {
  const std::vector<TopicProfile> profiles{TopicProfile{
      .name = "ai", .threshold = 1.5, .keywords = {{"AI", 1.0}, {"ａｉ", 1.0}, {"人工智能", 1.0}}}};
  Item item = item_titled("AI, AI, AI", "More AI.");
  score_item(item, profiles, false);
  EXPECT_DOUBLE_EQ(item.score, 1.0);
  EXPECT_THAT(item.matched_terms, ::testing::ElementsAre("AI"));
  EXPECT_FALSE(item.candidate);
}

TEST(RelevanceTest, PhrasesMatchAcrossAnyKindOfSpace) {
  const std::vector<TopicProfile> profiles{
      TopicProfile{.name = "eu", .threshold = 1.0, .keywords = {{"AI Act", 1.0}}}};
  for (const char* title : {"EU AI Act agreed", "EU AI Act agreed", "EU ＡＩ　Ａｃｔ agreed",
                            "EU AI  act agreed"}) {
    Item item = item_titled(title);
    score_item(item, profiles, false);
    EXPECT_TRUE(item.candidate) << title;
  }
  Item actor = item_titled("EU AI Actor network");
  score_item(actor, profiles, false);
  EXPECT_FALSE(actor.candidate);
}

TEST(RelevanceTest, InvisibleCharactersDoNotHideATerm) {
  Item item = item_titled("关于人工​智能伦理审查的通知");
  score_item(item, ai_law_profile(), false);
  EXPECT_THAT(item.matched_terms, ::testing::ElementsAre("人工智能"));
}

TEST(RelevanceTest, TermsDoNotMatchAcrossTitleAndSummary) {
  Item item = item_titled("关于推进人工", "智能制造的通知");
  score_item(item, ai_law_profile(), false);
  EXPECT_FALSE(item.candidate);
}

TEST(RelevanceTest, ExcludesAreFoldedToo) {
  Item item = item_titled("人工智能研究院招聘公告", "");
  auto profiles = ai_law_profile();
  profiles[0].excludes = {"ｓｐｏｎｓｏｒｅｄ"};
  Item sponsored = item_titled("AI tools roundup (SPONSORED)");
  score_item(sponsored, profiles, false);
  EXPECT_FALSE(sponsored.candidate);
  score_item(item, profiles, false);
  EXPECT_TRUE(item.candidate);
}

TEST(RelevanceTest, BrokenUtf8StillMatches) {
  Item item = item_titled("vivoÿ发布自研AI大模型");
  score_item(item, ai_law_profile(), false);
  EXPECT_THAT(item.matched_terms, ::testing::ElementsAre("大模型", "AI"));
}

TEST(RelevanceTest, BestProfileWins) {
  std::vector<TopicProfile> profiles = ai_law_profile();
  profiles.push_back(TopicProfile{.name = "copyright",
                                  .threshold = 2.0,
                                  .keywords = {{"著作权", 1.0}, {"AI", 1.5}}});
  Item item = item_titled("北京互联网法院对 AI生成图片相关领域著作权第一案作出判决");
  score_item(item, profiles, false);
  EXPECT_DOUBLE_EQ(item.score, 2.5);
  EXPECT_THAT(item.matched_terms, ::testing::ElementsAre("著作权", "AI"));
}

}  // namespace
}  // namespace herald

namespace herald {
namespace {

TEST(RelevanceTest, FoldedTermsFollowTheTopicsGiven) {
  // Folded keywords are kept between calls; each call still scores with its own topics.
  Item first = item_titled("Deepfake rules");
  score_item(first, {TopicProfile{.name = "a", .threshold = 1.0, .keywords = {{"DEEPFAKE", 1.0}}}},
             false);
  EXPECT_TRUE(first.candidate);
  EXPECT_THAT(first.matched_terms, ::testing::ElementsAre("DEEPFAKE"));

  Item second = item_titled("Deepfake rules");
  score_item(second,
             {TopicProfile{.name = "b", .threshold = 3.0, .keywords = {{"DEEPFAKE", 2.0}}}},
             false);
  EXPECT_FALSE(second.candidate);
  EXPECT_DOUBLE_EQ(second.score, 2.0);

  Item vetoed = item_titled("Deepfake rules");
  score_item(vetoed,
             {TopicProfile{.name = "c", .keywords = {{"deepfake", 1.0}}, .excludes = {"RULES"}}},
             false);
  EXPECT_FALSE(vetoed.candidate);
  EXPECT_TRUE(vetoed.matched_terms.empty());
}

TEST(RelevanceTest, ManyDistinctTermsStillScore) {
  // More distinct terms than are kept folded: the store is emptied between items, never
  // under one.
  std::vector<Keyword> keywords;
  for (int i = 0; i < 5000; ++i) keywords.push_back({"term" + std::to_string(i), 0.0});
  keywords.push_back({"人工智能", 1.0});
  const std::vector<TopicProfile> topics{
      TopicProfile{.name = "big", .threshold = 1.0, .keywords = keywords}};
  for (int round = 0; round < 2; ++round) {
    Item item = item_titled("人工智能 term4999");
    score_item(item, topics, false);
    EXPECT_TRUE(item.candidate);
    EXPECT_THAT(item.matched_terms, ::testing::ElementsAre("term4999", "人工智能"));
  }
}

}  // namespace
}  // namespace herald
