#include "scrapers/fetch/robots.h"

#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace herald {
namespace {

// RFC 9309 §5.1, verbatim.
constexpr std::string_view kRfcSimpleExample =
    "User-Agent: *\n"
    "Disallow: *.gif$\n"
    "Disallow: /example/\n"
    "Allow: /publications/\n"
    "\n"
    "User-Agent: foobot\n"
    "Disallow:/\n"
    "Allow:/example/page.html\n"
    "Allow:/example/allowed.gif\n"
    "\n"
    "User-Agent: barbot\n"
    "User-Agent: bazbot\n"
    "Disallow: /example/page.html\n"
    "\n"
    "User-Agent: quxbot\n";

struct AccessCase {
  std::string_view agent;
  std::string_view path;
  bool allowed = false;
};

class RfcSimpleExampleTest : public ::testing::TestWithParam<AccessCase> {};

TEST_P(RfcSimpleExampleTest, DecidesAsTheRfcSays) {
  const AccessCase& c = GetParam();
  const RobotsRules rules = RobotsRules::parse(kRfcSimpleExample, c.agent);
  EXPECT_EQ(rules.allowed(c.path), c.allowed) << c.agent << " " << c.path;
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9309, RfcSimpleExampleTest,
    ::testing::Values(
        // '*' group: any crawler not named.
        AccessCase{"herald", "/", true}, AccessCase{"herald", "/example/", false},
        AccessCase{"herald", "/example/page.html", false},
        AccessCase{"herald", "/publications/", true}, AccessCase{"herald", "/image.gif", false},
        AccessCase{"herald", "/image.gif?x=1", true},  // '$': the query makes it not end in .gif
        // foobot: all disallowed except two pages.
        AccessCase{"foobot", "/", false}, AccessCase{"foobot", "/example/page.html", true},
        AccessCase{"foobot", "/example/allowed.gif", true},
        AccessCase{"foobot", "/example/other.html", false},
        // Product tokens match case-insensitively.
        AccessCase{"FooBot", "/example/other.html", false},
        // barbot and bazbot share one group.
        AccessCase{"barbot", "/example/page.html", false}, AccessCase{"bazbot", "/", true},
        AccessCase{"bazbot", "/example/page.html", false},
        // quxbot has a group without rules: everything allowed, '*' does not apply.
        AccessCase{"quxbot", "/example/", true}, AccessCase{"quxbot", "/image.gif", true}));

TEST(RobotsTest, LongestMatchWinsAsInRfcExample) {
  // RFC 9309 §5.2.
  const RobotsRules rules = RobotsRules::parse(
      "User-Agent: foobot\n"
      "Allow: /example/page/\n"
      "Disallow: /example/page/disallowed.gif\n",
      "foobot");
  EXPECT_TRUE(rules.allowed("/example/page/"));
  EXPECT_TRUE(rules.allowed("/example/page/index.html"));
  EXPECT_FALSE(rules.allowed("/example/page/disallowed.gif"));
}

TEST(RobotsTest, AllowWinsATie) {
  const RobotsRules rules = RobotsRules::parse(
      "User-agent: *\nDisallow: /page\nAllow: /page\n", "herald");
  EXPECT_TRUE(rules.allowed("/page"));
  const RobotsRules reversed = RobotsRules::parse(
      "User-agent: *\nAllow: /page\nDisallow: /page\n", "herald");
  EXPECT_TRUE(reversed.allowed("/page"));
}

TEST(RobotsTest, LongerDisallowBeatsShorterAllowWhateverTheOrder) {
  const RobotsRules rules = RobotsRules::parse(
      "User-agent: *\nDisallow: /news/private\nAllow: /news\n", "herald");
  EXPECT_TRUE(rules.allowed("/news/2024.html"));
  EXPECT_FALSE(rules.allowed("/news/private/a.html"));
}

TEST(RobotsTest, WildcardsMatchAnyRunAndDollarAnchorsTheEnd) {
  const RobotsRules rules = RobotsRules::parse(
      "User-agent: *\n"
      "Disallow: /*/print/\n"
      "Disallow: /*.pdf$\n"
      "Disallow: /search*q=\n",
      "herald");
  EXPECT_FALSE(rules.allowed("/2024/print/a.html"));
  EXPECT_TRUE(rules.allowed("/2024/a.html"));
  EXPECT_FALSE(rules.allowed("/files/report.pdf"));
  EXPECT_TRUE(rules.allowed("/files/report.pdf.html"));
  EXPECT_FALSE(rules.allowed("/search/?lang=zh&q=ai"));
  EXPECT_TRUE(rules.allowed("/search/?lang=zh"));
}

TEST(RobotsTest, ManyWildcardsOnALongPathStayCheap) {
  std::string pattern = "/";
  for (int i = 0; i < 200; ++i) pattern += "*a";
  const RobotsRules rules =
      RobotsRules::parse("User-agent: *\nDisallow: " + pattern + "b$\n", "herald");
  // Would take forever with naive backtracking; the greedy matcher answers at once.
  EXPECT_TRUE(rules.allowed("/" + std::string(5000, 'a')));
}

TEST(RobotsTest, OurGroupReplacesTheStarGroupAndSeveralOfOursMerge) {
  const RobotsRules rules = RobotsRules::parse(
      "User-agent: *\nDisallow: /\n\n"
      "User-agent: herald\nDisallow: /a/\n\n"
      "User-agent: other\nDisallow: /b/\n\n"
      "User-agent: Herald/2.0\nDisallow: /c/\n",
      "herald");
  EXPECT_TRUE(rules.allowed("/"));
  EXPECT_FALSE(rules.allowed("/a/x"));
  EXPECT_TRUE(rules.allowed("/b/x"));
  EXPECT_FALSE(rules.allowed("/c/x"));
}

TEST(RobotsTest, PrefixOfAnotherTokenIsNotOurs) {
  const RobotsRules rules = RobotsRules::parse(
      "User-agent: heraldbot\nDisallow: /\n\nUser-agent: *\nDisallow: /x\n", "herald");
  EXPECT_TRUE(rules.allowed("/"));
  EXPECT_FALSE(rules.allowed("/x"));
}

TEST(RobotsTest, CommentsBomCrlfAndOddSpacingAreHandled) {
  const RobotsRules rules = RobotsRules::parse(
      "\xEF\xBB\xBF# robots for example.gov.cn\r\n"
      "USER-AGENT :  *   # everyone\r\n"
      "disallow:\t/admin/  # staff only\r"
      "Sitemap: https://example.gov.cn/sitemap.xml\r\n"
      "Disallow: /tmp/\r\n",
      "herald");
  EXPECT_FALSE(rules.allowed("/admin/login"));
  EXPECT_FALSE(rules.allowed("/tmp/x"));
  EXPECT_TRUE(rules.allowed("/news/"));
}

TEST(RobotsTest, EmptyDisallowAllowsEverything) {
  const RobotsRules rules = RobotsRules::parse("User-agent: *\nDisallow:\n", "herald");
  EXPECT_TRUE(rules.allowed("/anything"));
}

TEST(RobotsTest, RulesBeforeAnyUserAgentAreIgnored) {
  const RobotsRules rules = RobotsRules::parse("Disallow: /\nUser-agent: *\nDisallow: /x\n",
                                               "herald");
  EXPECT_TRUE(rules.allowed("/"));
  EXPECT_FALSE(rules.allowed("/x"));
}

TEST(RobotsTest, NoMatchingGroupAllowsEverything) {
  const RobotsRules rules = RobotsRules::parse("User-agent: foobot\nDisallow: /\n", "herald");
  EXPECT_TRUE(rules.allowed("/"));
}

TEST(RobotsTest, RobotsTxtItselfIsAlwaysAllowed) {
  EXPECT_TRUE(RobotsRules::disallow_all().allowed("/robots.txt"));
  EXPECT_FALSE(RobotsRules::disallow_all().allowed("/"));
  EXPECT_FALSE(RobotsRules::disallow_all().allowed(""));
  EXPECT_TRUE(RobotsRules::allow_all().allowed("/private"));
}

TEST(RobotsTest, PercentEncodingIsComparedCanonically) {
  // RFC 9309 §2.2.2's table: a UTF-8 rule matches its escaped form, and an escaped
  // unreserved character matches the plain one.
  const RobotsRules rules = RobotsRules::parse(
      "User-agent: *\n"
      "Disallow: /foo/bar/\xE3\x83\x84\n"
      "Disallow: /foo/bar/%62%61%7A\n"
      "Disallow: /foo/bar?baz=quz\n"
      "Disallow: /zh/%e4%ba%ba\n",
      "herald");
  EXPECT_FALSE(rules.allowed("/foo/bar/%E3%83%84"));
  EXPECT_FALSE(rules.allowed("/foo/bar/\xE3\x83\x84"));
  EXPECT_FALSE(rules.allowed("/foo/bar/baz"));
  EXPECT_FALSE(rules.allowed("/foo/bar?baz=quz"));
  EXPECT_FALSE(rules.allowed("/zh/%E4%BA%BA/index.html"));  // hex case does not matter
  EXPECT_TRUE(rules.allowed("/foo/bar/qux"));
}

TEST(RobotsTest, OnlyTheFirst500KiBAreParsed) {
  std::string body = "User-agent: *\n";
  while (body.size() < kRobotsParseLimit - 100) body += "# padding padding padding\n";
  body += "Disallow: /early\n";
  while (body.size() < kRobotsParseLimit + 1000) body += "# padding padding padding\n";
  body += "Disallow: /late\n";
  const RobotsRules rules = RobotsRules::parse(body, "herald");
  EXPECT_FALSE(rules.allowed("/early"));
  EXPECT_TRUE(rules.allowed("/late"));
}

TEST(RobotsTest, ALineCutByTheLimitIsDropped) {
  std::string body = "User-agent: *\n";
  while (body.size() < kRobotsParseLimit - 10) body += "#\n";
  body += "Disallow: /partial-path-cut-by-the-limit\n";  // crosses the limit
  const RobotsRules rules = RobotsRules::parse(body, "herald");
  // Half a Disallow line ("/parti") would forbid more than the site meant.
  EXPECT_TRUE(rules.allowed("/partial"));
  EXPECT_TRUE(rules.rules().empty());
}

TEST(RobotsPathTest, TakesPathAndQueryWithoutFragment) {
  EXPECT_EQ(robots_path_of("https://example.com"), "/");
  EXPECT_EQ(robots_path_of("https://example.com/"), "/");
  EXPECT_EQ(robots_path_of("https://example.com/a/b?c=d#frag"), "/a/b?c=d");
  EXPECT_EQ(robots_path_of("https://example.com?q=1"), "/?q=1");
  EXPECT_EQ(robots_path_of("http://user@example.com:8080/x"), "/x");
}

}  // namespace
}  // namespace herald
