// The request checks and the template loader on their own, without a server.

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/web/web_test_support.h"
#include "web/security.h"
#include "web/templates.h"

namespace herald::web {
namespace {

using ::testing::HasSubstr;

httplib::Request request_with(const httplib::Headers& headers) {
  httplib::Request request;
  request.headers = headers;
  return request;
}

OriginPolicy loopback_policy() {
  WebSettings settings;
  settings.listen_host = "127.0.0.1";
  settings.port = 8080;
  return make_origin_policy(settings, 8080);
}

TEST(OriginPolicyTest, LoopbackAcceptsItsAliasesOnTheBoundPort) {
  const OriginPolicy policy = loopback_policy();
  for (const char* host : {"127.0.0.1:8080", "localhost:8080", "[::1]:8080", "LOCALHOST:8080"}) {
    EXPECT_TRUE(host_allowed(policy, request_with({{"Host", host}}))) << host;
  }
  for (const char* host : {"127.0.0.1", "127.0.0.1:8081", "evil.example:8080", "attacker.test"}) {
    EXPECT_FALSE(host_allowed(policy, request_with({{"Host", host}}))) << host;
  }
  EXPECT_FALSE(host_allowed(policy, request_with({})));
  EXPECT_FALSE(host_allowed(policy, request_with({{"Host", "127.0.0.1:8080"}, {"Host", "x"}})));
  EXPECT_FALSE(policy.secure_cookies);
}

TEST(OriginPolicyTest, PublicOriginAddsItsHostAndSecureCookies) {
  WebSettings settings;
  settings.public_origin = "https://Herald.Example.com";
  const OriginPolicy policy = make_origin_policy(settings, 8080);
  EXPECT_TRUE(host_allowed(policy, request_with({{"Host", "herald.example.com"}})));
  EXPECT_TRUE(host_allowed(policy, request_with({{"Host", "herald.example.com:443"}})));
  EXPECT_TRUE(same_origin_request(policy, request_with({{"Origin", "https://herald.example.com"}})));
  EXPECT_FALSE(same_origin_request(policy, request_with({{"Origin", "http://herald.example.com"}})));
  EXPECT_TRUE(policy.secure_cookies);
}

TEST(SameOriginRequestTest, FetchMetadataDecidesWhenPresent) {
  const OriginPolicy policy = loopback_policy();
  EXPECT_TRUE(same_origin_request(policy, request_with({{"Sec-Fetch-Site", "same-origin"}})));
  EXPECT_TRUE(same_origin_request(policy, request_with({{"Sec-Fetch-Site", "none"}})));
  EXPECT_FALSE(same_origin_request(policy, request_with({{"Sec-Fetch-Site", "cross-site"}})));
  EXPECT_FALSE(same_origin_request(policy, request_with({{"Sec-Fetch-Site", "same-site"}})));
  // Under Referrer-Policy: no-referrer Chromium sends "Origin: null" on same-origin posts.
  EXPECT_TRUE(same_origin_request(policy, request_with({{"Sec-Fetch-Site", "same-origin"},
                                                        {"Origin", "null"}})));
  // Fetch Metadata saying same-origin does not excuse a foreign Origin.
  EXPECT_FALSE(same_origin_request(policy, request_with({{"Sec-Fetch-Site", "same-origin"},
                                                         {"Origin", "http://evil.example"}})));
}

TEST(SameOriginRequestTest, WithoutMetadataOriginThenRefererMustMatch) {
  const OriginPolicy policy = loopback_policy();
  EXPECT_TRUE(same_origin_request(policy, request_with({{"Origin", "http://127.0.0.1:8080"}})));
  EXPECT_TRUE(same_origin_request(policy, request_with({{"Origin", "http://localhost:8080"}})));
  EXPECT_FALSE(same_origin_request(policy, request_with({{"Origin", "null"}})));
  EXPECT_FALSE(same_origin_request(policy, request_with({{"Origin", "http://127.0.0.1:8081"}})));
  EXPECT_TRUE(same_origin_request(
      policy, request_with({{"Referer", "http://127.0.0.1:8080/items/3?x=1"}})));
  EXPECT_FALSE(same_origin_request(
      policy, request_with({{"Referer", "http://127.0.0.1:8080.evil.example/"}})));
  EXPECT_FALSE(same_origin_request(policy, request_with({})));
}

TEST(ListenSettingsTest, LoopbackNamesAreRecognised) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "localhost", "::1"}) {
    EXPECT_TRUE(is_loopback_host(host)) << host;
  }
  for (const char* host : {"0.0.0.0", "10.0.0.1", "127.0.0.1.evil", "::", "1270.0.0.1", ""}) {
    EXPECT_FALSE(is_loopback_host(host)) << host;
  }
}

