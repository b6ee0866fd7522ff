#include "config/config_loader.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/fixtures.h"

namespace herald {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

fs::path write_file(const fs::path& dir, const std::string& name, std::string_view text) {
  const fs::path path = dir / name;
  std::ofstream out(path, std::ios::binary);
  out << text;
  return path;
}

// "FILE:LINE:COL: " for a file written into a TempDir.
std::string at(const fs::path& file, int line, int column) {
  return file.string() + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
}

// A valid html source; tests replace one line to make exactly one thing wrong.
constexpr std::string_view kValidHtml = R"(id = "bj-gov-gzdt"
name = "北京市人民政府 · 工作动态"
kind = "government"
timezone = "Asia/Shanghai"
interval = "2h"
type = "html"
url = "https://www.beijing.gov.cn/ywdt/gzdt/"

[list]
item = "ul.list li"
title = "a@title"
date = "span"
)";

std::string replace_line(std::string_view text, int line, std::string_view replacement) {
  std::string out;
  int current = 1;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::string_view content = text.substr(start, end - start);
    out += current == line ? replacement : content;
    out += '\n';
    ++current;
    start = end == std::string_view::npos ? text.size() : end + 1;
  }
  return out;
}

class SourceFileTest : public ::testing::Test {
 protected:
  // Writes `text` as sources.d/bj-gov-gzdt.toml and loads it, expecting failure.
  Error load_bad(std::string_view text, const std::string& name = "bj-gov-gzdt.toml") {
    file_ = write_file(dir_.path(), name, text);
    Result<SourceConfig> loaded = load_source_file(file_);
    EXPECT_FALSE(loaded.has_value()) << "loaded " << file_;
    return loaded ? Error{} : loaded.error();
  }

  testing::TempDir dir_;
  fs::path file_;
};

// ---- herald.toml ----------------------------------------------------------------------

TEST(HeraldConfigTest, ReadsFullFileAndResolvesPathsAgainstItsDirectory) {
  const fs::path file = testing::fixture_path("config/valid/herald.toml");
  Result<HeraldConfig> config = load_herald_config(file);
  ASSERT_TRUE(config.has_value()) << config.error().message;

  const fs::path dir = fs::absolute(file).parent_path();
  EXPECT_EQ(config->file, file);
  EXPECT_EQ(config->database, (dir.parent_path() / "state" / "herald.db").lexically_normal());
  EXPECT_EQ(config->sources_dir, dir / "sources.d");
  EXPECT_EQ(config->user_agent, "herald/0.1 (+mailto:ops@example.com)");
  EXPECT_EQ(config->default_timeout, seconds{45});
  EXPECT_DOUBLE_EQ(config->interval_jitter, 0.2);

  ASSERT_EQ(config->topics.size(), 2u);
  const TopicProfile& ai = config->topics[0];
  EXPECT_EQ(ai.name, "ai-law");
  EXPECT_DOUBLE_EQ(ai.threshold, 1.5);
  ASSERT_EQ(ai.keywords.size(), 3u);
  EXPECT_EQ(ai.keywords[0].term, "人工智能");
  EXPECT_DOUBLE_EQ(ai.keywords[0].weight, 1.0);
  EXPECT_EQ(ai.keywords[1].term, "AI");
  EXPECT_EQ(ai.keywords[2].term, "大模型");
  EXPECT_DOUBLE_EQ(ai.keywords[2].weight, 2.0);
  EXPECT_THAT(ai.excludes, ElementsAre("招聘"));

  const TopicProfile& data = config->topics[1];
  EXPECT_EQ(data.name, "data-protection");
  EXPECT_DOUBLE_EQ(data.threshold, 1.0);
  ASSERT_EQ(data.keywords.size(), 2u);
  EXPECT_EQ(data.keywords[0].term, "个人信息");
  EXPECT_DOUBLE_EQ(data.keywords[0].weight, 1.0);
  EXPECT_TRUE(data.excludes.empty());
}

TEST(HeraldConfigTest, EmptyFileGivesDefaultsNextToTheFile) {
  testing::TempDir dir;
  const fs::path file = write_file(dir.path(), "herald.toml", "# nothing set\n");
  Result<HeraldConfig> config = load_herald_config(file);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->database, dir.path() / "herald.db");
  EXPECT_EQ(config->sources_dir, dir.path() / "sources.d");
  EXPECT_EQ(config->user_agent, "herald/0.1");
  EXPECT_EQ(config->default_timeout, seconds{30});
  EXPECT_DOUBLE_EQ(config->interval_jitter, 0.1);
  EXPECT_TRUE(config->topics.empty());
}

TEST(HeraldConfigTest, AbsolutePathsAreKept) {
  testing::TempDir dir;
  const fs::path file =
      write_file(dir.path(), "herald.toml", "[storage]\ndatabase = \"/var/lib/herald/h.db\"\n");
  Result<HeraldConfig> config = load_herald_config(file);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->database, fs::path("/var/lib/herald/h.db"));
}

TEST(HeraldConfigTest, UnknownKeyIsAnErrorWithLineAndValidKeys) {
  testing::TempDir dir;
  const fs::path file = write_file(dir.path(), "herald.toml",
                                   "[fetch]\n"
                                   "timeout = \"10s\"\n"
                                   "useragent = \"herald/0.1\"\n");
  Result<HeraldConfig> config = load_herald_config(file);
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().code, ErrorCode::kConfig);
  EXPECT_THAT(config.error().message,
              AllOf(StartsWith(at(file, 3, 1) + "key 'fetch.useragent': unknown key in [fetch]"),
                    HasSubstr("did you mean 'user_agent'?"),
                    HasSubstr("Valid keys are: user_agent, timeout")));
}

TEST(HeraldConfigTest, UnknownTableIsAnError) {
  testing::TempDir dir;
  const fs::path file = write_file(dir.path(), "herald.toml", "\n[storge]\ndatabase = \"x\"\n");
  Result<HeraldConfig> config = load_herald_config(file);
  ASSERT_FALSE(config.has_value());
  EXPECT_THAT(config.error().message,
              AllOf(StartsWith(at(file, 2, 2) + "key 'storge': unknown key in the top level"),
                    HasSubstr("did you mean 'storage'?")));
}

TEST(HeraldConfigTest, BadValuesAreReportedTogetherInFileOrder) {
  testing::TempDir dir;
  const fs::path file = write_file(dir.path(), "herald.toml",
                                   "[schedule]\n"
                                   "jitter = 0.9\n"
                                   "[[topics]]\n"
                                   "name = \"ai-law\"\n"
                                   "keywords = [ \"AI\", 3 ]\n"
                                   "[[topics]]\n"
                                   "threshold = 2\n"
                                   "keywords = [ { weight = 2.0 } ]\n");
  Result<HeraldConfig> config = load_herald_config(file);
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().message,
            at(file, 2, 10) +
                "key 'schedule.jitter': 0.9 is out of range; write a number of at "
                "least 0 and at most 0.5\n" +
                at(file, 5, 20) +
                "key 'topics[0].keywords[1]': expected a string or a table, "
                "found a whole number; write \"大模型\" or { term = \"大模型\", "
                "weight = 2.0 }\n" +
                at(file, 6, 1) +
                "key 'topics[1].name': missing; add e.g. name = \"ai-law\" to "
                "topics[1]\n" +
                at(file, 8, 14) +
                "key 'topics[1].keywords[0].term': missing; add e.g. term = "
                "\"大模型\" to topics[1].keywords[0]");
}

