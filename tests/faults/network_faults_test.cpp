// RELIABILITY.md §2.1, rows N1–N17: a hostile server on loopback against the whole poll
// pipeline (fetch -> decode -> parse -> extract -> store). Each test polls a source from a
// well-behaved server first, then points the same source at the hostile one and checks the
// typed outcome, that it is recorded, that nothing stored changed and that the validators
// did not advance (expect_failed_cleanly), plus the row's own criterion.

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <curl/curl.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "daemon/scheduler.h"
#include "tests/faults/fault_harness.h"
#include "tests/faults/hostile_server.h"

namespace herald::testing {
namespace {

using ::testing::HasSubstr;

using NetworkFaultTest = FaultTest;

// N1: SYNs dropped (a full accept queue that is never drained).
TEST_F(NetworkFaultTest, N1_ConnectTimeoutIsTimeout) {
  BlackHole hole;
  const RunReport report = expect_fault(kFeedId, hole.url("/feed"), "timeout");
  EXPECT_TRUE(report.error->retryable);
}

// N2: nothing listens on the port.
TEST_F(NetworkFaultTest, N2_ConnectionRefusedIsRefused) {
  int port = 0;
  {
    const Listener gone;  // bound, then closed: nothing listens there now
    port = gone.port();
  }
  const RunReport report =
      expect_fault(kFeedId, fmt::format("http://127.0.0.1:{}/feed", port), "refused");
  EXPECT_TRUE(report.error->retryable);
}

// N3: headers and one byte, then silence (slowloris against herald).
TEST_F(NetworkFaultTest, N3_StalledBodyIsAbortedAsTimeout) {
  RawServer server([](int fd, const RawServer::Request&, RawServer& self) {
    if (send_feed_head(fd, "Content-Length: 100000")) {
      send_all(fd, "<");
    }
    self.wait_or_stop(std::chrono::seconds{60});
  });
  const RunReport report = expect_fault(kFeedId, server.url("/feed"), "timeout");
  EXPECT_THAT(report.error->message, HasSubstr("timed out"));
}

// N4: a body dripping in faster than the low-speed limit but never finishing: only the
// total timeout can end it.
TEST_F(NetworkFaultTest, N4_TrickleIsCutAtTheTotalTimeout) {
  RawServer server([](int fd, const RawServer::Request&, RawServer& self) {
    if (!send_feed_head(fd, "Content-Length: 1000000")) {
      return;
    }
    const std::string drip(20, ' ');  // 400 bytes/s: well above 64 bytes/s
    while (send_all(fd, drip) && self.wait_or_stop(std::chrono::milliseconds{50})) {
    }
  });
  const RunReport report = expect_fault(kFeedId, server.url("/feed"), "timeout");
  EXPECT_THAT(report.error->message, HasSubstr("timed out after 2 s"));
}

// N5: a 1 GiB Content-Length is refused before the body is read.
TEST_F(NetworkFaultTest, N5_HugeContentLengthIsTooLargeWithoutReadingIt) {
  RawServer server([](int fd, const RawServer::Request&, RawServer&) {
    if (!send_feed_head(fd, "Content-Length: 1073741824")) {
      return;
    }
    const std::string block(64 * 1024, 'x');
    for (int i = 0; i < 16 * 1024 && send_all(fd, block); ++i) {
    }
  });
  const RunReport report = expect_fault(kFeedId, server.url("/feed"), "too_large");
  EXPECT_EQ(report.bytes, 0);
}

// N6: an endless chunked body (no Content-Length: libcurl 7.88 alone would read it all).
TEST_F(NetworkFaultTest, N6_EndlessChunkedBodyIsTooLargeAtTheCap) {
  RawServer server([](int fd, const RawServer::Request&, RawServer&) {
    if (!send_feed_head(fd, "Transfer-Encoding: chunked")) {
      return;
    }
    const std::string block(64 * 1024, 'x');
    const std::string chunk = fmt::format("{:x}\r\n{}\r\n", block.size(), block);
    for (int i = 0; i < 4096 && send_all(fd, chunk); ++i) {  // up to 256 MiB
    }
  });
  const RunReport report = expect_fault(kFeedId, server.url("/feed"), "too_large");
  EXPECT_THAT(report.error->message, HasSubstr("1 MiB"));
}

// N7: gzip and deflate bombs (≈20 KB each, 20 MB decoded): stopped at the *decoded* cap.
TEST_F(NetworkFaultTest, N7_GzipAndDeflateBombsAreTooLargeAtTheDecodedCap) {
  const std::string gzip_bomb = read_fixture("fetch/bomb-20MB.gz");
  const std::string deflate_bomb = read_fixture("fetch/bomb-20MB.zz");
  LocalServer server;
  server.routes().Get("/gzip", [&](const httplib::Request&, httplib::Response& res) {
    res.set_header("Content-Encoding", "gzip");
    res.set_content(gzip_bomb, "application/octet-stream");  // not text/*: no re-gzip
  });
  server.routes().Get("/deflate", [&](const httplib::Request&, httplib::Response& res) {
    res.set_header("Content-Encoding", "deflate");
    res.set_content(deflate_bomb, "application/octet-stream");
  });
  server.start();
  const Snapshot before = poll_good(kFeedId);
  const Validators validators_before = validators(kFeedId);

  for (const char* path : {"/gzip", "/deflate"}) {
    SCOPED_TRACE(path);
    expect_fault_after(before, validators_before, kFeedId, server.url(path), "too_large");
  }
  renew_fetcher();  // hang up before the server stops
}

// A zip archive (stored, no compression) holding one file; CRC-32 as zip wants it.
std::uint32_t crc32(std::string_view bytes) {
  std::uint32_t crc = 0xffffffffu;
  for (const unsigned char c : bytes) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) {
      crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
  }
  return ~crc;
}

std::string le(std::uint32_t value, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i) {
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
  return out;
}

std::string stored_zip(std::string_view name, std::string_view content) {
  const std::uint32_t crc = crc32(content);
  const auto size = static_cast<std::uint32_t>(content.size());
  const auto name_size = static_cast<std::uint32_t>(name.size());
  std::string local = "PK\x03\x04" + le(20, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(crc, 4) +
                      le(size, 4) + le(size, 4) + le(name_size, 2) + le(0, 2) +
                      std::string(name) + std::string(content);
  std::string central = "PK\x01\x02" + le(20, 2) + le(20, 2) + le(0, 2) + le(0, 2) + le(0, 4) +
                        le(crc, 4) + le(size, 4) + le(size, 4) + le(name_size, 2) + le(0, 2) +
                        le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(0, 4) + std::string(name);
  const std::string end = "PK\x05\x06" + le(0, 2) + le(0, 2) + le(1, 2) + le(1, 2) +
                          le(static_cast<std::uint32_t>(central.size()), 4) +
                          le(static_cast<std::uint32_t>(local.size()), 4) + le(0, 2);
  return local + central + end;
}

// N8: herald never unpacks archives. A zip whose single entry is a perfectly good feed
// with a new item is not a feed: nothing from inside it is stored.
TEST_F(NetworkFaultTest, N8_ZipArchiveIsNeverUnpacked) {
  const std::string zip = stored_zip(
      "feed.xml", feed_with_new_item(feed_, "Unpacked from a zip", "https://openai.com/zip"));
  LocalServer server;
  server.routes().Get("/feed.zip", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(zip, "application/zip");
  });
  server.start();

  const RunReport report = expect_fault(kFeedId, server.url("/feed.zip"), "feed_invalid");

  for (const std::string& row : snapshot()) {
    EXPECT_THAT(row, ::testing::Not(HasSubstr("Unpacked from a zip")));
  }
  EXPECT_EQ(report.extracted, 0);
  renew_fetcher();
}

// N9: an endless redirect chain stops at 5 hops.
TEST_F(NetworkFaultTest, N9_RedirectLoopIsRedirectLimit) {
  std::mutex mutex;
  int hops = 0;
  LocalServer server;
  server.routes().Get(R"(/loop/(\d+))", [&](const httplib::Request& req, httplib::Response& res) {
    const std::lock_guard lock(mutex);
    ++hops;
    res.set_redirect("/loop/" + std::to_string(std::stoi(req.matches[1]) + 1), 302);
  });
  server.start();
  const Snapshot before = poll_good(kFeedId);
  const Validators validators_before = validators(kFeedId);
  // An internal source ([fetch] internal = true) may redirect between loopback servers, so
  // the loop reaches the redirect limit under test instead of the private-address check.
  SourceConfig looping = source(kFeedId);
  looping.url = server.url("/loop/0");
  looping.fetch.internal = true;

  const RunReport report = run_source_once(looping, loaded_.config, *polite_, *store_, clock_);

  expect_failed_cleanly(report, "redirect_limit", kFeedId, before, validators_before);
  renew_fetcher();  // hang up before the server stops
  const std::lock_guard lock(mutex);
  EXPECT_EQ(hops, 6);  // the request and 5 redirects, no more
}

// N10: redirects to another scheme, and from a public source into loopback.
TEST_F(NetworkFaultTest, N10_RedirectToFileSchemeIsBlocked) {
  LocalServer server;
  server.routes().Get("/feed", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("file:///etc/passwd", 302);
  });
  server.start();
  const RunReport report = expect_fault(kFeedId, server.url("/feed"), "blocked_redirect");
  EXPECT_THAT(report.error->message, HasSubstr("only http and https"));
  for (const std::string& row : snapshot()) {
    EXPECT_THAT(row, ::testing::Not(HasSubstr("root:")));
  }
  renew_fetcher();
}

