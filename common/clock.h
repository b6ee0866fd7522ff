#pragma once

#include <chrono>
#include <cstdint>

namespace herald {

// The one source of time below daemon/. Wall time is for timestamps that are stored
// or shown; the steady clock is for schedules, backoff and timeouts, which must not
// jump when NTP steps the wall clock.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now_utc_seconds() const = 0;
  virtual std::chrono::steady_clock::time_point now_steady() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t now_utc_seconds() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::chrono::steady_clock::time_point now_steady() const override {
    return std::chrono::steady_clock::now();
  }
};

}  // namespace herald
