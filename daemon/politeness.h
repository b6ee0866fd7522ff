#pragma once

#include <memory>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "config/herald_config.h"
#include "config/source_config.h"
#include "scrapers/fetch/fetcher.h"
#include "scrapers/fetch/polite_fetcher.h"

namespace herald {

// The politeness settings for a configuration: herald.toml's [fetch] min_delay for every
// host, raised per host by sources' own [fetch] min_delay, and the identifying User-Agent.
PolitenessSettings politeness_settings(const HeraldConfig& config,
                                       const std::vector<SourceConfig>& sources);

// libcurl behind PoliteFetcher, owning both: what `poll`, `serve` and `add` fetch with
// when they talk to the network.
class PoliteNetworkFetcher final : public Fetcher {
 public:
  static Result<std::unique_ptr<PoliteNetworkFetcher>> create(PolitenessSettings settings);
  Result<FetchResponse> fetch(const FetchRequest& request) override;
  // See PoliteFetcher::rate_limited_until.
  std::optional<PoliteFetcher::TimePoint> rate_limited_until(std::string_view url) const;

 private:
  PoliteNetworkFetcher(std::unique_ptr<Fetcher> network, PolitenessSettings settings);
  std::unique_ptr<Fetcher> network_;
  SystemClock clock_;
  ThreadSleeper sleeper_;
  PoliteFetcher polite_;
};

}  // namespace herald
