#pragma once

#include <chrono>
#include <filesystem>
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

// herald.toml. Relative paths in the file are resolved against the file's directory.
struct HeraldConfig {
  std::filesystem::path file{};          // the herald.toml that was read
  std::filesystem::path database{};      // [storage] database
  std::filesystem::path sources_dir{};   // [sources] dir
  std::string user_agent{};              // [fetch] user_agent
  std::chrono::seconds default_timeout{30};
  double interval_jitter = 0.1;          // [schedule] jitter: +/- this fraction of interval
  std::vector<TopicProfile> topics{};    // [[topics]]
};

}  // namespace herald
