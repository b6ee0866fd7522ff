#pragma once

#include <memory>

#include "scrapers/fetch/fetcher.h"

namespace herald {

// Process-wide libcurl setup: construct one in main() before any thread starts.
class CurlGlobal {
 public:
  CurlGlobal();
  ~CurlGlobal();
  CurlGlobal(const CurlGlobal&) = delete;
  CurlGlobal& operator=(const CurlGlobal&) = delete;
};

// The real fetcher: libcurl easy interface, http/https only, conditional GET,
// gzip/deflate only, byte caps enforced in herald's callbacks on raw and on decoded bytes,
// and redirects into loopback, private or link-local addresses refused unless
// FetchRequest::internal (checked on the address actually connected to).
class CurlFetcher final : public Fetcher {
 public:
  static Result<std::unique_ptr<CurlFetcher>> create();
  ~CurlFetcher() override;
  Result<FetchResponse> fetch(const FetchRequest& request) override;

 private:
  struct Impl;
  explicit CurlFetcher(std::unique_ptr<Impl> impl);
  // fetch() after `prior_hops` redirects herald followed itself (a POST's redirect).
  Result<FetchResponse> fetch_hop(const FetchRequest& request, long prior_hops);
  std::unique_ptr<Impl> impl_;
};

}  // namespace herald
