// GET /metrics from the real web server on a loopback port: the exposition passes
// `promtool check metrics`, carries the values the database holds, escapes hostile label
// values, needs no session, and still goes through the Host check.

#include <cstdlib>
#include <iterator>
#include <sys/wait.h>
#include <fstream>
#include <regex>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "storage/database.h"
#include "tests/health/history.h"
#include "tests/web/web_test_support.h"
#include "web/metrics.h"

namespace herald::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A source id and an outcome a hostile configuration or a bug could put in the database:
// quote, backslash and line feed are the characters the format escapes.
const std::string kHostileId = "evil\"\\\nid";
const std::string kHostileOutcome = "x\"y\\z\nw";

struct Promtool {
  int exit_code = -1;
  std::string output{};
};

// `promtool check metrics` reads the exposition on stdin; its findings go to a file.
Promtool promtool_check(const TempDir& dir, const std::string& exposition) {
  const auto input = dir.path() / "metrics.txt";
  const auto report = dir.path() / "promtool.txt";
  std::ofstream(input, std::ios::binary) << exposition;
  const int status = std::system(fmt::format("/usr/bin/promtool check metrics < '{}' > '{}' 2>&1",
                                             input.string(), report.string())
                                     .c_str());
  std::ifstream in(report, std::ios::binary);
  return Promtool{.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                  .output = std::string(std::istreambuf_iterator<char>(in), {})};
}

class MetricsTest : public WebFixture {
 protected:
  void record(const std::string& source, std::int64_t ago, const std::string& outcome,
              std::int64_t duration_ms, int new_items = 0) {
    commit_history(*store_, {.source = source, .at = clock_.now_utc_seconds() - ago,
                             .outcome = outcome, .new_items = new_items,
                             .duration_ms = duration_ms, .candidates = true});
  }

  void seed_history() {
    // gov: 50 ms, 300 ms, 2 s and 70 s; two failures in a row at the end (still ok).
    record("gov", 4 * 3600, "ok", 50, 2);
    record("gov", 3 * 3600, "not_modified", 300);
    record("gov", 2 * 3600, "http_5xx", 2000);
    record("gov", 1 * 3600, "timeout", 70000);
    // news: three failures in a row: failing.
    for (int i = 3; i >= 1; --i) {
      record("news", i * 600, "http_5xx", 100);
    }
    record(kHostileId, 60, kHostileOutcome, 1000);
  }

  void start_with_hostile_source() {
    start([](WebSettings&, web::WebDeps& deps) {
      SourceConfig hostile;
      hostile.id = kHostileId;
      hostile.name = "hostile";
      hostile.url = "https://evil.example/";
      deps.sources.push_back(hostile);
      SourceConfig wechat;
      wechat.id = "wechat";
      wechat.mode = SourceMode::kManual;
      wechat.url = "https://mp.weixin.qq.com/";
      deps.sources.push_back(wechat);
    });
  }

  std::string scrape() {
    auto response = client().Get("/metrics");
    EXPECT_TRUE(response);
    if (!response) {
      return {};
    }
    EXPECT_EQ(response->status, 200) << response->body;
    EXPECT_EQ(response->get_header_value("Content-Type"),
              "text/plain; version=0.0.4; charset=utf-8");
    return response->body;
  }
};

// The exposition's line for `series` (name and labels exactly as written), or "".
std::string value_of(const std::string& body, const std::string& series) {
  const std::string prefix = series + " ";
  std::size_t at = 0;
  while (at < body.size()) {
    const std::size_t end = body.find('\n', at);
    const std::string line = body.substr(at, end == std::string::npos ? end : end - at);
    if (line.starts_with(prefix)) {
      return line.substr(prefix.size());
    }
    if (end == std::string::npos) {
      break;
    }
    at = end + 1;
  }
  return "";
}

