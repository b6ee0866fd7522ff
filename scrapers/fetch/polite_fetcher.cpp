#include "scrapers/fetch/polite_fetcher.h"

#include <algorithm>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/text.h"
#include "scrapers/fetch/retry_after.h"

namespace herald {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

struct Origin {
  std::string scheme{};     // "http" or "https"
  std::string host_port{};  // "example.com:443": what politeness counts in
  std::string authority{};  // as written, without userinfo: for building robots.txt's URL
};

std::optional<Origin> origin_of(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  Origin origin{.scheme = to_lower_ascii(url.substr(0, scheme_end))};
  if (origin.scheme != "http" && origin.scheme != "https") return std::nullopt;
  std::string_view authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  // The port follows the last ':' unless that ':' is inside an IPv6 literal "[::1]".
  const std::size_t colon = authority.rfind(':');
  const bool has_port = colon != std::string_view::npos &&
                        authority.find(']', colon) == std::string_view::npos;
  std::string_view host = has_port ? authority.substr(0, colon) : authority;
  std::string_view port = has_port ? authority.substr(colon + 1) : std::string_view();
  if (host.empty()) return std::nullopt;
  origin.authority = std::string(authority);
  if (port.empty()) port = origin.scheme == "https" ? "443" : "80";
  origin.host_port = to_lower_ascii(host) + ":" + std::string(port);
  return origin;
}

// CurlFetcher puts the Retry-After header of a 429/503 into its error message as
// "(Retry-After: VALUE)"; Error has no field for it.
std::optional<std::string_view> retry_after_in(std::string_view message) {
  constexpr std::string_view kMarker = "(Retry-After: ";
  const std::size_t start = message.rfind(kMarker);
  if (start == std::string_view::npos) return std::nullopt;
  std::string_view value = message.substr(start + kMarker.size());
  const std::size_t close = value.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  return value.substr(0, close);
}

long long seconds_until(std::chrono::steady_clock::time_point until,
                        std::chrono::steady_clock::time_point now) {
  // Rounded up: "0 s left" while still paused would read like a bug.
  return (duration_cast<milliseconds>(until - now).count() + 999) / 1000;
}

}  // namespace

void PolitenessSettings::raise_min_delay(std::string_view url, milliseconds delay) {
  const std::string host = host_key(url);
  if (host.empty()) return;
  auto [it, inserted] = host_min_delay.try_emplace(host, delay);
  if (!inserted) it->second = std::max(it->second, delay);
}

std::string identifying_user_agent(std::string_view product, std::string_view contact) {
  if (contact.empty()) return std::string(product);
  const bool is_url = contact.find("://") != std::string_view::npos;
  return fmt::format("{} (+{}{})", product, is_url ? "" : "mailto:", contact);
}

std::string host_key(std::string_view url) {
  auto origin = origin_of(url);
  return origin ? std::move(origin->host_port) : std::string();
}

bool ThreadSleeper::sleep_for(milliseconds duration, const std::atomic<bool>* cancel) {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (true) {
    if (cancel != nullptr && cancel->load()) return false;
    const auto now = std::chrono::steady_clock::now();
    if (now >= until) return true;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        until - now, milliseconds(100)));
  }
}

PoliteFetcher::PoliteFetcher(Fetcher& inner, const Clock& clock, Sleeper& sleeper,
                             PolitenessSettings settings)
    : inner_(inner), clock_(clock), sleeper_(sleeper), settings_(std::move(settings)) {}

Result<FetchResponse> PoliteFetcher::fetch(const FetchRequest& request) {
  const std::optional<Origin> origin = origin_of(request.url);
  if (!origin) {
    return inner_.fetch(request);  // not http(s): the inner fetcher says why (kConfig)
  }
  const std::string& host = origin->host_port;

  if (const auto until = rate_limited_until(request.url)) {
    return fail(ErrorCode::kRateLimited,
                fmt::format("{}: {} asked herald to slow down (429/503 with Retry-After); not "
                            "asking it again for {} s",
                            request.url, host, seconds_until(*until, clock_.now_steady())),
                true);
  }

  if (request.ignore_robots) {
    if (override_logged_.insert(host).second) {
      spdlog::warn("fetch: {}: not reading robots.txt (ignore_robots is set for this source)",
                   host);
    }
  } else {
    auto robots = robots_for(host, request);
    if (!robots) return fail(robots.error());
    const RobotsEntry& entry = **robots;
    if (entry.unreachable) {
      Error error = *entry.unreachable;
      error.message = fmt::format("{}: not fetched: {}", request.url, error.message);
      return fail(std::move(error));
    }
    if (!entry.rules.allowed(robots_path_of(request.url))) {
      return fail(ErrorCode::kRobotsDisallow,
                  fmt::format("{}: disallowed for '{}' by {}://{}/robots.txt (set ignore_robots "
                              "in the source's [fetch] only if the site owner agreed)",
                              request.url, settings_.robots_token, origin->scheme, host));
    }
  }
  return paced_fetch(host, request);
}

