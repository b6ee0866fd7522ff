#include "scrapers/fetch/curl_fetcher.h"

#include <algorithm>
#include <atomic>
#include <array>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <curl/curl.h>
#include <fmt/format.h>

#include "common/curl_handles.h"

namespace herald {
namespace {

constexpr std::string_view kDefaultUserAgent = "herald/0.1";
constexpr std::string_view kAccept =
    "text/html,application/xhtml+xml,application/xml;q=0.9,application/rss+xml,"
    "application/atom+xml,*/*;q=0.8";
// Only encodings the decoded-byte cap in write_callback() covers: never br or zstd.
constexpr const char* kAcceptEncoding = "gzip, deflate";
constexpr long kLowSpeedBytesPerSecond = 64;
constexpr std::chrono::seconds kMaxLowSpeedTime{30};
// However many redirects a caller asks for, a chain longer than this is a loop or a trap.
constexpr int kMaxRedirects = 5;
// Validators and Content-Type are stored and sent back; a server must not be able to make
// herald store megabytes or smuggle a second header line through them.
constexpr std::size_t kMaxKeptHeaderBytes = 1024;
constexpr std::size_t kMaxRetryAfterInMessage = 64;
// The final response's headers are kept for the evidence archive; a server must not be able
// to make herald keep megabytes of them either.
constexpr std::size_t kMaxArchivedHeaders = 100;
constexpr std::size_t kMaxArchivedHeaderBytes = 8 * 1024;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool starts_with_icase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool is_space_or_tab(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (is_space_or_tab(s.front()) || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (is_space_or_tab(s.back()) || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool has_control_chars(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  });
}

// A header value safe to keep and to send back later, or nothing.
std::optional<std::string> keepable(std::string_view value) {
  if (value.empty() || value.size() > kMaxKeptHeaderBytes || has_control_chars(value)) {
    return std::nullopt;
  }
  return std::string(value);
}

// Server-provided text that goes into an error message (and so into logs): printable ASCII only.
std::string printable(std::string_view s, std::size_t max_bytes) {
  std::string out;
  for (char c : s.substr(0, max_bytes)) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u >= 0x20 && u < 0x7f ? c : '?');
  }
  return out;
}

// Our own table, not the server's reason phrase: HTTP/2 has none, and a hostile server
// could put anything there.
std::string_view reason_phrase(long status) {
  switch (status) {
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 410: return "Gone";
    case 412: return "Precondition Failed";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 418: return "I'm a teapot";
    case 421: return "Misdirected Request";
    case 429: return "Too Many Requests";
    case 451: return "Unavailable For Legal Reasons";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    case 520: return "Unknown Error";
    case 521: return "Web Server Is Down";
    case 522: return "Connection Timed Out";
    case 523: return "Origin Is Unreachable";
    case 524: return "A Timeout Occurred";
    default: return "";
  }
}

std::string describe_status(long status) {
  const std::string_view reason = reason_phrase(status);
  return reason.empty() ? fmt::format("HTTP {}", status)
                        : fmt::format("HTTP {} {}", status, reason);
}

std::string describe_bytes(std::size_t bytes) {
  constexpr std::size_t kKiB = 1024;
  constexpr std::size_t kMiB = 1024 * kKiB;
  if (bytes >= kMiB && bytes % kMiB == 0) {
    return fmt::format("{} MiB", bytes / kMiB);
  }
  if (bytes >= kKiB && bytes % kKiB == 0) {
    return fmt::format("{} KiB", bytes / kKiB);
  }
  return fmt::format("{} bytes", bytes);
}

// Why a redirect may not go to an address, or nullopt when it may. A public source that
// redirects into the firm's own network (or the cloud metadata service at 169.254.169.254)
// would otherwise make herald read and store pages nobody outside can see.
std::optional<std::string_view> internal_ipv4_range(const unsigned char* a) {
  if (a[0] == 127) {
    return "loopback";
  }
  if (a[0] == 0) {
    return "unspecified";
  }
  if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168)) {
    return "private";
  }
  if (a[0] == 100 && (a[1] & 0xc0) == 64) {
    return "shared (CGNAT)";
  }
  if (a[0] == 169 && a[1] == 254) {
    return "link-local";
  }
  if ((a[0] & 0xf0) == 224) {
    return "multicast";
  }
  if ((a[0] & 0xf0) == 240) {
    return "reserved";
  }
  return std::nullopt;
}

