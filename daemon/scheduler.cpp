#include "daemon/scheduler.h"

#include <algorithm>

namespace herald {

Scheduler::Scheduler(std::vector<Entry> entries, TimePoint now, double jitter,
                     std::chrono::seconds initial_spread, std::uint64_t seed)
    : entries_(std::move(entries)), jitter_(std::clamp(jitter, 0.0, 0.5)), rng_(seed) {
  due_.reserve(entries_.size());
  const auto spread_ms = std::chrono::duration_cast<std::chrono::milliseconds>(initial_spread);
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const auto offset = entries_.size() <= 1
                            ? std::chrono::milliseconds(0)
                            : spread_ms * static_cast<std::int64_t>(i) /
                                  static_cast<std::int64_t>(entries_.size());
    due_.push_back(now + offset);
  }
}

std::optional<Scheduler::Due> Scheduler::next() const {
  if (due_.empty()) {
    return std::nullopt;
  }
  const auto earliest = std::min_element(due_.begin(), due_.end());
  return Due{.index = static_cast<std::size_t>(earliest - due_.begin()), .at = *earliest};
}

void Scheduler::completed(std::size_t index, TimePoint now) {
  due_.at(index) = now + jittered(entries_.at(index).interval);
}

std::chrono::milliseconds Scheduler::jittered(std::chrono::seconds interval) {
  const auto base = std::chrono::duration_cast<std::chrono::milliseconds>(interval);
  if (jitter_ <= 0.0) {
    return base;
  }
  std::uniform_real_distribution<double> factor(1.0 - jitter_, 1.0 + jitter_);
  return std::chrono::milliseconds(
      static_cast<std::int64_t>(static_cast<double>(base.count()) * factor(rng_)));
}

}  // namespace herald
