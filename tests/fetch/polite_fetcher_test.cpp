#include "scrapers/fetch/polite_fetcher.h"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "tests/support/fake_clock.h"

namespace herald {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::HasSubstr;
using herald::testing::FakeClock;

// Serves canned answers per URL and records what it was asked, and when (fake time).
class FakeFetcher final : public Fetcher {
 public:
  explicit FakeFetcher(const FakeClock& clock) : clock_(clock) {}

  void serve(std::string url, Result<FetchResponse> response) {
    responses_.insert_or_assign(std::move(url), std::move(response));
  }
  void serve(std::string url, Error error) {
    serve(std::move(url), Result<FetchResponse>(fail(std::move(error))));
  }
  void serve_page(const std::string& url, std::string body = "<html></html>") {
    serve(url, FetchResponse{.status = 200, .final_url = url, .content_type = "text/html",
                             .body = std::move(body)});
  }

  struct Seen {
    FetchRequest request{};
    std::chrono::steady_clock::time_point at{};
  };
  const std::vector<Seen>& seen() const { return seen_; }
  std::vector<std::string> urls() const {
    std::vector<std::string> urls;
    for (const Seen& s : seen_) urls.push_back(s.request.url);
    return urls;
  }
  int count(const std::string& url) const {
    int n = 0;
    for (const Seen& s : seen_) n += s.request.url == url ? 1 : 0;
    return n;
  }

  Result<FetchResponse> fetch(const FetchRequest& request) override {
    seen_.push_back({request, clock_.now_steady()});
    const auto it = responses_.find(request.url);
    if (it == responses_.end()) {
      return fail(ErrorCode::kHttp4xx, fmt::format("{}: HTTP 404", request.url));
    }
    return it->second;
  }

 private:
  const FakeClock& clock_;
  std::map<std::string, Result<FetchResponse>> responses_;
  std::vector<Seen> seen_;
};

// "Sleeps" by moving the fake clock, and remembers each wait it was asked for.
class FakeSleeper final : public Sleeper {
 public:
  explicit FakeSleeper(FakeClock& clock) : clock_(clock) {}
  bool sleep_for(milliseconds duration, const std::atomic<bool>* cancel) override {
    waits_.push_back(duration);
    if (cancel != nullptr && cancel->load()) return false;
    clock_.advance(duration);
    return true;
  }
  const std::vector<milliseconds>& waits() const { return waits_; }

 private:
  FakeClock& clock_;
  std::vector<milliseconds> waits_;
};

// Routes spdlog's default logger into a string for the test's lifetime.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", sink));
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::string text() const { return stream_.str(); }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::ostringstream stream_;
};

Error rate_limited(std::string_view url, std::string_view retry_after) {
  // The shape CurlFetcher gives a 429 (see curl_fetcher.cpp status_error).
  return Error{ErrorCode::kRateLimited,
               fmt::format("{}: HTTP 429 Too Many Requests (Retry-After: {})", url, retry_after),
               true};
}

class PoliteFetcherTest : public ::testing::Test {
 protected:
  FakeClock clock_{};
  FakeFetcher inner_{clock_};
  FakeSleeper sleeper_{clock_};

  std::unique_ptr<PoliteFetcher> make(PolitenessSettings settings = {}) {
    return std::make_unique<PoliteFetcher>(inner_, clock_, sleeper_, std::move(settings));
  }
  static FetchRequest get(std::string url) { return FetchRequest{.url = std::move(url)}; }
  void serve_robots(const std::string& origin, std::string body) {
    inner_.serve_page(origin + "/robots.txt", std::move(body));
  }
};

TEST_F(PoliteFetcherTest, SecondRequestToAHostWaitsTheMinimumDelay) {
  serve_robots("https://a.example", "User-agent: *\nDisallow:\n");
  inner_.serve_page("https://a.example/list");
  inner_.serve_page("https://a.example/item");
  auto polite = make();

  ASSERT_TRUE(polite->fetch(get("https://a.example/list")).has_value());
  ASSERT_TRUE(polite->fetch(get("https://a.example/item")).has_value());

  ASSERT_EQ(inner_.urls(), (std::vector<std::string>{"https://a.example/robots.txt",
                                                      "https://a.example/list",
                                                      "https://a.example/item"}));
  // robots.txt is a request too: each start is 5 s after the previous one.
  EXPECT_EQ(sleeper_.waits(), (std::vector<milliseconds>{seconds(5), seconds(5)}));
  EXPECT_EQ(inner_.seen()[1].at - inner_.seen()[0].at, seconds(5));
  EXPECT_EQ(inner_.seen()[2].at - inner_.seen()[1].at, seconds(5));
}

