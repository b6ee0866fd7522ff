#include "daemon/scheduler.h"

#include <algorithm>
#include <map>

namespace herald {

Scheduler::Scheduler(std::vector<Entry> entries, TimePoint now, double jitter,
                     std::chrono::seconds initial_spread, std::uint64_t seed,
                     std::chrono::seconds max_backoff)
    : entries_(std::move(entries)),
      failures_(entries_.size(), 0),
      jitter_(std::clamp(jitter, 0.0, 0.5)),
      max_backoff_(max_backoff),
      rng_(seed) {
  due_.assign(entries_.size(), now);
  std::vector<std::pair<std::size_t, bool>> fresh;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    fresh.emplace_back(i, true);
  }
  start_afresh(fresh, now, initial_spread);
}

void Scheduler::start_afresh(const std::vector<std::pair<std::size_t, bool>>& fresh,
                             TimePoint now, std::chrono::seconds spread) {
  std::vector<std::size_t> due_now;
  for (const auto& [index, history] : fresh) {
    const Entry& entry = entries_[index];
    failures_[index] = 0;
    if (history && entry.last_poll_age) {
      failures_[index] = std::max(entry.failures, 0);
      // As completed() would have scheduled it after that poll (the jitter drawn anew).
      const TimePoint next = now - *entry.last_poll_age + jittered(backoff(index));
      if (next > now) {
        due_[index] = next;
        continue;
      }
    }
    due_now.push_back(index);
  }
  const std::vector<TimePoint> starts = spread_over(due_now.size(), now, spread);
  for (std::size_t k = 0; k < due_now.size(); ++k) {
    due_[due_now[k]] = starts[k];
  }
}

std::vector<Scheduler::TimePoint> Scheduler::spread_over(std::size_t count, TimePoint now,
                                                         std::chrono::seconds spread) {
  std::vector<TimePoint> due;
  due.reserve(count);
  const auto spread_ms = std::chrono::duration_cast<std::chrono::milliseconds>(spread);
  for (std::size_t i = 0; i < count; ++i) {
    const auto offset = count <= 1 ? std::chrono::milliseconds(0)
                                   : spread_ms * static_cast<std::int64_t>(i) /
                                         static_cast<std::int64_t>(count);
    due.push_back(now + offset);
  }
  return due;
}

Scheduler::Replaced Scheduler::replace(std::vector<Entry> entries, TimePoint now,
                                       std::chrono::seconds spread,
                                       const std::set<std::string>& restart) {
  std::map<std::string, std::size_t> old_index;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    old_index.emplace(entries_[i].source_id, i);
  }
  Replaced replaced;
  std::vector<TimePoint> due(entries.size());
  std::vector<int> failures(entries.size(), 0);
  std::vector<std::pair<std::size_t, bool>> fresh;  // positions that start afresh, in order
  std::set<std::string> still_here;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Entry& entry = entries[i];
    still_here.insert(entry.source_id);
    const auto found = old_index.find(entry.source_id);
    if (found == old_index.end()) {
      ++replaced.added;
      fresh.emplace_back(i, true);
      continue;
    }
    if (restart.contains(entry.source_id)) {
      ++replaced.restarted;
      fresh.emplace_back(i, false);
      continue;
    }
    ++replaced.kept;
    const std::size_t old = found->second;
    failures[i] = failures_[old];
    due[i] = due_[old];
    if (entries_[old].interval != entry.interval) {
      // A shorter interval must not wait out the old, longer one.
      entries_[old].interval = entry.interval;
      due[i] = std::min(due[i], now + backoff(old));
    }
  }
  for (const auto& [id, index] : old_index) {
    if (!still_here.contains(id)) {
      ++replaced.removed;
    }
  }
  entries_ = std::move(entries);
  due_ = std::move(due);
  failures_ = std::move(failures);
  start_afresh(fresh, now, spread);
  return replaced;
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
