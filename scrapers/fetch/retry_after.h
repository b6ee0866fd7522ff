#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace herald {

// Retry-After is honoured within these bounds: a "0" or a date in the past still waits a
// second, and a hostile "Retry-After: 99999999" cannot park a source for years.
inline constexpr std::chrono::seconds kMinRetryAfter{1};
inline constexpr std::chrono::seconds kMaxRetryAfter{24 * 60 * 60};

// The wait a Retry-After header value asks for (RFC 9110 §10.2.3), clamped to
// [kMinRetryAfter, kMaxRetryAfter]. `value` is delay-seconds ("120") or an HTTP-date in any
// of the three RFC 9110 §5.6.7 forms (IMF-fixdate, obsolete RFC 850, asctime), which is
// taken relative to `now_utc_seconds` (the wall clock: the date is the server's wall time).
// nullopt when the value is neither. The caller adds the result to the *monotonic* clock.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::int64_t now_utc_seconds);

// Seconds since the Unix epoch of an HTTP-date (RFC 9110 §5.6.7, all three forms, GMT),
// nullopt when malformed.
std::optional<std::int64_t> parse_http_date(std::string_view value);

}  // namespace herald
