#pragma once

#include <vector>

#include "common/item.h"
#include "config/herald_config.h"

namespace herald {

// Scores `item` against every topic profile. Title and summary are compared with the
// keywords after NFKC and Unicode case folding (scrapers/relevance/fold.h), so "ＡＩ",
// "Ai" and "ai" are one term and half-width ｶﾀｶﾅ matches カタカナ. Keywords in
// space-separated scripts match whole words only ("AI" does not match "said", but does in
// "自研AI大模型"); CJK keywords match as substrings. Each keyword counts once per item,
// and keywords that fold to the same text count once per profile. Fills item.score (the
// best profile's score), item.matched_terms (in their configured spelling) and
// item.candidate.
void score_item(Item& item, const std::vector<TopicProfile>& topics, bool always_candidate);

}  // namespace herald
