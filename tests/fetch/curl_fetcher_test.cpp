#include "scrapers/fetch/curl_fetcher.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "tests/support/fixtures.h"
#include "tests/support/local_server.h"

namespace herald {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using herald::testing::LocalServer;
using herald::testing::read_fixture;

constexpr std::size_t kMiB = 1024 * 1024;

// Process-wide set-up for this binary: libcurl's global state, and SIGPIPE ignored because
// the loopback server keeps writing after the fetcher hangs up on purpose (caps, timeouts).
struct ProcessSetup {
  ProcessSetup() { std::signal(SIGPIPE, SIG_IGN); }
  CurlGlobal curl{};
};
const ProcessSetup process_setup;

// What the server saw, read by the test thread after the fetch returned.
class RequestLog {
 public:
  void record(const httplib::Request& request) {
    const std::lock_guard lock(mutex_);
    requests_.push_back(request.headers);
  }
  std::size_t count() const {
    const std::lock_guard lock(mutex_);
    return requests_.size();
  }
  httplib::Headers last() const {
    const std::lock_guard lock(mutex_);
    return requests_.empty() ? httplib::Headers{} : requests_.back();
  }

 private:
  mutable std::mutex mutex_;  // guards requests_ (server threads write, the test reads)
  std::vector<httplib::Headers> requests_;
};

std::string header(const httplib::Headers& headers, const std::string& name) {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string("<absent>") : it->second;
}

// Holds a server handler until the test is done with it, so a deliberately stalled
// response neither outlives the test nor delays the server's shutdown.
class Gate {
 public:
  void wait_at_most(std::chrono::seconds limit) {
    std::unique_lock lock(mutex_);
    released_cv_.wait_for(lock, limit, [this] { return released_; });
  }
  void release() {
    {
      const std::lock_guard lock(mutex_);
      released_ = true;
    }
    released_cv_.notify_all();
  }

 private:
  std::mutex mutex_;  // guards released_
  std::condition_variable released_cv_;
  bool released_ = false;
};

// A port on 127.0.0.1 where nothing listens: bound by us, then closed.
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  socklen_t length = sizeof(address);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

// Serves `total` bytes of 'x' with chunked encoding (so no Content-Length) and a type
// cpp-httplib does not compress on its own.
void serve_chunked(httplib::Response& response, std::size_t total) {
  response.set_chunked_content_provider(
      "application/octet-stream", [total](std::size_t offset, httplib::DataSink& sink) {
        if (offset >= total) {
          sink.done();
          return true;
        }
        const std::string chunk(std::min<std::size_t>(64 * 1024, total - offset), 'x');
        return sink.write(chunk.data(), chunk.size());
      });
}

// Pre-compressed bytes. The type must not be text/*: cpp-httplib would gzip those again
// for a client that accepts gzip.
void serve_encoded(httplib::Response& response, const std::string& bytes,
                   const std::string& encoding) {
  response.set_header("Content-Encoding", encoding);
  response.set_content(bytes, "application/octet-stream");
}

class CurlFetcherTest : public ::testing::Test {
 protected:
  void TearDown() override { gate_.release(); }

  httplib::Server& routes() { return server_.routes(); }
  std::string url(std::string_view path) const { return server_.url(path); }

  Result<FetchResponse> fetch(FetchRequest request) { return fetcher_->fetch(request); }

  FetchRequest request_for(std::string_view path) const {
    FetchRequest request;
    request.url = url(path);
    request.timeout = std::chrono::seconds{60};  // generous: a loaded 2-core CI box
    request.connect_timeout = std::chrono::seconds{30};
    return request;
  }

  static std::unique_ptr<CurlFetcher> make_fetcher() {
    auto fetcher = CurlFetcher::create();
    EXPECT_TRUE(fetcher.has_value()) << fetcher.error().message;
    return fetcher ? std::move(*fetcher) : nullptr;
  }

