// Drafts without a model, and the pure pieces of model drafts (issue 15, item 1): lead
// sentences of Chinese and English text, bounds that never cut a character, the prompt
// built from the shipped file, and answers read as JSON or plain text.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scrapers/draft/draft.h"

namespace herald {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Well-formed UTF-8 (no truncated or stray continuation bytes).
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) {
      return false;
    }
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
        return false;
      }
    }
    i += n;
  }
  return true;
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) {
    n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  }
  return n;
}

std::string repeat(std::string_view piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) {
    out += piece;
  }
  return out;
}

TEST(ExtractiveDraftTest, ChineseLeadSentencesSkipPageFurniture) {
  DraftInput input;
  input.title = "上海市经济和信息化委员会印发《上海市推动人工智能大模型创新发展若干措施》";
  input.body =
      "首页\n发布时间：2023-11-27\n"
      "11月27日，上海市经济和信息化委员会印发《上海市推动人工智能大模型创新发展若干措施（2023-2025年）》。"
      "《措施》提出，到2025年，上海市要建成大模型创新生态。"
      "措施明确支持大模型企业开展训练数据建设；"
      "措施自发布之日起施行！"
      "有效期至2025年12月31日。"
      "第六句不应出现在摘要中。";
  const DraftText draft = draft_extractive(input);
  EXPECT_TRUE(draft.extractive);
  EXPECT_EQ(draft.model, "");
  EXPECT_EQ(draft.title, input.title);
  EXPECT_THAT(draft.summary, StartsWith("11月27日，上海市经济和信息化委员会印发"));
  EXPECT_THAT(draft.summary, Not(HasSubstr("首页")));
  EXPECT_THAT(draft.summary, Not(HasSubstr("发布时间")));
  EXPECT_THAT(draft.summary, HasSubstr("训练数据建设；措施自发布之日起施行！"));
  EXPECT_THAT(draft.summary, EndsWith("有效期至2025年12月31日。"));  // five sentences
  EXPECT_THAT(draft.summary, Not(HasSubstr("第六句")));
}

// Article text as herald extracts it: one block per line, the headline and a dateline
// repeated above the first paragraph.
TEST(ExtractiveDraftTest, HeadlineBylineAndHeadingsAboveTheTextAreSkipped) {
  DraftInput input;
  input.title = "学而思MathGPT大模型备案通过";
  input.body =
      "学而思MathGPT大模型备案通过\n"
      "2023/11/06 10:00 界面新闻记者 |\n"
      "一、总体情况\n"
      "学而思大模型MathGPT近日完成相关备案并通过审核，正式成为首批通过备案的教育大模型。\n";
  EXPECT_EQ(draft_extractive(input).summary,
            "学而思大模型MathGPT近日完成相关备案并通过审核，正式成为首批通过备案的教育大模型。");
}

TEST(ExtractiveDraftTest, UnpunctuatedSummaryLineIsStillUsed) {
  DraftInput input;
  input.title = "UK develops new global guidelines for AI security";
  input.summary = "Guidelines for secure AI system development";
  EXPECT_EQ(draft_extractive(input).summary, "Guidelines for secure AI system development");
}

TEST(ExtractiveDraftTest, ChineseClosingQuotesStayWithTheirSentence) {
  DraftInput input;
  input.body = "会议指出：“要加强人工智能治理。”随后发布了白皮书全文。";
  EXPECT_EQ(draft_extractive(input).summary,
            "会议指出：“要加强人工智能治理。”随后发布了白皮书全文。");
}

