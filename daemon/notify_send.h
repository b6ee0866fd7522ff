#pragma once

// Delivery of one notification over libcurl: an HTTP POST to a webhook, or one message to
// an SMTP server. Each call blocks for at most its timeout. Neither the webhook URL (it
// holds the chat service's key) nor the SMTP password ever appears in an Error.

#include <atomic>
#include <chrono>
#include <string>

#include "common/result.h"
#include "config/herald_config.h"

namespace herald {

struct SendLimits {
  std::chrono::milliseconds timeout{10'000};         // the whole exchange
  std::chrono::milliseconds connect_timeout{5'000};
  // When set and it becomes true, the transfer is abandoned within about a second.
  const std::atomic<bool>* cancel = nullptr;
};

// POSTs `body` (JSON) to target.url and checks the answer the way the target's service
// reports success: 2xx for generic, "ok" for Slack, errcode 0 for WeCom and DingTalk,
// code 0 for Feishu (those three answer 200 even when they refuse a message).
// Errors: kTimeout, kRefused, kDns, kTls, kNetwork, kHttp5xx, kRateLimited (retryable);
// kHttp4xx and a refusal in the answer's body (retryable unless the service says the
// request itself is wrong); kCancelled; kConfig for a URL that is not http(s).
Result<void> post_webhook(const WebhookTarget& target, const std::string& body,
                          const SendLimits& limits);

// Sends `message` (a complete RFC 5322 message with CRLF line ends, see build_email) to
// every address in target.to. With require_tls an smtp:// server must offer STARTTLS.
// libcurl performs the SMTP dot-stuffing of lines that begin with ".".
// Errors: kConfig (a bad address or URL, or credentials the server refused: not
// retryable), kTls (also: no STARTTLS under require_tls), kTimeout, kRefused, kDns,
// kNetwork (the server refused a command; retryable), kCancelled.
Result<void> send_mail(const EmailTarget& target, const std::string& message,
                       const SendLimits& limits);

}  // namespace herald
