// Discovery (scrapers/discover): hand-written hard cases, real list pages, the shipped
// html sources' fixtures, feeds on a loopback server, and the rendered file.

#include "scrapers/discover/discover.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "config/fixtures.h"
#include "scrapers/decode/decode.h"
#include "scrapers/extract/html_list.h"
#include "scrapers/fetch/curl_fetcher.h"
#include "scrapers/parse/html_document.h"
#include "tests/support/fixtures.h"
#include "tests/support/local_server.h"

namespace herald {
namespace {

namespace fs = std::filesystem;
using testing::fixture_path;
using testing::read_fixture;

// A fixed "now" after every date on the pages (2026-12-01), so relative dates do not drift.
constexpr std::int64_t kNow = 1796083200;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

DiscoverOptions options() {
  DiscoverOptions o;
  o.timezone = TimeZone::fixed(8 * 3600);
  o.now_utc = kNow;
  o.preview_items = 1000;  // the whole round trip, to compare with the reference
  return o;
}

Discovery discover_page(const std::string& bytes, const std::string& url,
                        const DiscoverOptions& opts = options()) {
  auto decoded = decode_to_utf8(bytes, "", std::nullopt);
  EXPECT_TRUE(decoded.has_value());
  auto found = discover_list(*decoded, url, opts);
  EXPECT_TRUE(found.has_value()) << (found ? "" : found.error().message);
  return found ? *found : Discovery{};
}

// The items a source config extracts from `bytes`.
std::vector<RawItem> extract_with(const SourceConfig& source, const std::string& bytes) {
  auto decoded = decode_to_utf8(bytes, "", source.charset);
  EXPECT_TRUE(decoded.has_value());
  auto doc = HtmlDocument::parse(decoded->utf8);
  EXPECT_TRUE(doc.has_value());
  auto items = extract_list(*doc, *source.list);
  EXPECT_TRUE(items.has_value());
  return items ? *items : std::vector<RawItem>{};
}

struct Case {
  std::string name;
  SourceConfig reference;
  std::string bytes;
};

Case load_case(const std::string& dir, const std::string& name) {
  auto source = load_source_file(fixture_path(dir + "/" + name + ".toml"));
  EXPECT_TRUE(source.has_value()) << (source ? "" : source.error().message);
  return Case{name, source ? *source : SourceConfig{}, read_fixture(dir + "/" + name + ".html")};
}

// Discovery's chosen list against the reference config's items on the same page.
ItemAgreement agreement(const Case& c, Discovery* out = nullptr) {
  Discovery d = discover_page(c.bytes, c.reference.url);
  if (out != nullptr) *out = d;
  if (d.lists.empty()) return ItemAgreement{.reference = extract_with(c.reference, c.bytes).size()};
  return compare_items(extract_with(c.reference, c.bytes), d.lists.front().preview, c.reference.url,
                       c.reference.timezone);
}

// ---- hand-written hard cases ------------------------------------------------------------

TEST(DiscoverHardCases, DecoyHotListLongerThanTheColumnLoses) {
  Discovery d;
  const ItemAgreement a = agreement(load_case("discover", "decoy-hot"), &d);
  ASSERT_EQ(d.choice, DiscoveryChoice::kList);
  EXPECT_EQ(d.lists.front().records, 8u);
  EXPECT_EQ(a.recall(), 1.0);
  EXPECT_EQ(a.precision(), 1.0);
  EXPECT_EQ(a.date_recall(), 1.0);
  // The 12-item 热点 list is seen, and rejected for what it is.
  bool decoy_seen = false;
  for (std::size_t i = 1; i < d.lists.size(); ++i) {
    for (const std::string& why : d.lists[i].reasons) {
      if (why.find("热点") != std::string::npos) decoy_seen = true;
    }
  }
  EXPECT_TRUE(decoy_seen);
}

TEST(DiscoverHardCases, TwoListsPicksTheLongerDatedOne) {
  Discovery d;
  const ItemAgreement a = agreement(load_case("discover", "two-lists"), &d);
  ASSERT_EQ(d.choice, DiscoveryChoice::kList);
  EXPECT_EQ(a.recall(), 1.0);
  EXPECT_EQ(a.date_recall(), 1.0);
  EXPECT_EQ(d.lists.front().rules.date->text, "p.date");
  ASSERT_GE(d.lists.size(), 2u);
  EXPECT_EQ(d.lists[1].records, 5u);  // the 政策解读 list is the runner-up
}

TEST(DiscoverHardCases, DatesOnlyInUrlsAreReadThere) {
  Discovery d;
  const ItemAgreement a = agreement(load_case("discover", "url-dates"), &d);
  ASSERT_EQ(d.choice, DiscoveryChoice::kList);
  const ListCandidate& best = d.lists.front();
  EXPECT_EQ(a.recall(), 1.0);
  EXPECT_EQ(best.date_origin, DateOrigin::kInUrl);
  EXPECT_FALSE(best.rules.date.has_value());
  EXPECT_FALSE(best.needs_article_date);
  EXPECT_EQ(a.date_recall(), 1.0);
}

TEST(DiscoverHardCases, TableRowsWithCutTitlesUseTheTitleAttribute) {
  Discovery d;
  const ItemAgreement a = agreement(load_case("discover", "table"), &d);
  ASSERT_EQ(d.choice, DiscoveryChoice::kList);
  const ListCandidate& best = d.lists.front();
  EXPECT_TRUE(best.title_from_attribute);
  EXPECT_EQ(a.recall(), 1.0) << best.rules.item.text;
  EXPECT_EQ(a.precision(), 1.0);
  EXPECT_EQ(a.date_recall(), 1.0);
  EXPECT_EQ(best.date_format, "YYYY/MM/DD");
}

TEST(DiscoverHardCases, GbkPageDecodedAndDatedFromTheRowText) {
  Discovery d;
  const ItemAgreement a = agreement(load_case("discover", "gbk"), &d);
  ASSERT_EQ(d.choice, DiscoveryChoice::kList);
  EXPECT_EQ(d.charset, "GB18030");
  EXPECT_EQ(a.recall(), 1.0);
  EXPECT_EQ(a.date_recall(), 1.0);
}

TEST(DiscoverHardCases, NoListIsNotAnError) {
  const std::string page =
      "<html><head><title>About</title></head><body><h1>About us</h1><p>We are an office. "
      "<a href=\"/contact\">Contact</a></p></body></html>";
  Discovery d = discover_page(page, "https://example.org/about");
  EXPECT_EQ(d.choice, DiscoveryChoice::kNone);
}

// ---- the repair's use: items herald already knows pull their list up --------------------

TEST(DiscoverRepair, KnownItemsRankTheirListFirst) {
  const std::string page = read_fixture("discover/two-lists.html");
  DiscoverOptions opts = options();
  // Items of the smaller 政策解读 list, as the last good poll stored them.
  Discovery plain = discover_page(page, "http://www.example.ac.cn/gzdt/");
  ASSERT_GE(plain.lists.size(), 2u);
  for (const RawItem& it : plain.lists[1].preview) {
    opts.known.push_back(KnownItem{it.title, "http://www.example.ac.cn" + it.link});
  }
  Discovery d = discover_page(page, "http://www.example.ac.cn/gzdt/", opts);
  ASSERT_EQ(d.choice, DiscoveryChoice::kList);
  EXPECT_EQ(d.lists.front().records, 5u);
  EXPECT_EQ(d.lists.front().known_found, 5u);
}

// ---- real list pages ---------------------------------------------------------------------

class DiscoverRealPage : public ::testing::TestWithParam<std::string> {};

TEST_P(DiscoverRealPage, FindsTheHandWrittenConfigsItems) {
  Discovery d;
  const Case c = load_case("discover/real", GetParam());
  const ItemAgreement a = agreement(c, &d);
  ASSERT_EQ(d.choice, DiscoveryChoice::kList);
  ASSERT_GT(a.reference, 3u);
  EXPECT_GE(a.recall(), 0.95) << describe_candidate(d.lists.front());
  EXPECT_GE(a.precision(), 0.95) << describe_candidate(d.lists.front());
  EXPECT_GE(a.date_recall(), 0.9) << describe_candidate(d.lists.front());
  EXPECT_TRUE(d.lists.front().round_trip_ok);
}

INSTANTIATE_TEST_SUITE_P(Real, DiscoverRealPage,
                         ::testing::Values("netease-rolling-news-list-2020", "rtfund-xxpl-list-2020-07",
                                           "hsqhfunds-disclosure-list-2020-07",
                                           "dfa66-announcement-list-2020-07",
                                           "cac-wxan-a093802-list-trimmed-2026-09-21"),
                         [](const auto& info) {
                           std::string n = info.param.substr(0, info.param.find('-'));
                           return n;
                         });

// Homepages hold many lists: discovery must pick a news list, never the navigation.
TEST(DiscoverRealHomepage, PicksADatedNewsListNotTheNavigation) {
  for (const char* name : {"miit-gov-cn-homepage-2018-03", "caict-homepage-2018-03",
                           "court-gov-cn-homepage-2018-03"}) {
    SCOPED_TRACE(name);
    const std::string bytes = read_fixture(fmt::format("discover/real/{}.html", name));
    Discovery d = discover_page(bytes, "http://www.example.gov.cn/");
    ASSERT_EQ(d.choice, DiscoveryChoice::kList);
    const ListCandidate& best = d.lists.front();
    EXPECT_TRUE(best.round_trip_ok);
    EXPECT_GE(best.records, 5u);
    std::size_t headlines = 0;
    for (const RawItem& it : best.preview) headlines += it.title.size() >= 8 * 3 ? 1 : 0;  // 8+ CJK
    EXPECT_GE(headlines * 10, best.preview.size() * 8) << describe_candidate(best);
  }
}

// ---- the shipped html sources' fixtures ---------------------------------------------------

TEST(DiscoverShippedFixtures, EachShippedListIsFound) {
  // cn-jiemian's saved page is a homepage and its config reads every /article/ link on it,
  // across all its lists: no one list discovery picks can hold them (bench/README.md).
  const std::set<std::string> whole_page = {"cn-jiemian"};
  std::size_t reference = 0, same = 0, sources = 0;
  std::string report;
  for (const auto& entry : fs::directory_iterator(fs::path(HERALD_SOURCE_ROOT) / "config/sources.d")) {
    auto source = load_source_file(entry.path());
    if (!source || source->type != SourceType::kHtml || !source->list) continue;
    auto index = load_fixture_index(fixture_path(source->id));
    if (!index) continue;
    for (const SavedResponse& r : index->responses) {
      if (r.url != source->url) continue;
      const std::string bytes = slurp(r.file);
      auto decoded = decode_to_utf8(bytes, r.content_type, source->charset);
      ASSERT_TRUE(decoded.has_value());
      auto doc = HtmlDocument::parse(decoded->utf8);
      ASSERT_TRUE(doc.has_value());
      auto ref = extract_list(*doc, *source->list);
      ASSERT_TRUE(ref.has_value());
      auto d = discover_list(*decoded, source->url, options());
      ASSERT_TRUE(d.has_value());
      const ItemAgreement a = d->lists.empty()
                                  ? ItemAgreement{.reference = ref->size()}
                                  : compare_items(*ref, d->lists.front().preview, source->url, source->timezone);
      ++sources;
      if (!whole_page.contains(source->id)) {
        EXPECT_GE(a.recall(), 0.95) << source->id;
        EXPECT_GE(a.precision(), 0.95) << source->id;
        EXPECT_GE(a.date_recall(), 0.9) << source->id;
      }
      reference += a.reference;
      same += a.same_title_link;
      report += fmt::format("{}: {}/{}\n", source->id, a.same_title_link, a.reference);
    }
  }
  ASSERT_GE(sources, 10u);
  // bench/README.md has the per-source table; this is the floor CI holds it to.
  EXPECT_GE(static_cast<double>(same), 0.75 * static_cast<double>(reference)) << report;
}

// ---- the rendered file --------------------------------------------------------------------

TEST(DiscoverRender, TheFileLoadsAndExtractsThePreview) {
  const Case c = load_case("discover", "table");
  Discovery d = discover_page(c.bytes, c.reference.url);
  ASSERT_EQ(d.choice, DiscoveryChoice::kList);
  const std::string text = render_source_file(d, SourceDraft{.id = "example-bps", .kind = SourceKind::kAssociation,
                                                             .url = c.reference.url});
  EXPECT_NE(text.find("How sure herald is"), std::string::npos) << text;
  testing::TempDir dir;
  const fs::path file = dir.path() / "example-bps.toml";
  std::ofstream(file) << text;
  auto loaded = load_source_file(file);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message << "\n" << text;
  EXPECT_EQ(loaded->id, "example-bps");
  EXPECT_EQ(loaded->kind, SourceKind::kAssociation);
  const auto items = extract_with(*loaded, c.bytes);
  ASSERT_EQ(items.size(), d.lists.front().preview.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(items[i].link, d.lists.front().preview[i].link);
    EXPECT_EQ(items[i].title, d.lists.front().preview[i].title);
  }
}

TEST(DiscoverRender, AListWithoutDatesAsksForArticlePages) {
  const std::string page =
      "<html><body><ul class=\"news\">"
      "<li><a href=\"/a/1\">关于开展网络安全检查工作的通知</a></li>"
      "<li><a href=\"/a/2\">关于公布深度合成服务算法备案信息的公告</a></li>"
      "<li><a href=\"/a/3\">数据出境安全评估申报指南第二版发布</a></li>"
      "<li><a href=\"/a/4\">个人信息保护合规审计管理办法征求意见</a></li>"
      "</ul></body></html>";
  Discovery d = discover_page(page, "https://example.gov.cn/news/");
  ASSERT_EQ(d.choice, DiscoveryChoice::kList);
  EXPECT_TRUE(d.lists.front().needs_article_date);
  const std::string text = render_source_file(d, SourceDraft{.id = "x", .url = "https://example.gov.cn/news/"});
  testing::TempDir dir;
  std::ofstream(dir.path() / "x.toml") << text;
  auto loaded = load_source_file(dir.path() / "x.toml");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message << "\n" << text;
  EXPECT_TRUE(loaded->article.has_value());
}

// ---- feeds, verified on a loopback server --------------------------------------------------

class DiscoverFeeds : public ::testing::Test {
 protected:
  // Read by the routes: declared before the server, so they outlive its threads.
  std::string page_ = read_fixture("discover/feed-link.html");
  std::string feed_template_ = read_fixture("discover/feed-link.rss.xml");
  std::string feed_{};
  testing::LocalServer server_;

