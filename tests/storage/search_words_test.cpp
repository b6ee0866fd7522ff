// Issue 15 (fixes from use): an ASCII search term matches whole words, as the relevance
// profile matches keywords ("AI" does not find "OpenAI", "law" does not find "flaws"),
// Chinese terms stay substrings, and the count and the pages agree with the filtered
// matches; undated items sort after dated ones instead of above them.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "storage/store.h"
#include "tests/storage/memory_store.h"

namespace herald {
namespace {

constexpr std::int64_t kNov7 = 1699322400;  // 2023-11-07 10:00 in Beijing
constexpr std::int64_t kDay = 86400;

class SearchWordsTest : public testing::MemoryStoreTest {
 protected:
  // Stores one poll of `titles` (with their publish dates; nullopt: undated), polled
  // on `polled_at`, and returns nothing; candidate ids follow the order of `titles`.
  void add(const std::vector<std::pair<std::string, std::optional<std::int64_t>>>& titles,
           std::int64_t polled_at = kNov7 + 30 * kDay) {
    PollRecord record;
    record.source_id = "src";
    record.started_at = polled_at;
    record.outcome = "ok";
    record.http_status = 200;
    record.default_section = "最新法律与监管动态";
    for (const auto& [title, published] : titles) {
      Item item;
      item.source_id = record.source_id;
      item.title = title;
      item.url = "https://src.example/" + std::to_string(next_);
      item.url_key = "src.example/" + std::to_string(next_);
      ++next_;
      item.published_at = published;
      item.score = 2.0;
      item.candidate = true;
      record.items.push_back(item);
      record.same_story_as.push_back(std::nullopt);
    }
    auto done = store().commit_poll(record);
    ASSERT_TRUE(done.has_value()) << done.error().message;
  }

  std::vector<std::string> titles(QueueQuery q, std::int64_t* total = nullptr) {
    q.state = std::nullopt;
    auto page = store().query_queue(q);
    EXPECT_TRUE(page.has_value()) << page.error().message;
    std::vector<std::string> out;
    if (page) {
      for (const Candidate& c : page->items) {
        out.push_back(c.title);
      }
      if (total != nullptr) {
        *total = page->total;
      }
    }
    return out;
  }

  int next_ = 0;
};

TEST_F(SearchWordsTest, AsciiTermsMatchWholeWordsChineseTermsSubstrings) {
  add({{"OpenAI releases a model", kNov7},
       {"New AI rules in the EU", kNov7 + kDay},
       {"Security flaws found", kNov7 + 2 * kDay},
       {"The law on data", kNov7 + 3 * kDay},
       {"Lawyers' guide (law-firm edition)", kNov7 + 4 * kDay},
       {"自研AI大模型备案", kNov7 + 5 * kDay},
       {"生成式人工智能服务管理办法", kNov7 + 6 * kDay},
       {"said the minister", kNov7 + 7 * kDay}});
  for (const bool capped : {false, true}) {
    SCOPED_TRACE(capped ? "counted up to a cap" : "counted exactly");
    const std::int64_t cap = capped ? 1000 : 0;
    std::int64_t total = -1;
    // "AI": two letters, the LIKE path; "ai" in "said" and "OpenAI" are not the word.
    EXPECT_EQ(titles({.text = "AI", .count_up_to = cap}, &total),
              (std::vector<std::string>{"自研AI大模型备案", "New AI rules in the EU"}));
    EXPECT_EQ(total, 2);
    // "law": three letters, the full-text path; "flaws" and "Lawyers" are other words.
    EXPECT_EQ(titles({.text = "law", .count_up_to = cap}, &total),
              (std::vector<std::string>{"Lawyers' guide (law-firm edition)", "The law on data"}));
    EXPECT_EQ(total, 2);
    EXPECT_EQ(titles({.text = "LAW data", .count_up_to = cap}, &total),
              (std::vector<std::string>{"The law on data"}));
    EXPECT_EQ(total, 1);
    // A Chinese term is still a substring.
    EXPECT_EQ(titles({.text = "人工智能", .count_up_to = cap}, &total),
              (std::vector<std::string>{"生成式人工智能服务管理办法"}));
    EXPECT_EQ(total, 1);
    EXPECT_EQ(titles({.text = "openai", .count_up_to = cap}, &total),
              (std::vector<std::string>{"OpenAI releases a model"}));
    EXPECT_EQ(total, 1);
  }
}

TEST_F(SearchWordsTest, PagesOfAWholeWordSearchCountOnlyWholeWords) {
  // 40 items: even ones say "AI", odd ones "OpenAI": 20 matches, two pages of 15.
  std::vector<std::pair<std::string, std::optional<std::int64_t>>> items;
  for (int n = 0; n < 40; ++n) {
    items.emplace_back((n % 2 == 0 ? "AI notice " : "OpenAI notice ") + std::to_string(n),
                       kNov7 + n * kDay);
  }
  add(items);
  for (const std::int64_t cap : {std::int64_t{0}, std::int64_t{1000}, std::int64_t{5}}) {
    SCOPED_TRACE(cap);
    std::int64_t total = -1;
    const auto first = titles({.text = "ai", .limit = 15, .count_up_to = cap}, &total);
    ASSERT_EQ(first.size(), 15u);
    EXPECT_EQ(first.front(), "AI notice 38");
    if (cap != 5) {
      EXPECT_EQ(total, 20);
    }
    const auto second = titles({.text = "ai", .limit = 15, .offset = 15, .count_up_to = cap});
    ASSERT_EQ(second.size(), 5u);
    EXPECT_EQ(second.back(), "AI notice 0");
    for (const auto& title : second) {
      EXPECT_EQ(title.rfind("AI notice", 0), 0u) << title;
    }
  }
}

TEST_F(SearchWordsTest, UndatedItemsSortAfterDatedOnes) {
  // Polled after every publish date: an undated item's date would be the poll's time.
  add({{"undated notice", std::nullopt},
       {"dated notice old", kNov7},
       {"dated notice new", kNov7 + kDay}});
  EXPECT_EQ(titles({}), (std::vector<std::string>{"dated notice new", "dated notice old",
                                                  "undated notice"}));
  EXPECT_EQ(titles({.text = "notice", .count_up_to = 1000}),
            (std::vector<std::string>{"dated notice new", "dated notice old", "undated notice"}));
  EXPECT_EQ(titles({.limit = 1, .offset = 2}), (std::vector<std::string>{"undated notice"}));
}

}  // namespace
}  // namespace herald
