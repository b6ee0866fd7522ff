#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "common/timezone.h"
#include "config/source_config.h"

namespace herald {

struct Keyword {
  std::string term{};   // matched after case folding; ASCII terms match whole words only
  double weight = 1.0;
};

// A topic profile: weighted keywords and excludes. An item whose score reaches the
// threshold (and that contains no exclude) becomes a candidate for review.
struct TopicProfile {
  std::string name{};
  double threshold = 1.0;
  std::vector<Keyword> keywords{};
  std::vector<std::string> excludes{};
};

// [web]: the editors' web UI and JSON API served by `herald serve`.
struct WebSettings {
  bool enabled = true;
  std::string listen_host = "127.0.0.1";  // loopback by default; remote access via a TLS proxy
  int port = 8080;
  // The origin browsers use (behind a proxy: "https://herald.example.com"); Origin and Host
  // headers are checked against it and the listen address. Empty: http://HOST:PORT only.
  std::string public_origin{};
  std::chrono::seconds session_idle_timeout{2 * 3600};
  std::chrono::seconds session_absolute_timeout{12 * 3600};
  std::filesystem::path assets_dir{};     // web/ assets; default: <checkout>/web or /usr/share/herald/web
  bool metrics = true;                    // GET /metrics (Prometheus text format, no login)
  // Reverse proxies whose X-Forwarded-For is believed ("127.0.0.1", "10.0.0.0/8"). Empty:
  // the client is the TCP peer, and X-Forwarded-For is ignored.
  std::vector<std::string> trusted_proxies{};
};

// [archive]: evidence of what a site published and when. The raw response of every list or
// article fetch that produced a new item is kept, content-addressed (SHA-256), compressed.
struct ArchiveSettings {
  bool enabled = true;
  std::filesystem::path dir{};            // default: "evidence" next to the database
  // Evidence no item refers to any more, or older than this, is deleted. nullopt: forever.
  std::optional<std::chrono::seconds> retention{std::chrono::seconds(3 * 365 * 86400)};
};

// [storage] database care: nightly online backups and retention of old items.
struct DatabaseCare {
  std::filesystem::path backup_dir{};     // default: "backups" next to the database
  // Local time of day ([schedule] timezone) of the nightly backup; nullopt: none.
  std::optional<std::chrono::minutes> backup_at{std::chrono::minutes(3 * 60 + 15)};
  int backup_keep = 7;                    // newest backups kept (1..365)
  // Items that never became candidates are deleted this long after first seen (their
  // url_key is kept so they are not stored again). nullopt: kept forever.
  std::optional<std::chrono::seconds> item_retention{};
};

enum class WebhookFormat { kGeneric, kSlack, kWeCom, kDingTalk, kFeishu };

// [[notify.webhook]]: one chat or HTTP endpoint.
struct WebhookTarget {
  std::string name{};                     // for logs: "editors-wecom"
  WebhookFormat format = WebhookFormat::kGeneric;
  std::string url{};                      // http(s); holds the secret key: never logged
  bool digest = true;                     // receives the digest of new candidates
  bool alerts = true;                     // receives source unhealthy / recovered alerts
};

// [notify.email]: SMTP through libcurl.
struct EmailTarget {
  std::string smtp_url{};                 // "smtp://host:587" (STARTTLS when offered) or "smtps://host:465"
  std::string from{};
  std::vector<std::string> to{};
  std::string username{};                 // empty: no AUTH
  std::string password{};                 // never logged
  bool require_tls = true;                // smtp:// must upgrade with STARTTLS (false only for a local relay)
  bool digest = true;
  bool alerts = true;
};

// [notify]: who hears about new candidates and unhealthy sources.
struct NotifySettings {
  std::vector<WebhookTarget> webhooks{};
  std::optional<EmailTarget> email{};
  // Local time of day ([schedule] timezone) of the daily digest; nullopt: no digest.
  std::optional<std::chrono::minutes> digest_at{};
  int digest_max_items = 50;              // the digest lists at most this many, then "and N more"
  bool alerts = true;                     // send unhealthy / recovered alerts at all
};

// [draft]: drafts of a Chinese headline and 摘要 for each candidate (docs/drafts.md).
struct DraftConfig {
  // An OpenAI-compatible API base ("http://127.0.0.1:11434/v1") or its full
  // .../chat/completions URL. Empty: no model, extractive drafts only.
  std::string endpoint{};
  std::string model{};                    // required with an endpoint: "qwen2.5:7b-instruct"
  std::filesystem::path api_key_file{};   // empty: no Authorization header
  std::string api_key{};                  // api_key_file's content, read at load; never logged
  std::chrono::seconds timeout{60};       // timeout_seconds: one request, answer included
  int concurrency = 1;                    // requests in flight at once (1..8)
  int daily_budget = 500;                 // model requests per day; then extractive only
  std::size_t max_article_chars = 6000;   // the article text in the prompt is cut to this
  std::filesystem::path prompt_file{};    // default: draft_prompt.txt beside herald.toml
  std::string prompt{};                   // prompt_file's text, read at load ("" = built in)
  bool stream = false;                    // ask for a streamed (SSE) answer
};

// herald.toml. Relative paths in the file are resolved against the file's directory.
struct HeraldConfig {
  std::filesystem::path file{};          // the herald.toml that was read
  std::filesystem::path database{};      // [storage] database
  std::filesystem::path sources_dir{};   // [sources] dir
  // [sources] fixtures: saved responses and contracts per source (tests/fixtures/<id>/,
  // docs/source-fixtures.md); used by `sources check` and `poll --replay`. Empty = none.
  std::filesystem::path fixtures_dir{};
  // [tokens]: API tokens by service ("courtlistener"). Never logged or printed.
  std::map<std::string, std::string> tokens{};
  std::string user_agent{};              // [fetch] user_agent
  std::chrono::seconds default_timeout{30};
  std::chrono::seconds min_delay{5};     // [fetch] min_delay: between requests to one host
  std::string contact{};                 // [fetch] contact: appended to the User-Agent
  double interval_jitter = 0.1;          // [schedule] jitter: +/- this fraction of interval
  // [schedule] timezone: the zone of daily times (digest_at, backup_at). Asia/Shanghai.
  TimeZone local_zone = TimeZone::fixed(8 * 3600);
  std::vector<TopicProfile> topics{};    // [[topics]]
  WebSettings web{};                     // [web]
  ArchiveSettings archive{};             // [archive]
  DatabaseCare db_care{};                // [storage] backup_dir, backup_at, backup_keep, item_retention
  NotifySettings notify{};               // [notify]
  DraftConfig draft{};                   // [draft]
  // [queue] backfill_days: on a source's first poll, candidates published more than this
  // many days before are stored but not queued (0: no window). A source may override it.
  // load_config's default is 30; a config built in code has no window unless it sets one.
  int backfill_days = 0;
};

}  // namespace herald