  void serve(bool same_items) {
    server_.routes().Get("/news/", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(page_, "text/html; charset=utf-8");
    });
    server_.routes().Get("/feed/", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(feed_, "application/rss+xml");
    });
    server_.start();
    feed_ = feed_template_;
    const std::string port = std::to_string(server_.port());
    for (auto at = feed_.find("PORT"); at != std::string::npos; at = feed_.find("PORT", at)) {
      feed_.replace(at, 4, port);
    }
    if (!same_items) {
      for (auto at = feed_.find("/post-"); at != std::string::npos; at = feed_.find("/post-", at + 1)) {
        feed_.replace(at, 6, "/else-");
      }
      for (auto at = feed_.find("<item><title>"); at != std::string::npos; at = feed_.find("<item><title>", at + 1)) {
        feed_.replace(at, 13, "<item><title>Other ");
      }
    }
  }

  Discovery run() {
    auto fetcher = CurlFetcher::create();
    EXPECT_TRUE(fetcher.has_value());
    auto decoded = decode_to_utf8(page_, "text/html; charset=utf-8", std::nullopt);
    auto d = discover_list(*decoded, server_.url("/news/"), options());
    EXPECT_TRUE(d.has_value());
    FetchRequest base{.user_agent = "herald-test"};
    probe_feeds(*d, **fetcher, base);
    return *d;
  }
};

