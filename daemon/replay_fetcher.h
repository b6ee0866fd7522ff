#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "common/result.h"
#include "config/fixtures.h"
#include "scrapers/fetch/fetcher.h"
#include "scrapers/fetch/polite_fetcher.h"
#include "storage/evidence.h"

namespace herald {

// A Fetcher that answers from saved responses instead of the network (`poll --replay`,
// `serve --replay`, `sources check` contracts, tests): the [[response]] entries of
// DIR/index.toml, or of every DIR/*/index.toml when DIR itself has none (tests/fixtures).
// Keyed by method + URL exactly. A URL with no saved response is kHttp4xx ("404: no saved
// response for URL in DIR"). Each response carries an ETag derived from the file's content,
// and a request sending that ETag back gets 304, so a second replay poll is not_modified.
//
// DIR may also be an evidence archive (storage/evidence.h: it has herald-evidence.toml,
// which names the database whose evidence table indexes it): every URL herald archived is
// answered with its newest archived response (by fetch time), whatever the method, with the
// archived final URL and headers; the body is re-hashed on every read, so a corrupt file is
// an error, never a different page.
class ReplayFetcher : public Fetcher {
 public:
  // Errors: kConfig (a bad index.toml, or one method + URL saved twice with different
  // files), kNotFound (DIR has no index.toml, nor any subdirectory with one, and is not an
  // evidence archive), and open_archive's.
  static Result<std::unique_ptr<ReplayFetcher>> open(const std::filesystem::path& dir);
  // Replays the evidence archive `dir` as indexed by `database` (default: the one its
  // herald-evidence.toml names). The database is read, never created. Errors: kNotFound
  // (no marker, no such database), kStorage.
  static Result<std::unique_ptr<ReplayFetcher>> open_archive(
      const std::filesystem::path& dir, const std::filesystem::path& database = {});

  explicit ReplayFetcher(std::filesystem::path dir) : dir_(std::move(dir)) {}  // empty; see open()

  Result<FetchResponse> fetch(const FetchRequest& request) override;

  std::size_t size() const { return responses_.size() + archived_.size(); }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::map<std::pair<std::string, std::string>, SavedResponse> responses_;  // (method, url)
  std::map<std::string, EvidenceRecord> archived_;  // url -> its newest archived fetch

  Result<FetchResponse> fetch_archived(const FetchRequest& request, const EvidenceRecord& record);
};

// The fetcher a verb uses: libcurl behind politeness (per-host delay, robots.txt,
// Retry-After; see politeness.h), or a ReplayFetcher over `replay_dir` when it is not
// empty (`--replay DIR`: saved responses need no politeness).
Result<std::unique_ptr<Fetcher>> open_fetcher(const std::filesystem::path& replay_dir,
                                              const PolitenessSettings& politeness);

// The ETag replay serves for `body`: stable across runs and machines.
std::string replay_etag(std::string_view body);

}  // namespace herald
