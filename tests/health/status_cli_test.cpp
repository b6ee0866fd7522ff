// `herald sources status` as monitoring scripts run it: the exit code says whether an
// enabled polled source is unhealthy, the text and --json say which and why. The history
// is written through the real Store into the database herald.toml names.

#include <ctime>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "storage/store.h"
#include "tests/daemon/herald_cli.h"
#include "tests/health/history.h"
#include "tests/support/fixtures.h"

namespace herald::testing {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;

std::string html_source(const std::string& id, bool enabled = true) {
  return fmt::format(R"(id = "{}"
name = "{} 通知公告"
kind = "government"
language = "zh"
timezone = "Asia/Shanghai"
interval = "2h"
type = "html"
url = "https://{}.example.cn/tzgg/"
enabled = {}

[list]
item = "ul.list li"
title = "a"
link = "a@href"
)",
                     id, id, id, enabled ? "true" : "false");
}

class StatusCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_test_config(dir_.path());
    for (const char* id : {"alpha", "beta", "gamma"}) {
      write_file(dir_.path() / "sources.d" / (std::string(id) + ".toml"), html_source(id));
    }
    write_file(dir_.path() / "sources.d" / "off.toml", html_source("off", false));
    write_file(dir_.path() / "sources.d" / "wechat.toml", R"(id = "wechat"
name = "微信公众号"
kind = "platform"
language = "zh"
timezone = "Asia/Shanghai"
mode = "manual"
manual_reason = "no public article list"
type = "wechat"
url = "https://mp.weixin.qq.com/"
)");
    config_ = fmt::format("--config '{}'", (dir_.path() / "herald.toml").string());
    std::filesystem::create_directories(dir_.path() / "state");
    auto store = Store::open(dir_.path() / "state" / "herald.db");
    ASSERT_TRUE(store.has_value()) << store.error().message;
    store_.emplace(std::move(*store));
    now_ = static_cast<std::int64_t>(std::time(nullptr));  // herald reads the system clock
  }

  void poll(const std::string& source, std::int64_t at, const std::string& outcome,
            int new_items = 0) {
    commit_history(*store_, {.source = source, .at = at, .outcome = outcome,
                             .new_items = new_items,
                             .error = "HTTP 503 from " + source + ".example.cn"});
  }

  // A source in good health: items now and then, polled an hour ago.
  void healthy(const std::string& source) {
    poll(source, now_ - 2 * kDay, "ok", 3);
    poll(source, now_ - kHour, "ok", 1);
  }

  json status_json(int expected_exit) {
    const CommandResult result = run_herald(config_ + " sources status --json");
    EXPECT_EQ(result.exit_code, expected_exit) << result.out;
    json rows = json::parse(result.out, nullptr, false);
    json by_id = json::object();
    for (const json& row : rows) {
      by_id[row["id"].get<std::string>()] = row;
    }
    return by_id;
  }

  TempDir dir_;
  std::string config_;
  std::optional<Store> store_;
  std::int64_t now_ = 0;
};

TEST_F(StatusCliTest, ExitsZeroWhenEveryEnabledPolledSourceIsHealthy) {
  healthy("alpha");
  healthy("gamma");
  // beta was never polled; the disabled source and the manual one fail all the time.
  for (int i = 5; i >= 1; --i) {
    poll("off", now_ - i * kHour, "http_5xx");
    poll("wechat", now_ - i * kHour, "http_5xx");
  }
  json rows = status_json(0);
  EXPECT_EQ(rows["alpha"]["state"], "ok");
  EXPECT_EQ(rows["beta"]["state"], "never_polled");
  EXPECT_EQ(rows["beta"]["reason"], "not polled yet");
  EXPECT_EQ(rows["wechat"]["state"], "manual");
  EXPECT_EQ(rows["wechat"]["reason"], "no public article list");
  EXPECT_EQ(rows["wechat"]["unhealthy"], false);
  EXPECT_EQ(rows["off"]["state"], "failing");  // judged, but disabled: not counted
  EXPECT_EQ(rows["off"]["unhealthy"], false);

  const CommandResult text = run_herald(config_ + " sources status");
  EXPECT_EQ(text.exit_code, 0) << text.out;
  EXPECT_THAT(text.out, HasSubstr("5 sources; 0 unhealthy: 0 failing, 0 layout_changed, 0 silent"));
}

