#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace herald {

// Exit codes of every verb (README "Interface contract").
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the operation failed (a source could not be fetched, ...)
inline constexpr int kExitUsage = 2;   // bad usage or invalid configuration

struct GlobalOptions {
  std::filesystem::path config{};  // herald.toml
  bool json = false;
};

// The default herald.toml: config/herald.toml when run from a checkout, else the installed
// /etc/herald/herald.toml.
std::filesystem::path default_config_path();

int cmd_serve(const GlobalOptions& options);
int cmd_poll(const GlobalOptions& options, const std::vector<std::string>& source_ids);
int cmd_sources_list(const GlobalOptions& options);
int cmd_sources_check(const GlobalOptions& options);
int cmd_sources_test(const GlobalOptions& options, const std::string& source_id,
                     const std::optional<std::filesystem::path>& page,
                     const std::optional<std::string>& url);
int cmd_queue_list(const GlobalOptions& options, const std::string& state,
                   const std::optional<std::string>& source_id, int limit);
int cmd_queue_show(const GlobalOptions& options, std::int64_t id);
int cmd_queue_decide(const GlobalOptions& options, std::int64_t id, bool accept,
                     const std::string& reviewer, const std::string& reason);

}  // namespace herald