TEST_F(NetworkFaultTest, N10_RedirectIntoLoopbackFromAPublicSourceIsBlockedAndNothingFetched) {
  std::mutex mutex;
  int secret_reads = 0;
  LocalServer intranet;
  intranet.routes().Get("/feed", [&](const httplib::Request&, httplib::Response& res) {
    const std::lock_guard lock(mutex);
    ++secret_reads;
    res.set_content(feed_with_new_item(feed_, "Intranet only", "https://intranet/1"),
                    "application/rss+xml");
  });
  intranet.start();
  LocalServer server;
  server.routes().Get("/feed", [&](const httplib::Request&, httplib::Response& res) {
    res.set_redirect(intranet.url("/feed"), 302);
  });
  server.start();

  const RunReport report = expect_fault(kFeedId, server.url("/feed"), "blocked_redirect");

  EXPECT_THAT(report.error->message, HasSubstr("(loopback)"));
  renew_fetcher();
  const std::lock_guard lock(mutex);
  EXPECT_EQ(secret_reads, 0);
}

// N11: 429 with Retry-After: the host is not asked again before then.
TEST_F(NetworkFaultTest, N11_TooManyRequestsPausesTheHostUntilRetryAfter) {
  std::mutex mutex;
  int requests = 0;
  LocalServer server;
  server.routes().Get("/feed", [&](const httplib::Request&, httplib::Response& res) {
    const std::lock_guard lock(mutex);
    ++requests;
    res.status = 429;
    res.set_header("Retry-After", "120");
  });
  server.start();

  const RunReport first = expect_fault(kFeedId, server.url("/feed"), "rate_limited");
  const auto until = polite_->rate_limited_until(server.url("/feed"));
  ASSERT_TRUE(until.has_value());
  EXPECT_GE(*until - clock_.now_steady(), std::chrono::seconds{100});
  EXPECT_LE(*until - clock_.now_steady(), std::chrono::seconds{121});

  const RunReport second = poll_at(kFeedId, server.url("/feed"));  // right away

  EXPECT_EQ(second.outcome, "rate_limited") << format_report(second);
  EXPECT_THAT(first.error->message, HasSubstr("Retry-After: 120"));
  renew_fetcher();
  const std::lock_guard lock(mutex);
  EXPECT_EQ(requests, 1) << "the paused host was asked again before its Retry-After";
}

