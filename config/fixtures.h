#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace herald {

// A source's fixture directory (tests/fixtures/<source-id>/, docs/source-fixtures.md):
// saved responses keyed by URL (index.toml) and what extraction must produce from them
// (expected.toml). Read by `sources check`, the contracts test suite and `--replay`.

// One [[response]] of index.toml.
struct SavedResponse {
  std::string method = "GET";          // "GET" or "POST"
  std::string url{};                   // exactly what herald requests
  std::filesystem::path file{};        // absolute (resolved against the fixture dir)
  std::string content_type{};          // as the site sends it; may be empty
  long status = 200;
  std::string where{};                 // "DIR/index.toml:LINE", for messages
};

struct FixtureIndex {
  std::filesystem::path dir{};
  std::vector<SavedResponse> responses{};  // in file order
};

// One [[item]] of expected.toml.
struct ExpectedItem {
  std::string title{};
  std::string url{};
  // "2023-11-29" (local date in the source's zone) or a full ISO 8601 instant
  // ("2023-11-02T19:23:30Z"); empty: the item's date is not checked.
  std::string published{};
  std::string where{};                 // "DIR/expected.toml:LINE"
};

struct FixtureContract {
  std::filesystem::path dir{};
  int count = 0;                       // items extracted from the list response, exactly
  std::vector<ExpectedItem> items{};
  std::string where{};                 // "DIR/expected.toml"
};

inline constexpr const char* kFixtureIndexFile = "index.toml";
inline constexpr const char* kFixtureContractFile = "expected.toml";

// Reads DIR/index.toml. Errors (kConfig): "FILE:LINE:COL: key 'x': what is wrong; what to
// write instead", one line per problem; a response whose file does not exist is one.
Result<FixtureIndex> load_fixture_index(const std::filesystem::path& dir);

// Reads DIR/expected.toml. Errors as above (kNotFound when the file does not exist).
Result<FixtureContract> load_fixture_contract(const std::filesystem::path& dir);

}  // namespace herald