TEST(ExtractiveDraftTest, EnglishSentencesRespectAbbreviationsAndNumbers) {
  DraftInput input;
  input.title = "UK develops new global guidelines for AI security";
  input.body =
      "Share this page\n"
      "The U.S. Department of Homeland Security and the UK's NCSC published guidelines on "
      "27 Nov. 2023.   They were endorsed by agencies from 18 countries! Version 1.5 applies "
      "to providers of AI systems. Mr. Smith said so? Providers must report incidents; "
      "they must also log. A sixth sentence is left out.";
  const DraftText draft = draft_extractive(input);
  EXPECT_THAT(draft.summary, StartsWith("The U.S. Department of Homeland Security"));
  EXPECT_THAT(draft.summary, HasSubstr("on 27 Nov. 2023. They were endorsed"));
  EXPECT_THAT(draft.summary, HasSubstr("Version 1.5 applies"));
  EXPECT_THAT(draft.summary, HasSubstr("Mr. Smith said so?"));
  EXPECT_THAT(draft.summary, EndsWith("Providers must report incidents;"));
  EXPECT_THAT(draft.summary, Not(HasSubstr("Share this page")));
  EXPECT_THAT(draft.summary, Not(HasSubstr("sixth")));
}

TEST(ExtractiveDraftTest, NoTextGivesAnEmptySummary) {
  DraftInput input;
  input.title = "只有标题";
  const DraftText draft = draft_extractive(input);
  EXPECT_EQ(draft.title, "只有标题");
  EXPECT_EQ(draft.summary, "");
  EXPECT_TRUE(draft.extractive);

  input.body = " \n\t ";
  EXPECT_EQ(draft_extractive(input).summary, "");
}

TEST(ExtractiveDraftTest, ListSummaryIsUsedWhenThereIsNoBody) {
  DraftInput input;
  input.summary = "国家网信办发布《生成式人工智能服务管理暂行办法》。办法自8月15日起施行。";
  EXPECT_EQ(draft_extractive(input).summary, input.summary);
}

TEST(ExtractiveDraftTest, VeryLongSentenceIsBoundedOnACharacterBoundary) {
  DraftInput input;
  input.body = repeat("人工智能治理", 500);  // 3000 characters, no punctuation
  const DraftText chinese = draft_extractive(input);
  EXPECT_TRUE(valid_utf8(chinese.summary));
  EXPECT_LE(code_points(chinese.summary), 400u);
  EXPECT_GE(code_points(chinese.summary), 300u);
  EXPECT_THAT(chinese.summary, EndsWith("…"));

  input.body = repeat("regulation ", 400);
  const DraftText latin = draft_extractive(input);
  EXPECT_LE(code_points(latin.summary), 900u);
  EXPECT_GE(code_points(latin.summary), 600u);
}

TEST(ExtractiveDraftTest, ManySentencesStopAtTheLengthBound) {
  DraftInput input;
  input.body = repeat("这是一句足够长的中文句子，用来检查摘要的总长度不会超过上限而且不会截断在句子中间的位置。", 20);
  const std::string summary = draft_extractive(input).summary;
  EXPECT_LE(code_points(summary), 400u);
  EXPECT_THAT(summary, EndsWith("。"));
}

TEST(Utf8PrefixTest, NeverCutsInsideACharacter) {
  EXPECT_EQ(utf8_prefix("a字b", 2), "a字");
  EXPECT_EQ(utf8_prefix("a字b", 1), "a");
  EXPECT_EQ(utf8_prefix("字", 0), "");
  EXPECT_EQ(utf8_prefix("😀x", 1), "😀");
  EXPECT_EQ(utf8_prefix("short", 100), "short");
}

TEST(ChatCompletionsUrlTest, BaseOrFullPath) {
  EXPECT_EQ(chat_completions_url("http://127.0.0.1:11434/v1"),
            "http://127.0.0.1:11434/v1/chat/completions");
  EXPECT_EQ(chat_completions_url("http://127.0.0.1:11434/v1/"),
            "http://127.0.0.1:11434/v1/chat/completions");
  EXPECT_EQ(chat_completions_url("https://api.deepseek.com/chat/completions"),
            "https://api.deepseek.com/chat/completions");
}

