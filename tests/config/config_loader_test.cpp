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
  const Error error = load_bad(replace_line(kValidHtml, 6, "type = \"json\""));
  EXPECT_EQ(error.message,
            at(file_, 6, 8) + "key 'type': unknown type 'json'; write one of: html, feed");
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
                               "article, same_item_urls");
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
  EXPECT_EQ(source_kind_name(SourceKind::kGovernment), "government");
  EXPECT_EQ(source_kind_name(SourceKind::kCourt), "court");
  EXPECT_EQ(source_kind_name(SourceKind::kAssociation), "association");
  EXPECT_EQ(source_kind_name(SourceKind::kCompany), "company");
  EXPECT_EQ(source_kind_name(SourceKind::kMedia), "media");
  EXPECT_EQ(source_kind_name(SourceKind::kPlatform), "platform");
}

}  // namespace
}  // namespace herald
