// The archive's files and rows on their own: gzip that zcat reads, content addressing,
// deduplication, atomic writes, hash checks, verify and prune.

#include <cstdio>
#include <fstream>
#include <string>
#include <csignal>
#include <random>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/text.h"
#include "storage/evidence.h"
#include "storage/store.h"
#include "tests/archive/archive_support.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

using ::testing::HasSubstr;
using testing::files_under;
using testing::read_fixture;
using testing::TempDir;

namespace fs = std::filesystem;

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// What the system's gzip makes of a file: the admin's `zcat FILE`.
std::string zcat(const fs::path& path) {
  const std::string command = fmt::format("gzip -dc '{}'", path.string());
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  if (pipe == nullptr) {
    return out;
  }
  char buffer[4096];
  std::size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    out.append(buffer, n);
  }
  pclose(pipe);
  return out;
}

void set_mtime(const fs::path& path, std::int64_t utc_seconds) {
  const timeval times[2] = {{utc_seconds, 0}, {utc_seconds, 0}};
  ASSERT_EQ(::utimes(path.c_str(), times), 0);
}

TEST(EvidenceArchiveTest, ABodyIsStoredGzippedUnderItsHashAndZcatReadsItBack) {
  TempDir dir;
  const EvidenceArchive archive(dir.path() / "evidence");
  // A real GBK page: bytes as received, not text.
  const std::string body = read_fixture("integration/bj-home-v1.gbk.html");
  auto stored = archive.put(body);
  ASSERT_TRUE(stored.has_value()) << stored.error().message;

  const std::string hash = sha256_hex(body);
  EXPECT_EQ(stored->sha256, hash);
  EXPECT_EQ(stored->path, dir.path() / "evidence" / hash.substr(0, 2) / (hash.substr(2) + ".gz"));
  EXPECT_EQ(stored->size, static_cast<std::int64_t>(body.size()));
  EXPECT_EQ(stored->stored_size, static_cast<std::int64_t>(fs::file_size(stored->path)));
  EXPECT_LT(stored->stored_size, stored->size) << "compressed";
  EXPECT_EQ(zcat(stored->path), body);

  auto read = archive.read(hash);
  ASSERT_TRUE(read.has_value()) << read.error().message;
  EXPECT_EQ(*read, body);
}

TEST(EvidenceArchiveTest, TheSameBytesAreStoredOnceAndOtherBytesApart) {
  TempDir dir;
  const EvidenceArchive archive(dir.path());
  auto first = archive.put("<html>one</html>");
  ASSERT_TRUE(first.has_value());
  set_mtime(first->path, 1000);
  auto again = archive.put("<html>one</html>");
  ASSERT_TRUE(again.has_value());
  auto other = archive.put("<html>two</html>");
  ASSERT_TRUE(other.has_value());

  EXPECT_EQ(again->path, first->path);
  EXPECT_EQ(again->stored_size, first->stored_size);
  EXPECT_NE(other->path, first->path);
  EXPECT_EQ(files_under(dir.path()).size(), 2u) << "no temp file left behind either";
  // Storing known bytes again refreshes the file's time, so prune's grace period protects
  // it until the poll that stored it again has committed its rows.
  struct stat info {};
  ASSERT_EQ(::stat(first->path.c_str(), &info), 0);
  EXPECT_GT(info.st_mtim.tv_sec, 1000);
  EXPECT_EQ(archive.files().size(), 2u);
}

