// POST with a form body and extra request headers (json sources, CourtListener's token),
// against a loopback server.

#include <chrono>
#include <cstddef>
#include <csignal>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "scrapers/fetch/curl_fetcher.h"
#include "tests/support/local_server.h"

namespace herald {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using herald::testing::LocalServer;

struct PostProcessSetup {
  PostProcessSetup() { std::signal(SIGPIPE, SIG_IGN); }
  CurlGlobal curl{};
};
const PostProcessSetup post_process_setup;

// One request as the server saw it.
struct Seen {
  std::string method{};
  std::string path{};
  std::string body{};
  std::string content_type{};
  std::string authorization{};
  std::string custom{};
  std::string expect{};
};

class Recorder {
 public:
  void record(const httplib::Request& request) {
    const std::lock_guard lock(mutex_);
    seen_.push_back(Seen{.method = request.method,
                         .path = request.path,
                         .body = request.body,
                         .content_type = request.get_header_value("Content-Type"),
                         .authorization = request.get_header_value("Authorization"),
                         .custom = request.get_header_value("X-Herald-Test"),
                         .expect = request.get_header_value("Expect")});
  }
  std::vector<Seen> seen() const {
    const std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  mutable std::mutex mutex_;  // server threads write, the test thread reads
  std::vector<Seen> seen_;
};

std::vector<std::string> methods_and_paths(const std::vector<Seen>& seen) {
  std::vector<std::string> out;
  for (const Seen& s : seen) {
    out.push_back(s.method + " " + s.path);
  }
  return out;
}

class CurlFetcherPostTest : public ::testing::Test {
 protected:
  FetchRequest post_to(std::string_view path, std::string body) const {
    FetchRequest request;
    request.url = server_.url(path);
    request.method = "POST";
    request.body = std::move(body);
    request.timeout = std::chrono::seconds{60};
    request.connect_timeout = std::chrono::seconds{30};
    return request;
  }

  Result<FetchResponse> fetch(const FetchRequest& request) { return fetcher_->fetch(request); }

  static std::unique_ptr<CurlFetcher> make_fetcher() {
    auto fetcher = CurlFetcher::create();
    EXPECT_TRUE(fetcher.has_value()) << fetcher.error().message;
    return fetcher ? std::move(*fetcher) : nullptr;
  }

  Recorder log_;
  LocalServer other_;  // a second origin (another port)
  LocalServer server_;
  std::unique_ptr<CurlFetcher> fetcher_ = make_fetcher();
};

TEST_F(CurlFetcherPostTest, PostsTheFormBodyWithItsContentType) {
  server_.routes().Post("/so/webapi/1", [this](const auto& req, auto& res) {
    log_.record(req);
    res.set_content(R"({"data": []})", "application/json;charset=UTF-8");
  });
  server_.start();

  auto response = fetch(post_to("/so/webapi/1", "page=1&pageSize=20&sort=dateDesc"));

  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, R"({"data": []})");
  const auto seen = log_.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].body, "page=1&pageSize=20&sort=dateDesc");
  EXPECT_EQ(seen[0].content_type, "application/x-www-form-urlencoded");
  EXPECT_EQ(seen[0].expect, "");
}

TEST_F(CurlFetcherPostTest, ALongBodyIsSentWholeWithTheGivenType) {
  server_.routes().Post("/api", [this](const httplib::Request& req, httplib::Response& res) {
    log_.record(req);
    res.set_content("ok", "text/plain");
  });
  server_.start();
  FetchRequest request = post_to("/api", std::string(5000, 'q'));
  request.body_content_type = "application/json";

  auto response = fetch(request);

  ASSERT_TRUE(response.has_value()) << response.error().message;
  const auto seen = log_.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].body.size(), 5000u);
  EXPECT_EQ(seen[0].content_type, "application/json");
  EXPECT_EQ(seen[0].expect, "");  // no 100-continue round trip
}

TEST_F(CurlFetcherPostTest, ExtraHeadersAreSentWithGetAndPost) {
  server_.routes().Get("/search", [this](const httplib::Request& req, httplib::Response& res) {
    log_.record(req);
    res.set_content("{}", "application/json");
  });
  server_.start();
  FetchRequest request;
  request.url = server_.url("/search");
  request.timeout = std::chrono::seconds{60};
  request.headers = {{"Authorization", "Token abc123"}, {"X-Herald-Test", "yes"}};

  auto response = fetch(request);

  ASSERT_TRUE(response.has_value()) << response.error().message;
  const auto seen = log_.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].authorization, "Token abc123");
  EXPECT_EQ(seen[0].custom, "yes");
}