TEST_F(PoliteFetcherTest, OnlyTheRestOfTheDelayIsWaited) {
  serve_robots("https://a.example", "");
  inner_.serve_page("https://a.example/list");
  auto polite = make();
  ASSERT_TRUE(polite->fetch(get("https://a.example/list")).has_value());
  clock_.advance(seconds(3));
  ASSERT_TRUE(polite->fetch(get("https://a.example/list")).has_value());
  ASSERT_EQ(sleeper_.waits().size(), 2u);
  EXPECT_EQ(sleeper_.waits()[1], seconds(2));
  clock_.advance(minutes(1));
  ASSERT_TRUE(polite->fetch(get("https://a.example/list")).has_value());
  EXPECT_EQ(sleeper_.waits().size(), 2u);  // long enough ago: no wait
}

TEST_F(PoliteFetcherTest, DifferentHostsDoNotWaitForEachOther) {
  serve_robots("https://a.example", "");
  serve_robots("https://b.example", "");
  serve_robots("https://a.example:8443", "");
  inner_.serve_page("https://a.example/list");
  inner_.serve_page("https://b.example/list");
  inner_.serve_page("https://a.example:8443/list");
  auto polite = make();
  ASSERT_TRUE(polite->fetch(get("https://a.example/list")).has_value());
  ASSERT_TRUE(polite->fetch(get("https://b.example/list")).has_value());
  ASSERT_TRUE(polite->fetch(get("https://a.example:8443/list")).has_value());
  // Each host waited once, after its own robots.txt, and never for another host: each
  // new host's robots.txt went out the moment the previous host's page was done.
  EXPECT_EQ(sleeper_.waits(), (std::vector<milliseconds>{seconds(5), seconds(5), seconds(5)}));
  ASSERT_EQ(inner_.seen().size(), 6u);
  EXPECT_EQ(inner_.seen()[2].request.url, "https://b.example/robots.txt");
  EXPECT_EQ(inner_.seen()[2].at, inner_.seen()[1].at);
  EXPECT_EQ(inner_.seen()[4].request.url, "https://a.example:8443/robots.txt");
  EXPECT_EQ(inner_.seen()[4].at, inner_.seen()[3].at);
}

TEST_F(PoliteFetcherTest, OneHostSpelledDifferentlyIsStillOneHost) {
  serve_robots("https://a.example", "");
  inner_.serve_page("https://a.example/list");
  inner_.serve_page("https://A.Example:443/list");
  auto polite = make();
  ASSERT_TRUE(polite->fetch(get("https://a.example/list")).has_value());
  ASSERT_TRUE(polite->fetch(get("https://A.Example:443/list")).has_value());
  EXPECT_EQ(inner_.count("https://a.example/robots.txt"), 1);
  EXPECT_EQ(sleeper_.waits(), (std::vector<milliseconds>{seconds(5), seconds(5)}));
}

TEST_F(PoliteFetcherTest, PerHostDelayFromSourceConfigRaisesTheGlobalOne) {
  serve_robots("https://slow.example", "");
  inner_.serve_page("https://slow.example/list");
  PolitenessSettings settings;
  settings.raise_min_delay("https://slow.example/news/", seconds(30));
  settings.raise_min_delay("https://SLOW.example/other", seconds(10));  // smaller: ignored
  auto polite = make(std::move(settings));
  ASSERT_TRUE(polite->fetch(get("https://slow.example/list")).has_value());
  EXPECT_EQ(sleeper_.waits(), (std::vector<milliseconds>{seconds(30)}));
}

TEST_F(PoliteFetcherTest, RobotsDisallowIsATypedErrorAndThePageIsNotRequested) {
  serve_robots("https://gov.example", "User-agent: *\nDisallow: /private/\n");
  inner_.serve_page("https://gov.example/private/list");
  auto polite = make();

  auto response = polite->fetch(get("https://gov.example/private/list"));

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kRobotsDisallow);
  EXPECT_EQ(error_code_name(response.error().code), "robots_disallow");
  EXPECT_THAT(response.error().message, HasSubstr("https://gov.example/private/list"));
  EXPECT_EQ(inner_.urls(), (std::vector<std::string>{"https://gov.example/robots.txt"}));
}

TEST_F(PoliteFetcherTest, RobotsGroupForHeraldIsUsed) {
  serve_robots("https://gov.example",
               "User-agent: *\nDisallow: /\n\nUser-agent: herald\nAllow: /\n");
  inner_.serve_page("https://gov.example/list");
  auto polite = make();
  EXPECT_TRUE(polite->fetch(get("https://gov.example/list")).has_value());
}

