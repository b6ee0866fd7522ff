#include "scrapers/relevance/relevance.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/text.h"
#include "scrapers/relevance/fold.h"

namespace herald {
namespace {

// Title and summary are folded and searched separately, so that a term cannot match
// across the seam between them ("…人工" + "智能…").
struct FoldedItem {
  std::string title{};
  std::string summary{};
};

// Keywords and texts go through the same folding; whitespace runs are collapsed so that a
// phrase keyword ("ai act") matches however the page spaced it.
std::string fold_for_matching(std::string_view text) {
  return collapse_whitespace(fold_text(text));
}

// A folded term written in space-separated scripts ("ai", "deepfake", "ai act", "gpt-4")
// must match as a whole word; a term with letters of CJK scripts (or mixing them,
// "生成ai") has no word boundaries to respect and matches as a substring.
bool needs_whole_word(std::string_view folded_term) {
  for (std::size_t i = 0; i < folded_term.size();) {
    std::size_t length = 0;
    const char32_t cp = code_point_at(folded_term, i, length);
    if (is_letter_or_number(cp) && !is_alphabetic_word_char(cp)) {
      return false;
    }
    i += length;
  }
  return true;
}

bool contains_term(std::string_view haystack, std::string_view term, bool whole_word) {
  if (term.empty()) {
    return false;
  }
  for (std::size_t pos = haystack.find(term); pos != std::string_view::npos;
       pos = haystack.find(term, pos + 1)) {
    if (!whole_word) {
      return true;
    }
    const bool starts_word = pos == 0 || !is_alphabetic_word_char(code_point_before(haystack, pos));
    const std::size_t end = pos + term.size();
    std::size_t length = 0;
    const bool ends_word =
        end == haystack.size() || !is_alphabetic_word_char(code_point_at(haystack, end, length));
    if (starts_word && ends_word) {
      return true;
    }
  }
  return false;
}

// A keyword or exclude as matched: folded, and whether it must match as a whole word.
struct FoldedTerm {
  std::string text{};
  bool whole_word = true;
};

// Folding (utf8proc) cost more than the matching when every item folded every keyword
// again; the configured terms are few, so each thread keeps them folded, by term text.
// Bounded for a daemon whose topics are reloaded many times; cleared only between items,
// so the references handed out stay valid for one score_item.
constexpr std::size_t kMaxCachedTerms = 4096;

class FoldedTerms {
 public:
  void start_item() {
    if (terms_.size() > kMaxCachedTerms) terms_.clear();
  }
  const FoldedTerm& operator[](const std::string& term) {
    auto found = terms_.find(term);
    if (found == terms_.end()) {
      FoldedTerm folded{.text = fold_for_matching(term)};
      folded.whole_word = needs_whole_word(folded.text);
      found = terms_.emplace(term, std::move(folded)).first;
    }
    return found->second;
  }

 private:
  std::unordered_map<std::string, FoldedTerm> terms_;
};

bool item_contains(const FoldedItem& item, const FoldedTerm& term) {
  return contains_term(item.title, term.text, term.whole_word) ||
         contains_term(item.summary, term.text, term.whole_word);
}

}  // namespace

void score_item(Item& item, const std::vector<TopicProfile>& topics, bool always_candidate) {
  thread_local FoldedTerms folded_terms;
  folded_terms.start_item();
  const FoldedItem text{fold_for_matching(item.title), fold_for_matching(item.summary)};

  double best_score = 0.0;
  std::vector<std::string> best_terms;
  bool any_reached = false;
  for (const TopicProfile& topic : topics) {
    const bool excluded =
        std::any_of(topic.excludes.begin(), topic.excludes.end(),
                    [&](const std::string& exclude) {
                      return item_contains(text, folded_terms[exclude]);
                    });
    if (excluded) {
      continue;
    }
    double score = 0.0;
    std::vector<std::string> terms;   // as configured, for the editors
    std::vector<std::string_view> counted;  // folded: "AI" and "ａｉ" in one profile count once
    for (const Keyword& keyword : topic.keywords) {
      const FoldedTerm& folded = folded_terms[keyword.term];
      if (std::find(counted.begin(), counted.end(), folded.text) != counted.end()) {
        continue;
      }
      if (item_contains(text, folded)) {
        score += keyword.weight;
        terms.push_back(keyword.term);
        counted.push_back(folded.text);
      }
    }
    const bool reached = !terms.empty() && score >= topic.threshold;
    // Prefer a profile that reached its threshold, then the higher score.
    if ((reached && !any_reached) || (reached == any_reached && score > best_score)) {
      best_score = score;
      best_terms = std::move(terms);
      any_reached = any_reached || reached;
    }
  }
  item.score = best_score;
  item.matched_terms = std::move(best_terms);
  item.candidate = always_candidate || any_reached;
}

}  // namespace herald
