#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "config/herald_config.h"
#include "config/source_config.h"
#include "storage/store.h"
#include "web/export.h"
#include "web/security.h"

namespace herald::web {

// What discovery (`herald sources discover URL`, docs: README "Adding a source") proposes
// for a URL, as the web page shows it. Plain strings: web/ never sees the scrapers' types.
struct DiscoveredItem {
  std::string title{};
  std::string url{};
  std::string date{};  // as the page prints it, or empty
};
struct DiscoveryPreview {
  std::string source_text{};  // the proposed source file (TOML), comments included
  std::string id{};           // the id it proposes (the one asked for, or derived)
  double confidence = 0.0;    // 0..1
  std::vector<std::string> summary{};       // what was inferred, one line each
  std::vector<DiscoveredItem> items{};      // the first items the proposal extracts
  std::vector<std::string> alternatives{};  // the regions it rejected, one line each
  std::string problem{};  // empty when a proposal was found; else why not and what to try
};

// What the web server needs from the rest of herald. web/ sits below daemon/, so the
// pieces that live there (password hashing, building an edition) come in as functions.
struct WebDeps {
  std::filesystem::path database{};     // opened by the server: one Store, calls serialised
  std::vector<SourceConfig> sources{};  // names, kinds and modes for filters and the sources page
  // Wall time for sessions and stored decisions, steady time for login rate limiting.
  // Must outlive the server; nullptr = the system clock.
  const Clock* clock = nullptr;
  // True when `password` matches the stored Argon2id string `hash`. Required.
  std::function<bool(const std::string& hash, const std::string& password)> verify_password{};
  // A new Argon2id string for `password` (daemon/passwords.h), empty on failure. Used once at
  // start for the dummy hash that unknown names are checked against (so they take as long
  // as known ones), and to upgrade a weaker hash after a login. Unset (tests): the dummy is
  // a string no verifier accepts, and hashes are never upgraded.
  std::function<std::string(const std::string& password)> hash_password{};
  // True when `hash` was made with weaker limits than hash_password uses today.
  std::function<bool(const std::string& hash)> password_needs_rehash{};
  // The month's accepted candidates as a newsletter Edition (daemon/edition.h). Empty:
  // the export page says export is not configured.
  std::function<Result<Edition>(Store& store, const std::string& month)> build_edition{};
  // In which zone an edition month and the queue's date filters are counted (Beijing).
  int utc_offset_seconds = 8 * 3600;
  // The evidence archive ([archive] dir, docs/evidence.md): item pages list the fetches
  // archived for an item, and GET /evidence/<sha256> downloads their bodies. Empty:
  // "evidence" next to the database, the [archive] default.
  std::filesystem::path evidence_dir{};
  // Self-repair (docs/repair.md): applies (`apply`) or discards the source's open repair
  // proposal for admin `actor` and, after applying, has herald serve reload (as SIGHUP
  // does), which polls the source again; returns what happened, for people. Empty: the
  // sources page can discard a proposal but not apply one.
  std::function<Result<std::string>(Store& store, const std::string& source_id, bool apply,
                                    const std::string& actor)>
      decide_repair{};
  // Discovery for the admins' page /sources/discover: fetches `url` and proposes a source
  // file; `id` and `kind` may be empty (then herald derives the id and uses the CLI's
  // default kind). An error is a failure to fetch or read the page; a page with no list
  // is a preview with `problem` set. Empty: the page says discovery is not available.
  std::function<Result<DiscoveryPreview>(const std::string& url, const std::string& id,
                                         const std::string& kind)>
      discover_source{};
  // Checks `text` as `herald sources check` would and saves it as source `id` in
  // sources.d/ (never over an existing id), then has herald serve reload; returns the path
  // written. Errors say why (the file's line, the id taken, the directory not writable).
  std::function<Result<std::string>(const std::string& id, const std::string& text)>
      save_source{};
};

// Limits of the HTTP server itself (RELIABILITY.md §3.1 "HTTP server limits", N18).
struct ServerLimits {
  std::chrono::seconds read_timeout{5};  // a slow client holds a worker at most this long
  std::chrono::seconds write_timeout{10};
  std::chrono::seconds keep_alive_timeout{5};
  std::size_t keep_alive_max_requests = 100;
  // Any request body, whatever its framing (Content-Length, chunked, none): past this the
  // request is refused with 413 and the connection closed, before authentication.
  std::size_t max_body_bytes = 1024 * 1024;
  // The request line and headers together; past this the connection is dropped.
  std::size_t max_head_bytes = 64 * 1024;
  std::size_t worker_threads = 16;      // also the number of connections served at once
  LoginPolicy login{};                  // failed-login delays (web/security.h)
};

// One registered route, as the router matches it.
struct RouteEntry {
  std::string method{};   // "GET", "POST", "PATCH"
  std::string pattern{};  // httplib's regular expression, e.g. R"(/items/(\d{1,18}))"
};

// The editors' web UI and JSON API (/api/v1) over one SQLite database.
//
// Security model (RELIABILITY.md §3.1): binds only to settings.listen_host, and refuses a
// non-loopback address unless public_origin is https; checks the Host header against the
// listen address and public_origin; every route but /healthz, /login and /assets needs a
// session; every state change needs the session's CSRF token and a same-origin Fetch
// Metadata / Origin check; security headers go on every response, errors included.
class WebServer {
 public:
  // Loads the templates from settings.assets_dir (default: the checkout's web/) and opens
  // the database. Errors: kConfig (bad settings, missing templates), kStorage.
  static Result<std::unique_ptr<WebServer>> create(const WebSettings& settings, WebDeps deps,
                                                   const ServerLimits& limits = {});
  struct Impl;
  explicit WebServer(std::unique_ptr<Impl> impl);  // use create()
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  // Binds to settings.listen_host:port (port 0: the kernel picks one) and returns the
  // port. Errors: kConfig (address refused or in use).
  Result<int> bind();
  // Serves until stop(); call after bind(), typically on its own thread.
  void run();
  // Thread-safe; makes run() return. Waits until run() is actually listening, so a stop
  // right after starting the thread is not lost.
  void stop();
  bool is_running() const;
  // Every route of the UI and the API, as registered (tests check each one's access rules).
  const std::vector<RouteEntry>& routes() const;

 private:
  std::unique_ptr<Impl> impl_;
};

// The web/ folder with templates/ and assets/: the checkout's when it exists, else the
// installed /usr/share/herald/web. WebSettings::assets_dir overrides it.
std::filesystem::path default_assets_dir();

}  // namespace herald::web