TEST(HeraldConfigTest, DuplicateTopicNamesAreAnError) {
  testing::TempDir dir;
  const fs::path file = write_file(dir.path(), "herald.toml",
                                   "[[topics]]\nname = \"ai\"\nkeywords = [\"AI\"]\n"
                                   "[[topics]]\nname = \"ai\"\nkeywords = [\"ML\"]\n");
  Result<HeraldConfig> config = load_herald_config(file);
  ASSERT_FALSE(config.has_value());
  EXPECT_THAT(config.error().message,
              StartsWith(at(file, 5, 8) + "key 'topics[1].name': topic 'ai' is already defined "
                                          "at line 2"));
}

TEST(HeraldConfigTest, SingleBracketTopicsSaysToUseDoubleBrackets) {
  testing::TempDir dir;
  const fs::path file =
      write_file(dir.path(), "herald.toml", "[topics]\nname = \"ai\"\nkeywords = [\"AI\"]\n");
  Result<HeraldConfig> config = load_herald_config(file);
  ASSERT_FALSE(config.has_value());
  EXPECT_THAT(config.error().message,
              AllOf(StartsWith(at(file, 1, 1) + "key 'topics': expected [[topics]] sections"),
                    HasSubstr("double brackets")));
}

TEST(HeraldConfigTest, BrokenSyntaxGivesFileLineAndColumn) {
  testing::TempDir dir;
  const fs::path file = write_file(dir.path(), "herald.toml",
                                   "[storage]\n"
                                   "database = \"herald.db\"\n"
                                   "[fetch\n");
  Result<HeraldConfig> config = load_herald_config(file);
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().code, ErrorCode::kConfig);
  EXPECT_THAT(config.error().message, StartsWith(file.string() + ":3:"));
  EXPECT_THAT(config.error().message, HasSubstr("]"));  // toml++ says the bracket is missing
}

TEST(HeraldConfigTest, MissingFileIsAConfigError) {
  testing::TempDir dir;
  Result<HeraldConfig> config = load_herald_config(dir.path() / "nope.toml");
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().code, ErrorCode::kConfig);
  EXPECT_THAT(config.error().message,
              StartsWith((dir.path() / "nope.toml").string() + ": file does not exist"));
}

// ---- source files ---------------------------------------------------------------------

