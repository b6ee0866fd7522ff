// The courtlistener module asks the API at the origin of the source's configured url, not
// at a hard-coded www.courtlistener.com: a mirror (here a loopback server) answers the
// search, and the items' links point at it.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "scrapers/fetch/curl_fetcher.h"
#include "scrapers/registry.h"
#include "scrapers/sites/courtlistener.h"
#include "tests/sites/shipped_source.h"
#include "tests/support/local_server.h"

namespace herald {
namespace {

using ::testing::StartsWith;

constexpr std::int64_t kFetchedAt = 1704153600;  // 2024-01-02T00:00:00Z

// One search request as the mirror saw it.
struct Seen {
  std::string path{};
  std::string query{};
  std::string type{};
};

class SeenLog {
 public:
  void record(const httplib::Request& request) {
    const std::lock_guard lock(mutex_);
    seen_.push_back(Seen{.path = request.path,
                         .query = request.get_param_value("q"),
                         .type = request.get_param_value("type")});
  }
  std::vector<Seen> seen() const {
    const std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  mutable std::mutex mutex_;  // server threads write, the test reads
  std::vector<Seen> seen_;
};

TEST(CourtListenerMirrorTest, TheSearchGoesToTheConfiguredUrlsOriginAndLinksPointThere) {
  CurlGlobal curl_global;
  // Shared with the route, which may run on the server's threads until the server stops.
  const auto log = std::make_shared<SeenLog>();
  const std::string body = R"({"count": 1, "results": [
      {"caseName": "Mirror v. Loopback", "docketNumber": "1:24-cv-00001",
       "absolute_url": "/opinion/1/mirror-v-loopback/", "dateFiled": "2024-01-02",
       "court": "District Court, N.D. California",
       "opinions": [{"snippet": "a <mark>generative AI</mark> model"}]}]})";
  testing::LocalServer mirror;
  mirror.routes().Get("/api/rest/v4/search/",
                      [log, body](const httplib::Request& request, httplib::Response& response) {
                        log->record(request);
                        response.set_content(body, "application/json");
                      });
  mirror.start();

  SourceConfig source = testing::shipped_source("us-courtlistener");
  ASSERT_TRUE(source.courtlistener.has_value());
  source.url = mirror.url("/?q=%22generative%20AI%22&type=o");  // the web search, for people
  FetchRequest request{.url = source.url};
  prepare_list_request(source, {}, request);
  // Checked before fetching: a request that still went to the public site must not be sent.
  ASSERT_THAT(request.url, StartsWith(mirror.url("/api/rest/v4/search/?q=")));

  auto fetcher = CurlFetcher::create();
  ASSERT_TRUE(fetcher.has_value()) << fetcher.error().message;
  request.timeout = std::chrono::seconds{60};
  auto page = (*fetcher)->fetch(request);
  fetcher->reset();  // hang up before the mirror stops
  ASSERT_TRUE(page.has_value()) << page.error().message;

  auto extraction = extract_page(source, *page, kFetchedAt);
  ASSERT_TRUE(extraction.has_value()) << extraction.error().message;
  ASSERT_EQ(extraction->items.size(), 1u);
  EXPECT_EQ(extraction->items[0].title, "Mirror v. Loopback (1:24-cv-00001)");
  EXPECT_EQ(extraction->items[0].url, mirror.url("/opinion/1/mirror-v-loopback/"));

  const std::vector<Seen> seen = log->seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].path, "/api/rest/v4/search/");
  EXPECT_EQ(seen[0].query, source.courtlistener->query);
  EXPECT_EQ(seen[0].type, "o");
}

TEST(CourtListenerMirrorTest, TheOriginIsSchemeHostAndPortOfTheUrl) {
  EXPECT_EQ(courtlistener_origin("https://www.courtlistener.com/?q=x&type=o"),
            "https://www.courtlistener.com");
  EXPECT_EQ(courtlistener_origin("http://127.0.0.1:8123/mirror/?q=x"), "http://127.0.0.1:8123");
  EXPECT_EQ(courtlistener_origin("https://cl.example.org"), "https://cl.example.org");
  EXPECT_EQ(courtlistener_origin("https://cl.example.org#top"), "https://cl.example.org");
  const CourtListenerRules rules{.query = "AI", .search_type = "o"};
  EXPECT_EQ(courtlistener_search_url("http://127.0.0.1:8123", rules),
            "http://127.0.0.1:8123/api/rest/v4/search/?q=AI&type=o&order_by=dateFiled%20desc");
}

}  // namespace
}  // namespace herald
