// The courtlistener module: the v4 search request and reading its answer, over the
// reconstructed search response of tests/fixtures/us-courtlistener/ (see its NOTE.md).

#include "scrapers/sites/courtlistener.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scrapers/registry.h"
#include "tests/sites/shipped_source.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using testing::read_fixture;

constexpr std::int64_t kFetchedAt = 1701302400;  // 2023-11-30T00:00:00Z

SourceConfig shipped_courtlistener() { return testing::shipped_source("us-courtlistener"); }

TEST(CourtListenerTest, SearchUrlEncodesTheQueryAndOrdersByFilingDate) {
  constexpr std::string_view kOrigin = "https://www.courtlistener.com";
  CourtListenerRules rules{.query = "\"Stability AI\" & Midjourney", .search_type = "o"};
  EXPECT_EQ(courtlistener_search_url(kOrigin, rules),
            "https://www.courtlistener.com/api/rest/v4/search/"
            "?q=%22Stability%20AI%22%20%26%20Midjourney&type=o&order_by=dateFiled%20desc");
  rules.court = "cand cacd";
  rules.search_type = "r";
  EXPECT_EQ(courtlistener_search_url(kOrigin, rules),
            "https://www.courtlistener.com/api/rest/v4/search/"
            "?q=%22Stability%20AI%22%20%26%20Midjourney&type=r&order_by=dateFiled%20desc"
            "&court=cand%20cacd");
}

TEST(CourtListenerTest, TheTokenIsSentOnlyWhenConfigured) {
  const SourceConfig source = shipped_courtlistener();
  FetchRequest anonymous{.url = source.url};
  prepare_list_request(source, {}, anonymous);
  EXPECT_EQ(anonymous.url, courtlistener_search_url("https://www.courtlistener.com",
                                                    *source.courtlistener));
  EXPECT_EQ(anonymous.method, "GET");
  EXPECT_TRUE(anonymous.headers.empty());

  FetchRequest with_token{.url = source.url};
  prepare_list_request(source, {{"courtlistener", "abc123"}, {"other", "x"}}, with_token);
  EXPECT_THAT(with_token.headers, ElementsAre(Pair("Authorization", "Token abc123")));
}

TEST(CourtListenerTest, TheFixtureIsKeyedByTheUrlHeraldRequests) {
  const SourceConfig source = shipped_courtlistener();
  FetchRequest request{.url = source.url};
  prepare_list_request(source, {}, request);
  EXPECT_THAT(read_fixture("us-courtlistener/index.toml"),
              HasSubstr("url = \"" + request.url + "\""));
}

TEST(CourtListenerTest, ExtractsTheNewsletterCaseFromTheSearchResponse) {
  const SourceConfig source = shipped_courtlistener();
  const FetchResponse page{.status = 200,
                           .final_url = courtlistener_search_url(
                               courtlistener_origin(source.url), *source.courtlistener),
                           .content_type = "application/json",
                           .body = read_fixture("us-courtlistener/search.json")};
  auto extraction = extract_page(source, page, kFetchedAt);
  ASSERT_TRUE(extraction.has_value()) << extraction.error().message;
  ASSERT_EQ(extraction->items.size(), 12u);
  EXPECT_EQ(extraction->rejected, 0);

  const Item& andersen = extraction->items[6];
  EXPECT_EQ(andersen.title, "Andersen v. Stability AI Ltd. (3:23-cv-00201)");
  EXPECT_EQ(andersen.url,
            "https://www.courtlistener.com/opinion/9466805/andersen-v-stability-ai-ltd/");
  ASSERT_TRUE(andersen.published_at.has_value());
  EXPECT_EQ(*andersen.published_at, 1698649200);  // 2023-10-30 00:00 in Los Angeles (PDT)
  EXPECT_THAT(andersen.summary, HasSubstr("allege that Stability AI scraped billions of images"));
  EXPECT_THAT(andersen.summary, ::testing::Not(HasSubstr("<mark>")));

  // A result without a docket number keeps the bare case name.
  EXPECT_EQ(extraction->items[10].title, "Matter of Lindqvist");
}

TEST(CourtListenerTest, SummaryFallsBackToTheCourtAndTitleToTheFullName) {
  const std::string body = R"({"results": [
      {"caseName": "", "caseNameFull": "Full v. Name", "docketNumber": "1:23-cv-1",
       "absolute_url": "/docket/1/full-v-name/", "dateFiled": "2023-11-01",
       "court": "District Court, D. Delaware",
       "recap_documents": [{"snippet": ""}]},
      {"caseName": "Recap v. Case", "absolute_url": "/docket/2/recap-v-case/",
       "dateFiled": "2023-11-02", "court": "x",
       "recap_documents": [{"snippet": "motion <mark>granted</mark>"}]}]})";
  auto items = extract_courtlistener(body, "https://www.courtlistener.com");
  ASSERT_TRUE(items.has_value()) << items.error().message;
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[0].title, "Full v. Name (1:23-cv-1)");
  EXPECT_EQ((*items)[0].summary, "District Court, D. Delaware");
  EXPECT_EQ((*items)[0].link, "/docket/1/full-v-name/");
  EXPECT_EQ((*items)[0].base_url, "https://www.courtlistener.com/");
  EXPECT_EQ((*items)[1].summary, "motion granted");
}

TEST(CourtListenerTest, AnErrorObjectIsNoMatchAndHtmlIsNotJson) {
  auto throttled = extract_courtlistener(R"({"detail": "Request was throttled."})",
                                         "https://www.courtlistener.com");
  ASSERT_FALSE(throttled.has_value());
  EXPECT_EQ(throttled.error().code, ErrorCode::kNoMatch);

  auto html = extract_courtlistener("<!DOCTYPE html><html><body>Forbidden</body></html>",
                                    "https://www.courtlistener.com");
  ASSERT_FALSE(html.has_value());
  EXPECT_EQ(html.error().code, ErrorCode::kParse);
  EXPECT_THAT(html.error().message, HasSubstr("not JSON"));
}

}  // namespace
}  // namespace herald
