#pragma once

// Internal to web/: the state the routes share and the access checks every route goes
// through. Not part of the module's interface (see server.h).

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <httplib.h>

#include "common/clock.h"
#include "common/timezone.h"
#include "config/herald_config.h"
#include "storage/store.h"
#include "web/security.h"
#include "web/server.h"
#include "web/templates.h"

namespace herald::web {

// The signed-in user of one request.
struct Principal {
  User user{};
  Session session{};
};

enum class Access { kEditor, kAdmin };  // kEditor: any signed-in user

// Where a request's answer goes: an HTML page (errors as pages, no session → login) or
// the JSON API (errors as {"error": ...}, no session → 401).
enum class Surface { kPage, kApi };

inline constexpr const char* kLegalSection = "最新法律与监管动态";
inline constexpr const char* kIndustrySection = "最新行业动态";

class App {
 public:
  using Handler =
      std::function<void(const httplib::Request&, httplib::Response&, const Principal&)>;

  App(WebSettings settings, WebDeps deps, ServerLimits limits, Store store, Templates templates);

  // Runs `f(store)` with the one Store, serialised (a Store is one connection, not
  // thread-safe; httplib serves requests on a pool).
  template <typename F>
  auto with_store(F&& f) {
    std::lock_guard lock(store_mutex_);
    return f(store_);
  }

  // Wraps a route: session (+ timeouts), role, and for anything but GET/HEAD the
  // same-origin check, the JSON content type (API) and the CSRF token.
  httplib::Server::Handler guard(Surface surface, Access access, Handler handler);

  // guard() for a route function taking (App&, request, response, principal).
  using RouteFunction = void (*)(App&, const httplib::Request&, httplib::Response&,
                                 const Principal&);
  httplib::Server::Handler route(Surface surface, Access access, RouteFunction function) {
    return guard(surface, access,
                 [this, function](const httplib::Request& request, httplib::Response& response,
                                  const Principal& principal) {
                   function(*this, request, response, principal);
                 });
  }

  // Registers a route on `server` and remembers it (routes()). POST and PATCH read their
  // body through a bounded reader first: past ServerLimits::max_body_bytes the request is
  // refused with 413 before any handler (or authentication) runs, whatever its framing.
  void get(httplib::Server& server, const std::string& pattern, httplib::Server::Handler handler);
  void post(httplib::Server& server, const std::string& pattern, httplib::Server::Handler handler);
  void patch(httplib::Server& server, const std::string& pattern,
             httplib::Server::Handler handler);
  // Every route registered through get/post/patch, in order.
  const std::vector<RouteEntry>& routes() const { return routes_; }
  // The handler that reads a body within max_body_bytes, then calls `handler` with it (and,
  // for a form, its fields) in the request. Routes registered on the server directly are
  // still bounded, by the connection's byte budget (server.cpp, BudgetStream).
  httplib::Server::HandlerWithContentReader bounded(httplib::Server::Handler handler) const;

  // POST /login and POST /logout (the only routes with custom session handling).
  void handle_login(const httplib::Request& request, httplib::Response& response);
  void handle_logout(const httplib::Request& request, httplib::Response& response);

  // Renders an HTML page inside the layout (user, nav, CSRF token filled in).
  void render(httplib::Response& response, const std::string& page,
              kainjow::mustache::data data, const Principal* principal, int status = 200);
  void error_page(httplib::Response& response, int status, const std::string& message,
                  const Principal* principal);
  // The styled 404 page of an unknown path (with the navigation when signed in).
  void not_found_page(const httplib::Request& request, httplib::Response& response);
  // {"error": message} with the API's content type.
  void json_error(httplib::Response& response, int status, const std::string& message);
  // Serialises with '<', '>' and '&' as \u escapes, so the JSON is inert even if some
  // client puts it into HTML; Content-Type application/json; charset=utf-8.
  void json(httplib::Response& response, const std::string& dumped, int status = 200);
  // 303 to a path of this site (never an absolute URL from request data).
  static void see_other(httplib::Response& response, const std::string& local_path);

  void set_origin_policy(OriginPolicy policy) { policy_ = std::move(policy); }
  const OriginPolicy& origin_policy() const { return policy_; }
  const WebSettings& settings() const { return settings_; }
  const WebDeps& deps() const { return deps_; }
  const Clock& clock() const { return *deps_.clock; }
  std::int64_t now() const { return deps_.clock->now_utc_seconds(); }
  std::string cookie_name() const;

  // Display helpers shared by pages and the API.
  const SourceConfig* source(const std::string& id) const;
  std::string source_name(const std::string& id) const;
  // With time: "2023-11-07 10:30" in the desk's zone (every page labels it: zone_label).
  // A date alone: "2023-11-07", the source's calendar day (the desk's when unknown).
  std::string format_time(std::int64_t utc, const std::string& source_id, bool with_time) const;
  // The desk's zone as the pages label their times: "UTC+08:00".
  std::string zone_label() const;
  // "2023-11-07T10:30:00+08:00".
  std::string format_iso(std::int64_t utc, const std::string& source_id) const;
  // "2023-11-07 10:30:05 UTC+08:00" in the newsletter's zone: to the second and with its
  // offset, for times that are evidence (when an archived page was fetched).
  std::string format_precise(std::int64_t utc) const;
  std::vector<std::string> sections() const;

 private:
  struct LocalTime {
    CivilDate date{};
    std::int64_t seconds = 0;  // since local midnight
    int offset = 0;            // seconds east of UTC
  };
  LocalTime local_time(std::int64_t utc, const std::string& source_id) const;
  std::optional<Principal> authenticate(const httplib::Request& request);
  std::string client_address(const httplib::Request& request) const;
  // Counts the failure and logs it (one line, for fail2ban).
  void login_failed(const std::string& address, const std::string& name, const char* reason);

  WebSettings settings_;
  WebDeps deps_;
  ServerLimits limits_;
  SystemClock system_clock_;
  std::mutex store_mutex_;  // guards store_
  Store store_;
  Templates templates_;
  LoginThrottle throttle_;
  OriginPolicy policy_{};
  std::vector<Network> trusted_proxies_{};
  // Verified when a name is not an account, so both answers cost one Argon2id check.
  std::string dummy_hash_{};
  std::vector<RouteEntry> routes_{};
};

// Route tables, one file each.
void register_pages(App& app, httplib::Server& server);
void register_api(App& app, httplib::Server& server);

}  // namespace herald::web
