#pragma once

// Discovery: from one list page (and nothing else) to a source file an admin can read,
// check and save. Two users: `herald sources discover URL` (a new source) and the repair of
// a source whose page stopped matching (the archived page is passed in, with the items
// herald already knows, so a proposal that re-finds them ranks first).
//
// Everything here is pure except probe_feeds, which fetches through the Fetcher it is
// given (a loopback server or a replay in tests). No storage, no web, no daemon.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/item.h"
#include "common/result.h"
#include "common/timezone.h"
#include "config/source_config.h"
#include "scrapers/decode/decode.h"
#include "scrapers/fetch/fetcher.h"
#include "scrapers/parse/feed.h"

namespace herald {

// An item herald already stored for the source being repaired: a proposal that yields it
// again is trusted more than one that does not.
struct KnownItem {
  std::string title{};
  std::string url{};  // absolute
};

struct DiscoverOptions {
  TimeZone timezone = TimeZone::utc();  // dates without a zone (most Chinese lists)
  std::int64_t now_utc = 0;             // anchors relative dates; 0 = no relative dates
  std::size_t max_lists = 5;            // ranked list candidates kept (best first)
  std::size_t preview_items = 10;       // round-trip items kept per candidate
  std::vector<KnownItem> known{};       // repair: the source's stored items (may be empty)
};

// Where a list candidate's dates come from.
enum class DateOrigin {
  kInItem,  // a text or attribute inside each record (ListRules::date is set)
  kInUrl,   // only the links carry a date (/202311/t20231107_1.html): herald reads it there
  kNone,    // neither: dates must come from the article pages ([article] needed)
};

std::string_view date_origin_name(DateOrigin origin);

// One repeating record region and the rules derived for it.
struct ListCandidate {
  ListRules rules{};              // compiled selectors; rules.*.text is what goes in the file
  std::string region{};           // where it is, for people: "div#main > ul.list"
  std::size_t records = 0;        // sibling records found in the region
  DateOrigin date_origin = DateOrigin::kNone;
  std::string date_format{};      // as printed, e.g. "YYYY-MM-DD", "YYYY年M月D日"; "" = none
  double date_share = 0.0;        // share of records with a parsable date (0..1)
  bool needs_article_date = false;  // no usable date in the list: [article] should read it
  bool title_from_attribute = false;  // link text cut ("…"): title read from a@title
  double score = 0.0;             // higher is better; only comparable within one Discovery
  std::vector<std::string> reasons{};  // why it scored so, for the file's comments
  // Round trip: herald's own extractor run with `rules` on the same page.
  bool round_trip_ok = false;     // it yielded the records discovery saw
  std::size_t round_trip_items = 0;
  std::vector<RawItem> preview{};  // the first items it yielded (options.preview_items)
  std::size_t known_found = 0;     // of options.known, how many the round trip re-found
};

// How a feed candidate was found.
enum class FeedOrigin {
  kLinkAlternate,  // <link rel="alternate" type="application/rss+xml|atom+xml|feed+json|json">
  kCmsPath,        // a usual feed path of the CMS the page looks built with
};

struct FeedCandidate {
  std::string url{};               // absolute
  FeedOrigin origin = FeedOrigin::kLinkAlternate;
  std::string hint{};              // the link's type, or "WordPress /feed/", "Drupal /rss.xml"
  // Filled in by probe_feeds; unverified candidates come straight from the page.
  bool verified = false;           // fetched and parsed by herald's feed or JSON reader
  std::optional<FeedFormat> format{};  // RSS, RDF or Atom
  // A JSON Feed (jsonfeed.org): the [json] rules a type = "json" source reads it with.
  std::optional<JsonRules> json{};
  std::size_t items = 0;
  double overlap = 0.0;            // share of the page's best list items found in the feed
  std::string problem{};           // why it was not usable (fetch error, not a feed, ...)
};

enum class DiscoveryChoice {
  kNone,  // nothing usable: no feed, no list region
  kFeed,  // feeds[0]: verified and carrying the page's items
  kList,  // lists[0]
};

struct Discovery {
  std::string url{};                  // the page's final URL (the base for links)
  std::string charset{};              // as decode found it; written when not UTF-8
  std::string charset_origin{};       // "meta", "http", "detected", ...
  std::string title{};                // the page's <title>: the default source name
  std::string cms{};                  // recognised CMS ("WordPress", "TRS", ...) or ""
  std::vector<FeedCandidate> feeds{};  // best first
  std::vector<ListCandidate> lists{};  // best first
  DiscoveryChoice choice = DiscoveryChoice::kNone;
  // 0..1: how sure herald is of the choice (margin over the runner-up, round trip, dates).
  double confidence = 0.0;
};

// Finds the page's feed links and its repeating record regions, derives [list] rules for
// each region, verifies them by running extract_list on the same page and ranks them.
// Does not fetch: feeds are listed unverified (call probe_feeds), and choice is kList when a
// list was found, else kNone. Errors: kParse / kParseLimit from the HTML parser only; "no
// list found" is not an error (choice == kNone, lists empty).
Result<Discovery> discover_list(const DecodedPage& page, std::string_view final_url,
                                const DiscoverOptions& options);

// Adds the usual feed paths of the recognised CMS to discovery.feeds, fetches each feed
// candidate once through `fetcher` (with `base` as the request template: user agent,
// timeouts), parses it (RSS/Atom with herald's feed parser; a JSON Feed, whose "version"
// is a jsonfeed.org URL, with herald's JSON list extractor and the rules JSON Feed fixes),
// compares its items with the best list's preview (links, then titles), and sets choice =
// kFeed when a feed carries the page's items. Fetch failures, JSON that is not a JSON Feed
// and the like are recorded in FeedCandidate::problem, never returned.
void probe_feeds(Discovery& discovery, Fetcher& fetcher, const FetchRequest& base);

// What the admin (or the CLI flags) decides; the rest comes from the discovery.
struct SourceDraft {
  std::string id{};
  SourceKind kind = SourceKind::kGovernment;
  std::string name{};        // default: the page's <title>-derived name given by the caller
  std::string url{};         // the list page as the admin gave it (before redirects)
  std::string language{};    // "" = leave out
  std::string timezone{};    // IANA name; "" = leave out
};

// The complete source file (TOML, the schema of config/sources.d/) for discovery.choice:
// a header comment saying what was inferred and how sure herald is, then the keys, the
// [list] table (or type = "feed", or type = "json" with its [json] table for a JSON Feed),
// and [article] when the list has no dates. Loads with
// load_source_file as written. Precondition: choice != kNone.
std::string render_source_file(const Discovery& discovery, const SourceDraft& draft);

// Just the [list] table for one candidate (with its comment lines): what a repair
// proposal replaces in an existing file.
std::string render_list_table(const ListCandidate& candidate);

// One line per candidate for "rejected alternatives" listings: region, records, score,
// why it lost.
std::string describe_candidate(const ListCandidate& candidate);

// How far two extractions of one page agree: a discovered list against the hand-written
// config's items (the benchmark, the tests), or a repair proposal against the items of the
// last good poll. Items are matched by link (resolved against `base_url`, canonical key);
// a match counts for title when the titles are equal after whitespace is collapsed, and for
// date when both give the same day (a date in the URL counts where the list prints none).
struct ItemAgreement {
  std::size_t reference = 0;       // items in the reference extraction
  std::size_t found = 0;           // items in the other one
  std::size_t same_link = 0;       // reference items whose link the other has
  std::size_t same_title_link = 0;
  std::size_t same_date = 0;       // of the reference items that have a date
  std::size_t reference_dated = 0;

  double recall() const { return reference == 0 ? 1.0 : double(same_title_link) / double(reference); }
  double precision() const { return found == 0 ? (reference == 0 ? 1.0 : 0.0) : double(same_title_link) / double(found); }
  double date_recall() const { return reference_dated == 0 ? 1.0 : double(same_date) / double(reference_dated); }
};

ItemAgreement compare_items(const std::vector<RawItem>& reference, const std::vector<RawItem>& found,
                            std::string_view base_url, const TimeZone& tz);

}  // namespace herald
