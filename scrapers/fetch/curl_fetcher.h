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
// gzip/deflate only, byte cap enforced in the write callback on decoded bytes.
class CurlFetcher final : public Fetcher {
 public:
  static Result<std::unique_ptr<CurlFetcher>> create();
  ~CurlFetcher() override;
  Result<FetchResponse> fetch(const FetchRequest& request) override;

 private:
  struct Impl;
  explicit CurlFetcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace herald