TEST_F(MetricsTest, ExpositionPassesPromtoolAndCarriesTheDatabasesValues) {
  seed_history();
  start_with_hostile_source();
  const std::string body = scrape();

  const Promtool checked = promtool_check(dir_, body);
  EXPECT_EQ(checked.exit_code, 0) << checked.output << "\n" << body;

  EXPECT_THAT(body, HasSubstr("# HELP herald_polls_total "));
  EXPECT_THAT(body, HasSubstr("# TYPE herald_polls_total counter\n"));
  EXPECT_EQ(value_of(body, R"(herald_polls_total{source="gov",outcome="ok"})"), "1");
  EXPECT_EQ(value_of(body, R"(herald_polls_total{source="gov",outcome="timeout"})"), "1");
  EXPECT_EQ(value_of(body, R"(herald_polls_total{source="news",outcome="http_5xx"})"), "3");

  EXPECT_THAT(body, HasSubstr("# TYPE herald_poll_duration_seconds histogram\n"));
  const auto bucket = [&](const std::string& source, const std::string& le) {
    return value_of(body, fmt::format(R"(herald_poll_duration_seconds_bucket{{source="{}",le="{}"}})",
                                      source, le));
  };
  EXPECT_EQ(bucket("gov", "0.1"), "1");    // 50 ms
  EXPECT_EQ(bucket("gov", "0.25"), "1");
  EXPECT_EQ(bucket("gov", "0.5"), "2");    // + 300 ms
  EXPECT_EQ(bucket("gov", "2.5"), "3");    // + 2 s
  EXPECT_EQ(bucket("gov", "60"), "3");     // 70 s is in none of the finite buckets
  EXPECT_EQ(bucket("gov", "+Inf"), "4");
  EXPECT_EQ(bucket("news", "0.1"), "3");   // 100 ms: le is "less than or equal"
  EXPECT_EQ(value_of(body, R"(herald_poll_duration_seconds_sum{source="gov"})"), "72.35");
  EXPECT_EQ(value_of(body, R"(herald_poll_duration_seconds_count{source="gov"})"), "4");

  EXPECT_EQ(value_of(body, R"(herald_items_new_total{source="gov"})"), "2");
  EXPECT_EQ(value_of(body, "herald_candidates_pending"), "2");
  EXPECT_EQ(value_of(body, R"(herald_sources_unhealthy{state="failing"})"), "1");
  EXPECT_EQ(value_of(body, R"(herald_sources_unhealthy{state="silent"})"), "0");
  EXPECT_EQ(value_of(body, R"(herald_source_state{source="news",state="failing"})"), "1");
  EXPECT_EQ(value_of(body, R"(herald_source_state{source="gov",state="ok"})"), "1");
  EXPECT_EQ(value_of(body, R"(herald_source_state{source="wechat",state="manual"})"), "1");
  EXPECT_EQ(
      value_of(body, R"(herald_source_last_success_timestamp_seconds{source="gov"})"),
      std::to_string(clock_.now_utc_seconds() - 3 * 3600));  // the 304 was a success
  EXPECT_EQ(value_of(body, R"(herald_source_last_success_timestamp_seconds{source="news"})"), "");

  const std::string size = value_of(body, "herald_database_size_bytes");
  ASSERT_FALSE(size.empty());
  EXPECT_GE(std::stoll(size), std::filesystem::file_size(database_));
  EXPECT_EQ(value_of(body, fmt::format(R"(herald_build_info{{version="0.1.0",schema="{}"}})",
                                       current_schema_version())),
            "1");
}

TEST_F(MetricsTest, LaterScrapesAddOnlyTheNewPolls) {
  seed_history();
  start_with_hostile_source();
  const std::string first = scrape();
  EXPECT_EQ(value_of(first, R"(herald_polls_total{source="gov",outcome="ok"})"), "1");

  record("gov", 0, "ok", 400, 1);          // committed by the daemon between two scrapes
  record("other", 0, "http_4xx", 20000);   // a source the first scrape had not seen
  const std::string second = scrape();
  EXPECT_EQ(value_of(second, R"(herald_polls_total{source="gov",outcome="ok"})"), "2");
  EXPECT_EQ(value_of(second, R"(herald_polls_total{source="gov",outcome="timeout"})"), "1");
  EXPECT_EQ(value_of(second, R"(herald_polls_total{source="other",outcome="http_4xx"})"), "1");
  EXPECT_EQ(value_of(second, R"(herald_items_new_total{source="gov"})"), "3");
  EXPECT_EQ(value_of(second,
                     R"(herald_poll_duration_seconds_bucket{source="gov",le="0.5"})"),
            "3");
  EXPECT_EQ(value_of(second, R"(herald_poll_duration_seconds_count{source="gov"})"), "5");
  EXPECT_EQ(value_of(second, "herald_candidates_pending"), "3");
  // Nothing new: the same totals, not counted twice.
  EXPECT_EQ(value_of(scrape(), R"(herald_polls_total{source="gov",outcome="ok"})"), "2");
}

TEST_F(MetricsTest, HostileLabelValuesAreEscaped) {
  seed_history();
  start_with_hostile_source();
  const std::string body = scrape();

  // Each of \ " and line feed escaped; nothing else changes.
  EXPECT_EQ(value_of(body, R"(herald_polls_total{source="evil\"\\\nid",outcome="x\"y\\z\nw"})"),
            "1");
  EXPECT_EQ(value_of(body, R"(herald_source_state{source="evil\"\\\nid",state="ok"})"), "1");
  // No raw line feed split a sample: every line is a comment or starts with a metric name.
  std::size_t at = 0;
  while (at < body.size()) {
    const std::size_t end = body.find('\n', at);
    const std::string line = body.substr(at, end - at);
    EXPECT_TRUE(std::regex_search(line, std::regex("^(# |herald_[a-z_]+[{ ])"))) << line;
    at = end + 1;
  }
  const Promtool checked = promtool_check(dir_, body);
  EXPECT_EQ(checked.exit_code, 0) << checked.output;
}

TEST(MetricsEscapeTest, EscapesWhatTheFormatRequires) {
  EXPECT_EQ(web::escape_label_value("plain-id"), "plain-id");
  EXPECT_EQ(web::escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(web::escape_label_value("北京"), "北京");
  EXPECT_EQ(web::escape_label_value(std::string("bad\xff", 4)), "bad\xEF\xBF\xBD");
}

TEST_F(MetricsTest, NeedsNoSessionButChecksTheHost) {
  start();
  auto anonymous = client().Get("/metrics");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 200);
  EXPECT_THAT(anonymous->body, HasSubstr("herald_candidates_pending 0\n"));
  EXPECT_THAT(anonymous->body, Not(HasSubstr("herald_polls_total{")));  // no polls yet

  auto rebound = client().Get("/metrics", {{"Host", "attacker.example"}});
  ASSERT_TRUE(rebound);
  EXPECT_EQ(rebound->status, 400);
}

TEST_F(MetricsTest, CanBeTurnedOff) {
  start([](WebSettings& settings, web::WebDeps&) { settings.metrics = false; });
  auto response = client().Get("/metrics");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
}

}  // namespace
}  // namespace herald::testing
