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

enum class SourceType { kHtml, kFeed };
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
};

// Per-source HTTP settings; every field has a safe default.
struct FetchSettings {
  std::optional<std::string> user_agent{};  // default: herald.toml [fetch] user_agent
  std::optional<std::string> referer{};
  std::optional<std::string> accept_language{};
  std::chrono::seconds timeout{30};
  std::size_t max_body_bytes = 8 * 1024 * 1024;  // hostile pages can be endless
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
  std::string file{};                    // the file it was read from, for messages
};

}  // namespace herald