TEST_F(PoliteFetcherTest, Robots5xxDisallowsEverythingAndItsBodyIsNotParsed) {
  // The 503 answer's page says "allow everything"; it must not be read as robots.txt.
  inner_.serve("https://gov.example/robots.txt",
               Error{ErrorCode::kHttp5xx,
                     "https://gov.example/robots.txt: HTTP 503 (User-agent: * Allow: /)", true});
  inner_.serve_page("https://gov.example/list");
  auto polite = make();

  auto response = polite->fetch(get("https://gov.example/list"));

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kRobotsDisallow);
  EXPECT_TRUE(response.error().retryable);
  EXPECT_THAT(response.error().message, HasSubstr("unreachable"));
  EXPECT_EQ(inner_.count("https://gov.example/list"), 0);
}

TEST_F(PoliteFetcherTest, RobotsRedirectLoopDisallows) {
  inner_.serve("https://gov.example/robots.txt",
               Error{ErrorCode::kRedirectLimit, "more than 5 redirects", false});
  inner_.serve_page("https://gov.example/list");
  auto polite = make();
  auto response = polite->fetch(get("https://gov.example/list"));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kRobotsDisallow);
  EXPECT_EQ(inner_.count("https://gov.example/list"), 0);
  ASSERT_EQ(inner_.seen().size(), 1u);
  EXPECT_GE(inner_.seen()[0].request.max_redirects, 5);
}

TEST_F(PoliteFetcherTest, UnreachableHostReportsTheTransportErrorWithoutAPageRequest) {
  inner_.serve("https://down.example/robots.txt",
               Error{ErrorCode::kDns, "could not resolve down.example", true});
  auto polite = make();
  auto response = polite->fetch(get("https://down.example/list"));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kDns);
  EXPECT_EQ(inner_.count("https://down.example/list"), 0);
}

TEST_F(PoliteFetcherTest, Robots404AllowsEverything) {
  // FakeFetcher answers 404 (kHttp4xx) for robots.txt since none is served.
  inner_.serve_page("https://gov.example/anything/at/all");
  auto polite = make();
  auto response = polite->fetch(get("https://gov.example/anything/at/all"));
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(inner_.count("https://gov.example/robots.txt"), 1);
}

TEST_F(PoliteFetcherTest, RobotsIsFetchedOncePerHostAndAgainAfter24Hours) {
  serve_robots("https://gov.example", "User-agent: *\nDisallow: /private/\n");
  inner_.serve_page("https://gov.example/a");
  inner_.serve_page("https://gov.example/b");
  auto polite = make();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(polite->fetch(get("https://gov.example/a")).has_value());
    ASSERT_TRUE(polite->fetch(get("https://gov.example/b")).has_value());
  }
  EXPECT_EQ(inner_.count("https://gov.example/robots.txt"), 1);
  EXPECT_EQ(inner_.count("https://gov.example/a"), 5);

  clock_.advance(hours(23));
  ASSERT_TRUE(polite->fetch(get("https://gov.example/a")).has_value());
  EXPECT_EQ(inner_.count("https://gov.example/robots.txt"), 1);

  // The site changed its robots.txt; after 24 h herald reads it again and obeys it.
  serve_robots("https://gov.example", "User-agent: *\nDisallow: /a\n");
  clock_.advance(hours(1));
  auto response = polite->fetch(get("https://gov.example/a"));
  EXPECT_EQ(inner_.count("https://gov.example/robots.txt"), 2);
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kRobotsDisallow);
}

TEST_F(PoliteFetcherTest, LastGoodRobotsStillAppliesWhileItIsUnreachable) {
  serve_robots("https://gov.example", "User-agent: *\nDisallow: /private/\n");
  inner_.serve_page("https://gov.example/a");
  auto polite = make();
  ASSERT_TRUE(polite->fetch(get("https://gov.example/a")).has_value());
  inner_.serve("https://gov.example/robots.txt",
               Error{ErrorCode::kHttp5xx, "HTTP 500", true});
  clock_.advance(hours(25));
  EXPECT_TRUE(polite->fetch(get("https://gov.example/a")).has_value());
  EXPECT_EQ(inner_.count("https://gov.example/robots.txt"), 2);
  EXPECT_FALSE(polite->fetch(get("https://gov.example/private/x")).has_value());
}