TEST(SourceConfigTest, ReadsValidHtmlSource) {
  Result<SourceConfig> source =
      load_source_file(testing::fixture_path("config/valid/sources.d/bj-gov-gzdt.toml"));
  ASSERT_TRUE(source.has_value()) << source.error().message;
  EXPECT_EQ(source->id, "bj-gov-gzdt");
  EXPECT_EQ(source->name, "北京市人民政府 · 工作动态");
  EXPECT_EQ(source->kind, SourceKind::kGovernment);
  EXPECT_EQ(source->language, "zh");
  EXPECT_EQ(source->timezone.name(), "Asia/Shanghai");
  EXPECT_EQ(source->timezone.offset_at_utc(1'700'000'000), 8 * 3600);
  EXPECT_EQ(source->interval, seconds{5400});
  EXPECT_EQ(source->type, SourceType::kHtml);
  EXPECT_EQ(source->url, "https://www.beijing.gov.cn/ywdt/gzdt/");
  EXPECT_EQ(source->charset, "gbk");
  EXPECT_FALSE(source->always_candidate);
  EXPECT_TRUE(source->enabled);
  EXPECT_EQ(source->expect_min_items, 5);
  ASSERT_TRUE(source->list.has_value());
  EXPECT_EQ(source->list->item.text, "ul.list li");
  EXPECT_FALSE(source->list->item.xpath.empty());
  ASSERT_TRUE(source->list->title.has_value());
  EXPECT_EQ(source->list->title->text, "a@title");
  EXPECT_EQ(source->list->title->attribute, "title");
  EXPECT_EQ(source->list->link.text, "a@href");
  EXPECT_EQ(source->list->link.attribute, "href");
  ASSERT_TRUE(source->list->date.has_value());
  EXPECT_EQ(source->list->date->text, "span");
  EXPECT_FALSE(source->list->summary.has_value());
  EXPECT_FALSE(source->fetch.user_agent.has_value());
  EXPECT_EQ(source->fetch.referer, "https://www.beijing.gov.cn/");
  EXPECT_EQ(source->fetch.accept_language, "zh-CN,zh;q=0.9");
  EXPECT_EQ(source->fetch.timeout, seconds{20});
  EXPECT_EQ(source->fetch.max_body_bytes, 2u * 1024 * 1024);
  EXPECT_THAT(source->file, HasSubstr("bj-gov-gzdt.toml"));
}

TEST(SourceConfigTest, ReadsValidFeedSource) {
  Result<SourceConfig> source =
      load_source_file(testing::fixture_path("config/valid/sources.d/uk-theregister.toml"));
  ASSERT_TRUE(source.has_value()) << source.error().message;
  EXPECT_EQ(source->id, "uk-theregister");
  EXPECT_EQ(source->kind, SourceKind::kMedia);
  EXPECT_EQ(source->type, SourceType::kFeed);
  EXPECT_EQ(source->timezone.name(), "Europe/London");
  EXPECT_EQ(source->interval, seconds{1800});
  EXPECT_TRUE(source->always_candidate);
  EXPECT_FALSE(source->enabled);
  EXPECT_FALSE(source->list.has_value());
  EXPECT_FALSE(source->charset.has_value());
  EXPECT_EQ(source->fetch.timeout, seconds{30});
  EXPECT_EQ(source->fetch.max_body_bytes, 8u * 1024 * 1024);
}

TEST_F(SourceFileTest, DefaultsForOptionalKeys) {
  file_ = write_file(dir_.path(), "min.toml",
                     "id = \"min\"\nname = \"Min\"\nkind = \"company\"\n"
                     "url = \"http://example.com/news\"\n[list]\nitem = \"li\"\n");
  Result<SourceConfig> source = load_source_file(file_);
  ASSERT_TRUE(source.has_value()) << source.error().message;
  EXPECT_EQ(source->type, SourceType::kHtml);
  EXPECT_EQ(source->timezone.name(), "UTC");
  EXPECT_EQ(source->interval, seconds{7200});
  EXPECT_EQ(source->language, "");
  EXPECT_EQ(source->expect_min_items, 1);
  EXPECT_TRUE(source->enabled);
  ASSERT_TRUE(source->list.has_value());
  EXPECT_EQ(source->list->link.text, "a@href");
  EXPECT_EQ(source->list->link.attribute, "href");
  EXPECT_FALSE(source->list->title.has_value());
}

TEST_F(SourceFileTest, MissingIdPointsAtTheTable) {
  const Error error = load_bad(replace_line(kValidHtml, 1, "# no id"));
  EXPECT_EQ(error.code, ErrorCode::kConfig);
  EXPECT_EQ(error.message, at(file_, 1, 1) + "key 'id': missing; add e.g. id = \"bj-gov-gzdt\"");
}

TEST_F(SourceFileTest, MissingUrl) {
  const Error error = load_bad(replace_line(kValidHtml, 7, ""));
  EXPECT_THAT(error.message, StartsWith(at(file_, 1, 1) + "key 'url': missing; add e.g. url = "
                                                          "\"https://"));
}

TEST_F(SourceFileTest, BadKindNamesTheValidKinds) {
  const Error error = load_bad(replace_line(kValidHtml, 3, "kind = \"gov\""));
  EXPECT_EQ(error.message, at(file_, 3, 8) +
                               "key 'kind': unknown kind 'gov'; write one of: government, "
                               "court, association, company, media, platform");
}

TEST_F(SourceFileTest, BadTypeNamesTheValidTypes) {
  const Error error = load_bad(replace_line(kValidHtml, 6, "type = \"xml\""));
  EXPECT_EQ(error.message, at(file_, 6, 8) + "key 'type': unknown type 'xml'; write one of: "
                                             "html, feed, json, courtlistener, wechat");
}

TEST_F(SourceFileTest, UrlMustBeHttpOrHttps) {
  const Error error =
      load_bad(replace_line(kValidHtml, 7, "url = \"ftp://www.beijing.gov.cn/ywdt/\""));
  EXPECT_THAT(error.message,
              StartsWith(at(file_, 7, 7) + "key 'url': 'ftp://www.beijing.gov.cn/ywdt/' is not an "
                                           "http:// or https:// address; write the full address"));
}

TEST_F(SourceFileTest, UrlWithoutHost) {
  const Error error = load_bad(replace_line(kValidHtml, 7, "url = \"https:///ywdt/\""));
  EXPECT_THAT(error.message, StartsWith(at(file_, 7, 7) + "key 'url': 'https:///ywdt/' has no "
                                                          "host name"));
}

TEST_F(SourceFileTest, IntervalThatIsNotADuration) {
  const Error error = load_bad(replace_line(kValidHtml, 5, "interval = \"2 hours\""));
  EXPECT_THAT(error.message,
              StartsWith(at(file_, 5, 12) + "key 'interval': '2 hours' is not a duration; write a "
                                            "number and a unit (s, m, h, d)"));
}

TEST_F(SourceFileTest, IntervalOfWrongTypeAsksForADurationString) {
  const Error error = load_bad(replace_line(kValidHtml, 5, "interval = 5"));
  EXPECT_THAT(error.message,
              StartsWith(at(file_, 5, 12) + "key 'interval': expected a duration string like "
                                            "\"2h\", found a whole number"));
}

TEST_F(SourceFileTest, IntervalTooShortAndTooLong) {
  Error error = load_bad(replace_line(kValidHtml, 5, "interval = \"30s\""));
  EXPECT_EQ(error.message, at(file_, 5, 12) +
                               "key 'interval': \"30s\" is too short; write at "
                               "least \"1m\"");
  error = load_bad(replace_line(kValidHtml, 5, "interval = \"7d1s\""));
  EXPECT_EQ(error.message,
            at(file_, 5, 12) + "key 'interval': \"7d1s\" is too long; write at most \"7d\"");
}

TEST_F(SourceFileTest, DurationCombinationsAndBoundaries) {
  for (const auto& [text, expected] : {std::pair<std::string, seconds>{"60s", seconds{60}},
                                       {"1m", seconds{60}},
                                       {"1h30m", seconds{5400}},
                                       {"1d2h3m4s", seconds{93784}},
                                       {"7d", seconds{604800}}}) {
    file_ = write_file(dir_.path(), "bj-gov-gzdt.toml",
                       replace_line(kValidHtml, 5, "interval = \"" + text + "\""));
    Result<SourceConfig> source = load_source_file(file_);
    ASSERT_TRUE(source.has_value()) << text << ": " << source.error().message;
    EXPECT_EQ(source->interval, expected) << text;
  }
  for (const std::string text : {"", "h", "2", "1h1h", "30m1h", "1.5h", "-1h", "1H", "1h 30m"}) {
    const Error error = load_bad(replace_line(kValidHtml, 5, "interval = \"" + text + "\""));
    EXPECT_THAT(error.message, StartsWith(at(file_, 5, 12) + "key 'interval': ")) << text;
  }
}

TEST_F(SourceFileTest, BadSelectorGivesKeyAndPosition) {
  const Error error = load_bad(replace_line(kValidHtml, 10, "item = \"ul.list li[\""));
  EXPECT_THAT(error.message, StartsWith(at(file_, 10, 8) + "key 'list.item': position "));
}

TEST_F(SourceFileTest, BadRelativeSelectorGivesKeyAndPosition) {
  const Error error = load_bad(replace_line(kValidHtml, 12, "date = \"span:nth-child(\""));
  EXPECT_THAT(error.message, StartsWith(at(file_, 12, 8) + "key 'list.date': position "));
}

TEST_F(SourceFileTest, UnknownTimeZoneIsNamed) {
  const Error error = load_bad(replace_line(kValidHtml, 4, "timezone = \"Asia/Shangai\""));
  EXPECT_THAT(error.message, AllOf(StartsWith(at(file_, 4, 12) + "key 'timezone': "),
                                   HasSubstr("Asia/Shangai"), HasSubstr("\"Asia/Shanghai\"")));
}

TEST_F(SourceFileTest, IdMustMatchFileStem) {
  const Error error = load_bad(kValidHtml, "beijing.toml");
  EXPECT_EQ(error.message, at(file_, 1, 6) +
                               "key 'id': 'bj-gov-gzdt' does not match the file "
                               "name 'beijing.toml'; set id = \"beijing\" or "
                               "rename the file to bj-gov-gzdt.toml");
}

TEST_F(SourceFileTest, IdWithInvalidCharacters) {
  const Error error = load_bad(replace_line(kValidHtml, 1, "id = \"BJ gov\""), "BJ gov.toml");
  EXPECT_THAT(error.message, StartsWith(at(file_, 1, 6) + "key 'id': 'BJ gov' is not a valid id"));
}

TEST_F(SourceFileTest, ListIsRequiredForHtml) {
  const std::string text(kValidHtml.substr(0, kValidHtml.find("[list]")));
  const Error error = load_bad(text);
  EXPECT_THAT(error.message,
              StartsWith(at(file_, 6, 8) + "key 'list': missing section [list], required when "
                                           "type = \"html\"; add a [list] section with at least "
                                           "item = "));
}

TEST_F(SourceFileTest, ListItemIsRequired) {
  const Error error = load_bad(replace_line(kValidHtml, 10, ""));
  EXPECT_EQ(error.message, at(file_, 9, 1) +
                               "key 'list.item': missing; add e.g. item = \"ul.list "
                               "li\" to [list]");
}

TEST_F(SourceFileTest, ListIsRejectedForFeeds) {
  const Error error = load_bad(replace_line(kValidHtml, 6, "type = \"feed\""));
  EXPECT_THAT(error.message, StartsWith(at(file_, 9, 1) + "key 'list': a [list] section is only "
                                                          "used when type = \"html\""));
}

TEST_F(SourceFileTest, UnknownKeyInListSuggestsTheRightOne) {
  const Error error = load_bad(replace_line(kValidHtml, 12, "dates = \"span\""));
  EXPECT_THAT(error.message,
              AllOf(StartsWith(at(file_, 12, 1) + "key 'list.dates': unknown key in [list]; did "
                                                  "you mean 'date'?"),
                    HasSubstr("Valid keys are: item, title, link, date, summary")));
}

TEST_F(SourceFileTest, UnknownSectionWithoutNearMatchListsValidKeys) {
  std::string text(kValidHtml);
  text += "[detail]\ndate = \"meta[name=PubDate]@content\"\n";
  const Error error = load_bad(text);
  EXPECT_EQ(error.message, at(file_, 13, 2) +
                               "key 'detail': unknown key in the top level; valid keys are: id, "
                               "name, kind, language, timezone, interval, type, url, charset, "
                               "always_candidate, enabled, expect_min_items, list, fetch, "
                               "article, same_item_urls, mode, manual_reason, bridge_url, json, "
                               "courtlistener, publisher, backfill_days");
}

TEST_F(SourceFileTest, ReadsArticleSectionAndSameItemUrls) {
  std::string text = replace_line(kValidHtml, 7,
                                  "url = \"https://www.beijing.gov.cn/ywdt/gzdt/\"\n"
                                  "same_item_urls = [\"scheme\", \"www\"]");
  text += "[article]\n"
          "title = \"meta[name=ArticleTitle]@content\"\n"
          "date = \"meta[name=PubDate]@content\"\n"
          "summary = \"xpath://meta[@name='Description']/@content\"\n"
          "body = \"#mainText\"\n"
          "max_per_poll = 5\n"
          "timeout = \"45s\"\n";
  file_ = write_file(dir_.path(), "bj-gov-gzdt.toml", text);
  Result<SourceConfig> source = load_source_file(file_);
  ASSERT_TRUE(source.has_value()) << source.error().message;
  EXPECT_TRUE(source->url_key.ignore_scheme);
  EXPECT_TRUE(source->url_key.ignore_www);
  ASSERT_TRUE(source->article.has_value());
  const ArticleRules& article = *source->article;
  ASSERT_TRUE(article.title.has_value());
  EXPECT_EQ(article.title->attribute, "content");
  ASSERT_TRUE(article.date.has_value());
  EXPECT_EQ(article.date->text, "meta[name=PubDate]@content");
  // Document scope: evaluated from the page root, not from a list item.
  EXPECT_THAT(article.date->xpath, StartsWith("//"));
  ASSERT_TRUE(article.summary.has_value());
  EXPECT_EQ(article.summary->xpath, "//meta[@name='Description']/@content");
  ASSERT_TRUE(article.body.has_value());
  EXPECT_EQ(article.body->text, "#mainText");
  EXPECT_EQ(article.max_per_poll, 5);
  EXPECT_EQ(article.timeout, seconds{45});
}

TEST_F(SourceFileTest, EmptyArticleSectionUsesDefaultsAndNoSectionMeansNoEnrichment) {
  file_ = write_file(dir_.path(), "bj-gov-gzdt.toml", std::string(kValidHtml) + "[article]\n");
  Result<SourceConfig> source = load_source_file(file_);
  ASSERT_TRUE(source.has_value()) << source.error().message;
  ASSERT_TRUE(source->article.has_value());
  EXPECT_FALSE(source->article->title.has_value());
  EXPECT_FALSE(source->article->date.has_value());
  EXPECT_FALSE(source->article->summary.has_value());
  EXPECT_FALSE(source->article->body.has_value());
  EXPECT_EQ(source->article->max_per_poll, 20);
  EXPECT_EQ(source->article->timeout, seconds{20});
  EXPECT_FALSE(source->url_key.ignore_scheme);
  EXPECT_FALSE(source->url_key.ignore_www);

  file_ = write_file(dir_.path(), "bj-gov-gzdt.toml", kValidHtml);
  source = load_source_file(file_);
  ASSERT_TRUE(source.has_value()) << source.error().message;
  EXPECT_FALSE(source->article.has_value());
}

TEST_F(SourceFileTest, ArticleSectionIsAllowedForFeeds) {
  file_ = write_file(dir_.path(), "reg.toml",
                     "id = \"reg\"\nname = \"Reg\"\nkind = \"media\"\ntype = \"feed\"\n"
                     "url = \"https://www.theregister.com/headlines.atom\"\n"
                     "same_item_urls = [\"scheme\"]\n[article]\nbody = \"#body\"\n");
  Result<SourceConfig> source = load_source_file(file_);
  ASSERT_TRUE(source.has_value()) << source.error().message;
  ASSERT_TRUE(source->article.has_value());
  EXPECT_TRUE(source->url_key.ignore_scheme);
  EXPECT_FALSE(source->url_key.ignore_www);
}

TEST_F(SourceFileTest, ArticleProblemsAreReportedWithTheirKeys) {
  std::string text(kValidHtml);
  text += "[article]\nbdy = \"#mainText\"\ndate = \"div[\"\nmax_per_poll = 0\n"
          "timeout = \"20 s\"\n";
  const Error error = load_bad(text);
  const std::string& m = error.message;
  ASSERT_EQ(std::count(m.begin(), m.end(), '\n'), 3) << m;
  EXPECT_THAT(m, StartsWith(at(file_, 14, 1) + "key 'article.bdy': unknown key in [article]; "
                                               "did you mean 'body'? Valid keys are: title, "
                                               "date, summary, body, max_per_poll, timeout"));
  EXPECT_THAT(m, HasSubstr("\n" + at(file_, 15, 8) + "key 'article.date': position "));
  EXPECT_THAT(m, HasSubstr("\n" + at(file_, 16, 16) +
                           "key 'article.max_per_poll': 0 is out of range; write a number "
                           "from 1 to 200"));
  EXPECT_THAT(m, HasSubstr("\n" + at(file_, 17, 11) + "key 'article.timeout': '20 s' is not a "
                                                       "duration"));
}

TEST_F(SourceFileTest, SameItemUrlsTakesOnlySchemeAndWww) {
  std::string text = replace_line(kValidHtml, 7,
                                  "url = \"https://www.beijing.gov.cn/ywdt/gzdt/\"\n"
                                  "same_item_urls = [\"www\", \"query\", 3]");
  Error error = load_bad(text);
  EXPECT_EQ(error.message,
            at(file_, 8, 26) +
                "key 'same_item_urls[1]': expected \"scheme\" (http and https are the same item) "
                "or \"www\" (www., m. and the bare host are the same item), found 'query'; write "
                "e.g. same_item_urls = [\"scheme\", \"www\"]\n" +
                at(file_, 8, 35) +
                "key 'same_item_urls[2]': expected \"scheme\" (http and https are the same item) "
                "or \"www\" (www., m. and the bare host are the same item), found a whole "
                "number; write e.g. same_item_urls = [\"scheme\", \"www\"]");

  error = load_bad(replace_line(kValidHtml, 7, "url = \"https://x.gov.cn/\"\nsame_item_urls = "
                                               "\"www\""));
  EXPECT_THAT(error.message, HasSubstr("key 'same_item_urls': expected a list, found a string"));
}

TEST_F(SourceFileTest, EmptyStringsAndOutOfRangeNumbers) {
  std::string text = replace_line(kValidHtml, 2, "name = \" \"");
  text = replace_line(text, 8, "expect_min_items = -1");
  const Error error = load_bad(text);
  EXPECT_EQ(error.message, at(file_, 2, 8) +
                               "key 'name': is empty; write e.g. name = \"北京市人民政府 · "
                               "工作动态\"\n" +
                               at(file_, 8, 20) +
                               "key 'expect_min_items': -1 is out of range; write a number "
                               "from 0 to 10000");
}

TEST_F(SourceFileTest, WrongTypesAreExplained) {
  Error error = load_bad(replace_line(kValidHtml, 2, "name = 12"));
  EXPECT_EQ(error.message, at(file_, 2, 8) +
                               "key 'name': expected a string, found a "
                               "whole number; write name = \"北京市人民"
                               "政府 · 工作动态\"");

  error = load_bad(replace_line(kValidHtml, 3, "kind = \"court\"\nenabled = \"yes\""));
  EXPECT_EQ(error.message, at(file_, 4, 11) +
                               "key 'enabled': expected true or false, found a "
                               "string; write enabled = true or enabled = false "
                               "(no quotes)");
}

TEST_F(SourceFileTest, FetchSettingsAreRangeChecked) {
  std::string text(kValidHtml);
  text += "[fetch]\nmax_body_bytes = 100\ntimeout = \"1h\"\nreferer = \"a\\nb\"\n";
  const Error error = load_bad(text);
  EXPECT_EQ(error.message, at(file_, 14, 18) +
                               "key 'fetch.max_body_bytes': 100 is out of range; write a number "
                               "from 1024 (1 KiB) to 67108864 (64 MiB)\n" +
                               at(file_, 15, 11) +
                               "key 'fetch.timeout': \"1h\" is too long; write at most "
                               "\"10m\"\n" +
                               at(file_, 16, 11) +
                               "key 'fetch.referer': contains a line break or control "
                               "character; write it on one line, e.g. referer = "
                               "\"https://www.example.gov.cn/\"");
}

TEST_F(SourceFileTest, AllProblemsOfAFileAreReportedInOrder) {
  std::string text = replace_line(kValidHtml, 3, "kind = \"gov\"");
  text = replace_line(text, 7, "url = \"www.beijing.gov.cn\"");
  text = replace_line(text, 1, "id = \"bj-gov-gzdt\"\nbogus = 1");  // shifts the rest by one
  const Error error = load_bad(text);
  const std::string& m = error.message;
  ASSERT_EQ(std::count(m.begin(), m.end(), '\n'), 2) << m;
  EXPECT_THAT(m, HasSubstr(at(file_, 2, 1) + "key 'bogus': unknown key"));
  EXPECT_THAT(m, HasSubstr("\n" + at(file_, 4, 8) + "key 'kind': unknown kind 'gov'"));
  EXPECT_THAT(m, HasSubstr("\n" + at(file_, 8, 7) + "key 'url': 'www.beijing.gov.cn' is not"));
}

TEST_F(SourceFileTest, BrokenSyntaxGivesFileLineAndColumn) {
  const Error error = load_bad(replace_line(kValidHtml, 5, "interval = \"2h"));
  EXPECT_EQ(error.code, ErrorCode::kConfig);
  EXPECT_THAT(error.message, StartsWith(file_.string() + ":5:"));
}

// ---- sources.d ------------------------------------------------------------------------

TEST(LoadSourcesTest, ReadsTheFixtureDirectorySortedById) {
  Result<SourceSet> set = load_sources(testing::fixture_path("config/valid/sources.d"));
  ASSERT_TRUE(set.has_value()) << set.error().message;
  EXPECT_TRUE(set->errors.empty());
  ASSERT_EQ(set->sources.size(), 2u);
  EXPECT_EQ(set->sources[0].id, "bj-gov-gzdt");
  EXPECT_EQ(set->sources[1].id, "uk-theregister");
  EXPECT_FALSE(set->sources[1].enabled);  // disabled sources are returned; callers skip them
}

TEST(LoadSourcesTest, BadFileDoesNotHideGoodOnes) {
  testing::TempDir dir;
  write_file(dir.path(), "zz-good.toml", replace_line(kValidHtml, 1, "id = \"zz-good\""));
  const fs::path bad =
      write_file(dir.path(), "bad.toml",
                 replace_line(replace_line(kValidHtml, 1, "id = \"bad\""), 3, "kind = \"x\""));
  write_file(dir.path(), "a-good.toml", replace_line(kValidHtml, 1, "id = \"a-good\""));
  const fs::path broken = write_file(dir.path(), "broken.toml", "id = \n");
  write_file(dir.path(), "README.md", "not a source\n");
  write_file(dir.path(), ".#a-good.toml", "editor lock file\n");
  fs::create_directory(dir.path() / "old.toml");  // a directory named like a source
  write_file(dir.path(), "notes.toml.bak", "backup\n");

  Result<SourceSet> set = load_sources(dir.path());
  ASSERT_TRUE(set.has_value()) << set.error().message;
  ASSERT_EQ(set->sources.size(), 2u);
  EXPECT_EQ(set->sources[0].id, "a-good");
  EXPECT_EQ(set->sources[1].id, "zz-good");
  ASSERT_EQ(set->errors.size(), 2u);
  // Files are read in name order: bad.toml, then broken.toml.
  EXPECT_THAT(set->errors[0].message, StartsWith(bad.string() + ":3:8: key 'kind'"));
  EXPECT_THAT(set->errors[1].message, StartsWith(broken.string() + ":1:"));
}

TEST(LoadSourcesTest, DuplicateIdsNameBothFiles) {
  // The id must equal the file stem, so only the extension's case can differ.
  testing::TempDir dir;
  const fs::path first = write_file(dir.path(), "bj-gov-gzdt.toml", kValidHtml);
  const fs::path second = write_file(dir.path(), "bj-gov-gzdt.TOML", kValidHtml);
  Result<SourceSet> set = load_sources(dir.path());
  ASSERT_TRUE(set.has_value()) << set.error().message;
  ASSERT_EQ(set->sources.size(), 1u);
  EXPECT_EQ(set->sources[0].file, second.string());  // ".TOML" sorts before ".toml"
  ASSERT_EQ(set->errors.size(), 1u);
  EXPECT_EQ(set->errors[0].code, ErrorCode::kConfig);
  EXPECT_THAT(set->errors[0].message,
              StartsWith(at(first, 1, 6) + "key 'id': 'bj-gov-gzdt' is already used by " +
                         second.string() + "; ids must be unique"));
}

TEST(LoadSourcesTest, MissingDirectoryFails) {
  testing::TempDir dir;
  Result<SourceSet> set = load_sources(dir.path() / "sources.d");
  ASSERT_FALSE(set.has_value());
  EXPECT_EQ(set.error().code, ErrorCode::kConfig);
  EXPECT_THAT(
      set.error().message,
      HasSubstr("sources directory " + (dir.path() / "sources.d").string() + " does not exist"));
}

TEST(LoadSourcesTest, TimeZonesComeFromTheGivenZoneinfoDirectory) {
  testing::TempDir dir;
  testing::TempDir empty_zoneinfo;
  const fs::path file = write_file(dir.path(), "bj-gov-gzdt.toml", kValidHtml);
  Result<SourceSet> set = load_sources(dir.path(), empty_zoneinfo.path());
  ASSERT_TRUE(set.has_value()) << set.error().message;
  EXPECT_TRUE(set->sources.empty());
  ASSERT_EQ(set->errors.size(), 1u);
  EXPECT_THAT(set->errors[0].message,
              AllOf(StartsWith(at(file, 4, 12) + "key 'timezone': "), HasSubstr("Asia/Shanghai")));
}

TEST(LoadSourcesTest, EmptyDirectoryIsNotAnError) {
  testing::TempDir dir;
  Result<SourceSet> set = load_sources(dir.path());
  ASSERT_TRUE(set.has_value()) << set.error().message;
  EXPECT_TRUE(set->sources.empty());
  EXPECT_TRUE(set->errors.empty());
}

TEST(SourceNamesTest, TypeAndKindNamesMatchTheFileSyntax) {
  EXPECT_EQ(source_type_name(SourceType::kHtml), "html");
  EXPECT_EQ(source_type_name(SourceType::kFeed), "feed");
  EXPECT_EQ(source_type_name(SourceType::kJson), "json");
  EXPECT_EQ(source_type_name(SourceType::kCourtListener), "courtlistener");
  EXPECT_EQ(source_type_name(SourceType::kWechat), "wechat");
  EXPECT_EQ(source_kind_name(SourceKind::kGovernment), "government");
  EXPECT_EQ(source_kind_name(SourceKind::kCourt), "court");
  EXPECT_EQ(source_kind_name(SourceKind::kAssociation), "association");
  EXPECT_EQ(source_kind_name(SourceKind::kCompany), "company");
  EXPECT_EQ(source_kind_name(SourceKind::kMedia), "media");
  EXPECT_EQ(source_kind_name(SourceKind::kPlatform), "platform");
}


// ---- json, courtlistener, wechat; manual mode ----------------------------------------

constexpr std::string_view kValidJson = R"(id = "sg-mas"
name = "MAS"
kind = "government"
type = "json"
url = "https://www.mas.gov.sg/api/v1/search?q=*:*"

[json]
method = "POST"
body = "page=1&pageSize=20"
items = "response.docs"
title = "document_title_string_s"
link = "page_url_s"
date = "mas_date_tdt"
summary = "document_shortsummary_t.0"
link_base = "https://www.mas.gov.sg/"
)";

TEST_F(SourceFileTest, ReadsJsonSource) {
  file_ = write_file(dir_.path(), "sg-mas.toml", kValidJson);
  Result<SourceConfig> source = load_source_file(file_);
  ASSERT_TRUE(source.has_value()) << source.error().message;
  EXPECT_EQ(source->type, SourceType::kJson);
  EXPECT_EQ(source->mode, SourceMode::kPoll);
  ASSERT_TRUE(source->json.has_value());
  EXPECT_EQ(source->json->method, "POST");
  EXPECT_EQ(source->json->body, "page=1&pageSize=20");
  EXPECT_EQ(source->json->items, "response.docs");
  EXPECT_EQ(source->json->title, "document_title_string_s");
  EXPECT_EQ(source->json->link, "page_url_s");
  EXPECT_EQ(source->json->date, "mas_date_tdt");
  EXPECT_EQ(source->json->summary, "document_shortsummary_t.0");
  EXPECT_EQ(source->json->link_base, "https://www.mas.gov.sg/");
  EXPECT_FALSE(source->list.has_value());
}

TEST_F(SourceFileTest, JsonDefaultsAndAnEmptyItemsPath) {
  file_ = write_file(dir_.path(), "j.toml",
                     "id = \"j\"\nname = \"J\"\nkind = \"company\"\ntype = \"json\"\n"
                     "url = \"https://example.com/api\"\n[json]\nitems = \"\"\ntitle = \"t\"\n"
                     "link = \"u\"\n");
  Result<SourceConfig> source = load_source_file(file_);
  ASSERT_TRUE(source.has_value()) << source.error().message;
  ASSERT_TRUE(source->json.has_value());
  EXPECT_EQ(source->json->method, "GET");
  EXPECT_EQ(source->json->items, "");
  EXPECT_EQ(source->json->date, "");
  EXPECT_FALSE(source->json->link_base.has_value());
}

TEST_F(SourceFileTest, JsonProblemsAreReportedWithTheirKeys) {
  const Error error = load_bad(std::string(kValidJson.substr(0, kValidJson.find("[json]"))) +
                                   "[json]\nmethod = \"get\"\nbody = \"a=1\"\nitems = \"a..b\"\n"
                                   "link = \"\"\nlink_base = \"/relative\"\nsort = \"x\"\n",
                               "sg-mas.toml");
  EXPECT_EQ(error.code, ErrorCode::kConfig);
  EXPECT_THAT(error.message, HasSubstr(at(file_, 7, 1) + "key 'json.title': missing; add e.g. "
                                                         "title = \"title\" to [json]"));
  EXPECT_THAT(error.message, HasSubstr(at(file_, 8, 10) + "key 'json.method': unknown method "
                                                          "'get'; write \"GET\" or \"POST\""));
  EXPECT_THAT(error.message, HasSubstr(at(file_, 9, 8) + "key 'json.body': a body is only sent "
                                                         "with method = \"POST\""));
  EXPECT_THAT(error.message, HasSubstr(at(file_, 10, 9) + "key 'json.items': 'a..b' is not a dot "
                                                          "path"));
  EXPECT_THAT(error.message, HasSubstr(at(file_, 11, 8) + "key 'json.link': is empty"));
  EXPECT_THAT(error.message, HasSubstr(at(file_, 12, 13) + "key 'json.link_base': '/relative' is "
                                                           "not an http:// or https:// address"));
  EXPECT_THAT(error.message, HasSubstr(at(file_, 13, 1) + "key 'json.sort': unknown key in "
                                                          "[json]"));
}

TEST_F(SourceFileTest, JsonSectionIsRequiredForPolledJsonSources) {
  const Error error =
      load_bad(std::string(kValidJson.substr(0, kValidJson.find("[json]"))), "sg-mas.toml");
  EXPECT_THAT(error.message,
              StartsWith(at(file_, 4, 8) + "key 'json': missing section [json], required when "
                                           "type = \"json\""));
}

TEST_F(SourceFileTest, SectionsForAnotherTypeAreRejected) {
  std::string text(kValidHtml);
  text += "[json]\nitems = \"a\"\ntitle = \"t\"\nlink = \"u\"\n[courtlistener]\nquery = \"x\"\n";
  const Error error = load_bad(text);
  EXPECT_THAT(error.message,
              HasSubstr(at(file_, 13, 1) + "key 'json': a [json] section is only used when "
                                           "type = \"json\""));
  EXPECT_THAT(error.message, HasSubstr(at(file_, 17, 1) + "key 'courtlistener': a "
                                                          "[courtlistener] section is only used"));

  const Error list_for_json = load_bad(std::string(kValidJson) + "[list]\nitem = \"li\"\n",
                                       "sg-mas.toml");
  EXPECT_THAT(list_for_json.message,
              HasSubstr("key 'list': a [list] section is only used when type = \"html\"; remove "
                        "it (type = \"json\" does not read it)"));
}

TEST_F(SourceFileTest, ReadsCourtListenerSource) {
  file_ = write_file(dir_.path(), "cl.toml",
                     "id = \"cl\"\nname = \"CL\"\nkind = \"court\"\ntype = \"courtlistener\"\n"
                     "url = \"https://www.courtlistener.com/\"\n[courtlistener]\n"
                     "query = '\"Stability AI\"'\nsearch_type = \"r\"\ncourt = \"cand cacd\"\n");
  Result<SourceConfig> source = load_source_file(file_);
  ASSERT_TRUE(source.has_value()) << source.error().message;
  EXPECT_EQ(source->type, SourceType::kCourtListener);
  ASSERT_TRUE(source->courtlistener.has_value());
  EXPECT_EQ(source->courtlistener->query, "\"Stability AI\"");
  EXPECT_EQ(source->courtlistener->search_type, "r");
  EXPECT_EQ(source->courtlistener->court, "cand cacd");
}

TEST_F(SourceFileTest, CourtListenerProblems) {
  const std::string head =
      "id = \"cl\"\nname = \"CL\"\nkind = \"court\"\ntype = \"courtlistener\"\n"
      "url = \"https://www.courtlistener.com/\"\n";
  const Error missing_section = load_bad(head, "cl.toml");
  EXPECT_THAT(missing_section.message,
              StartsWith(at(file_, 4, 8) + "key 'courtlistener': missing section "
                                           "[courtlistener]"));
  const Error bad = load_bad(head + "[courtlistener]\nsearch_type = \"x\"\ncourt = \"N.D. Cal.\"\n",
                             "cl.toml");
  EXPECT_THAT(bad.message, HasSubstr(at(file_, 6, 1) + "key 'courtlistener.query': missing"));
  EXPECT_THAT(bad.message, HasSubstr(at(file_, 7, 15) + "key 'courtlistener.search_type': "
                                                        "unknown search_type 'x'; write one of: "
                                                        "o, r"));
  EXPECT_THAT(bad.message, HasSubstr(at(file_, 8, 9) + "key 'courtlistener.court': 'N.D. Cal.' "
                                                       "is not a list of CourtListener court ids"));
}

constexpr std::string_view kManual = R"(id = "cn-hz-netcourt"
name = "杭州互联网法院"
kind = "court"
mode = "manual"
manual_reason = "WeChat only; editors add links with herald add"
type = "wechat"
url = "https://www.netcourt.gov.cn/"
)";

