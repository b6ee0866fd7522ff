#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Near-duplicate detection for "same story, many outlets": one announcement reposted by a
// provincial portal, re-titled by 新华网, carried by 腾讯新闻 with "_科技_腾讯网" appended.
// Pure functions; storage decides what to compare with what.
//
// What the measurements said (tests/cluster/, the 30 items of the November 2023
// newsletter = 435 pairs of different stories, 12 reposts, 13 re-titled same-story pairs,
// 7 look-alike different stories):
//  * SimHash over code-point 3-grams does not separate short titles on its own. A title
//    has 15-60 features, so the 64 bit votes are noisy: reposts landed 3-15 bits apart,
//    different stories 17-43 (median 31), with no safe gap between them. It is therefore
//    only trusted for what it is certain about: distance <= kNearDuplicateMaxDistance (3)
//    is the same text give or take decoration.
//  * Jaccard similarity of code-point bigram sets separates well: reposts 0.59-0.95,
//    different newsletter stories at most 0.27 (titles) / 0.19 (title + summary). The
//    look-alikes are the hard part: "人工智能白皮书（2022年）" vs "人工智能生成内容（AIGC）
//    白皮书（2022年）" scores 0.50, and a series ("第二批" vs "第三批 ... 备案信息的公告")
//    0.88. Hence the threshold 0.55 and the number rule in same_story().
//  * Title + summary finds more re-titled stories than the title alone (outlets keep the
//    official lead sentence even when they rewrite the headline), but only when both items
//    have a summary: an item without one would be compared against a much longer text.
//  Result with same_story(): reposts 12/12, re-titled 9/13, different stories 0/442.
//  Missed: headlines rewritten so far that few characters remain ("Amazon launches Q, a
//  business chatbot ..." vs "AWS Announces Amazon Q to Reimagine the Future of Work").
//
// How it is used (scrapers/cluster/story_index.h, daemon/run_source.cpp):
//  1. story_key(title, summary) of every item first seen in the last 7 days is kept in a
//     StoryIndex in memory (series like "第二批/第三批" are months apart anyway).
//  2. A new item's key is looked up there: the oldest stored story same_story() holds for.
//  3. The cluster id is the id of the earliest member: a new item joins the cluster of the
//     first matching item, so ids never change when later copies arrive, and the review
//     queue shows the cluster once.

namespace herald {

// SimHash distance up to which two texts are near-identical (the classic 3 of 64 bits;
// see above for why a larger value is not safe for short titles).
inline constexpr int kNearDuplicateMaxDistance = 3;

// Bigram Jaccard similarity from which two titles (or two title + summary texts) are the
// same story.
inline constexpr double kSameStoryMinJaccard = 0.55;

// NFKC + case folding (scrapers/relevance/fold.h), then only letters, marks and numbers
// are kept: punctuation, symbols and all whitespace go, so "《…（2023-2025年）》" and
// "…(2023—2025年)" agree. CJK needs no segmentation: it is compared character by character.
std::string normalise_for_similarity(std::string_view title_and_summary);

// 64-bit SimHash over the distinct character 3-grams (Unicode code points, not bytes) of a
// normalise_for_similarity() result; each 3-gram hashed with FNV-1a and a SplitMix64
// finaliser. Texts shorter than three code points are one feature; "" hashes to 0.
std::uint64_t simhash(std::string_view normalised);

int hamming_distance(std::uint64_t a, std::uint64_t b);

bool near_duplicate(std::uint64_t a, std::uint64_t b,
                    int max_distance = kNearDuplicateMaxDistance);

// Whether two titles' number hashes (StoryKey::number_hashes: sorted, distinct) contradict
// each other: each side has a number the other lacks ("第二批" / "第三批").
bool numbers_conflict(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b);

// Jaccard similarity of the sets of code-point bigrams of two normalised texts (1.0 for two
// empty texts; a one-character text is its own single feature).
double bigram_jaccard(std::string_view normalised_a, std::string_view normalised_b);

// The distinct bigram hashes of a normalised text, sorted: the set bigram_jaccard compares,
// built once per item so that comparing two items is a merge, not two hash-set builds.
// 32 bits per bigram: a window of 20,000 stories holds about a million of them, and two
// distinct bigrams of one pair of titles share a hash with odds of about 1 in 10^6.
std::vector<std::uint32_t> bigram_set(std::string_view normalised);

// bigram_jaccard over two bigram_set() results; equal to bigram_jaccard of their texts.
double sorted_jaccard(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b);

// The upper bound min(|A|,|B|) / max(|A|,|B|) of the Jaccard similarity of sets of these
// sizes (1.0 for two empty sets): below the threshold, the sets need not be compared.
double jaccard_upper_bound(std::size_t size_a, std::size_t size_b);

// The fewest elements two sets must share for a Jaccard similarity of at least
// kSameStoryMinJaccard when one of them has `size` elements (J >= t implies
// |A n B| >= t * |A u B| >= t * |A|). Exact for the sizes titles and summaries have: never
// more than the true minimum, so a search that relies on it misses nothing.
std::size_t min_shared_for_same_story(std::size_t size);

// What same_story() compares: views of a StoryKey, or of the compact copy a StoryIndex keeps.
struct StoryFeatures {
  std::uint64_t simhash = 0;
  bool has_summary = false;
  std::span<const std::uint32_t> title_bigrams{};
  std::span<const std::uint32_t> text_bigrams{};  // empty without summary
  std::span<const std::uint32_t> numbers{};       // hashes of the title's number tokens
};

// What an item is compared by. Keys of stored items are compared with every new item, so
// everything same_story() needs is derived here once: build keys with story_key().
struct StoryKey {
  std::string title{};        // normalise_for_similarity(title)
  std::string text{};         // normalise_for_similarity(title + summary)
  std::uint64_t simhash = 0;  // simhash(text)
  bool has_summary = false;
  std::vector<std::uint32_t> title_bigrams{};  // bigram_set(title)
  std::vector<std::uint32_t> text_bigrams{};   // bigram_set(text); empty without summary
  std::vector<std::u32string> numbers{};       // the title's number tokens, sorted, distinct
  std::vector<std::uint32_t> number_hashes{};  // their hashes, sorted, distinct

  StoryFeatures features() const {
    return StoryFeatures{.simhash = simhash,
                         .has_summary = has_summary,
                         .title_bigrams = title_bigrams,
                         .text_bigrams = text_bigrams,
                         .numbers = number_hashes};
  }
};

StoryKey story_key(std::string_view title, std::string_view summary);

// Same story when the titles carry no conflicting numbers (years, "第三批": each side has a
// number the other lacks) and any of: simhashes within kNearDuplicateMaxDistance; titles'
// bigram Jaccard >= kSameStoryMinJaccard; both have summaries and the title + summary
// texts' bigram Jaccard >= kSameStoryMinJaccard.
bool same_story(const StoryFeatures& a, const StoryFeatures& b);
inline bool same_story(const StoryKey& a, const StoryKey& b) {
  return same_story(a.features(), b.features());
}

}  // namespace herald