TEST_F(NetworkFaultTest, N11_RetryAfterAsHttpDateIsHonouredToo) {
  LocalServer server;
  server.routes().Get("/feed", [](const httplib::Request&, httplib::Response& res) {
    const std::time_t later = std::time(nullptr) + 600;
    std::tm tm{};
    gmtime_r(&later, &tm);
    char date[64];
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    res.status = 503;
    res.set_header("Retry-After", date);
  });
  server.start();

  expect_fault(kFeedId, server.url("/feed"), "rate_limited");

  const auto until = polite_->rate_limited_until(server.url("/feed"));
  ASSERT_TRUE(until.has_value());
  EXPECT_GE(*until - clock_.now_steady(), std::chrono::seconds{500});
  renew_fetcher();
}

// N12: a burst of 503s, then the site recovers.
TEST_F(NetworkFaultTest, N12_ServiceUnavailableBurstBacksOffAndRecoversOnTheFirst200) {
  std::mutex mutex;
  int requests = 0;
  const std::string recovered =
      feed_with_new_item(feed_, "Back after the outage", "https://openai.com/back");
  LocalServer server;
  server.routes().Get("/feed", [&](const httplib::Request&, httplib::Response& res) {
    const std::lock_guard lock(mutex);
    if (++requests <= 3) {
      res.status = 503;
      res.set_content("<html>down for maintenance</html>", "text/html");
      return;
    }
    res.set_header("ETag", "\"v2\"");
    res.set_content(recovered, "application/rss+xml");
  });
  server.start();
  const Snapshot before = poll_good(kFeedId);
  const Validators validators_before = validators(kFeedId);
  // The schedule the serve loop keeps for this source, on a steady clock of its own.
  const auto start = std::chrono::steady_clock::time_point{std::chrono::hours(1000)};
  Scheduler scheduler({{std::string(kFeedId), std::chrono::hours(1)}}, start, 0.0,
                      std::chrono::seconds{0}, 1);
  auto now = start;
  std::vector<std::chrono::steady_clock::time_point> attempts;

  for (int i = 0; i < 3; ++i) {
    const RunReport report = poll_at(kFeedId, server.url("/feed"));
    expect_failed_cleanly(report, "http_5xx", kFeedId, before, validators_before);
    attempts.push_back(now);
    scheduler.completed(0, now, Scheduler::Outcome::failure(report.error->retryable));
    now = scheduler.next()->at;
  }
  const RunReport report = poll_at(kFeedId, server.url("/feed"));

  EXPECT_EQ(report.outcome, "ok") << format_report(report);
  EXPECT_EQ(report.stored.items_new, 1);
  EXPECT_EQ(validators(kFeedId).etag, "\"v2\"");
  EXPECT_EQ(scheduler.consecutive_failures(0), 3);
  // Exponential backoff: 1 h, 2 h, then 4 h after the third failure.
  EXPECT_EQ(attempts[1] - attempts[0], std::chrono::hours(1));
  EXPECT_EQ(attempts[2] - attempts[1], std::chrono::hours(2));
  EXPECT_EQ(now - attempts[2], std::chrono::hours(4));
  renew_fetcher();
}

