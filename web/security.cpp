#include "web/security.h"

#include <algorithm>
#include <arpa/inet.h>

#include <array>

#include <fmt/format.h>
#include <sodium.h>

#include "common/text.h"

namespace herald::web {
namespace {

struct ParsedOrigin {
  std::string scheme{};
  std::string host{};  // lower case; IPv6 without brackets
  int port = 0;        // explicit or the scheme's default
  bool explicit_port = false;
};

// "https://herald.example.com[:port]" with nothing after the authority but an optional "/".
std::optional<ParsedOrigin> parse_origin(std::string_view origin) {
  ParsedOrigin parsed;
  const auto scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos) {
    return std::nullopt;
  }
  parsed.scheme = to_lower_ascii(origin.substr(0, scheme_end));
  if (parsed.scheme != "http" && parsed.scheme != "https") {
    return std::nullopt;
  }
  std::string_view authority = origin.substr(scheme_end + 3);
  if (!authority.empty() && authority.back() == '/') {
    authority.remove_suffix(1);
  }
  if (authority.empty() || authority.find_first_of("/?#@ \t\r\n") != std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view port_text;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    parsed.host = to_lower_ascii(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return std::nullopt;
      }
      port_text = rest.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    parsed.host = to_lower_ascii(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
    }
  }
  parsed.port = parsed.scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    if (port_text.size() > 5 ||
        !std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    parsed.port = std::stoi(std::string(port_text));
    parsed.explicit_port = true;
  }
  if (parsed.host.empty()) {
    return std::nullopt;
  }
  return parsed;
}

std::string host_with_port(const std::string& host, int port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return ipv6 ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
}

std::string bracketed(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

void add_unique(std::vector<std::string>& values, std::string value) {
  if (std::find(values.begin(), values.end(), value) == values.end()) {
    values.push_back(std::move(value));
  }
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  const std::string lower = to_lower_ascii(host);
  if (lower == "localhost" || lower == "::1" || lower == "[::1]") {
    return true;
  }
  // 127.0.0.0/8, written as four decimal octets.
  if (!lower.starts_with("127.")) {
    return false;
  }
  int dots = 0;
  for (char c : lower) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots == 3;
}

Result<void> check_listen_settings(const WebSettings& settings) {
  std::optional<ParsedOrigin> origin;
  if (!settings.public_origin.empty()) {
    origin = parse_origin(settings.public_origin);
    if (!origin) {
      return fail(ErrorCode::kConfig,
                  fmt::format("[web] public_origin '{}' is not an origin; write it as "
                              "\"https://host\" or \"https://host:port\" (no path)",
                              settings.public_origin));
    }
  }
  if (settings.port < 0 || settings.port > 65535) {
    return fail(ErrorCode::kConfig,
                fmt::format("[web] port {} is out of range; use 1..65535", settings.port));
  }
  if (!is_loopback_host(settings.listen_host) && (!origin || origin->scheme != "https")) {
    return fail(ErrorCode::kConfig,
                fmt::format("[web] listen_host '{}' is not a loopback address; herald serves "
                            "plain HTTP, so put it behind a TLS reverse proxy and set "
                            "public_origin = \"https://...\", or listen on 127.0.0.1",
                            settings.listen_host));
  }
  return {};
}

OriginPolicy make_origin_policy(const WebSettings& settings, int bound_port) {
  OriginPolicy policy;
  std::vector<std::string> names{to_lower_ascii(settings.listen_host)};
  if (is_loopback_host(settings.listen_host)) {
    // A page cannot rebind these names, so they are as safe as the address itself.
    names.insert(names.end(), {"127.0.0.1", "localhost", "::1"});
  }
  for (const std::string& name : names) {
    add_unique(policy.hosts, host_with_port(name, bound_port));
    add_unique(policy.origins, "http://" + host_with_port(name, bound_port));
  }
  if (auto origin = parse_origin(settings.public_origin)) {
    const bool default_port = origin->port == (origin->scheme == "https" ? 443 : 80);
    add_unique(policy.hosts, host_with_port(origin->host, origin->port));
    if (default_port) {
      add_unique(policy.hosts, bracketed(origin->host));
      add_unique(policy.origins, origin->scheme + "://" + bracketed(origin->host));
    } else {
      add_unique(policy.origins,
                 origin->scheme + "://" + host_with_port(origin->host, origin->port));
    }
    policy.secure_cookies = origin->scheme == "https";
  }
  return policy;
}

bool host_allowed(const OriginPolicy& policy, const httplib::Request& request) {
  if (request.get_header_value_count("Host") != 1) {
    return false;
  }
  const std::string host = to_lower_ascii(request.get_header_value("Host"));
  return std::find(policy.hosts.begin(), policy.hosts.end(), host) != policy.hosts.end();
}

bool same_origin_request(const OriginPolicy& policy, const httplib::Request& request) {
  auto known = [&policy](std::string_view origin) {
    return std::find(policy.origins.begin(), policy.origins.end(), to_lower_ascii(origin)) !=
           policy.origins.end();
  };
  const std::string origin = request.get_header_value("Origin");
  if (request.has_header("Sec-Fetch-Site")) {
    // Set by the browser, never by page script. "none": typed or bookmarked by the user;
    // "same-site" is refused because a sibling subdomain is not us.
    const std::string site = to_lower_ascii(request.get_header_value("Sec-Fetch-Site"));
    if (site != "same-origin" && site != "none") {
      return false;
    }
    // Our pages send Referrer-Policy: no-referrer, under which Chromium sends
    // "Origin: null" even for same-origin form posts; any real origin must be ours.
    return origin.empty() || origin == "null" || known(origin);
  }
  if (request.has_header("Origin")) {
    return known(origin);
  }
  if (request.has_header("Referer")) {
    const std::string referer = request.get_header_value("Referer");
    const auto scheme_end = referer.find("://");
    const auto path = referer.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
    return known(referer.substr(0, path));
  }
  return false;
}

httplib::Headers security_headers() {
  return {
      {"Content-Security-Policy",
       "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"Cache-Control", "no-store"},
  };
}

std::string random_token() {
  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::string hex(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  hex.pop_back();
  return hex;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty()) {
    return false;
  }
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<std::string> cookie_value(const httplib::Request& request, std::string_view name) {
  const std::size_t count = request.get_header_value_count("Cookie");
  for (std::size_t i = 0; i < count; ++i) {
    const std::string header = request.get_header_value("Cookie", i);
    std::string_view rest = header;
    while (!rest.empty()) {
      const auto end = rest.find(';');
      std::string_view pair = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
      while (!pair.empty() && pair.front() == ' ') {
        pair.remove_prefix(1);
      }
      const auto eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
        return std::string(pair.substr(eq + 1));
      }
    }
  }
  return std::nullopt;
}

bool is_safe_link(std::string_view url) {
  const std::string lower = to_lower_ascii(url.substr(0, 8));
  if (!lower.starts_with("http://") && !lower.starts_with("https://")) {
    return false;
  }
  return std::none_of(url.begin(), url.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte <= 0x20 || byte == 0x7f || c == '"' || c == '<' || c == '>' || c == '\\';
  });
}

namespace {

// The 4 or 16 bytes of an address; IPv4-mapped IPv6 becomes IPv4.
std::optional<Network> parse_address(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) {
    return std::nullopt;
  }
  const std::string copy(text);
  Network out;
  if (inet_pton(AF_INET, copy.c_str(), out.bytes.data()) == 1) {
    out.prefix = 32;
    return out;
  }
  std::array<unsigned char, 16> v6{};
  if (inet_pton(AF_INET6, copy.c_str(), v6.data()) != 1) {
    return std::nullopt;
  }
  static constexpr std::array<unsigned char, 12> kMapped = {0, 0, 0, 0, 0, 0,
                                                            0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMapped.begin(), kMapped.end(), v6.begin())) {
    std::copy(v6.begin() + 12, v6.end(), out.bytes.begin());
    out.prefix = 32;
    return out;
  }
  out.bytes = v6;
  out.v6 = true;
  out.prefix = 128;
  return out;
}

std::string_view trim_blanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

std::optional<Network> parse_network(std::string_view text) {
  text = trim_blanks(text);
  const auto slash = text.find('/');
  auto network = parse_address(text.substr(0, slash));
  if (!network) {
    return std::nullopt;
  }
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    const int max = network->v6 ? 128 : 32;
    if (digits.empty() || digits.size() > 3 ||
        digits.find_first_not_of("0123456789") != std::string_view::npos) {
      return std::nullopt;
    }
    const int prefix = std::stoi(std::string(digits));
    if (prefix > max) {
      return std::nullopt;
    }
    network->prefix = prefix;
  }
  return network;
}

