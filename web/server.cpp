#include "web/server.h"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <thread>

#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include "common/log_format.h"
#include "common/text.h"
#include "common/timezone.h"
#include "web/app.h"
#include "web/discover_pages.h"
#include "web/metrics.h"
#include "web/repair_pages.h"

namespace herald::web {
namespace {

namespace mustache = kainjow::mustache;

constexpr std::size_t kMaxNameBytes = 64;
constexpr std::size_t kMaxPasswordBytes = 1024;
// A session's last_seen_at is written at most this often: every page view would
// otherwise be a database write.
constexpr std::int64_t kTouchEverySeconds = 60;

bool is_json_content_type(const httplib::Request& request) {
  std::string type = request.get_header_value("Content-Type");
  type = to_lower_ascii(type.substr(0, type.find(';')));
  return collapse_whitespace(type) == "application/json";
}

bool changes_state(const httplib::Request& request) {
  return request.method != "GET" && request.method != "HEAD";
}

// The value of form field `name` in an application/x-www-form-urlencoded body: never the
// query string, which httplib's get_param_value merges in (a token in a URL leaks through
// logs, history and Referer).
std::string form_value(const httplib::Request& request, const std::string& name) {
  std::string type = request.get_header_value("Content-Type");
  type = to_lower_ascii(collapse_whitespace(type.substr(0, type.find(';'))));
  if (type != "application/x-www-form-urlencoded") {
    return {};
  }
  httplib::Params fields;
  httplib::detail::parse_query_text(request.body, fields);
  auto it = fields.find(name);
  return it == fields.end() ? std::string() : it->second;
}

// ---- bounded reading -------------------------------------------------------
//
// httplib 0.11.4 (Debian 12) checks payload_max_length only against a Content-Length: a
// chunked body is read whole into memory first, and a request line or header line is read
// until its newline however long it is (measured: 200 MB of header line, 200 MB more RSS).
// So the server reads every connection through BudgetStream, which gives each request a
// byte budget: the head (request line and headers) max_head_bytes, then the body
// max_body_bytes plus room for chunked framing. Past the budget a read fails, and httplib
// answers or drops the connection instead of reading on. The routes' bounded readers
// (App::bounded) refuse a body with 413 as soon as its decoded size passes max_body_bytes.

class BudgetStream final : public httplib::Stream {
 public:
  BudgetStream(socket_t sock, const ServerLimits& limits)
      : sock_(sock),
        head_budget_(limits.max_head_bytes),
        // Room for chunk-size lines and CRLFs on top of the body; a client sending tiny
        // chunks runs out sooner, which is its problem.
        body_budget_(limits.max_body_bytes + limits.max_head_bytes),
        read_timeout_ms_(static_cast<int>(
            std::chrono::duration_cast<std::chrono::milliseconds>(limits.read_timeout).count())),
        write_timeout_ms_(static_cast<int>(
            std::chrono::duration_cast<std::chrono::milliseconds>(limits.write_timeout).count())) {
    // A send on this blocking socket waits for buffer space at most the write timeout,
    // even for a response larger than the buffer (a client that stops reading).
    timeval timeout{.tv_sec = static_cast<time_t>(write_timeout_ms_ / 1000),
                    .tv_usec = static_cast<suseconds_t>(write_timeout_ms_ % 1000 * 1000)};
    ::setsockopt(sock_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  }

  void start_head() {
    budget_ = head_budget_;
    close_after_response_ = false;
  }
  void start_body() { budget_ = body_budget_; }
  bool exhausted() const { return exhausted_; }
  // The connection ends after the current response (a refused body is not read on).
  void close_after_response() { close_after_response_ = true; }
  bool closing() const { return close_after_response_ || exhausted_; }
  // Bytes of the next (pipelined) request already read from the socket.
  bool has_buffered() const { return pos_ < len_; }

  bool is_readable() const override { return pos_ < len_ || wait(POLLIN, read_timeout_ms_); }
  bool is_writable() const override { return wait(POLLOUT, write_timeout_ms_); }

  ssize_t read(char* ptr, size_t size) override {
    if (size == 0) {
      return 0;
    }
    if (pos_ == len_) {
      if (budget_ == 0) {
        exhausted_ = true;
        return -1;
      }
      if (!wait(POLLIN, read_timeout_ms_)) {
        return -1;
      }
      ssize_t n = 0;
      do {
        n = ::recv(sock_, buffer_.data(), std::min(buffer_.size(), budget_), 0);
      } while (n < 0 && errno == EINTR);
      if (n <= 0) {
        return n;
      }
      budget_ -= static_cast<std::size_t>(n);
      pos_ = 0;
      len_ = static_cast<std::size_t>(n);
    }
    const std::size_t n = std::min(size, len_ - pos_);
    std::copy_n(buffer_.data() + pos_, n, ptr);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!wait(POLLOUT, write_timeout_ms_)) {
      return -1;
    }
    ssize_t n = 0;
    do {
      n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    address_of(true, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    address_of(false, ip, port);
  }
  socket_t socket() const override { return sock_; }

 private:
  bool wait(short events, int timeout_ms) const {
    pollfd fd{.fd = sock_, .events = events, .revents = 0};
    int ready = 0;
    do {
      ready = ::poll(&fd, 1, timeout_ms);
    } while (ready < 0 && errno == EINTR);
    return ready > 0 && (fd.revents & (events | POLLHUP)) != 0 && (fd.revents & POLLNVAL) == 0;
  }

  void address_of(bool peer, std::string& ip, int& port) const {
    sockaddr_storage address{};
    socklen_t size = sizeof(address);
    auto* raw = reinterpret_cast<sockaddr*>(&address);
    if ((peer ? ::getpeername(sock_, raw, &size) : ::getsockname(sock_, raw, &size)) != 0) {
      return;
    }
    std::array<char, INET6_ADDRSTRLEN> text{};
    if (address.ss_family == AF_INET) {
      const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
      inet_ntop(AF_INET, &v4->sin_addr, text.data(), text.size());
      port = ntohs(v4->sin_port);
    } else if (address.ss_family == AF_INET6) {
      const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
      inet_ntop(AF_INET6, &v6->sin6_addr, text.data(), text.size());
      port = ntohs(v6->sin6_port);
    }
    ip = text.data();
  }

  socket_t sock_;
  std::size_t head_budget_;
  std::size_t body_budget_;
  int read_timeout_ms_;
  int write_timeout_ms_;
  std::size_t budget_ = 0;
  bool exhausted_ = false;
  bool close_after_response_ = false;
  std::array<char, 4096> buffer_{};
  std::size_t pos_ = 0;
  std::size_t len_ = 0;
};

// The stream of the request this worker thread is serving, for the routes' bounded readers.
thread_local BudgetStream* current_stream = nullptr;

// httplib::Server reading every connection through a BudgetStream. process_request is
// httplib's own request handling; only the per-connection loop around it is ours (the
// keep-alive rules are httplib's: at most keep_alive_max_count requests, each waited for
// at most keep_alive_timeout).
class BoundedServer final : public httplib::Server {
 public:
  explicit BoundedServer(const ServerLimits& limits) : limits_(limits) {}

 private:
  bool process_and_close_socket(socket_t sock) override {
    BudgetStream stream(sock, limits_);
    current_stream = &stream;
    bool ok = true;
    for (std::size_t left = keep_alive_max_count_;
         left > 0 && (stream.has_buffered() || next_request_arrives(sock)); --left) {
      stream.start_head();
      bool connection_closed = false;
      ok = process_request(stream, left == 1, connection_closed,
                           [&stream](httplib::Request&) { stream.start_body(); });
      if (!ok || connection_closed || stream.closing()) {
        break;
      }
    }
    current_stream = nullptr;
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    return ok;
  }

  // Waits for the next request's first byte, at most keep_alive_timeout, and not past a
  // stop() (which invalidates svr_sock_).
  bool next_request_arrives(socket_t sock) const {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(keep_alive_timeout_sec_);
    while (svr_sock_ != INVALID_SOCKET) {
      pollfd fd{.fd = sock, .events = POLLIN, .revents = 0};
      const int ready = ::poll(&fd, 1, 50);
      if (ready > 0) {
        return (fd.revents & POLLNVAL) == 0;
      }
      if (ready < 0 && errno != EINTR) {
        return false;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        return false;
      }
    }
    return false;
  }

  ServerLimits limits_;
};

void refuse_body(httplib::Response& response, int status, const std::string& message) {
  response.status = status;
  response.set_content(message + "\n", "text/plain; charset=utf-8");
  if (current_stream != nullptr) {
    current_stream->close_after_response();
  }
}

}  // namespace

std::filesystem::path default_assets_dir() {
  // A checkout (or build tree) first, then where `cmake --install` and the package put it.
  const std::filesystem::path checkout = HERALD_WEB_SOURCE_DIR;
  std::error_code ec;
  if (std::filesystem::exists(checkout / "templates" / "layout.mustache", ec)) {
    return checkout;
  }
  return "/usr/share/herald/web";
}

// ---- App -------------------------------------------------------------------

App::App(WebSettings settings, WebDeps deps, ServerLimits limits, Store store,
         Templates templates)
    : settings_(std::move(settings)),
      deps_(std::move(deps)),
      limits_(limits),
      store_(std::move(store)),
      templates_(std::move(templates)),
      throttle_(limits.login) {
  if (deps_.clock == nullptr) {
    deps_.clock = &system_clock_;
  }
  for (const std::string& proxy : settings_.trusted_proxies) {
    if (auto network = parse_network(proxy)) {
      trusted_proxies_.push_back(*network);
    }
  }
  // Made once, with the same parameters as every real hash, of a password nobody knows.
  if (deps_.hash_password) {
    dummy_hash_ = deps_.hash_password(random_token());
  }
  if (dummy_hash_.empty()) {
    dummy_hash_ = "unknown-user:" + random_token();
  }
  if (deps_.evidence_dir.empty()) {
    deps_.evidence_dir = deps_.database.parent_path() / "evidence";
  }
}

std::string App::cookie_name() const {
  // The __Host- prefix makes browsers refuse the cookie unless it is Secure, host-only
  // and Path=/; it needs https, so plain loopback HTTP uses the bare name.
  return policy_.secure_cookies ? "__Host-herald_sid" : "herald_sid";
}

std::string App::client_address(const httplib::Request& request) const {
  return web::client_address(trusted_proxies_, request);
}

void App::get(httplib::Server& server, const std::string& pattern,
              httplib::Server::Handler handler) {
  routes_.push_back({.method = "GET", .pattern = pattern});
  server.Get(pattern, std::move(handler));
}

void App::post(httplib::Server& server, const std::string& pattern,
               httplib::Server::Handler handler) {
  routes_.push_back({.method = "POST", .pattern = pattern});
  server.Post(pattern, bounded(std::move(handler)));
}

void App::patch(httplib::Server& server, const std::string& pattern,
                httplib::Server::Handler handler) {
  routes_.push_back({.method = "PATCH", .pattern = pattern});
  server.Patch(pattern, bounded(std::move(handler)));
}

httplib::Server::HandlerWithContentReader App::bounded(httplib::Server::Handler handler) const {
  const std::size_t limit = limits_.max_body_bytes;
  return [limit, handler = std::move(handler)](const httplib::Request& request,
                                               httplib::Response& response,
                                               const httplib::ContentReader& reader) {
    std::string body;
    bool too_large = false;
    const bool read = reader([&](const char* data, std::size_t size) {
      if (size > limit - body.size()) {
        too_large = true;
        return false;  // stop reading: the rest of the body never reaches memory
      }
      body.append(data, size);
      return true;
    });
    if (too_large || (current_stream != nullptr && current_stream->exhausted())) {
      refuse_body(response, 413,
                  fmt::format("request body too large (at most {} bytes)", limit));
      return;
    }
    if (!read) {
      refuse_body(response, 400, "the request body could not be read");
      return;
    }
    // httplib fills body and form fields only for routes it reads itself.
    httplib::Request with_body = request;
    with_body.body = std::move(body);
    std::string type = with_body.get_header_value("Content-Type");
    type = to_lower_ascii(collapse_whitespace(type.substr(0, type.find(';'))));
    if (type == "application/x-www-form-urlencoded") {
      httplib::detail::parse_query_text(with_body.body, with_body.params);
    }
    handler(with_body, response);
  };
}

std::optional<Principal> App::authenticate(const httplib::Request& request) {
  auto token = cookie_value(request, cookie_name());
  if (!token || token->size() != 64) {
    return std::nullopt;
  }
  const std::string token_hash = sha256_hex(*token);
  const std::int64_t now_utc = now();
  return with_store([&](Store& store) -> std::optional<Principal> {
    auto session = store.find_session(token_hash);
    if (!session || !*session) {
      return std::nullopt;
    }
    const auto idle = settings_.session_idle_timeout.count();
    const auto absolute = settings_.session_absolute_timeout.count();
    if (now_utc - (*session)->last_seen_at >= idle || now_utc - (*session)->created_at >= absolute) {
      (void)store.delete_session(token_hash);
      return std::nullopt;
    }
    auto user = store.find_user_by_id((*session)->user_id);
    if (!user || !*user || (*user)->disabled) {
      (void)store.delete_session(token_hash);
      return std::nullopt;
    }
    if (now_utc - (*session)->last_seen_at >= kTouchEverySeconds) {
      (void)store.touch_session(token_hash, now_utc);
    }
    return Principal{.user = std::move(**user), .session = std::move(**session)};
  });
}

httplib::Server::Handler App::guard(Surface surface, Access access, Handler handler) {
  return [this, surface, access, handler = std::move(handler)](const httplib::Request& request,
                                                               httplib::Response& response) {
    const bool api = surface == Surface::kApi;
    // A cross-site state change is refused before anything else, signed in or not (a
    // SameSite=Strict cookie is not even sent with it).
    if (changes_state(request) && !same_origin_request(policy_, request)) {
      api ? json_error(response, 403, "cross-site request refused")
          : error_page(response, 403, "跨站请求已被拒绝", nullptr);
      return;
    }
    auto principal = authenticate(request);
    if (!principal) {
      if (api) {
        json_error(response, 401, "not signed in");
      } else {
        see_other(response, "/login");
      }
      return;
    }
    if (access == Access::kAdmin && principal->user.role != Role::kAdmin) {
      api ? json_error(response, 403, "admin role required")
          : error_page(response, 403, "只有管理员可以执行此操作", &*principal);
      return;
    }
    if (changes_state(request)) {
      if (api && !is_json_content_type(request)) {
        json_error(response, 415, "send Content-Type: application/json");
        return;
      }
      // The header (API and scripts) or the form body (pages), never the query string.
      const std::string token = request.has_header("X-CSRF-Token")
                                    ? request.get_header_value("X-CSRF-Token")
                                    : (api ? std::string() : form_value(request, "csrf"));
      if (!constant_time_equal(token, principal->session.csrf_token)) {
        api ? json_error(response, 403, "missing or wrong X-CSRF-Token")
            : error_page(response, 403, "表单已过期，请返回后刷新页面再试", &*principal);
        return;
      }
    }
    handler(request, response, *principal);
  };
}

void App::handle_login(const httplib::Request& request, httplib::Response& response) {
  auto login_page = [&](int status, const std::string& message, const std::string& name) {
    mustache::data data;
    data.set("page_title", "登录");
    data.set("error", message);
    data.set("has_error", !message.empty());
    data.set("name", name);
    render(response, "login", std::move(data), nullptr, status);
  };
  if (!same_origin_request(policy_, request)) {
    login_page(403, "跨站请求已被拒绝", "");
    return;
  }
  // From the form body only: a password in a URL ends up in logs and history.
  const std::string name = form_value(request, "name");
  const std::string password = form_value(request, "password");
  if (name.empty() || name.size() > kMaxNameBytes || password.size() > kMaxPasswordBytes ||
      !is_valid_utf8(name)) {
    login_page(400, "请输入用户名和密码", "");
    return;
  }
  const auto steady_now = clock().now_steady();
  const std::string address = client_address(request);
  auto user = with_store([&](Store& store) { return store.find_user(name); });
  if (!user) {
    spdlog::error("stage=web login: {}", user.error().message);
    login_page(500, "服务器错误，请稍后再试", name);
    return;
  }
  if (const auto wait = throttle_.wait(name, address, steady_now); wait.count() > 0) {
    spdlog::warn("stage=web login throttled from {} user={} retry_after={}s", address,
                 quoted_for_log(name), wait.count());
    response.set_header("Retry-After", std::to_string(wait.count()));
    login_page(429,
               wait.count() < 120
                   ? fmt::format("登录失败次数过多，请 {} 秒后再试", wait.count())
                   : fmt::format("登录失败次数过多，请 {} 分钟后再试", (wait.count() + 59) / 60),
               name);
    return;
  }
  // An unknown name is checked against the dummy hash, so it costs the same Argon2id
  // verification as a known one: the answer's timing does not tell which names exist.
  const std::string& hash = *user ? (*user)->password_hash : dummy_hash_;
  const bool password_ok = deps_.verify_password(hash, password);
  if (!*user || !password_ok || (*user)->disabled) {
    login_failed(address, name,
                 !*user ? "unknown-user" : !password_ok ? "bad-password" : "disabled");
    // The same answer in every case: which names exist, or are disabled, is not told.
    login_page(401, "用户名或密码错误", name);
    return;
  }
  // Hashes made with weaker limits than today's are upgraded while the password is at hand.
  if (deps_.password_needs_rehash && deps_.hash_password &&
      deps_.password_needs_rehash((*user)->password_hash)) {
    const std::string upgraded = deps_.hash_password(password);
    if (!upgraded.empty()) {
      auto saved = with_store([&](Store& store) {
        return store.upgrade_password_hash((*user)->id, (*user)->password_hash, upgraded);
      });
      if (!saved) {
        spdlog::warn("stage=web login: could not upgrade the password hash of {}: {}",
                     quoted_for_log(name), saved.error().message);
      }
    }
  }

  // A fresh session id on every login: a token planted before login is never promoted.
  const std::string token = random_token();
  const std::int64_t now_utc = now();
  Session session{.token_hash = sha256_hex(token),
                  .user_id = (*user)->id,
                  .csrf_token = random_token(),
                  .created_at = now_utc,
                  .last_seen_at = now_utc};
  auto created = with_store([&](Store& store) -> Result<void> {
    if (auto old = cookie_value(request, cookie_name())) {
      (void)store.delete_session(sha256_hex(*old));
    }
    (void)store.expire_sessions(now_utc - settings_.session_idle_timeout.count(),
                                now_utc - settings_.session_absolute_timeout.count());
    return store.create_session(session);
  });
  if (!created) {
    spdlog::error("stage=web login: {}", created.error().message);
    login_page(500, "服务器错误，请稍后再试", name);
    return;
  }
  response.set_header("Set-Cookie",
                      fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict{}", cookie_name(),
                                  token, policy_.secure_cookies ? "; Secure" : ""));
  see_other(response, "/queue");
}

void App::login_failed(const std::string& address, const std::string& name,
                       const char* reason) {
  throttle_.record_failure(name, address, clock().now_steady());
  // One line per failure in a fixed form that fail2ban matches (docs/service.md): the
  // address comes before anything the client chose, and the name is quoted and cleaned.
  spdlog::warn("stage=web login failed from {} user={} reason={}", address,
               quoted_for_log(name), reason);
}

void App::handle_logout(const httplib::Request& request, httplib::Response& response) {
  if (auto token = cookie_value(request, cookie_name())) {
    with_store([&](Store& store) { return store.delete_session(sha256_hex(*token)); });
  }
  response.set_header("Set-Cookie",
                      fmt::format("{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
                                  cookie_name(), policy_.secure_cookies ? "; Secure" : ""));
  see_other(response, "/login");
}

void App::render(httplib::Response& response, const std::string& page, mustache::data data,
                 const Principal* principal, int status) {
  data.set("zone_label", zone_label());
  if (principal != nullptr) {
    data.set("signed_in", true);
    data.set("user_name", principal->user.name);
    data.set("role_label", principal->user.role == Role::kAdmin ? "管理员" : "编辑");
    data.set("is_admin", principal->user.role == Role::kAdmin);
    data.set("csrf", principal->session.csrf_token);
  } else {
    data.set("signed_in", false);
    data.set("csrf", "");
  }
  response.status = status;
  response.set_content(templates_.render_page(page, std::move(data)), "text/html; charset=utf-8");
}

void App::error_page(httplib::Response& response, int status, const std::string& message,
                     const Principal* principal) {
  mustache::data data;
  data.set("page_title", "出错了");
  data.set("status", std::to_string(status));
  data.set("message", message);
  render(response, "error", std::move(data), principal, status);
}

void App::not_found_page(const httplib::Request& request, httplib::Response& response) {
  const std::optional<Principal> principal = authenticate(request);
  error_page(response, 404, "没有这个页面：地址可能有误，或页面已移除",
             principal ? &*principal : nullptr);
}

void App::json(httplib::Response& response, const std::string& dumped, int status) {
  std::string safe;
  safe.reserve(dumped.size());
  // These bytes occur only inside JSON strings, where \u escapes mean the same.
  for (char c : dumped) {
    switch (c) {
      case '<': safe += "\\u003c"; break;
      case '>': safe += "\\u003e"; break;
      case '&': safe += "\\u0026"; break;
      default: safe.push_back(c);
    }
  }
  response.status = status;
  response.set_content(safe, "application/json; charset=utf-8");
}

namespace {

// The API's own refusals: a stable English `code` for scripts, and the `error` text in
// Chinese for the people who read it (the UI's language). Messages not listed (the shared
// checks of filters and edits) are already Chinese and keep code "invalid" or "error".
struct ApiMessage {
  std::string_view english;
  std::string_view code;
  std::string_view chinese;
};
constexpr ApiMessage kApiMessages[] = {
    {"not signed in", "not_signed_in", "未登录或会话已过期，请重新登录"},
    {"cross-site request refused", "cross_site", "跨站请求已被拒绝"},
    {"admin role required", "admin_required", "只有管理员可以执行此操作"},
    {"send Content-Type: application/json", "content_type",
     "请以 Content-Type: application/json 发送请求体"},
    {"missing or wrong X-CSRF-Token", "csrf", "缺少 X-CSRF-Token 或其值不对，请刷新页面后重试"},
    {"no such endpoint", "not_found", "没有这个接口"},
    {"request refused", "refused", "请求被拒绝"},
    {"no such candidate", "no_candidate", "没有这个条目"},
    {"internal error", "internal", "服务器内部错误，请稍后再试；如反复出现，请联系管理员"},
    {"state must be accepted, rejected or pending", "bad_state",
     "state 应为 accepted（采用）、rejected（拒绝）或 pending（待审）"},
    {"reason is too long or not UTF-8 text", "bad_reason", "理由过长或不是 UTF-8 文本"},
    {"give month=YYYY-MM and format=md or html", "bad_export",
     "请给出 month=YYYY-MM 和 format=md 或 html"},
    {"export is not configured", "export_unconfigured", "导出功能未配置"},
    {"the body must be a JSON object", "bad_body", "请求体应为 JSON 对象"},
    {"unknown field; editable: title, summary, section, commentary, position, legal",
     "unknown_field", "未知字段；可修改：title、summary、section、commentary、position、legal"},
};

std::string json_escaped(std::string_view text) {
  std::string escaped;
  for (char c : text) {
    if (c == '"' || c == '\\') {
      escaped.push_back('\\');
    }
    if (static_cast<unsigned char>(c) >= 0x20) {
      escaped.push_back(c);
    }
  }
  return escaped;
}

}  // namespace

void App::json_error(httplib::Response& response, int status, const std::string& message) {
  std::string_view code = status >= 500 ? "error" : "invalid";
  std::string_view text = message;
  if (status == 404) {
    // The store's "not found" is worded for the CLI, in English.
    code = "not_found";
    text = "没有找到所请求的条目或资源";
  }
  for (const ApiMessage& known : kApiMessages) {
    if (known.english == message) {
      code = known.code;
      text = known.chinese;
      break;
    }
  }
  // The message is one of ours, but escape it as JSON all the same.
  json(response,
       fmt::format(R"({{"error":"{}","code":"{}"}})", json_escaped(text), json_escaped(code)),
       status);
}

void App::see_other(httplib::Response& response, const std::string& local_path) {
  // Only our own absolute paths; "//host" would be another site.
  const bool local = local_path.starts_with("/") && !local_path.starts_with("//") &&
                     local_path.find_first_of("\r\n\\") == std::string::npos;
  response.status = 303;
  response.set_header("Location", local ? local_path : "/");
}

const SourceConfig* App::source(const std::string& id) const {
  for (const SourceConfig& source : deps_.sources) {
    if (source.id == id) {
      return &source;
    }
  }
  return nullptr;
}

std::string App::source_name(const std::string& id) const {
  const SourceConfig* config = source(id);
  return config != nullptr && !config->name.empty() ? config->name : id;
}

App::LocalTime App::local_time(std::int64_t utc, const std::string& source_id) const {
  const SourceConfig* config = source(source_id);
  const int offset = config != nullptr ? config->timezone.offset_at_utc(utc)
                                       : deps_.utc_offset_seconds;
  const std::int64_t local = utc + offset;
  std::int64_t days = local / 86400;
  std::int64_t seconds = local % 86400;
  if (seconds < 0) {
    seconds += 86400;
    --days;
  }
  return LocalTime{.date = civil_from_days(days), .seconds = seconds, .offset = offset};
}

std::string App::format_time(std::int64_t utc, const std::string& source_id,
                             bool with_time) const {
  // A moment (a poll, a decision, a session) is shown in the desk's zone, so that polls
  // made at one instant read the same on every row; a date alone (what a site printed)
  // stays the source's calendar day, which another zone could move by one.
  const LocalTime t = local_time(utc, with_time ? std::string() : source_id);
  if (!with_time) {
    return fmt::format("{:04}-{:02}-{:02}", t.date.year, t.date.month, t.date.day);
  }
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", t.date.year, t.date.month, t.date.day,
                     t.seconds / 3600, t.seconds % 3600 / 60);
}

std::string App::format_iso(std::int64_t utc, const std::string& source_id) const {
  const LocalTime t = local_time(utc, source_id);
  const int abs_offset = t.offset < 0 ? -t.offset : t.offset;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}", t.date.year,
                     t.date.month, t.date.day, t.seconds / 3600, t.seconds % 3600 / 60,
                     t.seconds % 60, t.offset < 0 ? '-' : '+', abs_offset / 3600,
                     abs_offset % 3600 / 60);
}

