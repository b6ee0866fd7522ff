// The evidence archive in the web UI: the item page lists what was archived for an item,
// /evidence/<sha256> hands the body out only as a verified download, and the JSON API
// carries the same facts (and each source's health verdict).

#include <cctype>
#include <fstream>
#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "storage/evidence.h"
#include "tests/web/web_test_support.h"
#include "web/security.h"

namespace herald::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A real list page of a regulator, as herald would have archived it.
constexpr const char* kListPage =
    "<html><head><meta charset=\"utf-8\"><script>document.title='x'</script></head>"
    "<body><ul><li><a href=\"/c/ai.htm\">人工智能办法</a></li></ul></body></html>";
constexpr const char* kArticlePage =
    "<html><body><h1>人工智能办法</h1><p>第一条 为了规范……</p></body></html>";
// A final URL a hostile redirect could produce.
constexpr const char* kHostileFinalUrl =
    "https://www.cac.gov.cn/list?a=1&b=\"><script>alert(1)</script>";
// 2023-11-14 22:13:20 UTC.
constexpr std::int64_t kFetchedAt = 1'700'000'000;

class EvidenceWebTest : public WebFixture {
 protected:
  // Archives `body` where the server looks by default ("evidence" next to the database)
  // and describes its fetch; `url_key` names the item an article page belongs to.
  StagedEvidence archived(const std::string& kind, const std::string& final_url,
                          const std::string& body, const std::string& content_type,
                          const std::string& url_key = "") {
    auto stored = archive_.put(body);
    EXPECT_TRUE(stored.has_value()) << stored.error().message;
    return StagedEvidence{
        .record = EvidenceRecord{.kind = kind,
                                 .url = "https://www.cac.gov.cn/list",
                                 .final_url = final_url,
                                 .status = 200,
                                 .headers = {{"Server", "nginx"}, {"Content-Type", content_type}},
                                 .fetched_at = kFetchedAt,
                                 .body_sha256 = stored ? stored->sha256 : "",
                                 .size = stored ? stored->size : 0,
                                 .stored_size = stored ? stored->stored_size : 0},
        .url_key = url_key};
  }

  // seed(), with `evidence` written by the same poll's transaction, as a real poll does.
  std::vector<std::int64_t> seed_with_evidence(const std::string& source_id,
                                               const std::vector<Item>& items,
                                               std::vector<StagedEvidence> evidence) {
    const PollStage stage{.source_id = source_id,
                          .started_at = clock_.now_utc_seconds(),
                          .evidence = std::move(evidence)};
    auto staged = stage_poll(store_->database(), stage);
    EXPECT_TRUE(staged.has_value()) << staged.error().message;
    const PollStageGuard guard(store_->database());
    return seed(source_id, items);
  }

  // One item with its list page and its article page archived; returns its candidate id.
  std::int64_t seed_item_with_pages() {
    const std::string url = "https://www.cac.gov.cn/c/ai.htm";
    auto ids = seed_with_evidence(
        "gov", {item("人工智能办法", url)},
        {archived("list", kHostileFinalUrl, kListPage, "text/html; charset=utf-8"),
         archived("article", url, kArticlePage, "text/html", url)});
    EXPECT_EQ(ids.size(), 1u);
    return ids.empty() ? 0 : ids[0];
  }

  httplib::Result get(const std::string& path, const Signed& who) {
    return client().Get(path, {{"Cookie", who.cookie}});
  }

  // `path` as a signed-in editor, which must answer 200: its body.
  std::string editor_view(const std::string& path) {
    Signed alice = sign_in("alice", "correct horse");
    auto response = get(path, alice);
    EXPECT_TRUE(response) << path;
    if (!response) {
      return "";
    }
    EXPECT_EQ(response->status, 200) << path;
    return response->body;
  }

  // GET /evidence/<sha256 of body> as `who`: `body` itself, as an opaque attachment named
  // <sha256>.<extension>.
  httplib::Result expect_download(const Signed& who, const std::string& body,
                                  const std::string& extension) {
    const std::string sha = sha256_hex(body);
    auto response = get("/evidence/" + sha, who);
    EXPECT_TRUE(response);
    if (response) {
      EXPECT_EQ(response->status, 200);
      EXPECT_EQ(response->body, body);
      EXPECT_EQ(response->get_header_value("Content-Type"), "application/octet-stream");
      EXPECT_EQ(response->get_header_value("Content-Disposition"),
                "attachment; filename=\"" + sha + "." + extension + "\"");
    }
    return response;
  }

  EvidenceArchive archive_{dir_.path() / "evidence"};
};

