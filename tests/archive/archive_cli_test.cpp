// `herald evidence show | cat | verify | prune` and `herald poll --replay ARCHIVE`, run as the
// binary the way an admin types them.

#include <regex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/text.h"
#include "tests/archive/archive_support.h"

namespace herald {
namespace {

using ::testing::HasSubstr;
using testing::ArchiveSite;
using testing::run_herald;
using testing::TempDir;

namespace fs = std::filesystem;

class EvidenceCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_archive_config(dir_.path(), site_->url("/list/"), true);
    site_->publish(2);
    const auto polled = herald("poll");
    ASSERT_EQ(polled.exit_code, 0) << polled.out;
    ASSERT_THAT(polled.out, HasSubstr("new=2"));
  }

  testing::CommandResult herald(const std::string& args) {
    return run_herald(fmt::format("--config '{}' {}", (dir_.path() / "herald.toml").string(),
                                  args));
  }
  fs::path archive_dir() const { return dir_.path() / "state" / "evidence"; }
  // The sha256 lines `evidence show` printed, in order.
  static std::vector<std::string> hashes_in(const std::string& text) {
    std::vector<std::string> hashes;
    const std::regex line("sha256: +([0-9a-f]{64})");
    for (std::sregex_iterator it(text.begin(), text.end(), line), end; it != end; ++it) {
      hashes.push_back((*it)[1]);
    }
    return hashes;
  }

  std::unique_ptr<ArchiveSite> site_ = std::make_unique<ArchiveSite>();
  TempDir dir_;
};

TEST_F(EvidenceCliTest, ShowListsTheListAndArticlePagesOfAnItem) {
  const auto shown = herald("evidence show 1");
  ASSERT_EQ(shown.exit_code, 0);
  EXPECT_THAT(shown.out, HasSubstr("list page of item 1"));
  EXPECT_THAT(shown.out, HasSubstr("article page of item 1"));
  EXPECT_THAT(shown.out, HasSubstr("url:       " + site_->url("/list/")));
  EXPECT_THAT(shown.out, HasSubstr("status:    200"));
  EXPECT_THAT(shown.out, HasSubstr("fetched:   20"));
  const auto hashes = hashes_in(shown.out);
  ASSERT_EQ(hashes.size(), 2u);
  EXPECT_EQ(hashes[0], sha256_hex(site_->list_page()));
  EXPECT_THAT(shown.out, HasSubstr((archive_dir() / hashes[0].substr(0, 2)).string()));

  // Candidates (what the queue shows) work too; every item here is a candidate.
  EXPECT_EQ(herald("evidence show --candidate 1").exit_code, 0);
  EXPECT_EQ(herald("evidence show 999").exit_code, 1);
  EXPECT_EQ(herald("evidence show").exit_code, 2);
}

TEST_F(EvidenceCliTest, CatPrintsTheBytesAsReceivedAndOptionallyTheHeaders) {
  const std::string page = site_->list_page();
  const auto body = herald("evidence cat " + sha256_hex(page));
  ASSERT_EQ(body.exit_code, 0);
  EXPECT_EQ(body.out, page);

  const auto with_headers = herald("evidence cat --headers " + sha256_hex(page));
  ASSERT_EQ(with_headers.exit_code, 0);
  EXPECT_TRUE(with_headers.out.starts_with("HTTP 200\r\n")) << with_headers.out;
  EXPECT_THAT(with_headers.out, HasSubstr("X-Served-By: archive-test \"quoted\"\r\n"));
  EXPECT_TRUE(with_headers.out.ends_with("\r\n\r\n" + page));

  EXPECT_EQ(herald("evidence cat " + sha256_hex("never fetched")).exit_code, 1);
  EXPECT_EQ(herald("evidence cat ABC").exit_code, 2);
}

TEST_F(EvidenceCliTest, VerifyReportsCorruptAndMissingFilesAndCatRefusesThem) {
  const auto clean = herald("evidence verify");
  EXPECT_EQ(clean.exit_code, 0) << clean.out;
  EXPECT_THAT(clean.out, HasSubstr("3 bodies checked"));
  EXPECT_THAT(clean.out, HasSubstr("all present and intact"));

  const std::string list_hash = sha256_hex(site_->list_page());
  const std::string article_hash = sha256_hex(ArchiveSite::article_page(1));
  const EvidenceArchive archive(archive_dir());
  testing::write_file(archive.path_for(list_hash), *gzip_compress("<html>edited</html>"));
  fs::remove(archive.path_for(article_hash));

  const auto broken = herald("evidence verify");
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_THAT(broken.out, HasSubstr("corrupt " + list_hash));
  EXPECT_THAT(broken.out, HasSubstr("missing " + article_hash));
  EXPECT_THAT(broken.out, HasSubstr("2 missing or corrupt"));

  const auto refused = herald("evidence cat " + list_hash);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.out, "") << "nothing of a corrupt body reaches stdout";
}

TEST_F(EvidenceCliTest, PruneKeepsEvidenceWithinRetention) {
  const auto pruned = herald("evidence prune");
  EXPECT_EQ(pruned.exit_code, 0);
  EXPECT_THAT(pruned.out, HasSubstr("deleted 0 fetch records, removed 0 files"));
  EXPECT_EQ(herald("evidence verify").exit_code, 0);
}

TEST_F(EvidenceCliTest, PollReplayOfTheArchiveStoresTheSameItemsWithTheSiteGone) {
  site_.reset();
  TempDir other;
  testing::write_archive_config(other.path(), "http://127.0.0.1:9/unused", true);
  // The source must request the URL the archive knows: copy the first configuration's.
  fs::copy_file(dir_.path() / "sources.d" / "arch-news.toml",
                other.path() / "sources.d" / "arch-news.toml",
                fs::copy_options::overwrite_existing);
  const auto replayed = run_herald(fmt::format("--config '{}' poll --replay '{}'",
                                               (other.path() / "herald.toml").string(),
                                               archive_dir().string()));
  EXPECT_EQ(replayed.exit_code, 0) << replayed.out;
  EXPECT_THAT(replayed.out, HasSubstr("new=2"));
  EXPECT_THAT(replayed.out, HasSubstr("enriched=2"));
}

}  // namespace
}  // namespace herald
