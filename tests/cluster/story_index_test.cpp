// StoryIndex must answer exactly what comparing a new item with every stored story of the
// window, oldest first, answers (find_same_stories did that before the index): the index
// only decides which stories are worth comparing, and may never skip one that matches.

#include "scrapers/cluster/story_index.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "tests/cluster/newsletter_stories.h"

namespace herald {
namespace {

using testing::Story;

struct Stored {
  std::int64_t id = 0;
  std::int64_t first_seen = 0;
  StoryKey key{};
};

// What find() must return: the scan the index replaces.
std::optional<std::int64_t> scan(const std::vector<Stored>& window, const StoryKey& key,
                                 std::int64_t since) {
  for (const Stored& story : window) {
    if (story.first_seen >= since && same_story(key, story.key)) {
      return story.id;
    }
  }
  return std::nullopt;
}

// Headlines from a small vocabulary, as a government portal writes them, so that many pairs
// share most of their words (near misses for the thresholds) and some repeat outright.
std::string synthetic_title(std::mt19937& random) {
  static const std::vector<std::string> pieces = {
      "关于", "印发", "上海市", "广东省", "北京市", "人工智能", "大模型", "生成式",
      "数据安全", "管理办法", "实施方案", "的通知", "征求意见稿", "第二批", "第三批",
      "2023年", "2024年", "（试行）", "算法备案", "深度合成", "产业发展", "若干措施",
      "AI", "Safety", "Institute", "guidance", "consultation", "on", "the", "2025"};
  std::uniform_int_distribution<std::size_t> count(3, 8);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
  std::string title;
  for (std::size_t i = count(random); i > 0; --i) {
    title += pieces[pick(random)];
    title += ' ';
  }
  return title;
}

std::string variant_of(const std::string& title, std::mt19937& random) {
  std::string out = title;
  switch (random() % 4) {
    case 0: return "转载：" + out;
    case 1: return out + "_科技_腾讯网";
    case 2: return out.substr(out.find(' ') + 1);  // the first word dropped
    default: return out + " 2024年";
  }
}

TEST(StoryIndexTest, FindsWhatAScanOfTheWholeWindowFinds) {
  std::mt19937 random(20231128);
  std::vector<std::string> titles;
  std::vector<std::string> summaries;
  for (const Story& story : testing::all_stories()) {
    titles.emplace_back(story.title);
    summaries.emplace_back(story.summary);
  }
  while (titles.size() < 1500) {
    const bool repeat = titles.size() > 100 && random() % 3 == 0;
    titles.push_back(repeat ? variant_of(titles[random() % titles.size()], random)
                            : synthetic_title(random));
    summaries.push_back(random() % 2 == 0 ? std::string() : synthetic_title(random));
  }
  // Stored: every other text, first seen over ten days; queried: all of them, new or not.
  std::vector<Stored> window;
  StoryIndex index;
  for (std::size_t i = 0; i < titles.size(); i += 2) {
    const auto first_seen = static_cast<std::int64_t>(i) * 600;
    window.push_back({static_cast<std::int64_t>(i + 1), first_seen,
                      story_key(titles[i], summaries[i])});
    index.add(window.back().id, first_seen, window.back().key);
  }
  ASSERT_EQ(index.size(), window.size());

  int matched = 0;
  for (const std::int64_t since : {std::int64_t{0}, std::int64_t{300'000}}) {
    for (std::size_t i = 0; i < titles.size(); ++i) {
      const StoryKey key = story_key(titles[i], summaries[i]);
      const auto expected = scan(window, key, since);
      EXPECT_EQ(index.find(key, since), expected) << "title: " << titles[i];
      matched += expected.has_value() ? 1 : 0;
    }
  }
  // The comparison is only worth something if many queries match and many do not.
  EXPECT_GT(matched, 600);
  EXPECT_LT(matched, 2 * static_cast<int>(titles.size()) - 300);
}

TEST(StoryIndexTest, ReturnsTheOldestMatchingStory) {
  StoryIndex index;
  const StoryKey key = story_key("上海市人工智能产业发展若干措施", "");
  index.add(7, 100, story_key("转载：上海市人工智能产业发展若干措施", ""));
  index.add(9, 200, key);
  EXPECT_EQ(index.find(key, 0), 7);
  EXPECT_EQ(index.find(key, 150), 9);  // the older copy is outside this window
  EXPECT_EQ(index.find(key, 250), std::nullopt);
  EXPECT_EQ(index.last_id(), 9);
}

TEST(StoryIndexTest, ForgottenStoriesAreNotFoundAndTheRestStaysAfterCompaction) {
  StoryIndex index;
  std::vector<StoryKey> keys;
  for (int i = 0; i < 10; ++i) {
    keys.push_back(story_key("第" + std::to_string(i) + "号 关于人工智能数据安全管理办法 " +
                                 std::string(static_cast<std::size_t>(i + 1), 'x'),
                             ""));
    index.add(i + 1, i * 10, keys.back());
  }
  index.forget_before(35);  // 0, 10, 20, 30 go: fewer than half, kept until compaction
  EXPECT_EQ(index.size(), 6u);
  EXPECT_EQ(index.find(keys[2], 0), std::nullopt);
  index.forget_before(65);  // 7 of 10 gone: compacted
  EXPECT_EQ(index.size(), 3u);
  for (int i = 0; i < 10; ++i) {
    const auto found = index.find(keys[static_cast<std::size_t>(i)], 0);
    if (i < 7) {
      EXPECT_EQ(found, std::nullopt) << i;
    } else {
      EXPECT_EQ(found, i + 1) << i;
    }
  }
  EXPECT_EQ(index.last_id(), 10);
  index.add(11, 100, keys[9]);
  EXPECT_EQ(index.find(keys[9], 95), 11);
}

TEST(StoryIndexTest, TitlesWithoutLettersMatchEachOtherOnly) {
  StoryIndex index;
  index.add(1, 0, story_key("——", ""));
  index.add(2, 0, story_key("人工智能", ""));
  EXPECT_EQ(index.find(story_key("…", ""), 0), 1);
  EXPECT_EQ(index.find(story_key("人工智能", ""), 0), 2);
}

TEST(StoryIndexTest, ClearEmptiesTheIndex) {
  StoryIndex index;
  index.add(1, 0, story_key("人工智能", ""));
  index.clear();
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.last_id(), 0);
  EXPECT_EQ(index.find(story_key("人工智能", ""), 0), std::nullopt);
}

TEST(StoryIndexTest, NeedsAtLeastTheThresholdShareOfEitherSet) {
  EXPECT_EQ(min_shared_for_same_story(0), 0u);
  EXPECT_EQ(min_shared_for_same_story(1), 1u);
  EXPECT_EQ(min_shared_for_same_story(20), 11u);  // 0.55 * 20 = 11 exactly
  EXPECT_EQ(min_shared_for_same_story(21), 12u);  // 11.55 rounds up
  EXPECT_EQ(min_shared_for_same_story(100), 55u);
}

}  // namespace
}  // namespace herald
