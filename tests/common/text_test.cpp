#include "common/text.h"

#include <string>

#include <gtest/gtest.h>

#include "common/result.h"

namespace herald {
namespace {

TEST(TextTest, ValidUtf8IsRecognised) {
  EXPECT_TRUE(is_valid_utf8("人工智能 AI"));
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // lone surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE4\xBA"));          // truncated
}

TEST(TextTest, SanitizeReplacesInvalidBytesAndDropsNul) {
  EXPECT_EQ(sanitize_utf8(std::string("a\0b", 3)), "ab");
  EXPECT_EQ(sanitize_utf8("x\xC0\xAFy"), "x\xEF\xBF\xBD\xEF\xBF\xBDy");
  EXPECT_EQ(sanitize_utf8("政策\xFF"), "政策\xEF\xBF\xBD");
  EXPECT_TRUE(is_valid_utf8(sanitize_utf8("\xED\xA0\x80\xE4\xBA")));
}

TEST(TextTest, CollapseWhitespaceHandlesUnicodeSpaces) {
  EXPECT_EQ(collapse_whitespace("  2023年\u3000 11月\n\t7日 "), "2023年 11月 7日");
  EXPECT_EQ(collapse_whitespace("\u00A0title\u00A0"), "title");
  EXPECT_EQ(collapse_whitespace(""), "");
}

TEST(TextTest, TruncateNeverSplitsASequence) {
  const std::string cut = truncate_utf8("人工智能大模型", 10);
  EXPECT_TRUE(is_valid_utf8(cut));
  EXPECT_LE(cut.size(), 10u);
  EXPECT_EQ(cut, "人工\xE2\x80\xA6");
  EXPECT_EQ(truncate_utf8("short", 10), "short");
}

TEST(TextTest, StripControlsRemovesEscapes) {
  EXPECT_EQ(strip_controls("a\x1b[31mb\tc\x7f"), "a[31mb c");
}

TEST(TextTest, Sha256MatchesKnownVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ResultTest, ErrorCodeNamesAreStable) {
  EXPECT_EQ(error_code_name(ErrorCode::kHttp4xx), "http_4xx");
  EXPECT_EQ(error_code_name(ErrorCode::kNoMatch), "no_match");
  EXPECT_EQ(error_code_name(ErrorCode::kStorage), "db_error");
}

}  // namespace
}  // namespace herald
