#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace herald {

struct FetchRequest {
  std::string url{};
  std::optional<std::string> etag{};           // validators saved from the last 200
  std::optional<std::string> last_modified{};
  std::string user_agent{};
  std::optional<std::string> referer{};
  std::optional<std::string> accept_language{};
  std::chrono::seconds timeout{30};               // whole transfer
  std::chrono::seconds connect_timeout{10};
  std::size_t max_body_bytes = 8 * 1024 * 1024;   // counted on *decoded* bytes
  int max_redirects = 5;
  // "GET" or "POST" (anything else is kConfig). A POST sends `body` as is, with
  // `body_content_type` (default application/x-www-form-urlencoded when a body is set). A
  // redirect answering a POST is followed with a GET, never by posting the body again.
  std::string method = "GET";
  std::string body{};
  std::string body_content_type{};
  // Extra request headers (e.g. "Authorization" for an API token). A name that is not an
  // HTTP token or a value with a line break is kConfig: nothing is sent. libcurl drops
  // Authorization on redirects to another host. Values are never put in messages.
  std::vector<std::pair<std::string, std::string>> headers{};
  // When set and it becomes true, the transfer is abandoned within about a second
  // (kCancelled): lets the daemon stop promptly on SIGTERM during a slow fetch.
  const std::atomic<bool>* cancel = nullptr;
  // The source's admin-set robots.txt override (PoliteFetcher skips robots.txt, and logs it).
  bool ignore_robots = false;
  // Follow redirects into loopback, private (RFC 1918, fc00::/7) and link-local addresses
  // (the source is marked internal). Off: such a redirect is kBlockedRedirect.
  bool internal = false;
};

struct FetchResponse {
  long status = 0;                // 200 or 304; other statuses are Errors
  std::string final_url{};        // after redirects: the base for relative links
  std::string content_type{};     // raw header; working out the charset is decode's job
  std::string body{};             // raw bytes (after Content-Encoding), maybe GBK
  std::optional<std::string> etag{};
  std::optional<std::string> last_modified{};
  std::optional<std::string> retry_after{};  // raw header, set on 429/503 errors' messages
  // The final response's headers as received (name, value), in order; for the evidence
  // archive. Bounded like the body (at most 100 headers of 8 KB each).
  std::vector<std::pair<std::string, std::string>> headers{};

  bool not_modified() const { return status == 304; }
};

// Fetches one URL. An instance is used by one thread at a time; it is not shared.
// Errors: kTimeout, kRefused, kDns, kTls, kNetwork, kHttp4xx, kHttp5xx, kRateLimited,
// kTooLarge, kRedirectLimit, kBlockedRedirect, kCancelled; kConfig for a URL that is not
// http(s); kInternal when libcurl cannot be set up.
class Fetcher {
 public:
  virtual ~Fetcher() = default;
  virtual Result<FetchResponse> fetch(const FetchRequest& request) = 0;
};

}  // namespace herald
