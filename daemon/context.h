#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/timezone.h"
#include "config/config_loader.h"
#include "config/herald_config.h"
#include "storage/store.h"

namespace herald {

// What every verb starts from: herald.toml and the sources it points at.
struct Loaded {
  HeraldConfig config{};
  SourceSet sources{};

  const SourceConfig* find(const std::string& id) const;
};

// Loads herald.toml and sources.d/. Bad source files are reported on stderr and left
// out; a bad herald.toml is an error (kConfig).
Result<Loaded> load_configuration(const std::filesystem::path& config_file);

// Opens the database named in herald.toml, creating its directory if needed.
Result<Store> open_store(const HeraldConfig& config);

// "2023-11-07T10:30:00+08:00": an instant shown in the zone it belongs to.
std::string format_iso8601(std::int64_t utc_seconds, const TimeZone& zone);

// Prints an error for a person on stderr.
void print_error(const Error& error);

// The exit code for an error: kExitUsage (2) for configuration and usage errors,
// kExitFailed (1) for everything that failed while running.
int exit_code_for(const Error& error);

// kUsage: "no source with id 'x' (see 'herald sources list')".
Error unknown_source(const std::string& id);

}  // namespace herald
