#pragma once

// The request checks and response headers of RELIABILITY.md §3.1, kept free of routing
// so each can be tested on its own.

#include <array>
#include <chrono>
#include <cstdint>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <httplib.h>

#include "common/result.h"
#include "config/herald_config.h"

namespace herald::web {

// Who the server is, as browsers address it.
struct OriginPolicy {
  std::vector<std::string> hosts{};    // acceptable Host header values, lower case
  std::vector<std::string> origins{};  // acceptable Origin values ("http://127.0.0.1:8080")
  bool secure_cookies = false;         // public_origin is https
};

// 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(std::string_view host);

// kConfig unless listen_host is loopback or public_origin is an https origin, and unless
// public_origin (when set) is a bare scheme://host[:port] origin.
Result<void> check_listen_settings(const WebSettings& settings);

// The hosts and origins of the listen address (its loopback aliases too) and public_origin.
OriginPolicy make_origin_policy(const WebSettings& settings, int bound_port);

// The Host header names this server (DNS rebinding defence).
bool host_allowed(const OriginPolicy& policy, const httplib::Request& request);

// A state-changing request came from one of our own pages: Sec-Fetch-Site is same-origin
// or none (and a non-null Origin, if sent, is ours); without Fetch Metadata, Origin (or
// else Referer) must be one of our origins.
bool same_origin_request(const OriginPolicy& policy, const httplib::Request& request);

// Headers sent on every response, error pages included.
httplib::Headers security_headers();

// 32 random bytes (libsodium) as 64 lower-case hex digits.
std::string random_token();

// Comparison whose time does not depend on where the strings differ.
bool constant_time_equal(std::string_view a, std::string_view b);

// The value of cookie `name` in the request's Cookie header.
std::optional<std::string> cookie_value(const httplib::Request& request, std::string_view name);

// True for absolute http:// and https:// URLs without control characters or spaces: the
// only links the UI renders as <a href>. Everything else is shown as text.
bool is_safe_link(std::string_view url);

// An address or a CIDR block ("10.0.0.0/8", "::1", "fd00::/8"), as [web] trusted_proxies
// lists them.
struct Network {
  std::array<unsigned char, 16> bytes{};  // IPv4 in the first 4
  bool v6 = false;
  int prefix = 0;                         // leading bits that must match
};

// nullopt unless `text` is an IPv4 or IPv6 address with an optional /prefix. IPv4-mapped
// IPv6 ("::ffff:10.0.0.1") is read as the IPv4 address.
std::optional<Network> parse_network(std::string_view text);

// The address in canonical text (inet_ntop), or nullopt when `text` is not an address.
std::optional<std::string> canonical_address(std::string_view text);

bool network_contains(const Network& network, std::string_view address);

// Who sent the request. `remote_addr` unless it is one of `trusted_proxies`: then the
// X-Forwarded-For hops (all such headers, in order) are read from the right, skipping
// trusted proxies, and the first untrusted hop is the client. A hop that is not an address
// means the proxy cannot be believed: the remote address is used. Never request text that
// is not an address, so it is safe as a key and in a log line.
std::string client_address(const std::vector<Network>& trusted_proxies,
                           const httplib::Request& request);

// A user name as it may appear in one log line: control characters, quotes and
// backslashes replaced, at most 64 bytes, in double quotes.
std::string quoted_for_log(std::string_view name);

// How failed logins slow down guessing (docs/service.md "Web sign-in").
struct LoginPolicy {
  // Failures a user name may have in `window` before each further one doubles its delay.
  // The delay holds back only client addresses that have failed logins themselves: an
  // address that has been behaving is never refused a correct password.
  int name_failures_free = 5;
  // The looser, second limit: failures from one client address, whatever the names
  // (unknown names count only here), before that address is delayed.
  int address_failures_free = 20;
  std::chrono::seconds first_delay{1};
  std::chrono::seconds max_delay{15 * 60};
  std::chrono::seconds window{15 * 60};  // failures older than this are forgotten
};

// Failed logins per user name and per client address, in memory. Thread-safe. Times are
// steady-clock, so a wall-clock step neither locks people out nor lets an attacker in.
class LoginThrottle {
 public:
  explicit LoginThrottle(LoginPolicy policy) : policy_(policy) {}

  // How long the client at `address` must wait before trying the user name `name` again.
  // Zero: go ahead. Names are counted whether or not they are accounts (so a delay does
  // not tell which names exist), each on its own: guesses at made-up names never use up
  // a real account's budget.
  std::chrono::seconds wait(const std::string& name, const std::string& address,
                            std::chrono::steady_clock::time_point now);
  // A success forgives nothing: failures only age out of the window. Otherwise whoever has
  // one account could reset their address between guesses at another.
  void record_failure(const std::string& name, const std::string& address,
                      std::chrono::steady_clock::time_point now);

 private:
  using Times = std::deque<std::chrono::steady_clock::time_point>;
  // All three need mutex_.
  void prune(std::chrono::steady_clock::time_point now);
  std::chrono::seconds remaining(const std::string& key, int free,
                                 std::chrono::steady_clock::time_point now) const;
  void add(const std::string& key, std::chrono::steady_clock::time_point now);

  static constexpr std::size_t kMaxKeys = 10000;  // bounds memory under a spraying attack
  static constexpr std::size_t kMaxTimesPerKey = 64;  // the delay is at its cap long before
  LoginPolicy policy_;
  std::mutex mutex_;  // guards failures_
  std::map<std::string, Times> failures_;
};

}  // namespace herald::web
