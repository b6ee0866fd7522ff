// Throughput of herald's page pipeline (decode -> parse -> extract -> normalise) on real
// saved list pages, beside gumbo's own parse of the same text, so that the cost of
// herald's layers on top of the parser is a number rather than a guess. bench/README.md
// has the results and the commands that produced them.
//
// With HERALD_BENCH_CORPUS=DIR (a corpus from bench/corpus/generate.py) the first three
// HTML sites of its generation 1 are benchmarked too, with their own sources.d rules: the
// 30-80 KB TRS/Hanweb-like pages the poll-cycle benchmark measures against gumbo's floor.
//
// Every benchmark of a page counts the page's fetched size (the bytes a poll receives,
// GBK or UTF-8) as bytes processed and the items the source yields as items processed, so
// MB/s and items/s of different stages of one page compare directly.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>
#include <gumbo.h>

#include "common/item.h"
#include "common/timezone.h"
#include "config/config_loader.h"
#include "config/herald_config.h"
#include "config/selector.h"
#include "config/source_config.h"
#include "scrapers/decode/decode.h"
#include "scrapers/extract/html_list.h"
#include "scrapers/fetch/fetcher.h"
#include "scrapers/normalise/normalise.h"
#include "scrapers/parse/feed.h"
#include "scrapers/parse/html_document.h"
#include "scrapers/registry.h"
#include "scrapers/relevance/relevance.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

// One page and the [list] rules a source for it would carry (the CSS the extract tests
// spell out in their comments, compiled here the way the config loader compiles it).
struct PageSpec {
  const char* name = "";
  const char* fixture = "";       // under tests/fixtures/
  const char* url = "";           // page URL: relative links resolve against it
  std::int64_t fetched_at = 0;    // UTC; a little after the page's newest item
  std::size_t expected_items = 0; // what extract_page must yield, checked before timing
  const char* item = "";
  const char* title = nullptr;
  const char* link = "";
  const char* date = nullptr;
  const char* summary = nullptr;
};

// Fetch times, midnight UTC of the day after each page was saved.
constexpr std::int64_t k2020_07_10 = 1594339200;
constexpr std::int64_t k2020_08_17 = 1597622400;
constexpr std::int64_t k2018_03_18 = 1521331200;
constexpr std::int64_t k2025_07_29 = 1753747200;

// Content-Type is sent as plain "text/html" for every page, as the snapshots recorded no
// headers: the GBK pages are then decoded through their <meta charset> prescan.
const PageSpec kPages[] = {
    {.name = "rtfund-gbk",
     .fixture = "decode/rtfund-xxpl-list-2020-07.html",
     .url = "http://www.rtfund.com/main/xxpl/",
     .fetched_at = k2020_07_10,
     .expected_items = 15,
     .item = "#expertList1 > ul > li",
     .link = "a@href",
     .date = "span"},
    {.name = "caict-utf8",
     .fixture = "fetch/caict-homepage-2018-03.html",
     .url = "http://www.caict.ac.cn/",
     .fetched_at = k2018_03_18,
     .expected_items = 10,
     .item = ".sublist li",
     .title = "a@title",
     .link = "a@href"},
    {.name = "hsqhfunds-utf8",
     .fixture = "extract/hsqhfunds-disclosure-list-2020-07.html",
     .url = "https://www.hsqhfunds.com/xxpl/",
     .fetched_at = k2020_07_10,
     .expected_items = 20,
     .item = "#dyContentMsgList > div.list-all",
     .link = "> a@href",
     .date = "span > span"},
    {.name = "beijing-gbk",
     .fixture = "decode/beijing-gov-homepage-2018-03.html",
     .url = "http://www.beijing.gov.cn/",
     .fetched_at = k2018_03_18,
     .expected_items = 8,
     .item = "#jrbjcontent dl > dd",
     .link = "a@href"},
    {.name = "netease-gbk",
     .fixture = "decode/netease-rolling-news-list-2020.html",
     .url = "https://news.163.com/latest/",
     .fetched_at = k2020_08_17,
     .expected_items = 40,
     .item = "#instantPanel ul.list_txt > li",
     .link = "a:not(.cBlue)@href",
     .date = "span.cDGray",
     .summary = "a.cBlue"},
};

// A page loaded and checked once; the benchmarks only read it.
struct Page {
  std::string name{};
  FetchResponse response{};
  std::string utf8{};  // decode_to_utf8's output: what gumbo and HtmlDocument::parse see
  SourceConfig source{};
  std::int64_t fetched_at = 0;
  std::size_t items = 0;
};

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "herald_extract_bench: %s\n", message.c_str());
  std::exit(1);
}

Selector compile(const char* text, SelectorScope scope) {
  auto selector = compile_selector(text, scope);
  if (!selector) die(std::string("selector \"") + text + "\": " + selector.error().message);
  return *std::move(selector);
}

