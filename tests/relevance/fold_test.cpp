#include "scrapers/relevance/fold.h"

#include <gtest/gtest.h>

namespace herald {
namespace {

TEST(FoldTextTest, AppliesNfkcAndUnicodeCaseFolding) {
  EXPECT_EQ(fold_text("ＡＩ"), "ai");                       // full-width ASCII
  EXPECT_EQ(fold_text("ｶﾀｶﾅ"), "カタカナ");                 // half-width katakana
  EXPECT_EQ(fold_text("ﾃﾞｨｰﾌﾟﾌｪｲｸ"), "ディープフェイク");   // with voiced marks composed
  EXPECT_EQ(fold_text("KÜNSTLICHE INTELLIGENZ"), "künstliche intelligenz");
  EXPECT_EQ(fold_text("Straße"), "strasse");
  EXPECT_EQ(fold_text("Ｇｅｎ ＡＩ　２０２３"), "gen ai 2023");  // U+3000 becomes a space
}

TEST(FoldTextTest, ComposesDecomposedAccents) {
  EXPECT_EQ(fold_text("Re\xCC\x81gulation"), fold_text("Régulation"));  // e + U+0301
}

TEST(FoldTextTest, RemovesDefaultIgnorables) {
  EXPECT_EQ(fold_text("人工\u200B智能"), "人工智能");  // ZERO WIDTH SPACE
  EXPECT_EQ(fold_text("deep\u00ADfake"), "deepfake");   // SOFT HYPHEN
}

TEST(FoldTextTest, RepairsInvalidUtf8InsteadOfGivingUp) {
  EXPECT_EQ(fold_text("AI\xFF规则"), "ai\xEF\xBF\xBD规则");
  EXPECT_EQ(fold_text(""), "");
}

TEST(FoldTextTest, ClassifiesWordCharacters) {
  EXPECT_TRUE(is_alphabetic_word_char(U'a'));
  EXPECT_TRUE(is_alphabetic_word_char(U'é'));
  EXPECT_TRUE(is_alphabetic_word_char(U'7'));
  EXPECT_TRUE(is_alphabetic_word_char(U'_'));
  EXPECT_FALSE(is_alphabetic_word_char(U'大'));
  EXPECT_FALSE(is_alphabetic_word_char(U'カ'));
  EXPECT_FALSE(is_alphabetic_word_char(U'-'));
  EXPECT_TRUE(is_letter_or_number(U'大'));
  EXPECT_FALSE(is_letter_or_number(U'《'));
  EXPECT_FALSE(is_letter_or_number(U'　'));
}

TEST(FoldTextTest, DecodesNeighbouringCodePoints) {
  const std::string_view text = "AI大模型";
  std::size_t length = 0;
  EXPECT_EQ(code_point_at(text, 2, length), U'大');
  EXPECT_EQ(length, 3u);
  EXPECT_EQ(code_point_before(text, 5), U'大');
  EXPECT_EQ(code_point_before(text, 2), U'I');
  EXPECT_EQ(code_point_at("\xFF", 0, length), U'\uFFFD');
  EXPECT_EQ(length, 1u);
}

}  // namespace
}  // namespace herald

namespace herald {
namespace {

TEST(FoldTextTest, AsciiFoldsAsUtf8procWould) {
  // ASCII text skips utf8proc; with a CJK character appended it goes through utf8proc,
  // which must have folded the ASCII part identically.
  std::string ascii;
  for (int c = 1; c < 0x80; ++c) ascii.push_back(static_cast<char>(c));
  EXPECT_EQ(fold_text(ascii) + "中", fold_text(ascii + "中"));
  EXPECT_EQ(fold_text("Large Language MODEL"), "large language model");
}

}  // namespace
}  // namespace herald