std::optional<PoliteFetcher::TimePoint> PoliteFetcher::rate_limited_until(
    std::string_view url) const {
  const auto it = hosts_.find(host_key(url));
  if (it == hosts_.end() || !it->second.paused_until) return std::nullopt;
  if (*it->second.paused_until <= clock_.now_steady()) return std::nullopt;
  return it->second.paused_until;
}

milliseconds PoliteFetcher::min_delay_for(const std::string& host) const {
  const auto it = settings_.host_min_delay.find(host);
  return it == settings_.host_min_delay.end() ? settings_.min_delay
                                              : std::max(it->second, settings_.min_delay);
}

Result<FetchResponse> PoliteFetcher::paced_fetch(const std::string& host,
                                                 const FetchRequest& request) {
  HostState& state = hosts_[host];
  if (state.last_start) {
    const TimePoint turn = *state.last_start + min_delay_for(host);
    const TimePoint now = clock_.now_steady();
    if (turn > now &&
        !sleeper_.sleep_for(std::chrono::ceil<milliseconds>(turn - now), request.cancel)) {
      return fail(ErrorCode::kCancelled,
                  fmt::format("{}: abandoned while waiting for {}'s turn", request.url, host));
    }
  }
  state.last_start = clock_.now_steady();

  FetchRequest polite = request;
  if (polite.user_agent.empty()) polite.user_agent = settings_.user_agent;
  auto response = inner_.fetch(polite);
  if (!response && response.error().code == ErrorCode::kRateLimited) {
    std::optional<seconds> wait;
    if (const auto header = retry_after_in(response.error().message)) {
      wait = parse_retry_after(*header, clock_.now_utc_seconds());
    }
    state.paused_until = clock_.now_steady() + wait.value_or(settings_.rate_limit_default);
  }
  return response;
}

Result<const PoliteFetcher::RobotsEntry*> PoliteFetcher::robots_for(const std::string& host,
                                                                    const FetchRequest& request) {
  const Origin origin = *origin_of(request.url);
  const std::string key = origin.scheme + "://" + host;
  const TimePoint now = clock_.now_steady();
  const auto cached = robots_.find(key);
  if (cached != robots_.end() && cached->second.expires > now) {
    return &cached->second;
  }

  const FetchRequest robots_request{
      .url = origin.scheme + "://" + origin.authority + "/robots.txt",
      .user_agent = request.user_agent,
      .timeout = request.timeout,
      .connect_timeout = request.connect_timeout,
      .max_body_bytes = settings_.robots_max_bytes,
      .max_redirects = 5,  // RFC 9309 §2.3.1.2: follow at least five
      .cancel = request.cancel,
  };
  auto response = paced_fetch(host, robots_request);

  RobotsEntry entry;
  if (response) {
    entry.rules = RobotsRules::parse(response->body, settings_.robots_token);
    entry.expires = clock_.now_steady() + settings_.robots_ttl;
  } else {
    const Error& error = response.error();
    switch (error.code) {
      case ErrorCode::kHttp4xx:
        // "Unavailable" (RFC 9309 §2.3.1.3): the site has no rules for anyone.
        entry.rules = RobotsRules::allow_all();
        entry.expires = clock_.now_steady() + settings_.robots_ttl;
        break;
      case ErrorCode::kRateLimited:
      case ErrorCode::kCancelled:
      case ErrorCode::kConfig:
      case ErrorCode::kInternal:
        // Not a verdict on robots.txt: nothing cached, the page request fails the same way.
        return fail(Error{error.code, fmt::format("{}: {}", request.url, error.message),
                          error.retryable});
      case ErrorCode::kTimeout:
      case ErrorCode::kRefused:
      case ErrorCode::kDns:
      case ErrorCode::kTls:
      case ErrorCode::kNetwork:
        // The host is unreachable: the page would fail the same way, so report the real
        // cause rather than robots_disallow.
        entry.unreachable = Error{error.code, fmt::format("robots.txt: {}", error.message),
                                  error.retryable};
        break;
      default:
        // 5xx, a redirect loop, an oversized file: "unreachable" (RFC 9309 §2.3.1.4), so
        // complete disallow. The error body is never parsed.
        entry.unreachable =
            Error{ErrorCode::kRobotsDisallow,
                  fmt::format("robots.txt is unreachable ({}: {}), which RFC 9309 says means "
                              "complete disallow; herald asks again in {} min",
                              error_code_name(error.code), error.message,
                              settings_.robots_error_ttl.count() / 60),
                  true};
        break;
    }
    if (entry.unreachable) {
      entry.expires = clock_.now_steady() + settings_.robots_error_ttl;
      if (cached != robots_.end() && !cached->second.unreachable) {
        // RFC 9309 §2.4: while robots.txt is unreachable the last good copy still applies.
        entry.rules = cached->second.rules;
        entry.unreachable.reset();
      }
    }
  }
  return &robots_.insert_or_assign(key, std::move(entry)).first->second;
}

}  // namespace herald
