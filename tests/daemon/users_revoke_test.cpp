// `herald users remove | disable | enable | role` (issue 13, item 3): access can be revoked,
// and every change ends the user's web sessions at once.

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "daemon/context.h"
#include "tests/daemon/herald_cli.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

class UsersRevokeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path() / "sources.d");
    std::ofstream(dir_.path() / "herald.toml")
        << "[storage]\ndatabase = \"herald.db\"\n\n[sources]\ndir = \"sources.d\"\n";
    config_ = "--config '" + (dir_.path() / "herald.toml").string() + "'";
    ASSERT_EQ(herald("users add zhang --password-stdin", "zhang-pass-1").exit_code, 0);
    ASSERT_EQ(herald("users add li --role admin --password-stdin", "li-pass-12").exit_code, 0);
  }

  testing::CommandResult herald(const std::string& args, const std::string& input = "") {
    const auto path = dir_.path() / "stdin.txt";
    testing::write_file(path, input);
    return testing::run_herald(config_ + " " + args + " < '" + path.string() + "'");
  }

  Store store() {
    auto loaded = load_configuration(dir_.path() / "herald.toml");
    EXPECT_TRUE(loaded.has_value());
    auto opened = open_store(loaded->config);
    EXPECT_TRUE(opened.has_value());
    return std::move(*opened);
  }

  std::optional<User> stored(const std::string& name) {
    auto user = store().find_user(name);
    EXPECT_TRUE(user.has_value());
    return user.value_or(std::nullopt);
  }

  // A signed-in browser of `name`; returns its token hash.
  std::string session_of(const std::string& name) {
    Store db = store();
    const std::string token_hash = std::string(64, 'a') + name;
    EXPECT_TRUE(db.create_session(Session{.token_hash = token_hash,
                                          .user_id = stored(name)->id,
                                          .csrf_token = std::string(64, 'c'),
                                          .created_at = 1'700'000'000,
                                          .last_seen_at = 1'700'000'000}));
    return token_hash;
  }

  bool session_exists(const std::string& token_hash) {
    auto session = store().find_session(token_hash);
    EXPECT_TRUE(session.has_value());
    return session.has_value() && session->has_value();
  }

  testing::TempDir dir_;
  std::string config_;
};

TEST_F(UsersRevokeTest, DisableEndsSessionsAndEnableLetsTheUserBackIn) {
  const std::string session = session_of("zhang");
  const testing::CommandResult disabled = herald("users disable zhang");
  ASSERT_EQ(disabled.exit_code, 0) << disabled.out;
  EXPECT_TRUE(stored("zhang")->disabled);
  EXPECT_FALSE(session_exists(session));
  EXPECT_NE(herald("users list").out.find("disabled"), std::string::npos);

  ASSERT_EQ(herald("users enable zhang").exit_code, 0);
  EXPECT_FALSE(stored("zhang")->disabled);
  EXPECT_EQ(stored("zhang")->role, Role::kEditor);
}

TEST_F(UsersRevokeTest, RoleChangeAndPasswordChangeEndSessions) {
  const std::string first = session_of("zhang");
  ASSERT_EQ(herald("users role zhang admin").exit_code, 0);
  EXPECT_EQ(stored("zhang")->role, Role::kAdmin);
  EXPECT_FALSE(session_exists(first));

  const std::string second = session_of("zhang");
  ASSERT_EQ(herald("users passwd zhang --password-stdin", "zhang-pass-2").exit_code, 0);
  EXPECT_FALSE(session_exists(second));
}

TEST_F(UsersRevokeTest, RemoveDeletesTheAccountAndItsSessions) {
  const std::string session = session_of("zhang");
  ASSERT_EQ(herald("users remove zhang").exit_code, 0);
  EXPECT_FALSE(stored("zhang").has_value());
  EXPECT_FALSE(session_exists(session));
}

TEST_F(UsersRevokeTest, MistakesAreRefusedWithTheRightExitCode) {
  // The only admin: refused as a usage error, nothing changed.
  EXPECT_EQ(herald("users remove li").exit_code, 2);
  EXPECT_EQ(herald("users disable li").exit_code, 2);
  EXPECT_EQ(herald("users role li editor").exit_code, 2);
  EXPECT_EQ(stored("li")->role, Role::kAdmin);
  EXPECT_FALSE(stored("li")->disabled);
  // Unknown user: the operation failed.
  EXPECT_EQ(herald("users disable wang").exit_code, 1);
  // A role that does not exist, or none: usage.
  EXPECT_EQ(herald("users role zhang root").exit_code, 2);
  EXPECT_EQ(herald("users role zhang").exit_code, 2);
}

TEST_F(UsersRevokeTest, EachVerbHasHelp) {
  for (const char* verb : {"remove", "disable", "enable", "role"}) {
    const testing::CommandResult help = herald(std::string("users ") + verb + " --help");
    EXPECT_EQ(help.exit_code, 0) << verb;
    EXPECT_NE(help.out.find("NAME"), std::string::npos) << verb << ": " << help.out;
  }
}

}  // namespace
}  // namespace herald
