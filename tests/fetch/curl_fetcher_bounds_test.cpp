// The bounds CurlFetcher puts around a hostile server that are not about the body size
// alone: which response headers it keeps, the raw-byte cap, and redirects into internal
// networks (RELIABILITY.md §2 N10, §3.1 "Outbound requests").

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "scrapers/fetch/curl_fetcher.h"
#include "tests/support/local_server.h"

namespace herald {
namespace {

using ::testing::HasSubstr;
using herald::testing::LocalServer;

struct ProcessSetup {
  ProcessSetup() { std::signal(SIGPIPE, SIG_IGN); }
  CurlGlobal curl{};
};
const ProcessSetup process_setup;

class Counter {
 public:
  void hit() {
    const std::lock_guard lock(mutex_);
    ++hits_;
  }
  int hits() const {
    const std::lock_guard lock(mutex_);
    return hits_;
  }

 private:
  mutable std::mutex mutex_;  // server threads write, the test reads
  int hits_ = 0;
};

class CurlFetcherBoundsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto fetcher = CurlFetcher::create();
    ASSERT_TRUE(fetcher.has_value()) << fetcher.error().message;
    fetcher_ = std::move(*fetcher);
  }
  void TearDown() override { fetcher_.reset(); }  // hang up before the servers stop

  static FetchRequest request_for(std::string url) {
    FetchRequest request;
    request.url = std::move(url);
    request.timeout = std::chrono::seconds{60};
    request.connect_timeout = std::chrono::seconds{30};
    return request;
  }

  // A server holding what a redirect must not reach ("the intranet").
  void start_inside() {
    inside_.routes().Get("/secret", [this](const httplib::Request&, httplib::Response& res) {
      secret_reads_.hit();
      res.set_content("intranet secret", "text/plain");
    });
    inside_.start();
  }
  // ... and a server whose /go redirects to `location` (default: the intranet's secret).
  void start_inside_and_outside(std::string location = {}) {
    start_inside();
    if (location.empty()) {
      location = inside_.url("/secret");
    }
    outside_.routes().Get("/go", [location](const httplib::Request&, httplib::Response& res) {
      res.set_redirect(location, 302);
    });
    outside_.start();
  }

  Counter secret_reads_;
  LocalServer inside_;
  LocalServer outside_;
  std::unique_ptr<CurlFetcher> fetcher_;
};

TEST_F(CurlFetcherBoundsTest, KeepsTheFinalResponsesHeadersInOrderButNotTheRedirects) {
  outside_.routes().Get("/old", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("X-Hop", "redirect");
    res.set_redirect("/new", 301);
  });
  outside_.routes().Get("/new", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("X-First", "1");
    res.set_header("X-Second", "two  words");
    res.set_content("page", "text/plain");
  });
  outside_.start();
  FetchRequest request = request_for(outside_.url("/old"));
  request.internal = true;

  auto response = fetcher_->fetch(request);

  ASSERT_TRUE(response.has_value()) << response.error().message;
  bool saw_first = false;
  std::size_t first_at = 0;
  std::size_t second_at = 0;
  for (std::size_t i = 0; i < response->headers.size(); ++i) {
    const auto& [name, value] = response->headers[i];
    EXPECT_NE(name, "X-Hop") << "a redirect's header was kept";
    EXPECT_EQ(value.find('\r'), std::string::npos);
    if (name == "X-First") {
      saw_first = true;
      first_at = i;
      EXPECT_EQ(value, "1");
    }
    if (name == "X-Second") {
      second_at = i;
      EXPECT_EQ(value, "two  words");
    }
  }
  ASSERT_TRUE(saw_first);
  EXPECT_LT(first_at, second_at);
}

TEST_F(CurlFetcherBoundsTest, KeepsAtMostAHundredHeadersOfEightKilobytes) {
  outside_.routes().Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("X-Huge", std::string(9 * 1024, 'h'));
    for (int i = 0; i < 150; ++i) {
      res.set_header("X-Many-" + std::to_string(i), "v");
    }
    res.set_content("page", "text/plain");
  });
  outside_.start();

  auto response = fetcher_->fetch(request_for(outside_.url("/")));

  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->headers.size(), 100u);
  for (const auto& [name, value] : response->headers) {
    EXPECT_NE(name, "X-Huge");
    EXPECT_LE(name.size() + value.size(), 8u * 1024);
  }
}

TEST_F(CurlFetcherBoundsTest, RedirectToAnotherLoopbackPortIsBlockedAndNothingIsRead) {
  start_inside_and_outside();

  auto response = fetcher_->fetch(request_for(outside_.url("/go")));

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kBlockedRedirect) << response.error().message;
  EXPECT_FALSE(response.error().retryable);
  EXPECT_THAT(response.error().message, HasSubstr("127.0.0.1 (loopback)"));
  EXPECT_THAT(response.error().message, HasSubstr("internal = true"));
  EXPECT_EQ(secret_reads_.hits(), 0);
}

TEST_F(CurlFetcherBoundsTest, InternalSourceMayFollowRedirectsIntoItsNetwork) {
  start_inside_and_outside();
  FetchRequest request = request_for(outside_.url("/go"));
  request.internal = true;

  auto response = fetcher_->fetch(request);

  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->body, "intranet secret");
}

