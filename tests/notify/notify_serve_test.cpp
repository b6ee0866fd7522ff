// `herald serve` with [notify] in its herald.toml: the configuration is read, the notifier
// runs on serve's housekeeping thread, and the webhook's key never reaches the log.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "tests/crash/crash_harness.h"
#include "tests/notify/notify_support.h"

namespace herald {
namespace {

using nlohmann::json;

TEST(NotifyServeTest, ServeSendsTheMissedDigestAndAnAlertAtStartWithoutLoggingTheKey) {
  testing::TempDir dir;
  testing::Receiver receiver;
  testing::LocalServer site;
  site.routes().Get("/list", [](const httplib::Request&, httplib::Response& response) {
    response.status = 500;
  });
  site.start();

  const std::string hook_url = receiver.url("ops") + "?key=SECRET-693a91f6";
  testing::write_text(dir.path() / "herald.toml", fmt::format(R"toml(
[storage]
database = "state/herald.db"

[sources]
dir = "sources.d"

[fetch]
min_delay = "0s"

[web]
enabled = false

[schedule]
timezone = "Asia/Shanghai"

[notify]
digest_at = "08:30"
alerts = true

[[notify.webhook]]
name = "ops"
format = "generic"
url = "{}"

[[topics]]
name = "ai"
threshold = 1.0
keywords = ["人工智能"]
)toml", hook_url));
  testing::write_source_toml(dir.path(), "bj-gov", site.url("/list"), true);

  const std::int64_t now = SystemClock().now_utc_seconds();
  std::filesystem::create_directories(dir.path() / "state");
  {
    Store store = testing::open_db(dir.path() / "state" / "herald.db");
    // The last digest went out two days ago: whatever today's 08:30 was, one is due.
    ASSERT_TRUE(store.set_state(std::string("notify.last_digest"), std::to_string(now - 2 * 86400),
                                now - 2 * 86400));
    testing::add_candidate(store, "bj-gov", "人工智能示范应用场景名单公示", now - 3600);
    for (int i = 0; i < 3; ++i) {
      testing::add_poll(store, "bj-gov", now - 3000 + i * 60, false);
    }
  }

  testing::HeraldProcess serve({"--config", (dir.path() / "herald.toml").string(), "serve"},
                               dir.path() / "out.log", dir.path() / "err.log");
  const bool both = receiver.wait_for_requests("ops", 2, std::chrono::seconds(60));
  serve.signal(SIGTERM);
  ASSERT_TRUE(serve.wait_for(std::chrono::seconds(60)).has_value());
  const std::string log = testing::read_text(dir.path() / "err.log") +
                          testing::read_text(dir.path() / "out.log");
  ASSERT_TRUE(both) << log;

  bool digest = false;
  bool alert = false;
  for (const auto& request : receiver.requests("ops")) {
    const json body = json::parse(request.body);
    if (body["event"] == "digest") {
      digest = true;
      ASSERT_EQ(body["items"].size(), 1u) << body.dump();
      EXPECT_EQ(body["items"][0]["title"], "人工智能示范应用场景名单公示");
    } else if (body["event"] == "alert") {
      alert = true;
      EXPECT_EQ(body["alerts"][0]["source"], "bj-gov");
      EXPECT_EQ(body["alerts"][0]["kind"], "unhealthy");
    }
  }
  EXPECT_TRUE(digest);
  EXPECT_TRUE(alert);
  EXPECT_NE(log.find("notify: digest delivered to webhook 'ops'"), std::string::npos) << log;
  EXPECT_EQ(log.find("SECRET"), std::string::npos) << log;
}

}  // namespace
}  // namespace herald
