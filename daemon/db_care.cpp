#include "daemon/db_care.h"

#include <chrono>
#include <limits>
#include <optional>
#include <string>
#include <system_error>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/timezone.h"
#include "daemon/run_source.h"
#include "storage/evidence.h"
#include "storage/maintenance.h"

namespace herald {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kDaySeconds = 86400;
// When only retention is configured it still runs once a night, at this local time.
constexpr std::int64_t kDefaultSlotSeconds = (3 * 60 + 15) * 60;
// After a failed night (disk full, backup dir missing) the task tries again this much later.
constexpr std::int64_t kRetrySeconds = 15 * 60;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

std::string iso_date(std::int64_t days) {
  const CivilDate date = civil_from_days(days);
  return fmt::format("{:04}-{:02}-{:02}", date.year, date.month, date.day);
}

class DbCareTask final : public PeriodicTask {
 public:
  explicit DbCareTask(const HeraldConfig& config)
      : database_(config.database),
        zone_(config.local_zone),
        care_(config.db_care),
        backup_dir_(backup_directory(config)),
        evidence_dir_(evidence_dir(config)),
        evidence_retention_(config.archive.retention) {}

  std::string_view name() const override { return "db-care"; }

  void run_due(std::int64_t now_utc, const std::atomic<bool>& stop) override {
    if (now_utc < retry_at_ || stop.load()) {
      return;
    }
    // The night whose slot was passed most recently, in local days since 1970.
    const std::int64_t local = now_utc + zone_.offset_at_utc(now_utc);
    const std::int64_t slot = care_.backup_at ? care_.backup_at->count() * 60 : kDefaultSlotSeconds;
    std::int64_t night = floor_div(local, kDaySeconds);
    if (local - night * kDaySeconds < slot) {
      --night;
    }
    if (night <= done_through_) {
      return;
    }
    if (!store_) {
      auto store = Store::open(database_);
      if (!store) {
        return give_up_until_later(now_utc, store.error().message);
      }
      store_.emplace(std::move(*store));
    }
    const std::string night_date = iso_date(night);
    auto last = store_->state(std::string(kLastBackupStateKey));
    if (!last) {
      return give_up_until_later(now_utc, last.error().message);
    }
    // ISO dates compare as strings.
    if (*last && **last >= night_date) {
      done_through_ = night;
      return;
    }
    if (auto done = run_night(night, now_utc, stop); !done) {
      return give_up_until_later(now_utc, done.error().message);
    }
    if (stop.load()) {
      return;  // interrupted: the next start does this night again
    }
    done_through_ = night;
    retry_at_ = 0;
    if (auto saved = store_->set_state(std::string(kLastBackupStateKey), night_date, now_utc);
        !saved) {
      spdlog::error("db-care: the night's work is done but could not be recorded ({}); it is "
                    "repeated at the next start",
                    saved.error().message);
    }
    (void)store_->set_state(std::string(kBackupErrorStateKey), "", now_utc);
  }

 private:
  Result<void> run_night(std::int64_t night, std::int64_t now_utc, const std::atomic<bool>& stop) {
    if (care_.backup_at) {
      if (auto backed_up = backup(night); !backed_up) {
        return backed_up;
      }
    }
    if (care_.item_retention && !stop.load()) {
      const std::int64_t cutoff = now_utc - care_.item_retention->count();
      auto pruned = prune_items(store_->database(), cutoff, false);
      if (!pruned) {
        return fail(std::move(pruned.error()));
      }
      spdlog::info("db-care: retention pruned {} items first seen before {} ({} KB of text)",
                   pruned->items, iso_date(floor_div(cutoff, kDaySeconds)),
                   pruned->text_bytes / 1024);
    }
    // Evidence past [archive] retention, and files no row needs, go after the items they
    // belonged to (pruned items keep their evidence rows; deleted ones no longer need them).
    if (evidence_retention_ && !stop.load()) {
      auto pruned = prune_evidence(store_->database(), EvidenceArchive(evidence_dir_),
                                   evidence_retention_, now_utc);
      if (!pruned) {
        return fail(std::move(pruned.error()));
      }
      if (pruned->rows > 0 || pruned->files > 0) {
        spdlog::info("db-care: evidence retention removed {} records and {} files ({} KB)",
                     pruned->rows, pruned->files, pruned->bytes / 1024);
      }
    }
    // Once a night the WAL is folded back into the database and emptied, so it cannot
    // grow without bound under a web UI that always has a reader open.
    if (auto checkpointed = store_->database().checkpoint(Database::CheckpointMode::kTruncate);
        !checkpointed) {
      spdlog::warn("db-care: WAL checkpoint failed: {}", checkpointed.error().message);
    }
    return {};
  }

  Result<void> backup(std::int64_t night) {
    std::error_code ec;
    // Private like the database it copies (docs/service.md "File modes").
    if (auto made = create_private_directories(backup_dir_); !made) {
      return fail(ErrorCode::kStorage, fmt::format("cannot create the backup directory {}: {}",
                                                   backup_dir_.string(),
                                                   made.error().message));
    }
    const CivilDate date = civil_from_days(night);
    const fs::path file = backup_dir_ / nightly_backup_name(static_cast<int>(date.year),
                                                           date.month, date.day);
    const auto started = std::chrono::steady_clock::now();
    // The file can only be one of ours from an earlier attempt at this same night.
    if (auto written = backup_database(store_->database(), file, true); !written) {
      return written;
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
    auto deleted = rotate_nightly_backups(backup_dir_, care_.backup_keep);
    if (!deleted) {
      spdlog::warn("db-care: {}", deleted.error().message);
    }
    spdlog::info("db-care: backup {} written ({} KB, {} ms); {} older backups deleted, newest "
                 "{} kept",
                 file.string(), fs::file_size(file, ec) / 1024, ms,
                 deleted ? deleted->size() : 0, care_.backup_keep);
    return {};
  }

  void give_up_until_later(std::int64_t now_utc, const std::string& message) {
    retry_at_ = now_utc + kRetrySeconds;
    spdlog::error("db-care: nightly backup/retention failed: {}; retrying in {} minutes",
                  message, kRetrySeconds / 60);
    if (store_) {
      (void)store_->set_state(std::string(kBackupErrorStateKey), message, now_utc);
    }
  }

  fs::path database_;
  TimeZone zone_;
  DatabaseCare care_;
  fs::path backup_dir_;
  fs::path evidence_dir_;
  std::optional<std::chrono::seconds> evidence_retention_;
  std::optional<Store> store_{};
  std::int64_t done_through_ = std::numeric_limits<std::int64_t>::min();
  std::int64_t retry_at_ = 0;
};

}  // namespace

fs::path backup_directory(const HeraldConfig& config) {
  if (!config.db_care.backup_dir.empty()) {
    return config.db_care.backup_dir;
  }
  return config.database.parent_path() / "backups";
}

std::unique_ptr<PeriodicTask> make_db_care_task(const Loaded& loaded) {
  const DatabaseCare& care = loaded.config.db_care;
  if ((!care.backup_at && !care.item_retention && !loaded.config.archive.retention) ||
      loaded.config.database == ":memory:") {
    return nullptr;
  }
  return std::make_unique<DbCareTask>(loaded.config);
}

}  // namespace herald