  // Declaration order matters for destruction: the fetcher closes its kept-alive
  // connection first, then the server stops, then what its routes use (the log and the
  // gate) goes. Routes capture test-body locals by value: the server outlives the body.
  Gate gate_;
  RequestLog log_;
  LocalServer server_;
  std::unique_ptr<CurlFetcher> fetcher_ = make_fetcher();
};

TEST_F(CurlFetcherTest, ReturnsBodyBytesAndValidatorsOf200) {
  const std::string page = read_fixture("fetch/rtfund-xxpl-list-2020-07.html");
  routes().Get("/list", [page](const httplib::Request&, httplib::Response& res) {
    res.set_header("ETag", "\"rt-1\"");
    res.set_header("Last-Modified", "Thu, 09 Jul 2020 11:36:14 GMT");
    res.set_content(page, "text/html; charset=gb2312");
  });
  server_.start();

  auto response = fetch(request_for("/list"));

  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_FALSE(response->not_modified());
  EXPECT_EQ(response->final_url, url("/list"));
  EXPECT_EQ(response->content_type, "text/html; charset=gb2312");
  EXPECT_EQ(response->body, page);  // GB18030 bytes, untouched
  EXPECT_EQ(response->etag, "\"rt-1\"");
  EXPECT_EQ(response->last_modified, "Thu, 09 Jul 2020 11:36:14 GMT");
}

TEST_F(CurlFetcherTest, SendsIfNoneMatchAndReports304AsNotModified) {
  routes().Get("/list", [this](const httplib::Request& req, httplib::Response& res) {
    log_.record(req);
    if (req.get_header_value("If-None-Match") == "\"v1\"") {
      res.status = 304;
      return;
    }
    res.set_content("changed", "text/plain");
  });
  server_.start();
  FetchRequest request = request_for("/list");
  request.etag = "\"v1\"";

  auto response = fetch(request);

  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(header(log_.last(), "If-None-Match"), "\"v1\"");
  EXPECT_EQ(response->status, 304);
  EXPECT_TRUE(response->not_modified());
  EXPECT_TRUE(response->body.empty());
}

TEST_F(CurlFetcherTest, SendsIfModifiedSinceAndReports304AsNotModified) {
  const std::string stamp = "Wed, 21 Oct 2015 07:28:00 GMT";
  routes().Get("/list", [this, stamp](const httplib::Request& req, httplib::Response& res) {
    log_.record(req);
    if (req.get_header_value("If-Modified-Since") == stamp) {
      res.status = 304;
      return;
    }
    res.set_content("changed", "text/plain");
  });
  server_.start();
  FetchRequest request = request_for("/list");
  request.last_modified = stamp;

  auto response = fetch(request);

  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(header(log_.last(), "If-Modified-Since"), stamp);
  EXPECT_EQ(response->status, 304);
}

TEST_F(CurlFetcherTest, ReusedFetcherDoesNotCarryValidatorsIntoTheNextRequest) {
  routes().Get("/list", [this](const httplib::Request& req, httplib::Response& res) {
    log_.record(req);
    res.set_content("page", "text/plain");
  });
  server_.start();
  FetchRequest first = request_for("/list");
  first.etag = "\"v1\"";
  first.last_modified = "Wed, 21 Oct 2015 07:28:00 GMT";
  ASSERT_TRUE(fetch(first).has_value());

  auto second = fetch(request_for("/list"));

  ASSERT_TRUE(second.has_value()) << second.error().message;
  ASSERT_EQ(log_.count(), 2u);
  EXPECT_EQ(header(log_.last(), "If-None-Match"), "<absent>");
  EXPECT_EQ(header(log_.last(), "If-Modified-Since"), "<absent>");
  EXPECT_EQ(second->body, "page");
}

TEST_F(CurlFetcherTest, DoesNotSendAValidatorThatWouldInjectAHeader) {
  routes().Get("/list", [this](const httplib::Request& req, httplib::Response& res) {
    log_.record(req);
    res.set_content("page", "text/plain");
  });
  server_.start();
  FetchRequest request = request_for("/list");
  request.etag = "\"v1\"\r\nX-Injected: yes";

  auto response = fetch(request);

  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(header(log_.last(), "X-Injected"), "<absent>");
  EXPECT_EQ(header(log_.last(), "If-None-Match"), "<absent>");
}

TEST_F(CurlFetcherTest, FollowsRedirectAndReportsTheTargetAsFinalUrl) {
  routes().Get("/old", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("ETag", "\"of-the-redirect\"");
    res.set_content("moved", "text/plain");
    res.set_redirect("/new", 301);
  });
  routes().Get("/new", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("the new page", "text/plain");
  });
  server_.start();
  FetchRequest request = request_for("/old");
  request.internal = true;  // both ends are on loopback, like a source on the firm's network

  auto response = fetch(request);

  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->final_url, url("/new"));
  EXPECT_EQ(response->body, "the new page");
  // Validators belong to the page returned, not to the redirect in front of it.
  EXPECT_EQ(response->etag, std::nullopt);
}

