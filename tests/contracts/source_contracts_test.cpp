// Every shipped source's contract (docs/source-fixtures.md): its real configuration run over
// its saved responses exactly as `herald sources check` runs it, plus the rule that every
// polled source has a contract and every manual source says why it is manual.

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "daemon/contracts.h"
#include "daemon/output.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

namespace fs = std::filesystem;

fs::path shipped_sources_dir() { return fs::path(HERALD_SOURCE_ROOT) / "config" / "sources.d"; }
fs::path fixtures_root() { return fs::path(HERALD_FIXTURES); }

// The ids of config/sources.d/*.toml, read when the tests are registered.
std::vector<std::string> shipped_source_ids() {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(shipped_sources_dir(), ec)) {
    if (entry.path().extension() == ".toml") {
      ids.push_back(entry.path().stem().string());
    }
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

class ShippedSourceContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto config = load_herald_config(fs::path(HERALD_SOURCE_ROOT) / "config" / "herald.toml");
    ASSERT_TRUE(config.has_value()) << config.error().message;
    config_ = std::move(*config);
    auto source = load_source_file(shipped_sources_dir() / (GetParam() + ".toml"));
    ASSERT_TRUE(source.has_value()) << source.error().message;
    source_ = std::move(*source);
  }

  HeraldConfig config_{};
  SourceConfig source_{};
};

TEST_P(ShippedSourceContract, HoldsOrIsManualWithAReason) {
  const bool has_fixture = fs::is_directory(fixtures_root() / source_.id);
  if (source_.mode == SourceMode::kManual) {
    EXPECT_FALSE(source_.manual_reason.empty())
        << source_.file << ": a manual source must say why (manual_reason)";
    if (!source_.bridge_url) {
      EXPECT_EQ(check_contract(source_, config_, fixtures_root(), std::time(nullptr)).status,
                ContractStatus::kManual);
      return;
    }
  }
  ASSERT_TRUE(has_fixture) << source_.id << " is polled but has no contract: add "
                           << (fixtures_root() / source_.id).string()
                           << "/ (index.toml, expected.toml, NOTE.md)";
  const ContractResult result =
      check_contract(source_, config_, fixtures_root(), std::time(nullptr));
  EXPECT_EQ(result.status, ContractStatus::kOk) << format_contract_line(result);
  EXPECT_GT(result.extracted, 0);
}

INSTANTIATE_TEST_SUITE_P(Shipped, ShippedSourceContract,
                         ::testing::ValuesIn(shipped_source_ids()), test_name);

TEST(ShippedSources, AreAllThere) {
  // The newsletter's sources and the survey's extra ones (issue 4); a file lost by accident
  // would silently drop its parameterised test.
  EXPECT_GE(shipped_source_ids().size(), 45u);
  auto sources = load_sources(shipped_sources_dir());
  ASSERT_TRUE(sources.has_value()) << sources.error().message;
  for (const Error& error : sources->errors) {
    ADD_FAILURE() << error.message;
  }
}

TEST(ShippedSources, EveryFixtureDirBelongsToASource) {
  // A fixture directory named after no source is a contract that never runs.
  const std::vector<std::string> ids = shipped_source_ids();
  for (const auto& entry : fs::directory_iterator(fixtures_root())) {
    if (!fs::exists(entry.path() / "expected.toml")) {
      continue;  // module fixtures (decode/, extract/, ...), not a source's
    }
    const std::string name = entry.path().filename().string();
    EXPECT_TRUE(std::find(ids.begin(), ids.end(), name) != ids.end())
        << entry.path().string() << " has a contract but no config/sources.d/" << name << ".toml";
  }
}

}  // namespace
}  // namespace herald