// N13: robots.txt answering 5xx means "disallow everything" (RFC 9309 §2.3.1.4); the error
// body (which would allow everything) is not parsed, and the page is never fetched.
TEST_F(NetworkFaultTest, N13_RobotsServerErrorDisallowsAndThePageIsNotFetched) {
  std::mutex mutex;
  int page_requests = 0;
  LocalServer server;
  server.routes().Get("/robots.txt", [](const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_content("User-agent: *\nAllow: /\n", "text/plain");
  });
  server.routes().Get("/feed", [&](const httplib::Request&, httplib::Response& res) {
    const std::lock_guard lock(mutex);
    ++page_requests;
    res.set_content(feed_, "application/rss+xml");
  });
  server.start();

  expect_fault(kFeedId, server.url("/feed"), "robots_disallow");

  renew_fetcher();
  const std::lock_guard lock(mutex);
  EXPECT_EQ(page_requests, 0);
}

// N14: a name that cannot resolve (RFC 6761 reserves .invalid).
TEST_F(NetworkFaultTest, N14_UnresolvableHostIsDns) {
  const RunReport report = expect_fault(kFeedId, "http://herald-faults.invalid/feed", "dns");
  EXPECT_TRUE(report.error->retryable);
}

// N15: a resolver that never answers. Making one answer-less needs a network namespace (root
// or user namespaces); what herald relies on is that name resolution runs in libcurl's
// threaded resolver, which the total timeout bounds (docs/faults.md). This checks that the
// libcurl herald runs with has it.
TEST(DnsBoundTest, N15_NameResolutionIsAsynchronousSoTheTotalTimeoutBoundsIt) {
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  ASSERT_NE(info, nullptr);
  EXPECT_NE(info->features & CURL_VERSION_ASYNCHDNS, 0)
      << "libcurl without an asynchronous resolver: a hung DNS server would stall a poll "
         "past its timeout";
}

