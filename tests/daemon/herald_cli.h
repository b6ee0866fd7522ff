#pragma once

// Running the herald binary the way admins and scripts do, for the daemon suite's CLI tests.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
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

// config/herald.toml with its paths made absolute and the database in `dir`.
inline std::filesystem::path shipped_config_in(const std::filesystem::path& dir) {
  const std::filesystem::path root = HERALD_SOURCE_ROOT;
  std::ifstream in(root / "config" / "herald.toml");
  std::ostringstream out;
  std::string line;
  const std::regex database(R"(^\s*database\s*=.*)");
  const std::regex sources_dir(R"(^\s*dir\s*=.*)");
  const std::regex fixtures(R"(^\s*fixtures\s*=.*)");
  while (std::getline(in, line)) {
    if (std::regex_match(line, database)) {
      line = fmt::format("database = \"{}\"", (dir / "state" / "herald.db").string());
    } else if (std::regex_match(line, sources_dir)) {
      line = fmt::format("dir = \"{}\"", (root / "config" / "sources.d").string());
    } else if (std::regex_match(line, fixtures)) {
      line = fmt::format("fixtures = \"{}\"", (root / "tests" / "fixtures").string());
    }
    out << line << "\n";
  }
  write_file(dir / "herald.toml", out.str());
  return dir / "herald.toml";
}

}  // namespace herald::testing