std::optional<std::string> canonical_address(std::string_view text) {
  auto address = parse_address(trim_blanks(text));
  if (!address) {
    return std::nullopt;
  }
  std::array<char, INET6_ADDRSTRLEN> out{};
  if (inet_ntop(address->v6 ? AF_INET6 : AF_INET, address->bytes.data(), out.data(),
                out.size()) == nullptr) {
    return std::nullopt;
  }
  return std::string(out.data());
}

bool network_contains(const Network& network, std::string_view address) {
  auto parsed = parse_address(trim_blanks(address));
  if (!parsed || parsed->v6 != network.v6) {
    return false;
  }
  const int whole = network.prefix / 8;
  if (!std::equal(network.bytes.begin(), network.bytes.begin() + whole, parsed->bytes.begin())) {
    return false;
  }
  const int rest = network.prefix % 8;
  if (rest == 0) {
    return true;
  }
  const auto mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (network.bytes[whole] & mask) == (parsed->bytes[whole] & mask);
}

std::string client_address(const std::vector<Network>& trusted_proxies,
                           const httplib::Request& request) {
  const std::string remote = canonical_address(request.remote_addr).value_or(request.remote_addr);
  auto trusted = [&trusted_proxies](std::string_view address) {
    return std::any_of(trusted_proxies.begin(), trusted_proxies.end(),
                       [address](const Network& n) { return network_contains(n, address); });
  };
  if (trusted_proxies.empty() || !trusted(remote)) {
    return remote;
  }
  std::vector<std::string_view> hops;
  std::vector<std::string> headers;
  const std::size_t count = request.get_header_value_count("X-Forwarded-For");
  headers.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    headers.push_back(request.get_header_value("X-Forwarded-For", i));
  }
  for (const std::string& header : headers) {
    std::string_view rest = header;
    while (true) {
      const auto comma = rest.find(',');
      hops.push_back(trim_blanks(rest.substr(0, comma)));
      if (comma == std::string_view::npos) {
        break;
      }
      rest.remove_prefix(comma + 1);
    }
  }
  // From the right: each trusted proxy appended the address it was talking to, so the
  // first hop that is not one of ours is the client; anything left of it is the client's
  // own claim and worth nothing.
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    auto address = canonical_address(*it);
    if (!address) {
      return remote;
    }
    if (!trusted(*address) || std::next(it) == hops.rend()) {
      return *address;
    }
  }
  return remote;
}