std::optional<Selector> compile_optional(const char* text) {
  if (text == nullptr) return std::nullopt;
  return compile(text, SelectorScope::kRelative);
}

SourceConfig source_in(const std::string& id, const char* zone, std::string url) {
  auto tz = TimeZone::load(zone);
  if (!tz) die(tz.error().message);
  return SourceConfig{.id = id, .timezone = *tz, .url = std::move(url), .file = "(bench)"};
}

// Runs the whole pipeline once and insists on the item count the tests establish, so a
// benchmark can never quietly time a page that extracts nothing.
std::size_t check_items(const Page& page, std::size_t expected) {
  auto extraction = extract_page(page.source, page.response, page.fetched_at);
  if (!extraction) die(page.name + ": extract_page failed: " + extraction.error().message);
  if (extraction->items.size() != expected || extraction->rejected != 0) {
    die(page.name + ": expected " + std::to_string(expected) + " items, got " +
        std::to_string(extraction->items.size()) + " (" + std::to_string(extraction->rejected) +
        " rejected)");
  }
  return expected;
}

Page load_html_page(const PageSpec& spec) {
  Page page{.name = spec.name, .fetched_at = spec.fetched_at};
  page.response = FetchResponse{.status = 200,
                                .final_url = spec.url,
                                .content_type = "text/html",
                                .body = testing::read_fixture(spec.fixture)};
  page.source = source_in(spec.name, "Asia/Shanghai", spec.url);
  page.source.list = ListRules{.item = compile(spec.item, SelectorScope::kDocument),
                               .title = compile_optional(spec.title),
                               .link = compile(spec.link, SelectorScope::kRelative),
                               .date = compile_optional(spec.date),
                               .summary = compile_optional(spec.summary)};
  auto text = decode_to_utf8(page.response.body, page.response.content_type, std::nullopt);
  if (!text) die(page.name + ": " + text.error().message);
  page.utf8 = std::move(text->utf8);
  page.items = check_items(page, spec.expected_items);
  return page;
}

Page load_feed_page() {
  const char* url = "https://openai.com/news/rss.xml";
  Page page{.name = "openai-rss", .fetched_at = k2025_07_29};
  page.response = FetchResponse{.status = 200,
                                .final_url = url,
                                .content_type = "application/rss+xml",
                                .body = testing::read_fixture("feed/openai-news-rss-2025-07-28.xml")};
  page.source = source_in("openai-news", "America/Los_Angeles", url);
  page.source.type = SourceType::kFeed;
  auto text = decode_to_utf8(page.response.body, page.response.content_type, std::nullopt);
  if (!text) die(page.name + ": " + text.error().message);
  page.utf8 = std::move(text->utf8);
  page.items = check_items(page, 599);  // tests/feed/feed_real_test.cpp
  return page;
}

// The first `count` HTML sites of a generated corpus, as a poll of generation 1 sees them
// (nginx sends a bare text/html, so GBK pages are decoded through their <meta>).
std::vector<Page> load_corpus_pages(const std::filesystem::path& dir, std::size_t count) {
  auto set = load_sources(dir / "sources.d");
  if (!set) die(set.error().message);
  std::vector<Page> pages;
  for (const SourceConfig& source : set->sources) {
    if (pages.size() >= count) break;
    if (source.type != SourceType::kHtml || !source.list) continue;
    const std::filesystem::path file = dir / "gen1" / source.id / "index.html";
    std::ifstream in(file, std::ios::binary);
    if (!in) die("cannot read " + file.string());
    Page page{.name = "corpus-" + source.id, .fetched_at = std::time(nullptr)};
    page.response = FetchResponse{.status = 200,
                                  .final_url = source.url,
                                  .content_type = "text/html",
                                  .body = std::string(std::istreambuf_iterator<char>(in), {})};
    page.source = source;
    auto text = decode_to_utf8(page.response.body, page.response.content_type, std::nullopt);
    if (!text) die(page.name + ": " + text.error().message);
    page.utf8 = std::move(text->utf8);
    page.items = check_items(page, 20);  // generate.py writes 20 announcements per page
    pages.push_back(std::move(page));
  }
  return pages;
}

// The topics herald ships (config/herald.toml), for BM_Score.
const std::vector<TopicProfile>& shipped_topics() {
  static const std::vector<TopicProfile> topics = [] {
    auto config = load_herald_config(std::filesystem::path(HERALD_FIXTURES) / ".." / ".." /
                                     "config" / "herald.toml");
    if (!config) die(config.error().message);
    return config->topics;
  }();
  return topics;
}

void set_counters(benchmark::State& state, const Page& page) {
  const auto bytes = static_cast<std::int64_t>(page.response.body.size());
  const auto items = static_cast<std::int64_t>(page.items);
  state.SetBytesProcessed(state.iterations() * bytes);
  state.SetItemsProcessed(state.iterations() * items);
  // Plain values for bench/summarise.py, which builds the README tables from the JSON.
  state.counters["page_bytes"] = static_cast<double>(bytes);
  state.counters["page_items"] = static_cast<double>(items);
}

