// parse_date and date_from_url on arbitrary text in the zones herald's sources use: never
// crash, and any date found lies in the years the parser promises (1900..2100), give or
// take the day a zone offset can add.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <vector>

#include "common/timezone.h"
#include "fuzz/fuzz_check.h"
#include "scrapers/normalise/date.h"

namespace {

// 2023-11-07 06:00 UTC, the fetch time the unit tests use, anchors relative dates.
constexpr std::int64_t kNowUtc = 1699336800;
const std::int64_t kEarliest = (herald::days_from_civil(1900, 1, 1) - 1) * 86400;
const std::int64_t kLatest = (herald::days_from_civil(2101, 1, 1) + 1) * 86400;

std::vector<herald::TimeZone> load_zones() {
  std::vector<herald::TimeZone> zones{herald::TimeZone::utc(), herald::TimeZone::fixed(14 * 3600),
                                      herald::TimeZone::fixed(-12 * 3600)};
  for (const char* name : {"Asia/Shanghai", "Asia/Tokyo", "America/New_York"}) {
    auto zone = herald::TimeZone::load(name);
    if (!zone) {
      std::fprintf(stderr, "date_fuzz: %s (install tzdata)\n", zone.error().message.c_str());
      std::abort();
    }
    zones.push_back(*zone);
  }
  return zones;
}

const std::vector<herald::TimeZone>& zones() {
  static const std::vector<herald::TimeZone> loaded = load_zones();
  return loaded;
}

void check_in_range(const std::optional<herald::ParsedDate>& date, const char* what,
                    std::string_view input) {
  if (date) {
    herald::fuzz::check(date->utc_seconds >= kEarliest && date->utc_seconds < kLatest, what, input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  zones();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (const herald::TimeZone& zone : zones()) {
    check_in_range(herald::parse_date(input, zone, kNowUtc), "parse_date: year outside 1900..2100",
                   input);
    check_in_range(herald::date_from_url(input, zone), "date_from_url: year outside 1900..2100",
                   input);
  }
  return 0;
}
