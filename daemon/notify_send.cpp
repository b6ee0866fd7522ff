#include "daemon/notify_send.h"

#include <algorithm>
#include <array>
#include <cstring>

#include <curl/curl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/curl_handles.h"
#include "common/text.h"
#include "daemon/notify_message.h"

namespace herald {

namespace {

// A chat service's answer is a few hundred bytes; anything longer is not read.
constexpr std::size_t kMaxAnswerBytes = 64 * 1024;
constexpr std::size_t kQuotedAnswerBytes = 200;

struct Exchange {
  std::string answer{};
  std::string_view upload{};       // SMTP: the message, sent through the read callback
  std::size_t uploaded = 0;
  const std::atomic<bool>* cancel = nullptr;
};

extern "C" std::size_t write_answer(char* data, std::size_t size, std::size_t count,
                                    void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const std::size_t bytes = size * count;
  const std::size_t room = kMaxAnswerBytes - std::min(kMaxAnswerBytes, exchange->answer.size());
  exchange->answer.append(data, std::min(bytes, room));
  return bytes;
}

extern "C" std::size_t read_upload(char* buffer, std::size_t size, std::size_t count,
                                   void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const std::size_t n =
      std::min(size * count, exchange->upload.size() - exchange->uploaded);
  std::memcpy(buffer, exchange->upload.data() + exchange->uploaded, n);
  exchange->uploaded += n;
  return n;
}

extern "C" int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* exchange = static_cast<const Exchange*>(user);
  return exchange->cancel != nullptr && exchange->cancel->load() ? 1 : 0;
}

// libcurl's message for a failed transfer, with the URL taken out wherever it might have
// been quoted (it carries the chat service's key).
std::string curl_reason(CURLcode code, const char* error_buffer, const std::string& url) {
  std::string reason = error_buffer != nullptr && error_buffer[0] != '\0'
                           ? std::string(error_buffer)
                           : std::string(curl_easy_strerror(code));
  for (std::size_t pos = reason.find(url); !url.empty() && pos != std::string::npos;
       pos = reason.find(url)) {
    reason.replace(pos, url.size(), "(url)");
  }
  return clean_text(reason, 300);
}

Error transport_error(std::string_view what, CURLcode code, const std::string& reason,
                      const SendLimits& limits) {
  switch (code) {
    case CURLE_ABORTED_BY_CALLBACK:
      return Error{ErrorCode::kCancelled, fmt::format("{}: abandoned: herald is stopping", what),
                   true};
    case CURLE_OPERATION_TIMEDOUT:
      return Error{ErrorCode::kTimeout,
                   fmt::format("{}: no answer within {} ms ({})", what, limits.timeout.count(),
                               reason),
                   true};
    case CURLE_COULDNT_CONNECT:
      return Error{ErrorCode::kRefused, fmt::format("{}: could not connect ({})", what, reason),
                   true};
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return Error{ErrorCode::kDns, fmt::format("{}: host name did not resolve ({})", what, reason),
                   true};
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
      return Error{ErrorCode::kTls, fmt::format("{}: TLS failed ({})", what, reason), true};
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Error{ErrorCode::kConfig,
                   fmt::format("{}: the configured URL is not usable ({}); check it in "
                               "herald.toml",
                               what, reason),
                   false};
    default:
      return Error{ErrorCode::kNetwork, fmt::format("{}: {}", what, reason), true};
  }
}

// What the answer's body says, for the services that answer 200 to a refused message.
Result<void> check_answer(const WebhookTarget& target, long status, const std::string& answer) {
  const std::string what = fmt::format("webhook '{}'", target.name);
  const std::string quoted = clean_text(answer, kQuotedAnswerBytes);
  if (status == 429) {
    return fail(ErrorCode::kRateLimited,
                fmt::format("{}: HTTP 429, the service is rate limiting herald", what), true);
  }
  if (status >= 500) {
    return fail(ErrorCode::kHttp5xx, fmt::format("{}: HTTP {}: {}", what, status, quoted), true);
  }
  if (status >= 400) {
    return fail(ErrorCode::kHttp4xx,
                fmt::format("{}: HTTP {}: {}; check the webhook's URL and format in herald.toml",
                            what, status, quoted),
                status == 408);
  }
  if (status < 200 || status >= 300) {
    return fail(ErrorCode::kNetwork, fmt::format("{}: unexpected HTTP {}", what, status), true);
  }
  switch (target.format) {
    case WebhookFormat::kGeneric:
      return {};
    case WebhookFormat::kSlack: {
      std::string trimmed = collapse_whitespace(answer);
      if (trimmed == "ok") {
        return {};
      }
      return fail(ErrorCode::kNetwork,
                  fmt::format("{}: Slack did not answer \"ok\": {}", what, quoted), true);
    }
    case WebhookFormat::kWeCom:
    case WebhookFormat::kDingTalk:
    case WebhookFormat::kFeishu:
      break;
  }
  const auto json = nlohmann::json::parse(answer, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return fail(ErrorCode::kNetwork,
                fmt::format("{}: the answer is not the service's JSON: {}", what, quoted), true);
  }
  const char* code_key = target.format == WebhookFormat::kFeishu ? "code" : "errcode";
  const char* message_key = target.format == WebhookFormat::kFeishu ? "msg" : "errmsg";
  auto code_it = json.find(code_key);
  if (code_it == json.end() && target.format == WebhookFormat::kFeishu) {
    code_it = json.find("StatusCode");  // Feishu's older answer
  }
  if (code_it == json.end() || !code_it->is_number_integer()) {
    return fail(ErrorCode::kNetwork,
                fmt::format("{}: the answer has no \"{}\": {}", what, code_key, quoted), true);
  }
  const auto code = code_it->get<std::int64_t>();
  if (code == 0) {
    return {};
  }
  std::string message;
  if (auto it = json.find(message_key); it != json.end() && it->is_string()) {
    message = clean_text(it->get<std::string>(), kQuotedAnswerBytes);
  }
  // Rate limits and transient faults pass; a refused message (bad key, bad format,
  // keyword check) would fail again, but is retried all the same: the answer codes are
  // not documented stably enough to tell them apart safely.
  return fail(ErrorCode::kNetwork,
              fmt::format("{}: the service refused the message ({} {}: {})", what, code_key,
                          code, message),
              true);
}

// Applies the options common to both kinds of exchange. False when libcurl refused one.
bool common_options(CURL* curl, const std::string& url, const SendLimits& limits,
                    Exchange& exchange, std::array<char, CURL_ERROR_SIZE>& error_buffer) {
  CURLcode setup = CURLE_OK;
  auto set = [&](CURLoption option, auto value) {
    if (setup == CURLE_OK) {
      setup = curl_easy_setopt(curl, option, value);
    }
  };
  const auto timeout = std::max<long>(static_cast<long>(limits.timeout.count()), 1);
  const auto connect =
      std::max<long>(std::min<long>(static_cast<long>(limits.connect_timeout.count()), timeout), 1);
  set(CURLOPT_ERRORBUFFER, error_buffer.data());
  set(CURLOPT_URL, url.c_str());
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_TIMEOUT_MS, timeout);
  set(CURLOPT_CONNECTTIMEOUT_MS, connect);
  // As for fetching: proxies would come from herald.toml, never from *_proxy variables.
  set(CURLOPT_PROXY, "");
  set(CURLOPT_WRITEFUNCTION, &write_answer);
  set(CURLOPT_WRITEDATA, static_cast<void*>(&exchange));
  if (limits.cancel != nullptr) {
    set(CURLOPT_XFERINFOFUNCTION, &on_progress);
    set(CURLOPT_XFERINFODATA, static_cast<void*>(&exchange));
    set(CURLOPT_NOPROGRESS, 0L);
  }
  return setup == CURLE_OK;
}

}  // namespace

