#pragma once

// What herald tells people (the digest of new candidates, source alerts) and how each
// channel wants it written. Pure functions: no I/O, no clock.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/timezone.h"
#include "config/herald_config.h"

namespace herald {

// One story in the digest. Every text field comes from a scraped page: untrusted.
struct DigestEntry {
  std::int64_t candidate_id = 0;
  std::string title{};
  std::string source_id{};
  std::string source_name{};       // from the source's configuration; empty: use source_id
  std::optional<std::int64_t> published_at{};
  std::string url{};
  std::vector<std::string> matched{};  // topic terms
  int also_reported = 0;           // other outlets of the same story in this digest
};

// A consultation whose comment deadline is near (docs/legal.md): the digest names it while
// the firm can still comment. Title and link come from a scraped page: untrusted.
struct DigestConsultation {
  std::int64_t candidate_id = 0;
  std::string title{};
  std::string url{};
  std::string deadline{};          // "YYYY-MM-DD" as the page printed it
  std::int64_t days_left = 0;      // from the desk's today; 0: closes today
};

// How far ahead the digest looks for closing consultations: today up to today + 7.
inline constexpr int kClosingConsultationDays = 7;
// Closing consultations listed in one digest; the rest are counted ("另有 N 项").
inline constexpr std::size_t kMaxClosingListed = 20;

struct Digest {
  std::int64_t since_utc = 0;      // candidates queued since this instant
  std::vector<DigestEntry> entries{};  // the stories, oldest first (all of them)
  int max_items = 50;              // listed; the rest become "另有 N 条"
  std::int64_t more_uncounted = 0; // stories past what the store returned, added to N
  // Open consultations closing within kClosingConsultationDays, soonest first (section
  // 「即将截止的征求意见」). A digest with only these still goes out: they are reminders.
  std::vector<DigestConsultation> closing{};
};

enum class AlertKind { kUnhealthy, kRecovered };

struct SourceAlert {
  AlertKind kind = AlertKind::kUnhealthy;
  std::string source_id{};
  std::string source_name{};
  std::string state{};             // health_state_name: "failing", "layout_changed", "ok", ...
  std::string reason{};            // for people; may quote a remote server's error: untrusted
};

// The alerts found by one health check, sent as one message so that a network outage
// breaking twenty sources makes one message, not twenty.
struct AlertBatch {
  std::vector<SourceAlert> alerts{};
};

// What every rendering needs besides the event itself.
struct MessageContext {
  TimeZone zone = TimeZone::utc();  // dates are shown in [schedule] timezone
  std::string web_origin{};         // [web] public_origin; empty: no links into the web UI
};

using Notification = std::variant<Digest, AlertBatch>;

// "digest" or "alert": the generic JSON's "event", and the word in logs.
std::string_view notification_event(const Notification& note);

// The request body for a webhook of `format`, within that service's size limit:
// stories are dropped from the end (and counted in "另有 N 条") until it fits.
std::string webhook_body(const Notification& note, WebhookFormat format,
                         const MessageContext& context);

// The byte limits webhook_body keeps to (exposed for tests).
inline constexpr std::size_t kWeComMarkdownMaxBytes = 4096;    // markdown.content
inline constexpr std::size_t kDingTalkTextMaxBytes = 15000;    // markdown.text (20 000 allowed)
inline constexpr std::size_t kFeishuBodyMaxBytes = 18000;      // whole request (20 KB allowed)
inline constexpr std::size_t kSlackTextMaxBytes = 38000;       // text (40 000 characters)
inline constexpr std::size_t kGenericBodyMaxBytes = 256 * 1024;

struct EmailContent {
  std::string subject{};           // UTF-8, one line
  std::string text{};              // UTF-8 plain text, "\n" line ends
};
EmailContent email_content(const Notification& note, const MessageContext& context);

// A complete RFC 5322 message: Date (in `zone`), From, To, Subject (RFC 2047 encoded
// words when not plain ASCII), Message-ID, MIME headers, text/plain UTF-8 body in base64;
// CRLF line ends, no line over 78 characters. `message_id` is "<...@...>".
std::string build_email(const EmailContent& content, const EmailTarget& target,
                        std::int64_t now_utc, const TimeZone& zone,
                        const std::string& message_id);

// The bare address of "Name <addr@host>" or "addr@host"; nullopt when it is not one
// address (empty, a line break, angle brackets or spaces where they cannot be).
std::optional<std::string> mail_address(std::string_view mailbox);

// Scraped text made safe to show: valid UTF-8, no control characters, whitespace
// collapsed, at most `max_bytes` (cut on a character boundary, with "…").
std::string clean_text(std::string_view text, std::size_t max_bytes);

// Standard base64 (RFC 4648) of `data`, one line.
std::string base64_encode(std::string_view data);

}  // namespace herald
