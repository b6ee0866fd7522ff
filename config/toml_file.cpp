#include "config/toml_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

namespace herald {

Result<toml::table> read_toml_file(const std::filesystem::path& file) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto status = fs::status(file, ec);
  if (ec || !fs::exists(status)) {
    return fail(ErrorCode::kConfig,
                fmt::format("{}: file does not exist; check the path (relative paths are "
                            "resolved from the current directory)",
                            file.string()));
  }
  if (!fs::is_regular_file(status)) {
    return fail(ErrorCode::kConfig,
                fmt::format("{}: not a regular file; point to a .toml file", file.string()));
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return fail(ErrorCode::kConfig, fmt::format("{}: cannot open: {}; check its permissions",
                                                file.string(), std::strerror(errno)));
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  try {
    return toml::parse(bytes.str(), file.string());
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return fail(ErrorCode::kConfig, fmt::format("{}:{}:{}: {}", file.string(), where.line,
                                                where.column, e.description()));
  }
}

}  // namespace herald
