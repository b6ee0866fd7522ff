#pragma once

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "config/config_loader.h"

namespace herald::testing {

// A source exactly as shipped in config/sources.d/<id>.toml; a load error fails the test.
inline SourceConfig shipped_source(const std::string& id) {
  auto source = load_source_file(std::filesystem::path(HERALD_SOURCE_ROOT) / "config" /
                                 "sources.d" / (id + ".toml"));
  EXPECT_TRUE(source.has_value()) << source.error().message;
  return source ? std::move(*source) : SourceConfig{};
}

}  // namespace herald::testing
