#include "scrapers/normalise/url.h"

#include <gtest/gtest.h>

#include <string>

namespace herald {
namespace {

struct ResolveCase {
  const char* base = "";
  const char* ref = "";
  const char* expected = "";  // nullptr: must fail with kParse
};

void PrintTo(const ResolveCase& c, std::ostream* os) {
  *os << "\"" << c.ref << "\" against " << c.base;
}

class ResolveTest : public ::testing::TestWithParam<ResolveCase> {};

TEST_P(ResolveTest, Resolves) {
  const ResolveCase& c = GetParam();
  auto got = resolve_url(c.base, c.ref);
  if (c.expected == nullptr) {
    ASSERT_FALSE(got.has_value()) << "resolved to " << *got;
    EXPECT_EQ(got.error().code, ErrorCode::kParse);
  } else {
    ASSERT_TRUE(got.has_value()) << got.error().message;
    EXPECT_EQ(*got, c.expected);
  }
}

constexpr const char* kRfcBase = "http://a/b/c/d;p?q";

// RFC 3986 §5.4.1 normal examples. "//g" becomes "http://g/": an http URL with an empty
// path is the same resource as "/", and herald always writes the slash.
INSTANTIATE_TEST_SUITE_P(Rfc3986Normal, ResolveTest,
                         ::testing::Values(ResolveCase{kRfcBase, "g:h", nullptr},  // not http(s)
                                           ResolveCase{kRfcBase, "g", "http://a/b/c/g"},
                                           ResolveCase{kRfcBase, "./g", "http://a/b/c/g"},
                                           ResolveCase{kRfcBase, "g/", "http://a/b/c/g/"},
                                           ResolveCase{kRfcBase, "/g", "http://a/g"},
                                           ResolveCase{kRfcBase, "//g", "http://g/"},
                                           ResolveCase{kRfcBase, "?y", "http://a/b/c/d;p?y"},
                                           ResolveCase{kRfcBase, "g?y", "http://a/b/c/g?y"},
                                           ResolveCase{kRfcBase, "#s", "http://a/b/c/d;p?q#s"},
                                           ResolveCase{kRfcBase, "g#s", "http://a/b/c/g#s"},
                                           ResolveCase{kRfcBase, "g?y#s", "http://a/b/c/g?y#s"},
                                           ResolveCase{kRfcBase, ";x", "http://a/b/c/;x"},
                                           ResolveCase{kRfcBase, "g;x", "http://a/b/c/g;x"},
                                           ResolveCase{kRfcBase, "g;x?y#s", "http://a/b/c/g;x?y#s"},
                                           ResolveCase{kRfcBase, "", "http://a/b/c/d;p?q"},
                                           ResolveCase{kRfcBase, ".", "http://a/b/c/"},
                                           ResolveCase{kRfcBase, "./", "http://a/b/c/"},
                                           ResolveCase{kRfcBase, "..", "http://a/b/"},
                                           ResolveCase{kRfcBase, "../", "http://a/b/"},
                                           ResolveCase{kRfcBase, "../g", "http://a/b/g"},
                                           ResolveCase{kRfcBase, "../..", "http://a/"},
                                           ResolveCase{kRfcBase, "../../", "http://a/"},
                                           ResolveCase{kRfcBase, "../../g", "http://a/g"}));

// RFC 3986 §5.4.2 abnormal examples; "http:g" takes the backward-compatible reading.
INSTANTIATE_TEST_SUITE_P(
    Rfc3986Abnormal, ResolveTest,
    ::testing::Values(ResolveCase{kRfcBase, "../../../g", "http://a/g"},
                      ResolveCase{kRfcBase, "../../../../g", "http://a/g"},
                      ResolveCase{kRfcBase, "/./g", "http://a/g"},
                      ResolveCase{kRfcBase, "/../g", "http://a/g"},
                      ResolveCase{kRfcBase, "g.", "http://a/b/c/g."},
                      ResolveCase{kRfcBase, ".g", "http://a/b/c/.g"},
                      ResolveCase{kRfcBase, "g..", "http://a/b/c/g.."},
                      ResolveCase{kRfcBase, "..g", "http://a/b/c/..g"},
                      ResolveCase{kRfcBase, "./../g", "http://a/b/g"},
                      ResolveCase{kRfcBase, "./g/.", "http://a/b/c/g/"},
                      ResolveCase{kRfcBase, "g/./h", "http://a/b/c/g/h"},
                      ResolveCase{kRfcBase, "g/../h", "http://a/b/c/h"},
                      ResolveCase{kRfcBase, "g;x=1/./y", "http://a/b/c/g;x=1/y"},
                      ResolveCase{kRfcBase, "g;x=1/../y", "http://a/b/c/y"},
                      ResolveCase{kRfcBase, "g?y/./x", "http://a/b/c/g?y/./x"},
                      ResolveCase{kRfcBase, "g?y/../x", "http://a/b/c/g?y/../x"},
                      ResolveCase{kRfcBase, "g#s/./x", "http://a/b/c/g#s/./x"},
                      ResolveCase{kRfcBase, "g#s/../x", "http://a/b/c/g#s/../x"},
                      ResolveCase{kRfcBase, "http:g", "http://a/b/c/g"}));

// What the surveyed sites actually put in href attributes.
INSTANTIATE_TEST_SUITE_P(
    RealWorld, ResolveTest,
    ::testing::Values(
        // TRS-style relative links on Chinese government sites.
        ResolveCase{"http://www.beijing.gov.cn/ywdt/gzdt/", "./202311/t20231107_3298000.html",
                    "http://www.beijing.gov.cn/ywdt/gzdt/202311/t20231107_3298000.html"},
        ResolveCase{"https://www.miit.gov.cn/xwdt/gxdt/index.html",
                    "../../jgsj/kjs/art/2023/art_1.html",
                    "https://www.miit.gov.cn/jgsj/kjs/art/2023/art_1.html"},
        ResolveCase{"https://www.cac.gov.cn/wxzw/A0937index_1.htm", "/2023-11/07/c_1700000000.htm",
                    "https://www.cac.gov.cn/2023-11/07/c_1700000000.htm"},
        // Whitespace and newlines inside the attribute.
        ResolveCase{"https://example.gov.cn/list/", "  \n\t./a.html \r\n",
                    "https://example.gov.cn/list/a.html"},
        ResolveCase{"https://example.gov.cn/list/", "./a\n.html",
                    "https://example.gov.cn/list/a.html"},
        ResolveCase{"https://example.gov.cn/list/", "\xC2\xA0./a.html\xE3\x80\x80",
                    "https://example.gov.cn/list/a.html"},
        // Protocol-relative links take the page's scheme; hosts are lower-cased.
        ResolveCase{"https://example.gov.cn/", "//WWW.Example.GOV.cn/x",
                    "https://www.example.gov.cn/x"},
        ResolveCase{"http://example.gov.cn/", "//cdn.example.com/a?b=1",
                    "http://cdn.example.com/a?b=1"},
        ResolveCase{"http://example.gov.cn/", "HTTPS://News.Example.COM/Path/To",
                    "https://news.example.com/Path/To"},
        // Spaces and Chinese in paths and queries are percent-encoded; existing escapes kept.
        ResolveCase{"https://example.gov.cn/", "/files/AI governance.pdf",
                    "https://example.gov.cn/files/AI%20governance.pdf"},
        ResolveCase{"https://example.gov.cn/", "/search?q=人工智能",
                    "https://example.gov.cn/search?q=%E4%BA%BA%E5%B7%A5%E6%99%BA%E8%83%BD"},
        ResolveCase{"https://example.gov.cn/", "/a%20b/c%2fd",
                    "https://example.gov.cn/a%20b/c%2fd"},
        ResolveCase{"https://example.gov.cn/", "/100%/x", "https://example.gov.cn/100%25/x"},
        // Backslashes read as slashes in the path, as browsers do.
        ResolveCase{"https://example.gov.cn/a/b", "..\\c\\d.html",
                    "https://example.gov.cn/c/d.html"},
        // Ports and user info survive resolution (only the key drops default ports).
        ResolveCase{"http://example.gov.cn:8080/a/b", "c", "http://example.gov.cn:8080/a/c"},
        ResolveCase{"https://example.gov.cn/", "https://Example.gov.cn:443/x",
                    "https://example.gov.cn:443/x"},
        // Non-http(s) links are not announcements.
        ResolveCase{"https://example.gov.cn/", "javascript:void(0)", nullptr},
        ResolveCase{"https://example.gov.cn/", " JavaScript:openWin('a.html')", nullptr},
        ResolveCase{"https://example.gov.cn/", "mailto:office@example.gov.cn", nullptr},
        ResolveCase{"https://example.gov.cn/", "data:text/html,<script>", nullptr},
        ResolveCase{"https://example.gov.cn/", "ftp://example.gov.cn/a.pdf", nullptr},
        ResolveCase{"https://example.gov.cn/", "tel:+8610123456", nullptr},
        ResolveCase{"https://example.gov.cn/", "file:///etc/passwd", nullptr},
        ResolveCase{"https://example.gov.cn/", "http://", nullptr},
        ResolveCase{"https://example.gov.cn/", "http://a b.com/", nullptr},
        ResolveCase{"https://example.gov.cn/", "http://host::/x", nullptr},
        ResolveCase{"https://example.gov.cn/", "http://host:8o/x", nullptr},
        ResolveCase{"https://example.gov.cn/", "http://<script>/", nullptr},
        ResolveCase{"https://example.gov.cn/", "http://[::1]:8080/x", "http://[::1]:8080/x"},
        ResolveCase{"https://example.gov.cn/", "http://user@Example.com/x",
                    "http://user@example.com/x"},
        ResolveCase{"https://example.gov.cn/", "http://政府.中国/x", "http://政府.中国/x"},
        ResolveCase{"https://example.gov.cn/", "https:", "https://example.gov.cn/"},
        // Base must itself be absolute http(s).
        ResolveCase{"/relative/base", "a.html", nullptr},
        ResolveCase{"ftp://example.com/", "a.html", nullptr},
        ResolveCase{"", "https://example.com/a", nullptr}));

struct KeyCase {
  const char* url = "";
  const char* key = "";
};

void PrintTo(const KeyCase& c, std::ostream* os) { *os << c.url; }

class CanonicalKeyTest : public ::testing::TestWithParam<KeyCase> {};

TEST_P(CanonicalKeyTest, Canonicalises) {
  EXPECT_EQ(canonical_url_key(GetParam().url), GetParam().key);
}

INSTANTIATE_TEST_SUITE_P(
    Table, CanonicalKeyTest,
    ::testing::Values(
        KeyCase{"http://Example.COM/a", "http://example.com/a"},
        KeyCase{"HTTP://example.com/a", "http://example.com/a"},
        KeyCase{"http://example.com:80/a", "http://example.com/a"},
        KeyCase{"https://example.com:443/a", "https://example.com/a"},
        KeyCase{"http://example.com:443/a", "http://example.com:443/a"},
        KeyCase{"https://example.com:8443/a", "https://example.com:8443/a"},
        KeyCase{"https://example.com:/a", "https://example.com/a"},
        KeyCase{"https://example.com", "https://example.com/"},
        KeyCase{"https://example.com.:443/", "https://example.com/"},
        KeyCase{"https://example.com/a/./b/../c", "https://example.com/a/c"},
        KeyCase{"https://example.com/a#section-2", "https://example.com/a"},
        KeyCase{"https://example.com/a?", "https://example.com/a"},
        KeyCase{"https://example.com/a?utm_source=wechat&utm_medium=social",
                "https://example.com/a"},
        KeyCase{"https://example.com/a?id=7&utm_campaign=x", "https://example.com/a?id=7"},
        KeyCase{"https://example.com/a?UTM_Source=x&id=7", "https://example.com/a?id=7"},
        KeyCase{"https://example.com/a?spm=a2c4g.11186623&id=7", "https://example.com/a?id=7"},
        KeyCase{"https://mp.weixin.qq.com/s?__biz=MzA&mid=1&idx=1&sn=abc&scene=21&srcid=1107",
                "https://mp.weixin.qq.com/s?__biz=MzA&idx=1&mid=1&sn=abc"},
        KeyCase{"https://example.com/a?fbclid=IwAR0&gclid=Cj0&yclid=1&msclkid=2",
                "https://example.com/a"},
        KeyCase{"https://example.com/a?mc_cid=1&mc_eid=2&_hsenc=3&_hsmi=4",
                "https://example.com/a"},
        KeyCase{"https://www.instagram.com/p/x/?igshid=abc", "https://www.instagram.com/p/x/"},
        KeyCase{"https://twitter.com/x/status/1?ref_src=twsrc%5Etfw",
                "https://twitter.com/x/status/1"},
        KeyCase{"https://www.bilibili.com/video/BV1?vd_source=abc&p=2",
                "https://www.bilibili.com/video/BV1?p=2"},
        KeyCase{"https://example.com/a?share_token=x&share_source=y&id=1",
                "https://example.com/a?id=1"},
        KeyCase{"https://example.com/a?from=timeline&isappinstalled=0&wfr=spider",
                "https://example.com/a"},
        KeyCase{"https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"},
        KeyCase{"https://example.com/a?a=2&a=1", "https://example.com/a?a=1&a=2"},
        KeyCase{"https://example.com/a?b&a=", "https://example.com/a?a=&b"},
        KeyCase{"https://example.com/a?&&b=1&&", "https://example.com/a?b=1"},
        KeyCase{"https://example.com/a?timestamp=1699300000",
                "https://example.com/a?timestamp=1699300000"},
        KeyCase{"https://example.com/a%2fb", "https://example.com/a%2Fb"},
        KeyCase{"https://example.com/%7Euser/%41%42", "https://example.com/~user/AB"},
        KeyCase{"https://example.com/a?q=%e4%ba%ba", "https://example.com/a?q=%E4%BA%BA"},
        KeyCase{"https://example.com/a?utm%5Fsource=x&id=1", "https://example.com/a?id=1"},
        KeyCase{"https://example.com/a b", "https://example.com/a%20b"},
        KeyCase{"https://example.com/Path/Case", "https://example.com/Path/Case"},
        KeyCase{"https://example.com/a?Q=Value", "https://example.com/a?Q=Value"}));

TEST(CanonicalKeyTest, SameArticleWithDifferentTrackingSharesAKey) {
  const std::string a = canonical_url_key(
      "https://www.cac.gov.cn/2023-11/07/c_1700000000.htm?utm_source=newsletter#top");
  const std::string b = canonical_url_key(
      "https://WWW.CAC.GOV.CN:443/2023-11/./07/c_1700000000.htm?from=groupmessage");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, "https://www.cac.gov.cn/2023-11/07/c_1700000000.htm");
}

TEST(CanonicalKeyTest, DifferentQueriesStayDifferent) {
  EXPECT_NE(canonical_url_key("https://example.com/detail?id=1"),
            canonical_url_key("https://example.com/detail?id=2"));
}

TEST(CanonicalKeyTest, IsIdempotentOnResolvedUrls) {
  for (const char* ref : {"./202311/t20231107_1.html?spm=1&b=2&a=1#x", "/search?q=人工 智能",
                          "//Cdn.Example.com:80/x"}) {
    auto url = resolve_url("http://www.example.gov.cn/list/", ref);
    ASSERT_TRUE(url.has_value()) << url.error().message;
    const std::string once = canonical_url_key(*url);
    EXPECT_EQ(canonical_url_key(once), once) << ref;
  }
}

TEST(ResolveUrlTest, ErrorNamesTheLink) {
  auto got = resolve_url("https://example.gov.cn/", "javascript:alert(1)");
  ASSERT_FALSE(got.has_value());
  EXPECT_NE(got.error().message.find("javascript:alert(1)"), std::string::npos);
}

TEST(ResolveUrlTest, HugeHostileLinkGivesABoundedMessage) {
  const std::string ref = "javascript:" + std::string(100000, 'x');
  auto got = resolve_url("https://example.gov.cn/", ref);
  ASSERT_FALSE(got.has_value());
  EXPECT_LT(got.error().message.size(), 1000u);
}

}  // namespace
}  // namespace herald
