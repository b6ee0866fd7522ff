// Web UI accounts and sessions in the store.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "storage/store.h"
#include "tests/storage/memory_store.h"

namespace herald {
namespace {

using UsersTest = testing::MemoryStoreTest;

TEST_F(UsersTest, AddedUsersAreFoundByNameAndIdAndListedByName) {
  auto zhang = store().add_user("zhang", Role::kEditor, "$argon2id$hash-z", 1000);
  auto admin = store().add_user("李律师", Role::kAdmin, "$argon2id$hash-l", 2000);

  ASSERT_TRUE(zhang.has_value()) << zhang.error().message;
  ASSERT_TRUE(admin.has_value()) << admin.error().message;
  EXPECT_NE(zhang->id, admin->id);
  auto found = store().find_user("zhang");
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->role, Role::kEditor);
  EXPECT_EQ((*found)->password_hash, "$argon2id$hash-z");
  EXPECT_EQ((*found)->created_at, 1000);
  auto by_id = store().find_user_by_id(admin->id);
  ASSERT_TRUE(by_id.has_value() && by_id->has_value());
  EXPECT_EQ((*by_id)->name, "李律师");
  EXPECT_EQ((*by_id)->role, Role::kAdmin);
  EXPECT_FALSE(store().find_user("nobody")->has_value());
  auto users = store().list_users();
  ASSERT_TRUE(users.has_value());
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ(users->at(0).name, "zhang");  // byte order: ASCII before CJK
}

TEST_F(UsersTest, TakenOrInvalidNamesAreUsageErrors) {
  ASSERT_TRUE(store().add_user("zhang", Role::kEditor, "h", 1000).has_value());

  const std::vector<std::string> names = {"zhang", "", "two words", "tab\there",
                                          std::string(65, 'x'), "bad\xff"};
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    auto added = store().add_user(name, Role::kEditor, "h", 1000);
    ASSERT_FALSE(added.has_value());
    EXPECT_EQ(added.error().code, ErrorCode::kUsage);
  }
  EXPECT_EQ(store().list_users()->size(), 1u);
}

TEST_F(UsersTest, SetPasswordReplacesTheHashOrReportsAnUnknownUser) {
  ASSERT_TRUE(store().add_user("zhang", Role::kEditor, "old", 1000).has_value());

  ASSERT_TRUE(store().set_password("zhang", "new").has_value());
  auto missing = store().set_password("wang", "new");

  EXPECT_EQ((*store().find_user("zhang"))->password_hash, "new");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(RoleTest, NamesRoundTrip) {
  for (Role role : {Role::kEditor, Role::kAdmin}) {
    EXPECT_EQ(parse_role(role_name(role)), role);
  }
  EXPECT_EQ(parse_role("root"), std::nullopt);
}

TEST_F(UsersTest, SessionsAreCreatedTouchedExpiredAndDeleted) {
  auto user = store().add_user("zhang", Role::kEditor, "h", 1000);
  ASSERT_TRUE(user.has_value());
  const Session fresh{.token_hash = "aaa", .user_id = user->id, .csrf_token = "csrf-1",
                      .created_at = 1000, .last_seen_at = 1000};
  const Session old{.token_hash = "bbb", .user_id = user->id, .csrf_token = "csrf-2",
                    .created_at = 100, .last_seen_at = 100};
  ASSERT_TRUE(store().create_session(fresh).has_value());
  ASSERT_TRUE(store().create_session(old).has_value());
  EXPECT_FALSE(store().create_session(fresh).has_value());  // token hashes are unique

  ASSERT_TRUE(store().touch_session("aaa", 1500).has_value());
  auto found = store().find_session("aaa");
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->user_id, user->id);
  EXPECT_EQ((*found)->csrf_token, "csrf-1");
  EXPECT_EQ((*found)->created_at, 1000);
  EXPECT_EQ((*found)->last_seen_at, 1500);

  auto expired = store().expire_sessions(/*idle_before=*/500, /*created_before=*/0);
  ASSERT_TRUE(expired.has_value());
  EXPECT_EQ(*expired, 1);
  EXPECT_FALSE(store().find_session("bbb")->has_value());
  // Absolute timeout: created too long ago, however recently used.
  EXPECT_EQ(*store().expire_sessions(0, 1001), 1);
  EXPECT_FALSE(store().find_session("aaa")->has_value());

  ASSERT_TRUE(store().create_session(fresh).has_value());
  ASSERT_TRUE(store().delete_session("aaa").has_value());
  EXPECT_FALSE(store().find_session("aaa")->has_value());
}

TEST_F(UsersTest, SessionNeedsAnExistingUser) {
  EXPECT_FALSE(store()
                   .create_session({.token_hash = "x", .user_id = 42, .csrf_token = "c",
                                    .created_at = 1, .last_seen_at = 1})
                   .has_value());
}

}  // namespace
}  // namespace herald
