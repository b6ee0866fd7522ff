// Password hashing for the web UI and the `herald users` verbs.

#include <fstream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon/context.h"
#include "daemon/passwords.h"
#include "tests/daemon/herald_cli.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

TEST(PasswordsTest, HashIsArgon2idAndVerifiesOnlyTheSamePassword) {
  const std::string hash = hash_password("correct horse battery");

  ASSERT_FALSE(hash.empty());
  EXPECT_TRUE(hash.starts_with("$argon2id$"));
  EXPECT_EQ(hash.find("correct"), std::string::npos);
  EXPECT_TRUE(verify_password(hash, "correct horse battery"));
  EXPECT_FALSE(verify_password(hash, "correct horse batterY"));
  EXPECT_FALSE(verify_password(hash, ""));
  EXPECT_FALSE(password_needs_rehash(hash));
}

TEST(PasswordsTest, SamePasswordGetsADifferentSaltEachTime) {
  const std::string a = hash_password("同一个密码 same");
  const std::string b = hash_password("同一个密码 same");

  EXPECT_NE(a, b);
  EXPECT_TRUE(verify_password(a, "同一个密码 same"));
  EXPECT_TRUE(verify_password(b, "同一个密码 same"));
}

TEST(PasswordsTest, MalformedHashesNeverVerify) {
  EXPECT_FALSE(verify_password("", "x"));
  EXPECT_FALSE(verify_password("not a hash", "not a hash"));
  EXPECT_FALSE(verify_password(std::string(1000, '$'), "x"));
  EXPECT_FALSE(verify_password(std::string("$argon2id$\0tail", 15), "x"));
  EXPECT_TRUE(password_needs_rehash("not a hash"));
}

class UsersCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path() / "sources.d");
    std::ofstream(dir_.path() / "herald.toml")
        << "[storage]\ndatabase = \"herald.db\"\n\n[sources]\ndir = \"sources.d\"\n";
    config_ = "--config '" + (dir_.path() / "herald.toml").string() + "'";
  }

  // Runs herald with `input` on stdin, from a file: a pipe or file is not a terminal.
  testing::CommandResult run_herald(const std::string& args, const std::string& input = "") {
    const auto path = dir_.path() / "stdin.txt";
    testing::write_file(path, input);
    return testing::run_herald(args + " < '" + path.string() + "'");
  }

  std::optional<User> stored(const std::string& name) {
    auto loaded = load_configuration(dir_.path() / "herald.toml");
    EXPECT_TRUE(loaded.has_value());
    auto store = open_store(loaded->config);
    EXPECT_TRUE(store.has_value());
    auto user = store->find_user(name);
    EXPECT_TRUE(user.has_value());
    return user.value_or(std::nullopt);
  }

  testing::TempDir dir_;
  std::string config_;
};

TEST_F(UsersCliTest, AddStoresAnArgon2idHashOfThePasswordFromStdin) {
  const testing::CommandResult added =
      run_herald(config_ + " users add zhang --role admin --password-stdin", "s3cret-pass\n");

  ASSERT_EQ(added.exit_code, 0) << added.out;
  const auto user = stored("zhang");
  ASSERT_TRUE(user.has_value());
  EXPECT_EQ(user->role, Role::kAdmin);
  EXPECT_TRUE(user->password_hash.starts_with("$argon2id$"));
  EXPECT_TRUE(verify_password(user->password_hash, "s3cret-pass"));
  EXPECT_FALSE(verify_password(user->password_hash, "s3cret-pass\n"));
}

TEST_F(UsersCliTest, ListShowsNamesAndRolesButNeverHashes) {
  ASSERT_EQ(run_herald(config_ + " users add zhang --password-stdin", "s3cret-pass").exit_code, 0);
  ASSERT_EQ(run_herald(config_ + " users add li --role admin --password-stdin", "0ther-pass")
                .exit_code,
            0);

  const testing::CommandResult listed = run_herald(config_ + " users list --json");
  const testing::CommandResult table = run_herald(config_ + " users list");

  ASSERT_EQ(listed.exit_code, 0);
  const auto users = nlohmann::json::parse(listed.out);
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0]["name"], "li");
  EXPECT_EQ(users[0]["role"], "admin");
  EXPECT_EQ(users[1]["name"], "zhang");
  EXPECT_EQ(users[1]["role"], "editor");
  EXPECT_EQ(listed.out.find("argon2"), std::string::npos);
  EXPECT_EQ(table.out.find("argon2"), std::string::npos);
  EXPECT_NE(table.out.find("zhang"), std::string::npos);
}

TEST_F(UsersCliTest, PasswdReplacesTheHash) {
  ASSERT_EQ(run_herald(config_ + " users add zhang --password-stdin", "first-pass").exit_code, 0);

  const testing::CommandResult changed =
      run_herald(config_ + " users passwd zhang --password-stdin", "second-pass");

  ASSERT_EQ(changed.exit_code, 0);
  const auto user = stored("zhang");
  ASSERT_TRUE(user.has_value());
  EXPECT_TRUE(verify_password(user->password_hash, "second-pass"));
  EXPECT_FALSE(verify_password(user->password_hash, "first-pass"));
}

TEST_F(UsersCliTest, MistakesAreRefusedWithTheRightExitCode) {
  ASSERT_EQ(run_herald(config_ + " users add zhang --password-stdin", "first-pass").exit_code, 0);

  // Taken name, short password, bad role, no terminal and no --password-stdin: usage (2).
  EXPECT_EQ(run_herald(config_ + " users add zhang --password-stdin", "other-pass").exit_code, 2);
  EXPECT_EQ(run_herald(config_ + " users add wang --password-stdin", "short").exit_code, 2);
  EXPECT_EQ(run_herald(config_ + " users add wang --password-stdin", "").exit_code, 2);
  EXPECT_EQ(run_herald(config_ + " users add wang --role root --password-stdin", "long-enough")
                .exit_code,
            2);
  EXPECT_EQ(run_herald(config_ + " users add wang", "long-enough").exit_code, 2);
  // Unknown user: the operation failed (1).
  EXPECT_EQ(run_herald(config_ + " users passwd wang --password-stdin", "long-enough").exit_code,
            1);
  EXPECT_FALSE(stored("wang").has_value());
  EXPECT_TRUE(verify_password(stored("zhang")->password_hash, "first-pass"));
}

}  // namespace
}  // namespace herald