TEST_F(PoliteFetcherTest, UnreachableRobotsIsAskedAgainLater) {
  inner_.serve("https://gov.example/robots.txt", Error{ErrorCode::kHttp5xx, "HTTP 502", true});
  inner_.serve_page("https://gov.example/a");
  auto polite = make();
  EXPECT_FALSE(polite->fetch(get("https://gov.example/a")).has_value());
  EXPECT_FALSE(polite->fetch(get("https://gov.example/a")).has_value());
  EXPECT_EQ(inner_.count("https://gov.example/robots.txt"), 1);  // not hammered
  serve_robots("https://gov.example", "");
  clock_.advance(minutes(11));
  EXPECT_TRUE(polite->fetch(get("https://gov.example/a")).has_value());
  EXPECT_EQ(inner_.count("https://gov.example/robots.txt"), 2);
}

TEST_F(PoliteFetcherTest, IgnoreRobotsSkipsRobotsAndLogsAWarning) {
  CapturedLog log;
  serve_robots("https://gov.example", "User-agent: *\nDisallow: /\n");
  inner_.serve_page("https://gov.example/list");
  auto polite = make();
  FetchRequest request = get("https://gov.example/list");
  request.ignore_robots = true;

  auto response = polite->fetch(request);

  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(inner_.urls(), (std::vector<std::string>{"https://gov.example/list"}));
  EXPECT_THAT(log.text(), HasSubstr("[warning]"));
  EXPECT_THAT(log.text(), HasSubstr("gov.example:443"));
  EXPECT_THAT(log.text(), HasSubstr("ignore_robots"));
}

TEST_F(PoliteFetcherTest, RetryAfterSecondsPausesTheHost) {
  serve_robots("https://busy.example", "");
  inner_.serve("https://busy.example/list", rate_limited("https://busy.example/list", "120"));
  inner_.serve_page("https://other.example/list");
  auto polite = make();

  auto first = polite->fetch(get("https://busy.example/list"));
  ASSERT_FALSE(first.has_value());
  EXPECT_EQ(first.error().code, ErrorCode::kRateLimited);
  const auto asked_at = inner_.seen().back().at;
  ASSERT_TRUE(polite->rate_limited_until("https://busy.example/x").has_value());
  EXPECT_EQ(*polite->rate_limited_until("https://busy.example/x"), asked_at + seconds(120));

  // Before the pause is over, herald does not ask the host at all.
  inner_.serve_page("https://busy.example/list");
  clock_.advance(seconds(119));
  auto second = polite->fetch(get("https://busy.example/list"));
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, ErrorCode::kRateLimited);
  EXPECT_TRUE(second.error().retryable);
  EXPECT_THAT(second.error().message, HasSubstr("for 1 s"));
  EXPECT_EQ(inner_.count("https://busy.example/list"), 1);
  // Other hosts are not affected.
  EXPECT_TRUE(polite->fetch(get("https://other.example/list")).has_value());

  clock_.advance(seconds(1));
  EXPECT_FALSE(polite->rate_limited_until("https://busy.example/list").has_value());
  EXPECT_TRUE(polite->fetch(get("https://busy.example/list")).has_value());
  EXPECT_GE(inner_.seen().back().at - asked_at, seconds(120));
}

