#pragma once

// Text-level readers behind scrapers/legal/legal.h: calendar dates inside sentences, the
// deadline / effective / adoption / how-to-comment phrases of a body text, document numbers
// and instrument types. Internal to herald_legal (legal.cpp walks the page and calls these).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/legal.h"

namespace herald::legal_detail {

// Valid UTF-8, no control characters, whitespace collapsed, at most `cap` bytes.
std::string clean_value(std::string_view s, std::size_t cap);

// Full-width digits, slash, dot and colon as ASCII (２０２３年 → 2023年), so one reader serves
// both; everything else unchanged. Input must be valid UTF-8.
std::string fold_width(std::string_view s);

// A date found in a text: its bytes [begin, end), and the date, year 0 when not printed.
struct DateHit {
  std::size_t begin = 0;
  std::size_t end = 0;
  int year = 0;
  int month = 0;
  int day = 0;
};

// Dates in `text` (folded): 2023年12月7日 (spaces allowed between the parts), 12月7日,
// 2023-12-07, 2023/12/7, 2023.12.07, "January 16, 2024", "Jan. 16, 2024", "16 January 2024",
// and with `us_numeric` 01/16/2024. Impossible dates are returned too (is_calendar_date on
// the result tells), so that a broken range end is not mistaken for a missing one.
std::vector<DateHit> find_dates(std::string_view text, bool us_numeric);

// "YYYY-MM-DD" of a hit whose year is known; "" when it is not a calendar date.
std::string iso_date(const DateHit& hit);

// Gives year-less hits a year: that of the previous dated hit in the same sentence, else
// `year_hint`; a year-less date before the date just before it (the start of a range that
// crosses the new year) rolls to the next year. Hits that get no year are dropped.
void resolve_years(std::vector<DateHit>& hits, std::optional<int> year_hint);

// The first calendar date of a short value (a metadata cell), or "".
std::string first_date(std::string_view value, bool us_numeric);

// True when `text` is exactly a Chinese document number: 粤府〔2023〕90号, 国办发[2023]26号,
// 京药监发（2023）5号 (Han characters, a bracketed year, a number, 号).
bool is_doc_number(std::string_view text);

// The instrument type a title states (a value of kInstrumentTypes), or "".
std::string instrument_from_title(std::string_view title);
// The instrument type a metadata cell (文种, Document Type) names, or "".
std::string instrument_from_type(std::string_view value);

// Fills the empty fields of `out` from the sentences of `text` (a body or a list summary):
// comment deadline, effective and adoption dates, how to comment, and a document number on a
// line of its own. `from_text` true: sources are "text:<sentence>"; false: "list".
void facts_from_text(std::string_view text, std::optional<int> year_hint, bool us_numeric,
                     bool from_text, LegalFacts& out);

// True for instrument types that invite comments (征求意见稿, proposed rule, consultation).
bool is_open_for_comment(std::string_view instrument);

}  // namespace herald::legal_detail
