#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/timezone.h"

namespace herald {

struct ParsedDate {
  std::int64_t utc_seconds = 0;
  bool has_time = false;  // false: a date only, stored as local midnight of that day
};

// Parses the dates these sites print: ISO 8601 (with or without offset), 2023-11-07,
// 2023/11/07, 2023.11.07, 2023年11月7日 (spaces, full-width digits), with times 10:30 or
// 10:30:15, bracketed or labelled ("发布时间：..."), "November 27, 2023", "27 Nov 2023",
// RFC 822/1123 with zone names or offsets, Unix seconds or milliseconds. Text without a
// zone is read in `tz`. `now_utc` anchors relative dates. nullopt when nothing fits.
std::optional<ParsedDate> parse_date(std::string_view text, const TimeZone& tz,
                                     std::int64_t now_utc);

// A date embedded in a URL path (/202311/t20231107_123.html, /2023/11/07/, /20231109/, and
// Tencent news ids /a/20231116A054CO00 or /omn/20231116A054CO00.html), read as local
// midnight in `tz`. A fallback when the page prints no date.
std::optional<ParsedDate> date_from_url(std::string_view url, const TimeZone& tz);

// A link text that carries its item's date at one end, as some list templates print it:
// "2023-11-07 关于…的通知", "[2023-11-07] Notice", "关于…的通知（2023年11月7日）",
// "Notice on X | 7 Nov 2023". The date (with its time, without brackets) and the headline
// without it. The date must be a whole year-month-day (as parse_date reads it), set off
// from the headline by a space, a bracket or a separator (| - – — · : ：), and the headline
// must remain: "2023年11月7日国务院常务会议" and a bare date give nullopt. Full-width digits
// are not read here (the text is split as printed, so the headline keeps its characters).
struct EdgeDate {
  std::string date{};      // "2023-11-07", as printed
  std::string headline{};  // the rest, trimmed
};
std::optional<EdgeDate> split_edge_date(std::string_view text);

}  // namespace herald
