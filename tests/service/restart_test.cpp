// A restart does not hammer sites (issue 13): `herald serve` schedules each source one
// interval after its last poll in the database, and polls a never-polled source at once.

#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/daemon/herald_cli.h"
#include "tests/service/service_harness.h"

namespace herald {
namespace {

using testing::Feeds;
using testing::Installation;
using testing::ServeProcess;

// A feed source polled hourly: far longer than the test runs, so a source that is not yet
// due cannot become due while the test waits.
void write_hourly_source(const Installation& install, const std::string& id,
                         const std::string& url) {
  std::string toml = testing::feed_source_toml(id, url);
  toml.replace(toml.find("interval = \"60s\""), 16, "interval = \"1h\"");
  testing::write_text(install.source_file(id), toml);
}

TEST(ServeRestartTest, ASourcePolledMinutesAgoWaitsAndANeverPolledOneIsPolledAtOnce) {
  Feeds feeds;
  Installation install;
  write_hourly_source(install, "a-recent", feeds.url("a-recent"));
  write_hourly_source(install, "b-never", feeds.url("b-never"));
  // A poll just now (as by a herald that was restarted a moment later); b-never has none.
  const testing::CommandResult poll =
      testing::run_herald(fmt::format("--config '{}' poll a-recent", install.config().string()));
  ASSERT_EQ(poll.exit_code, 0) << poll.out;
  ASSERT_EQ(feeds.requests("a-recent"), 1);

  ServeProcess serve(install.serve_options(), install.log());
  // A start that ignored the database would spread both over its first 30 s in id order:
  // a-recent first, b-never 15 s later. Waiting for b-never is waiting past a-recent's turn.
  ASSERT_TRUE(serve.wait_for_lines("source=b-never outcome=ok")) << serve.log();
  EXPECT_EQ(feeds.requests("b-never"), 1);
  EXPECT_EQ(feeds.requests("a-recent"), 1) << serve.log();
  EXPECT_EQ(serve.lines_matching("source=a-recent outcome="), 0) << serve.log();
}

}  // namespace
}  // namespace herald