Result<void> post_webhook(const WebhookTarget& target, const std::string& body,
                          const SendLimits& limits) {
  const std::string what = fmt::format("webhook '{}'", target.name);
  if (!(target.url.starts_with("http://") || target.url.starts_with("https://"))) {
    return fail(ErrorCode::kConfig,
                fmt::format("{}: its url must start with https:// (or http://)", what));
  }
  const CurlEasy easy(curl_easy_init());
  if (!easy) {
    return fail(ErrorCode::kInternal, fmt::format("{}: curl_easy_init failed", what), true);
  }
  curl_slist* raw = curl_slist_append(nullptr, "Content-Type: application/json; charset=utf-8");
  const CurlHeaderList headers(raw);
  // No 100-continue round trip: some gateways never answer it.
  curl_slist* appended = raw != nullptr ? curl_slist_append(raw, "Expect:") : nullptr;
  if (appended == nullptr) {
    return fail(ErrorCode::kInternal, fmt::format("{}: out of memory", what), true);
  }

  Exchange exchange;
  exchange.cancel = limits.cancel;
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  CURL* curl = easy.get();
  bool ok = common_options(curl, target.url, limits, exchange, error_buffer);
  ok = ok && curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
  // A webhook that redirects is misconfigured; following would re-send the key elsewhere.
  ok = ok && curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
  ok = ok && curl_easy_setopt(curl, CURLOPT_USERAGENT, "herald") == CURLE_OK;
  ok = ok && curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get()) == CURLE_OK;
  ok = ok && curl_easy_setopt(curl, CURLOPT_POST, 1L) == CURLE_OK;
  ok = ok && curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                              static_cast<curl_off_t>(body.size())) == CURLE_OK;
  ok = ok && curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str()) == CURLE_OK;
  if (!ok) {
    return fail(ErrorCode::kInternal, fmt::format("{}: libcurl refused an option", what), true);
  }
  const CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) {
    return fail(transport_error(what, code, curl_reason(code, error_buffer.data(), target.url),
                                limits));
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  return check_answer(target, status, exchange.answer);
}

