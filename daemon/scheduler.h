#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
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
    // What the database says of the source, for when it starts afresh (at start, or added
    // by a reload): how long ago its last poll began (nullopt: never polled) and the
    // retryable failures in a row that poll ended, which back it off as they would have.
    std::optional<std::chrono::seconds> last_poll_age{};
    int failures = 0;
  };

  // A source starting afresh whose last poll (last_poll_age ago) is not yet one interval
  // (or its backoff, jittered) old is first due when it is, so a restart does not poll
  // again what was polled minutes ago. The others, never polled or overdue, are due at once:
  // spread over the first `initial_spread` so a start does not hit every site in the same
  // second. `jitter` (0..0.5) varies each interval by +/- that fraction. `max_backoff` caps
  // how far consecutive failures push a source out (never below its own interval).
  Scheduler(std::vector<Entry> entries, TimePoint now, double jitter,
            std::chrono::seconds initial_spread, std::uint64_t seed,
            std::chrono::seconds max_backoff = std::chrono::hours(6));

  // How a run ended, as far as scheduling cares.
  struct Outcome {
    enum class Kind {
      kSuccess,      // back to the source's interval
      kFailure,      // retryable: back off; not retryable: the interval (the admin must act)
      kRateLimited,  // the site asked herald to wait until `until`; counts as a failure
    };
    Kind kind = Kind::kSuccess;
    bool retryable = true;  // kFailure only
    TimePoint until{};      // kRateLimited only

    static Outcome success() { return Outcome{}; }
    static Outcome failure(bool retryable) {
      return Outcome{.kind = Kind::kFailure, .retryable = retryable, .until = {}};
    }
    static Outcome rate_limited(TimePoint until) {
      return Outcome{.kind = Kind::kRateLimited, .retryable = true, .until = until};
    }
  };

  struct Due {
    std::size_t index = 0;
    TimePoint at{};
  };
  // The earliest due source; nullopt when there are no sources.
  std::optional<Due> next() const;

  // Records that source `index` finished at `now` and schedules its next run. After n
  // consecutive retryable failures the next run is interval·2^(n-1) away (capped at
  // max(max_backoff, interval)), so a broken site is asked less often, not more; a
  // rate-limited run is also never rescheduled before `until`. Jitter applies throughout.
  void completed(std::size_t index, TimePoint now, const Outcome& outcome);
  // A successful run.
  void completed(std::size_t index, TimePoint now) { completed(index, now, Outcome::success()); }

  // What replace() did, for the reload log line.
  struct Replaced {
    int added = 0;      // ids that were not scheduled before
    int removed = 0;    // ids that are no longer scheduled
    int restarted = 0;  // ids listed in `restart` that were scheduled before
    int kept = 0;       // ids that kept their place
  };
  // Swaps in a new set of entries (a reload) without disturbing the sources that did not
  // change: an id that was scheduled before keeps its due time and failure streak (when
  // its interval changed, it is due no later than the new interval, or backoff, from
  // `now`). New ids start afresh like the first polls (their last poll respected, the
  // others spread over `spread` from `now`); ids in `restart` (their configuration
  // changed, so neither their last poll nor their failure streak says anything about the
  // new one) are due at once, spread the same way. Indices change: entry(i) follows
  // `entries`' order.
  Replaced replace(std::vector<Entry> entries, TimePoint now, std::chrono::seconds spread,
                   const std::set<std::string>& restart = {});

  // [schedule] jitter after a reload; applies from the next completed run.
  void set_jitter(double jitter) { jitter_ = std::clamp(jitter, 0.0, 0.5); }

  // Retryable failures since the last success (for "degraded" in the health view).
  int consecutive_failures(std::size_t index) const { return failures_.at(index); }

  const Entry& entry(std::size_t index) const { return entries_[index]; }
  std::size_t size() const { return entries_.size(); }

 private:
  std::chrono::milliseconds jittered(std::chrono::milliseconds delay);
  std::chrono::milliseconds backoff(std::size_t index) const;
  static std::vector<TimePoint> spread_over(std::size_t count, TimePoint now,
                                            std::chrono::seconds spread);
  // Schedules the entries at `fresh` (index, whether its last poll counts) as described
  // at the constructor; due_ and failures_ already have entries_' size.
  void start_afresh(const std::vector<std::pair<std::size_t, bool>>& fresh, TimePoint now,
                    std::chrono::seconds spread);

  std::vector<Entry> entries_;
  std::vector<TimePoint> due_;
  std::vector<int> failures_;
  double jitter_;
  std::chrono::seconds max_backoff_;
  std::mt19937_64 rng_;
};

}  // namespace herald
