#include "daemon/watchdog.h"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/log_format.h"

namespace herald {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Parsing, scoring and the commit of a large page; SQLite's busy timeout included.
constexpr seconds kWorkAllowance{60};

}  // namespace

Heartbeat::Heartbeat(std::chrono::microseconds timeout, std::chrono::seconds margin)
    : timeout_(timeout), margin_(margin) {}

milliseconds Heartbeat::beat_period() const {
  return std::max(milliseconds(1), duration_cast<milliseconds>(timeout_ / 4));
}

milliseconds Heartbeat::ping_period() const {
  return std::max(milliseconds(1), duration_cast<milliseconds>(timeout_ / 2));
}

void Heartbeat::beat(TimePoint now) {
  std::lock_guard lock(mutex_);
  last_beat_ = now;
  beaten_ = true;
}

void Heartbeat::poll_started(TimePoint now, const std::string& source_id, seconds budget) {
  std::lock_guard lock(mutex_);
  last_beat_ = now;
  beaten_ = true;
  poll_start_ = now;
  poll_source_ = source_id;
  poll_budget_ = budget;
}

void Heartbeat::poll_finished(TimePoint now) {
  std::lock_guard lock(mutex_);
  last_beat_ = now;
  beaten_ = true;
  poll_start_.reset();
}

std::optional<std::string> Heartbeat::stalled(TimePoint now) const {
  std::lock_guard lock(mutex_);
  if (poll_start_) {
    const auto limit = poll_budget_ + margin_;
    if (now - *poll_start_ <= limit) {
      return std::nullopt;
    }
    return fmt::format("the poll of {} has run for {} s, longer than its budget of {} s plus "
                       "{} s",
                       poll_source_, duration_cast<seconds>(now - *poll_start_).count(),
                       poll_budget_.count(), margin_.count());
  }
  if (!beaten_) {
    return std::string("the poll loop has not started");
  }
  // The idle loop beats every quarter timeout: two missed beats mean it is stuck.
  const auto limit = duration_cast<milliseconds>(timeout_ / 2);
  if (now - last_beat_ <= limit) {
    return std::nullopt;
  }
  return fmt::format("the poll loop has not run for {} ms (it should every {} ms)",
                     duration_cast<milliseconds>(now - last_beat_).count(),
                     beat_period().count());
}

seconds poll_budget(const SourceConfig& source, const HeraldConfig& config) {
  const seconds delay = std::max(config.min_delay, source.fetch.min_delay.value_or(seconds(0)));
  // robots.txt and the page, each waiting its turn at the host.
  seconds budget = 2 * (delay + source.fetch.timeout);
  if (source.article) {
    // Articles may live on other hosts, with a robots.txt of their own.
    budget += source.article->max_per_poll * 2 * (delay + source.article->timeout);
  }
  return budget + kWorkAllowance;
}

WatchdogPinger::WatchdogPinger(const Heartbeat& heartbeat, Notify notify, Now now)
    : heartbeat_(heartbeat), notify_(std::move(notify)), now_(std::move(now)) {}

void WatchdogPinger::start() {
  if (!thread_.joinable()) {
    thread_ = std::thread([this] { run(); });
  }
}

WatchdogPinger::~WatchdogPinger() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

bool WatchdogPinger::tick() {
  const auto why = heartbeat_.stalled(now_());
  if (why) {
    if (!stalled_logged_) {
      spdlog::error("watchdog: {}; no longer telling systemd that herald is alive, so it "
                    "restarts herald (WatchdogSec)",
                    log_safe(*why));
      stalled_logged_ = true;
    }
    return false;
  }
  if (stalled_logged_) {
    spdlog::warn("watchdog: the poll loop is making progress again");
    stalled_logged_ = false;
  }
  notify_("WATCHDOG=1");
  return true;
}

void WatchdogPinger::run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    lock.unlock();
    tick();
    lock.lock();
    wake_.wait_for(lock, heartbeat_.ping_period(), [this] { return stop_; });
  }
}

}  // namespace herald
