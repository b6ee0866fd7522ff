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
class StopSignal {
 public:
  StopSignal() {
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
        // TODO(#7): reload herald.toml and sources.d/ in place.
        spdlog::warn("SIGHUP received: reloading is not implemented yet; restart herald to "
                     "apply configuration changes");
        continue;
      }
      spdlog::info("received {}: abandoning the poll in progress and stopping",
                   signal == SIGINT ? "SIGINT" : "SIGTERM");
      request_stop();
    }
  }

  sigset_t set_{};
  std::atomic<bool> stop_{false};
  std::mutex mutex_;  // guards the wait on wake_
  std::condition_variable wake_;
  std::thread waiter_;
};

}  // namespace herald