std::string App::zone_label() const {
  const int offset = deps_.utc_offset_seconds;
  const int abs_offset = offset < 0 ? -offset : offset;
  return fmt::format("UTC{}{:02}:{:02}", offset < 0 ? '-' : '+', abs_offset / 3600,
                     abs_offset % 3600 / 60);
}

std::string App::format_precise(std::int64_t utc) const {
  // format_iso's fields, spelled for people: "2023-11-07 10:30:05 UTC+08:00".
  std::string iso = format_iso(utc, "");
  iso[10] = ' ';
  return iso.substr(0, 19) + " UTC" + iso.substr(19);
}

std::vector<std::string> App::sections() const { return {kLegalSection, kIndustrySection}; }

// ---- WebServer -------------------------------------------------------------

struct WebServer::Impl {
  WebSettings settings{};
  ServerLimits limits{};
  std::unique_ptr<App> app{};
  std::unique_ptr<BoundedServer> server{};
  int port = -1;
  // run()/stop() handshake: httplib's stop() does nothing before listening has begun.
  std::atomic<bool> run_started{false};
  std::atomic<bool> run_finished{false};
  std::atomic<bool> stop_requested{false};
};

WebServer::WebServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WebServer::~WebServer() {
  if (impl_) {
    impl_->server->stop();
  }
}

