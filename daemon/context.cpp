#include "daemon/context.h"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <system_error>

#include <fmt/format.h>

#include "daemon/cli.h"

namespace herald {

const SourceConfig* Loaded::find(const std::string& id) const {
  for (const SourceConfig& source : sources.sources) {
    if (source.id == id) {
      return &source;
    }
  }
  return nullptr;
}

Result<Loaded> load_configuration(const std::filesystem::path& config_file) {
  auto config = load_herald_config(config_file);
  if (!config) {
    return fail(config.error());
  }
  auto sources = load_sources(config->sources_dir);
  if (!sources) {
    return fail(sources.error());
  }
  for (const Error& error : sources->errors) {
    std::cerr << "herald: skipped: " << error.message << "\n";
  }
  return Loaded{.config = std::move(*config), .sources = std::move(*sources)};
}

Result<Store> open_store(const HeraldConfig& config) {
  const auto dir = config.database.parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return fail(ErrorCode::kStorage,
                  fmt::format("cannot create the database directory {}: {} (set [storage] "
                              "database in {} to a writable path)",
                              dir.string(), ec.message(), config.file.string()));
    }
  }
  return Store::open(config.database);
}

std::string format_iso8601(std::int64_t utc_seconds, const TimeZone& zone) {
  using namespace std::chrono;
  const int offset = zone.offset_at_utc(utc_seconds);
  const sys_seconds local{seconds(utc_seconds + offset)};
  const auto day = floor<days>(local);
  const year_month_day ymd{day};
  const hh_mm_ss hms{local - day};
  const int abs_offset = offset < 0 ? -offset : offset;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count(),
                     offset < 0 ? '-' : '+', abs_offset / 3600, (abs_offset % 3600) / 60);
}

void print_error(const Error& error) { std::cerr << "herald: " << error.message << "\n"; }

int exit_code_for(const Error& error) {
  return error.code == ErrorCode::kConfig || error.code == ErrorCode::kUsage ? kExitUsage
                                                                             : kExitFailed;
}

Error unknown_source(const std::string& id) {
  return Error{ErrorCode::kUsage,
               fmt::format("no source with id '{}' (see 'herald sources list')", id)};
}

std::filesystem::path default_config_path() {
  const std::filesystem::path checkout = "config/herald.toml";
  std::error_code ec;
  if (std::filesystem::exists(checkout, ec)) {
    return checkout;
  }
  return "/etc/herald/herald.toml";
}


}  // namespace herald