std::optional<std::string_view> internal_ipv6_range(const unsigned char* a) {
  const bool first_ten_zero = std::all_of(a, a + 10, [](unsigned char b) { return b == 0; });
  if (first_ten_zero && a[10] == 0 && a[11] == 0) {
    // ::, ::1 and the deprecated IPv4-compatible form ::a.b.c.d.
    const bool last_zero = std::all_of(a + 12, a + 15, [](unsigned char b) { return b == 0; });
    if (last_zero && a[15] == 0) {
      return "unspecified";
    }
    if (last_zero && a[15] == 1) {
      return "loopback";
    }
    return internal_ipv4_range(a + 12);
  }
  if (first_ten_zero && a[10] == 0xff && a[11] == 0xff) {  // IPv4-mapped ::ffff:a.b.c.d
    return internal_ipv4_range(a + 12);
  }
  // NAT64 64:ff9b::/96 reaches the embedded IPv4 address.
  static constexpr std::array<unsigned char, 12> kNat64{0x00, 0x64, 0xff, 0x9b};
  if (std::equal(kNat64.begin(), kNat64.end(), a)) {
    return internal_ipv4_range(a + 12);
  }
  if ((a[0] & 0xfe) == 0xfc) {
    return "private (unique local)";
  }
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) {
    return "link-local";
  }
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) {
    return "private (site-local)";
  }
  if (a[0] == 0xff) {
    return "multicast";
  }
  return std::nullopt;
}

// For an address libcurl reports as text ("10.0.0.1", "fe80::1"). Text herald cannot read
// is refused too: a redirect hop must prove it goes somewhere public.
std::optional<std::string_view> internal_address_range(const char* ip) {
  if (ip == nullptr) {
    return "unknown";
  }
  std::array<unsigned char, sizeof(in6_addr)> bytes{};
  if (inet_pton(AF_INET, ip, bytes.data()) == 1) {
    return internal_ipv4_range(bytes.data());
  }
  if (inet_pton(AF_INET6, ip, bytes.data()) == 1) {
    return internal_ipv6_range(bytes.data());
  }
  return "unknown";
}

// The same for a socket address about to be connected to; `text` gets it printed.
std::optional<std::string_view> internal_address_range(const sockaddr* address,
                                                       unsigned int length, std::string& text) {
  const void* raw = nullptr;
  if (address->sa_family == AF_INET && length >= sizeof(sockaddr_in)) {
    raw = &reinterpret_cast<const sockaddr_in*>(address)->sin_addr;
  } else if (address->sa_family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
    raw = &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
  }
  if (raw == nullptr) {
    text = "?";
    return "unknown";
  }
  std::array<char, INET6_ADDRSTRLEN> buffer{};
  text = inet_ntop(address->sa_family, raw, buffer.data(), buffer.size()) != nullptr
             ? buffer.data()
             : "?";
  const auto* bytes = static_cast<const unsigned char*>(raw);
  return address->sa_family == AF_INET ? internal_ipv4_range(bytes)
                                       : internal_ipv6_range(bytes);
}

