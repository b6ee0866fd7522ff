// Issue 13, item 2 and the web parts of item 8: request bodies bounded whatever their
// framing, for every route and before authentication; the CSRF token never from the query
// string; no NUL in asset paths; sections only from configuration; an empty publish is no
// success; and every route the router knows needs a session.

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>
#include <regex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tests/web/web_test_support.h"

namespace herald::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// A concrete path for a registered route pattern: numeric ids become 1, a catch-all becomes
// a 64-hex digest (evidence), and any other capture group (source ids, …) a plain name.
std::string path_for(const std::string& pattern) {
  std::string path = std::regex_replace(pattern, std::regex(R"(\(\\d\{1,18\}\))"), "1");
  path = std::regex_replace(path, std::regex(R"(\(\.\*\))"),
                            "0000000000000000000000000000000000000000000000000000000000000000");
  return std::regex_replace(path, std::regex(R"(\([^()]*\))"), "abc");
}

// A client socket to the server, closed on destruction.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    // A small send buffer: what the client has "sent" is then close to what the server's
    // kernel accepted, and the server's receive buffer (a few MiB) is all that can hide
    // unread bytes.
    const int small = 64 * 1024;
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }

  // Sends `head`, then `body_bytes` bytes of 'a' (as 64 KiB chunks when `chunked`) until the
  // server stops taking them. Returns how many body bytes the kernel accepted. Meanwhile a
  // reader thread collects whatever the server answers, until it closes or 20 s pass.
  std::size_t send_body(const std::string& head, std::size_t body_bytes, bool chunked) {
    std::thread reader([this] { read_until_closed(); });
    std::size_t sent = 0;
    if (send_all(head)) {
      const std::string data(64 * 1024, 'a');
      char size_line[32];
      std::snprintf(size_line, sizeof(size_line), "%zx\r\n", data.size());
      while (sent < body_bytes) {
        if (chunked && !send_all(size_line)) {
          break;
        }
        if (!send_all(data)) {
          break;
        }
        sent += data.size();
        if (chunked && !send_all("\r\n")) {
          break;
        }
      }
      if (chunked && sent >= body_bytes) {
        send_all("0\r\n\r\n");
      }
    }
    ::shutdown(fd_, SHUT_WR);
    reader.join();
    return sent;
  }

  // Sends `request` whole and reads the answer until the server closes or 20 s pass.
  std::string exchange(const std::string& request) {
    send_all(request);
    ::shutdown(fd_, SHUT_WR);
    read_until_closed();
    return received_;
  }

  const std::string& received() const { return received_; }

 private:
  bool send_all(std::string_view bytes) {
    while (!bytes.empty()) {
      pollfd out{.fd = fd_, .events = POLLOUT, .revents = 0};
      if (::poll(&out, 1, 20'000) <= 0) {
        return false;  // the server stopped reading: as good as refused
      }
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        return false;
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  void read_until_closed() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    char buffer[4096];
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd in{.fd = fd_, .events = POLLIN, .revents = 0};
      if (::poll(&in, 1, 200) <= 0) {
        continue;
      }
      const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) {
        return;  // closed (or reset)
      }
      received_.append(buffer, static_cast<std::size_t>(n));
    }
  }

  int fd_;
  bool connected_ = false;
  std::string received_{};
};

class RequestLimitsTest : public WebFixture {
 protected:
  std::string head(const std::string& method, const std::string& path,
                   const std::string& framing) const {
    return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) +
           "\r\nOrigin: " + origin() +
           "\r\nSec-Fetch-Site: same-origin"
           "\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
           framing + "\r\n";
  }
};

constexpr std::size_t kMiB = 1024 * 1024;
// More than the limit (1 MiB) plus every kernel buffer between client and server can hold.
constexpr std::size_t kHuge = 32 * kMiB;

TEST_F(RequestLimitsTest, ChunkedBodyIsRefusedAtTheLimitNotReadWhole) {
  start();
  RawConnection connection(port_);
  ASSERT_TRUE(connection.connected());
  const std::size_t sent =
      connection.send_body(head("POST", "/login", "Transfer-Encoding: chunked\r\n"), kHuge, true);
  EXPECT_THAT(connection.received(), StartsWith("HTTP/1.1 413"));
  // The server stopped reading: the client could not get it all out.
  EXPECT_LT(sent, kHuge);
}

TEST_F(RequestLimitsTest, BodyWithoutLengthIsRefusedAtTheLimit) {
  start();
  RawConnection connection(port_);
  ASSERT_TRUE(connection.connected());
  const std::size_t sent = connection.send_body(head("POST", "/login", ""), kHuge, false);
  EXPECT_THAT(connection.received(), StartsWith("HTTP/1.1 413"));
  EXPECT_LT(sent, kHuge);
}

