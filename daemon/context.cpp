#include "daemon/context.h"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <set>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "common/legal.h"
#include "daemon/cli.h"
#include "daemon/db_care.h"
#include "storage/maintenance.h"

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

namespace {

// The startup check reads the whole file, which takes seconds for a database of several
// GB on a cold disk (docs/database.md); every verb opens the database, so it is bounded.
constexpr std::chrono::milliseconds kStartupCheckBudget{1500};

// Whether this process already checked `path`: serve and every verb open the database
// once at start, and the check reads the whole file, so it is done once per process.
bool first_open(const std::filesystem::path& path) {
  static std::mutex mutex;
  static std::set<std::string> checked;
  std::error_code ec;
  const auto absolute = std::filesystem::absolute(path, ec);
  std::lock_guard lock(mutex);
  return checked.insert(ec ? path.string() : absolute.lexically_normal().string()).second;
}

// The startup check (RELIABILITY.md S6): a database that is not SQLite or fails
// quick_check is moved aside, never overwritten, and the newest sound backup takes its
// place. Returns the recovery to record once the store is open, if there was one.
Result<std::optional<nlohmann::json>> check_at_start(const HeraldConfig& config,
                                                     std::int64_t now_utc) {
  if (config.database == ":memory:" || !first_open(config.database)) {
    return std::optional<nlohmann::json>{};
  }
  auto check = check_database_file(config.database, kStartupCheckBudget);
  if (!check) {
    return fail(std::move(check.error()));
  }
  if (!check->complete) {
    spdlog::info("startup check of {}: quick_check stopped after {} ms (large database); the "
                 "header and schema are sound. 'herald db check' checks everything",
                 config.database.string(), kStartupCheckBudget.count());
  }
  if (!check->corrupt) {
    return std::optional<nlohmann::json>{};
  }
  const std::filesystem::path backups = backup_directory(config);
  auto recovery = recover_corrupt_database(config.database, backups, now_utc);
  if (!recovery) {
    Error error = std::move(recovery.error());
    error.message = fmt::format("database {} is corrupt ({}) and could not be moved aside: {}",
                                config.database.string(), check->problem, error.message);
    return fail(std::move(error));
  }
  for (const std::string& skipped : recovery->skipped_backups) {
    spdlog::error("backup {} is damaged too; not restored", skipped);
  }
  if (recovery->restored_from) {
    spdlog::error("database {} is corrupt ({}): moved it to {} and restored the backup {}; "
                  "what herald stored after that backup is missing and is fetched again "
                  "where the sites still list it",
                  config.database.string(), check->problem, recovery->moved_to.string(),
                  recovery->restored_from->string());
  } else {
    spdlog::error("database {} is corrupt ({}): moved it to {}; no usable backup in {}, so "
                  "herald starts with an EMPTY database (accounts and the review queue are "
                  "gone; see docs/database.md to restore by hand)",
                  config.database.string(), check->problem, recovery->moved_to.string(),
                  backups.string());
  }
  nlohmann::json record = {
      {"at", now_utc},
      {"problem", check->problem},
      {"moved_to", recovery->moved_to.string()},
      {"restored_from", recovery->restored_from ? nlohmann::json(recovery->restored_from->string())
                                                : nlohmann::json(nullptr)},
  };
  return std::optional<nlohmann::json>{std::move(record)};
}

}  // namespace

Result<Store> open_store(const HeraldConfig& config) {
  const auto dir = config.database.parent_path();
  if (!dir.empty()) {
    // Private, like the database in it (docs/service.md "File modes").
    if (auto made = create_private_directories(dir); !made) {
      return fail(ErrorCode::kStorage,
                  fmt::format("cannot create the database directory {}: {} (set [storage] "
                              "database in {} to a writable path)",
                              dir.string(), made.error().message, config.file.string()));
    }
  }
  const SystemClock clock;
  auto recovered = check_at_start(config, clock.now_utc_seconds());
  if (!recovered) {
    return fail(std::move(recovered.error()));
  }
  auto store = Store::open(config.database);
  if (store && *recovered) {
    // The health page and notifications read this; the log line above is the other half.
    if (auto saved = store->set_state(std::string(kDbRecoveryStateKey), (*recovered)->dump(),
                                      clock.now_utc_seconds());
        !saved) {
      spdlog::error("could not record the database recovery in service_state: {}",
                    saved.error().message);
    }
  }
  return store;
}

std::string calendar_date(std::int64_t utc_seconds, const TimeZone& zone) {
  return format_iso8601(utc_seconds, zone).substr(0, 10);
}

namespace {

// 0 (1970-01-01) for what is not a real date: callers pass dates they checked.
std::int64_t day_number(std::string_view date) {
  return is_calendar_date(date) ? days_from_iso_date(date).value_or(0) : 0;
}

}  // namespace

std::int64_t days_between(std::string_view from, std::string_view to) {
  return day_number(to) - day_number(from);
}

std::string add_days(std::string_view date, std::int64_t days) {
  const CivilDate moved = civil_from_days(day_number(date) + days);
  return fmt::format("{:04}-{:02}-{:02}", moved.year, moved.month, moved.day);
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
