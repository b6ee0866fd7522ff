#include "daemon/scheduler.h"

#include <algorithm>

namespace herald {

Scheduler::Scheduler(std::vector<Entry> entries, TimePoint now, double jitter,
                     std::chrono::seconds initial_spread, std::uint64_t seed,
                     std::chrono::seconds max_backoff)
    : entries_(std::move(entries)),
      failures_(entries_.size(), 0),
      jitter_(std::clamp(jitter, 0.0, 0.5)),
      max_backoff_(max_backoff),
      rng_(seed) {
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

void Scheduler::completed(std::size_t index, TimePoint now, const Outcome& outcome) {
  int& failures = failures_.at(index);
  switch (outcome.kind) {
    case Outcome::Kind::kSuccess:
      failures = 0;
      break;
    case Outcome::Kind::kFailure:
      if (outcome.retryable) ++failures;
      break;
    case Outcome::Kind::kRateLimited:
      ++failures;
      break;
  }
  TimePoint next = now + jittered(backoff(index));
  if (outcome.kind == Outcome::Kind::kRateLimited) {
    next = std::max(next, outcome.until);
  }
  due_.at(index) = next;
}

std::chrono::milliseconds Scheduler::backoff(std::size_t index) const {
  const auto interval = std::chrono::duration_cast<std::chrono::milliseconds>(
      entries_.at(index).interval);
  const int failures = failures_.at(index);
  if (failures <= 1) {
    return interval;
  }
  const auto cap = std::max<std::chrono::milliseconds>(interval, max_backoff_);
  auto delay = interval;
  // Doubling step by step stops at the cap, so a long failure streak cannot overflow.
  for (int i = 1; i < failures && delay < cap; ++i) {
    delay *= 2;
  }
  return std::min(delay, cap);
}

std::chrono::milliseconds Scheduler::jittered(std::chrono::milliseconds delay) {
  if (jitter_ <= 0.0) {
    return delay;
  }
  std::uniform_real_distribution<double> factor(1.0 - jitter_, 1.0 + jitter_);
  return std::chrono::milliseconds(
      static_cast<std::int64_t>(static_cast<double>(delay.count()) * factor(rng_)));
}

}  // namespace herald