TEST_F(RequestLimitsTest, LargeContentLengthIsRefusedBeforeAnyBodyIsSent) {
  start();
  RawConnection connection(port_);
  ASSERT_TRUE(connection.connected());
  // Only the head: the answer must not wait for 8 GiB that will never come.
  const std::string answer =
      connection.exchange(head("POST", "/queue/bulk", "Content-Length: 8589934592\r\n"));
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 413"));
}

TEST_F(RequestLimitsTest, ShortContentLengthDoesNotLetTheRestBeReadAsAHugeRequestLine) {
  start();
  RawConnection connection(port_);
  ASSERT_TRUE(connection.connected());
  // 100 bytes declared, 32 MiB sent: the rest is a "next request" with no end of line,
  // which httplib alone would buffer whole.
  const std::size_t sent =
      connection.send_body(head("POST", "/login", "Content-Length: 100\r\n"), kHuge, false);
  EXPECT_LT(sent, kHuge);
  EXPECT_THAT(connection.received(), StartsWith("HTTP/1.1 "));
}

TEST_F(RequestLimitsTest, EveryStateChangingRouteRefusesAnOversizedBodyBeforeAuthentication) {
  limits_.max_body_bytes = 64 * 1024;
  start();
  std::vector<std::string> targets;
  for (const web::RouteEntry& route : server_->routes()) {
    if (route.method != "GET") {
      targets.push_back(route.method + " " +
                        path_for(route.pattern));
    }
  }
  targets.push_back("POST /no/such/route");
  targets.push_back("PATCH /api/v1/nothing");
  ASSERT_GE(targets.size(), 10u);
  for (const std::string& target : targets) {
    SCOPED_TRACE(target);
    const auto space = target.find(' ');
    RawConnection connection(port_);
    ASSERT_TRUE(connection.connected());
    const std::size_t sent = connection.send_body(
        head(target.substr(0, space), target.substr(space + 1), "Transfer-Encoding: chunked\r\n"),
        kHuge, true);
    // Not 303 to /login or 401: the body is refused before anyone asks who is sending it.
    EXPECT_THAT(connection.received(), StartsWith("HTTP/1.1 413"));
    EXPECT_LT(sent, kHuge);
  }
}

TEST_F(RequestLimitsTest, BodiesWithinTheLimitStillWorkChunkedOrNot) {
  start();
  Signed alice = sign_in("alice", "correct horse");
  ASSERT_FALSE(alice.cookie.empty());
  const std::string form = "csrf=" + alice.csrf;
  RawConnection chunked(port_);
  const std::string answer = chunked.exchange(
      "POST /logout HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) + "\r\nOrigin: " +
      origin() +
      "\r\nContent-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n"
      "Transfer-Encoding: chunked\r\nCookie: " +
      alice.cookie + "\r\n\r\n" + fmt::format("{:x}\r\n{}\r\n0\r\n\r\n", form.size(), form));
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 303"));
  EXPECT_THAT(answer, HasSubstr("Location: /login"));
}

