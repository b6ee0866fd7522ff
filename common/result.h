#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace herald {

// The closed set of ways a stage can fail. The scheduler, the health view and the
// per-poll outcome column act on these; their names (error_code_name) are part of
// herald's interface (logs, `sources status`, JSON).
enum class ErrorCode {
  kConfig,           // bad TOML or a bad value in it; the message carries file:line
  kUsage,            // bad command-line use
  kNotFound,         // no such source, item, file
  kTimeout,          // connect, low-speed or total timeout
  kRefused,          // connection refused or reset before a response
  kDns,              // the host name did not resolve
  kTls,              // certificate or handshake failure
  kNetwork,          // any other transport failure (partial body, protocol error)
  kHttp4xx,          // the server answered 4xx (other than 429)
  kHttp5xx,          // the server answered 5xx (other than 503 with Retry-After)
  kRateLimited,      // 429, or 503 with Retry-After
  kTooLarge,         // the body passed the byte cap (raw or decoded)
  kRedirectLimit,    // more redirects than allowed
  kBlockedRedirect,  // a redirect to a scheme or address herald refuses
  kRobotsDisallow,   // the site's robots.txt (or its being unreachable) forbids the URL
  kDecode,           // bytes that cannot be made into text
  kParse,            // markup unusable even in recovery mode
  kParseLimit,       // the page passed a parser safety limit (tags, depth, bytes)
  kFeedInvalid,      // not a usable RSS/Atom document
  kNoMatch,          // the item selector matched nothing: the layout probably changed
  kStorage,          // SQLite error
  kDbFull,           // SQLITE_FULL: the disk is full
  kCancelled,        // herald is shutting down and abandoned the operation
  kInternal,         // a bug caught by the last-resort handler
};

// snake_case name used in logs, the database and JSON ("http_4xx", "no_match", ...).
std::string_view error_code_name(ErrorCode code);

struct Error {
  ErrorCode code{};
  std::string message{};   // for a person: what failed, where, and what to do about it
  bool retryable = false;  // transient: the scheduler backs off and tries again
};

template <typename T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(ErrorCode code, std::string message, bool retryable = false) {
  return tl::unexpected<Error>(Error{code, std::move(message), retryable});
}

inline tl::unexpected<Error> fail(Error error) { return tl::unexpected<Error>(std::move(error)); }

}  // namespace herald