// Everything the callbacks fill in during one transfer. Reset per fetch.
struct Transfer {
  std::size_t max_body_bytes = 0;
  std::string body{};
  std::size_t received = 0;  // decoded body bytes of the current response, kept or not
  long status = 0;  // of the response whose headers arrived last
  std::optional<std::string> etag{};
  std::optional<std::string> last_modified{};
  std::optional<std::string> content_type{};
  std::optional<std::string> retry_after{};
  std::vector<std::pair<std::string, std::string>> headers{};  // of the current response
  bool over_cap = false;
  bool raw_over_cap = false;  // raw (still encoded) bytes passed the cap
  bool out_of_memory = false;
  const std::atomic<bool>* cancel = nullptr;
  // Redirect checks: the handle (to ask how many redirects were followed so far), the hops
  // taken before this transfer began (a POST's redirect is a transfer of its own), and
  // whether internal addresses are allowed at all.
  CURL* curl = nullptr;
  long prior_hops = 0;
  bool allow_internal = false;
  // Set when a hop was refused: "<address> (<range>)".
  std::optional<std::string> blocked{};

  bool is_redirect_hop() const {
    if (prior_hops > 0) {
      return true;
    }
    long followed = 0;
    return curl_easy_getinfo(curl, CURLINFO_REDIRECT_COUNT, &followed) == CURLE_OK &&
           followed > 0;
  }

  // A redirect (or a 1xx) is followed by another header block: what we collected so far
  // belongs to a response we are not going to return.
  void start_response(long new_status) {
    status = new_status;
    body.clear();
    received = 0;
    etag.reset();
    last_modified.reset();
    content_type.reset();
    retry_after.reset();
    headers.clear();
  }

  // Keeps one header line of the current response, within the archive's bounds: lines
  // over the size bound and lines past the count bound are dropped, not cut.
  void keep_header(std::string_view line) {
    if (!line.empty() && is_space_or_tab(line.front())) {
      // obs-fold (RFC 9112 §5.2): the line continues the previous header's value.
      const std::string_view more = trim(line);
      if (!headers.empty() && !more.empty() &&
          headers.back().first.size() + headers.back().second.size() + more.size() + 1 <=
              kMaxArchivedHeaderBytes) {
        headers.back().second.append(" ").append(more);
      }
      return;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || headers.size() >= kMaxArchivedHeaders) {
      return;
    }
    const std::string_view name = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    if (name.empty() || name.size() + value.size() > kMaxArchivedHeaderBytes) {
      return;
    }
    headers.emplace_back(std::string(name), std::string(value));
  }
};

// "HTTP/1.1 200 OK" or "HTTP/2 304" -> the status code, 0 if unreadable.
long parse_status_line(std::string_view line) {
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos) {
    return 0;
  }
  std::string_view rest = line.substr(space + 1);
  long status = 0;
  int digits = 0;
  while (digits < 3 && !rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
    status = status * 10 + (rest.front() - '0');
    rest.remove_prefix(1);
    ++digits;
  }
  return digits == 3 ? status : 0;
}

void on_header_line(Transfer& transfer, std::string_view line) {
  if (starts_with_icase(line, "HTTP/")) {
    transfer.start_response(parse_status_line(trim(line)));
    return;
  }
  transfer.keep_header(line);
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    return;  // the blank line that ends a block, or a folded continuation we do not need
  }
  const std::string_view name = trim(line.substr(0, colon));
  const std::string_view value = trim(line.substr(colon + 1));
  if (iequals(name, "ETag")) {
    transfer.etag = keepable(value);
  } else if (iequals(name, "Last-Modified")) {
    transfer.last_modified = keepable(value);
  } else if (iequals(name, "Content-Type")) {
    transfer.content_type = keepable(value);
  } else if (iequals(name, "Retry-After")) {
    transfer.retry_after = keepable(value);
  }
}

// libcurl calls this with each header line of each response, redirects included.
std::size_t header_callback(char* buffer, std::size_t size, std::size_t count,
                          void* user) noexcept {
  const std::size_t bytes = size * count;
  try {
    on_header_line(*static_cast<Transfer*>(user), std::string_view(buffer, bytes));
  } catch (...) {
    // Only std::bad_alloc can get here; failing the transfer is the only safe report.
    static_cast<Transfer*>(user)->out_of_memory = true;
    return 0;
  }
  return bytes;
}

