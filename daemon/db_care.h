#pragma once

// Database care in `herald serve`: the nightly online backup with rotation, item retention
// and a WAL checkpoint (docs/database.md).

#include <filesystem>
#include <memory>
#include <string_view>

#include "daemon/periodic.h"

namespace herald {

// service_state keys (Store::state) that the health page and notifications can read.
// A JSON object written when open_store found the database corrupt and moved it aside:
// {"at": UTC seconds, "problem": "...", "moved_to": "/var/lib/herald/herald.db.corrupt-…",
//  "restored_from": "/var/lib/herald/backups/herald-20261127.db" or null (fresh database)}.
inline constexpr std::string_view kDbRecoveryStateKey = "db.recovery";
// The local date ("2026-11-28") of the last nightly run that completed, so a restart
// neither repeats nor skips it.
inline constexpr std::string_view kLastBackupStateKey = "db.last_backup";
// The last nightly failure's message, or "" after a successful run.
inline constexpr std::string_view kBackupErrorStateKey = "db.backup_error";

// [storage] backup_dir, or "backups" next to the database when it is not set.
std::filesystem::path backup_directory(const HeraldConfig& config);

// The nightly task: at DatabaseCare::backup_at in HeraldConfig::local_zone it writes
// <backup_dir>/herald-YYYYMMDD.db with an online backup, keeps the newest backup_keep,
// prunes items past item_retention and checkpoints the WAL. A night the daemon was down
// for is done once at the next start. nullptr when neither backups nor retention are set.
std::unique_ptr<PeriodicTask> make_db_care_task(const Loaded& loaded);

}  // namespace herald