std::string quoted_for_log(std::string_view name) {
  std::string out = "\"";
  for (char c : name.substr(0, 64)) {
    const auto byte = static_cast<unsigned char>(c);
    out.push_back(byte < 0x20 || byte == 0x7f || c == '"' || c == '\\' ? '?' : c);
  }
  out.push_back('"');
  return out;
}

std::chrono::seconds LoginThrottle::wait(const std::string& name, const std::string& address,
                                         std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  prune(now);
  const std::string address_key = "ip:" + address;
  std::chrono::seconds out = remaining(address_key, policy_.address_failures_free, now);
  // A name's delay holds back only addresses that have failed themselves.
  if (failures_.contains(address_key)) {
    out = std::max(out, remaining("user:" + name, policy_.name_failures_free, now));
  }
  return out;
}

void LoginThrottle::record_failure(const std::string& name, const std::string& address,
                                   std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  prune(now);
  add("ip:" + address, now);
  add("user:" + name, now);
}

std::chrono::seconds LoginThrottle::remaining(const std::string& key, int free,
                                              std::chrono::steady_clock::time_point now) const {
  auto it = failures_.find(key);
  if (it == failures_.end() || static_cast<int>(it->second.size()) <= free) {
    return std::chrono::seconds(0);
  }
  // first_delay after the first failure over the limit, doubling with each further one.
  const int doublings = std::min(static_cast<int>(it->second.size()) - free - 1, 30);
  const auto delay =
      std::min<std::chrono::seconds>(policy_.first_delay * (std::int64_t{1} << doublings),
                                     policy_.max_delay);
  const auto until = it->second.back() + delay;
  if (until <= now) {
    return std::chrono::seconds(0);
  }
  // Rounded up, so a client that waits exactly this long is let in.
  return std::chrono::ceil<std::chrono::seconds>(until - now);
}

void LoginThrottle::add(const std::string& key, std::chrono::steady_clock::time_point now) {
  if (failures_.size() >= kMaxKeys && !failures_.contains(key)) {
    // Under a spray of names and addresses, forget the entry that will expire first rather
    // than grow without bound.
    auto oldest = std::min_element(failures_.begin(), failures_.end(), [](const auto& a,
                                                                           const auto& b) {
      return a.second.back() < b.second.back();
    });
    failures_.erase(oldest);
  }
  Times& times = failures_[key];
  times.push_back(now);
  if (times.size() > kMaxTimesPerKey) {
    times.pop_front();
  }
}

void LoginThrottle::prune(std::chrono::steady_clock::time_point now) {
  for (auto it = failures_.begin(); it != failures_.end();) {
    auto& times = it->second;
    while (!times.empty() && now - times.front() >= policy_.window) {
      times.pop_front();
    }
    it = times.empty() ? failures_.erase(it) : std::next(it);
  }
}

}  // namespace herald::web
