#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "scrapers/cluster/simhash.h"

namespace herald {

// The stored stories of the same-story window, indexed so that a new item is compared only
// with the stories that could match it, not with the whole window.
//
// A poll of a busy installation brings items against a window of tens of thousands of
// stories; comparing each new item with each of them made clustering the bulk of a poll
// cycle's CPU (bench/README.md). same_story() is true only when one of three things holds,
// and each has an exact filter:
//  * simhashes within 3 bits: split into four 16-bit blocks, two such hashes agree on at
//    least one whole block (pigeonhole), so four block lookups find every one;
//  * title (or title + summary) bigram Jaccard >= t: then the two sets share at least
//    m = min_shared_for_same_story(|A|) bigrams, so the stored set must contain at least one
//    of ANY |A| - m + 1 bigrams of the new set. The index keeps, per bigram, the stories
//    that contain it (in id order), reads the |A| - m + 1 bigrams with the shortest lists
//    (the rare words of the headline, never "关于" or "通知") and 8 more, and keeps only
//    the stories found in the first ones and in at least 9 of all it read (one that misses
//    more cannot reach m). Those are compared, oldest first, until one is the same story.
// Each test only looks below the oldest match the tests before it found, and the number
// rule of same_story() applies to every match, so find() answers exactly what same_story()
// over the whole window in id order would (tests/cluster/story_index_test.cpp compares the
// two).
//
// Memory: 1 MB for the simhash chains, then about 400 bytes per story (compact copies of the
// sets with 32-bit hashes, and their postings): a 20,000-story window of the benchmark's
// government headlines is ~9 MB. Not thread-safe: callers lock.
class StoryIndex {
 public:
  // Adds a stored story. Ids must increase from call to call (the database's order).
  void add(std::int64_t item_id, std::int64_t first_seen, const StoryKey& key);

  // The lowest id among the stories first seen at or after `since` (and not forgotten) for
  // which same_story(key, story) holds; nullopt when there is none.
  std::optional<std::int64_t> find(const StoryKey& key, std::int64_t since) const;

  // Stories first seen before `since` are no longer found; their memory is given back once
  // they are half of the index.
  void forget_before(std::int64_t since);

  void clear();
  std::size_t size() const { return entries_.size() - forgotten_; }
  std::int64_t last_id() const { return entries_.empty() ? 0 : entries_.back().id; }

 private:
  struct Entry {
    std::int64_t id = 0;
    std::int64_t first_seen = 0;
    std::uint64_t simhash = 0;
    std::uint32_t title_begin = 0;  // offsets into arena_
    std::uint32_t text_begin = 0;
    std::uint32_t numbers_begin = 0;
    std::uint32_t title_size = 0;
    std::uint32_t text_size = 0;
    std::uint32_t numbers_size = 0;
    bool has_summary = false;
  };
  using Postings = std::unordered_map<std::uint32_t, std::vector<std::uint32_t>>;

  StoryFeatures features_of(const Entry& entry) const;
  void index_entry(std::uint32_t slot);
  // Whether `entry` is in the window and its numbers agree with the new title's.
  bool matches(const Entry& entry, std::span<const std::uint32_t> numbers,
               std::int64_t oldest) const;
  // The lowest slot below `below` whose set (title, or title + summary: `text`) has a bigram
  // Jaccard similarity of at least kSameStoryMinJaccard with `set` (not empty) and that
  // matches(); `below` when there is none.
  std::uint32_t lowest_similar(const Postings& postings, std::span<const std::uint32_t> set,
                               bool text, std::uint32_t below,
                               std::span<const std::uint32_t> numbers,
                               std::int64_t oldest) const;
  void compact();

  std::vector<Entry> entries_;        // in id order; a slot is an index into it
  std::vector<std::uint32_t> arena_;  // every entry's title, text and number hashes
  Postings title_postings_;
  Postings text_postings_;            // only stories with a summary
  // Stories by the value of each 16-bit simhash block, as chains through the slots: the head
  // per (block, value) and, per slot and block, the next slot with the same value. A map of
  // lists would spend ~100 bytes per story and block, as nearly every value is distinct.
  std::vector<std::uint32_t> block_heads_;  // 4 x 65,536, empty until the first story
  std::vector<std::uint32_t> block_next_;   // 4 per slot
  std::vector<std::uint32_t> empty_titles_;  // title sets with no bigram (Jaccard 1 with "")
  std::int64_t horizon_ = 0;                 // forget_before's latest `since`
  std::size_t forgotten_ = 0;                // entries first seen before horizon_
  // find()'s per-slot scratch: which search last met the slot, and in how many of the lists
  // it read. Kept between calls, so a search allocates nothing per story.
  mutable std::vector<std::uint32_t> seen_in_;
  mutable std::vector<std::uint32_t> shared_;
  mutable std::uint32_t search_ = 0;
};

}  // namespace herald
