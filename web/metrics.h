#pragma once

// GET /metrics: herald's state in the Prometheus text exposition format 0.0.4, computed
// from the database at scrape time (docs/health.md lists every metric and its cost).

#include <string>
#include <string_view>
#include <vector>

#include <httplib.h>

#include "config/source_config.h"
#include "storage/store.h"

namespace herald::web {

class App;

// A label value as the format requires: backslash, double quote and line feed escaped
// (\\, \", \n); invalid UTF-8 becomes U+FFFD, since Prometheus rejects it.
std::string escape_label_value(std::string_view value);

// The whole exposition for one scrape. `stored` is Store::source_health; `sources` the
// configuration, for manual and disabled sources.
std::string render_metrics(const MetricsSnapshot& snapshot,
                           const std::vector<SourceHealth>& stored,
                           const std::vector<SourceConfig>& sources);

// Registers GET /metrics without a session: scrapers do not log in. It still goes through
// the server's Host check, and the listener is loopback unless public_origin is set, so
// only a reverse proxy can expose it; that proxy must not route /metrics publicly.
void register_metrics(App& app, httplib::Server& server);

}  // namespace herald::web
