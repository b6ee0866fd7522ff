#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/timezone.h"
#include "config/selector.h"

namespace herald {

// How a source's pages are turned into items. html/feed/json are described in TOML; the
// others are code modules (scrapers/sites/), each listed in the one extractor table
// (scrapers/registry.cpp).
enum class SourceType { kHtml, kFeed, kJson, kCourtListener, kWechat };

// poll: herald fetches it on its interval. manual: herald cannot poll it (no public list,
// bot walls, logins); editors add its articles with `herald add URL`, and health views show
// it as manual instead of failing.
enum class SourceMode { kPoll, kManual };
enum class SourceKind { kGovernment, kCourt, kAssociation, kCompany, kMedia, kPlatform };

std::string_view source_type_name(SourceType type);
std::string_view source_kind_name(SourceKind kind);

// [list]: how to find announcements on an HTML list page.
struct ListRules {
  Selector item{};                    // one node per announcement (document scope)
  std::optional<Selector> title{};    // default: the text of the link element
  Selector link{};                    // usually "a@href"
  std::optional<Selector> date{};
  std::optional<Selector> summary{};
  // The template prints each item's date in its link text ("2023-11-07 关于…的通知",
  // "Notice … [2023-11-07]"): the date at either end is cut from the title, and a date rule
  // that reads the same text keeps only that date. Off by default: titles stay as printed.
  bool title_strip_date = false;
  // [list] date_is = "deadline": the date the list prints is a deadline (the end of a
  // comment period, cn-tc260), not the publish date. The loader then reads it with `date`
  // into the item's summary, so it never becomes the publish date (queue order, month
  // filing), and the web UI labels it 截止日期. Default "published".
  bool date_is_deadline = false;
};

// [json]: items from a JSON API (GET, or POST with a form body). Paths are dot paths
// ("data.resultList", "a.0.b"); an empty items path means the document is the array.
struct JsonRules {
  std::string method = "GET";          // "GET" or "POST"
  std::string body{};                  // POST form body (application/x-www-form-urlencoded)
  std::string items{};
  std::string title{};
  std::string link{};
  std::string date{};                  // a date string, or Unix seconds / milliseconds
  std::string summary{};               // optional
  std::optional<std::string> link_base{};  // base for relative links (default: the source url)
};

// [courtlistener]: CourtListener REST v4 search (replaces Westlaw for US opinions).
struct CourtListenerRules {
  std::string query{};                 // the q= search, e.g. "\"Stability AI\""
  std::string search_type = "o";       // o = opinions, r = RECAP dockets
  std::string court{};                 // optional court filter, e.g. "cand"
};

// Per-source HTTP settings; every field has a safe default.
struct FetchSettings {
  std::optional<std::string> user_agent{};  // default: herald.toml [fetch] user_agent
  std::optional<std::string> referer{};
  std::optional<std::string> accept_language{};
  std::chrono::seconds timeout{30};
  std::size_t max_body_bytes = 8 * 1024 * 1024;  // hostile pages can be endless
  // Least time between two requests to this source's host; raises herald.toml's
  // [fetch] min_delay for that host (the largest setting wins for a shared host).
  std::optional<std::chrono::seconds> min_delay{};
  // Skip robots.txt for this source. Only an admin's explicit choice; logged at every start.
  bool ignore_robots = false;
  // The source is on the firm's own network: redirects into loopback, private and
  // link-local addresses are followed. Off: such a redirect is kBlockedRedirect.
  bool internal = false;
};

// [article]: how to read an item's own page. Each new item's page is fetched once and
// fills what the list lacks (date, summary) plus the body text. Every selector is
// optional (document scope); without one, extract_article's built-in fallbacks apply.
struct ArticleRules {
  std::optional<Selector> title{};
  std::optional<Selector> date{};
  std::optional<Selector> summary{};
  std::optional<Selector> body{};
  int max_per_poll = 20;               // article fetches per poll (1..200); the rest wait
  std::chrono::seconds timeout{20};    // per article page
};

// same_item_urls: which spellings of one URL are the same item (dedup key only; the
// stored URL stays as the site links it). Both off by default.
struct UrlKeyOptions {
  bool ignore_scheme = false;  // "scheme": http:// and https:// are the same item
  bool ignore_www = false;     // "www": www., m. and the bare host are the same item
};

// One file in sources.d/. Validated once at load; components take it by const&.
struct SourceConfig {
  std::string id{};            // unique; [a-z0-9-_]
  std::string name{};          // for people: "北京市人民政府 · 工作动态"
  // 来源 as the newsletter writes it: the publisher's Chinese name ("英国国家网络安全中心官网").
  // Empty: the export and the desk show `name`.
  std::string publisher{};
  // Days back from the first poll whose items are queued (older ones are stored only);
  // nullopt: herald.toml's [queue] backfill_days.
  std::optional<int> backfill_days{};
  SourceKind kind = SourceKind::kGovernment;
  std::string language{};      // "zh", "en", "ja"
  TimeZone timezone = TimeZone::utc();  // dates without an offset are read in this zone
  std::chrono::seconds interval{2 * 3600};
  SourceType type = SourceType::kHtml;
  std::string url{};           // the list page or feed
  std::optional<std::string> charset{};  // overrides Content-Type and <meta>
  bool always_candidate = false;         // every item is queued (AI-only newsrooms)
  bool enabled = true;
  int expect_min_items = 1;              // fewer on a fetched page: kNoMatch
  std::optional<ListRules> list{};       // required when type = html
  FetchSettings fetch{};
  std::optional<ArticleRules> article{};  // [article]: enrich new items from their pages
  UrlKeyOptions url_key{};               // same_item_urls = ["scheme", "www"]
  SourceMode mode = SourceMode::kPoll;
  std::string manual_reason{};           // required when mode = manual: why, and what to do
  std::optional<std::string> bridge_url{};  // manual only: a feed polled instead (WeChat-to-RSS)
  std::optional<JsonRules> json{};       // required when type = json
  std::optional<CourtListenerRules> courtlistener{};  // required when type = courtlistener
  std::string file{};                    // the file it was read from, for messages
};

}  // namespace herald