TEST(EvidenceArchiveTest, AFailedWriteLeavesNoFileAtTheName) {
  TempDir dir;
  const EvidenceArchive archive(dir.path());
  // Incompressible bytes, so the .gz is as large as the body.
  std::string body(256 * 1024, '\0');
  std::mt19937 random(7);
  for (char& c : body) {
    c = static_cast<char>(random());
  }
  // The disk "fills up" halfway through the write: a file size limit, in a child process
  // so that the limit binds nothing else (it binds root too, unlike permissions).
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::signal(SIGXFSZ, SIG_IGN);  // write() fails with EFBIG instead of killing the process
    const rlimit limit{.rlim_cur = 64 * 1024, .rlim_max = 64 * 1024};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    auto stored = archive.put(body);
    ::_exit(stored.has_value() ? 3 : stored.error().code == ErrorCode::kStorage ? 0 : 4);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "3: the write did not fail; 4: wrong error code";
  // Neither a partial body under its name nor the temp file it was written to.
  EXPECT_FALSE(fs::exists(archive.path_for(sha256_hex(body))));
  EXPECT_TRUE(archive.files().empty());
  for (const fs::path& file : files_under(dir.path())) {
    ADD_FAILURE() << "left behind: " << file;
  }
  // With room again, the same bytes are stored whole.
  auto stored = archive.put(body);
  ASSERT_TRUE(stored.has_value()) << stored.error().message;
  EXPECT_EQ(*archive.read(stored->sha256), body);
}

TEST(EvidenceArchiveTest, ReadRefusesBytesThatNoLongerMatchTheirName) {
  TempDir dir;
  const EvidenceArchive archive(dir.path());
  auto stored = archive.put("<html>what the site said</html>");
  ASSERT_TRUE(stored.has_value());

  // Valid gzip of other bytes under the old name: the hash catches it.
  auto forged = gzip_compress("<html>what someone wishes it said</html>");
  ASSERT_TRUE(forged.has_value());
  write_bytes(stored->path, *forged);
  auto read = archive.read(stored->sha256);
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().code, ErrorCode::kStorage);
  EXPECT_THAT(read.error().message, HasSubstr("corrupt"));

  // A truncated file is not gzip any more.
  auto original = gzip_compress("<html>what the site said</html>");
  write_bytes(stored->path, original->substr(0, original->size() / 2));
  read = archive.read(stored->sha256);
  ASSERT_FALSE(read.has_value());
  EXPECT_THAT(read.error().message, HasSubstr("corrupt"));

  fs::remove(stored->path);
  EXPECT_EQ(archive.read(stored->sha256).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(archive.read("not-a-hash").error().code, ErrorCode::kUsage);
}

TEST(EvidenceArchiveTest, GunzipStopsAtItsLimit) {
  const std::string zeros(1 << 20, '\0');
  auto gz = gzip_compress(zeros);
  ASSERT_TRUE(gz.has_value());
  EXPECT_LT(gz->size(), 4096u);
  EXPECT_FALSE(gzip_decompress(*gz, 1000).has_value());
  auto whole = gzip_decompress(*gz, 1 << 20);
  ASSERT_TRUE(whole.has_value());
  EXPECT_EQ(*whole, zeros);
}

TEST(EvidenceArchiveTest, HeadersRoundTripAsJsonPairs) {
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", "text/html; charset=\"gbk\""},
      {"Set-Cookie", "a=b\\c"},
      {"X-Empty", ""},
      {"X-Bytes", "caf\xe9"},  // Latin-1 from a server: stored as valid UTF-8
  };
  const std::string json = encode_headers(headers);
  EXPECT_TRUE(json.starts_with("[[\"Content-Type\","));
  auto decoded = decode_headers(json);
  ASSERT_TRUE(decoded.has_value()) << json;
  ASSERT_EQ(decoded->size(), 4u);
  EXPECT_EQ((*decoded)[0], headers[0]);
  EXPECT_EQ((*decoded)[1], headers[1]);
  EXPECT_EQ((*decoded)[2], headers[2]);
  EXPECT_EQ((*decoded)[3].second, "caf\xef\xbf\xbd");
  EXPECT_EQ(decode_headers("[]")->size(), 0u);
  EXPECT_FALSE(decode_headers("[\"loose\"]").has_value());
  EXPECT_FALSE(decode_headers("[[\"one\"]]").has_value());
}

