#pragma once

// The admin's side of self-repair in the web UI (docs/repair.md): a source's repair
// proposal (GET /sources/ID/repair) and its Apply / Discard buttons (POST, admin-only,
// CSRF-checked like every state change).

#include <httplib.h>

namespace herald::web {

class App;

void register_repair_pages(App& app, httplib::Server& server);

}  // namespace herald::web
