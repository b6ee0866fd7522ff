#pragma once

// The notifier (docs/notifications.md): a daily digest of new candidates and alerts when a
// source becomes unhealthy or recovers, sent to the [[notify.webhook]] targets and
// [notify.email]. It runs as a PeriodicTask on serve's housekeeping thread, never on a
// polling thread: a slow or failing channel delays nothing but other notifications, and
// each of those at most by one send's timeout.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "daemon/periodic.h"
#include "storage/store.h"

namespace herald {

// The notifier's tuning. The defaults are what `herald serve` uses; tests shorten them.
struct NotifyOptions {
  std::chrono::milliseconds webhook_timeout{10'000};  // one POST, connecting included
  std::chrono::milliseconds smtp_timeout{30'000};     // one message, the whole SMTP dialogue
  // A message that failed this many times is dropped with an error in the log. With the
  // backoff below, 8 attempts span about an hour.
  int max_attempts = 8;
  std::chrono::seconds first_retry{30};    // after the first failure; doubles each time ...
  std::chrono::seconds max_retry{30 * 60};  // ... up to this
  std::chrono::seconds health_every{60};   // how often source health is looked at
  std::size_t max_queued = 200;            // undelivered messages kept; the oldest go first
};

// nullptr when [notify] names no channel, or asks for neither a digest nor alerts.
std::unique_ptr<PeriodicTask> make_notify_task(const Loaded& loaded);
std::unique_ptr<PeriodicTask> make_notify_task(const Loaded& loaded, const NotifyOptions& options);

// Whether `health` deserves an "unhealthy" alert, and why (for people). The one place that
// decides it: today the store's verdict (HealthState: failing, layout changed, silent).
struct AlertVerdict {
  bool unhealthy = false;
  std::string state{};   // health_state_name
  std::string reason{};
};
AlertVerdict alert_verdict(const SourceHealth& health);

// service_state keys. The digest key holds the UTC second up to which candidates were
// announced; a source's key holds "unhealthy" while it is alerted as such, else "ok".
inline constexpr std::string_view kLastDigestKey = "notify.last_digest";
std::string source_alert_key(std::string_view source_id);

}  // namespace herald
