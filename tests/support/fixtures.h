#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace herald::testing {

// Reads a file under tests/fixtures/ as bytes. Throws (failing the test) when missing.
inline std::string read_fixture(const std::string& relative) {
  const std::filesystem::path path = std::filesystem::path(HERALD_FIXTURES) / relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("missing fixture " + path.string());
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline std::filesystem::path fixture_path(const std::string& relative) {
  return std::filesystem::path(HERALD_FIXTURES) / relative;
}

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "herald-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace herald::testing
