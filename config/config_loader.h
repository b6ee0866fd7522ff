#pragma once

#include <filesystem>
#include <vector>

#include "common/result.h"
#include "config/herald_config.h"
#include "config/source_config.h"

namespace herald {

// Reads herald.toml. Errors (kConfig) read "FILE:LINE:COL: key 'x': what is wrong; what to
// write instead". zoneinfo_dir is where time zones are looked up.
// Sections: [storage] database; [sources] dir, fixtures (paths relative to the file);
// [fetch]; [schedule]; [[topics]]; [tokens] (service = "token": any service name, values
// never appear in messages); [web] enabled, listen_host, port (1..65535), public_origin
// (scheme://host[:port], no path), session_idle_timeout (1m..30d),
// session_absolute_timeout (1m..90d, not shorter than the idle one), assets_dir, metrics.
// Service settings:
//   - [schedule] timezone: IANA name, read from kDefaultZoneinfoDir (default Asia/Shanghai,
//     or a fixed +08:00 when tzdata is missing).
//   - [archive] enabled, dir, retention; [storage] backup_dir, backup_at, backup_keep
//     (1..365), item_retention. Retentions are durations ("1095d", "3y"; y = 365 days,
//     1d..100y) or "forever" (nullopt). Times of day are "HH:MM" (24 h, local) or "off".
//     dir and backup_dir default to "evidence" and "backups" next to the database.
//   - [notify] digest_at, digest_max_items (1..500), alerts; [[notify.webhook]] name
//     (unique), format (generic|slack|wecom|dingtalk|feishu), url (http/https), digest,
//     alerts; [notify.email] smtp_url (smtp:// or smtps://, no user info), from, to (plain
//     addresses), username, password (needs username), require_tls, digest, alerts.
//     Webhook URLs and the password are secrets: no message quotes them.
Result<HeraldConfig> load_herald_config(const std::filesystem::path& file);

// Reads one source file (keys: README "Adding a source" and docs/source-fixtures.md).
// Rules beyond single values:
//   - type = "html" needs [list], "json" needs [json], "courtlistener" needs [courtlistener];
//     a section for another type is an error.
//   - mode = "manual" needs manual_reason and makes those sections optional (a manual source
//     is not polled); they are still checked when present.
//   - [fetch] internal = true lets redirects reach private addresses (the firm's own
//     network); off by default.
//   - bridge_url is only valid with mode = "manual". The source keeps mode = manual and its
//     type (editors' `herald add` still uses its module); the daemon polls bridge_url as
//     an RSS/Atom feed (prepare_list_request points the request there, extract_page reads
//     the answer as a feed).
Result<SourceConfig> load_source_file(const std::filesystem::path& file);

// What loading sources.d/ produced: the valid sources, and one message per bad file.
// A bad file never hides the good ones (reload keeps the rest running).
struct SourceSet {
  std::vector<SourceConfig> sources{};  // sorted by id
  std::vector<Error> errors{};          // one per rejected file, or duplicate id
};

// Reads every *.toml in `dir` (non-recursive, sorted by name). Fails only when the
// directory itself cannot be read.
Result<SourceSet> load_sources(const std::filesystem::path& dir);

// Where the overloads without zoneinfo_dir look up `timezone = "..."`.
inline constexpr const char* kDefaultZoneinfoDir = "/usr/share/zoneinfo";

// As above, with time zones read from zoneinfo_dir instead of kDefaultZoneinfoDir.
// Every problem in a file is reported, not just the first: a file's Error message holds one
// "FILE:LINE:COL: key '...': ..." line per problem, in file order.
Result<SourceConfig> load_source_file(const std::filesystem::path& file,
                                      const std::filesystem::path& zoneinfo_dir);
Result<SourceSet> load_sources(const std::filesystem::path& dir,
                               const std::filesystem::path& zoneinfo_dir);

}  // namespace herald
