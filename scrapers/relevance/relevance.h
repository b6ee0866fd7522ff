#pragma once

#include <vector>

#include "common/item.h"
#include "config/herald_config.h"

namespace herald {

// Scores `item` against every topic profile (title and summary, case-folded; ASCII
// keywords match whole words only, so "AI" does not match "said"). Fills item.score
// (the best profile's score), item.matched_terms and item.candidate.
void score_item(Item& item, const std::vector<TopicProfile>& topics, bool always_candidate);

}  // namespace herald