TEST_F(CurlFetcherPostTest, ARedirectedPostIsFollowedWithAGetWithoutTheBody) {
  // One server for every status: a server per case would wait out curl's kept-alive
  // connection when it stops.
  server_.routes().Post(R"(/form/(\d+))", [this](const auto& req, auto& res) {
    log_.record(req);
    res.status = std::stoi(req.matches[1]);
    res.set_header("Location", "/result?x=1");
  });
  server_.routes().Get("/result", [this](const httplib::Request& req, httplib::Response& res) {
    log_.record(req);
    res.set_content("[]", "application/json");
  });
  server_.routes().Post("/result", [this](const httplib::Request& req, httplib::Response& res) {
    log_.record(req);
    res.set_content("reposted", "text/plain");
  });
  server_.start();

  std::size_t before = 0;
  for (const int status : {302, 303, 307, 308}) {
    SCOPED_TRACE(status);
    const std::string path = "/form/" + std::to_string(status);
    FetchRequest request = post_to(path, "secret=form");
    request.headers = {{"Authorization", "Token abc123"}};
    request.internal = true;  // the redirect stays on loopback

    auto response = fetch(request);

    ASSERT_TRUE(response.has_value()) << response.error().message;
    EXPECT_EQ(response->body, "[]");
    EXPECT_EQ(response->final_url, server_.url("/result?x=1"));
    const auto all = log_.seen();
    const std::vector<Seen> seen(all.begin() + static_cast<std::ptrdiff_t>(before), all.end());
    before = all.size();
    EXPECT_THAT(methods_and_paths(seen), ElementsAre("POST " + path, "GET /result"));
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[1].body, "");
    EXPECT_EQ(seen[1].authorization, "Token abc123");  // same origin: credentials stay
  }
}

TEST_F(CurlFetcherPostTest, CredentialsDoNotFollowARedirectToAnotherOrigin) {
  other_.routes().Get("/elsewhere", [this](const httplib::Request& req, httplib::Response& res) {
    log_.record(req);
    res.set_content("[]", "application/json");
  });
  other_.start();
  server_.routes().Post("/form", [this](const httplib::Request& req, httplib::Response& res) {
    log_.record(req);
    res.status = 303;
    res.set_header("Location", other_.url("/elsewhere"));
  });
  server_.start();
  FetchRequest request = post_to("/form", "a=1");
  request.headers = {{"Authorization", "Token abc123"}};
  request.internal = true;  // the other origin is on loopback too

  auto response = fetch(request);

  ASSERT_TRUE(response.has_value()) << response.error().message;
  const auto seen = log_.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].authorization, "Token abc123");
  EXPECT_EQ(seen[1].method, "GET");
  EXPECT_EQ(seen[1].authorization, "");
}

TEST_F(CurlFetcherPostTest, RedirectLimitCountsThePostsOwnRedirect) {
  server_.routes().Post("/form", [](const httplib::Request&, httplib::Response& res) {
    res.status = 303;
    res.set_header("Location", "/next");
  });
  server_.start();
  FetchRequest request = post_to("/form", "a=1");
  request.max_redirects = 0;

  auto response = fetch(request);

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kRedirectLimit);
  EXPECT_THAT(response.error().message, HasSubstr("POST " + server_.url("/form")));
}

TEST_F(CurlFetcherPostTest, ErrorsNameThePostAndItsStatus) {
  server_.routes().Post("/form", [](const httplib::Request&, httplib::Response& res) {
    res.status = 405;
  });
  server_.start();

  auto response = fetch(post_to("/form", "a=1"));

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kHttp4xx);
  EXPECT_EQ(response.error().message,
            "POST " + server_.url("/form") + ": HTTP 405 Method Not Allowed");
}

TEST_F(CurlFetcherPostTest, BadMethodsAndHeadersAreRefusedBeforeSending) {
  server_.routes().Get("/x", [this](const httplib::Request& req, httplib::Response& res) {
    log_.record(req);
    res.set_content("x", "text/plain");
  });
  server_.start();

  FetchRequest put;
  put.url = server_.url("/x");
  put.method = "PUT";
  auto refused = fetch(put);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kConfig);

  FetchRequest injected;
  injected.url = server_.url("/x");
  injected.headers = {{"Authorization", "Token abc\r\nX-Evil: 1"}};
  auto bad_value = fetch(injected);
  ASSERT_FALSE(bad_value.has_value());
  EXPECT_EQ(bad_value.error().code, ErrorCode::kConfig);
  EXPECT_THAT(bad_value.error().message, HasSubstr("'Authorization'"));
  EXPECT_THAT(bad_value.error().message, Not(HasSubstr("abc")));  // a token is never shown

  injected.headers = {{"Bad Name", "v"}};
  auto bad_name = fetch(injected);
  ASSERT_FALSE(bad_name.has_value());
  EXPECT_EQ(bad_name.error().code, ErrorCode::kConfig);

  EXPECT_TRUE(log_.seen().empty());
}

}  // namespace
}  // namespace herald
