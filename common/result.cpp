#include "common/result.h"

namespace herald {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kConfig: return "config";
    case ErrorCode::kUsage: return "usage";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kRefused: return "refused";
    case ErrorCode::kDns: return "dns";
    case ErrorCode::kTls: return "tls";
    case ErrorCode::kNetwork: return "network";
    case ErrorCode::kHttp4xx: return "http_4xx";
    case ErrorCode::kHttp5xx: return "http_5xx";
    case ErrorCode::kRateLimited: return "rate_limited";
    case ErrorCode::kTooLarge: return "too_large";
    case ErrorCode::kRedirectLimit: return "redirect_limit";
    case ErrorCode::kBlockedRedirect: return "blocked_redirect";
    case ErrorCode::kRobotsDisallow: return "robots_disallow";
    case ErrorCode::kDecode: return "decode";
    case ErrorCode::kParse: return "parse";
    case ErrorCode::kParseLimit: return "parse_limit";
    case ErrorCode::kFeedInvalid: return "feed_invalid";
    case ErrorCode::kNoMatch: return "no_match";
    case ErrorCode::kStorage: return "db_error";
    case ErrorCode::kDbFull: return "db_full";
    case ErrorCode::kCancelled: return "cancelled";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

}  // namespace herald