Result<void> send_mail(const EmailTarget& target, const std::string& message,
                       const SendLimits& limits) {
  const std::string what = "e-mail";
  if (!(target.smtp_url.starts_with("smtp://") || target.smtp_url.starts_with("smtps://"))) {
    return fail(ErrorCode::kConfig,
                "e-mail: [notify.email] smtp_url must start with smtp:// or smtps://");
  }
  const auto from = mail_address(target.from);
  if (!from) {
    return fail(ErrorCode::kConfig,
                "e-mail: [notify.email] from is not one address (write \"herald@example.org\" "
                "or \"herald <herald@example.org>\")");
  }
  CurlHeaderList recipients;
  for (const std::string& to : target.to) {
    const auto address = mail_address(to);
    if (!address) {
      return fail(ErrorCode::kConfig,
                  fmt::format("e-mail: [notify.email] to has an entry that is not one address: "
                              "'{}'",
                              clean_text(to, 100)));
    }
    // Appending returns the list's head: the first call's result becomes the owner.
    curl_slist* head =
        curl_slist_append(recipients.get(), fmt::format("<{}>", *address).c_str());
    if (head == nullptr) {
      return fail(ErrorCode::kInternal, "e-mail: out of memory", true);
    }
    if (!recipients) {
      recipients.reset(head);
    }
  }
  if (!recipients) {
    return fail(ErrorCode::kConfig, "e-mail: [notify.email] to lists no recipient");
  }
  const CurlEasy easy(curl_easy_init());
  if (!easy) {
    return fail(ErrorCode::kInternal, "e-mail: curl_easy_init failed", true);
  }
  Exchange exchange;
  exchange.cancel = limits.cancel;
  exchange.upload = message;
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  CURL* curl = easy.get();
  const std::string mail_from = fmt::format("<{}>", *from);
  bool ok = common_options(curl, target.smtp_url, limits, exchange, error_buffer);
  ok = ok && curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps") == CURLE_OK;
  ok = ok && curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from.c_str()) == CURLE_OK;
  ok = ok && curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients.get()) == CURLE_OK;
  ok = ok && curl_easy_setopt(curl, CURLOPT_READFUNCTION, &read_upload) == CURLE_OK;
  ok = ok && curl_easy_setopt(curl, CURLOPT_READDATA, static_cast<void*>(&exchange)) == CURLE_OK;
  ok = ok && curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L) == CURLE_OK;
  ok = ok && curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
                              static_cast<curl_off_t>(message.size())) == CURLE_OK;
  // ALL: an smtp:// server that does not offer STARTTLS is refused (the password and the
  // message would cross the network in clear). TRY: STARTTLS when offered, for a relay on
  // the same machine.
  ok = ok && curl_easy_setopt(curl, CURLOPT_USE_SSL,
                              static_cast<long>(target.require_tls ? CURLUSESSL_ALL
                                                                   : CURLUSESSL_TRY)) == CURLE_OK;
  if (!target.username.empty()) {
    ok = ok && curl_easy_setopt(curl, CURLOPT_USERNAME, target.username.c_str()) == CURLE_OK;
    ok = ok && curl_easy_setopt(curl, CURLOPT_PASSWORD, target.password.c_str()) == CURLE_OK;
  }
  if (!ok) {
    return fail(ErrorCode::kInternal, "e-mail: libcurl refused an option", true);
  }
  const CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK) {
    return {};
  }
  const std::string reason = curl_reason(code, error_buffer.data(), target.smtp_url);
  if (code == CURLE_LOGIN_DENIED) {
    return fail(ErrorCode::kConfig,
                fmt::format("e-mail: the SMTP server refused the user name or password ({}); "
                            "check [notify.email] username and password",
                            reason));
  }
  if (code == CURLE_USE_SSL_FAILED) {
    return fail(ErrorCode::kTls,
                fmt::format("e-mail: the SMTP server does not offer STARTTLS ({}); use "
                            "smtps://, or require_tls = false only for a relay on this machine",
                            reason));
  }
  return fail(transport_error(what, code, reason, limits));
}

}  // namespace herald
