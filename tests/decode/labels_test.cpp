#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "scrapers/decode/decode.h"

namespace herald {
namespace {

struct LabelCase {
  std::string label{};
  std::string charset{};
};

// WHATWG Encoding Standard labels, mapped to the glibc iconv names herald decodes with.
const std::vector<LabelCase>& label_cases() {
  static const std::vector<LabelCase> cases = {
      {"gb2312", "GB18030"},
      {"gbk", "GB18030"},
      {"x-gbk", "GB18030"},
      {"gb_2312-80", "GB18030"},
      {"chinese", "GB18030"},
      {"csgb2312", "GB18030"},
      {"iso-ir-58", "GB18030"},
      {"gb18030", "GB18030"},
      {"shift_jis", "WINDOWS-31J"},
      {"sjis", "WINDOWS-31J"},
      {"x-sjis", "WINDOWS-31J"},
      {"ms932", "WINDOWS-31J"},
      {"windows-31j", "WINDOWS-31J"},
      {"ms_kanji", "WINDOWS-31J"},
      {"csshiftjis", "WINDOWS-31J"},
      {"big5", "BIG5-HKSCS"},
      {"big5-hkscs", "BIG5-HKSCS"},
      {"x-x-big5", "BIG5-HKSCS"},
      {"euc-jp", "EUC-JP"},
      {"euc-kr", "CP949"},
      {"ks_c_5601-1987", "CP949"},
      {"windows-949", "CP949"},
      {"utf-8", "UTF-8"},
      {"utf8", "UTF-8"},
      {"unicode-1-1-utf-8", "UTF-8"},
      {"utf-16le", "UTF-16LE"},
      {"utf-16", "UTF-16LE"},
      {"utf-16be", "UTF-16BE"},
      {"iso-8859-1", "WINDOWS-1252"},
      {"latin1", "WINDOWS-1252"},
      {"us-ascii", "WINDOWS-1252"},
      {"ascii", "WINDOWS-1252"},
      {"windows-1252", "WINDOWS-1252"},
      {"iso-8859-2", "ISO-8859-2"},
      {"iso-8859-15", "ISO-8859-15"},
      {"iso-8859-9", "WINDOWS-1254"},
      {"windows-1251", "WINDOWS-1251"},
      {"cp1250", "WINDOWS-1250"},
      {"koi8-r", "KOI8-R"},
      {"koi8-u", "KOI8-U"},
      {"iso-2022-jp", "ISO-2022-JP"},
      {"tis-620", "WINDOWS-874"},
  };
  return cases;
}

TEST(CanonicalCharsetTest, MapsWhatwgLabelsToIconvNames) {
  for (const LabelCase& c : label_cases()) {
    SCOPED_TRACE(c.label);
    EXPECT_EQ(canonical_charset(c.label), std::optional<std::string>(c.charset));
  }
}

// Every name the table produces must be one glibc iconv can open, or the label would be
// accepted here and then fail at decode time. A forced charset fails only when it cannot.
TEST(CanonicalCharsetTest, EveryMappedNameOpensInIconv) {
  for (const LabelCase& c : label_cases()) {
    SCOPED_TRACE(c.label);
    auto page = decode_to_utf8("plain ascii", "", c.label);
    ASSERT_TRUE(page.has_value()) << page.error().message;
    EXPECT_EQ(page->charset, c.charset);
    EXPECT_EQ(page->charset_origin, "forced");
  }
}

TEST(CanonicalCharsetTest, IgnoresCaseWhitespaceAndQuotes) {
  EXPECT_EQ(canonical_charset("GB2312"), "GB18030");
  EXPECT_EQ(canonical_charset("  Shift_JIS\t"), "WINDOWS-31J");
  EXPECT_EQ(canonical_charset("\"gbk\""), "GB18030");
  EXPECT_EQ(canonical_charset("'UTF-8'"), "UTF-8");
  EXPECT_EQ(canonical_charset(" \" Big5 \" "), "BIG5-HKSCS");
}

TEST(CanonicalCharsetTest, UnknownLabelsAreRejected) {
  EXPECT_EQ(canonical_charset(""), std::nullopt);
  EXPECT_EQ(canonical_charset("   "), std::nullopt);
  EXPECT_EQ(canonical_charset("\"\""), std::nullopt);
  EXPECT_EQ(canonical_charset("klingon"), std::nullopt);
  EXPECT_EQ(canonical_charset("utf-7"), std::nullopt);
  EXPECT_EQ(canonical_charset("gb2312x"), std::nullopt);
  EXPECT_EQ(canonical_charset("x-user-defined"), std::nullopt);
}

TEST(CharsetFromContentTypeTest, ExtractsTheCharsetParameter) {
  EXPECT_EQ(charset_from_content_type("text/html; charset=GBK"), "GBK");
  EXPECT_EQ(charset_from_content_type("text/html;charset=utf-8"), "utf-8");
  EXPECT_EQ(charset_from_content_type("text/html; CHARSET = \"gb2312\" "), "gb2312");
  EXPECT_EQ(charset_from_content_type("application/xml; q=1; charset='Shift_JIS'"), "Shift_JIS");
}

TEST(CharsetFromContentTypeTest, NoCharsetParameterGivesNothing) {
  EXPECT_EQ(charset_from_content_type(""), std::nullopt);
  EXPECT_EQ(charset_from_content_type("text/html"), std::nullopt);
  EXPECT_EQ(charset_from_content_type("text/html; charset="), std::nullopt);
  EXPECT_EQ(charset_from_content_type("text/html; x-charset=gbk"), std::nullopt);
  EXPECT_EQ(charset_from_content_type("text/html; boundary=charset=gbk"), std::nullopt);
}

}  // namespace
}  // namespace herald