TEST_F(EvidenceWebTest, ItemPageListsEachArchivedPageAsEscapedText) {
  const std::int64_t id = seed_item_with_pages();
  start();
  const std::string page = editor_view("/items/" + std::to_string(id));
  const std::string list_sha = sha256_hex(kListPage);
  const std::string article_sha = sha256_hex(kArticlePage);
  EXPECT_THAT(page, HasSubstr("存档证据"));
  EXPECT_THAT(page, HasSubstr("列表页"));
  EXPECT_THAT(page, HasSubstr("文章页"));
  EXPECT_THAT(page, HasSubstr(list_sha));
  EXPECT_THAT(page, HasSubstr(article_sha));
  EXPECT_THAT(page, HasSubstr("href=\"/evidence/" + list_sha + "\""));
  EXPECT_THAT(page, HasSubstr("href=\"/evidence/" + article_sha + "\""));
  // Fetched 2023-11-14 22:13:20 UTC: shown in Beijing time, to the second.
  EXPECT_THAT(page, HasSubstr("2023-11-15 06:13:20 UTC+08:00"));
  EXPECT_THAT(page, HasSubstr(">200<"));
  // The redirect target is text, never markup and never a link.
  EXPECT_THAT(page, HasSubstr("https://www.cac.gov.cn/list?a=1&amp;b=&quot;&gt;"
                                    "&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(page, Not(HasSubstr("<script>alert(1)")));
  EXPECT_THAT(page, Not(HasSubstr("href=\"https://www.cac.gov.cn/list")));
  // The list page comes first, as evidence_for_item orders them.
  EXPECT_LT(page.find(list_sha), page.find(article_sha));
}

TEST_F(EvidenceWebTest, ItemWithoutEvidenceSaysSo) {
  auto ids = seed("gov", {item("人工智能办法", "https://www.cac.gov.cn/c/ai.htm")});
  ASSERT_EQ(ids.size(), 1u);
  start();
  const std::string page = editor_view("/items/" + std::to_string(ids[0]));
  EXPECT_THAT(page, HasSubstr("此条目没有存档页面"));
  EXPECT_THAT(page, Not(HasSubstr("href=\"/evidence/")));
}

TEST_F(EvidenceWebTest, DownloadIsTheExactBodyAsAnAttachmentNeverAPage) {
  seed_item_with_pages();
  start();
  Signed alice = sign_in("alice", "correct horse");
  auto response = expect_download(alice, kListPage, "html");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->get_header_value_count("Content-Type"), 1u);
  EXPECT_EQ(response->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(response->get_header_value_count("X-Content-Type-Options"), 1u);
  const httplib::Headers expected = web::security_headers();
  EXPECT_EQ(response->get_header_value("Content-Security-Policy"),
            expected.find("Content-Security-Policy")->second);
  EXPECT_EQ(response->get_header_value_count("Content-Security-Policy"), 1u);
}

TEST_F(EvidenceWebTest, AFeedDownloadsAsXml) {
  constexpr const char* kFeed =
      "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title></channel></rss>";
  seed_with_evidence("news", {item("AI rules", "https://news.example/ai")},
                     {archived("list", "https://news.example/feed", kFeed,
                               "application/rss+xml; charset=utf-8")});
  start();
  Signed alice = sign_in("alice", "correct horse");
  expect_download(alice, kFeed, "xml");
}

TEST_F(EvidenceWebTest, DownloadNeedsASignedInEditor) {
  seed_item_with_pages();
  start();
  const std::string path = "/evidence/" + sha256_hex(kListPage);
  auto anonymous = client().Get(path);
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 303);
  EXPECT_EQ(anonymous->get_header_value("Location"), "/login");
  EXPECT_THAT(anonymous->body, Not(HasSubstr("人工智能办法")));

  // A session that has gone idle is no session.
  Signed alice = sign_in("alice", "correct horse");
  clock_.advance(std::chrono::hours(3));
  auto expired = get(path, alice);
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->status, 303);
  EXPECT_THAT(expired->body, Not(HasSubstr("人工智能办法")));
}

TEST_F(EvidenceWebTest, InvalidOrUnknownHashesAre404) {
  seed_item_with_pages();
  // A body in the archive that no evidence row refers to is not served either: only what
  // the database says was fetched is evidence.
  auto stray = archive_.put("<html>stray</html>");
  ASSERT_TRUE(stray.has_value());
  start();
  Signed alice = sign_in("alice", "correct horse");
  std::string upper = sha256_hex(kListPage);
  for (char& c : upper) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  const std::string known = sha256_hex(kListPage);
  for (const std::string& hash :
       {upper, known.substr(0, 63), known + "0", std::string(64, 'g'), std::string("..%2F..%2Fherald.db"),
        std::string("x"), std::string(64, '0'), stray->sha256}) {
    auto response = get("/evidence/" + hash, alice);
    ASSERT_TRUE(response) << hash;
    EXPECT_EQ(response->status, 404) << hash;
    EXPECT_THAT(response->body, HasSubstr("没有这份存档")) << hash;
    EXPECT_NE(response->get_header_value("Content-Type"), "application/octet-stream") << hash;
  }
  auto empty = get("/evidence/", alice);
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 404);
}

