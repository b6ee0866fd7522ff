#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "daemon/periodic.h"

namespace herald {

// The PeriodicTasks (digests, alerts, backups; periodic.h) on one thread next to serve's
// poll loop, each asked every `period` (about a second) whether something is due, so a slow
// SMTP server or a long backup never delays a poll. A task that throws is logged and asked
// again next round: it never takes the daemon down. serve replaces the whole object on
// reload; the destructor sets the tasks' stop flag and joins the thread.
class Housekeeping {
 public:
  Housekeeping(std::vector<std::unique_ptr<PeriodicTask>> tasks, const Clock& clock,
               std::chrono::milliseconds period = std::chrono::seconds(1));
  ~Housekeeping();
  Housekeeping(const Housekeeping&) = delete;
  Housekeeping& operator=(const Housekeeping&) = delete;

  std::size_t size() const { return tasks_.size(); }

 private:
  void run();
  void report(std::size_t index, const std::string& what);

  std::vector<std::unique_ptr<PeriodicTask>> tasks_;
  const Clock& clock_;
  std::chrono::milliseconds period_;
  // Per task: the last failure logged and when, so a task failing every round does not
  // flood the journal.
  std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> last_logged_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace herald
