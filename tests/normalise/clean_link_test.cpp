#include <gtest/gtest.h>

#include <string>

#include "common/item.h"
#include "config/source_config.h"
#include "scrapers/normalise/normalise.h"
#include "scrapers/normalise/url.h"

namespace herald {
namespace {

TEST(CleanLink, DropsUtmParametersAndTheFragment) {
  EXPECT_EQ(clean_link("https://www.ncsc.gov.uk/news/ai-guidelines?utm_source=twitter&id=7"
                       "&utm_medium=social#section-2"),
            "https://www.ncsc.gov.uk/news/ai-guidelines?id=7");
}

TEST(CleanLink, KeepsTheOtherParametersInTheSitesOrder) {
  // The canonical key sorts the query; the link editors see must not.
  EXPECT_EQ(clean_link("https://example.gov.cn/a.jsp?z=1&spm=a2c4.1&b=2&from=timeline&a=3"),
            "https://example.gov.cn/a.jsp?z=1&b=2&a=3");
}

TEST(CleanLink, ALinkWithOnlyTrackingLosesItsQuestionMark) {
  EXPECT_EQ(clean_link("https://openai.com/index/x/?utm_source=rss&fbclid=abc"),
            "https://openai.com/index/x/");
  EXPECT_EQ(clean_link("https://openai.com/index/x/?"), "https://openai.com/index/x/");
  EXPECT_EQ(clean_link("https://openai.com/index/x/#top"), "https://openai.com/index/x/");
}

TEST(CleanLink, LeavesALinkWithoutTrackingAsWritten) {
  // Case, escapes, default port and parameter spelling stay the site's.
  const std::string link = "https://Example.gov.cn:443/News/%E6%96%87.html?ID=5&Page=2";
  EXPECT_EQ(clean_link(link), link);
}

TEST(CleanLink, MatchesEscapedAndUpperCaseTrackingKeys) {
  EXPECT_EQ(clean_link("https://x.cn/a?UTM_Source=x&utm%5Fcampaign=y&k=v"), "https://x.cn/a?k=v");
}

TEST(CleanLink, KeepsAFragmentThatIsAClientSideRoute) {
  EXPECT_EQ(clean_link("https://x.gov.cn/#/detail/12?utm_source=a"),
            "https://x.gov.cn/#/detail/12?utm_source=a");
  EXPECT_EQ(clean_link("https://x.gov.cn/?spm=1#!/a"), "https://x.gov.cn/#!/a");
}

TEST(CleanLink, MalformedOrNonHttpLinksAreUnchanged) {
  for (const char* link : {"", "not a url", "/relative?utm_source=x#f",
                           "mailto:a@b.cn?utm_source=x", "https:///?utm_source=x#f",
                           "javascript:void(0)#x"}) {
    EXPECT_EQ(clean_link(link), link) << link;
  }
}

TEST(CleanLink, NormaliseStoresTheCleanLinkAndKeepsTheOriginal) {
  SourceConfig source;
  source.id = "s";
  RawItem raw;
  raw.title = "Guidelines";
  raw.link = "/news/a?id=3&utm_source=rss#comments";
  auto item = normalise(raw, source, "https://example.org/list", 1'700'000'000);
  ASSERT_TRUE(item.has_value()) << item.error().message;
  EXPECT_EQ(item->url, "https://example.org/news/a?id=3");
  EXPECT_EQ(item->original_url, "https://example.org/news/a?id=3&utm_source=rss#comments");
  // The dedup key is what it always was.
  EXPECT_EQ(item->url_key, canonical_url_key(item->original_url));

  raw.link = "/news/b?id=4";
  auto plain = normalise(raw, source, "https://example.org/list", 1'700'000'000);
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->url, "https://example.org/news/b?id=4");
  EXPECT_EQ(plain->original_url, "") << "only a link that differs is kept twice";
}

}  // namespace
}  // namespace herald