TEST_F(CurlFetcherBoundsTest, FirstRequestToLoopbackStaysAllowed) {
  start_inside_and_outside();

  auto response = fetcher_->fetch(request_for(inside_.url("/secret")));

  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(secret_reads_.hits(), 1);
}

TEST_F(CurlFetcherBoundsTest, RedirectByHostNameIsJudgedByTheAddressItResolvesTo) {
  start_inside();
  outside_.routes().Get("/go", [this](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("http://localhost:" + std::to_string(inside_.port()) + "/secret", 302);
  });
  outside_.start();

  auto response = fetcher_->fetch(request_for(outside_.url("/go")));

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kBlockedRedirect) << response.error().message;
  EXPECT_EQ(secret_reads_.hits(), 0);
}

TEST_F(CurlFetcherBoundsTest, RedirectToIpv4MappedIpv6LoopbackIsBlocked) {
  start_inside();
  outside_.routes().Get("/mapped", [this](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("http://[::ffff:127.0.0.1]:" + std::to_string(inside_.port()) + "/secret",
                     302);
  });
  outside_.start();

  auto response = fetcher_->fetch(request_for(outside_.url("/mapped")));

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kBlockedRedirect) << response.error().message;
  EXPECT_THAT(response.error().message, HasSubstr("loopback"));
  EXPECT_EQ(secret_reads_.hits(), 0);
}

TEST_F(CurlFetcherBoundsTest, RedirectOverAKeptAliveConnectionIsStillChecked) {
  start_inside_and_outside();
  // The first fetch leaves a kept-alive connection to inside_ in the fetcher's cache; the
  // redirect below reuses it without opening a socket, so only the per-request check sees it.
  ASSERT_TRUE(fetcher_->fetch(request_for(inside_.url("/secret"))).has_value());
  ASSERT_EQ(secret_reads_.hits(), 1);

  auto response = fetcher_->fetch(request_for(outside_.url("/go")));

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kBlockedRedirect) << response.error().message;
  EXPECT_EQ(secret_reads_.hits(), 1);
}

TEST_F(CurlFetcherBoundsTest, RedirectedPostIntoLoopbackIsBlocked) {
  start_inside();
  outside_.routes().Post("/form", [this](const httplib::Request&, httplib::Response& res) {
    res.status = 303;
    res.set_header("Location", inside_.url("/secret"));
  });
  outside_.start();
  FetchRequest request = request_for(outside_.url("/form"));
  request.method = "POST";
  request.body = "a=1";

  auto response = fetcher_->fetch(request);

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kBlockedRedirect) << response.error().message;
  EXPECT_EQ(secret_reads_.hits(), 0);
}

TEST_F(CurlFetcherBoundsTest, NoMoreThanFiveRedirectsWhateverTheRequestAsks) {
  outside_.routes().Get("/loop", [this](const httplib::Request&, httplib::Response& res) {
    secret_reads_.hit();
    res.set_redirect("/loop", 302);
  });
  outside_.start();
  FetchRequest request = request_for(outside_.url("/loop"));
  request.max_redirects = 50;
  request.internal = true;

  auto response = fetcher_->fetch(request);

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kRedirectLimit) << response.error().message;
  EXPECT_THAT(response.error().message, HasSubstr("more than 5 redirects"));
  EXPECT_EQ(secret_reads_.hits(), 6);  // the request and 5 redirects
}

// A zlib stream of empty stored blocks: megabytes on the wire that decode to nothing, so
// the decoded-byte cap alone would never fire.
std::string empty_deflate_blocks(std::size_t bytes) {
  std::string stream("\x78\x01", 2);
  const std::string empty_block("\x00\x00\x00\xff\xff", 5);  // BFINAL=0 stored, LEN=0
  while (stream.size() < bytes) {
    stream += empty_block;
  }
  return stream;
}

TEST_F(CurlFetcherBoundsTest, EncodedBodyOverTheCapIsTooLargeEvenIfItDecodesToNothing) {
  // Owned by the route and its provider, not by the test body: the fetch gives up at the
  // cap, the test body returns, and the fixture's server goes on streaming until it stops.
  const auto bytes = std::make_shared<const std::string>(empty_deflate_blocks(4 * 1024 * 1024));
  outside_.routes().Get("/nothing", [bytes](const httplib::Request&, httplib::Response& res) {
    res.set_header("Content-Encoding", "deflate");
    res.set_chunked_content_provider(
        "application/octet-stream", [bytes](std::size_t offset, httplib::DataSink& sink) {
          if (offset >= bytes->size()) {
            sink.done();
            return true;
          }
          const std::size_t n = std::min<std::size_t>(64 * 1024, bytes->size() - offset);
          return sink.write(bytes->data() + offset, n);
        });
  });
  outside_.start();
  FetchRequest request = request_for(outside_.url("/nothing"));
  request.max_body_bytes = 256 * 1024;

  auto response = fetcher_->fetch(request);

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kTooLarge) << response.error().message;
  EXPECT_THAT(response.error().message, HasSubstr("before decoding"));
}

}  // namespace
}  // namespace herald
