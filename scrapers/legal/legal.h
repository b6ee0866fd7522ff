#pragma once

// Legal metadata (common/legal.h, docs/legal.md) read off an article page or a list row:
// the document number, issuer, adoption / publication / effective dates, instrument type,
// and for a draft open for comment the deadline and how to comment. Pure functions: no I/O,
// no clock. Every value is valid UTF-8 without control characters, whitespace collapsed,
// capped (kMaxLegalValueBytes, kMaxLegalHowBytes); dates are "YYYY-MM-DD" calendar dates as
// the page prints them; kInstrument is one of kInstrumentTypes. A fact the page does not
// state stays empty: nothing is guessed.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/legal.h"
#include "scrapers/parse/html_document.h"

namespace herald {

inline constexpr std::size_t kMaxLegalValueBytes = 300;     // names, numbers, dates
inline constexpr std::size_t kMaxLegalHowBytes = 500;       // comment_how
inline constexpr std::size_t kMaxLegalSentenceBytes = 300;  // the sentence in "text:<sentence>"

// From an article page: its metadata table rows, meta tags, then its body text.
// `year_hint`: the year for dates written without one (「至12月7日」), usually the item's year.
LegalFacts extract_legal_from_page(const HtmlDocument& page, std::string_view body_text,
                                   std::optional<int> year_hint);

// From what a list row or feed entry gave: title (instrument type, e.g. …（征求意见稿）) and
// summary text (deadline sentence). `from` is "title" or "list".
LegalFacts extract_legal_from_text(std::string_view title, std::string_view text,
                                   std::optional<int> year_hint);

// Fills the empty fields of `into` from `more` (the article page wins, the list fills gaps).
void merge_legal(LegalFacts& into, const LegalFacts& more);

// "" when `facts` keeps the extractor's promises above (dates are calendar dates, the
// instrument is in kInstrumentTypes, values and sources within their caps, valid UTF-8
// without control characters, a source for every value), else what is broken. For tests
// and the fuzz target.
std::string legal_facts_problem(const LegalFacts& facts);

}  // namespace herald
