// The archive inside a real poll: loopback site -> libcurl -> run_source_once -> SQLite and
// the archive directory. Also the unchanged-body skip, and replay from the archive.

#include <memory>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/clock.h"
#include "common/text.h"
#include "daemon/replay_fetcher.h"
#include "tests/archive/archive_support.h"

namespace herald {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using testing::ArchiveSite;
using testing::EvidenceRow;
using testing::TempDir;

namespace fs = std::filesystem;

// A Fetcher that counts what passes through it.
class CountingFetcher : public Fetcher {
 public:
  explicit CountingFetcher(Fetcher& inner) : inner_(inner) {}
  Result<FetchResponse> fetch(const FetchRequest& request) override {
    ++fetches_;
    return inner_.fetch(request);
  }
  int fetches() const { return fetches_; }

 private:
  Fetcher& inner_;
  int fetches_ = 0;
};

class ArchivePollTest : public ::testing::Test {
 protected:
  void open(bool articles, const fs::path& dir, const std::string& list_url) {
    testing::write_archive_config(dir, list_url, articles);
    auto loaded = load_configuration(dir / "herald.toml");
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    loaded_ = std::move(*loaded);
    ASSERT_EQ(loaded_.sources.sources.size(), 1u);
    auto store = open_store(loaded_.config);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    store_.emplace(std::move(*store));
  }
  void SetUp() override {
    auto fetcher = CurlFetcher::create();
    ASSERT_TRUE(fetcher.has_value()) << fetcher.error().message;
    fetcher_ = std::move(*fetcher);
  }

  RunReport poll() { return poll_with(*fetcher_); }
  RunReport poll_with(Fetcher& fetcher) {
    return run_source_once(loaded_.sources.sources.front(), loaded_.config, fetcher, *store_,
                           clock_);
  }
  std::vector<EvidenceRow> rows() { return testing::read_evidence_rows(store_->database()); }
  fs::path archive_dir() const { return evidence_dir(loaded_.config); }
  std::int64_t count(const std::string& sql) { return testing::count_rows(store_->database(), sql); }

  // Every row's body file is there and hashes to its name.
  void expect_every_row_has_its_file() {
    const EvidenceArchive archive(archive_dir());
    for (const EvidenceRow& row : rows()) {
      auto body = archive.read(row.sha256);
      EXPECT_TRUE(body.has_value()) << row.url << ": " << body.error().message;
      if (body) {
        EXPECT_EQ(static_cast<std::int64_t>(body->size()), row.size);
      }
    }
  }

  ArchiveSite site_;
  TempDir dir_;
  Loaded loaded_;
  std::optional<Store> store_;
  std::unique_ptr<CurlFetcher> fetcher_;
  SystemClock clock_;
};

TEST_F(ArchivePollTest, TheListPageIsKeptForThePollThatFoundNewItemsOnly) {
  open(false, dir_.path(), site_.url("/list/"));
  site_.publish(3);
  const RunReport first = poll();
  ASSERT_TRUE(first.ok()) << format_report(first);
  ASSERT_EQ(first.stored.items_new, 3);
  EXPECT_EQ(first.evidence_staged, 1);

  auto kept = rows();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].kind, "list");
  EXPECT_EQ(kept[0].url, site_.url("/list/"));
  EXPECT_EQ(kept[0].sha256, sha256_hex(site_.list_page()));
  EXPECT_EQ(kept[0].item_urls.size(), 3u) << "linked to every new item";
  EXPECT_THAT(kept[0].headers, HasSubstr("[\"X-Served-By\",\"archive-test \\\"quoted\\\"\"]"));
  EXPECT_THAT(kept[0].headers, HasSubstr("text/html; charset=utf-8"));
  auto body = EvidenceArchive(archive_dir()).read(kept[0].sha256);
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ(*body, site_.list_page()) << "the bytes as received";

  // New bytes, no new item: parsed, but nothing to keep.
  site_.touch();
  const RunReport same_items = poll();
  ASSERT_EQ(same_items.outcome, "ok") << format_report(same_items);
  EXPECT_EQ(same_items.stored.items_new, 0);
  EXPECT_EQ(same_items.evidence_staged, 0);
  EXPECT_EQ(rows().size(), 1u);
  EXPECT_EQ(EvidenceArchive(archive_dir()).files().size(), 1u) << "no file either";

  // One new item: a second row, linked to that item alone.
  site_.publish(4);
  const RunReport one_new = poll();
  ASSERT_EQ(one_new.stored.items_new, 1) << format_report(one_new);
  kept = rows();
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[1].item_urls, std::vector<std::string>{site_.url("/a/4.html")});
  expect_every_row_has_its_file();
}

