// [draft] (issue 15, item 1): the drafting endpoint. The key and prompt files are read at
// load, so a missing one stops herald with the file's path instead of failing every draft.

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

fs::path write_file(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return path;
}

fs::path write_config(const fs::path& dir, std::string_view text) {
  return write_file(dir / "herald.toml", text);
}

TEST(DraftConfigTest, WithoutDraftSectionDraftsAreExtractive) {
  testing::TempDir dir;
  Result<HeraldConfig> config = load_herald_config(write_config(dir.path(), ""));
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_TRUE(config->draft.endpoint.empty());
  EXPECT_TRUE(config->draft.api_key.empty());
  EXPECT_EQ(config->draft.timeout, std::chrono::seconds(60));
  EXPECT_EQ(config->draft.concurrency, 1);
  EXPECT_EQ(config->draft.daily_budget, 500);
  EXPECT_EQ(config->draft.max_article_chars, 6000u);
  EXPECT_FALSE(config->draft.stream);
}

TEST(DraftConfigTest, EverySettingIsReadAndFilesBesideTheConfigAreLoaded) {
  testing::TempDir dir;
  write_file(dir.path() / "draft_prompt.txt", "写中文标题。\n---\n{{title}}\n");
  write_file(dir.path() / "key.txt", "  sk-test-123\n");
  const fs::path file = write_config(dir.path(), R"([draft]
endpoint = "http://127.0.0.1:11434/v1"
model = "qwen2.5:7b-instruct"
api_key_file = "key.txt"
timeout_seconds = 90
concurrency = 3
daily_budget = 200
max_article_chars = 4000
stream = true
)");
  Result<HeraldConfig> config = load_herald_config(file);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  const DraftConfig& draft = config->draft;
  EXPECT_EQ(draft.endpoint, "http://127.0.0.1:11434/v1");
  EXPECT_EQ(draft.model, "qwen2.5:7b-instruct");
  EXPECT_EQ(draft.api_key, "sk-test-123");  // surrounding whitespace and newline dropped
  EXPECT_EQ(draft.timeout, std::chrono::seconds(90));
  EXPECT_EQ(draft.concurrency, 3);
  EXPECT_EQ(draft.daily_budget, 200);
  EXPECT_EQ(draft.max_article_chars, 4000u);
  EXPECT_TRUE(draft.stream);
  // Default prompt file: draft_prompt.txt beside herald.toml.
  EXPECT_EQ(draft.prompt_file.filename(), "draft_prompt.txt");
  EXPECT_EQ(draft.prompt, "写中文标题。\n---\n{{title}}\n");
}

TEST(DraftConfigTest, MissingPromptFileIsAnErrorNamingThePath) {
  testing::TempDir dir;
  const fs::path file = write_config(dir.path(), R"([draft]
endpoint = "http://127.0.0.1:8000/v1"
model = "qwen"
)");
  Result<HeraldConfig> config = load_herald_config(file);
  ASSERT_FALSE(config.has_value());
  const std::string& message = config.error().message;
  EXPECT_THAT(message, HasSubstr((dir.path() / "draft_prompt.txt").string()));
  EXPECT_THAT(message, HasSubstr("draft prompt file"));
  EXPECT_THAT(message, HasSubstr("herald.toml:2:"));  // file:line of the endpoint
}

TEST(DraftConfigTest, ExplicitPromptFileIsResolvedAgainstTheConfigDirectory) {
  testing::TempDir dir;
  fs::create_directories(dir.path() / "prompts");
  write_file(dir.path() / "prompts" / "mine.txt", "我的提示");
  const fs::path file = write_config(dir.path(), R"([draft]
endpoint = "http://127.0.0.1:8000/v1/chat/completions"
model = "qwen"
prompt_file = "prompts/mine.txt"
)");
  Result<HeraldConfig> config = load_herald_config(file);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->draft.prompt, "我的提示");

  const fs::path missing = write_config(dir.path(), R"([draft]
prompt_file = "prompts/nope.txt"
)");
  Result<HeraldConfig> refused = load_herald_config(missing);
  ASSERT_FALSE(refused.has_value());
  EXPECT_THAT(refused.error().message, HasSubstr("draft.prompt_file"));
  EXPECT_THAT(refused.error().message, HasSubstr("nope.txt"));
}

