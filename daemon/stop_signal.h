#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <pthread.h>
#include <thread>

#include <spdlog/spdlog.h>

namespace herald {

// Signals are taken synchronously by one thread (sigwait), so nothing runs in a signal
// handler and the loop is woken through an ordinary condition variable.
// SIGTERM/SIGINT request a stop. SIGHUP requests a reload when `reloads` is set (`herald
// serve`); the owner picks it up with take_reload() between polls. Elsewhere SIGHUP is
// ignored with a note, so a stray HUP never kills a one-shot verb.
class StopSignal {
 public:
  enum class Wake { kDeadline, kStop, kReload };

  explicit StopSignal(bool reloads = false) : reloads_(reloads) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGHUP);
    // Blocked before any other thread starts, so every thread inherits the mask.
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    waiter_ = std::thread([this] { wait_for_signals(); });
  }
  ~StopSignal() {
    request_stop();
    // Wake sigwait so the waiter thread can end.
    pthread_kill(waiter_.native_handle(), SIGTERM);
    waiter_.join();
  }
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  bool stop_requested() const { return stop_.load(); }
  const std::atomic<bool>& flag() const { return stop_; }

  void request_stop() {
    {
      std::lock_guard lock(mutex_);
      stop_.store(true);
    }
    wake_.notify_all();
  }

  // Sleeps until `deadline` or a stop request; returns false when stopping.
  bool sleep_until(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    wake_.wait_until(lock, deadline, [this] { return stop_.load(); });
    return !stop_.load();
  }

  // Sleeps until `deadline`, a stop or a reload request, whichever comes first. A stop
  // wins over a pending reload.
  Wake wait_until(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    wake_.wait_until(lock, deadline, [this] { return stop_.load() || reload_.load(); });
    if (stop_.load()) {
      return Wake::kStop;
    }
    return reload_.load() ? Wake::kReload : Wake::kDeadline;
  }

  // True once per SIGHUP (several before the owner looks count as one).
  bool take_reload() { return reload_.exchange(false); }

  void request_reload() {
    {
      std::lock_guard lock(mutex_);
      reload_.store(true);
    }
    wake_.notify_all();
  }

 private:
  void wait_for_signals() {
    while (!stop_.load()) {
      int signal = 0;
      if (sigwait(&set_, &signal) != 0) {
        continue;
      }
      if (stop_.load()) {
        return;
      }
      if (signal == SIGHUP) {
        if (reloads_) {
          spdlog::info("SIGHUP received: reloading the configuration once the poll in "
                       "progress (if any) has finished");
          request_reload();
        } else {
          spdlog::warn("SIGHUP ignored: only 'herald serve' reloads its configuration");
        }
        continue;
      }
      spdlog::info("received {}: abandoning the poll in progress and stopping",
                   signal == SIGINT ? "SIGINT" : "SIGTERM");
      request_stop();
    }
  }

  sigset_t set_{};
  const bool reloads_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> reload_{false};
  std::mutex mutex_;  // guards the wait on wake_
  std::condition_variable wake_;
  std::thread waiter_;
};

}  // namespace herald
