#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "scrapers/fetch/fetcher.h"
#include "scrapers/fetch/robots.h"

namespace herald {

// How politely herald treats each site. Defaults are the safe choice; the daemon fills this
// from herald.toml [fetch] and the sources' [fetch] tables.
struct PolitenessSettings {
  // Least time between the *starts* of two requests to one host (host:port), robots.txt
  // requests included. herald.toml [fetch] min_delay.
  std::chrono::milliseconds min_delay{5000};
  // Longer delays for particular hosts (host_key() -> delay), from a source's
  // [fetch] min_delay; fill it with raise_min_delay().
  std::map<std::string, std::chrono::milliseconds, std::less<>> host_min_delay{};
  // The product token robots.txt groups are matched against (RFC 9309 §2.2.1).
  std::string robots_token = "herald";
  // How long a fetched robots.txt (or its 4xx "allow all") is trusted (RFC 9309 §2.4).
  std::chrono::seconds robots_ttl{24 * 60 * 60};
  // How long an unreachable robots.txt keeps its host disallowed before herald asks again.
  std::chrono::seconds robots_error_ttl{10 * 60};
  // robots.txt bodies above this are not read at all (the parser reads 500 KiB of them).
  std::size_t robots_max_bytes = 1024 * 1024;
  // The pause after a 429 that carried no (or an unreadable) Retry-After.
  std::chrono::seconds rate_limit_default{5 * 60};
  // Sent when a request has no User-Agent of its own; see identifying_user_agent().
  std::string user_agent = "herald/0.1";

  // Makes requests to `url`'s host wait at least `delay` apart (the largest setting wins
  // when several sources share a host).
  void raise_min_delay(std::string_view url, std::chrono::milliseconds delay);
};

// "herald/0.1 (+mailto:ops@example.com)": a User-Agent that tells a site's admin who to
// write to. `contact` may be an e-mail address or a URL; empty leaves `product` alone.
std::string identifying_user_agent(std::string_view product, std::string_view contact);

// The lower-cased "host:port" of an http(s) URL, the default port filled in, userinfo
// dropped: the unit politeness counts in. Empty for a URL it cannot read.
std::string host_key(std::string_view url);

// Waits for PoliteFetcher, so tests can stand in a sleeper that only advances a fake clock.
class Sleeper {
 public:
  virtual ~Sleeper() = default;
  // Waits `duration`; false when `cancel` (may be null) became true first.
  virtual bool sleep_for(std::chrono::milliseconds duration,
                         const std::atomic<bool>* cancel) = 0;
};

// The real sleeper: the steady clock, waking every 100 ms to look at `cancel`.
class ThreadSleeper final : public Sleeper {
 public:
  bool sleep_for(std::chrono::milliseconds duration, const std::atomic<bool>* cancel) override;
};

// A Fetcher decorator (like leveldb's EnvWrapper) that makes every request polite before
// passing it to `inner`:
//  - requests to one host start at least min_delay apart (one instance is used by one
//    thread, so there is also never more than one request per host in flight);
//  - robots.txt is fetched once per host through `inner`, cached for robots_ttl, and obeyed
//    (RFC 9309: 2xx parsed; 4xx allows everything; 5xx, a redirect loop, an oversized file
//    disallows everything, kRobotsDisallow; a transport failure is returned as itself), unless
//    the request carries the admin's ignore_robots, which is logged once per host;
//  - after a kRateLimited answer the host is left alone until its Retry-After (seconds or
//    HTTP-date, clamped to 1 s .. 24 h) has passed: requests before then fail at once with
//    kRateLimited, and rate_limited_until() tells the scheduler when to come back.
// Every time comes from `clock`'s steady clock (the wall clock only to read an HTTP-date).
// Errors: those of `inner`, plus kRobotsDisallow, kRateLimited, kCancelled.
class PoliteFetcher final : public Fetcher {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // `inner`, `clock` and `sleeper` must outlive this fetcher.
  PoliteFetcher(Fetcher& inner, const Clock& clock, Sleeper& sleeper,
                PolitenessSettings settings);

  Result<FetchResponse> fetch(const FetchRequest& request) override;

  // When `url`'s host may be asked again after a 429/503 with Retry-After; nullopt when it
  // is not paused now.
  std::optional<TimePoint> rate_limited_until(std::string_view url) const;

 private:
  struct HostState {
    std::optional<TimePoint> last_start{};
    std::optional<TimePoint> paused_until{};
  };
  struct RobotsEntry {
    RobotsRules rules{};
    std::optional<Error> unreachable{};  // set: every request to the origin fails with it
    TimePoint expires{};
  };

  // Waits for the host's turn, then fetches; remembers a Retry-After.
  Result<FetchResponse> paced_fetch(const std::string& host, const FetchRequest& request);
  // The cached or freshly fetched robots.txt verdict for the request's origin.
  Result<const RobotsEntry*> robots_for(const std::string& host, const FetchRequest& request);
  std::chrono::milliseconds min_delay_for(const std::string& host) const;

  Fetcher& inner_;
  const Clock& clock_;
  Sleeper& sleeper_;
  PolitenessSettings settings_;
  std::map<std::string, HostState, std::less<>> hosts_;
  std::map<std::string, RobotsEntry, std::less<>> robots_;  // by scheme://host:port
  std::set<std::string, std::less<>> override_logged_;
};

}  // namespace herald