TEST_F(CurlFetcherTest, RedirectLoopStopsAtTheLimit) {
  routes().Get("/loop", [this](const httplib::Request& req, httplib::Response& res) {
    log_.record(req);
    res.set_redirect("/loop");
  });
  server_.start();
  FetchRequest request = request_for("/loop");
  request.max_redirects = 5;
  request.internal = true;  // a loopback loop: only the redirect limit may stop it

  auto response = fetch(request);

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kRedirectLimit) << response.error().message;
  EXPECT_FALSE(response.error().retryable);
  EXPECT_EQ(log_.count(), 6u);  // the request and its 5 allowed redirects, no more
}

TEST_F(CurlFetcherTest, RedirectToFileSchemeIsBlockedAndNothingIsRead) {
  routes().Get("/evil", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("file:///etc/passwd");
  });
  server_.start();

  auto response = fetch(request_for("/evil"));

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kBlockedRedirect) << response.error().message;
  EXPECT_FALSE(response.error().retryable);
  EXPECT_THAT(response.error().message, Not(HasSubstr("root:")));
}

TEST_F(CurlFetcherTest, NonHttpUrlIsRefusedWithoutFetching) {
  FetchRequest request;
  request.url = "file:///etc/passwd";

  auto response = fetch(request);

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kConfig) << response.error().message;
}

TEST_F(CurlFetcherTest, NotFoundIsHttp4xxAndNotRetryable) {
  routes().Get("/gone", [](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_content("no such page", "text/plain");
  });
  server_.start();

  auto response = fetch(request_for("/gone"));

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kHttp4xx);
  EXPECT_FALSE(response.error().retryable);
  EXPECT_EQ(response.error().message, "GET " + url("/gone") + ": HTTP 404 Not Found");
}

TEST_F(CurlFetcherTest, RequestTimeout408IsHttp4xxButRetryable) {
  routes().Get("/slow", [](const httplib::Request&, httplib::Response& res) { res.status = 408; });
  server_.start();

  auto response = fetch(request_for("/slow"));

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kHttp4xx);
  EXPECT_TRUE(response.error().retryable);
}

TEST_F(CurlFetcherTest, EndlessErrorPageIsReportedByItsStatus) {
  routes().Get("/broken", [](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    serve_chunked(res, 20 * kMiB);
  });
  server_.start();
  FetchRequest request = request_for("/broken");
  request.max_body_bytes = 1 * kMiB;

  auto response = fetch(request);

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kHttp4xx) << response.error().message;
}

TEST_F(CurlFetcherTest, ServerErrorIsHttp5xxAndRetryable) {
  routes().Get("/boom", [](const httplib::Request&, httplib::Response& res) { res.status = 500; });
  server_.start();

  auto response = fetch(request_for("/boom"));

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kHttp5xx);
  EXPECT_TRUE(response.error().retryable);
  EXPECT_THAT(response.error().message, HasSubstr("HTTP 500 Internal Server Error"));
}

TEST_F(CurlFetcherTest, ServiceUnavailableWithoutRetryAfterIsHttp5xx) {
  routes().Get("/down", [](const httplib::Request&, httplib::Response& res) { res.status = 503; });
  server_.start();

  auto response = fetch(request_for("/down"));

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kHttp5xx);
  EXPECT_TRUE(response.error().retryable);
  EXPECT_EQ(response.error().message, "GET " + url("/down") + ": HTTP 503 Service Unavailable");
}

TEST_F(CurlFetcherTest, TooManyRequestsIsRateLimitedAndCarriesRetryAfter) {
  routes().Get("/busy", [](const httplib::Request&, httplib::Response& res) {
    res.status = 429;
    res.set_header("Retry-After", "120");
  });
  server_.start();

  auto response = fetch(request_for("/busy"));

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kRateLimited);
  EXPECT_TRUE(response.error().retryable);
  EXPECT_THAT(response.error().message, HasSubstr("Retry-After: 120"));
}

TEST_F(CurlFetcherTest, ServiceUnavailableWithRetryAfterDateIsRateLimited) {
  routes().Get("/maintenance", [](const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_header("Retry-After", "Wed, 21 Oct 2037 07:28:00 GMT");
  });
  server_.start();

  auto response = fetch(request_for("/maintenance"));

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kRateLimited);
  EXPECT_THAT(response.error().message, HasSubstr("Wed, 21 Oct 2037 07:28:00 GMT"));
}

