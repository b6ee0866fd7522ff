#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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

// The calendar date "YYYY-MM-DD" of `utc_seconds` in `zone`: with [schedule] timezone, the
// desk's today (what comment deadlines are counted against).
std::string calendar_date(std::int64_t utc_seconds, const TimeZone& zone);

// Whole days from `from` to `to`, both real dates "YYYY-MM-DD" (is_calendar_date; anything
// else counts as 1970-01-01): 0 for the same day, negative when `to` is earlier.
std::int64_t days_between(std::string_view from, std::string_view to);

// `date` ("YYYY-MM-DD") moved by `days` (may be negative).
std::string add_days(std::string_view date, std::int64_t days);

// Prints an error for a person on stderr.
void print_error(const Error& error);

// The exit code for an error: kExitUsage (2) for configuration and usage errors,
// kExitFailed (1) for everything that failed while running.
int exit_code_for(const Error& error);

// kUsage: "no source with id 'x' (see 'herald sources list')".
Error unknown_source(const std::string& id);

}  // namespace herald
