#include <iconv.h>

#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "common/text.h"
#include "scrapers/decode/decode.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

using testing::read_fixture;

constexpr std::string_view kFffd = "\xEF\xBF\xBD";
constexpr std::nullopt_t kNoForce = std::nullopt;

const std::string kBeijing = "decode/beijing-gov-homepage-2018-03.html";
const std::string kBeijingUtf8 = "decode/beijing-gov-homepage-2018-03.utf8.html";
const std::string kRtfund = "decode/rtfund-xxpl-list-2020-07.html";
const std::string kRtfundUtf8 = "decode/rtfund-xxpl-list-2020-07.utf8.html";
const std::string kNetease = "decode/netease-rolling-news-list-2020.html";
const std::string kNeteaseUtf8 = "decode/netease-rolling-news-list-2020.utf8.html";

// Test-side conversion (UTF-8 golden -> UTF-16 bytes), independent of the code under test.
std::string encode_from_utf8(const std::string& utf8, const char* to) {
  struct Close {
    void operator()(void* cd) const noexcept { iconv_close(static_cast<iconv_t>(cd)); }
  };
  iconv_t raw = iconv_open(to, "UTF-8");
  if (raw == reinterpret_cast<iconv_t>(-1)) throw std::runtime_error("iconv_open failed");
  std::unique_ptr<void, Close> cd(raw);
  std::string out(utf8.size() * 4 + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size();
  char* dst = out.data();
  std::size_t dst_left = out.size();
  if (iconv(raw, &in, &in_left, &dst, &dst_left) == static_cast<std::size_t>(-1)) {
    throw std::runtime_error("test encoding failed");
  }
  out.resize(out.size() - dst_left);
  return out;
}

std::size_t count_of(std::string_view haystack, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t pos = haystack.find(needle); pos != std::string_view::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

// Compares whole pages without dumping hundreds of kilobytes: reports the sizes and the
// first differing byte with some context.
::testing::AssertionResult same_text(const std::string& got, const std::string& want) {
  if (got == want) return ::testing::AssertionSuccess();
  std::size_t at = 0;
  while (at < got.size() && at < want.size() && got[at] == want[at]) ++at;
  const std::size_t from = at > 40 ? at - 40 : 0;
  return ::testing::AssertionFailure()
         << "sizes " << got.size() << " vs " << want.size() << ", first difference at byte " << at
         << "\n got: " << ::testing::PrintToString(got.substr(from, 100))
         << "\nwant: " << ::testing::PrintToString(want.substr(from, 100));
}

// From the first occurrence of an ASCII marker: the same text in both encodings.
std::string from_marker(const std::string& s, std::string_view marker) {
  const std::size_t pos = s.find(marker);
  if (pos == std::string::npos) throw std::runtime_error("marker not found");
  return s.substr(pos);
}

std::string insert_before(std::string s, std::string_view marker, std::string_view what) {
  const std::size_t pos = s.find(marker);
  if (pos == std::string::npos) throw std::runtime_error("marker not found");
  s.insert(pos, what);
  return s;
}

// --- declared charsets ---------------------------------------------------------------

TEST(DecodeTest, HeaderCharsetIsHonoured) {
  auto page = decode_to_utf8(read_fixture(kRtfund), "text/html; charset=GBK", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(page->utf8, read_fixture(kRtfundUtf8)));
  EXPECT_EQ(page->charset, "GB18030");
  EXPECT_EQ(page->charset_origin, "http");
  EXPECT_FALSE(page->charset_suspect);
}

// beijing.gov.cn declares gb2312 in an http-equiv <meta> that follows a
// <script charset="utf-8"> and several comments; the script attribute must not win.
TEST(DecodeTest, MetaPrescanFindsCharsetWhenThereIsNoHeader) {
  auto page = decode_to_utf8(read_fixture(kBeijing), "text/html", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(page->utf8, read_fixture(kBeijingUtf8)));
  EXPECT_EQ(page->charset, "GB18030");
  EXPECT_EQ(page->charset_origin, "meta");
  EXPECT_FALSE(page->charset_suspect);
}

// The page says gb2312 but uses GBK-only characters (A1A4 '·', A1AA '—'); a strict
// GB2312 decoder would turn them into other characters or U+FFFD.
TEST(DecodeTest, Gb2312LabelDecodesGbkOnlyCharacters) {
  auto page = decode_to_utf8(read_fixture(kBeijing), "text/html; charset=gb2312", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_EQ(page->charset_origin, "http");
  EXPECT_EQ(count_of(page->utf8, kFffd), 0u);
  EXPECT_NE(page->utf8.find("<span>\xC2\xB7</span>"), std::string::npos);  // U+00B7
  EXPECT_NE(page->utf8.find("\xE2\x80\x94"), std::string::npos);           // U+2014
  EXPECT_EQ(count_of(page->utf8, "\xC2\xB7"), count_of(read_fixture(kBeijingUtf8), "\xC2\xB7"));
}

// netease is large (300 KB) and contains '©', which only GB18030's four-byte form encodes.
TEST(DecodeTest, LargeGb18030PageWithFourByteSequenceMatchesGolden) {
  auto page = decode_to_utf8(read_fixture(kNetease), "text/html; charset=gb2312", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(page->utf8, read_fixture(kNeteaseUtf8)));
  EXPECT_NE(page->utf8.find("\xC2\xA9"), std::string::npos);
  EXPECT_EQ(page->charset, "GB18030");
}

TEST(DecodeTest, Html5MetaCharsetAttributeIsFound) {
  const std::string bytes = read_fixture("decode/dfa66-announcement-list-2020-07.html");

  auto page = decode_to_utf8(bytes, "", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(page->utf8, bytes));
  EXPECT_EQ(page->charset, "UTF-8");
  EXPECT_EQ(page->charset_origin, "meta");
  EXPECT_FALSE(page->charset_suspect);
}

struct FeedCase {
  std::string raw{};
  std::string golden{};
  std::string charset{};
};

class XmlDeclarationTest : public ::testing::TestWithParam<FeedCase> {};

// The chardet corpus feeds, in their original bytes, declare their encoding only in
// <?xml ... encoding="..."?>.
TEST_P(XmlDeclarationTest, FeedDecodesToGolden) {
  const FeedCase& c = GetParam();

  auto page = decode_to_utf8(read_fixture("decode/" + c.raw), "", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_EQ(page->charset, c.charset);
  EXPECT_EQ(page->charset_origin, "xml");
  EXPECT_FALSE(page->charset_suspect);
  EXPECT_EQ(count_of(page->utf8, kFffd), 0u);
  EXPECT_TRUE(same_text(page->utf8, read_fixture("decode/" + c.golden)));
}

INSTANTIATE_TEST_SUITE_P(
    ChardetCorpus, XmlDeclarationTest,
    ::testing::Values(
        FeedCase{"cnblog-org-rss092-2004.gb2312.xml", "cnblog-org-rss092-2004.utf8.xml", "GB18030"},
        FeedCase{"softsea-net-rss20-2005-12-29.gb2312.xml", "softsea-net-rss20-2005-12-29.utf8.xml",
                 "GB18030"},
        FeedCase{"sinica-edu-tw-atom03-2005.big5.xml", "sinica-edu-tw-atom03-2005.utf8.xml",
                 "BIG5-HKSCS"},
        // Has CP950 punctuation (A1FE '／') that glibc's BIG5-HKSCS table lacks.
        FeedCase{"coolloud-org-tw-rss10-2005-12-31.big5.xml",
                 "coolloud-org-tw-rss10-2005-12-31.utf8.xml", "BIG5-HKSCS"},
        FeedCase{"setsuzei119-jp-atom03-2005.shift_jis.xml", "setsuzei119-jp-atom03-2005.utf8.xml",
                 "WINDOWS-31J"},
        FeedCase{"kabu-navi-atom03-2005.euc-jp.xml", "kabu-navi-atom03-2005.utf8.xml", "EUC-JP"}),
    [](const ::testing::TestParamInfo<FeedCase>& info) {
      std::string name = info.param.raw.substr(0, info.param.raw.find('-'));
      return name;
    });

// --- wrong labels ----------------------------------------------------------------------

TEST(DecodeTest, HeaderSaysUtf8ButBodyIsGbkUsesMetaAndFlagsSuspect) {
  auto page = decode_to_utf8(read_fixture(kRtfund), "text/html; charset=utf-8", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(page->utf8, read_fixture(kRtfundUtf8)));
  EXPECT_EQ(page->charset, "GB18030");
  EXPECT_EQ(page->charset_origin, "meta");
  EXPECT_TRUE(page->charset_suspect);
}

TEST(DecodeTest, HeaderSaysUtf8ButBodyIsGbkWithoutMetaIsDetected) {
  const std::string body = from_marker(read_fixture(kBeijing), "<body");

  auto page = decode_to_utf8(body, "text/html; charset=UTF-8", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(page->utf8, from_marker(read_fixture(kBeijingUtf8), "<body")));
  EXPECT_EQ(page->charset, "GB18030");
  EXPECT_EQ(page->charset_origin, "detected");
  EXPECT_TRUE(page->charset_suspect);
}

// The .utf8.html golden still carries the page's <meta charset=gb2312>: a CMS that
// re-saved a page as UTF-8 without fixing its meta. GB18030 would "decode" it into
// nonsense with only a few errors; well-formed UTF-8 must win.
TEST(DecodeTest, LegacyMetaOnUtf8BytesPrefersUtf8AndFlagsSuspect) {
  const std::string bytes = read_fixture(kBeijingUtf8);

  auto page = decode_to_utf8(bytes, "text/html", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(page->utf8, bytes));
  EXPECT_EQ(page->charset, "UTF-8");
  EXPECT_TRUE(page->charset_suspect);
}

TEST(DecodeTest, LegacyHeaderOnUtf8BytesPrefersUtf8AndFlagsSuspect) {
  const std::string bytes = read_fixture(kRtfundUtf8);

  auto page = decode_to_utf8(bytes, "text/html; charset=gbk", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(page->utf8, bytes));
  EXPECT_EQ(page->charset, "UTF-8");
  EXPECT_TRUE(page->charset_suspect);
}

// "charset=utf-16" over ASCII-compatible bytes would turn every pair of letters into one
// CJK character; the header is ignored and the page's own <meta> decides.
TEST(DecodeTest, Utf16HeaderOnAsciiCompatibleBytesIsIgnored) {
  const std::string bytes = read_fixture("decode/dfa66-announcement-list-2020-07.html");

  auto page = decode_to_utf8(bytes, "text/html; charset=utf-16", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(page->utf8, bytes));
  EXPECT_EQ(page->charset, "UTF-8");
  EXPECT_EQ(page->charset_origin, "meta");
  EXPECT_TRUE(page->charset_suspect);
}

// Big5 bytes under a Shift_JIS label: many pairs are invalid in CP932, so uchardet is asked.
TEST(DecodeTest, LegacyLabelThatRejectsManyBytesIsRedetected) {
  const std::string body =
      from_marker(read_fixture("decode/sinica-edu-tw-atom03-2005.big5.xml"), "<feed");

  auto page = decode_to_utf8(body, "application/atom+xml; charset=Shift_JIS", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(
      page->utf8, from_marker(read_fixture("decode/sinica-edu-tw-atom03-2005.utf8.xml"), "<feed")));
  EXPECT_EQ(page->charset, "BIG5-HKSCS");
  EXPECT_EQ(page->charset_origin, "detected");
  EXPECT_TRUE(page->charset_suspect);
}

TEST(DecodeTest, GbkBytesLabelledBig5AreRedetected) {
  auto page = decode_to_utf8(read_fixture(kBeijing), "text/html; charset=big5", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(page->utf8, read_fixture(kBeijingUtf8)));
  EXPECT_EQ(page->charset, "GB18030");
  EXPECT_TRUE(page->charset_suspect);
}

// --- no label at all ----------------------------------------------------------------

TEST(DecodeTest, UnlabelledGbkIsDetectedAsGb18030) {
  const std::string body = from_marker(read_fixture(kBeijing), "<body");

  auto page = decode_to_utf8(body, "", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(page->utf8, from_marker(read_fixture(kBeijingUtf8), "<body")));
  EXPECT_EQ(page->charset, "GB18030");
  EXPECT_EQ(page->charset_origin, "detected");
  EXPECT_FALSE(page->charset_suspect);
}

TEST(DecodeTest, UnlabelledShiftJisIsDetected) {
  const std::string body =
      from_marker(read_fixture("decode/setsuzei119-jp-atom03-2005.shift_jis.xml"), "<feed");

  auto page = decode_to_utf8(body, "application/atom+xml", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(
      same_text(page->utf8,
                from_marker(read_fixture("decode/setsuzei119-jp-atom03-2005.utf8.xml"), "<feed")));
  EXPECT_EQ(page->charset, "WINDOWS-31J");
  EXPECT_EQ(page->charset_origin, "detected");
}

TEST(DecodeTest, UnlabelledEucJpIsDetected) {
  const std::string body =
      from_marker(read_fixture("decode/kabu-navi-atom03-2005.euc-jp.xml"), "<feed");

  auto page = decode_to_utf8(body, "", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(
      page->utf8, from_marker(read_fixture("decode/kabu-navi-atom03-2005.utf8.xml"), "<feed")));
  EXPECT_EQ(page->charset, "EUC-JP");
  EXPECT_EQ(page->charset_origin, "detected");
}

TEST(DecodeTest, UnlabelledBig5IsDetected) {
  const std::string body =
      from_marker(read_fixture("decode/sinica-edu-tw-atom03-2005.big5.xml"), "<feed");

  auto page = decode_to_utf8(body, "", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(
      page->utf8, from_marker(read_fixture("decode/sinica-edu-tw-atom03-2005.utf8.xml"), "<feed")));
  EXPECT_EQ(page->charset, "BIG5-HKSCS");
  EXPECT_EQ(page->charset_origin, "detected");
}

TEST(DecodeTest, UnlabelledUtf8IsRecognisedWithoutGuessing) {
  const std::string body = from_marker(read_fixture(kBeijingUtf8), "<body");

  auto page = decode_to_utf8(body, "", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(page->utf8, body));
  EXPECT_EQ(page->charset, "UTF-8");
  EXPECT_EQ(page->charset_origin, "detected");
}

TEST(DecodeTest, UnlabelledAsciiDefaultsToUtf8) {
  const std::string raw = read_fixture(kRtfund);
  const std::string ascii_head = raw.substr(0, raw.find("<meta http-equiv=\"Content-Type\""));

  auto page = decode_to_utf8(ascii_head, "", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(page->utf8, ascii_head));
  EXPECT_EQ(page->charset, "UTF-8");
  EXPECT_EQ(page->charset_origin, "default");
}

// --- the 1024-byte prescan window ----------------------------------------------------

// rtfund's <meta charset=gb2312> sits at byte ~380 after an IE conditional comment. A
// further comment placed right after <head> moves it towards and past the window's end.
std::string with_head_comment(std::string page, std::size_t comment_bytes) {
  std::string comment = "<!--";
  comment.append(comment_bytes - 7, '-');
  comment += "-->";
  page.insert(page.find("<head>") + 6, comment);
  return page;
}

std::size_t meta_end(const std::string& bytes) {
  return bytes.find('>', bytes.find("<meta http-equiv=\"Content-Type\""));
}

TEST(DecodeTest, MetaAfterLongHeadCommentWithinWindowIsUsed) {
  const std::string bytes = with_head_comment(read_fixture(kRtfund), 600);
  ASSERT_LT(meta_end(bytes), 1024u);
  ASSERT_GT(meta_end(bytes), 950u);

  auto page = decode_to_utf8(bytes, "", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(page->utf8, with_head_comment(read_fixture(kRtfundUtf8), 600)));
  EXPECT_EQ(page->charset, "GB18030");
  EXPECT_EQ(page->charset_origin, "meta");
}

TEST(DecodeTest, MetaPastTheWindowIsIgnoredAndDetectionDecides) {
  const std::string bytes = with_head_comment(read_fixture(kRtfund), 700);
  ASSERT_GT(bytes.find("<meta http-equiv=\"Content-Type\""), 1024u);

  auto page = decode_to_utf8(bytes, "", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(page->utf8, with_head_comment(read_fixture(kRtfundUtf8), 700)));
  EXPECT_EQ(page->charset, "GB18030");
  EXPECT_EQ(page->charset_origin, "detected");
}

TEST(DecodeTest, MetaStraddlingTheWindowEdgeIsIgnored) {
  const std::string bytes = with_head_comment(read_fixture(kRtfund), 660);
  const std::size_t meta_start = bytes.find("<meta http-equiv=\"Content-Type\"");
  ASSERT_LT(meta_start, 1024u);
  ASSERT_GT(meta_end(bytes), 1024u);

  auto page = decode_to_utf8(bytes, "", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_EQ(page->charset_origin, "detected");
}

// --- byte order marks ----------------------------------------------------------------

TEST(DecodeTest, Utf8BomWinsOverHeaderAndIsStripped) {
  const std::string golden = read_fixture(kRtfundUtf8);

  auto page = decode_to_utf8("\xEF\xBB\xBF" + golden, "text/html; charset=gbk", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(page->utf8, golden));
  EXPECT_EQ(page->charset, "UTF-8");
  EXPECT_EQ(page->charset_origin, "bom");
}

TEST(DecodeTest, Utf16LeBomIsDecoded) {
  const std::string golden = read_fixture(kRtfundUtf8);
  const std::string bytes = "\xFF\xFE" + encode_from_utf8(golden, "UTF-16LE");

  auto page = decode_to_utf8(bytes, "text/html; charset=gb2312", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(page->utf8, golden));
  EXPECT_EQ(page->charset, "UTF-16LE");
  EXPECT_EQ(page->charset_origin, "bom");
}

TEST(DecodeTest, Utf16BeBomIsDecoded) {
  const std::string golden = read_fixture(kBeijingUtf8);
  const std::string bytes = "\xFE\xFF" + encode_from_utf8(golden, "UTF-16BE");

  auto page = decode_to_utf8(bytes, "", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(page->utf8, golden));
  EXPECT_EQ(page->charset, "UTF-16BE");
  EXPECT_EQ(page->charset_origin, "bom");
}

TEST(DecodeTest, Utf16WithOddTrailingByteEndsInReplacement) {
  const std::string golden = "<title>\xE4\xBF\xA1\xE6\x81\xAF</title>";  // 信息
  const std::string bytes = "\xFF\xFE" + encode_from_utf8(golden, "UTF-16LE") + "<";

  auto page = decode_to_utf8(bytes, "", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(page->utf8, golden + std::string(kFffd)));
}

TEST(DecodeTest, Utf16LoneSurrogateBecomesReplacement) {
  // "a", a lone high surrogate D800, "b" in UTF-16LE.
  const std::string bytes{'\xFF', '\xFE', 'a', '\0', '\x00', '\xD8', 'b', '\0'};

  auto page = decode_to_utf8(bytes, "", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(page->utf8, "a" + std::string(kFffd) + "b"));
}

// --- forced charset ------------------------------------------------------------------

TEST(DecodeTest, ForcedCharsetWinsOverHeaderAndMeta) {
  auto page = decode_to_utf8(read_fixture(kRtfund), "text/html; charset=utf-8",
                             std::optional<std::string>("GBK"));

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(page->utf8, read_fixture(kRtfundUtf8)));
  EXPECT_EQ(page->charset, "GB18030");
  EXPECT_EQ(page->charset_origin, "forced");
  EXPECT_FALSE(page->charset_suspect);
}

TEST(DecodeTest, ForcedUtf8OverridesLegacyMeta) {
  const std::string bytes = read_fixture(kBeijingUtf8);  // says gb2312, is UTF-8

  auto page = decode_to_utf8(bytes, "", std::optional<std::string>("utf-8"));

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(page->utf8, bytes));
  EXPECT_EQ(page->charset_origin, "forced");
  EXPECT_FALSE(page->charset_suspect);
}

TEST(DecodeTest, ForcedCharsetWinsOverBom) {
  // A UTF-8 BOM read as windows-1252 is "ï»¿": the operator's setting is obeyed literally.
  auto page = decode_to_utf8("\xEF\xBB\xBFok", "", std::optional<std::string>("windows-1252"));

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(page->utf8, "\xC3\xAF\xC2\xBB\xC2\xBFok"));
  EXPECT_EQ(page->charset_origin, "forced");
}

TEST(DecodeTest, ForcedCharsetThatRejectsTheBytesIsFlagged) {
  auto page = decode_to_utf8(read_fixture(kRtfund), "", std::optional<std::string>("utf-8"));

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_EQ(page->charset, "UTF-8");
  EXPECT_TRUE(page->charset_suspect);
  EXPECT_TRUE(is_valid_utf8(page->utf8));
  EXPECT_GT(count_of(page->utf8, kFffd), 100u);
}

TEST(DecodeTest, UnknownForcedCharsetIsADecodeError) {
  auto page = decode_to_utf8("abc", "", std::optional<std::string>("klingon-8"));

  ASSERT_FALSE(page.has_value());
  EXPECT_EQ(page.error().code, ErrorCode::kDecode);
  EXPECT_NE(page.error().message.find("klingon-8"), std::string::npos);
}

// --- invalid bytes -------------------------------------------------------------------

// Overlong '/' and an encoded surrogate, injected into a real UTF-8 page: each ill-formed
// byte becomes U+FFFD, nothing around them is lost, and the page stays UTF-8.
TEST(DecodeTest, InvalidUtf8SequencesBecomeReplacementCharacters) {
  const std::string golden = read_fixture(kRtfundUtf8);
  const std::string bytes =
      insert_before(insert_before(golden, "</title>", "\xC0\xAF"), "</head>", "\xED\xA0\x80");

  auto page = decode_to_utf8(bytes, "text/html; charset=utf-8", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(is_valid_utf8(page->utf8));
  EXPECT_EQ(page->charset, "UTF-8");
  EXPECT_FALSE(page->charset_suspect);
  EXPECT_EQ(count_of(page->utf8, kFffd), 5u);
  const std::string two = std::string(kFffd) + std::string(kFffd);
  EXPECT_NE(page->utf8.find(two + "</title>"), std::string::npos);
  EXPECT_NE(page->utf8.find(two + std::string(kFffd) + "</head>"), std::string::npos);
  EXPECT_EQ(page->utf8.size(), golden.size() + 5 * kFffd.size());
}

// A stray 0xFF and a lead byte cut off by '<' in GBK text: one U+FFFD each, and the '<'
// that followed the lead byte survives.
TEST(DecodeTest, InvalidGbkBytesBecomeReplacementWithoutEatingMarkup) {
  std::string bytes = read_fixture(kRtfund);
  bytes = insert_before(bytes, "</title>", "\xC8");
  bytes = insert_before(bytes, "</head>", "\xFF");
  std::string golden = read_fixture(kRtfundUtf8);
  golden = insert_before(golden, "</title>", kFffd);
  golden = insert_before(golden, "</head>", kFffd);

  auto page = decode_to_utf8(bytes, "text/html; charset=gbk", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(same_text(page->utf8, golden));
  EXPECT_FALSE(page->charset_suspect);
}

TEST(DecodeTest, GbkBodyCutInsideACharacterEndsInReplacement) {
  std::string bytes = read_fixture(kRtfund);
  const std::string golden = read_fixture(kRtfundUtf8);
  // Keep everything up to the first character of the <title> plus its lead byte only.
  const std::size_t title = bytes.find("<title>") + 7;
  bytes.resize(title + 1);

  auto page = decode_to_utf8(bytes, "text/html; charset=gbk", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(
      same_text(page->utf8, golden.substr(0, golden.find("<title>") + 7) + std::string(kFffd)));
}

TEST(DecodeTest, NulBytesNeverReachTheOutput) {
  std::string gbk = insert_before(read_fixture(kRtfund), "</title>", std::string("\0", 1));
  std::string utf8 = insert_before(read_fixture(kRtfundUtf8), "</title>", std::string("\0", 1));

  auto from_gbk = decode_to_utf8(gbk, "text/html; charset=gbk", kNoForce);
  auto from_utf8 = decode_to_utf8(utf8, "text/html; charset=utf-8", kNoForce);

  ASSERT_TRUE(from_gbk.has_value()) << from_gbk.error().message;
  ASSERT_TRUE(from_utf8.has_value()) << from_utf8.error().message;
  EXPECT_EQ(from_gbk->utf8.find('\0'), std::string::npos);
  EXPECT_EQ(from_utf8->utf8.find('\0'), std::string::npos);
  EXPECT_TRUE(same_text(from_gbk->utf8, read_fixture(kRtfundUtf8)));
}

// Whatever the bytes and whatever the label, the output is valid UTF-8 without NULs: random
// bytes (fixed seed) and real pages cut at arbitrary points, through every decoder family.
TEST(DecodeTest, OutputIsAlwaysValidUtf8WithoutNul) {
  const std::vector<std::string> labels = {"utf-8",        "gbk",         "big5",     "shift_jis",
                                           "euc-jp",       "euc-kr",      "utf-16le", "utf-16be",
                                           "windows-1252", "iso-2022-jp", "koi8-r"};
  std::mt19937 rng(20240611);
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<std::string> bodies;
  for (int i = 0; i < 8; ++i) {
    std::string random(1000 + 37 * i, '\0');
    for (char& c : random) c = static_cast<char>(byte(rng));
    bodies.push_back(std::move(random));
  }
  const std::string beijing = read_fixture(kBeijing);
  const std::string sjis = read_fixture("decode/setsuzei119-jp-atom03-2005.shift_jis.xml");
  for (std::size_t cut : {1001u, 4097u, 20011u}) {
    bodies.push_back(beijing.substr(cut % 7, cut));
    bodies.push_back(sjis.substr(cut % 5, cut));
  }

  for (const std::string& body : bodies) {
    for (const std::string& label : labels) {
      SCOPED_TRACE(label + " / " + std::to_string(body.size()) + " bytes");
      auto forced = decode_to_utf8(body, "", label);
      auto declared = decode_to_utf8(body, "text/html; charset=" + label, kNoForce);
      ASSERT_TRUE(forced.has_value()) << forced.error().message;
      ASSERT_TRUE(declared.has_value()) << declared.error().message;
      EXPECT_TRUE(is_valid_utf8(forced->utf8));
      EXPECT_TRUE(is_valid_utf8(declared->utf8));
      EXPECT_EQ(forced->utf8.find('\0'), std::string::npos);
      EXPECT_EQ(declared->utf8.find('\0'), std::string::npos);
    }
    auto sniffed = decode_to_utf8(body, "", kNoForce);
    ASSERT_TRUE(sniffed.has_value()) << sniffed.error().message;
    EXPECT_TRUE(is_valid_utf8(sniffed->utf8));
    EXPECT_EQ(sniffed->utf8.find('\0'), std::string::npos);
  }
}

// --- size ----------------------------------------------------------------------------

// 27 copies of the 290 KB netease page: just under the 8 MiB body cap.
TEST(DecodeTest, EightMegabyteGbkBodyDecodesCompletely) {
  const std::string one = read_fixture(kNetease);
  const std::string one_golden = read_fixture(kNeteaseUtf8);
  std::string bytes;
  std::string golden;
  for (int i = 0; i < 27; ++i) {
    bytes += one;
    golden += one_golden;
  }
  ASSERT_LE(bytes.size(), 8u * 1024 * 1024);

  auto page = decode_to_utf8(bytes, "text/html; charset=gb2312", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_EQ(page->utf8.size(), golden.size());
  EXPECT_TRUE(same_text(page->utf8, golden));
}

TEST(DecodeTest, EightMegabyteUnlabelledGbkBodyIsDetected) {
  const std::string one = from_marker(read_fixture(kNetease), "<body");
  const std::string one_golden = from_marker(read_fixture(kNeteaseUtf8), "<body");
  std::string bytes;
  std::string golden;
  while (bytes.size() + one.size() <= 8u * 1024 * 1024) {
    bytes += one;
    golden += one_golden;
  }

  auto page = decode_to_utf8(bytes, "", kNoForce);

  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_EQ(page->charset, "GB18030");
  EXPECT_TRUE(same_text(page->utf8, golden));
}

}  // namespace
}  // namespace herald