TEST_F(ArchivePollTest, ArticlePagesAreKeptAndLinkedToTheirOwnItem) {
  open(true, dir_.path(), site_.url("/list/"));
  site_.publish(2);
  const RunReport report = poll();
  ASSERT_TRUE(report.ok()) << format_report(report);
  ASSERT_EQ(report.enriched, 2);
  EXPECT_EQ(report.evidence_staged, 3);

  std::map<std::string, EvidenceRow> by_url;
  for (EvidenceRow& row : rows()) {
    by_url[row.url] = row;
  }
  ASSERT_EQ(by_url.size(), 3u);
  EXPECT_EQ(by_url[site_.url("/list/")].item_urls.size(), 2u);
  for (int n : {1, 2}) {
    const std::string url = site_.url(fmt::format("/a/{}.html", n));
    const EvidenceRow& article = by_url[url];
    EXPECT_EQ(article.kind, "article");
    EXPECT_EQ(article.item_urls, std::vector<std::string>{url});
    EXPECT_EQ(article.sha256, sha256_hex(ArchiveSite::article_page(n)));
  }
  expect_every_row_has_its_file();
}

TEST_F(ArchivePollTest, AnUnchangedBodyIsNotParsedAgain) {
  // The site ignores If-None-Match / If-Modified-Since: every poll is a 200.
  open(true, dir_.path(), site_.url("/list/"));
  site_.publish(3);
  CountingFetcher counting(*fetcher_);
  const RunReport first = poll_with(counting);
  ASSERT_EQ(first.outcome, "ok") << format_report(first);
  EXPECT_EQ(first.extracted, 3);
  EXPECT_FALSE(first.body_unchanged);

  const int articles_before = site_.article_requests();
  const int fetches_before = counting.fetches();
  const RunReport second = poll_with(counting);
  EXPECT_EQ(second.outcome, "not_modified") << format_report(second);
  EXPECT_EQ(second.http_status, 200);
  EXPECT_TRUE(second.body_unchanged);
  EXPECT_EQ(second.extracted, 0) << "nothing was extracted: the page was never parsed";
  EXPECT_EQ(second.enriched + second.enrich_failed, 0);
  EXPECT_EQ(site_.article_requests(), articles_before);
  EXPECT_EQ(counting.fetches(), fetches_before + 1) << "the list page, and nothing else";
  EXPECT_THAT(format_report(second), HasSubstr("outcome=not_modified http=200"));
  EXPECT_THAT(format_report(second), HasSubstr("unchanged=true"));
  EXPECT_EQ(count("SELECT count(*) FROM polls WHERE outcome = 'not_modified' AND http_status = 200"),
            1);
  EXPECT_EQ(count("SELECT consecutive_failures FROM sources"), 0);

  // Changed bytes are parsed again.
  site_.publish(4);
  const RunReport third = poll_with(counting);
  EXPECT_EQ(third.outcome, "ok") << format_report(third);
  EXPECT_EQ(third.extracted, 4);
  EXPECT_EQ(third.stored.items_new, 1);
}

TEST_F(ArchivePollTest, AFailedPollDoesNotRecordItsBodyAsProcessed) {
  open(false, dir_.path(), site_.url("/list/"));
  // An empty list: the selector matches nothing (no_match), a failure.
  const RunReport empty = poll();
  ASSERT_FALSE(empty.ok()) << format_report(empty);
  EXPECT_EQ(count("SELECT list_sha256 IS NULL FROM sources"), 1);
  const RunReport again = poll();
  EXPECT_FALSE(again.body_unchanged) << "the same failing page is parsed again";
  EXPECT_EQ(again.outcome, empty.outcome);
}

