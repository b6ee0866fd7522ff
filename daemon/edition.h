#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/timezone.h"
#include "config/source_config.h"
#include "storage/store.h"
#include "web/export.h"

namespace herald {

// The newsletter's two sections, in the order they are printed.
inline constexpr std::string_view kLegalSection = "最新法律与监管动态";
inline constexpr std::string_view kIndustrySection = "最新行业动态";

// Where a new candidate is filed until an editor moves it: regulators, courts and
// associations make law and policy; companies, media and platforms are the industry.
std::string default_section(SourceKind kind);

// The seed newsletter's order within the legal section, for items editors have not placed:
// 0 domestic rules (Chinese-language government sources), 1 foreign rules (other
// governments), 2 reports (associations, research institutes), 3 cases (courts), 4 the rest
// (media, companies, platforms, sources no longer configured). Industry items all rank 0.
int editorial_rank(const SourceConfig* source, std::string_view section);

// Orders an edition's candidates as the newsletter prints them: by section; within it the
// items editors placed (position > 0) first, in their order; then the others by
// editorial_rank of their source and by publish date, oldest first (as the seed).
void order_for_edition(std::vector<Candidate>& candidates,
                       const std::vector<SourceConfig>& sources);

// The UTC offset (seconds east) in `zone` at the end of `month` ("2023-11"), the boundary
// Store::edition_candidates and publish_edition count the month by. The zone's offset at
// the epoch for a malformed month (the store then reports it).
int month_utc_offset(std::string_view month, const TimeZone& zone);

// The edition of `month` as `herald export` prints it: the store's accepted (and published)
// candidates of the month counted in `zone`, with each source's configured name as 来源
// (the id when the source is no longer configured), the publication date as a calendar
// date in the source's own zone, and the editors' title and summary where they wrote one.
// Errors: kUsage for a malformed month, the store's errors.
Result<web::Edition> build_edition(Store& store, const std::vector<SourceConfig>& sources,
                                   const std::string& month, const TimeZone& zone);

}  // namespace herald
