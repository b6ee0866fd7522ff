#pragma once

#include <optional>

#include <gtest/gtest.h>

#include "storage/store.h"

namespace herald::testing {

// A fresh, migrated in-memory store per test.
class MemoryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Store::open(":memory:");
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    store_.emplace(std::move(*opened));
  }

  Store& store() { return *store_; }

 private:
  std::optional<Store> store_;
};

}  // namespace herald::testing