TEST_F(ArchivePollTest, AnArchiveThatCannotBeWrittenCostsTheEvidenceNotTheItems) {
  open(true, dir_.path(), site_.url("/list/"));
  // A file where the archive directory should be: nothing can be created under it.
  loaded_.config.archive.dir = dir_.path() / "blocked";
  testing::write_file(loaded_.config.archive.dir, "not a directory");
  site_.publish(2);
  const RunReport report = poll();
  ASSERT_EQ(report.outcome, "ok") << format_report(report);
  EXPECT_EQ(report.stored.items_new, 2);
  EXPECT_TRUE(report.evidence_failed);
  EXPECT_THAT(format_report(report), HasSubstr("evidence_failed=true"));
  EXPECT_EQ(count("SELECT count(*) FROM evidence"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM items"), 2);
}

TEST_F(ArchivePollTest, ArchiveOffKeepsNothing) {
  open(true, dir_.path(), site_.url("/list/"));
  loaded_.config.archive.enabled = false;
  site_.publish(2);
  const RunReport report = poll();
  ASSERT_TRUE(report.ok()) << format_report(report);
  EXPECT_EQ(count("SELECT count(*) FROM evidence"), 0);
  EXPECT_FALSE(fs::exists(archive_dir()));
}

TEST_F(ArchivePollTest, ReplayingTheArchiveGivesTheSameItemsWithTheSiteGone) {
  auto site = std::make_unique<ArchiveSite>();
  open(true, dir_.path(), site->url("/list/"));
  site->publish(3);
  const RunReport live = poll();
  ASSERT_TRUE(live.ok()) << format_report(live);
  ASSERT_EQ(live.enriched, 3);
  const std::string list_url = site->url("/list/");
  fetcher_.reset();  // closes its keep-alive connections, which would hold the server up
  site.reset();      // the server is gone: only the archive can answer now

  // A second herald with its own database, replaying the first one's archive directory.
  TempDir other;
  testing::write_archive_config(other.path(), list_url, true);
  auto loaded = load_configuration(other.path() / "herald.toml");
  ASSERT_TRUE(loaded.has_value());
  auto replay_store = open_store(loaded->config);
  ASSERT_TRUE(replay_store.has_value());
  auto replay = ReplayFetcher::open(archive_dir());  // finds the database via its marker
  ASSERT_TRUE(replay.has_value()) << replay.error().message;
  EXPECT_EQ((*replay)->size(), 4u) << "the list and three articles";
  const RunReport replayed = run_source_once(loaded->sources.sources.front(), loaded->config,
                                             **replay, *replay_store, clock_);
  ASSERT_EQ(replayed.outcome, "ok") << format_report(replayed);
  EXPECT_EQ(replayed.stored.items_new, 3);
  EXPECT_EQ(replayed.enriched, 3) << "the article pages came from the archive too";

  auto items_of = [](Store& store) {
    std::set<std::tuple<std::string, std::string, std::string>> items;
    auto stmt = store.database().prepare("SELECT url, title, COALESCE(body, '') FROM items");
    while (stmt && stmt->step().value_or(false)) {
      items.emplace(stmt->column_text(0), stmt->column_text(1), stmt->column_text(2));
    }
    return items;
  };
  const auto original = items_of(*store_);
  ASSERT_EQ(original.size(), 3u);
  EXPECT_EQ(items_of(*replay_store), original);

  // An unknown URL is a 404, as with saved fixtures.
  FetchRequest unknown{.url = list_url + "elsewhere"};
  EXPECT_EQ((*replay)->fetch(unknown).error().code, ErrorCode::kHttp4xx);
}

TEST_F(ArchivePollTest, ReplayServesTheNewestFetchOfAUrlAndRefusesACorruptBody) {
  open(false, dir_.path(), site_.url("/list/"));
  site_.publish(1);
  ASSERT_TRUE(poll().ok());
  site_.publish(2);
  ASSERT_TRUE(poll().ok());
  ASSERT_EQ(rows().size(), 2u);

  auto replay = ReplayFetcher::open_archive(archive_dir(), loaded_.config.database);
  ASSERT_TRUE(replay.has_value()) << replay.error().message;
  auto page = (*replay)->fetch(FetchRequest{.url = site_.url("/list/")});
  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_EQ(page->body, site_.list_page());
  EXPECT_EQ(page->content_type, "text/html; charset=utf-8");
  // Its ETag comes back as a 304, like any replay.
  auto again = (*replay)->fetch(FetchRequest{.url = site_.url("/list/"), .etag = page->etag});
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->status, 304);

  const fs::path file = EvidenceArchive(archive_dir()).path_for(sha256_hex(site_.list_page()));
  testing::write_file(file, *gzip_compress("<html>not what was fetched</html>"));
  auto corrupt = (*replay)->fetch(FetchRequest{.url = site_.url("/list/")});
  ASSERT_FALSE(corrupt.has_value());
  EXPECT_THAT(corrupt.error().message, HasSubstr("corrupt"));
}

}  // namespace
}  // namespace herald