TEST_F(SourceFileTest, ReadsManualSourceWithABridge) {
  file_ = write_file(dir_.path(), "cn-hz-netcourt.toml",
                     std::string(kManual) +
                         "bridge_url = \"https://rss.example.com/wechat/hz.xml\"\n");
  Result<SourceConfig> source = load_source_file(file_);
  ASSERT_TRUE(source.has_value()) << source.error().message;
  EXPECT_EQ(source->mode, SourceMode::kManual);
  EXPECT_EQ(source->type, SourceType::kWechat);
  EXPECT_EQ(source->manual_reason, "WeChat only; editors add links with herald add");
  EXPECT_EQ(source->bridge_url, "https://rss.example.com/wechat/hz.xml");
}

TEST_F(SourceFileTest, ManualSourcesNeedNoPollingSections) {
  // A manual html source without [list], a manual json source without [json].
  file_ = write_file(dir_.path(), "m.toml",
                     "id = \"m\"\nname = \"M\"\nkind = \"media\"\nmode = \"manual\"\n"
                     "manual_reason = \"bot wall\"\nurl = \"https://www.example.com/\"\n");
  Result<SourceConfig> html = load_source_file(file_);
  ASSERT_TRUE(html.has_value()) << html.error().message;
  EXPECT_EQ(html->type, SourceType::kHtml);
  EXPECT_FALSE(html->list.has_value());
  EXPECT_FALSE(html->bridge_url.has_value());

  file_ = write_file(dir_.path(), "m.toml",
                     "id = \"m\"\nname = \"M\"\nkind = \"media\"\nmode = \"manual\"\n"
                     "manual_reason = \"key needed\"\ntype = \"json\"\n"
                     "url = \"https://api.example.com/\"\n");
  Result<SourceConfig> json = load_source_file(file_);
  ASSERT_TRUE(json.has_value()) << json.error().message;
  EXPECT_FALSE(json->json.has_value());
}