TEST_F(StatusCliTest, ExitsOneAndNamesAFailingSource) {
  healthy("alpha");
  poll("beta", now_ - 4 * kHour, "ok", 2);
  for (int i = 3; i >= 1; --i) {
    poll("beta", now_ - i * kHour, "http_5xx");
  }
  json rows = status_json(1);
  EXPECT_EQ(rows["beta"]["state"], "failing");
  EXPECT_EQ(rows["beta"]["unhealthy"], true);
  EXPECT_EQ(rows["beta"]["consecutive_failures"], 3);
  EXPECT_EQ(rows["beta"]["reason"],
            "3 failed polls in a row (last: http_5xx); last success 4 hours ago");
  EXPECT_EQ(rows["alpha"]["unhealthy"], false);

  const CommandResult text = run_herald(config_ + " sources status");
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_THAT(text.out, HasSubstr("FAILING"));
  EXPECT_THAT(text.out, HasSubstr("3 failed polls in a row"));
  EXPECT_THAT(text.out, HasSubstr("error: HTTP 503 from beta.example.cn"));
  EXPECT_THAT(text.out, HasSubstr("1 unhealthy: 1 failing, 0 layout_changed, 0 silent"));
}

TEST_F(StatusCliTest, ExitsOneForALayoutChange) {
  healthy("alpha");
  poll("gamma", now_ - 3 * kHour, "ok", 5);
  poll("gamma", now_ - kHour, "no_match");
  json rows = status_json(1);
  EXPECT_EQ(rows["gamma"]["state"], "layout_changed");
  EXPECT_EQ(rows["gamma"]["consecutive_failures"], 1);
  EXPECT_THAT(rows["gamma"]["reason"].get<std::string>(), HasSubstr("layout probably changed"));
}

TEST_F(StatusCliTest, ExitsOneForASilentSource) {
  // A new item every 2 days for 30 days, then 20 days of polls with nothing new.
  const std::int64_t last_item = now_ - 20 * kDay;
  for (int i = 15; i >= 0; --i) {
    poll("alpha", last_item - i * 2 * kDay, "ok", 1);
  }
  poll("alpha", now_ - kHour, "not_modified");
  json rows = status_json(1);
  EXPECT_EQ(rows["alpha"]["state"], "silent");
  EXPECT_EQ(rows["alpha"]["usual_gap_seconds"], 2 * kDay);
  EXPECT_EQ(rows["alpha"]["reason"], "no new item for 20 days; usually one every 2 days");

  const CommandResult text = run_herald(config_ + " sources status");
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_THAT(text.out, HasSubstr("SILENT"));
  EXPECT_THAT(text.out, HasSubstr("1 unhealthy: 0 failing, 0 layout_changed, 1 silent"));
}

TEST_F(StatusCliTest, ExitsTwoOnInvalidConfigurationAndDocumentsTheCodes) {
  healthy("alpha");
  // A skipped source file is a source nobody watches: exit 2, with the others still listed.
  write_file(dir_.path() / "sources.d" / "broken.toml", "id = \"broken\"\ntype = \"nonsense\"\n");
  const CommandResult skipped = run_herald(config_ + " sources status");
  EXPECT_EQ(skipped.exit_code, 2);
  EXPECT_THAT(skipped.out, HasSubstr("alpha"));
  write_file(dir_.path() / "herald.toml", "[storage\n");
  EXPECT_EQ(run_herald(config_ + " sources status").exit_code, 2);

  const CommandResult help = run_herald("sources status --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("0 every enabled polled source is healthy"));
  EXPECT_THAT(help.out, HasSubstr("layout_changed"));
  EXPECT_THAT(help.out, HasSubstr("2 invalid configuration"));
}

}  // namespace
}  // namespace herald::testing