// libcurl calls this with body bytes *after* Content-Encoding was undone, so the cap here
// is the one that stops gzip bombs and endless chunked bodies (libcurl 7.88's
// CURLOPT_MAXFILESIZE only sees a Content-Length announced up front).
std::size_t write_callback(char* data, std::size_t size, std::size_t count,
                         void* user) noexcept {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  if (bytes > transfer.max_body_bytes - transfer.received) {
    transfer.over_cap = true;
    return 0;  // anything other than `bytes` makes libcurl stop with CURLE_WRITE_ERROR
  }
  transfer.received += bytes;
  if (transfer.status >= 300) {
    return bytes;  // an error page or a redirect's body: counted against the cap, not kept
  }
  try {
    transfer.body.append(data, bytes);
  } catch (...) {
    transfer.out_of_memory = true;
    return 0;
  }
  return bytes;
}

// libcurl calls this as data arrives and about once a second even on a stalled transfer;
// a non-zero return aborts it with CURLE_ABORTED_BY_CALLBACK. `downloaded` counts body bytes
// as they came off the wire, before Content-Encoding is undone: the raw-byte cap, which
// catches an encoded stream that decodes to (almost) nothing, so the write callback's
// decoded cap never sees it.
int progress_callback(void* user, curl_off_t, curl_off_t downloaded, curl_off_t,
                      curl_off_t) noexcept {
  auto& transfer = *static_cast<Transfer*>(user);
  if (downloaded > 0 && static_cast<std::size_t>(downloaded) > transfer.max_body_bytes) {
    transfer.raw_over_cap = true;
    return 1;
  }
  return transfer.cancel != nullptr && transfer.cancel->load() ? 1 : 0;
}

// Every connection a redirect hop makes (new or reused) passes here with the address it is
// actually connected to, after DNS and before a request is sent: a name that resolved to a
// public address when checked and to 10.0.0.1 when connected (DNS rebinding) is caught too.
int prereq_callback(void* user, char* primary_ip, char*, int, int) noexcept {
  auto& transfer = *static_cast<Transfer*>(user);
  if (transfer.allow_internal || !transfer.is_redirect_hop()) {
    return CURL_PREREQFUNC_OK;
  }
  const std::optional<std::string_view> range = internal_address_range(primary_ip);
  if (!range) {
    return CURL_PREREQFUNC_OK;
  }
  try {
    transfer.blocked = fmt::format("{} ({})", primary_ip != nullptr ? primary_ip : "?", *range);
  } catch (...) {
    transfer.out_of_memory = true;
  }
  return CURL_PREREQFUNC_ABORT;
}

// libcurl asks this for each socket it is about to connect: a redirect hop into an internal
// range is refused before a single packet goes there (prereq_callback still checks reused
// connections, which never come here).
curl_socket_t opensocket_callback(void* user, curlsocktype, curl_sockaddr* address) noexcept {
  auto& transfer = *static_cast<Transfer*>(user);
  if (!transfer.allow_internal && transfer.is_redirect_hop()) {
    try {
      std::string text;
      const std::optional<std::string_view> range =
          internal_address_range(&address->addr, address->addrlen, text);
      if (range) {
        transfer.blocked = fmt::format("{} ({})", text, *range);
        return CURL_SOCKET_BAD;
      }
    } catch (...) {
      transfer.out_of_memory = true;
      return CURL_SOCKET_BAD;
    }
  }
  // Not inherited by the parser child or anything else herald starts.
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

bool is_tls_error(CURLcode code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
      return true;
    default:
      return false;
  }
}

// Transport failures that happen while a body is arriving: when the status line already
// said 4xx/5xx, the status is the more useful thing to report.
bool is_body_phase_error(CURLcode code, const Transfer& transfer) {
  return (code == CURLE_WRITE_ERROR && transfer.over_cap) || code == CURLE_FILESIZE_EXCEEDED ||
         code == CURLE_PARTIAL_FILE || code == CURLE_RECV_ERROR ||
         code == CURLE_BAD_CONTENT_ENCODING;
}

