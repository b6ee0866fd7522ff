#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

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
  std::vector<TopicProfile> topics{};    // [[topics]]
  WebSettings web{};                     // [web]
};

}  // namespace herald
