#include "scrapers/cluster/story_index.h"

#include <algorithm>
#include <utility>

namespace herald {
namespace {

constexpr std::size_t kSimhashBlocks = 4;
constexpr std::size_t kBlockValues = 65536;
constexpr std::uint32_t kNoSlot = 0xFFFFFFFFU;
// Lists read beyond the minimum, to count how many of them a candidate is in (see
// lowest_similar).
constexpr std::size_t kExtraLists = 8;

// Where the chain of stories with this value of this block starts in block_heads_.
std::size_t block_head(std::uint64_t simhash, std::size_t block) {
  return block * kBlockValues + static_cast<std::uint16_t>(simhash >> (16 * block));
}

std::uint32_t append(std::vector<std::uint32_t>& arena, std::span<const std::uint32_t> values) {
  const auto begin = static_cast<std::uint32_t>(arena.size());
  arena.insert(arena.end(), values.begin(), values.end());
  return begin;
}

}  // namespace

void StoryIndex::add(std::int64_t item_id, std::int64_t first_seen, const StoryKey& key) {
  Entry entry{.id = item_id,
              .first_seen = first_seen,
              .simhash = key.simhash,
              .title_begin = append(arena_, key.title_bigrams),
              .text_begin = append(arena_, key.text_bigrams),
              .numbers_begin = append(arena_, key.number_hashes),
              .title_size = static_cast<std::uint32_t>(key.title_bigrams.size()),
              .text_size = static_cast<std::uint32_t>(key.text_bigrams.size()),
              .numbers_size = static_cast<std::uint32_t>(key.number_hashes.size()),
              .has_summary = key.has_summary};
  entries_.push_back(entry);
  if (first_seen < horizon_) {
    ++forgotten_;
  }
  index_entry(static_cast<std::uint32_t>(entries_.size() - 1));
}

void StoryIndex::index_entry(std::uint32_t slot) {
  const Entry& entry = entries_[slot];
  if (block_heads_.empty()) {
    block_heads_.assign(kSimhashBlocks * kBlockValues, kNoSlot);
  }
  for (std::size_t block = 0; block < kSimhashBlocks; ++block) {
    std::uint32_t& head = block_heads_[block_head(entry.simhash, block)];
    block_next_.push_back(head);  // slot * kSimhashBlocks + block
    head = slot;
  }
  const StoryFeatures features = features_of(entry);
  if (features.title_bigrams.empty()) {
    empty_titles_.push_back(slot);
  }
  for (const std::uint32_t bigram : features.title_bigrams) {
    title_postings_[bigram].push_back(slot);
  }
  if (entry.has_summary) {
    for (const std::uint32_t bigram : features.text_bigrams) {
      text_postings_[bigram].push_back(slot);
    }
  }
}

StoryFeatures StoryIndex::features_of(const Entry& entry) const {
  const std::span<const std::uint32_t> arena(arena_);
  return StoryFeatures{.simhash = entry.simhash,
                       .has_summary = entry.has_summary,
                       .title_bigrams = arena.subspan(entry.title_begin, entry.title_size),
                       .text_bigrams = arena.subspan(entry.text_begin, entry.text_size),
                       .numbers = arena.subspan(entry.numbers_begin, entry.numbers_size)};
}

bool StoryIndex::matches(const Entry& entry, std::span<const std::uint32_t> numbers,
                         std::int64_t oldest) const {
  return entry.first_seen >= oldest && !numbers_conflict(numbers, features_of(entry).numbers);
}

std::uint32_t StoryIndex::lowest_similar(const Postings& postings,
                                         std::span<const std::uint32_t> set, bool text,
                                         std::uint32_t below,
                                         std::span<const std::uint32_t> numbers,
                                         std::int64_t oldest) const {
  static const std::vector<std::uint32_t> kNone;
  std::vector<const std::vector<std::uint32_t>*> lists;
  lists.reserve(set.size());
  for (const std::uint32_t bigram : set) {
    const auto found = postings.find(bigram);
    lists.push_back(found == postings.end() ? &kNone : &found->second);
  }
  // A story with enough in common holds at least one of any `set.size() - needed + 1`
  // bigrams of the set, and at least `extra + 1` of any `extra` more: reading a few more lists
  // than the minimum rules out the stories that share one rare word and little else, before
  // their sets are merged.
  const std::size_t needed = min_shared_for_same_story(set.size());
  const std::size_t first_lists = set.size() - needed + 1;
  const std::size_t extra = std::min<std::size_t>(kExtraLists, set.size() - first_lists);
  const std::size_t read_lists = first_lists + extra;
  std::partial_sort(lists.begin(), lists.begin() + static_cast<std::ptrdiff_t>(read_lists),
                    lists.end(), [](const auto* a, const auto* b) { return a->size() < b->size(); });

  if (seen_in_.size() < entries_.size()) {
    seen_in_.resize(entries_.size(), 0);
    shared_.resize(entries_.size(), 0);
  }
  if (++search_ == 0) {  // wrapped: no slot may look met by this search
    std::fill(seen_in_.begin(), seen_in_.end(), 0);
    search_ = 1;
  }
  const std::uint32_t search = search_;
  std::vector<std::uint32_t> candidates;
  for (std::size_t i = 0; i < read_lists; ++i) {
    for (const std::uint32_t slot : *lists[i]) {
      if (slot >= below) {
        break;  // lists are in slot order: only a lower slot can improve on `below`
      }
      if (seen_in_[slot] != search) {
        seen_in_[slot] = search;
        shared_[slot] = 1;
        if (i < first_lists) {  // later lists only count: a story must be in a first one
          candidates.push_back(slot);
        }
      } else {
        ++shared_[slot];
      }
    }
  }
  std::erase_if(candidates, [&](std::uint32_t slot) { return shared_[slot] < extra + 1; });
  // Oldest first, so the first that is the same story is the answer. On a busy window most
  // new items have one early on.
  std::sort(candidates.begin(), candidates.end());
  for (const std::uint32_t slot : candidates) {
    const Entry& entry = entries_[slot];
    const StoryFeatures stored = features_of(entry);
    const std::span<const std::uint32_t> other = text ? stored.text_bigrams : stored.title_bigrams;
    if (jaccard_upper_bound(set.size(), other.size()) >= kSameStoryMinJaccard &&
        sorted_jaccard(set, other) >= kSameStoryMinJaccard && matches(entry, numbers, oldest)) {
      return slot;
    }
  }
  return below;
}

std::optional<std::int64_t> StoryIndex::find(const StoryKey& key, std::int64_t since) const {
  const std::int64_t oldest = std::max(since, horizon_);
  const std::span<const std::uint32_t> numbers(key.number_hashes);
  // The lowest slot that is the same story by any of the three tests: each test only looks
  // below the best slot the ones before it found.
  std::uint32_t best = kNoSlot;
  for (std::size_t block = 0; block < kSimhashBlocks && !block_heads_.empty(); ++block) {
    for (std::uint32_t slot = block_heads_[block_head(key.simhash, block)]; slot != kNoSlot;
         slot = block_next_[slot * kSimhashBlocks + block]) {
      if (slot < best && near_duplicate(key.simhash, entries_[slot].simhash) &&
          matches(entries_[slot], numbers, oldest)) {
        best = slot;
      }
    }
  }
  if (key.title_bigrams.empty()) {
    for (const std::uint32_t slot : empty_titles_) {  // in slot order
      if (slot >= best) {
        break;
      }
      if (matches(entries_[slot], numbers, oldest)) {
        best = slot;
        break;
      }
    }
  } else {
    best = lowest_similar(title_postings_, key.title_bigrams, false, best, numbers, oldest);
  }
  if (key.has_summary && !key.text_bigrams.empty()) {
    best = lowest_similar(text_postings_, key.text_bigrams, true, best, numbers, oldest);
  }
  if (best == kNoSlot) {
    return std::nullopt;
  }
  return entries_[best].id;
}

void StoryIndex::forget_before(std::int64_t since) {
  if (since <= horizon_) {
    return;
  }
  horizon_ = since;
  forgotten_ = static_cast<std::size_t>(std::count_if(
      entries_.begin(), entries_.end(), [&](const Entry& e) { return e.first_seen < horizon_; }));
  if (forgotten_ > 0 && forgotten_ * 2 >= entries_.size()) {
    compact();
  }
}

void StoryIndex::compact() {
  StoryIndex kept;
  kept.horizon_ = horizon_;
  for (const Entry& entry : entries_) {
    if (entry.first_seen < horizon_) {
      continue;
    }
    const StoryFeatures features = features_of(entry);
    Entry copy = entry;
    copy.title_begin = append(kept.arena_, features.title_bigrams);
    copy.text_begin = append(kept.arena_, features.text_bigrams);
    copy.numbers_begin = append(kept.arena_, features.numbers);
    kept.entries_.push_back(copy);
    kept.index_entry(static_cast<std::uint32_t>(kept.entries_.size() - 1));
  }
  *this = std::move(kept);
}

void StoryIndex::clear() { *this = StoryIndex{}; }

}  // namespace herald
