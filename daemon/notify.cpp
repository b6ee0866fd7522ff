#include "daemon/notify.h"

#include <algorithm>
#include <charconv>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/context.h"
#include "daemon/notify_message.h"
#include "daemon/notify_send.h"

namespace herald {

namespace {

// More candidates than this in one day are counted, not read.
constexpr int kDigestReadLimit = 2000;
// How long the digest waits after a database error before trying again.
constexpr std::int64_t kStorageRetrySeconds = 60;

std::optional<std::int64_t> parse_seconds(const std::string& text) {
  std::int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return value;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// The latest scheduled digest instant at or before `now_utc`: today's `at` (local time in
// `zone`) if it has passed, else yesterday's.
std::int64_t latest_slot(std::int64_t now_utc, std::chrono::minutes at, const TimeZone& zone) {
  const std::int64_t local_now = now_utc + zone.offset_at_utc(now_utc);
  std::int64_t day = floor_div(local_now, 86400);
  for (int i = 0; i < 3; ++i, --day) {
    const std::int64_t slot = zone.local_to_utc(day * 86400 + at.count() * 60);
    if (slot <= now_utc) {
      return slot;
    }
  }
  return now_utc;  // unreachable for offsets within a day
}

std::string new_message_id(const std::string& from) {
  static std::random_device device;
  std::uniform_int_distribution<std::uint64_t> any;
  const auto address = mail_address(from);
  const auto at = address ? address->find('@') : std::string::npos;
  const std::string domain = at != std::string::npos ? address->substr(at + 1) : "herald.invalid";
  return fmt::format("<{:016x}{:016x}.herald@{}>", any(device), any(device), domain);
}

// One channel: a webhook (index into NotifySettings::webhooks) or the e-mail target.
struct Channel {
  std::optional<std::size_t> webhook{};  // nullopt: e-mail
  std::string name{};                    // for logs: "webhook 'editors'" or "e-mail"
  bool digest = true;
  bool alerts = true;
};

struct Delivery {
  std::size_t channel = 0;
  std::shared_ptr<const Notification> note{};
  std::string message_id{};              // e-mail: the same on every attempt
  int attempts = 0;
  std::int64_t next_at = 0;
};

class NotifyTask final : public PeriodicTask {
 public:
  NotifyTask(const Loaded& loaded, const NotifyOptions& options)
      : config_(loaded.config), options_(options) {
    context_.zone = config_.local_zone;
    context_.web_origin = config_.web.public_origin;
    while (!context_.web_origin.empty() && context_.web_origin.back() == '/') {
      context_.web_origin.pop_back();
    }
    for (std::size_t i = 0; i < config_.notify.webhooks.size(); ++i) {
      const WebhookTarget& hook = config_.notify.webhooks[i];
      channels_.push_back(Channel{.webhook = i,
                                  .name = fmt::format("webhook '{}'", hook.name),
                                  .digest = hook.digest,
                                  .alerts = hook.alerts});
    }
    if (config_.notify.email) {
      channels_.push_back(Channel{.webhook = std::nullopt,
                                  .name = "e-mail",
                                  .digest = config_.notify.email->digest,
                                  .alerts = config_.notify.email->alerts});
    }
    for (const SourceConfig& source : loaded.sources.sources) {
      names_[source.id] = source.name;
      // Manual sources are added by editors by hand: there is nothing to alert about.
      if (source.enabled && source.mode != SourceMode::kManual) {
        watched_.insert(source.id);
      }
    }
  }

  std::string_view name() const override { return "notify"; }

  void run_due(std::int64_t now_utc, const std::atomic<bool>& stop) override {
    if (!ensure_store()) {
      return;
    }
    if (config_.notify.digest_at) {
      check_digest(now_utc);
    }
    if (config_.notify.alerts &&
        (!last_health_check_ || now_utc - *last_health_check_ >= options_.health_every.count() ||
         now_utc < *last_health_check_)) {
      last_health_check_ = now_utc;
      check_health(now_utc);
    }
    deliver(now_utc, stop);
  }

 private:
  bool ensure_store() {
    if (store_) {
      return true;
    }
    auto store = herald::open_store(config_);
    if (!store) {
      if (!store_error_logged_) {
        spdlog::error("notify: cannot open the database, no notifications until it opens: {}",
                      store.error().message);
        store_error_logged_ = true;
      }
      return false;
    }
    store_error_logged_ = false;
    store_ = std::make_unique<Store>(std::move(*store));
    return true;
  }

  void check_digest(std::int64_t now_utc) {
    // After a database error, wait a while rather than log the same error every second.
    if (now_utc >= digest_retry_at_ - kStorageRetrySeconds && now_utc < digest_retry_at_) {
      return;
    }
    const std::int64_t slot = latest_slot(now_utc, *config_.notify.digest_at, context_.zone);
    if (!last_digest_) {
      auto stored = store_->state(std::string(kLastDigestKey));
      if (!stored) {
        spdlog::warn("notify: cannot read when the last digest went out: {}",
                     stored.error().message);
        digest_retry_at_ = now_utc + kStorageRetrySeconds;
        return;
      }
      if (*stored) {
        last_digest_ = parse_seconds(**stored);
      }
      if (!last_digest_) {
        // First start with a digest configured: begin counting now, from the latest slot,
        // rather than announcing the whole history of the queue.
        if (!persist_digest_cutoff(slot, now_utc)) {
          return;
        }
      }
    }
    if (*last_digest_ >= slot) {
      return;
    }
    // Due (possibly missed while herald was down: then it goes out once, now).
    auto page = store_->pending_queued_between(*last_digest_, now_utc, kDigestReadLimit);
    if (!page) {
      spdlog::warn("notify: cannot read new candidates for the digest, trying again: {}",
                   page.error().message);
      digest_retry_at_ = now_utc + kStorageRetrySeconds;
      return;
    }
    Digest digest;
    digest.since_utc = *last_digest_;
    digest.max_items = config_.notify.digest_max_items;
    digest.more_uncounted = page->total - static_cast<std::int64_t>(page->items.size());
    std::set<std::int64_t> clusters;
    for (const Candidate& candidate : page->items) {
      // One line per story: later reports of a cluster already listed are left out.
      if (candidate.cluster_id != 0 && !clusters.insert(candidate.cluster_id).second) {
        continue;
      }
      auto name = names_.find(candidate.source_id);
      digest.entries.push_back(DigestEntry{
          .candidate_id = candidate.id,
          .title = candidate.edited_title.empty() ? candidate.title : candidate.edited_title,
          .source_id = candidate.source_id,
          .source_name = name != names_.end() ? name->second : std::string(),
          .published_at = candidate.published_at,
          .url = candidate.url,
          .matched = candidate.matched_terms,
          .also_reported = static_cast<int>(candidate.also_reported_by.size()),
      });
    }
    // Recorded before sending: a crash between the two loses this digest rather than
    // sending it twice; failed sends are retried from memory.
    if (!persist_digest_cutoff(now_utc, now_utc)) {
      return;
    }
    if (digest.entries.empty() && digest.more_uncounted <= 0) {
      spdlog::info("notify: digest: no new candidates since {}, nothing sent",
                   format_iso8601(digest.since_utc, context_.zone));
      return;
    }
    spdlog::info("notify: digest of {} new candidates queued",
                 static_cast<std::int64_t>(digest.entries.size()) + digest.more_uncounted);
    enqueue(std::make_shared<const Notification>(std::move(digest)), now_utc);
  }

  bool persist_digest_cutoff(std::int64_t cutoff, std::int64_t now_utc) {
    auto saved = store_->set_state(std::string(kLastDigestKey), std::to_string(cutoff), now_utc);
    if (!saved) {
      spdlog::warn("notify: cannot record the digest time, trying again: {}",
                   saved.error().message);
      digest_retry_at_ = now_utc + kStorageRetrySeconds;
      return false;
    }
    last_digest_ = cutoff;
    return true;
  }

  void check_health(std::int64_t now_utc) {
    auto rows = store_->source_health(now_utc);
    if (!rows) {
      spdlog::warn("notify: cannot read source health: {}", rows.error().message);
      return;
    }
    AlertBatch batch;
    for (const SourceHealth& health : *rows) {
      if (!watched_.contains(health.source_id)) {
        continue;
      }
      const std::string key = source_alert_key(health.source_id);
      auto known = alerted_.find(health.source_id);
      if (known == alerted_.end()) {
        auto stored = store_->state(key);
        if (!stored) {
          spdlog::warn("notify: source={} cannot read its alert state: {}", health.source_id,
                       stored.error().message);
          continue;
        }
        known = alerted_.emplace(health.source_id, *stored && **stored == "unhealthy").first;
      }
      const AlertVerdict verdict = alert_verdict(health);
      if (verdict.unhealthy == known->second) {
        continue;
      }
      // Recorded before sending, so that a restart does not alert again.
      if (auto saved = store_->set_state(key, verdict.unhealthy ? "unhealthy" : "ok", now_utc);
          !saved) {
        spdlog::warn("notify: source={} cannot record its alert state: {}", health.source_id,
                     saved.error().message);
        continue;
      }
      known->second = verdict.unhealthy;
      auto name = names_.find(health.source_id);
      batch.alerts.push_back(SourceAlert{
          .kind = verdict.unhealthy ? AlertKind::kUnhealthy : AlertKind::kRecovered,
          .source_id = health.source_id,
          .source_name = name != names_.end() ? name->second : std::string(),
          .state = verdict.state,
          // A recovered source's "reason" only restates that it is fine.
          .reason = verdict.unhealthy ? verdict.reason : std::string(),
      });
      spdlog::info("notify: source={} {}", health.source_id,
                   verdict.unhealthy ? "became unhealthy: alert queued" : "recovered: alert queued");
    }
    if (!batch.alerts.empty()) {
      enqueue(std::make_shared<const Notification>(std::move(batch)), now_utc);
    }
  }

  void enqueue(const std::shared_ptr<const Notification>& note, std::int64_t now_utc) {
    const bool is_digest = std::holds_alternative<Digest>(*note);
    for (std::size_t i = 0; i < channels_.size(); ++i) {
      if (is_digest ? !channels_[i].digest : !channels_[i].alerts) {
        continue;
      }
      if (outbox_.size() >= options_.max_queued) {
        const Delivery& oldest = outbox_.front();
        spdlog::error("notify: {} to {} dropped undelivered: too many messages waiting",
                      notification_event(*oldest.note), channels_[oldest.channel].name);
        outbox_.pop_front();
      }
      outbox_.push_back(Delivery{.channel = i,
                                 .note = note,
                                 .message_id = channels_[i].webhook
                                                   ? std::string()
                                                   : new_message_id(config_.notify.email->from),
                                 .attempts = 0,
                                 .next_at = now_utc});
    }
  }

  Result<void> send(const Delivery& delivery, std::int64_t now_utc,
                    const std::atomic<bool>& stop) {
    const Channel& channel = channels_[delivery.channel];
    if (channel.webhook) {
      const WebhookTarget& target = config_.notify.webhooks[*channel.webhook];
      return post_webhook(target, webhook_body(*delivery.note, target.format, context_),
                          SendLimits{.timeout = options_.webhook_timeout,
                                     .connect_timeout = std::min(options_.webhook_timeout,
                                                                 std::chrono::milliseconds(5000)),
                                     .cancel = &stop});
    }
    const EmailTarget& target = *config_.notify.email;
    const std::string message = build_email(email_content(*delivery.note, context_), target,
                                            now_utc, context_.zone, delivery.message_id);
    return send_mail(target, message,
                     SendLimits{.timeout = options_.smtp_timeout,
                                .connect_timeout = std::min(options_.smtp_timeout,
                                                            std::chrono::milliseconds(10'000)),
                                .cancel = &stop});
  }

  void deliver(std::int64_t now_utc, const std::atomic<bool>& stop) {
    // A channel that failed in this round is not tried again in it: its other messages
    // would only wait out the same timeout and hold up the channels after it.
    std::set<std::size_t> failed_now;
    for (auto it = outbox_.begin(); it != outbox_.end();) {
      if (stop.load()) {
        return;
      }
      Delivery& delivery = *it;
      // A wall clock stepped back must not park a retry for longer than the backoff allows.
      if (delivery.next_at > now_utc + options_.max_retry.count()) {
        delivery.next_at = now_utc;
      }
      if (delivery.next_at > now_utc || failed_now.contains(delivery.channel)) {
        ++it;
        continue;
      }
      const Channel& channel = channels_[delivery.channel];
      const std::string_view event = notification_event(*delivery.note);
      auto sent = send(delivery, now_utc, stop);
      if (sent) {
        spdlog::info("notify: {} delivered to {}", event, channel.name);
        it = outbox_.erase(it);
        continue;
      }
      if (sent.error().code == ErrorCode::kCancelled) {
        return;  // stopping: neither a failure nor an attempt
      }
      failed_now.insert(delivery.channel);
      ++delivery.attempts;
      if (!sent.error().retryable || delivery.attempts >= options_.max_attempts) {
        spdlog::error("notify: {} to {} dropped after {} attempt{}: {}", event, channel.name,
                      delivery.attempts, delivery.attempts == 1 ? "" : "s",
                      sent.error().message);
        it = outbox_.erase(it);
        continue;
      }
      const std::int64_t delay = std::min<std::int64_t>(
          options_.first_retry.count() << std::min(delivery.attempts - 1, 20),
          options_.max_retry.count());
      delivery.next_at = now_utc + delay;
      spdlog::warn("notify: {} to {} failed (attempt {}/{}), next try in {} s: {}", event,
                   channel.name, delivery.attempts, options_.max_attempts, delay,
                   sent.error().message);
      ++it;
    }
  }

  HeraldConfig config_;
  NotifyOptions options_;
  MessageContext context_{};
  std::vector<Channel> channels_{};
  std::map<std::string, std::string> names_{};  // source id -> name
  std::set<std::string> watched_{};             // sources that can be alerted about
  std::unique_ptr<Store> store_{};
  bool store_error_logged_ = false;
  std::optional<std::int64_t> last_digest_{};   // cached kLastDigestKey
  std::int64_t digest_retry_at_ = 0;            // after a database error: not before
  std::optional<std::int64_t> last_health_check_{};
  std::map<std::string, bool> alerted_{};       // cached source_alert_key: alerted unhealthy
  std::deque<Delivery> outbox_{};
};

}  // namespace

AlertVerdict alert_verdict(const SourceHealth& health) {
  return AlertVerdict{.unhealthy = is_unhealthy(health.state),
                      .state = std::string(health_state_name(health.state)),
                      .reason = health.reason};
}

std::string source_alert_key(std::string_view source_id) {
  return fmt::format("notify.source.{}", source_id);
}

std::unique_ptr<PeriodicTask> make_notify_task(const Loaded& loaded) {
  return make_notify_task(loaded, NotifyOptions{});
}

std::unique_ptr<PeriodicTask> make_notify_task(const Loaded& loaded,
                                               const NotifyOptions& options) {
  const NotifySettings& notify = loaded.config.notify;
  if (notify.webhooks.empty() && !notify.email) {
    return nullptr;
  }
  if (!notify.digest_at && !notify.alerts) {
    return nullptr;
  }
  return std::make_unique<NotifyTask>(loaded, options);
}

}  // namespace herald