Error status_error(std::string_view target, long status, const Transfer& transfer) {
  const std::string what = fmt::format("{}: {}", target, describe_status(status));
  if (status == 429 || (status == 503 && transfer.retry_after)) {
    const std::string retry_after =
        transfer.retry_after ? printable(*transfer.retry_after, kMaxRetryAfterInMessage) : "";
    return Error{ErrorCode::kRateLimited,
                 retry_after.empty()
                     ? fmt::format("{} (no Retry-After; back off before asking again)", what)
                     : fmt::format("{} (Retry-After: {})", what, retry_after),
                 true};
  }
  if (status >= 400 && status < 500) {
    return Error{ErrorCode::kHttp4xx, what, status == 408};
  }
  if (status >= 500 && status < 600) {
    return Error{ErrorCode::kHttp5xx, what, true};
  }
  // A 3xx libcurl could not follow (no Location), a 1xx as the final answer, or garbage.
  return Error{ErrorCode::kNetwork,
               fmt::format("{} (not a page, and no redirect herald can follow)", what), false};
}

Error transport_error(std::string_view target, CURLcode code, std::string_view detail,
                      const FetchRequest& request, const Transfer& transfer) {
  const std::string reason =
      detail.empty() ? std::string(curl_easy_strerror(code)) : std::string(detail);
  if (transfer.blocked) {
    return Error{ErrorCode::kBlockedRedirect,
                 fmt::format("{}: redirected to {}, an address inside a private network; "
                             "nothing was fetched from it (set [fetch] internal = true in the "
                             "source file only if the source really lives on the firm's own "
                             "network)",
                             target, *transfer.blocked),
                 false};
  }
  if (transfer.raw_over_cap) {
    return Error{ErrorCode::kTooLarge,
                 fmt::format("{}: body larger than {} cap before decoding (raise "
                             "fetch.max_body_bytes in the source file)",
                             target, describe_bytes(request.max_body_bytes)),
                 false};
  }
  switch (code) {
    case CURLE_ABORTED_BY_CALLBACK:
      return Error{ErrorCode::kCancelled, fmt::format("{}: abandoned: herald is stopping", target),
                   true};
    case CURLE_OPERATION_TIMEDOUT:
      return Error{ErrorCode::kTimeout,
                   fmt::format("{}: timed out after {} s ({})", target,
                               request.timeout.count(), reason),
                   true};
    case CURLE_COULDNT_CONNECT:
      return Error{ErrorCode::kRefused, fmt::format("{}: could not connect ({})", target, reason),
                   true};
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return Error{ErrorCode::kDns,
                   fmt::format("{}: host name did not resolve ({})", target, reason), true};
    case CURLE_TOO_MANY_REDIRECTS:
      return Error{ErrorCode::kRedirectLimit,
                   fmt::format("{}: more than {} redirects ({})", target,
                               std::clamp(request.max_redirects, 0, kMaxRedirects),
                               reason),
                   false};
    case CURLE_UNSUPPORTED_PROTOCOL:
      // fetch() refuses non-http(s) URLs up front, so this can only be a redirect.
      return Error{ErrorCode::kBlockedRedirect,
                   fmt::format("{}: redirected to a scheme herald does not fetch, only "
                               "http and https ({})",
                               target, reason),
                   false};
    case CURLE_FILESIZE_EXCEEDED:
    case CURLE_WRITE_ERROR:
      if (code == CURLE_FILESIZE_EXCEEDED || transfer.over_cap) {
        return Error{ErrorCode::kTooLarge,
                     fmt::format("{}: body larger than {} cap (raise fetch.max_body_bytes "
                                 "in the source file)",
                                 target, describe_bytes(request.max_body_bytes)),
                     false};
      }
      break;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
      return Error{ErrorCode::kNetwork,
                   fmt::format("{}: connection broke off ({})", target, reason), true};
    case CURLE_FAILED_INIT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_UNKNOWN_OPTION:
    case CURLE_OUT_OF_MEMORY:
      return Error{ErrorCode::kInternal, fmt::format("{}: libcurl: {}", target, reason), false};
    default:
      break;
  }
  if (is_tls_error(code)) {
    // A handshake that breaks off can be transient; a certificate that does not verify is
    // not, and verification is never switched off to get past it.
    return Error{ErrorCode::kTls, fmt::format("{}: TLS failed ({})", target, reason),
                 code == CURLE_SSL_CONNECT_ERROR};
  }
  return Error{ErrorCode::kNetwork, fmt::format("{}: {}", target, reason), true};
}