TEST(DraftConfigTest, MissingKeyFileIsAnErrorAndTheKeyIsNeverQuoted) {
  testing::TempDir dir;
  write_file(dir.path() / "draft_prompt.txt", "提示");
  const fs::path file = write_config(dir.path(), R"([draft]
endpoint = "https://api.example.com/v1"
model = "m"
api_key_file = "no-such-key"
)");
  Result<HeraldConfig> config = load_herald_config(file);
  ASSERT_FALSE(config.has_value());
  EXPECT_THAT(config.error().message, HasSubstr("draft.api_key_file"));
  EXPECT_THAT(config.error().message, HasSubstr("no-such-key"));

  // A key file with two lines is refused without printing its content.
  write_file(dir.path() / "no-such-key", "sk-secret-one\nsk-secret-two\n");
  Result<HeraldConfig> two_lines = load_herald_config(file);
  ASSERT_FALSE(two_lines.has_value());
  EXPECT_THAT(two_lines.error().message, HasSubstr("one line"));
  EXPECT_THAT(two_lines.error().message, Not(HasSubstr("sk-secret")));
}

TEST(DraftConfigTest, BadValuesAreRefusedWithTheirLine) {
  testing::TempDir dir;
  write_file(dir.path() / "draft_prompt.txt", "提示");
  const fs::path file = write_config(dir.path(), R"([draft]
endpoint = "127.0.0.1:11434"
model = "m"
concurrency = 9
timeout_seconds = 0
daily_budget = -1
strem = true
)");
  Result<HeraldConfig> config = load_herald_config(file);
  ASSERT_FALSE(config.has_value());
  const std::string& message = config.error().message;
  EXPECT_THAT(message, HasSubstr("herald.toml:2:"));
  EXPECT_THAT(message, HasSubstr("draft.endpoint"));
  EXPECT_THAT(message, HasSubstr("herald.toml:4:"));
  EXPECT_THAT(message, HasSubstr("draft.concurrency"));
  EXPECT_THAT(message, HasSubstr("draft.timeout_seconds"));
  EXPECT_THAT(message, HasSubstr("draft.daily_budget"));
  EXPECT_THAT(message, HasSubstr("did you mean 'stream'"));
}

TEST(DraftConfigTest, EndpointWithoutModelIsRefused) {
  testing::TempDir dir;
  write_file(dir.path() / "draft_prompt.txt", "提示");
  Result<HeraldConfig> config = load_herald_config(
      write_config(dir.path(), "[draft]\nendpoint = \"http://127.0.0.1:11434/v1\"\n"));
  ASSERT_FALSE(config.has_value());
  EXPECT_THAT(config.error().message, HasSubstr("draft.model"));
  EXPECT_THAT(config.error().message, HasSubstr("missing"));
}

// The shipped herald.toml (with its commented [draft] block) and prompt still load.
TEST(DraftConfigTest, ShippedConfigLoadsWithoutAnEndpoint) {
  Result<HeraldConfig> config =
      load_herald_config(fs::path(HERALD_SOURCE_ROOT) / "config" / "herald.toml");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_TRUE(config->draft.endpoint.empty());
}

// The commented [draft] block in the shipped herald.toml, uncommented as an admin would,
// loads beside the shipped prompt: the documented keys and values are the real ones.
TEST(DraftConfigTest, ShippedDraftBlockUncommentedLoads) {
  const fs::path root(HERALD_SOURCE_ROOT);
  std::ifstream in(root / "config" / "herald.toml", std::ios::binary);
  std::string line;
  std::string block;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line == "# [draft]") {
      inside = true;
    } else if (inside && line.empty()) {
      break;
    }
    if (inside && line.rfind("# ", 0) == 0) {
      const std::string text = line.substr(2);
      // Only "key = value" lines and the header are the block; the rest is commentary.
      if (text == "[draft]" || text.find(" = ") != std::string::npos) {
        block += text + "\n";
      }
    }
  }
  ASSERT_NE(block.find("[draft]"), std::string::npos) << "no commented [draft] block";
  ASSERT_NE(block.find("endpoint = "), std::string::npos);
  testing::TempDir dir;
  fs::copy_file(root / "config" / "draft_prompt.txt", dir.path() / "draft_prompt.txt");
  write_file(dir.path() / "draft_api_key", "sk-example\n");
  Result<HeraldConfig> config = load_herald_config(write_config(dir.path(), block));
  ASSERT_TRUE(config.has_value()) << config.error().message << "\n" << block;
  EXPECT_EQ(config->draft.endpoint, "http://127.0.0.1:11434/v1");
  EXPECT_EQ(config->draft.api_key, "sk-example");
  EXPECT_FALSE(config->draft.prompt.empty());
}

}  // namespace
}  // namespace herald
