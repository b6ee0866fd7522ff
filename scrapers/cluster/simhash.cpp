#include "scrapers/cluster/simhash.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <vector>

#include "common/text.h"
#include "scrapers/relevance/fold.h"

namespace herald {
namespace {

constexpr std::size_t kShingle = 3;  // code points per feature

std::vector<char32_t> code_points(std::string_view utf8) {
  std::vector<char32_t> out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size();) {
    std::size_t length = 0;
    out.push_back(code_point_at(utf8, i, length));
    i += length;
  }
  return out;
}

// FNV-1a over the code points, then the SplitMix64 finaliser: FNV alone leaves the high
// bits of short inputs poorly mixed, and SimHash uses every bit.
std::uint64_t hash_code_points(const char32_t* first, std::size_t count) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::size_t i = 0; i < count; ++i) {
    std::uint32_t cp = static_cast<std::uint32_t>(first[i]);
    for (int byte = 0; byte < 4; ++byte) {
      h ^= cp & 0xFFU;
      h *= 0x100000001b3ULL;
      cp >>= 8;
    }
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

// Distinct shingle hashes, sorted: a repeated phrase should not outvote the rest of the
// text, and sorted sets intersect by a merge.
std::vector<std::uint64_t> shingle_hashes(std::string_view normalised, std::size_t n) {
  const std::vector<char32_t> cps = code_points(normalised);
  std::vector<std::uint64_t> out;
  if (cps.empty()) {
    return out;
  }
  if (cps.size() < n) {
    out.push_back(hash_code_points(cps.data(), cps.size()));
    return out;
  }
  out.reserve(cps.size() + 1 - n);
  for (std::size_t i = 0; i + n <= cps.size(); ++i) {
    out.push_back(hash_code_points(cps.data() + i, n));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool is_cjk_numeral(char32_t cp) {
  return std::u32string_view(U"〇零一二三四五六七八九十百千两").find(cp) != std::u32string_view::npos;
}

// The numbers a normalised title carries: ASCII digit runs ("2023", "1106") and CJK
// ordinals ("第三"). Two documents of one series differ only there ("第二批" / "第三批").
std::vector<std::u32string> number_tokens(std::string_view normalised) {
  const std::vector<char32_t> cps = code_points(normalised);
  std::vector<std::u32string> out;
  for (std::size_t i = 0; i < cps.size();) {
    std::size_t end = i;
    if (cps[i] >= U'0' && cps[i] <= U'9') {
      while (end < cps.size() && cps[end] >= U'0' && cps[end] <= U'9') {
        ++end;
      }
    } else if (cps[i] == U'第') {
      end = i + 1;
      while (end < cps.size() && is_cjk_numeral(cps[end])) {
        ++end;
      }
      if (end == i + 1) {
        end = i;  // "第" alone is no ordinal
      }
    }
    if (end > i) {
      out.emplace_back(cps.begin() + static_cast<std::ptrdiff_t>(i),
                       cps.begin() + static_cast<std::ptrdiff_t>(end));
      i = end;
    } else {
      ++i;
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

std::string normalise_for_similarity(std::string_view title_and_summary) {
  const std::string folded = fold_text(title_and_summary);
  std::string out;
  out.reserve(folded.size());
  for (std::size_t i = 0; i < folded.size();) {
    std::size_t length = 0;
    const char32_t cp = code_point_at(folded, i, length);
    if (is_letter_or_number(cp)) {
      out.append(folded, i, length);
    }
    i += length;
  }
  return out;
}

std::uint64_t simhash(std::string_view normalised) {
  const auto features = shingle_hashes(normalised, kShingle);
  if (features.empty()) {
    return 0;
  }
  std::array<int, 64> votes{};
  for (const std::uint64_t h : features) {
    for (std::size_t bit = 0; bit < 64; ++bit) {
      votes[bit] += ((h >> bit) & 1U) != 0 ? 1 : -1;
    }
  }
  std::uint64_t out = 0;
  for (std::size_t bit = 0; bit < 64; ++bit) {
    if (votes[bit] > 0) {
      out |= std::uint64_t{1} << bit;
    }
  }
  return out;
}

int hamming_distance(std::uint64_t a, std::uint64_t b) {
  return std::popcount(a ^ b);
}

bool near_duplicate(std::uint64_t a, std::uint64_t b, int max_distance) {
  return hamming_distance(a, b) <= max_distance;
}

// A headline may drop the numbers ("（2023-2025年）") but not contradict them. Both sides
// are sorted and distinct, as std::includes needs.
bool numbers_conflict(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) {
  return !std::includes(a.begin(), a.end(), b.begin(), b.end()) &&
         !std::includes(b.begin(), b.end(), a.begin(), a.end());
}

double bigram_jaccard(std::string_view normalised_a, std::string_view normalised_b) {
  return sorted_jaccard(bigram_set(normalised_a), bigram_set(normalised_b));
}

std::vector<std::uint32_t> bigram_set(std::string_view normalised) {
  const std::vector<std::uint64_t> wide = shingle_hashes(normalised, 2);
  std::vector<std::uint32_t> out;
  out.reserve(wide.size());
  for (const std::uint64_t h : wide) {
    out.push_back(static_cast<std::uint32_t>(h));  // the finaliser mixed every bit
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

double sorted_jaccard(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) {
  if (a.empty() && b.empty()) {
    return 1.0;
  }
  std::size_t common = 0;
  auto ia = a.begin();
  auto ib = b.begin();
  while (ia != a.end() && ib != b.end()) {
    if (*ia < *ib) {
      ++ia;
    } else if (*ib < *ia) {
      ++ib;
    } else {
      ++common;
      ++ia;
      ++ib;
    }
  }
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

std::size_t min_shared_for_same_story(std::size_t size) {
  // kSameStoryMinJaccard * size rounded up; the epsilon keeps a product that lands a hair
  // above an integer from rounding up past the true minimum.
  const double product = kSameStoryMinJaccard * static_cast<double>(size);
  const double rounded = std::ceil(product - 1e-9);
  return rounded <= 0 ? 0 : static_cast<std::size_t>(rounded);
}

double jaccard_upper_bound(std::size_t size_a, std::size_t size_b) {
  const std::size_t larger = std::max(size_a, size_b);
  if (larger == 0) {
    return 1.0;
  }
  return static_cast<double>(std::min(size_a, size_b)) / static_cast<double>(larger);
}

StoryKey story_key(std::string_view title, std::string_view summary) {
  StoryKey key;
  key.title = normalise_for_similarity(title);
  const std::string summary_text = normalise_for_similarity(summary);
  key.has_summary = !summary_text.empty();
  key.text = key.title + summary_text;
  key.simhash = simhash(key.text);
  key.title_bigrams = bigram_set(key.title);
  if (key.has_summary) {  // without one, same_story() never compares the text
    key.text_bigrams = bigram_set(key.text);
  }
  key.numbers = number_tokens(key.title);
  for (const std::u32string& number : key.numbers) {
    key.number_hashes.push_back(
        static_cast<std::uint32_t>(hash_code_points(number.data(), number.size())));
  }
  std::sort(key.number_hashes.begin(), key.number_hashes.end());
  key.number_hashes.erase(std::unique(key.number_hashes.begin(), key.number_hashes.end()),
                          key.number_hashes.end());
  return key;
}

namespace {

// bigram Jaccard >= kSameStoryMinJaccard, without the merge when the set sizes alone rule it
// out. Rounding cannot make the bound pass a pair the full computation would reject the
// other way: the bound is never below the exact similarity, and division rounds monotonically.
bool similar_enough(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) {
  return jaccard_upper_bound(a.size(), b.size()) >= kSameStoryMinJaccard &&
         sorted_jaccard(a, b) >= kSameStoryMinJaccard;
}

}  // namespace

bool same_story(const StoryFeatures& a, const StoryFeatures& b) {
  // The cheap tests first; the answer is the same as checking the numbers first.
  const bool alike = near_duplicate(a.simhash, b.simhash) ||
                     similar_enough(a.title_bigrams, b.title_bigrams) ||
                     (a.has_summary && b.has_summary && similar_enough(a.text_bigrams, b.text_bigrams));
  return alike && !numbers_conflict(a.numbers, b.numbers);
}

}  // namespace herald