bool is_http_url(std::string_view url) {
  return starts_with_icase(url, "http://") || starts_with_icase(url, "https://");
}

// Header values come from the config or from a previous response; a line break in one
// would start a second header, so such a value is not sent at all.
void add_header(curl_slist*& list, bool& ok, std::string_view name,
                const std::optional<std::string>& value) {
  if (!ok || !value || value->empty() || has_control_chars(*value)) {
    return;
  }
  const std::string line = fmt::format("{}: {}", name, *value);
  curl_slist* appended = curl_slist_append(list, line.c_str());
  if (appended == nullptr) {
    ok = false;
    return;
  }
  list = appended;
}

// RFC 9110 token characters: what a header name may consist of.
bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
    return true;
  }
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_header_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), is_token_char);
}

// "https://Host:8080/path" -> "https://host:8080": whether a redirect stays with the host
// the request's credentials were meant for.
std::string origin_of(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return {};
  }
  const std::size_t host_end = url.find_first_of("/?#", scheme_end + 3);
  std::string origin(url.substr(0, host_end));
  std::transform(origin.begin(), origin.end(), origin.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  return origin;
}

bool is_redirect_status(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

CurlGlobal::CurlGlobal() {
  // A failure here cannot be reported from a constructor; curl_easy_init() then fails
  // too, and CurlFetcher::create() reports that.
  curl_global_init(CURL_GLOBAL_DEFAULT);
}

CurlGlobal::~CurlGlobal() { curl_global_cleanup(); }

struct CurlFetcher::Impl {
  // One easy handle per fetcher, kept across fetches so its connection and DNS caches
  // survive curl_easy_reset(): the same host is polled again and again.
  CurlEasy easy{};
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
};

CurlFetcher::CurlFetcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

CurlFetcher::~CurlFetcher() = default;

Result<std::unique_ptr<CurlFetcher>> CurlFetcher::create() {
  auto impl = std::make_unique<Impl>();
  impl->easy.reset(curl_easy_init());
  if (!impl->easy) {
    return fail(ErrorCode::kInternal,
                "curl_easy_init failed (out of memory, or libcurl could not initialise)");
  }
  // The constructor is private, so make_unique cannot reach it; the pointer is owned at once.
  return std::unique_ptr<CurlFetcher>(new CurlFetcher(std::move(impl)));
}

Result<FetchResponse> CurlFetcher::fetch(const FetchRequest& request) {
  return fetch_hop(request, 0);
}

Result<FetchResponse> CurlFetcher::fetch_hop(const FetchRequest& request, long prior_hops) {
  const std::string& url = request.url;
  const bool post = request.method == "POST";
  if (!post && request.method != "GET") {
    return fail(ErrorCode::kConfig,
                fmt::format("{} {}: herald only sends GET and POST requests",
                            printable(request.method, 16), url));
  }
  const std::string target = fmt::format("{} {}", request.method, url);
  if (!is_http_url(url)) {
    return fail(ErrorCode::kConfig,
                fmt::format("{}: only http:// and https:// URLs can be fetched", target));
  }
  for (const auto& [name, value] : request.headers) {
    // The value may be a secret (an API token): it never goes into a message.
    if (!is_header_name(name) || has_control_chars(value)) {
      return fail(ErrorCode::kConfig,
                  fmt::format("{}: request header '{}' has an invalid name or a line break in "
                              "its value; nothing was sent",
                              target, printable(name, 64)));
    }
  }

  CURL* const curl = impl_->easy.get();
  curl_easy_reset(curl);
  impl_->error_buffer.fill('\0');

  Transfer transfer;
  transfer.max_body_bytes = request.max_body_bytes;
  transfer.cancel = request.cancel;
  transfer.curl = curl;
  transfer.prior_hops = prior_hops;
  transfer.allow_internal = request.internal;

  // Zero or negative values mean "no limit" to libcurl; herald always wants a limit.
  const auto timeout = std::max(request.timeout, std::chrono::seconds{1});
  const auto connect_timeout = std::max(request.connect_timeout, std::chrono::seconds{1});
  const auto low_speed_time = std::min(timeout, kMaxLowSpeedTime);
  const long max_redirects = std::clamp(request.max_redirects, 0, kMaxRedirects);
  const auto max_file_size = static_cast<curl_off_t>(std::min<std::size_t>(
      request.max_body_bytes, static_cast<std::size_t>(std::numeric_limits<curl_off_t>::max())));
  const std::string user_agent =
      request.user_agent.empty() ? std::string(kDefaultUserAgent) : request.user_agent;

  curl_slist* raw_headers = nullptr;
  bool headers_ok = true;
  add_header(raw_headers, headers_ok, "Accept", std::string(kAccept));
  add_header(raw_headers, headers_ok, "If-None-Match", request.etag);
  add_header(raw_headers, headers_ok, "If-Modified-Since", request.last_modified);
  add_header(raw_headers, headers_ok, "Referer", request.referer);
  add_header(raw_headers, headers_ok, "Accept-Language", request.accept_language);
  if (post) {
    add_header(raw_headers, headers_ok, "Content-Type",
               request.body_content_type.empty()
                   ? std::string("application/x-www-form-urlencoded")
                   : request.body_content_type);
    // "Expect:" with no value stops libcurl's 100-continue round trip, which some
    // government servers never answer.
    if (headers_ok) {
      curl_slist* appended = curl_slist_append(raw_headers, "Expect:");
      headers_ok = appended != nullptr;
      raw_headers = appended != nullptr ? appended : raw_headers;
    }
  }
  for (const auto& [name, value] : request.headers) {
    add_header(raw_headers, headers_ok, name, value);
  }
  const CurlHeaderList headers(raw_headers);
  if (!headers_ok) {
    return fail(ErrorCode::kInternal, fmt::format("{}: out of memory building headers", target));
  }

  // Options that cannot fail on a libcurl this new are still checked: a failure would
  // mean a cap is silently missing.
  CURLcode setup = CURLE_OK;
  auto set = [&](CURLoption option, auto value) {
    if (setup == CURLE_OK) {
      setup = curl_easy_setopt(curl, option, value);
    }
  };
  set(CURLOPT_ERRORBUFFER, impl_->error_buffer.data());
  set(CURLOPT_URL, url.c_str());
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  // libcurl would repeat a POST on 307/308; herald follows a POST's redirect itself, as a GET.
  set(CURLOPT_FOLLOWLOCATION, post ? 0L : 1L);
  set(CURLOPT_MAXREDIRS, max_redirects);
  set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout.count() * 1000));
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count() * 1000));
  // Without this, libcurl 7.88 waits for a resolver thread stuck on a DNS server that never
  // answers (resolv.conf's timeout × attempts) after the request has already timed out: a
  // hung resolver would hold the poll far past the source's timeout. The thread is left to
  // end on its own.
  set(CURLOPT_QUICK_EXIT, 1L);
  set(CURLOPT_LOW_SPEED_LIMIT, kLowSpeedBytesPerSecond);
  set(CURLOPT_LOW_SPEED_TIME, static_cast<long>(low_speed_time.count()));
  set(CURLOPT_ACCEPT_ENCODING, kAcceptEncoding);
  set(CURLOPT_MAXFILESIZE_LARGE, max_file_size);
  // Proxies come from the daemon's config if ever needed, never from *_proxy env vars.
  set(CURLOPT_PROXY, "");
  set(CURLOPT_USERAGENT, user_agent.c_str());
  set(CURLOPT_HTTPHEADER, headers.get());
  set(CURLOPT_HEADERFUNCTION, &header_callback);
  set(CURLOPT_HEADERDATA, static_cast<void*>(&transfer));
  set(CURLOPT_WRITEFUNCTION, &write_callback);
  set(CURLOPT_WRITEDATA, static_cast<void*>(&transfer));
  if (post) {
    // Size first: with it set, POSTFIELDS may hold NUL bytes. The body outlives the perform.
    set(CURLOPT_POST, 1L);
    set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    set(CURLOPT_POSTFIELDS, request.body.c_str());
  }
  set(CURLOPT_XFERINFOFUNCTION, &progress_callback);
  set(CURLOPT_XFERINFODATA, static_cast<void*>(&transfer));
  set(CURLOPT_NOPROGRESS, 0L);
  set(CURLOPT_OPENSOCKETFUNCTION, &opensocket_callback);
  set(CURLOPT_OPENSOCKETDATA, static_cast<void*>(&transfer));
  set(CURLOPT_PREREQFUNCTION, &prereq_callback);
  set(CURLOPT_PREREQDATA, static_cast<void*>(&transfer));
  if (setup != CURLE_OK) {
    return fail(ErrorCode::kInternal,
                fmt::format("{}: libcurl refused an option: {}", target,
                            curl_easy_strerror(setup)));
  }

  const CURLcode code = curl_easy_perform(curl);

  // The handle keeps pointers to `headers`, `transfer` and the body; drop them before they
  // die so a later curl_easy_reset()/cleanup can never touch freed memory.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  if (post) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, nullptr);
  }

  if (transfer.out_of_memory) {
    return fail(ErrorCode::kInternal, fmt::format("{}: out of memory while receiving", target));
  }

  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);

  if (code != CURLE_OK) {
    if (status >= 400 && is_body_phase_error(code, transfer)) {
      return fail(status_error(target, status, transfer));
    }
    return fail(transport_error(target, code, impl_->error_buffer.data(), request, transfer));
  }

  if (post && is_redirect_status(status)) {
    char* location = nullptr;
    if (curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &location) == CURLE_OK &&
        location != nullptr) {
      if (max_redirects <= 0) {
        return fail(ErrorCode::kRedirectLimit,
                    fmt::format("{}: more than {} redirects", target, max_redirects));
      }
      if (!is_http_url(location)) {
        return fail(ErrorCode::kBlockedRedirect,
                    fmt::format("{}: redirected to a scheme herald does not fetch, only http "
                                "and https",
                                target));
      }
      FetchRequest follow = request;
      follow.url = location;
      follow.method = "GET";
      follow.body.clear();
      follow.body_content_type.clear();
      follow.max_redirects = static_cast<int>(max_redirects) - 1;
      // Credentials were meant for the host that was asked, not for wherever it points.
      if (origin_of(follow.url) != origin_of(url)) {
        follow.headers.clear();
      }
      return fetch_hop(follow, prior_hops + 1);
    }
  }

  if (status == 304 || (status >= 200 && status < 300)) {
    FetchResponse response;
    response.status = status;
    char* effective_url = nullptr;
    if (curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &effective_url) == CURLE_OK &&
        effective_url != nullptr) {
      response.final_url = effective_url;
    } else {
      response.final_url = url;
    }
    response.content_type = transfer.content_type.value_or("");
    response.body = std::move(transfer.body);
    response.etag = std::move(transfer.etag);
    response.last_modified = std::move(transfer.last_modified);
    response.headers = std::move(transfer.headers);
    return response;
  }
  return fail(status_error(target, status, transfer));
}

}  // namespace herald