TEST_F(PoliteFetcherTest, RetryAfterHttpDateIsHonouredOnTheMonotonicClock) {
  serve_robots("https://busy.example", "");
  // Ten minutes after the fake wall clock's "now" at the moment of the request.
  auto polite = make();
  ASSERT_TRUE(polite->fetch(get("https://busy.example/robots.txt")).has_value());
  clock_.advance(seconds(5));
  clock_.set_utc_seconds(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  inner_.serve("https://busy.example/list",
               rate_limited("https://busy.example/list", "Sun, 06 Nov 1994 08:59:37 GMT"));
  const auto before = clock_.now_steady();
  ASSERT_FALSE(polite->fetch(get("https://busy.example/list")).has_value());
  EXPECT_EQ(polite->rate_limited_until("https://busy.example/"), before + minutes(10));

  // An NTP step of the wall clock changes nothing: the pause is on the steady clock.
  clock_.set_utc_seconds(784111777 + 86400);
  clock_.advance(minutes(9));
  EXPECT_EQ(polite->fetch(get("https://busy.example/list")).error().code,
            ErrorCode::kRateLimited);
  EXPECT_EQ(inner_.count("https://busy.example/list"), 1);
}

TEST_F(PoliteFetcherTest, RetryAfterIsClamped) {
  serve_robots("https://busy.example", "");
  inner_.serve("https://busy.example/huge", rate_limited("https://busy.example/huge", "31536000"));
  inner_.serve("https://busy2.example/zero", rate_limited("https://busy2.example/zero", "0"));
  auto polite = make();
  ASSERT_FALSE(polite->fetch(get("https://busy.example/huge")).has_value());
  ASSERT_FALSE(polite->fetch(get("https://busy2.example/zero")).has_value());
  ASSERT_EQ(inner_.seen().size(), 4u);  // robots, huge, robots, zero
  EXPECT_EQ(polite->rate_limited_until("https://busy.example/"), inner_.seen()[1].at + hours(24));
  EXPECT_EQ(polite->rate_limited_until("https://busy2.example/"),
            inner_.seen()[3].at + seconds(1));
}

TEST_F(PoliteFetcherTest, RateLimitWithoutRetryAfterUsesTheDefaultPause) {
  inner_.serve("https://busy.example/list",
               Error{ErrorCode::kRateLimited,
                     "https://busy.example/list: HTTP 429 (no Retry-After; back off before asking "
                     "again)",
                     true});
  PolitenessSettings settings;
  settings.rate_limit_default = minutes(7);
  auto polite = make(std::move(settings));
  ASSERT_FALSE(polite->fetch(get("https://busy.example/list")).has_value());
  EXPECT_EQ(polite->rate_limited_until("https://busy.example/"),
            inner_.seen().back().at + minutes(7));
}

TEST_F(PoliteFetcherTest, RateLimitedRobotsPausesTheHostAndIsNotCached) {
  inner_.serve("https://busy.example/robots.txt",
               rate_limited("https://busy.example/robots.txt", "60"));
  inner_.serve_page("https://busy.example/list");
  auto polite = make();
  auto response = polite->fetch(get("https://busy.example/list"));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(inner_.count("https://busy.example/list"), 0);
  serve_robots("https://busy.example", "");
  clock_.advance(seconds(60));
  EXPECT_TRUE(polite->fetch(get("https://busy.example/list")).has_value());
  EXPECT_EQ(inner_.count("https://busy.example/robots.txt"), 2);
}

TEST_F(PoliteFetcherTest, CancelWhileWaitingAbandonsTheRequest) {
  serve_robots("https://a.example", "");
  inner_.serve_page("https://a.example/list");
  auto polite = make();
  ASSERT_TRUE(polite->fetch(get("https://a.example/robots.txt")).has_value());
  std::atomic<bool> cancel{true};
  FetchRequest request = get("https://a.example/list");
  request.cancel = &cancel;
  auto response = polite->fetch(request);
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(inner_.count("https://a.example/list"), 0);
}

TEST_F(PoliteFetcherTest, RequestsCarryAUserAgent) {
  serve_robots("https://a.example", "");
  inner_.serve_page("https://a.example/list");
  PolitenessSettings settings;
  settings.user_agent = identifying_user_agent("herald/0.1", "ops@example.com");
  auto polite = make(std::move(settings));
  ASSERT_TRUE(polite->fetch(get("https://a.example/list")).has_value());
  FetchRequest own = get("https://a.example/list");
  own.user_agent = "herald/0.1 (source-specific)";
  ASSERT_TRUE(polite->fetch(own).has_value());
  ASSERT_EQ(inner_.seen().size(), 3u);
  EXPECT_EQ(inner_.seen()[0].request.user_agent, "herald/0.1 (+mailto:ops@example.com)");
  EXPECT_EQ(inner_.seen()[1].request.user_agent, "herald/0.1 (+mailto:ops@example.com)");
  EXPECT_EQ(inner_.seen()[2].request.user_agent, "herald/0.1 (source-specific)");
}

TEST(IdentifyingUserAgentTest, AddsTheContact) {
  EXPECT_EQ(identifying_user_agent("herald/0.1", ""), "herald/0.1");
  EXPECT_EQ(identifying_user_agent("herald/0.1", "https://firm.example/bot"),
            "herald/0.1 (+https://firm.example/bot)");
}

TEST(HostKeyTest, LowerCasedHostAndPortWithDefaultPort) {
  EXPECT_EQ(host_key("https://Example.COM/x"), "example.com:443");
  EXPECT_EQ(host_key("http://example.com"), "example.com:80");
  EXPECT_EQ(host_key("http://user:pw@example.com:8080/?q"), "example.com:8080");
  EXPECT_EQ(host_key("http://[::1]:8080/"), "[::1]:8080");
  EXPECT_EQ(host_key("http://[::1]/"), "[::1]:80");
  EXPECT_EQ(host_key("ftp://example.com/"), "");
  EXPECT_EQ(host_key("not a url"), "");
}

}  // namespace
}  // namespace herald