TEST_F(SourceFileTest, ManualModeRules) {
  const Error no_reason = load_bad(replace_line(kManual, 5, ""), "cn-hz-netcourt.toml");
  EXPECT_THAT(no_reason.message, StartsWith(at(file_, 1, 1) + "key 'manual_reason': missing; "
                                                              "add e.g. manual_reason = "));

  const Error bad_mode = load_bad(replace_line(kManual, 4, "mode = \"off\""),
                                  "cn-hz-netcourt.toml");
  EXPECT_EQ(bad_mode.message,
            at(file_, 4, 8) + "key 'mode': unknown mode 'off'; write one of: poll, manual");

  const Error bad_bridge = load_bad(std::string(kManual) + "bridge_url = \"rss.example.com\"\n",
                                    "cn-hz-netcourt.toml");
  EXPECT_THAT(bad_bridge.message,
              StartsWith(at(file_, 8, 14) + "key 'bridge_url': 'rss.example.com' is not an "
                                            "http:// or https:// address"));

  std::string polled(kValidHtml);
  polled.insert(polled.find("[list]"),
                "manual_reason = \"x\"\nbridge_url = \"https://r.example/f\"\n");
  const Error poll_keys = load_bad(polled);
  EXPECT_THAT(poll_keys.message, HasSubstr(at(file_, 9, 17) + "key 'manual_reason': is only used "
                                                              "with mode = \"manual\""));
  EXPECT_THAT(poll_keys.message, HasSubstr(at(file_, 10, 14) + "key 'bridge_url': is only used "
                                                               "with mode = \"manual\""));
}

