#pragma once

// Synthetic source histories for the health suite: polls at chosen times, written through
// the real Store::commit_poll (which stamps each item's first_seen with the poll's start).

#include <cstdint>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "storage/store.h"

namespace herald::testing {

struct TestPoll {
  std::string source{};
  std::int64_t at = 0;             // started_at, UTC seconds
  std::string outcome = "ok";
  int new_items = 0;               // fresh items with URLs unique to (source, at, i)
  std::int64_t duration_ms = 100;
  std::string error{};             // default for a failure: "<outcome> from <source>"
  bool candidates = false;         // queue the new items as pending candidates
};

inline Item history_item(const std::string& source, const std::string& key) {
  Item item;
  item.source_id = source;
  item.title = fmt::format("{} 通知 {}", source, key);
  item.url = fmt::format("https://{}.example.cn/{}.html", source, key);
  item.url_key = item.url;
  return item;
}

inline PollRecord history_poll(const TestPoll& spec) {
  PollRecord poll;
  poll.source_id = spec.source;
  poll.started_at = spec.at;
  poll.duration_ms = spec.duration_ms;
  poll.outcome = spec.outcome;
  const bool success = spec.outcome == "ok" || spec.outcome == "not_modified";
  poll.error = !spec.error.empty() || success
                   ? spec.error
                   : fmt::format("{} from {}", spec.outcome, spec.source);
  poll.default_section = "最新法律与监管动态";
  for (int i = 0; i < spec.new_items; ++i) {
    Item item = history_item(spec.source, fmt::format("{}-{}", spec.at, i));
    if (spec.candidates) {
      item.candidate = true;
      item.score = 2.0;
      item.matched_terms = {"生成式"};
    }
    poll.items.push_back(std::move(item));
  }
  return poll;
}

inline void commit_history(Store& store, const PollRecord& poll) {
  auto committed = store.commit_poll(poll);
  ASSERT_TRUE(committed.has_value()) << committed.error().message;
}

inline void commit_history(Store& store, const TestPoll& spec) {
  commit_history(store, history_poll(spec));
}

}  // namespace herald::testing
