#pragma once

#include <chrono>
#include <cstdint>

#include "common/clock.h"

namespace herald::testing {

// A Clock that moves only when a test says so: advance() moves the steady and the wall
// clock together; set_utc_seconds() steps the wall clock alone (an NTP step), which must
// not move anything scheduled on the steady clock.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::int64_t utc_seconds = 1'700'000'000) : utc_seconds_(utc_seconds) {}

  std::int64_t now_utc_seconds() const override {
    return utc_seconds_ +
           std::chrono::duration_cast<std::chrono::seconds>(steady_ - steady_at_utc_set_).count();
  }
  std::chrono::steady_clock::time_point now_steady() const override { return steady_; }

  void advance(std::chrono::steady_clock::duration by) { steady_ += by; }
  void set_utc_seconds(std::int64_t utc_seconds) {
    utc_seconds_ = utc_seconds;
    steady_at_utc_set_ = steady_;
  }

 private:
  std::int64_t utc_seconds_;
  // Far from the epoch of steady_clock's time_point, so code that subtracts durations
  // from "now" does not go below zero.
  std::chrono::steady_clock::time_point steady_{std::chrono::hours(1000)};
  std::chrono::steady_clock::time_point steady_at_utc_set_{std::chrono::hours(1000)};
};

}  // namespace herald::testing
