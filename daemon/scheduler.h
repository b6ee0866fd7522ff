#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace herald {

// When each source is due next. Pure logic on the steady clock (never the wall clock, so
// an NTP step neither freezes polling nor causes a stampede); the caller sleeps and runs.
// Not thread-safe: owned by the serve loop.
class Scheduler {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  struct Entry {
    std::string source_id{};
    std::chrono::seconds interval{3600};
  };

  // First polls are spread over the first `initial_spread` so a start does not hit every
  // site in the same second. `jitter` (0..0.5) varies each interval by +/- that fraction.
  Scheduler(std::vector<Entry> entries, TimePoint now, double jitter,
            std::chrono::seconds initial_spread, std::uint64_t seed);

  struct Due {
    std::size_t index = 0;
    TimePoint at{};
  };
  // The earliest due source; nullopt when there are no sources.
  std::optional<Due> next() const;

  // Records that source `index` finished at `now` and schedules its next run.
  void completed(std::size_t index, TimePoint now);

  const Entry& entry(std::size_t index) const { return entries_[index]; }
  std::size_t size() const { return entries_.size(); }

 private:
  std::chrono::milliseconds jittered(std::chrono::seconds interval);

  std::vector<Entry> entries_;
  std::vector<TimePoint> due_;
  double jitter_;
  std::mt19937_64 rng_;
};

}  // namespace herald
