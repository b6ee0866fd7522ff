#pragma once

// The admin's side of discovery in the web UI (README "Adding a source"): a URL in, a
// proposed source file out to review and adjust, then saved to sources.d/
// (GET/POST /sources/discover, admin-only, CSRF-checked like every state change).

#include <httplib.h>

namespace herald::web {

class App;

void register_discover_pages(App& app, httplib::Server& server);

}  // namespace herald::web
