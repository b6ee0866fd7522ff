#include "daemon/notify.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/legal.h"
#include "daemon/context.h"
#include "daemon/notify_message.h"
#include "daemon/notify_send.h"

namespace herald {

namespace {

// More candidates than this in one day are counted, not read.
constexpr int kDigestReadLimit = 2000;
// Open consultations read for the digest's closing-soon section (soonest first; the section
// lists kMaxClosingListed and counts the rest).
constexpr int kConsultationReadLimit = 500;
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

std::string_view format_name(WebhookFormat format) {
  switch (format) {
    case WebhookFormat::kGeneric:
      return "generic";
    case WebhookFormat::kSlack:
      return "slack";
    case WebhookFormat::kWeCom:
      return "wecom";
    case WebhookFormat::kDingTalk:
      return "dingtalk";
    case WebhookFormat::kFeishu:
      return "feishu";
  }
  return "generic";
}

// One channel: a webhook (index into NotifySettings::webhooks) or the e-mail target.
struct Channel {
  std::optional<std::size_t> webhook{};  // nullopt: e-mail
  std::string id{};                      // the outbox's channel column: "webhook:<name>", "email"
  std::string name{};                    // for logs: "webhook 'editors'" or "e-mail"
  std::string format{};                  // what its messages are written for: format_name, "email"
  bool digest = true;
  bool alerts = true;
};

// How long delivered and dropped messages stay in the outbox: long past any retry, so a
// message enqueued again (same key) is recognised as already sent.
constexpr std::int64_t kOutboxKeepSeconds = 30 * 86400;
// How often finished rows are cleared out of the outbox.
constexpr std::int64_t kOutboxTidyEverySeconds = 3600;
// The most outbox rows one round reads; max_queued normally keeps it far lower.
constexpr int kOutboxReadLimit = 5000;

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
      std::string id = fmt::format("webhook:{}", hook.name);
      if (channel_index(id)) {
        id = fmt::format("webhook:{}#{}", hook.name, i);  // two webhooks of the same name
      }
      channels_.push_back(Channel{.webhook = i,
                                  .id = std::move(id),
                                  .name = fmt::format("webhook '{}'", hook.name),
                                  .format = std::string(format_name(hook.format)),
                                  .digest = hook.digest,
                                  .alerts = hook.alerts});
    }
    if (config_.notify.email) {
      channels_.push_back(Channel{.webhook = std::nullopt,
                                  .id = "email",
                                  .name = "e-mail",
                                  .format = "email",
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
    // Consultations closing within a week on the desk's calendar: deadlines are the dates the
    // regulator printed, so they are compared with the desk's today, never shifted.
    const std::string today = calendar_date(now_utc, context_.zone);
    const std::string until = add_days(today, kClosingConsultationDays);
    auto open = store_->open_consultations(today, kConsultationReadLimit);
    if (!open) {
      spdlog::warn("notify: cannot read open consultations for the digest, trying again: {}",
                   open.error().message);
      digest_retry_at_ = now_utc + kStorageRetrySeconds;
      return;
    }
    std::set<std::int64_t> consultation_clusters;
    for (const Candidate& candidate : *open) {
      const std::string& deadline = candidate.legal.value(LegalField::kCommentDeadline);
      if (deadline > until) {
        break;  // soonest first: the rest close later
      }
      // One line per consultation: another outlet's report of it is left out.
      if (candidate.cluster_id != 0 &&
          !consultation_clusters.insert(candidate.cluster_id).second) {
        continue;
      }
      digest.closing.push_back(DigestConsultation{
          .candidate_id = candidate.id,
          .title = candidate.edited_title.empty() ? candidate.title : candidate.edited_title,
          .url = candidate.url,
          .deadline = deadline,
          .days_left = days_between(today, deadline),
      });
    }
    if (digest.entries.empty() && digest.more_uncounted <= 0 && digest.closing.empty()) {
      if (persist_digest_cutoff(now_utc, now_utc)) {
        spdlog::info("notify: digest: no new candidates since {}, nothing sent",
                     format_iso8601(digest.since_utc, context_.zone));
      }
      return;
    }
    const std::int64_t count =
        static_cast<std::int64_t>(digest.entries.size()) + digest.more_uncounted;
    const std::size_t closing = digest.closing.size();
    // The digest time moves on in the same transaction that puts the digest in the outbox:
    // either both happen or neither does, so a digest is never lost (and never made twice).
    const Notification note(std::move(digest));
    const std::string key = fmt::format("digest:{}:{}", *last_digest_, now_utc);
    auto queued = enqueue_with_state(note, key, {{std::string(kLastDigestKey),
                                                  std::to_string(now_utc)}},
                                     now_utc);
    if (!queued) {
      spdlog::warn("notify: cannot record the digest in the outbox, trying again: {}",
                   queued.error().message);
      digest_retry_at_ = now_utc + kStorageRetrySeconds;
      return;
    }
    last_digest_ = now_utc;
    spdlog::info("notify: digest of {} new candidates and {} closing consultations queued", count,
                 closing);
  }

  // Records `states` (service_state key -> value) and puts one message per interested
  // channel into the outbox, in one transaction.
  Result<void> enqueue_with_state(const Notification& note, const std::string& key,
                                  const std::vector<std::pair<std::string, std::string>>& states,
                                  std::int64_t now_utc) {
    auto tx = Transaction::begin(store_->database());
    if (!tx) {
      return fail(std::move(tx.error()));
    }
    for (const auto& [state_key, value] : states) {
      if (auto saved = store_->set_state(state_key, value, now_utc); !saved) {
        return saved;
      }
    }
    const bool is_digest = std::holds_alternative<Digest>(note);
    for (const Channel& channel : channels_) {
      if (is_digest ? !channel.digest : !channel.alerts) {
        continue;
      }
      OutboxMessage message{.key = key,
                            .channel = channel.id,
                            .event = std::string(notification_event(note)),
                            .format = channel.format,
                            .created_at = now_utc,
                            .next_at = now_utc};
      if (channel.webhook) {
        message.body =
            webhook_body(note, config_.notify.webhooks[*channel.webhook].format, context_);
      } else {
        EmailContent content = email_content(note, context_);
        message.subject = std::move(content.subject);
        message.body = std::move(content.text);
        message.message_id = new_message_id(config_.notify.email->from);
      }
      auto inserted = store_->enqueue_notification(message);
      if (!inserted) {
        return fail(std::move(inserted.error()));
      }
      if (!*inserted) {
        spdlog::info("notify: {} {} to {} is in the outbox already", message.event, key,
                     channel.name);
      }
    }
    return tx->commit();
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
    std::vector<std::pair<std::string, bool>> changed;  // source id, now unhealthy
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
      changed.emplace_back(health.source_id, verdict.unhealthy);
      auto name = names_.find(health.source_id);
      batch.alerts.push_back(SourceAlert{
          .kind = verdict.unhealthy ? AlertKind::kUnhealthy : AlertKind::kRecovered,
          .source_id = health.source_id,
          .source_name = name != names_.end() ? name->second : std::string(),
          .state = verdict.state,
          // A recovered source's "reason" only restates that it is fine.
          .reason = verdict.unhealthy ? verdict.reason : std::string(),
      });
    }
    if (batch.alerts.empty()) {
      return;
    }
    // The sources' alert states and the alert itself are written in one transaction: a
    // restart neither alerts again nor forgets an alert that was never delivered.
    std::vector<std::pair<std::string, std::string>> states;
    std::string key = fmt::format("alert:{}", now_utc);
    for (const auto& [source_id, unhealthy] : changed) {
      states.emplace_back(source_alert_key(source_id), unhealthy ? "unhealthy" : "ok");
      key += fmt::format(":{}={}", source_id, unhealthy ? "unhealthy" : "ok");
    }
    auto queued = enqueue_with_state(Notification(std::move(batch)), key, states, now_utc);
    if (!queued) {
      spdlog::warn("notify: cannot record source alerts, trying at the next check: {}",
                   queued.error().message);
      return;
    }
    for (const auto& [source_id, unhealthy] : changed) {
      alerted_[source_id] = unhealthy;
      spdlog::info("notify: source={} {}", source_id,
                   unhealthy ? "became unhealthy: alert queued" : "recovered: alert queued");
    }
  }

  std::optional<std::size_t> channel_index(std::string_view id) const {
    for (std::size_t i = 0; i < channels_.size(); ++i) {
      if (channels_[i].id == id) {
        return i;
      }
    }
    return std::nullopt;
  }

  Result<void> send(const Channel& channel, const OutboxMessage& message, std::int64_t now_utc,
                    const std::atomic<bool>& stop) {
    if (channel.webhook) {
      const WebhookTarget& target = config_.notify.webhooks[*channel.webhook];
      return post_webhook(target, message.body,
                          SendLimits{.timeout = options_.webhook_timeout,
                                     .connect_timeout = std::min(options_.webhook_timeout,
                                                                 std::chrono::milliseconds(5000)),
                                     .cancel = &stop});
    }
    const EmailTarget& target = *config_.notify.email;
    const std::string mail =
        build_email(EmailContent{.subject = message.subject, .text = message.body}, target,
                    now_utc, context_.zone, message.message_id);
    return send_mail(target, mail,
                     SendLimits{.timeout = options_.smtp_timeout,
                                .connect_timeout = std::min(options_.smtp_timeout,
                                                            std::chrono::milliseconds(10'000)),
                                .cancel = &stop});
  }

  // Gives up on a message; the row stays (dropped) so the same message is not queued again.
  void drop(const OutboxMessage& message, int attempts, std::int64_t now_utc,
            const std::string& why) {
    if (auto dropped = store_->drop_notification(message.id, attempts, now_utc, why); !dropped) {
      spdlog::warn("notify: cannot record that {} to {} was dropped: {}", message.event,
                   message.channel, dropped.error().message);
    }
  }

  void deliver(std::int64_t now_utc, const std::atomic<bool>& stop) {
    if (!last_tidy_ || now_utc - *last_tidy_ >= kOutboxTidyEverySeconds || now_utc < *last_tidy_) {
      last_tidy_ = now_utc;
      if (auto forgotten = store_->forget_finished_notifications(now_utc - kOutboxKeepSeconds);
          !forgotten) {
        spdlog::warn("notify: cannot clear old rows from the outbox: {}",
                     forgotten.error().message);
      }
    }
    auto pending = store_->pending_notifications(kOutboxReadLimit);
    if (!pending) {
      spdlog::warn("notify: cannot read the outbox, trying again: {}", pending.error().message);
      return;
    }
    // Too many undelivered messages (a channel down for days): the oldest go first.
    std::size_t skip = 0;
    if (pending->size() > options_.max_queued) {
      skip = pending->size() - options_.max_queued;
      for (std::size_t i = 0; i < skip; ++i) {
        const OutboxMessage& oldest = (*pending)[i];
        spdlog::error("notify: {} to {} dropped undelivered: too many messages waiting",
                      oldest.event, channel_label(oldest.channel));
        drop(oldest, oldest.attempts, now_utc, "too many messages waiting");
      }
    }
    // A channel that failed in this round is not tried again in it: its other messages
    // would only wait out the same timeout and hold up the channels after it.
    std::set<std::size_t> failed_now;
    for (std::size_t i = skip; i < pending->size(); ++i) {
      if (stop.load()) {
        return;
      }
      const OutboxMessage& message = (*pending)[i];
      // A wall clock stepped back must not park a retry for longer than the backoff allows.
      const bool due = message.next_at <= now_utc ||
                       message.next_at > now_utc + options_.max_retry.count();
      if (!due) {
        continue;
      }
      const auto index = channel_index(message.channel);
      if (!index) {
        spdlog::error("notify: {} to {} dropped: that channel is no longer configured",
                      message.event, channel_label(message.channel));
        drop(message, message.attempts, now_utc, "channel no longer configured");
        continue;
      }
      const Channel& channel = channels_[*index];
      if (failed_now.contains(*index)) {
        continue;
      }
      if (channel.format != message.format) {
        // The body was written for the old format; the service would refuse or garble it.
        spdlog::error("notify: {} to {} dropped: its format changed from {} to {} since the "
                      "message was written",
                      message.event, channel.name, message.format, channel.format);
        drop(message, message.attempts, now_utc, "channel format changed");
        continue;
      }
      auto sent = send(channel, message, now_utc, stop);
      if (sent) {
        spdlog::info("notify: {} delivered to {}", message.event, channel.name);
        if (auto marked = store_->mark_notification_delivered(message.id, now_utc); !marked) {
          // At least once: the next round sends it again rather than risk losing it.
          spdlog::warn("notify: {} to {} was delivered but could not be recorded as such, "
                       "so it may be sent again: {}",
                       message.event, channel.name, marked.error().message);
        }
        continue;
      }
      if (sent.error().code == ErrorCode::kCancelled) {
        return;  // stopping: neither a failure nor an attempt
      }
      failed_now.insert(*index);
      const int attempts = message.attempts + 1;
      if (!sent.error().retryable || attempts >= options_.max_attempts) {
        spdlog::error("notify: {} to {} dropped after {} attempt{}: {}", message.event,
                      channel.name, attempts, attempts == 1 ? "" : "s", sent.error().message);
        drop(message, attempts, now_utc, sent.error().message);
        continue;
      }
      const std::int64_t delay = std::min<std::int64_t>(
          options_.first_retry.count() << std::min(attempts - 1, 20),
          options_.max_retry.count());
      if (auto marked = store_->mark_notification_failed(message.id, attempts, now_utc + delay,
                                                         sent.error().message);
          !marked) {
        spdlog::warn("notify: cannot record the failed attempt of {} to {}: {}", message.event,
                     channel.name, marked.error().message);
      }
      spdlog::warn("notify: {} to {} failed (attempt {}/{}), next try in {} s: {}",
                   message.event, channel.name, attempts, options_.max_attempts, delay,
                   sent.error().message);
    }
  }

  // For logs: the channel's name as configured now, or the outbox's id for one that is gone.
  std::string channel_label(const std::string& id) const {
    const auto index = channel_index(id);
    return index ? channels_[*index].name : id;
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
  std::optional<std::int64_t> last_tidy_{};     // when finished outbox rows were last cleared
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
