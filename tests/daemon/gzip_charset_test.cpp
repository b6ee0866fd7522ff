// A charset declared only inside a gzip-compressed body (Scrapy's regression case): the
// fetcher undoes Content-Encoding, and decode must then find the page's own <meta>.

#include <gtest/gtest.h>

#include "scrapers/decode/decode.h"
#include "scrapers/fetch/curl_fetcher.h"
#include "tests/support/fixtures.h"
#include "tests/support/local_server.h"

namespace herald {
namespace {

TEST(GzipCharsetTest, MetaCharsetInsideAGzipBodyIsHonoured) {
  CurlGlobal curl_global;
  const std::string gzipped = testing::read_fixture("fetch/rtfund-xxpl-list-2020-07.html.gz");
  testing::LocalServer server;
  server.routes().Get("/xxpl", [&](const httplib::Request&, httplib::Response& res) {
    res.set_header("Content-Encoding", "gzip");
    // No charset in the header: only the page's <meta> says gb2312. (Not text/*, so the
    // test server does not compress it a second time.)
    res.set_content(gzipped, "application/octet-stream");
  });
  server.start();

  auto fetcher = CurlFetcher::create();
  ASSERT_TRUE(fetcher.has_value());
  auto page = (*fetcher)->fetch(FetchRequest{.url = server.url("/xxpl")});
  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_EQ(page->body, testing::read_fixture("fetch/rtfund-xxpl-list-2020-07.html"));

  auto text = decode_to_utf8(page->body, "text/html", std::nullopt);
  ASSERT_TRUE(text.has_value()) << text.error().message;
  EXPECT_EQ(text->charset, "GB18030");
  EXPECT_EQ(text->charset_origin, "meta");
  EXPECT_FALSE(text->charset_suspect);
  EXPECT_EQ(text->utf8, testing::read_fixture("decode/rtfund-xxpl-list-2020-07.utf8.html"));
}

}  // namespace
}  // namespace herald