TEST(EvidenceArchiveTest, TheMarkerNamesTheDatabaseAndIsWrittenOnce) {
  TempDir dir;
  const EvidenceArchive archive(dir.path() / "evidence");
  EXPECT_EQ(archive.marker_database().error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(archive.write_marker(dir.path() / "state" / "a \"quoted\" name.db").has_value());
  ASSERT_TRUE(archive.write_marker(dir.path() / "other.db").has_value());
  auto named = archive.marker_database();
  ASSERT_TRUE(named.has_value()) << named.error().message;
  EXPECT_EQ(*named, dir.path() / "state" / "a \"quoted\" name.db");
}

// ---- rows: verify and prune ----

class EvidenceRowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::open(dir_.path() / "herald.db");
    ASSERT_TRUE(store.has_value()) << store.error().message;
    store_.emplace(std::move(*store));
  }

  // Commits one poll with `items` (url_keys) whose list page was `body`, fetched at `at`.
  void poll(const std::string& body, std::int64_t at, const std::vector<std::string>& items) {
    auto stored = archive_.put(body);
    ASSERT_TRUE(stored.has_value());
    PollStage stage{.source_id = "s", .started_at = at, .list_sha256 = stored->sha256};
    stage.evidence.push_back(StagedEvidence{
        .record = EvidenceRecord{.source_id = "s",
                                 .kind = "list",
                                 .url = "https://example.gov/list",
                                 .status = 200,
                                 .headers = {{"Content-Type", "text/html"}},
                                 .fetched_at = at,
                                 .body_sha256 = stored->sha256,
                                 .size = stored->size,
                                 .stored_size = stored->stored_size}});
    ASSERT_TRUE(stage_poll(store_->database(), stage).has_value());
    const PollStageGuard guard(store_->database());
    PollRecord record{.source_id = "s", .started_at = at, .outcome = "ok"};
    for (const std::string& key : items) {
      Item item;
      item.source_id = "s";
      item.url = "https://example.gov/" + key;
      item.url_key = key;
      item.title = "Notice " + key;
      record.items.push_back(item);
    }
    auto committed = store_->commit_poll(record);
    ASSERT_TRUE(committed.has_value()) << committed.error().message;
  }

  std::int64_t count(const std::string& sql) { return testing::count_rows(store_->database(), sql); }

  TempDir dir_;
  EvidenceArchive archive_{dir_.path() / "evidence"};
  std::optional<Store> store_;
};

TEST_F(EvidenceRowsTest, RowsAreWrittenByTheItemsTransactionForNewItemsOnly) {
  poll("<html>page 1</html>", 1000, {"a", "b"});
  EXPECT_EQ(count("SELECT count(*) FROM evidence"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM item_evidence"), 2);
  EXPECT_EQ(count("SELECT list_sha256 = '" + sha256_hex("<html>page 1</html>") +
                  "' FROM sources WHERE id = 's'"),
            1);

  // The same items again: nothing new, so the fetch is no evidence of anything.
  poll("<html>page 1 again</html>", 2000, {"a", "b"});
  EXPECT_EQ(count("SELECT count(*) FROM evidence"), 1);

  poll("<html>page 2</html>", 3000, {"c", "a"});
  EXPECT_EQ(count("SELECT count(*) FROM evidence"), 2);
  auto rows = testing::read_evidence_rows(store_->database());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].item_urls, std::vector<std::string>{"https://example.gov/c"});
  EXPECT_EQ(rows[1].headers, "[[\"Content-Type\",\"text/html\"]]");

  // The stage died with its poll: a later commit on this connection links nothing.
  PollRecord later{.source_id = "s", .started_at = 3000, .outcome = "ok"};
  Item item;
  item.source_id = "s";
  item.url = "https://example.gov/d";
  item.url_key = "d";
  item.title = "Notice d";
  later.items.push_back(item);
  ASSERT_TRUE(store_->commit_poll(later).has_value());
  EXPECT_EQ(count("SELECT count(*) FROM item_evidence"), 3);
}