TEST(SafeLinkTest, OnlyHttpAndHttpsBecomeLinks) {
  EXPECT_TRUE(is_safe_link("https://www.cac.gov.cn/2023-07/13/c_1690898327029107.htm"));
  EXPECT_TRUE(is_safe_link("HTTP://example.com/"));
  for (const char* url : {"javascript:alert(1)", " javascript:alert(1)", "JaVaScRiPt:alert(1)",
                          "data:text/html,<script>", "vbscript:x", "//evil.example/",
                          "/relative", "https://x.example/\"onmouseover=", "https://a b",
                          "file:///etc/passwd", ""}) {
    EXPECT_FALSE(is_safe_link(url)) << url;
  }
}

TEST(CookieValueTest, FindsTheNamedCookieAmongOthers) {
  const auto request = request_with({{"Cookie", "a=1; herald_sid=abc; b=2"}});
  EXPECT_EQ(cookie_value(request, "herald_sid"), "abc");
  EXPECT_EQ(cookie_value(request, "b"), "2");
  EXPECT_EQ(cookie_value(request, "herald"), std::nullopt);
  EXPECT_EQ(cookie_value(request_with({}), "herald_sid"), std::nullopt);
}

TEST(RandomTokenTest, Is64HexDigitsAndFresh) {
  const std::string a = random_token();
  const std::string b = random_token();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
  EXPECT_TRUE(constant_time_equal(a, a));
  EXPECT_FALSE(constant_time_equal(a, b));
  EXPECT_FALSE(constant_time_equal("", ""));
}

TEST(TemplatesTest, ShippedTemplatesLoad) {
  auto templates = Templates::load(default_assets_dir() / "templates");
  ASSERT_TRUE(templates) << templates.error().message;
  kainjow::mustache::data data;
  data.set("page_title", "<title>");
  data.set("signed_in", false);
  const std::string page = templates->render_page("error", data);
  EXPECT_THAT(page, HasSubstr("&lt;title&gt; · Herald"));
}

TEST(TemplatesTest, UnescapedOutputIsRefused) {
  testing::TempDir dir;
  std::ofstream(dir.path() / "layout.mustache") << "<html>{{> content}}</html>";
  std::ofstream(dir.path() / "page.mustache") << "<p>{{{title}}}</p>";
  auto templates = Templates::load(dir.path());
  ASSERT_FALSE(templates);
  EXPECT_EQ(templates.error().code, ErrorCode::kConfig);
  EXPECT_THAT(templates.error().message, HasSubstr("page.mustache"));

  std::ofstream(dir.path() / "page.mustache") << "<p>{{&title}}</p>";
  EXPECT_FALSE(Templates::load(dir.path()));
  std::ofstream(dir.path() / "page.mustache") << "<p>{{title}}</p>";
  EXPECT_TRUE(Templates::load(dir.path()));
}

TEST(TemplatesTest, MissingLayoutIsAConfigError) {
  testing::TempDir dir;
  auto templates = Templates::load(dir.path());
  ASSERT_FALSE(templates);
  EXPECT_EQ(templates.error().code, ErrorCode::kConfig);
}

}  // namespace
}  // namespace herald::web