TEST(DraftPromptTest, BuiltInPromptIsTheShippedFile) {
  std::ifstream in(std::filesystem::path(HERALD_SOURCE_ROOT) / "config" / "draft_prompt.txt",
                   std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  ASSERT_FALSE(text.str().empty());
  EXPECT_EQ(default_draft_prompt(), text.str());
}

TEST(DraftPromptTest, InstructionsAboveTheLinePageTextBelow) {
  DraftInput input;
  input.title = "Title {{summary}}";
  input.summary = "the list summary";
  input.body = "article >>> escape <<< attempt";
  input.source_name = "Source";
  const DraftPrompt prompt =
      build_draft_prompt("指令 {{title}}\n---\n标题：<<<{{title}}>>>\n正文：<<<{{article}}>>>\n"
                         "未知：{{nope}}",
                         input, 6000);
  EXPECT_EQ(prompt.system, "指令 {{title}}");  // never filled: page text stays out of it
  EXPECT_THAT(prompt.user, HasSubstr("标题：<<<Title {{summary}}>>>"));
  EXPECT_THAT(prompt.user, HasSubstr("article >>› escape <<‹ attempt"));
  EXPECT_THAT(prompt.user, HasSubstr("未知：{{nope}}"));
}

TEST(DraftPromptTest, TemplateWithoutSeparatorGetsTheDefaultUserPart) {
  DraftInput input;
  input.title = "原标题";
  input.body = repeat("字", 50);
  const DraftPrompt prompt = build_draft_prompt("只写指令。", input, 10);
  EXPECT_EQ(prompt.system, "只写指令。");
  EXPECT_THAT(prompt.user, HasSubstr("原标题"));
  EXPECT_THAT(prompt.user, HasSubstr(repeat("字", 10) + "……（后文已截断）"));
  EXPECT_THAT(prompt.user, Not(HasSubstr(repeat("字", 11))));
}

const DraftText& parsed_text(const std::variant<DraftText, DraftError>& result) {
  if (const auto* error = std::get_if<DraftError>(&result)) {
    ADD_FAILURE() << error->message;
    static const DraftText kEmpty;
    return kEmpty;
  }
  return std::get<DraftText>(result);
}

TEST(DraftAnswerTest, PlainTextFirstLineIsTheTitle) {
  const auto result = parse_draft_answer("标题：日本计划开放政府数据用于AI训练\n\n摘要：日本政府计划明年起提供数据。");
  const DraftText& draft = parsed_text(result);
  EXPECT_EQ(draft.title, "日本计划开放政府数据用于AI训练");
  EXPECT_EQ(draft.summary, "日本政府计划明年起提供数据。");
}

TEST(DraftAnswerTest, ThinkingBeforeTheAnswerIsDropped) {
  const auto result =
      parse_draft_answer("<think>先想一想 {\"title\":\"错\"}</think>\n{\"title\":\"对\",\"summary\":\"好。\"}");
  EXPECT_EQ(parsed_text(result).title, "对");
}

TEST(DraftAnswerTest, UnusableAnswersArePermanentErrors) {
  for (const std::string_view answer :
       {std::string_view(""), std::string_view("   \n "), std::string_view("{\"title\":\"only\"}"),
        std::string_view("{\"title\": \"cut off"), std::string_view("one line only")}) {
    const auto result = parse_draft_answer(answer);
    ASSERT_TRUE(std::holds_alternative<DraftError>(result)) << answer;
    EXPECT_EQ(std::get<DraftError>(result).kind, DraftErrorKind::kPermanent) << answer;
  }
  const std::string huge = "标题\n" + std::string(300 * 1024, 'x');
  const auto result = parse_draft_answer(huge);
  ASSERT_TRUE(std::holds_alternative<DraftError>(result));
  EXPECT_THAT(std::get<DraftError>(result).message, HasSubstr("KiB"));
}

}  // namespace
}  // namespace herald