TEST_F(EvidenceRowsTest, VerifyFindsMissingAndCorruptFiles) {
  poll("<html>kept</html>", 1000, {"a"});
  poll("<html>lost</html>", 1100, {"b"});
  poll("<html>damaged</html>", 1200, {"c"});
  int checked = 0;
  auto clean = verify_evidence(store_->database(), archive_, &checked);
  ASSERT_TRUE(clean.has_value());
  EXPECT_TRUE(clean->empty());
  EXPECT_EQ(checked, 3);

  fs::remove(archive_.path_for(sha256_hex("<html>lost</html>")));
  write_bytes(archive_.path_for(sha256_hex("<html>damaged</html>")),
              *gzip_compress("<html>changed</html>"));
  auto problems = verify_evidence(store_->database(), archive_, &checked);
  ASSERT_TRUE(problems.has_value());
  ASSERT_EQ(problems->size(), 2u);
  std::map<std::string, std::string> by_hash;
  for (const EvidenceProblem& problem : *problems) {
    by_hash[problem.sha256] = problem.problem;
  }
  EXPECT_EQ(by_hash[sha256_hex("<html>lost</html>")], "missing");
  EXPECT_THAT(by_hash[sha256_hex("<html>damaged</html>")], HasSubstr("corrupt"));
}

TEST_F(EvidenceRowsTest, PruneDeletesOldAndUnlinkedEvidenceThenUnreferencedFiles) {
  const std::int64_t day = 86400;
  const std::int64_t now = 100 * day;
  poll("<html>old</html>", now - 40 * day, {"old"});
  poll("<html>recent</html>", now - 5 * day, {"recent"});
  poll("<html>orphaned</html>", now - 5 * day + 1, {"gone"});
  // Shares its body with the old fetch: the file must stay for this newer row.
  poll("<html>old</html>", now - 1 * day, {"again"});
  // A file no row refers to (a poll killed before its commit), long ago.
  auto stray = archive_.put("<html>stray</html>");
  ASSERT_TRUE(stray.has_value());
  set_mtime(stray->path, now - 2 * day);
  // The same, but just written: a poll may be about to commit rows that refer to it.
  auto fresh = archive_.put("<html>fresh</html>");
  ASSERT_TRUE(fresh.has_value());
  set_mtime(fresh->path, now - 60);
  for (const std::string body : {"<html>old</html>", "<html>recent</html>",
                                 "<html>orphaned</html>"}) {
    set_mtime(archive_.path_for(sha256_hex(body)), now - 3 * day);
  }
  // Item retention (daemon/db_care) deleted this item; its links went with it.
  ASSERT_TRUE(store_->database().exec("DELETE FROM items WHERE url_key = 'gone'").has_value());

  auto pruned = prune_evidence(store_->database(), archive_, std::chrono::seconds(30 * day), now);
  ASSERT_TRUE(pruned.has_value()) << pruned.error().message;
  EXPECT_EQ(pruned->rows, 2) << "the 40-day-old fetch and the orphaned one";
  EXPECT_EQ(pruned->files, 2) << "the orphaned page and the stray file";
  EXPECT_GT(pruned->bytes, 0);

  EXPECT_EQ(count("SELECT count(*) FROM evidence"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM item_evidence l JOIN items i ON i.id = l.item_id"
                  " WHERE i.url_key = 'old'"),
            0);
  EXPECT_TRUE(fs::exists(archive_.path_for(sha256_hex("<html>old</html>"))));
  EXPECT_TRUE(fs::exists(archive_.path_for(sha256_hex("<html>recent</html>"))));
  EXPECT_FALSE(fs::exists(archive_.path_for(sha256_hex("<html>orphaned</html>"))));
  EXPECT_FALSE(fs::exists(stray->path));
  EXPECT_TRUE(fs::exists(fresh->path));
  // Every remaining row still has its file.
  auto problems = verify_evidence(store_->database(), archive_);
  ASSERT_TRUE(problems.has_value());
  EXPECT_TRUE(problems->empty());

  // Without a retention ("forever") only unlinked evidence goes.
  auto forever = prune_evidence(store_->database(), archive_, std::nullopt, now + 1000 * day);
  ASSERT_TRUE(forever.has_value());
  EXPECT_EQ(forever->rows, 0);
  EXPECT_EQ(count("SELECT count(*) FROM evidence"), 2);
}

}  // namespace
}  // namespace herald
