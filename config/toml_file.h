#pragma once

#include <filesystem>

#include <toml++/toml.h>

#include "common/result.h"

namespace herald {

// Reads and parses one TOML file: the one place in config/ where toml::parse_error is
// caught. Errors (kConfig): "FILE: file does not exist; …", "FILE: cannot open: …",
// "FILE:LINE:COL: <what toml++ says>".
Result<toml::table> read_toml_file(const std::filesystem::path& file);

}  // namespace herald