TEST(ShippedConfigTest, EveryShippedFileLoadsWithoutErrors) {
  const fs::path root(HERALD_SOURCE_ROOT);
  Result<HeraldConfig> config = load_herald_config(root / "config" / "herald.toml");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->fixtures_dir, (root / "tests" / "fixtures").lexically_normal());
  EXPECT_TRUE(config->tokens.empty());  // the example token is commented out
  Result<SourceSet> set = load_sources(config->sources_dir);
  ASSERT_TRUE(set.has_value()) << set.error().message;
  for (const Error& error : set->errors) {
    ADD_FAILURE() << error.message;
  }
  const auto manual =
      std::count_if(set->sources.begin(), set->sources.end(),
                    [](const SourceConfig& s) { return s.mode == SourceMode::kManual; });
  EXPECT_GT(manual, 0);
  for (const SourceConfig& source : set->sources) {
    if (source.mode == SourceMode::kManual) {
      EXPECT_FALSE(source.manual_reason.empty()) << source.id;
    }
  }
}

// ---- herald.toml: fixtures, tokens, web --------------------------------------------------

TEST(HeraldConfigTest, ReadsFixturesTokensAndWeb) {
  testing::TempDir dir;
  const fs::path file =
      write_file(dir.path(), "herald.toml",
                 "[sources]\nfixtures = \"../tests/fixtures\"\n"
                 "[tokens]\ncourtlistener = \"abc123\"\nother-api = \"x\"\n"
                 "[web]\nenabled = false\nlisten_host = \"0.0.0.0\"\nport = 9090\n"
                 "public_origin = \"https://herald.example.com\"\n"
                 "session_idle_timeout = \"30m\"\n"
                 "session_absolute_timeout = \"8h\"\n"
                 "assets_dir = \"web\"\n");
  Result<HeraldConfig> config = load_herald_config(file);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->fixtures_dir, (dir.path().parent_path() / "tests" / "fixtures"));
  EXPECT_EQ(config->tokens.size(), 2u);
  EXPECT_EQ(config->tokens.at("courtlistener"), "abc123");
  EXPECT_EQ(config->tokens.at("other-api"), "x");
  EXPECT_FALSE(config->web.enabled);
  EXPECT_EQ(config->web.listen_host, "0.0.0.0");
  EXPECT_EQ(config->web.port, 9090);
  EXPECT_EQ(config->web.public_origin, "https://herald.example.com");
  EXPECT_EQ(config->web.session_idle_timeout, seconds{1800});
  EXPECT_EQ(config->web.session_absolute_timeout, seconds{8 * 3600});
  EXPECT_EQ(config->web.assets_dir, dir.path() / "web");
}

