#pragma once

#include <filesystem>
#include <vector>

#include "common/result.h"
#include "config/herald_config.h"
#include "config/source_config.h"

namespace herald {

// Reads herald.toml. Errors (kConfig) read "FILE:LINE:COL: key 'x': what is wrong; what to
// write instead". zoneinfo_dir is where time zones are looked up.
Result<HeraldConfig> load_herald_config(const std::filesystem::path& file);

// Reads one source file.
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