Result<std::unique_ptr<WebServer>> WebServer::create(const WebSettings& settings, WebDeps deps,
                                                     const ServerLimits& limits) {
  if (auto ok = check_listen_settings(settings); !ok) {
    return fail(ok.error());
  }
  if (sodium_init() < 0) {
    return fail(ErrorCode::kInternal, "libsodium failed to initialise");
  }
  if (!deps.verify_password) {
    return fail(ErrorCode::kInternal, "the web server needs a password verifier");
  }
  for (const std::string& proxy : settings.trusted_proxies) {
    if (!parse_network(proxy)) {
      return fail(ErrorCode::kConfig,
                  fmt::format("[web] trusted_proxies: '{}' is not an address or CIDR block; "
                              "write e.g. \"127.0.0.1\" or \"10.0.0.0/8\"",
                              log_safe(proxy)));
    }
  }
  const std::filesystem::path assets =
      settings.assets_dir.empty() ? default_assets_dir() : settings.assets_dir;
  auto templates = Templates::load(assets / "templates");
  if (!templates) {
    return fail(templates.error());
  }
  auto store = Store::open(deps.database);
  if (!store) {
    return fail(store.error());
  }

  auto impl = std::make_unique<Impl>();
  impl->settings = settings;
  impl->limits = limits;
  impl->app = std::make_unique<App>(settings, std::move(deps), limits, std::move(*store),
                                    std::move(*templates));
  impl->server = std::make_unique<BoundedServer>(limits);
  App& app = *impl->app;
  httplib::Server& server = *impl->server;

  // httplib's default sets SO_REUSEPORT: a second herald (or anything else) could then bind
  // the same port and silently take half of the editors' connections. SO_REUSEADDR alone
  // still allows a quick restart, and a port in use is an error at bind().
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  // Without TCP_NODELAY, a response on a kept-alive connection waits ~40 ms for Nagle and
  // delayed ACKs to meet: every click in the UI would pay it.
  server.set_tcp_nodelay(true);
  server.set_default_headers(security_headers());
  server.set_read_timeout(limits.read_timeout);
  server.set_write_timeout(limits.write_timeout);
  server.set_keep_alive_timeout(limits.keep_alive_timeout.count());
  server.set_keep_alive_max_count(limits.keep_alive_max_requests);
  server.set_payload_max_length(limits.max_body_bytes);
  const std::size_t threads = limits.worker_threads;
  // httplib's interface: it takes ownership of the raw pointer.
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };

  // Before any route: a request for another Host name is refused (DNS rebinding).
  // Then, still before any body is read or any session looked at, what no route accepts.
  const std::size_t max_body = limits.max_body_bytes;
  server.set_pre_routing_handler([&app, max_body](const httplib::Request& request,
                                                  httplib::Response& response) {
    using Handled = httplib::Server::HandlerResponse;
    if (!host_allowed(app.origin_policy(), request)) {
      response.status = 400;
      response.set_content("bad Host header\n", "text/plain; charset=utf-8");
      return Handled::Handled;
    }
    // httplib decodes the path once; a NUL or control character in it can only be an attack
    // (a file name cut short at the NUL would be served with the type of what follows).
    if (std::any_of(request.path.begin(), request.path.end(), [](char c) {
          return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
        })) {
      refuse_body(response, 400, "bad request path");
      return Handled::Handled;
    }
    if (request.method != "POST" && request.method != "PATCH") {
      if (request.method == "GET" || request.method == "HEAD") {
        return Handled::Unhandled;
      }
      // PUT, DELETE, OPTIONS ...: no route takes them, and httplib would read their body.
      refuse_body(response, 405, "method not allowed");
      return Handled::Handled;
    }
    const std::size_t lengths = request.get_header_value_count("Content-Length");
    const bool chunked = request.has_header("Transfer-Encoding");
    if (chunked && (lengths > 0 ||
                    to_lower_ascii(request.get_header_value("Transfer-Encoding")) != "chunked")) {
      // Both framings at once, or one httplib does not read: the body's end is ambiguous.
      refuse_body(response, 400, "ambiguous request framing");
      return Handled::Handled;
    }
    if (lengths > 1) {
      refuse_body(response, 400, "more than one Content-Length");
      return Handled::Handled;
    }
    if (lengths == 1) {
      const std::string length = request.get_header_value("Content-Length");
      if (length.empty() || length.size() > 19 ||
          length.find_first_not_of("0123456789") != std::string::npos) {
        refuse_body(response, 400, "bad Content-Length");
        return Handled::Handled;
      }
      if (std::stoull(length) > max_body) {
        // Refused without reading a byte of it.
        refuse_body(response, 413, fmt::format("request body too large (at most {} bytes)",
                                               max_body));
        return Handled::Handled;
      }
    }
    if (request.has_header("Content-Encoding") || request.is_multipart_form_data()) {
      // No route takes either, and decompression would multiply the bytes read.
      refuse_body(response, 415, "compressed and multipart request bodies are not accepted");
      return Handled::Handled;
    }
    return Handled::Unhandled;
  });
  server.set_exception_handler([](const httplib::Request& request, httplib::Response& response,
                                  std::exception_ptr error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      spdlog::error("stage=web {} {}: {}", request.method, request.path, e.what());
    } catch (...) {
      spdlog::error("stage=web {} {}: unknown exception", request.method, request.path);
    }
    response.status = 500;
    response.set_content("internal error\n", "text/plain; charset=utf-8");
  });
  server.set_error_handler([&app](const httplib::Request& request, httplib::Response& response) {
    // A body httplib read itself (a route without a bounded reader, or none) that ran past
    // the stream's budget: httplib calls that a failed read (400); it was too large.
    if (current_stream != nullptr && current_stream->exhausted() && response.status == 400 &&
        request.method != "GET" && request.method != "HEAD") {
      response.status = 413;
      response.body.clear();
    }
    // Our own handlers fill their error bodies; this covers 404s and httplib's own errors.
    if (!response.body.empty()) {
      return;
    }
    if (request.path.starts_with("/api/")) {
      app.json_error(response, response.status,
                     response.status == 404 ? "no such endpoint" : "request refused");
    } else if (response.status == 404 && request.method == "GET") {
      app.not_found_page(request, response);
    } else {
      response.set_content(fmt::format("{}\n", response.status), "text/plain; charset=utf-8");
    }
  });

  if (!server.set_mount_point("/assets", (assets / "assets").string())) {
    return fail(ErrorCode::kConfig,
                fmt::format("web assets folder {} is missing", (assets / "assets").string()));
  }
  app.get(server, "/healthz", [&app](const httplib::Request&, httplib::Response& response) {
    app.json(response, R"({"status":"ok"})");
  });
  if (settings.metrics) {
    register_metrics(app, server);  // no session: Prometheus does not log in
  }
  register_pages(app, server);
  register_repair_pages(app, server);  // web/repair_pages.cpp
  register_discover_pages(app, server);  // web/discover_pages.cpp
  register_api(app, server);
  return std::make_unique<WebServer>(std::move(impl));
}

Result<int> WebServer::bind() {
  const WebSettings& settings = impl_->settings;
  int port = settings.port;
  if (port == 0) {
    port = impl_->server->bind_to_any_port(settings.listen_host);
  } else if (!impl_->server->bind_to_port(settings.listen_host, port)) {
    port = -1;
  }
  if (port < 0) {
    return fail(ErrorCode::kConfig,
                fmt::format("cannot listen on {}:{} (address in use or not on this machine); "
                            "change [web] listen_host/port",
                            settings.listen_host, settings.port));
  }
  impl_->port = port;
  impl_->app->set_origin_policy(make_origin_policy(settings, port));
  return port;
}

void WebServer::run() {
  impl_->run_started = true;
  if (!impl_->stop_requested) {
    impl_->server->listen_after_bind();
  }
  impl_->run_finished = true;
}

void WebServer::stop() {
  impl_->stop_requested = true;
  while (impl_->run_started && !impl_->run_finished && !impl_->server->is_running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  impl_->server->stop();
}

bool WebServer::is_running() const { return impl_->server->is_running(); }

const std::vector<RouteEntry>& WebServer::routes() const { return impl_->app->routes(); }

}  // namespace herald::web
