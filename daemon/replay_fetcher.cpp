#include "daemon/replay_fetcher.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string_view>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "common/text.h"
#include "daemon/politeness.h"
#include "scrapers/fetch/curl_fetcher.h"

namespace herald {
namespace {

namespace fs = std::filesystem;

// The fixture dirs DIR stands for: itself when it has an index.toml, else its
// subdirectories that have one (sorted, so conflicts are reported the same way every run).
std::vector<fs::path> index_dirs(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_regular_file(dir / kFixtureIndexFile, ec)) {
    return {dir};
  }
  std::vector<fs::path> dirs;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code inner;
    if (it->is_directory(inner) && fs::is_regular_file(it->path() / kFixtureIndexFile, inner)) {
      dirs.push_back(it->path());
    }
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

Result<std::string> read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return fail(ErrorCode::kNetwork,
                fmt::format("replay: cannot read {} (removed since the replay started?)",
                            file.string()));
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool same_bytes(const fs::path& a, const fs::path& b) {
  auto left = read_bytes(a);
  auto right = read_bytes(b);
  return left && right && *left == *right;
}

// What CurlFetcher reports for the same status, so replayed failures look like live ones.
Error status_error(const std::string& method, const std::string& url, long status) {
  const std::string what = fmt::format("{} {}: HTTP {} (saved response)", method, url, status);
  if (status == 429) {
    return Error{ErrorCode::kRateLimited, what, true};
  }
  if (status >= 400 && status < 500) {
    return Error{ErrorCode::kHttp4xx, what, status == 408};
  }
  if (status >= 500) {
    return Error{ErrorCode::kHttp5xx, what, true};
  }
  return Error{ErrorCode::kNetwork, fmt::format("{} (not a page)", what)};
}

}  // namespace

Result<std::unique_ptr<Fetcher>> open_fetcher(const fs::path& replay_dir,
                                              const PolitenessSettings& politeness) {
  if (replay_dir.empty()) {
    auto network = PoliteNetworkFetcher::create(politeness);
    if (!network) {
      return fail(network.error());
    }
    return std::unique_ptr<Fetcher>(std::move(*network));
  }
  auto replay = ReplayFetcher::open(replay_dir);
  if (!replay) {
    return fail(replay.error());
  }
  return std::unique_ptr<Fetcher>(std::move(*replay));
}

std::string replay_etag(std::string_view body) {
  return fmt::format("\"replay-{}\"", sha256_hex(body).substr(0, 32));
}

Result<std::unique_ptr<ReplayFetcher>> ReplayFetcher::open_archive(const fs::path& dir,
                                                                  const fs::path& database) {
  const EvidenceArchive archive(dir);
  fs::path db_path = database;
  if (db_path.empty()) {
    auto named = archive.marker_database();
    if (!named) {
      return fail(named.error());
    }
    db_path = *named;
  }
  std::error_code ec;
  if (!fs::is_regular_file(db_path, ec)) {
    return fail(ErrorCode::kNotFound,
                fmt::format("{}: the database that indexes the evidence archive {} is not "
                            "there; fix 'database' in {}",
                            db_path.string(), dir.string(), (dir / kEvidenceMarkerFile).string()));
  }
  auto db = Database::open(db_path);
  if (!db) {
    return fail(db.error());
  }
  auto newest = newest_evidence_per_url(*db);
  if (!newest) {
    return fail(newest.error());
  }
  auto fetcher = std::make_unique<ReplayFetcher>(dir);
  for (EvidenceRecord& record : *newest) {
    std::string url = record.url;
    fetcher->archived_.emplace(std::move(url), std::move(record));
  }
  return fetcher;
}

Result<std::unique_ptr<ReplayFetcher>> ReplayFetcher::open(const fs::path& dir) {
  const std::vector<fs::path> dirs = index_dirs(dir);
  std::error_code ec;
  if (dirs.empty() && fs::is_regular_file(dir / kEvidenceMarkerFile, ec)) {
    return open_archive(dir);
  }
  if (dirs.empty()) {
    return fail(ErrorCode::kNotFound,
                fmt::format("{}: no index.toml here nor in any subdirectory, and no {}; "
                            "--replay takes a fixture directory (tests/fixtures/<id>/), a "
                            "directory of them (tests/fixtures/) or an evidence archive "
                            "([archive] dir)",
                            dir.string(), kEvidenceMarkerFile));
  }
  auto fetcher = std::make_unique<ReplayFetcher>(dir);
  std::vector<std::string> problems;
  for (const fs::path& fixture : dirs) {
    auto index = load_fixture_index(fixture);
    if (!index) {
      problems.push_back(index.error().message);
      continue;
    }
    for (SavedResponse& response : index->responses) {
      auto key = std::make_pair(response.method, response.url);
      auto [it, inserted] = fetcher->responses_.try_emplace(key, response);
      // Two sources may save the same page (a shared article); only different bytes
      // for one URL are a conflict.
      if (!inserted && !same_bytes(it->second.file, response.file)) {
        problems.push_back(fmt::format("{}: {} {} is already saved differently at {}; keep one",
                                       response.where, response.method, response.url,
                                       it->second.where));
      }
    }
  }
  if (!problems.empty()) {
    std::string message;
    for (const std::string& problem : problems) {
      message += message.empty() ? "" : "\n";
      message += problem;
    }
    return fail(ErrorCode::kConfig, std::move(message));
  }
  return fetcher;
}

Result<FetchResponse> ReplayFetcher::fetch(const FetchRequest& request) {
  if (request.cancel != nullptr && request.cancel->load()) {
    return fail(ErrorCode::kCancelled, fmt::format("{}: cancelled", request.url));
  }
  if (const auto archived = archived_.find(request.url); archived != archived_.end()) {
    return fetch_archived(request, archived->second);
  }
  const std::string method = request.method.empty() ? std::string("GET") : request.method;
  const auto it = responses_.find({method, request.url});
  if (it == responses_.end()) {
    return fail(ErrorCode::kHttp4xx,
                fmt::format("404: no saved response for {}{} in {}",
                            method == "GET" ? "" : method + " ", request.url, dir_.string()));
  }
  const SavedResponse& saved = it->second;
  if (saved.status != 200) {
    return fail(status_error(method, request.url, saved.status));
  }
  auto body = read_bytes(saved.file);
  if (!body) {
    return fail(body.error());
  }
  if (body->size() > request.max_body_bytes) {
    return fail(ErrorCode::kTooLarge,
                fmt::format("{}: {} bytes saved, more than the {} allowed", request.url,
                            body->size(), request.max_body_bytes));
  }
  FetchResponse response{.status = 200,
                         .final_url = request.url,
                         .content_type = saved.content_type,
                         .etag = replay_etag(*body)};
  if (request.etag && *request.etag == *response.etag) {
    response.status = 304;
    return response;
  }
  response.body = std::move(*body);
  return response;
}

Result<FetchResponse> ReplayFetcher::fetch_archived(const FetchRequest& request,
                                                    const EvidenceRecord& record) {
  if (record.size > static_cast<std::int64_t>(request.max_body_bytes)) {
    return fail(ErrorCode::kTooLarge,
                fmt::format("{}: {} bytes archived, more than the {} allowed", request.url,
                            record.size, request.max_body_bytes));
  }
  auto body = EvidenceArchive(dir_).read(record.body_sha256);
  if (!body) {
    // A missing or corrupt body is never replayed as some other page.
    return fail(ErrorCode::kNetwork,
                fmt::format("replay: {} (archived {}): {}", request.url, record.body_sha256,
                            body.error().message));
  }
  FetchResponse response{.status = record.status,
                         .final_url = record.final_url,
                         .etag = replay_etag(*body)};
  response.headers = record.headers;
  for (const auto& [name, value] : record.headers) {
    if (to_lower_ascii(name) == "content-type") {
      response.content_type = value;
    }
  }
  if (request.etag && *request.etag == *response.etag) {
    response.status = 304;
    return response;
  }
  response.body = std::move(*body);
  return response;
}

}  // namespace herald
