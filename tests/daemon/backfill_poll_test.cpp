// Issue 15: a source's first poll does not queue its archive. A loopback feed with recent,
// old and undated items, polled through the real pipeline with herald.toml's default
// window (30 days) or the source's own.
#include <ctime>
#include <mutex>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/clock.h"
#include "daemon/context.h"
#include "daemon/run_source.h"
#include "scrapers/fetch/curl_fetcher.h"
#include "tests/daemon/herald_cli.h"
#include "tests/support/fixtures.h"
#include "tests/support/local_server.h"

namespace herald {
namespace {

using ::testing::HasSubstr;
using testing::write_file;

std::string rfc822(std::int64_t utc) {
  const std::time_t t = static_cast<std::time_t>(utc);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[64];
  std::strftime(out, sizeof out, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return out;
}

class BackfillPollTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::int64_t now = SystemClock().now_utc_seconds();
    std::string items;
    auto add = [&](const std::string& key, std::optional<std::int64_t> at) {
      items += fmt::format("<item><title>OpenAI news {}</title><link>https://openai.com/index/{}/"
                           "?utm_source=rss</link>{}</item>",
                           key, key, at ? "<pubDate>" + rfc822(*at) + "</pubDate>" : "");
    };
    add("recent", now - 2 * 86400);
    add("last-month", now - 40 * 86400);
    add("2015", now - 3000 * 86400);
    add("undated", std::nullopt);
    feed_ = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>OpenAI</title>" + items +
            "</channel></rss>";
    server_.routes().Get("/rss.xml", [this](const auto&, auto& res) {
      std::lock_guard lock(mutex_);  // the test changes the feed between polls
      res.set_content(feed_, "application/rss+xml");
    });
    server_.start();
  }

  Loaded load(const std::string& source_extra) {
    write_file(dir_.path() / "herald.toml",
               "[storage]\ndatabase = \"herald.db\"\n\n[sources]\ndir = \"sources.d\"\n\n"
               "[fetch]\nmin_delay = \"0s\"\n");
    write_file(dir_.path() / "sources.d" / "openai-news.toml",
               fmt::format("id = \"openai-news\"\nname = \"OpenAI News\"\nkind = \"company\"\n"
                           "language = \"en\"\ntype = \"feed\"\nalways_candidate = true\n"
                           "url = \"{}\"\n{}",
                           server_.url("/rss.xml"), source_extra));
    auto loaded = load_configuration(dir_.path() / "herald.toml");
    EXPECT_TRUE(loaded.has_value()) << loaded.error().message;
    return loaded ? std::move(*loaded) : Loaded{};
  }

  RunReport poll(const Loaded& loaded, Store& store) {
    auto fetcher = CurlFetcher::create();
    EXPECT_TRUE(fetcher.has_value());
    return run_source_once(*loaded.find("openai-news"), loaded.config, **fetcher, store, clock_);
  }

  std::mutex mutex_;
  std::string feed_;
  testing::LocalServer server_;
  testing::TempDir dir_;
  SystemClock clock_;
};

TEST_F(BackfillPollTest, FirstPollQueuesOnlyRecentAndUndatedItemsAlwaysCandidateToo) {
  Loaded loaded = load("");
  EXPECT_EQ(loaded.config.backfill_days, 30);
  auto store = open_store(loaded.config);
  ASSERT_TRUE(store.has_value()) << store.error().message;
  const RunReport first = poll(loaded, *store);
  ASSERT_TRUE(first.ok()) << first.error->message;
  EXPECT_EQ(first.stored.items_new, 4);
  EXPECT_EQ(first.stored.candidates_new, 2);  // recent + undated
  EXPECT_EQ(first.stored.candidates_too_old, 2);
  EXPECT_THAT(format_report(first),
              HasSubstr("first_poll=\"4 items stored, 2 queued, 2 older than 30 days not "
                        "queued\""));

  auto queued = store->query_queue({.collapse_clusters = false, .limit = 0});
  ASSERT_TRUE(queued.has_value());
  std::vector<std::string> urls;
  for (const Candidate& c : queued->items) {
    urls.push_back(c.url);
  }
  EXPECT_THAT(urls, ::testing::UnorderedElementsAre("https://openai.com/index/recent/",
                                                    "https://openai.com/index/undated/"))
      << "stored and shown as clean links";

  // The next poll queues what is new, whatever its date.
  {
    std::lock_guard lock(mutex_);
    feed_.insert(feed_.find("<item>"),
                 "<item><title>OpenAI news late</title><link>https://openai.com/index/late/</link>"
                 "<pubDate>" + rfc822(clock_.now_utc_seconds() - 100 * 86400) + "</pubDate></item>");
  }
  const RunReport second = poll(loaded, *store);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second.stored.items_new, 1);
  EXPECT_EQ(second.stored.candidates_new, 1);
  EXPECT_THAT(format_report(second), ::testing::Not(HasSubstr("first_poll")));
}

TEST_F(BackfillPollTest, ASourceMayWidenItsWindow) {
  Loaded loaded = load("backfill_days = 60\n");
  auto store = open_store(loaded.config);
  ASSERT_TRUE(store.has_value());
  const RunReport first = poll(loaded, *store);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.stored.candidates_new, 3);  // recent, last month, undated
  EXPECT_EQ(first.stored.candidates_too_old, 1);
}

}  // namespace
}  // namespace herald
