#include "scrapers/relevance/relevance.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "common/text.h"

namespace herald {
namespace {

// Folds what matters for matching: ASCII case, and full-width ASCII (ＡＩ, ＬＬＭ), which
// Chinese and Japanese pages use freely, to its half-width form. Full NFKC comes with the
// editors' desk; this covers the forms seen in the newsletter's sources.
std::string fold_for_matching(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    // U+FF01..U+FF5E is EF BC 81 .. EF BD 9E and maps to U+0021..U+007E.
    if (b0 == 0xEF && i + 2 < text.size()) {
      const auto b1 = static_cast<unsigned char>(text[i + 1]);
      const auto b2 = static_cast<unsigned char>(text[i + 2]);
      int code = -1;
      if (b1 == 0xBC && b2 >= 0x81 && b2 <= 0xBF) {
        code = 0xFF00 + (b2 - 0x80);
      } else if (b1 == 0xBD && b2 >= 0x80 && b2 <= 0x9E) {
        code = 0xFF40 + (b2 - 0x80);
      }
      if (code >= 0) {
        out.push_back(static_cast<char>(code - 0xFF00 + 0x20));
        i += 3;
        continue;
      }
    }
    out.push_back(text[i]);
    ++i;
  }
  return to_lower_ascii(out);
}

bool is_ascii_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_ascii_term(std::string_view term) {
  return std::all_of(term.begin(), term.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// ASCII terms match whole words only ("AI" must not match "said" or "maintain"); terms in
// CJK scripts have no word boundaries to respect and match as substrings.
bool contains_term(std::string_view haystack, std::string_view term) {
  if (term.empty()) {
    return false;
  }
  const bool whole_word = is_ascii_term(term);
  for (std::size_t pos = haystack.find(term); pos != std::string_view::npos;
       pos = haystack.find(term, pos + 1)) {
    if (!whole_word) {
      return true;
    }
    const bool starts_word = pos == 0 || !is_ascii_word_char(haystack[pos - 1]);
    const std::size_t end = pos + term.size();
    const bool ends_word = end == haystack.size() || !is_ascii_word_char(haystack[end]);
    if (starts_word && ends_word) {
      return true;
    }
  }
  return false;
}

}  // namespace

void score_item(Item& item, const std::vector<TopicProfile>& topics, bool always_candidate) {
  const std::string text = fold_for_matching(item.title + "\n" + item.summary);

  double best_score = 0.0;
  std::vector<std::string> best_terms;
  bool any_reached = false;
  for (const TopicProfile& topic : topics) {
    const bool excluded = std::any_of(
        topic.excludes.begin(), topic.excludes.end(),
        [&](const std::string& exclude) { return contains_term(text, fold_for_matching(exclude)); });
    if (excluded) {
      continue;
    }
    double score = 0.0;
    std::vector<std::string> terms;
    for (const Keyword& keyword : topic.keywords) {
      if (contains_term(text, fold_for_matching(keyword.term))) {
        score += keyword.weight;
        terms.push_back(keyword.term);
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
