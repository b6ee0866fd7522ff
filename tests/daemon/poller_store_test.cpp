// The pollers' connections commit with synchronous=NORMAL; the editors' keep FULL.

#include "daemon/poller_store.h"

#include <gtest/gtest.h>

#include "daemon/context.h"
#include "tests/daemon/herald_cli.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

std::int64_t synchronous_of(Store& store) {
  auto stmt = store.database().prepare("PRAGMA synchronous");
  EXPECT_TRUE(stmt.has_value());
  auto row = stmt->step();
  EXPECT_TRUE(row.has_value() && *row);
  return stmt->column_int64(0);
}

TEST(PollerStoreTest, PollerConnectionIsNormalAndEditorsConnectionsStayFull) {
  testing::TempDir dir;
  testing::write_test_config(dir.path(), "\n[web]\nenabled = false\n");
  std::filesystem::create_directories(dir.path() / "sources.d");
  auto loaded = load_configuration(dir.path() / "herald.toml");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;

  // What `herald poll`'s workers and serve's poll loop open.
  auto poller = open_poller_store(loaded->config);
  ASSERT_TRUE(poller.has_value()) << poller.error().message;
  EXPECT_EQ(synchronous_of(*poller), 1);

  // What the CLI's editor verbs open (open_store), and the web UI (Store::open).
  auto cli = open_store(loaded->config);
  ASSERT_TRUE(cli.has_value()) << cli.error().message;
  EXPECT_EQ(synchronous_of(*cli), 2);
  auto web = Store::open(loaded->config.database);
  ASSERT_TRUE(web.has_value()) << web.error().message;
  EXPECT_EQ(synchronous_of(*web), 2);
  EXPECT_EQ(synchronous_of(*poller), 1) << "other connections do not change the poller's";
}

}  // namespace
}  // namespace herald
