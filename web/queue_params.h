#pragma once

#include <optional>
#include <string>
#include <vector>

#include <httplib.h>

#include "common/result.h"
#include "config/source_config.h"
#include "storage/store.h"

namespace herald::web {

// The queue filters as the page and the API take them from the query string:
//   state    pending (default) | accepted | rejected | published | all
//   section  exact section name
//   source   source id
//   kind     government | court | association | company | media | platform
//   from, to YYYY-MM-DD, inclusive, counted in the newsletter's zone
//   min_score decimal
//   q        full-text search (title, summary, body)
//   instrument      文种, exactly as stored ("征求意见稿", "proposed rule")
//   has_deadline    1: only items with a comment deadline (意见反馈截止)
//   deadline_until  YYYY-MM-DD: comment deadline on or before this day
//   page     1-based page number; limit (API) page size 1..200
struct QueueParams {
  QueueQuery query{};
  bool no_match = false;  // a kind no configured source has: nothing can match
  int page = 1;
  int page_size = 30;
  // The accepted filter values as given (for the form and for links to other pages).
  std::string state{}, section{}, source{}, kind{}, from{}, to{}, min_score{}, text{};
  std::string instrument{}, has_deadline{}, deadline_until{};  // has_deadline: "" or "1"
};

// A search counts its matches up to this many, then says "1,000+" (QueueQuery::count_up_to):
// counting every match of a common word costs more than the page itself.
inline constexpr std::int64_t kSearchCountUpTo = 1000;

// kUsage with a message for people when a value is malformed.
Result<QueueParams> parse_queue_params(const httplib::Request& request,
                                       const std::vector<SourceConfig>& sources,
                                       int utc_offset_seconds, int default_page_size);

// The filters as a query string ("state=all&q=%E4%BA%BA"), without page; empty values left out.
std::string queue_query_string(const QueueParams& params);

// The filters in force, for people ("文种：征求意见稿", "有截止日期"), in the form's order;
// the state is left out (the caller says which cards it means).
std::vector<std::string> describe_filters(const QueueParams& params,
                                          const std::vector<SourceConfig>& sources);

// Parses a strictly decimal, positive id ("12"); nullopt otherwise.
std::optional<std::int64_t> parse_id(const std::string& text);

// "2023-11": four digits, '-', a month 01..12.
bool is_valid_month(const std::string& month);

// Percent-encodes everything but unreserved characters (RFC 3986).
std::string url_encode(const std::string& value);

}  // namespace herald::web