TEST(HeraldConfigTest, WebAndFixturesDefaults) {
  testing::TempDir dir;
  const fs::path file = write_file(dir.path(), "herald.toml", "");
  Result<HeraldConfig> config = load_herald_config(file);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_TRUE(config->fixtures_dir.empty());
  EXPECT_TRUE(config->tokens.empty());
  EXPECT_TRUE(config->web.enabled);
  EXPECT_EQ(config->web.listen_host, "127.0.0.1");
  EXPECT_EQ(config->web.port, 8080);
  EXPECT_EQ(config->web.session_idle_timeout, seconds{2 * 3600});
  EXPECT_EQ(config->web.session_absolute_timeout, seconds{12 * 3600});
  EXPECT_TRUE(config->web.assets_dir.empty());
}

TEST(HeraldConfigTest, WebProblems) {
  testing::TempDir dir;
  const fs::path file = write_file(dir.path(), "herald.toml",
                                   "[web]\nport = 70000\n"
                                   "public_origin = \"https://herald.example.com/\"\n"
                                   "session_idle_timeout = \"10h\"\n"
                                   "session_absolute_timeout = \"2h\"\n"
                                   "listen = \"x\"\n");
  Result<HeraldConfig> config = load_herald_config(file);
  ASSERT_FALSE(config.has_value());
  const std::string& message = config.error().message;
  EXPECT_THAT(message, HasSubstr(at(file, 2, 8) + "key 'web.port': 70000 is out of range; write "
                                                  "a number from 1 to 65535"));
  EXPECT_THAT(message, HasSubstr(at(file, 3, 17) + "key 'web.public_origin': "
                                                   "'https://herald.example.com/' is not an "
                                                   "origin"));
  EXPECT_THAT(message, HasSubstr(at(file, 5, 28) + "key 'web.session_absolute_timeout': a "
                                                   "session's absolute timeout (2h) is shorter "
                                                   "than its idle timeout (10h)"));
  EXPECT_THAT(message, HasSubstr(at(file, 6, 1) + "key 'web.listen': unknown key in [web]"));
}

