#pragma once

// Running the herald binary the way admins and scripts do, for the daemon suite's CLI tests.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>

#include <fmt/format.h>

namespace herald::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out{};  // stdout only: stderr carries warnings, stdout is what scripts parse
};

// Runs `command` with sh: its stdout and exit code (-1 when it did not exit normally).
inline CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return result;
  }
  char buffer[4096];
  std::size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    result.out.append(buffer, n);
  }
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

inline CommandResult run_herald(const std::string& args) {
  return run_command(fmt::format("'{}' {} 2>/dev/null", HERALD_BINARY, args));
}

inline void write_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// The herald.toml of a test installation in `dir`: the database in state/, sources in
// sources.d/, no delay between requests to one host (the tests' servers are on loopback),
// then `more` (further sections). Returns its path.
inline std::filesystem::path write_test_config(const std::filesystem::path& dir,
                                               const std::string& more = "") {
  const std::filesystem::path path = dir / "herald.toml";
  write_file(path, "[storage]\ndatabase = \"state/herald.db\"\n\n[sources]\ndir = \"sources.d\"\n\n"
                   "[fetch]\nmin_delay = \"0s\"\n" + more);
  return path;
}

}  // namespace herald::testing
