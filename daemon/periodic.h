#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "daemon/context.h"

namespace herald {

// Work `herald serve` does on its own clock next to polling: the digest of new candidates
// and source alerts (notify.h), the nightly backup and retention (db_care.h). serve runs
// all tasks on one housekeeping thread, calling run_due about once a second, so a slow
// SMTP server or a long backup never delays a poll. Each task opens its own Store.
class PeriodicTask {
 public:
  virtual ~PeriodicTask() = default;
  virtual std::string_view name() const = 0;
  // Does whatever is due at `now_utc`, then returns. Never throws: a failure is logged and
  // retried on a later call (the task keeps its own backoff). `stop` becomes true at
  // shutdown or reload; long work checks it and returns early.
  virtual void run_due(std::int64_t now_utc, const std::atomic<bool>& stop) = 0;
};

// The tasks the configuration asks for (none when notifications and backups are off).
// serve calls it at start and again after each reload.
std::vector<std::unique_ptr<PeriodicTask>> make_periodic_tasks(const Loaded& loaded);

}  // namespace herald