TEST_F(DiscoverFeeds, AFeedCarryingThePagesItemsIsPreferred) {
  serve(true);
  Discovery d = run();
  ASSERT_EQ(d.choice, DiscoveryChoice::kFeed);
  EXPECT_EQ(d.feeds.front().url, server_.url("/feed/"));
  EXPECT_TRUE(d.feeds.front().verified);
  EXPECT_EQ(d.feeds.front().items, 6u);
  EXPECT_DOUBLE_EQ(d.feeds.front().overlap, 1.0);
  EXPECT_EQ(d.cms, "WordPress");
  // The comments feed is listed and not used.
  bool comments = false;
  for (const FeedCandidate& f : d.feeds) comments |= f.problem == "a comments feed";
  EXPECT_TRUE(comments);
  const std::string text = render_source_file(d, SourceDraft{.id = "example", .url = server_.url("/news/")});
  EXPECT_NE(text.find("type = \"feed\""), std::string::npos) << text;
  EXPECT_NE(text.find(server_.url("/feed/")), std::string::npos) << text;
}

TEST_F(DiscoverFeeds, AFeedWithOtherItemsLosesToThePagesList) {
  serve(false);
  Discovery d = run();
  EXPECT_EQ(d.choice, DiscoveryChoice::kList);
  ASSERT_FALSE(d.feeds.empty());
  EXPECT_TRUE(d.feeds.front().verified);
  EXPECT_LT(d.feeds.front().overlap, 0.5);
}

TEST_F(DiscoverFeeds, AnUnreachableFeedIsRecordedNotFatal) {
  server_.start();  // no routes: every fetch is a 404
  auto fetcher = CurlFetcher::create();
  ASSERT_TRUE(fetcher.has_value());
  auto decoded = decode_to_utf8(page_, "text/html", std::nullopt);
  auto d = discover_list(*decoded, server_.url("/news/"), options());
  ASSERT_TRUE(d.has_value());
  probe_feeds(*d, **fetcher, FetchRequest{.user_agent = "herald-test"});
  EXPECT_EQ(d->choice, DiscoveryChoice::kList);
  ASSERT_FALSE(d->feeds.empty());
  EXPECT_FALSE(d->feeds.front().verified);
  EXPECT_NE(d->feeds.front().problem.find("fetch failed"), std::string::npos);
}

}  // namespace
}  // namespace herald
