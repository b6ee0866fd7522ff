#include "web/server.h"

#include <atomic>
#include <condition_variable>
#include <thread>

#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include "common/text.h"
#include "common/timezone.h"
#include "web/app.h"
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
      throttle_(limits.login_failures_allowed, limits.login_failure_window) {
  if (deps_.clock == nullptr) {
    deps_.clock = &system_clock_;
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
  return request.remote_addr;
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
    if (!user || !*user) {
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
      const std::string token =
          api ? request.get_header_value("X-CSRF-Token") : request.get_param_value("csrf");
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
  const std::string name = request.get_param_value("name");
  const std::string password = request.get_param_value("password");
  if (name.empty() || name.size() > kMaxNameBytes || password.size() > kMaxPasswordBytes ||
      !is_valid_utf8(name)) {
    login_page(400, "请输入用户名和密码", "");
    return;
  }
  const auto steady_now = clock().now_steady();
  const std::string user_key = "user:" + name;
  const std::string ip_key = "ip:" + client_address(request);
  if (throttle_.blocked(user_key, steady_now) || throttle_.blocked(ip_key, steady_now)) {
    spdlog::warn("stage=web login throttled for a user name after repeated failures");
    login_page(429,
               fmt::format("登录失败次数过多，请 {} 分钟后再试",
                           limits_.login_failure_window.count()),
               name);
    return;
  }
  auto user = with_store([&](Store& store) { return store.find_user(name); });
  if (!user) {
    spdlog::error("stage=web login: {}", user.error().message);
    login_page(500, "服务器错误，请稍后再试", name);
    return;
  }
  const bool ok = *user && deps_.verify_password &&
                  deps_.verify_password((*user)->password_hash, password);
  if (!ok) {
    throttle_.record_failure(user_key, steady_now);
    throttle_.record_failure(ip_key, steady_now);
    login_page(401, "用户名或密码错误", name);
    return;
  }
  throttle_.clear(user_key);
  throttle_.clear(ip_key);

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

void App::json_error(httplib::Response& response, int status, const std::string& message) {
  // The message is one of ours, but escape it as JSON all the same.
  std::string escaped;
  for (char c : message) {
    if (c == '"' || c == '\\') {
      escaped.push_back('\\');
    }
    if (static_cast<unsigned char>(c) >= 0x20) {
      escaped.push_back(c);
    }
  }
  json(response, fmt::format(R"({{"error":"{}"}})", escaped), status);
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
  const LocalTime t = local_time(utc, source_id);
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
  httplib::Server server{};
  int port = -1;
  // run()/stop() handshake: httplib's stop() does nothing before listening has begun.
  std::atomic<bool> run_started{false};
  std::atomic<bool> run_finished{false};
  std::atomic<bool> stop_requested{false};
};

WebServer::WebServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WebServer::~WebServer() {
  if (impl_) {
    impl_->server.stop();
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
  App& app = *impl->app;
  httplib::Server& server = impl->server;

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
  server.set_pre_routing_handler([&app](const httplib::Request& request,
                                        httplib::Response& response) {
    if (!host_allowed(app.origin_policy(), request)) {
      response.status = 400;
      response.set_content("bad Host header\n", "text/plain; charset=utf-8");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
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
    // Our own handlers fill their error bodies; this covers 404s and httplib's own errors.
    if (!response.body.empty()) {
      return;
    }
    if (request.path.starts_with("/api/")) {
      app.json_error(response, response.status,
                     response.status == 404 ? "no such endpoint" : "request refused");
    } else {
      response.set_content(fmt::format("{}\n", response.status), "text/plain; charset=utf-8");
    }
  });

  if (!server.set_mount_point("/assets", (assets / "assets").string())) {
    return fail(ErrorCode::kConfig,
                fmt::format("web assets folder {} is missing", (assets / "assets").string()));
  }
  server.Get("/healthz", [&app](const httplib::Request&, httplib::Response& response) {
    app.json(response, R"({"status":"ok"})");
  });
  if (settings.metrics) {
    register_metrics(app, server);  // no session: Prometheus does not log in
  }
  register_pages(app, server);
  register_repair_pages(app, server);  // web/repair_pages.cpp
  register_api(app, server);
  return std::make_unique<WebServer>(std::move(impl));
}

Result<int> WebServer::bind() {
  const WebSettings& settings = impl_->settings;
  int port = settings.port;
  if (port == 0) {
    port = impl_->server.bind_to_any_port(settings.listen_host);
  } else if (!impl_->server.bind_to_port(settings.listen_host, port)) {
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
    impl_->server.listen_after_bind();
  }
  impl_->run_finished = true;
}

void WebServer::stop() {
  impl_->stop_requested = true;
  while (impl_->run_started && !impl_->run_finished && !impl_->server.is_running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  impl_->server.stop();
}

bool WebServer::is_running() const { return impl_->server.is_running(); }

}  // namespace herald::web
