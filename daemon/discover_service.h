#pragma once

// Discovery for one URL, shared by `herald sources discover` and the admins' web page
// (/sources/discover, wired in serve.cpp): fetch (or take a saved page), decode, find the
// list or feed, render the source file; and saving a file an admin accepted.

#include <filesystem>
#include <optional>
#include <string>

#include "common/result.h"
#include "daemon/context.h"
#include "scrapers/discover/discover.h"
#include "scrapers/fetch/fetcher.h"

namespace herald {

struct DiscoverInput {
  std::string url{};
  std::string id{};    // "" = derived from the host name
  std::string kind{};  // "" = government
  std::optional<FetchResponse> page{};  // a saved page: nothing is fetched for it
};

struct DiscoverRun {
  std::string id{};
  std::string url{};
  Discovery discovery{};
  std::string file{};  // the proposed source file; empty when discovery.choice == kNone
};

// Fetches input.url through `fetcher` unless input.page is given; probes the page's feeds
// when there is a fetcher. A page with no list or feed is not an error (choice == kNone).
// Errors: kUsage for a bad id, kind or URL; fetch and decode errors as they come.
Result<DiscoverRun> run_discovery(const Loaded& loaded, Fetcher* fetcher, const DiscoverInput& input);

// What to tell an admin when discovery found nothing on `url`.
std::string no_list_message(const std::string& url);

// Validates `text` as `sources check` reads a file (load_source_file), then links it into
// sources.d as ID.toml. Never overwrites: an existing id is the admin's to change.
Result<std::filesystem::path> save_discovered_source(const Loaded& loaded, const std::string& id,
                                                     const std::string& text);

}  // namespace herald