TEST_F(CurlFetcherTest, BodyOverCapWithContentLengthIsTooLarge) {
  routes().Get("/big", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(2 * kMiB, 'x'), "application/octet-stream");
  });
  server_.start();
  FetchRequest request = request_for("/big");
  request.max_body_bytes = 1 * kMiB;

  auto response = fetch(request);

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kTooLarge) << response.error().message;
  EXPECT_FALSE(response.error().retryable);
  EXPECT_EQ(response.error().message,
            "GET " + url("/big") +
                ": body larger than 1 MiB cap (raise fetch.max_body_bytes in the source file)");
}

TEST_F(CurlFetcherTest, ChunkedBodyOverCapIsTooLarge) {
  routes().Get("/endless", [](const httplib::Request&, httplib::Response& res) {
    serve_chunked(res, 20 * kMiB);
  });
  server_.start();
  FetchRequest request = request_for("/endless");
  request.max_body_bytes = 1 * kMiB;

  auto response = fetch(request);

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kTooLarge) << response.error().message;
}

TEST_F(CurlFetcherTest, ChunkedBodyExactlyAtCapIsAccepted) {
  routes().Get("/full", [](const httplib::Request&, httplib::Response& res) {
    serve_chunked(res, 1 * kMiB);
  });
  server_.start();
  FetchRequest request = request_for("/full");
  request.max_body_bytes = 1 * kMiB;

  auto response = fetch(request);

  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->body.size(), 1 * kMiB);
}

TEST_F(CurlFetcherTest, GzipBombIsStoppedAtTheDecodedCap) {
  const std::string bomb = read_fixture("fetch/bomb-20MB.gz");  // ~19 KB -> 20,000,000 bytes
  routes().Get("/bomb", [bomb](const httplib::Request&, httplib::Response& res) {
    serve_encoded(res, bomb, "gzip");
  });
  server_.start();

  auto response = fetch(request_for("/bomb"));  // default cap: 8 MiB

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kTooLarge) << response.error().message;
  EXPECT_THAT(response.error().message, HasSubstr("8 MiB cap"));
}

TEST_F(CurlFetcherTest, DeflateBombIsStoppedAtTheDecodedCap) {
  const std::string bomb = read_fixture("fetch/bomb-20MB.zz");
  routes().Get("/bomb", [bomb](const httplib::Request&, httplib::Response& res) {
    serve_encoded(res, bomb, "deflate");
  });
  server_.start();

  auto response = fetch(request_for("/bomb"));

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kTooLarge) << response.error().message;
}

TEST_F(CurlFetcherTest, GzipBodyIsDecodedAndOnlyGzipAndDeflateAreOffered) {
  const std::string page = read_fixture("fetch/caict-homepage-2018-03.html");
  const std::string gzipped = read_fixture("fetch/caict-homepage-2018-03.html.gz");
  routes().Get("/", [this, gzipped](const httplib::Request& req, httplib::Response& res) {
    log_.record(req);
    serve_encoded(res, gzipped, "gzip");
  });
  server_.start();

  auto response = fetch(request_for("/"));

  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->body, page);
  EXPECT_EQ(header(log_.last(), "Accept-Encoding"), "gzip, deflate");
}

TEST_F(CurlFetcherTest, DeflateBodyIsDecoded) {
  const std::string page = read_fixture("fetch/caict-homepage-2018-03.html");
  const std::string deflated = read_fixture("fetch/caict-homepage-2018-03.html.zz");
  routes().Get("/", [deflated](const httplib::Request&, httplib::Response& res) {
    serve_encoded(res, deflated, "deflate");
  });
  server_.start();

  auto response = fetch(request_for("/"));

  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->body, page);
}

TEST_F(CurlFetcherTest, StalledBodyTimesOut) {
  routes().Get("/stall", [this](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider(
        "application/octet-stream", [this](std::size_t, httplib::DataSink& sink) {
          sink.write("x", 1);
          gate_.wait_at_most(std::chrono::seconds{30});  // released by TearDown
          return false;
        });
  });
  server_.start();
  FetchRequest request = request_for("/stall");
  request.timeout = std::chrono::seconds{1};

  auto response = fetch(request);

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kTimeout) << response.error().message;
  EXPECT_TRUE(response.error().retryable);
  EXPECT_THAT(response.error().message, HasSubstr("timed out after 1 s"));
}