TEST_F(RequestLimitsTest, AnEndlessHeaderLineIsCutOff) {
  start();
  RawConnection connection(port_);
  ASSERT_TRUE(connection.connected());
  const std::size_t sent = connection.send_body(
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ", kHuge, false);
  EXPECT_LT(sent, kHuge);
}

// ---- item 8 ------------------------------------------------------------------

TEST_F(RequestLimitsTest, CsrfTokenInTheQueryStringIsRefused) {
  auto ids = seed("gov", {item("人工智能办法", "https://www.cac.gov.cn/a.htm")});
  ASSERT_EQ(ids.size(), 1u);
  start();
  Signed alice = sign_in("alice", "correct horse");
  const std::string path = "/items/" + std::to_string(ids[0]) + "/decision?csrf=" + alice.csrf;
  auto in_query = client().Post(path, form_headers(alice),
                                httplib::Params{{"decision", "accept"}});
  ASSERT_TRUE(in_query);
  EXPECT_EQ(in_query->status, 403);
  auto in_body = client().Post("/items/" + std::to_string(ids[0]) + "/decision",
                               form_headers(alice),
                               httplib::Params{{"decision", "accept"}, {"csrf", alice.csrf}});
  ASSERT_TRUE(in_body);
  EXPECT_EQ(in_body->status, 303);
}

TEST_F(RequestLimitsTest, NulInAnAssetPathIsRefusedNotServedAsScript) {
  start();
  RawConnection connection(port_);
  ASSERT_TRUE(connection.connected());
  const std::string answer = connection.exchange(
      "GET /assets/app.css%00.js HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) +
      "\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(answer, Not(HasSubstr("javascript")));
  // Encoded once means decoded once: %2500 is the three characters "%00", no such file.
  RawConnection twice(port_);
  const std::string encoded = twice.exchange(
      "GET /assets/app.css%2500.js HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) +
      "\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(encoded, StartsWith("HTTP/1.1 404"));
}

TEST_F(RequestLimitsTest, PatchRefusesASectionThatIsNotConfigured) {
  auto ids = seed("gov", {item("人工智能办法", "https://www.cac.gov.cn/a.htm")});
  ASSERT_EQ(ids.size(), 1u);
  start();
  Signed alice = sign_in("alice", "correct horse");
  httplib::Headers headers = form_headers(alice);
  headers.emplace("X-CSRF-Token", alice.csrf);
  const std::string path = "/api/v1/candidates/" + std::to_string(ids[0]);
  auto other = client().Patch(path, headers, R"({"section":"other"})", "application/json");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 400);
  EXPECT_THAT(other->body, HasSubstr("没有栏目"));
  EXPECT_THAT(other->body, HasSubstr("最新行业动态"));
  EXPECT_EQ(store_->get_candidate(ids[0]).value().section, "最新法律与监管动态");

  auto configured =
      client().Patch(path, headers, R"({"section":"最新行业动态"})", "application/json");
  ASSERT_TRUE(configured);
  EXPECT_EQ(configured->status, 200);
  EXPECT_EQ(store_->get_candidate(ids[0]).value().section, "最新行业动态");
}

TEST_F(RequestLimitsTest, PublishingAnEmptyMonthDoesNotReportSuccess) {
  start();
  Signed alice = sign_in("alice", "correct horse");
  auto publish = client().Post("/export/publish", form_headers(alice),
                               httplib::Params{{"csrf", alice.csrf}, {"month", "2023-10"}});
  ASSERT_TRUE(publish);
  ASSERT_EQ(publish->status, 303);
  const std::string location = publish->get_header_value("Location");
  EXPECT_THAT(location, Not(HasSubstr("m=published")));
  auto page = client().Get(location, {{"Cookie", alice.cookie}});
  ASSERT_TRUE(page);
  EXPECT_THAT(page->body, HasSubstr("没有任何条目被标记为已发布"));
  EXPECT_THAT(page->body, Not(HasSubstr("已将本月采用的条目标记为已发布")));
}

// The route list comes from the router itself, so a new route cannot be forgotten here.
TEST_F(RequestLimitsTest, EveryRouteTheRouterKnowsNeedsASession) {
  seed("gov", {item("人工智能办法", "https://www.cac.gov.cn/a.htm")});
  start();
  // Public by design: signing in, the load balancer's probe, Prometheus (README "Security").
  const std::vector<std::string> public_routes = {"GET /login", "POST /login", "GET /healthz",
                                                  "GET /metrics"};
  int checked = 0;
  bool saw_evidence = false;
  bool saw_download = false;
  bool saw_post = false;
  bool saw_repair = false;
  for (const web::RouteEntry& route : server_->routes()) {
    const std::string name = route.method + " " + route.pattern;
    if (std::find(public_routes.begin(), public_routes.end(), name) != public_routes.end()) {
      continue;
    }
    const std::string path = path_for(route.pattern);
    SCOPED_TRACE(route.method + " " + path);
    saw_evidence |= path.starts_with("/evidence/");
    saw_download |= path == "/export/download";
    saw_post |= route.method == "POST";
    saw_repair |= path == "/sources/abc/repair";
    const bool api = path.starts_with("/api/");
    httplib::Headers headers{{"Origin", origin()}, {"Sec-Fetch-Site", "same-origin"}};
    if (route.method != "GET" && route.method != "POST" && route.method != "PATCH") {
      ADD_FAILURE() << "a method this test does not know: " << route.method;
      continue;
    }
    httplib::Result response = [&] {
      if (route.method == "GET") {
        return client().Get(path, headers);
      }
      if (route.method == "PATCH") {
        return client().Patch(path, headers, "{}", "application/json");
      }
      return api ? client().Post(path, headers, "{}", "application/json")
                 : client().Post(path, headers, httplib::Params{{"csrf", "x"}});
    }();
    ASSERT_TRUE(response);
    if (api) {
      EXPECT_EQ(response->status, 401);
      EXPECT_EQ(response->get_header_value("Content-Type"), "application/json; charset=utf-8");
    } else {
      EXPECT_EQ(response->status, 303);
      EXPECT_EQ(response->get_header_value("Location"), "/login");
    }
    ++checked;
  }
  EXPECT_TRUE(saw_evidence);
  EXPECT_TRUE(saw_download);
  EXPECT_TRUE(saw_post);
  EXPECT_TRUE(saw_repair);  // web/repair_pages.cpp registers through App too
  EXPECT_GE(checked, 18);
}

}  // namespace
}  // namespace herald::testing
