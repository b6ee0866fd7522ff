#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/item.h"
#include "common/timezone.h"
#include "storage/store.h"

namespace herald {

// How items and candidates look in --json output (README "Interface contract").
nlohmann::json item_json(const Item& item, const TimeZone& zone);
nlohmann::json candidate_json(const Candidate& candidate, const TimeZone& zone);

// ISO 8601 with the zone's offset, or JSON null.
nlohmann::json published_json(const std::optional<std::int64_t>& at, const TimeZone& zone);

// "2023-11-07", or dashes when the date is unknown: for tables.
std::string published_short(const std::optional<std::int64_t>& at, const TimeZone& zone);

std::string join(const std::vector<std::string>& parts, std::string_view separator);

}  // namespace herald
