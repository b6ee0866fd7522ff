#pragma once

// The request checks and response headers of RELIABILITY.md §3.1, kept free of routing
// so each can be tested on its own.

#include <chrono>
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

// Failed logins per key ("user:NAME", "ip:ADDR") in a sliding window, in memory.
// Thread-safe. Times are steady-clock, so a wall-clock step neither locks people out nor
// lets an attacker in.
class LoginThrottle {
 public:
  LoginThrottle(int max_failures, std::chrono::steady_clock::duration window)
      : max_failures_(max_failures), window_(window) {}

  bool blocked(const std::string& key, std::chrono::steady_clock::time_point now);
  void record_failure(const std::string& key, std::chrono::steady_clock::time_point now);
  void clear(const std::string& key);

 private:
  void prune(std::chrono::steady_clock::time_point now);  // needs mutex_

  static constexpr std::size_t kMaxKeys = 10000;  // bounds memory under a spraying attack
  int max_failures_;
  std::chrono::steady_clock::duration window_;
  std::mutex mutex_;  // guards failures_
  std::map<std::string, std::deque<std::chrono::steady_clock::time_point>> failures_;
};

}  // namespace herald::web