TEST_F(CurlFetcherTest, ClosedPortIsRefusedAndRetryable) {
  FetchRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/";

  auto response = fetch(request);

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kRefused) << response.error().message;
  EXPECT_TRUE(response.error().retryable);
}

// LocalServer, but speaking TLS with the self-signed certificate from the fixtures.
class LocalTlsServer {
 public:
  LocalTlsServer()
      : server_(herald::testing::fixture_path("fetch/self-signed-cert.pem").c_str(),
                herald::testing::fixture_path("fetch/self-signed-key.pem").c_str()) {}
  LocalTlsServer(const LocalTlsServer&) = delete;
  LocalTlsServer& operator=(const LocalTlsServer&) = delete;
  ~LocalTlsServer() {
    server_.stop();
    if (thread_.joinable()) {
      thread_.join();
    }
  }

  httplib::Server& routes() { return server_; }
  bool valid() const { return server_.is_valid(); }

  void start() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  std::string url(std::string_view path) const {
    return "https://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }

 private:
  httplib::SSLServer server_;
  std::thread thread_;
  int port_ = -1;
};

TEST(CurlFetcherTlsTest, SelfSignedCertificateIsTlsErrorAndNothingIsRead) {
  RequestLog log;
  LocalTlsServer server;
  ASSERT_TRUE(server.valid()) << "could not load the TLS fixture";
  server.routes().Get("/", [&log](const httplib::Request& req, httplib::Response& res) {
    log.record(req);
    res.set_content("secret", "text/plain");
  });
  server.start();
  auto fetcher = CurlFetcher::create();
  ASSERT_TRUE(fetcher.has_value()) << fetcher.error().message;
  FetchRequest request;
  request.url = server.url("/");
  request.timeout = std::chrono::seconds{60};

  auto response = (*fetcher)->fetch(request);
  fetcher->reset();  // hang up before the server stops

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kTls) << response.error().message;
  EXPECT_FALSE(response.error().retryable);
  EXPECT_EQ(log.count(), 0u);  // verification failed before any request was sent
}

TEST_F(CurlFetcherTest, SendsConfiguredIdentityHeaders) {
  routes().Get("/", [this](const httplib::Request& req, httplib::Response& res) {
    log_.record(req);
    res.set_content("ok", "text/plain");
  });
  server_.start();
  FetchRequest request = request_for("/");
  request.user_agent = "herald-test/1.0 (+mailto:ops@example.test)";
  request.referer = "https://www.example.test/news/";
  request.accept_language = "zh-CN,zh;q=0.9,en;q=0.5";

  auto response = fetch(request);

  ASSERT_TRUE(response.has_value()) << response.error().message;
  const httplib::Headers seen = log_.last();
  EXPECT_EQ(header(seen, "User-Agent"), "herald-test/1.0 (+mailto:ops@example.test)");
  EXPECT_EQ(header(seen, "Referer"), "https://www.example.test/news/");
  EXPECT_EQ(header(seen, "Accept-Language"), "zh-CN,zh;q=0.9,en;q=0.5");
  EXPECT_THAT(header(seen, "Accept"), HasSubstr("application/rss+xml"));
}

TEST_F(CurlFetcherTest, EmptyUserAgentFallsBackToHeraldDefault) {
  routes().Get("/", [this](const httplib::Request& req, httplib::Response& res) {
    log_.record(req);
    res.set_content("ok", "text/plain");
  });
  server_.start();

  auto response = fetch(request_for("/"));

  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(header(log_.last(), "User-Agent"), "herald/0.1");
  EXPECT_EQ(header(log_.last(), "Referer"), "<absent>");
}

}  // namespace
}  // namespace herald

namespace herald {
namespace {

// herald abandons a transfer when it is told to stop (SIGTERM during a slow fetch).
TEST(CurlFetcherCancelTest, CancelledRequestIsAbandoned) {
  testing::LocalServer server;
  server.routes().Get("/page", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("<html></html>", "text/html");
  });
  server.start();
  auto fetcher = CurlFetcher::create();
  ASSERT_TRUE(fetcher.has_value());
  const std::atomic<bool> stop{true};
  FetchRequest request{.url = server.url("/page")};
  request.cancel = &stop;
  auto result = (*fetcher)->fetch(request);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kCancelled);

  const std::atomic<bool> keep_going{false};
  request.cancel = &keep_going;
  auto ok = (*fetcher)->fetch(request);
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(ok->body, "<html></html>");
}

}  // namespace
}  // namespace herald
