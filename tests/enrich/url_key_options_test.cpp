// same_item_urls: the URL-variant options of canonical_url_key. Kept next to the article
// tests because tests/normalise/ belongs to another change in flight; it links the same
// herald_normalise library.

#include <string>

#include <gtest/gtest.h>

#include "scrapers/normalise/normalise.h"
#include "scrapers/normalise/url.h"

namespace herald {
namespace {

struct VariantCase {
  const char* a = "";
  const char* b = "";
  bool scheme = false;
  bool www = false;
  bool same = false;  // whether a and b get the same key with these options
};

void PrintTo(const VariantCase& c, std::ostream* os) {
  *os << c.a << " vs " << c.b << " scheme=" << c.scheme << " www=" << c.www;
}

class UrlVariantTest : public ::testing::TestWithParam<VariantCase> {};

TEST_P(UrlVariantTest, SameItemOnlyWhenTheSourceSaysSo) {
  const VariantCase& c = GetParam();
  const UrlKeyOptions options{.ignore_scheme = c.scheme, .ignore_www = c.www};
  const std::string a = canonical_url_key(c.a, options);
  const std::string b = canonical_url_key(c.b, options);
  if (c.same) {
    EXPECT_EQ(a, b);
  } else {
    EXPECT_NE(a, b);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Variants, UrlVariantTest,
    ::testing::Values(
        // Default: every variant is its own item, as before.
        VariantCase{"http://www.gov.cn/a.htm", "https://www.gov.cn/a.htm", false, false, false},
        VariantCase{"https://www.gov.cn/a.htm", "https://gov.cn/a.htm", false, false, false},
        // "scheme"
        VariantCase{"http://www.gov.cn/a.htm", "https://www.gov.cn/a.htm", true, false, true},
        VariantCase{"http://www.gov.cn:80/a.htm", "https://www.gov.cn:443/a.htm", true, false, true},
        VariantCase{"http://www.gov.cn:8080/a.htm", "https://www.gov.cn/a.htm", true, false,
                    false},
        VariantCase{"http://www.gov.cn/a.htm", "https://gov.cn/a.htm", true, false, false},
        // "www": www., m. and the bare host
        VariantCase{"https://www.miit.gov.cn/a.htm", "https://miit.gov.cn/a.htm", false, true, true},
        VariantCase{"https://m.miit.gov.cn/a.htm", "https://www.miit.gov.cn/a.htm", false, true,
                    true},
        VariantCase{"https://WWW.Miit.gov.cn/a.htm", "https://m.miit.gov.cn/a.htm", false, true,
                    true},
        VariantCase{"http://www.miit.gov.cn/a.htm", "https://miit.gov.cn/a.htm", false, true,
                    false},
        // Other subdomains and other paths stay apart.
        VariantCase{"https://news.miit.gov.cn/a.htm", "https://miit.gov.cn/a.htm", false, true,
                    false},
        VariantCase{"https://www.miit.gov.cn/a.htm", "https://www.miit.gov.cn/b.htm", true, true,
                    false},
        // Both
        VariantCase{"http://m.gd.gov.cn/zwgk/a.html?utm_source=x", "https://gd.gov.cn/zwgk/a.html",
                    true, true, true}));

TEST(UrlVariantTest, KeysStayUrlsAndDefaultOptionsChangeNothing) {
  EXPECT_EQ(canonical_url_key("http://WWW.Example.gov.cn:80/a/../b?x=1#top",
                              UrlKeyOptions{.ignore_scheme = true, .ignore_www = true}),
            "https://example.gov.cn/b?x=1");
  EXPECT_EQ(canonical_url_key("http://WWW.Example.gov.cn:80/a/../b?x=1#top", UrlKeyOptions{}),
            canonical_url_key("http://WWW.Example.gov.cn:80/a/../b?x=1#top"));
}

TEST(UrlVariantTest, AHostThatIsOnlyThePrefixIsKept) {
  const UrlKeyOptions www{.ignore_www = true};
  EXPECT_EQ(canonical_url_key("https://www.com/a", www), "https://www.com/a");
  EXPECT_EQ(canonical_url_key("https://m.localhost/a", www), "https://m.localhost/a");
  EXPECT_EQ(canonical_url_key("https://user@www.example.com:8443/a", www),
            "https://user@example.com:8443/a");
}

TEST(UrlVariantTest, NormaliseUsesTheSourcesOptionsAndKeepsTheLinkAsWritten) {
  SourceConfig source;
  source.id = "miit";
  const RawItem raw{.title = "工业和信息化部关于人工智能的通知", .link = "/zwgk/a.html"};

  auto plain = normalise(raw, source, "http://m.miit.gov.cn/list/", 1'700'000'000);
  source.url_key = UrlKeyOptions{.ignore_scheme = true, .ignore_www = true};
  auto folded = normalise(raw, source, "http://m.miit.gov.cn/list/", 1'700'000'000);

  ASSERT_TRUE(plain.has_value()) << plain.error().message;
  ASSERT_TRUE(folded.has_value()) << folded.error().message;
  EXPECT_EQ(plain->url_key, "http://m.miit.gov.cn/zwgk/a.html");
  EXPECT_EQ(folded->url_key, "https://miit.gov.cn/zwgk/a.html");
  EXPECT_EQ(folded->url, "http://m.miit.gov.cn/zwgk/a.html");
}

}  // namespace
}  // namespace herald
