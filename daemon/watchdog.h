#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "config/herald_config.h"
#include "config/source_config.h"

namespace herald {

// systemd's watchdog (WatchdogSec=) for `herald serve`: WATCHDOG=1 is sent only while the
// poll loop makes progress, so a hung poll (a stuck transfer, a deadlock) stops the pings
// and systemd kills and restarts herald (RELIABILITY.md S7).
//
// The poll loop reports to a Heartbeat: beat() at every turn of the loop (it wakes at least
// every beat_period() even when no source is due), poll_started() with the poll's budget
// and poll_finished(). A pinger, on its own thread, asks healthy() before each WATCHDOG=1.
// A poll is legitimately long (a slow site, twenty article pages): it counts as hung only
// after its budget (poll_budget) plus a margin, not after WatchdogSec.
class Heartbeat {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // `timeout`: WATCHDOG_USEC. `margin`: slack on top of a poll's budget.
  explicit Heartbeat(std::chrono::microseconds timeout,
                     std::chrono::seconds margin = std::chrono::seconds(60));

  // How often the idle loop must beat: a quarter of the watchdog timeout.
  std::chrono::milliseconds beat_period() const;
  // How often the pinger looks: half the timeout, as sd_watchdog_enabled(3) advises.
  std::chrono::milliseconds ping_period() const;

  void beat(TimePoint now);
  void poll_started(TimePoint now, const std::string& source_id,
                    std::chrono::seconds budget);
  void poll_finished(TimePoint now);

  // Nullopt while the loop makes progress; otherwise why it does not, for the log.
  std::optional<std::string> stalled(TimePoint now) const;
  bool healthy(TimePoint now) const { return !stalled(now).has_value(); }

 private:
  std::chrono::microseconds timeout_;
  std::chrono::seconds margin_;
  mutable std::mutex mutex_;
  TimePoint last_beat_{};
  bool beaten_ = false;
  std::optional<TimePoint> poll_start_{};
  std::string poll_source_{};
  std::chrono::seconds poll_budget_{0};
};

// The longest a normal poll of `source` can take: the list request and its robots.txt,
// each waiting its turn at the host (min_delay) and bounded by its timeout, then up to
// [article] max_per_poll article pages the same way, plus time for the database.
std::chrono::seconds poll_budget(const SourceConfig& source, const HeraldConfig& config);

// Once started, sends WATCHDOG=1 through `notify` every ping_period() while `heartbeat` is
// healthy, on its own thread; logs once when it stops pinging (and once when the loop
// recovers). Stopped and joined by the destructor.
class WatchdogPinger {
 public:
  using Notify = std::function<void(const char* state)>;
  using Now = std::function<Heartbeat::TimePoint()>;

  WatchdogPinger(const Heartbeat& heartbeat, Notify notify,
                 Now now = [] { return std::chrono::steady_clock::now(); });
  ~WatchdogPinger();
  WatchdogPinger(const WatchdogPinger&) = delete;
  WatchdogPinger& operator=(const WatchdogPinger&) = delete;

  void start();
  // One look: pings when healthy, returns whether it did. What the thread does each
  // period; call it directly only on a pinger that was not started (tests).
  bool tick();

 private:
  void run();

  const Heartbeat& heartbeat_;
  Notify notify_;
  Now now_;
  bool stalled_logged_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace herald
