// The per-item bigram sets and the merge that find_same_stories compares with must give what
// the definition gives: the Jaccard similarity of the two texts' sets of code-point bigrams.
// The reference below builds those sets from the code points themselves (no hashing), as
// bigram_jaccard did before the sets were precomputed.

#include "scrapers/cluster/simhash.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "scrapers/relevance/fold.h"
#include "tests/cluster/newsletter_stories.h"

namespace herald {
namespace {

using testing::Story;

std::set<std::u32string> reference_bigrams(std::string_view normalised) {
  std::u32string cps;
  for (std::size_t i = 0; i < normalised.size();) {
    std::size_t length = 0;
    cps.push_back(code_point_at(normalised, i, length));
    i += length;
  }
  std::set<std::u32string> out;
  if (cps.size() == 1) {
    out.insert(cps);
  }
  for (std::size_t i = 0; i + 2 <= cps.size(); ++i) {
    out.insert(cps.substr(i, 2));
  }
  return out;
}

double reference_jaccard(std::string_view a_text, std::string_view b_text) {
  const auto a = reference_bigrams(a_text);
  const auto b = reference_bigrams(b_text);
  if (a.empty() && b.empty()) {
    return 1.0;
  }
  std::size_t common = 0;
  for (const auto& bigram : a) {
    common += b.count(bigram);
  }
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

// Every title, and every title + summary, of the newsletter and of the same-story and
// look-alike pairs (30 + 2 x 25 + 2 x 7 stories), each in both forms when it has a summary.
std::vector<std::string> real_texts() {
  std::vector<std::string> out;
  for (const Story& story : testing::all_stories()) {
    const StoryKey key = story_key(story.title, story.summary);
    out.push_back(key.title);
    if (key.has_summary) {
      out.push_back(key.text);
    }
  }
  return out;
}

TEST(SortedJaccardTest, EqualsTheSetDefinitionOnEveryPairOfRealTitles) {
  const std::vector<std::string> texts = real_texts();
  ASSERT_GE(texts.size(), 140u);
  std::vector<std::vector<std::uint32_t>> sets;
  for (const std::string& text : texts) {
    sets.push_back(bigram_set(text));
    ASSERT_EQ(sets.back().size(), reference_bigrams(text).size()) << text;
  }
  int at_threshold_or_above = 0;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    for (std::size_t j = 0; j < texts.size(); ++j) {
      const double expected = reference_jaccard(texts[i], texts[j]);
      // Same integers divided: equal, not merely close.
      ASSERT_EQ(sorted_jaccard(sets[i], sets[j]), expected) << texts[i] << " / " << texts[j];
      ASSERT_EQ(bigram_jaccard(texts[i], texts[j]), expected) << texts[i] << " / " << texts[j];
      at_threshold_or_above += (i != j && expected >= kSameStoryMinJaccard) ? 1 : 0;
    }
  }
  // The data must exercise the accepting side too, or the prefilter test below says little.
  EXPECT_GT(at_threshold_or_above, 20);
}

TEST(SortedJaccardTest, SizeBoundNeverRejectsAPairTheFullComputationAccepts) {
  const std::vector<std::string> texts = real_texts();
  int rejected_by_size = 0;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const auto a = bigram_set(texts[i]);
    for (std::size_t j = 0; j < texts.size(); ++j) {
      const auto b = bigram_set(texts[j]);
      const double bound = jaccard_upper_bound(a.size(), b.size());
      const double full = sorted_jaccard(a, b);
      ASSERT_GE(bound, full) << texts[i] << " / " << texts[j];
      if (full >= kSameStoryMinJaccard) {
        ASSERT_GE(bound, kSameStoryMinJaccard) << texts[i] << " / " << texts[j];
      }
      rejected_by_size += bound < kSameStoryMinJaccard ? 1 : 0;
    }
  }
  // And it does save work: titles against title + summary texts differ enough in size.
  EXPECT_GT(rejected_by_size, 0);
}

TEST(SortedJaccardTest, EdgeCasesMatchTheDefinition) {
  const std::vector<std::string> texts = {"", "a", "人", "ab", "abab", "aaaa", "abc", "abd", "ba"};
  for (const auto& a : texts) {
    for (const auto& b : texts) {
      EXPECT_EQ(sorted_jaccard(bigram_set(a), bigram_set(b)), reference_jaccard(a, b))
          << "'" << a << "' / '" << b << "'";
      EXPECT_GE(jaccard_upper_bound(bigram_set(a).size(), bigram_set(b).size()),
                reference_jaccard(a, b));
    }
  }
  EXPECT_EQ(bigram_set("abab").size(), 2u);  // {ab, ba}: repeats count once
  EXPECT_DOUBLE_EQ(jaccard_upper_bound(0, 0), 1.0);
  EXPECT_DOUBLE_EQ(jaccard_upper_bound(0, 5), 0.0);
  EXPECT_DOUBLE_EQ(jaccard_upper_bound(10, 4), 0.4);
}

TEST(StoryKeyTest, CarriesTheSetsSameStoryCompares) {
  const StoryKey bare = story_key("OpenAI DevDay 2023", "");
  EXPECT_EQ(bare.title_bigrams, bigram_set(bare.title));
  EXPECT_TRUE(bare.text_bigrams.empty());  // never compared: no summary
  EXPECT_EQ(bare.numbers, std::vector<std::u32string>{U"2023"});
  const StoryKey full = story_key("第三批备案（2023年）2023版", "New models.");
  EXPECT_EQ(full.text_bigrams, bigram_set(full.text));
  EXPECT_EQ(full.numbers, (std::vector<std::u32string>{U"2023", U"第三"}));
}

}  // namespace
}  // namespace herald