template <typename T>
const T& ok(const Result<T>& result, const Page& page) {
  if (!result) die(page.name + ": " + result.error().message);
  return *result;
}

void bm_gumbo_parse_only(benchmark::State& state, const Page* page) {
  // The options HtmlDocument::parse passes (max_errors = 0), so this is the floor of what
  // herald actually asks of gumbo: parse, then free the tree.
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;
  const auto destroy = [&options](GumboOutput* out) { gumbo_destroy_output(&options, out); };
  for (auto _ : state) {
    std::unique_ptr<GumboOutput, decltype(destroy)> output(
        gumbo_parse_with_options(&options, page->utf8.data(), page->utf8.size()), destroy);
    benchmark::DoNotOptimize(output.get());
  }
  set_counters(state, *page);
}

void bm_decode(benchmark::State& state, const Page* page) {
  for (auto _ : state) {
    auto text = decode_to_utf8(page->response.body, page->response.content_type, std::nullopt);
    benchmark::DoNotOptimize(text);
  }
  set_counters(state, *page);
}

void bm_html_document_parse(benchmark::State& state, const Page* page) {
  for (auto _ : state) {
    auto doc = HtmlDocument::parse(page->utf8);
    benchmark::DoNotOptimize(doc);
  }
  set_counters(state, *page);
}

void bm_extract(benchmark::State& state, const Page* page) {
  auto doc = HtmlDocument::parse(page->utf8);
  const HtmlDocument& parsed = ok(doc, *page);
  for (auto _ : state) {
    auto items = extract_list(parsed, *page->source.list);
    benchmark::DoNotOptimize(items);
  }
  set_counters(state, *page);
}

void bm_parse_feed(benchmark::State& state, const Page* page) {
  for (auto _ : state) {
    auto feed = parse_feed(page->utf8);
    benchmark::DoNotOptimize(feed);
  }
  set_counters(state, *page);
}

// The raw items exactly as extract_page would hand them to normalise.
std::vector<RawItem> raw_items(const Page& page) {
  if (page.source.type == SourceType::kFeed) return ok(parse_feed(page.utf8), page).items;
  auto doc = HtmlDocument::parse(page.utf8);
  return ok(extract_list(ok(doc, page), *page.source.list), page);
}

void bm_normalise(benchmark::State& state, const Page* page) {
  const std::vector<RawItem> raw = raw_items(*page);
  for (auto _ : state) {
    for (const RawItem& item : raw) {
      auto normalised = normalise(item, page->source, page->response.final_url, page->fetched_at);
      benchmark::DoNotOptimize(normalised);
    }
  }
  set_counters(state, *page);
}

void bm_score(benchmark::State& state, const Page* page) {
  auto extraction = extract_page(page->source, page->response, page->fetched_at);
  if (!extraction) die(page->name + ": " + extraction.error().message);
  std::vector<Item> items = std::move(extraction->items);
  const std::vector<TopicProfile>& topics = shipped_topics();
  for (auto _ : state) {
    for (Item& item : items) score_item(item, topics, false);
    benchmark::DoNotOptimize(items.data());
  }
  set_counters(state, *page);
}

void bm_full_pipeline(benchmark::State& state, const Page* page) {
  for (auto _ : state) {
    auto extraction = extract_page(page->source, page->response, page->fetched_at);
    benchmark::DoNotOptimize(extraction);
  }
  set_counters(state, *page);
}

void register_page(const Page& page) {
  const auto add = [&page](const char* stage, void (*fn)(benchmark::State&, const Page*)) {
    benchmark::RegisterBenchmark((std::string(stage) + "/" + page.name).c_str(), fn, &page)
        ->Unit(benchmark::kMicrosecond);
  };
  add("BM_Decode", bm_decode);
  if (page.source.type == SourceType::kHtml) {
    add("BM_GumboParseOnly", bm_gumbo_parse_only);
    add("BM_HtmlDocumentParse", bm_html_document_parse);
    add("BM_Extract", bm_extract);
  } else {
    add("BM_ParseFeed", bm_parse_feed);
  }
  add("BM_Normalise", bm_normalise);
  add("BM_Score", bm_score);
  add("BM_FullPipeline", bm_full_pipeline);
}

}  // namespace
}  // namespace herald

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  // Loaded (and checked) before anything is timed; registered benchmarks point into it.
  std::vector<herald::Page> pages;
  for (const herald::PageSpec& spec : herald::kPages) pages.push_back(herald::load_html_page(spec));
  pages.push_back(herald::load_feed_page());
  if (const char* corpus = std::getenv("HERALD_BENCH_CORPUS"); corpus != nullptr && *corpus != 0) {
    for (herald::Page& page : herald::load_corpus_pages(corpus, 3)) pages.push_back(std::move(page));
  }
  for (const herald::Page& page : pages) herald::register_page(page);

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