TEST(HeraldConfigTest, TokenProblemsNeverShowTheValue) {
  testing::TempDir dir;
  const fs::path file = write_file(dir.path(), "herald.toml",
                                   "[tokens]\ncourtlistener = 12345678\n"
                                   "\"Court Listener\" = \"s3cr3t-value\"\n"
                                   "empty = \"\"\n");
  Result<HeraldConfig> config = load_herald_config(file);
  ASSERT_FALSE(config.has_value());
  const std::string& message = config.error().message;
  EXPECT_THAT(message, HasSubstr(at(file, 2, 17) + "key 'tokens.courtlistener': expected a "
                                                   "string, found a whole number"));
  EXPECT_THAT(message, HasSubstr("key 'tokens.Court Listener': is not a service name"));
  EXPECT_THAT(message, HasSubstr(at(file, 4, 9) + "key 'tokens.empty': is empty"));
  EXPECT_THAT(message, Not(HasSubstr("12345678")));
  EXPECT_THAT(message, Not(HasSubstr("s3cr3t")));
}

}  // namespace
}  // namespace herald

namespace herald {
namespace {

// ---- politeness settings ----------------------------------------------------------------

TEST(PolitenessConfigTest, HeraldTomlSetsMinDelayAndContact) {
  testing::TempDir dir;
  const fs::path file = write_file(dir.path(), "herald.toml",
                                   "[fetch]\nmin_delay = \"10s\"\ncontact = \"ops@example.org\"\n");
  Result<HeraldConfig> config = load_herald_config(file);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->min_delay, std::chrono::seconds{10});
  EXPECT_EQ(config->contact, "ops@example.org");

  const fs::path defaults = write_file(dir.path(), "defaults.toml", "");
  Result<HeraldConfig> plain = load_herald_config(defaults);
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->min_delay, std::chrono::seconds{5});
  EXPECT_TRUE(plain->contact.empty());
}

TEST_F(SourceFileTest, FetchMinDelayAndIgnoreRobots) {
  std::string text(kValidHtml);
  text += "[fetch]\nmin_delay = \"30s\"\nignore_robots = true\n";
  file_ = write_file(dir_.path(), "bj-gov-gzdt.toml", text);
  Result<SourceConfig> source = load_source_file(file_);
  ASSERT_TRUE(source.has_value()) << source.error().message;
  EXPECT_EQ(source->fetch.min_delay, std::chrono::seconds{30});
  EXPECT_TRUE(source->fetch.ignore_robots);

  std::string slow(kValidHtml);
  slow += "[fetch]\nmin_delay = \"2h\"\n";
  const Error error = load_bad(slow);
  EXPECT_NE(error.message.find("key 'fetch.min_delay': \"2h\" is too long"), std::string::npos)
      << error.message;
}

}  // namespace
}  // namespace herald
