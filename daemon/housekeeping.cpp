#include "daemon/housekeeping.h"

#include <exception>

#include <spdlog/spdlog.h>

#include "common/log_format.h"

namespace herald {

namespace {

// The same failure is logged again only after this long.
constexpr auto kRepeatLog = std::chrono::minutes(10);

}  // namespace

Housekeeping::Housekeeping(std::vector<std::unique_ptr<PeriodicTask>> tasks, const Clock& clock,
                           std::chrono::milliseconds period)
    : tasks_(std::move(tasks)), clock_(clock), period_(period), last_logged_(tasks_.size()) {
  if (!tasks_.empty()) {
    thread_ = std::thread([this] { run(); });
  }
}

Housekeeping::~Housekeeping() {
  {
    std::lock_guard lock(mutex_);
    stop_.store(true);
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void Housekeeping::run() {
  while (!stop_.load()) {
    for (std::size_t i = 0; i < tasks_.size() && !stop_.load(); ++i) {
      // run_due promises not to throw; a task that does anyway must not take polling down
      // with it (an exception leaving this thread would end the process).
      try {
        tasks_[i]->run_due(clock_.now_utc_seconds(), stop_);
      } catch (const std::exception& e) {
        report(i, e.what());
      } catch (...) {
        report(i, "unknown exception");
      }
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, period_, [this] { return stop_.load(); });
  }
}

void Housekeeping::report(std::size_t index, const std::string& what) {
  const auto now = std::chrono::steady_clock::now();
  auto& [message, at] = last_logged_[index];
  if (message == what && now - at < kRepeatLog) {
    return;
  }
  message = what;
  at = now;
  spdlog::error("housekeeping: task {} failed: {}; it is retried, polling goes on",
                log_safe(tasks_[index]->name()), log_safe(what));
}

}  // namespace herald
