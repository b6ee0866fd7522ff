#include "daemon/politeness.h"

#include <chrono>

#include "scrapers/fetch/curl_fetcher.h"

namespace herald {

PolitenessSettings politeness_settings(const HeraldConfig& config,
                                       const std::vector<SourceConfig>& sources) {
  PolitenessSettings settings;
  settings.min_delay = std::chrono::duration_cast<std::chrono::milliseconds>(config.min_delay);
  settings.user_agent = identifying_user_agent(config.user_agent, config.contact);
  for (const SourceConfig& source : sources) {
    if (source.fetch.min_delay) {
      settings.raise_min_delay(source.url, *source.fetch.min_delay);
    }
  }
  return settings;
}

Result<std::unique_ptr<PoliteNetworkFetcher>> PoliteNetworkFetcher::create(
    PolitenessSettings settings) {
  auto curl = CurlFetcher::create();
  if (!curl) {
    return fail(curl.error());
  }
  // The constructor is private (it needs the owned fetcher first); owned at once.
  return std::unique_ptr<PoliteNetworkFetcher>(
      new PoliteNetworkFetcher(std::move(*curl), std::move(settings)));
}

PoliteNetworkFetcher::PoliteNetworkFetcher(std::unique_ptr<Fetcher> network,
                                           PolitenessSettings settings)
    : network_(std::move(network)), polite_(*network_, clock_, sleeper_, std::move(settings)) {}

Result<FetchResponse> PoliteNetworkFetcher::fetch(const FetchRequest& request) {
  return polite_.fetch(request);
}

std::optional<PoliteFetcher::TimePoint> PoliteNetworkFetcher::rate_limited_until(
    std::string_view url) const {
  return polite_.rate_limited_until(url);
}

}  // namespace herald