// N16: a certificate that does not verify: tls, with the reason, and nothing read.
TEST_F(NetworkFaultTest, N16_SelfSignedCertificateIsTlsAndNothingIsStored) {
  std::mutex mutex;
  int requests = 0;
  httplib::SSLServer tls(fixture_path("fetch/self-signed-cert.pem").c_str(),
                         fixture_path("fetch/self-signed-key.pem").c_str());
  ASSERT_TRUE(tls.is_valid());
  tls.Get("/feed", [&](const httplib::Request&, httplib::Response& res) {
    const std::lock_guard lock(mutex);
    ++requests;
    res.set_content(feed_with_new_item(feed_, "Over bad TLS", "https://x/1"),
                    "application/rss+xml");
  });
  const int port = tls.bind_to_any_port("127.0.0.1");
  std::thread thread([&] { tls.listen_after_bind(); });
  while (!tls.is_running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  const RunReport report =
      expect_fault(kFeedId, fmt::format("https://127.0.0.1:{}/feed", port), "tls");

  EXPECT_THAT(report.error->message, HasSubstr("certificate"));
  EXPECT_FALSE(report.error->retryable);
  renew_fetcher();
  tls.stop();
  thread.join();
  const std::lock_guard lock(mutex);
  EXPECT_EQ(requests, 0);
}

// N17: a body cut short (Content-Length larger than what is sent) and a connection reset
// mid-body: the new version's items are not stored from half a page.
TEST_F(NetworkFaultTest, N17_TruncatedBodyStoresNothing) {
  const std::string next = feed_with_new_item(feed_, "Half a feed", "https://openai.com/half");
  RawServer server([&next](int fd, const RawServer::Request&, RawServer&) {
    send_feed_head(fd, fmt::format("Content-Length: {}", next.size()));
    send_all(fd, std::string_view(next).substr(0, next.size() / 2));
  });
  const RunReport report = expect_fault(kFeedId, server.url("/feed"), "network");
  EXPECT_THAT(report.error->message, HasSubstr("connection broke off"));
}

TEST_F(NetworkFaultTest, N17_ConnectionResetMidBodyStoresNothing) {
  const std::string next = feed_with_new_item(feed_, "Reset feed", "https://openai.com/reset");
  RawServer server([&next](int fd, const RawServer::Request&, RawServer&) {
    send_feed_head(fd, fmt::format("Content-Length: {}", next.size()));
    send_all(fd, std::string_view(next).substr(0, next.size() / 2));
    // Linger 0: close() sends RST instead of FIN.
    const linger reset{.l_onoff = 1, .l_linger = 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  });
  expect_fault(kFeedId, server.url("/feed"), "network");
}

}  // namespace
}  // namespace herald::testing