TEST_F(EvidenceWebTest, ATamperedOrMissingFileIsRefusedNotServed) {
  seed_item_with_pages();
  start();
  Signed alice = sign_in("alice", "correct horse");
  const std::string sha = sha256_hex(kListPage);
  {
    // Valid gzip of other bytes under the original name: only re-hashing can tell.
    auto forged = gzip_compress("<html><script>forged()</script></html>");
    ASSERT_TRUE(forged.has_value());
    std::ofstream out(archive_.path_for(sha), std::ios::binary | std::ios::trunc);
    out << *forged;
  }
  auto tampered = get("/evidence/" + sha, alice);
  ASSERT_TRUE(tampered);
  EXPECT_EQ(tampered->status, 500);
  EXPECT_THAT(tampered->body, HasSubstr("存档文件已损坏"));
  EXPECT_THAT(tampered->body, Not(HasSubstr("forged()")));
  EXPECT_EQ(tampered->get_header_value("Content-Disposition"), "");

  const std::string article = sha256_hex(kArticlePage);
  std::filesystem::remove(archive_.path_for(article));
  auto missing = get("/evidence/" + article, alice);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 500);
  EXPECT_THAT(missing->body, HasSubstr("存档文件缺失"));
  EXPECT_EQ(missing->get_header_value("Content-Disposition"), "");
}

TEST_F(EvidenceWebTest, ArchiveDirectoryComesFromTheDeps) {
  // [archive] dir elsewhere than next to the database.
  const std::filesystem::path elsewhere = dir_.path() / "custom-archive";
  archive_ = EvidenceArchive(elsewhere);
  seed_item_with_pages();
  start([&](WebSettings&, web::WebDeps& deps) { deps.evidence_dir = elsewhere; });
  Signed alice = sign_in("alice", "correct horse");
  expect_download(alice, kArticlePage, "html");
}

TEST_F(EvidenceWebTest, ApiItemCarriesItsEvidence) {
  const std::int64_t id = seed_item_with_pages();
  start();
  const std::string text = editor_view("/api/v1/candidates/" + std::to_string(id));
  const auto body = nlohmann::json::parse(text);
  ASSERT_TRUE(body.contains("evidence"));
  const auto& evidence = body["evidence"];
  ASSERT_EQ(evidence.size(), 2u);
  EXPECT_EQ(evidence[0]["kind"], "list");
  EXPECT_EQ(evidence[0]["fetched_at"], "2023-11-15T06:13:20+08:00");
  EXPECT_EQ(evidence[0]["status"], 200);
  EXPECT_EQ(evidence[0]["final_url"], kHostileFinalUrl);
  EXPECT_EQ(evidence[0]["sha256"], sha256_hex(kListPage));
  EXPECT_EQ(evidence[1]["kind"], "article");
  EXPECT_EQ(evidence[1]["final_url"], "https://www.cac.gov.cn/c/ai.htm");
  EXPECT_EQ(evidence[1]["sha256"], sha256_hex(kArticlePage));
  // The API's own escaping keeps the hostile URL inert on the wire.
  EXPECT_THAT(text, Not(HasSubstr("<script>")));
}

TEST_F(EvidenceWebTest, ApiSourcesCarryTheHealthVerdict) {
  for (int i = 0; i < 3; ++i) {
    PollRecord failed{.source_id = "news", .started_at = clock_.now_utc_seconds() + i,
                      .duration_ms = 5, .outcome = "timeout", .error = "timed out after 30 s"};
    ASSERT_TRUE(store_->commit_poll(failed));
  }
  start([](WebSettings&, web::WebDeps& deps) {
    SourceConfig manual;
    manual.id = "wechat";
    manual.name = "公众号";
    manual.mode = SourceMode::kManual;
    manual.manual_reason = "WeChat articles need a login; add them with herald add";
    deps.sources.push_back(manual);
  });
  const auto body = nlohmann::json::parse(editor_view("/api/v1/sources"));
  std::map<std::string, nlohmann::json> by_id;
  for (const auto& source : body["sources"]) {
    by_id[source["id"].get<std::string>()] = source;
  }
  ASSERT_EQ(by_id.size(), 3u);
  EXPECT_EQ(by_id["gov"]["state"], "never_polled");
  EXPECT_EQ(by_id["gov"]["reason"], "not polled yet");
  EXPECT_EQ(by_id["news"]["state"], "failing");
  EXPECT_THAT(by_id["news"]["reason"].get<std::string>(), HasSubstr("3 failed polls in a row"));
  EXPECT_EQ(by_id["wechat"]["state"], "manual");
  EXPECT_EQ(by_id["wechat"]["reason"], "WeChat articles need a login; add them with herald add");
}

}  // namespace
}  // namespace herald::testing
