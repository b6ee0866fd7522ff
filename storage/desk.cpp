// The editors' desk on top of the store: the filtered queue with full-text search and
// collapsed clusters, editing and deciding candidates (with the audit trail), and the
// monthly edition.

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "common/text.h"
#include "common/timezone.h"
#include "storage/store.h"
#include "storage/store_rows.h"

namespace herald {

using store_detail::kCandidateSelect;
using store_detail::null_if_empty;
using store_detail::write_audit;

namespace {

// trigram indexes every 3-character sequence, so shorter terms cannot use the index.
constexpr std::size_t kTrigramMinChars = 3;

std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// How a full-text term's condition is written into a statement.
enum class FtsForm {
  kList,        // the item is in the term's whole match list (the list can drive the query)
  kFromBound,   // ... in the match list from item id L up (older items: looked up one by one)
  kMatched,     // already known to match (the statement is driven by the full-text index)
  kLookup,      // looked up for this one item (for a few candidates only)
};

// A WHERE clause under construction with numbered parameters, so one value can be used
// several times and the clause can be bound to more than one statement. Conditions name
// the candidate as "$c" and its item as "$i", so that the same clause can also be written
// for another pair of aliases (the earlier cluster member of query_queue's NOT EXISTS);
// "$F<n>;" is the full-text test of the phrase in parameter n, written per FtsForm.
class Conditions {
 public:
  using Value = std::variant<std::int64_t, double, std::string>;

  // Returns the parameter's placeholder, e.g. "?3". One overload per alternative, each
  // constructing the variant in place: moving a variant<..., std::string> temporary trips
  // GCC 12's -Wmaybe-uninitialized false positive at -O2.
  std::string param(std::int64_t value) {
    values_.emplace_back(std::in_place_type<std::int64_t>, value);
    return placeholder();
  }
  std::string param(double value) {
    values_.emplace_back(std::in_place_type<double>, value);
    return placeholder();
  }
  std::string param(std::string value) {
    values_.emplace_back(std::in_place_type<std::string>, std::move(value));
    return placeholder();
  }
  void add(std::string condition) { sql_ += " AND (" + std::move(condition) + ")"; }
  // The marker for a full-text term (see FtsForm); `phrase` is its quoted FTS5 string and
  // `like` the placeholder of its LIKE pattern for the editors' text.
  std::string fts_term(const std::string& phrase, const std::string& like) {
    phrases_.push_back(phrase);
    likes_.push_back(like);
    param(phrase);
    return fmt::format("$F{};", values_.size());
  }
  // " AND (...) AND (...)", or "" when there is no condition. `bound` is the placeholder
  // of the lowest item id for FtsForm::kFromBound.
  std::string sql(std::string_view candidate = "c", std::string_view item = "i",
                  FtsForm form = FtsForm::kList, std::string_view bound = "") const {
    std::string out;
    for (std::size_t at = 0; at < sql_.size(); ++at) {
      if (sql_[at] == '$' && at + 1 < sql_.size() && (sql_[at + 1] == 'c' || sql_[at + 1] == 'i')) {
        out += sql_[at + 1] == 'c' ? candidate : item;
        ++at;
      } else if (sql_[at] == '$' && at + 1 < sql_.size() && sql_[at + 1] == 'F') {
        const std::size_t end = sql_.find(';', at);
        const std::string phrase = "?" + sql_.substr(at + 2, end - at - 2);
        out += fts_test(candidate, phrase, form, bound);
        at = end;
      } else {
        out += sql_[at];
      }
    }
    return out;
  }
  // Whether a condition reads the item (else counting needs no join with items).
  bool uses_item() const { return sql_.find("$i.") != std::string::npos; }
  // The full-text terms: every one of them as one FTS5 query, and their LIKE placeholders.
  bool has_fts() const { return !phrases_.empty(); }
  std::string all_phrases() const {
    std::string out;
    for (const std::string& phrase : phrases_) {
      out += (out.empty() ? "" : " AND ") + phrase;
    }
    return out;
  }
  const std::vector<std::string>& fts_likes() const { return likes_; }

  void bind(Statement& stmt) const {
    for (std::size_t i = 0; i < values_.size(); ++i) {
      const int index = static_cast<int>(i + 1);
      std::visit([&](const auto& v) { stmt.bind(index, v); }, values_[i]);
    }
  }
  std::size_t size() const { return values_.size(); }

 private:
  std::string placeholder() const { return fmt::format("?{}", values_.size()); }

  static std::string fts_test(std::string_view c, const std::string& phrase, FtsForm form,
                              std::string_view bound) {
    switch (form) {
      case FtsForm::kList:
        return fmt::format("{}.item_id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH {})",
                           c, phrase);
      case FtsForm::kFromBound:
        return fmt::format(
            "({0}.item_id >= {2} AND {0}.item_id IN (SELECT rowid FROM items_fts"
            " WHERE items_fts MATCH {1} AND rowid >= {2}) OR {0}.item_id < {2} AND EXISTS"
            " (SELECT 1 FROM items_fts WHERE items_fts MATCH {1} AND rowid = {0}.item_id))",
            c, phrase, bound);
      case FtsForm::kMatched: return "1";
      case FtsForm::kLookup:
        return fmt::format(
            "EXISTS (SELECT 1 FROM items_fts WHERE items_fts MATCH {} AND rowid = {}.item_id)",
            phrase, c);
    }
    return "0";
  }

  std::string sql_;
  std::vector<Value> values_;
  std::vector<std::string> phrases_;
  std::vector<std::string> likes_;
};

// "%term%" for LIKE ... ESCAPE '\', with the wildcards in `term` taken literally.
std::string like_pattern(std::string_view term) {
  std::string out = "%";
  for (const char c : term) {
    if (c == '%' || c == '_' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  out += '%';
  return out;
}

// One FTS5 string: the term in double quotes (a quote inside doubled), so that no
// character of the term is read as query syntax.
std::string fts_phrase(std::string_view term) {
  std::string out = "\"";
  for (const char c : term) {
    out += c;
    if (c == '"') {
      out += '"';
    }
  }
  out += '"';
  return out;
}

bool is_ascii_word_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// An ASCII term ("AI", "law") matches whole words only, as the relevance profile matches
// keywords (scrapers/relevance/relevance.h): "AI" must not find "OpenAI", nor "law" find
// "flaws". Chinese (any non-ASCII) terms stay substrings: Chinese has no spaces between words.
bool is_ascii_term(std::string_view term) {
  return std::all_of(term.begin(), term.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; }) &&
         std::any_of(term.begin(), term.end(), is_ascii_word_byte);
}

// A GLOB pattern that finds the lower-cased `term` as a whole word in a text padded with a
// space on each side: a word character must not touch it on a side where the term itself
// ends in a word character. GLOB's own wildcards in the term are taken literally.
std::string word_glob(std::string_view term) {
  constexpr std::string_view kNotWord = "[^a-z0-9_]";
  std::string out = "*";
  if (is_ascii_word_byte(term.front())) {
    out += kNotWord;
  }
  for (const char c : term) {
    if (c == '*' || c == '?' || c == '[') {
      out += '[';
      out += c;
      out += ']';
    } else {
      out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
  }
  if (is_ascii_word_byte(term.back())) {
    out += kNotWord;
  }
  out += '*';
  return out;
}

// The whole-word test of `glob` (a placeholder) on the listed text columns. SQLite's
// lower() folds ASCII only, which is all an ASCII term needs; the full-text index (or the
// LIKE) has already narrowed the candidates, so this runs on matches only.
std::string word_test(std::string_view columns, const std::string& glob) {
  return fmt::format("(' ' || lower({}) || ' ') GLOB {}", columns, glob);
}

std::vector<std::string> split_terms(std::string_view text) {
  std::vector<std::string> terms;
  const std::string collapsed = collapse_whitespace(text);
  std::size_t start = 0;
  while (start < collapsed.size()) {
    std::size_t end = collapsed.find(' ', start);
    if (end == std::string::npos) {
      end = collapsed.size();
    }
    if (end > start) {
      terms.push_back(collapsed.substr(start, end - start));
    }
    start = end + 1;
  }
  return terms;
}

void add_text_conditions(Conditions& where, std::string_view text) {
  for (const std::string& term : split_terms(text)) {
    const std::string like = where.param(like_pattern(term));
    const bool whole_word = is_ascii_term(term);
    const std::string glob = whole_word ? where.param(word_glob(term)) : "";
    // The editors' own text: written as "candidates with an edit whose edit matches", so
    // that the partial index candidates_edited (migration v6) lists the few edited
    // candidates instead of the condition turning the whole search into a scan.
    const std::string edited = fmt::format(
        "$c.id IN (SELECT id FROM candidates"
        " WHERE (edited_title IS NOT NULL OR edited_summary IS NOT NULL OR commentary IS NOT NULL)"
        " AND (edited_title LIKE {0} ESCAPE '\\' OR edited_summary LIKE {0} ESCAPE '\\'"
        " OR commentary LIKE {0} ESCAPE '\\'){1})",
        like,
        whole_word ? " AND " + word_test("COALESCE(edited_title, '') || ' ' || "
                                         "COALESCE(edited_summary, '') || ' ' || "
                                         "COALESCE(commentary, '')",
                                         glob)
                   : "");
    // The item's own text, for the whole-word test after the index or LIKE matched.
    const std::string item_words =
        whole_word ? " AND " + word_test("COALESCE($i.title, '') || ' ' || COALESCE($i.summary, "
                                         "'') || ' ' || COALESCE($i.body, '')",
                                         glob)
                   : "";
    if (code_points(term) >= kTrigramMinChars) {
      // Both sides of the OR are lists of candidates (by item, by id), so the full-text
      // match drives the query rather than being tested on every candidate.
      where.add(fmt::format("({}{}) OR {}", where.fts_term(fts_phrase(term), like), item_words,
                            edited));
    } else {
      where.add(fmt::format("($i.title LIKE {0} ESCAPE '\\' OR $i.summary LIKE {0} ESCAPE '\\'"
                            " OR $i.body LIKE {0} ESCAPE '\\'){2} OR {1}",
                            like, edited, item_words));
    }
  }
}

Conditions queue_conditions(const QueueQuery& query) {
  Conditions where;
  if (query.state) {
    where.add("$c.state = " + where.param(std::string(review_state_name(*query.state))));
  }
  if (query.section) {
    where.add("$c.section = " + where.param(*query.section));
  }
  if (query.source_id) {
    where.add("$i.source_id = " + where.param(*query.source_id));
  }
  if (!query.source_ids.empty()) {
    std::string list;
    for (const std::string& id : query.source_ids) {
      list += (list.empty() ? "" : ", ") + where.param(id);
    }
    where.add("$i.source_id IN (" + list + ")");
  }
  if (query.from_utc) {
    where.add("COALESCE($i.published_at, $i.first_seen) >= " + where.param(*query.from_utc));
  }
  if (query.to_utc) {
    where.add("COALESCE($i.published_at, $i.first_seen) < " + where.param(*query.to_utc));
  }
  if (query.min_score) {
    where.add("$i.score >= " + where.param(*query.min_score));
  }
  if (query.instrument) {
    where.add("$i.id IN (SELECT item_id FROM item_legal WHERE instrument = " +
              where.param(*query.instrument) + ")");
  }
  if (query.has_deadline || query.deadline_until) {
    std::string until;
    if (query.deadline_until) {
      until = " AND comment_deadline <= " + where.param(*query.deadline_until);
    }
    where.add("$i.id IN (SELECT item_id FROM item_legal WHERE comment_deadline IS NOT NULL" +
              until + ")");
  }
  add_text_conditions(where, query.text);
  return where;
}

std::int64_t date_of(const Candidate& c) { return c.published_at.value_or(c.first_seen); }

Result<std::int64_t> scalar(Database& db, const std::string& sql, const Conditions& where) {
  auto stmt = db.prepare(sql);
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  where.bind(*stmt);
  auto row = stmt->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  return *row ? stmt->column_int64(0) : 0;
}

std::string_view decision_action(ReviewState state) {
  switch (state) {
    case ReviewState::kAccepted: return "accept";
    case ReviewState::kRejected: return "reject";
    case ReviewState::kPending: return "reopen";
    case ReviewState::kPublished: return "publish";
  }
  return "reopen";
}

// Sets one editable text column of candidate `id` ("" stores NULL, except section).
Result<void> set_column(Database& db, std::string_view column, std::int64_t id,
                        const std::optional<std::string>& value) {
  auto stmt = db.prepare(fmt::format("UPDATE candidates SET {} = ?1 WHERE id = ?2", column));
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, value).bind(2, id);
  return stmt->run();
}

}  // namespace

std::optional<EditionMonth> parse_edition_month(std::string_view text) {
  if (text.size() != 7 || text[4] != '-') {
    return std::nullopt;
  }
  int value[2] = {0, 0};
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == 4) {
      continue;
    }
    if (text[i] < '0' || text[i] > '9') {
      return std::nullopt;
    }
    int& v = value[i < 4 ? 0 : 1];
    v = v * 10 + (text[i] - '0');
  }
  if (value[1] < 1 || value[1] > 12) {
    return std::nullopt;
  }
  return EditionMonth{.year = value[0], .month = value[1]};
}

std::int64_t edition_month_end_local(const EditionMonth& month) {
  const int year = month.month == 12 ? month.year + 1 : month.year;
  const int next = month.month == 12 ? 1 : month.month + 1;
  return days_from_civil(year, next, 1) * 86400;
}

namespace {

// One matching candidate as the capped count reads it.
struct Match {
  std::int64_t card_key = 0;  // its cluster (collapsed) or itself
  std::int64_t candidate_id = 0;
  std::int64_t item_id = 0;
  std::int64_t date = 0;
  bool undated = false;  // no publish date: sorts after every dated card (see kOrder)
};

// What the capped count found: every match when `capped` is false; else the first ones of
// the full-text match list, newest items first.
struct MatchScan {
  std::vector<Match> streamed;  // from the full-text index, highest item id first
  std::vector<Match> edited;    // matched through the editors' text
  std::int64_t cards = 0;       // distinct card keys seen (at most the cap)
  bool capped = false;
};

constexpr std::string_view kDate = "COALESCE(i.published_at, i.first_seen)";
// The queue's order: dated items newest first, then the undated ones by when herald first
// saw them. An undated item's first_seen is the poll's time, so ordering by the date alone
// put every undated item of a first poll above everything the sites dated.
constexpr std::string_view kOrder =
    " ORDER BY i.published_at IS NULL, COALESCE(i.published_at, i.first_seen) DESC, c.id DESC";

// Reads matches until `cap` distinct cards are seen. The full-text index drives (newest
// items first, stopping early), so a common term costs what reading `cap` of its matches
// costs rather than all of them; candidates matched only through the editors' own text
// (few: the partial index candidates_edited) are read first.
Result<MatchScan> scan_matches(Database& db, const Conditions& where, bool collapse,
                               std::int64_t cap) {
  MatchScan scan;
  std::set<std::int64_t> keys;
  const std::string columns = fmt::format(
      "SELECT {}, c.id, i.id, {}, i.published_at IS NULL", collapse ? "COALESCE(i.cluster_id, -i.id)" : "c.id", kDate);
  auto read = [&](const std::string& sql, const std::string* phrases,
                  std::vector<Match>& out) -> Result<void> {
    auto stmt = db.prepare(sql);
    if (!stmt) {
      return fail(std::move(stmt.error()));
    }
    where.bind(*stmt);
    if (phrases != nullptr) {
      stmt->bind(static_cast<int>(where.size() + 1), *phrases);
    }
    while (!scan.capped) {
      auto row = stmt->step();
      if (!row) {
        return fail(std::move(row.error()));
      }
      if (!*row) {
        break;
      }
      out.push_back(Match{.card_key = stmt->column_int64(0),
                          .candidate_id = stmt->column_int64(1),
                          .item_id = stmt->column_int64(2),
                          .date = stmt->column_int64(3),
                          .undated = stmt->column_int64(4) != 0});
      keys.insert(out.back().card_key);
      scan.capped = static_cast<std::int64_t>(keys.size()) >= cap;
    }
    return {};
  };
  if (!where.has_fts()) {
    auto done = read(fmt::format("{} FROM candidates c JOIN items i ON i.id = c.item_id WHERE 1{}",
                                 columns, where.sql()),
                     nullptr, scan.streamed);
    if (!done) {
      return fail(std::move(done.error()));
    }
  } else {
    std::string likes;
    for (const std::string& like : where.fts_likes()) {
      likes += fmt::format("{0}edited_title LIKE {1} ESCAPE '\\' OR edited_summary LIKE {1}"
                           " ESCAPE '\\' OR commentary LIKE {1} ESCAPE '\\'",
                           likes.empty() ? "" : " OR ", like);
    }
    // A match either has every full-text term in its item's text (the index finds it) or
    // has one only in the editors' text (then it is an edited candidate).
    auto edited = read(
        fmt::format("{} FROM candidates c JOIN items i ON i.id = c.item_id WHERE c.id IN"
                    " (SELECT id FROM candidates WHERE (edited_title IS NOT NULL"
                    " OR edited_summary IS NOT NULL OR commentary IS NOT NULL) AND ({})){}",
                    columns, likes, where.sql("c", "i", FtsForm::kLookup)),
        nullptr, scan.edited);
    if (!edited) {
      return fail(std::move(edited.error()));
    }
    const std::string phrases = where.all_phrases();
    auto streamed = read(
        fmt::format("{} FROM items_fts f CROSS JOIN candidates c ON c.item_id = f.rowid"
                    " CROSS JOIN items i ON i.id = c.item_id WHERE items_fts MATCH ?{}{}"
                    " ORDER BY f.rowid DESC",
                    columns, where.size() + 1, where.sql("c", "i", FtsForm::kMatched)),
        &phrases, scan.streamed);
    if (!streamed) {
      return fail(std::move(streamed.error()));
    }
  }
  scan.cards = static_cast<std::int64_t>(keys.size());
  return scan;
}

// The page of a search whose matches were all read: each cluster's earliest match, newest
// first, exactly as the statement in query_queue orders and pages them.
Result<std::vector<Candidate>> page_of_matches(Database& db, const MatchScan& scan,
                                               const QueueQuery& query) {
  std::map<std::int64_t, Match> cards;
  for (const std::vector<Match>* list : {&scan.edited, &scan.streamed}) {
    for (const Match& match : *list) {
      auto [it, inserted] = cards.try_emplace(match.card_key, match);
      if (!inserted && std::pair(match.date, match.item_id) <
                           std::pair(it->second.date, it->second.item_id)) {
        it->second = match;
      }
    }
  }
  std::vector<Match> sorted;
  sorted.reserve(cards.size());
  for (const auto& [key, match] : cards) {
    sorted.push_back(match);
  }
  std::sort(sorted.begin(), sorted.end(), [](const Match& a, const Match& b) {
    return std::tuple(!a.undated, a.date, a.candidate_id) >
           std::tuple(!b.undated, b.date, b.candidate_id);
  });
  const std::size_t from = std::min(sorted.size(), static_cast<std::size_t>(std::max(query.offset, 0)));
  const std::size_t to = query.limit > 0 ? std::min(sorted.size(), from + static_cast<std::size_t>(query.limit))
                                         : sorted.size();
  if (from == to) {
    return std::vector<Candidate>{};
  }
  std::string ids = "[";
  for (std::size_t n = from; n < to; ++n) {
    ids += fmt::format("{}{}", n == from ? "" : ",", sorted[n].candidate_id);
  }
  ids += "]";
  auto stmt = db.prepare(fmt::format("{} WHERE c.id IN (SELECT value FROM json_each(?1)){}",
                                     kCandidateSelect, kOrder));
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, ids);
  return store_detail::read_candidates(db, *stmt, true);
}

}  // namespace

Result<QueuePage> Store::query_queue(const QueueQuery& query) {
  const Conditions where = queue_conditions(query);
  const std::string date(kDate);
  const std::string order(kOrder);
  const std::int64_t rows = std::int64_t{query.limit} + std::max(query.offset, 0);
  QueuePage page;

  // A search may count up to a cap, and then knows every match when it stays below it.
  std::optional<MatchScan> scan;
  if (query.count_up_to > 0 && !query.text.empty() && !split_terms(query.text).empty()) {
    const std::int64_t cap = query.limit > 0
                                 ? std::max(query.count_up_to, rows) + 1
                                 : std::numeric_limits<std::int64_t>::max();
    auto scanned = scan_matches(db_, where, query.collapse_clusters, cap);
    if (!scanned) {
      return fail(std::move(scanned.error()));
    }
    scan = std::move(*scanned);
    page.total = scan->capped ? cap - 1 : scan->cards;
    page.total_is_lower_bound = scan->capped;
    if (!scan->capped) {
      auto items = page_of_matches(db_, *scan, query);
      if (!items) {
        return fail(std::move(items.error()));
      }
      page.items = std::move(*items);
      return page;
    }
  } else {
    // The total is counted without numbering clusters: every matching candidate, less the
    // matches of each cluster beyond its first. Only clustered items are read for the
    // second part (items_cluster), so an unclustered queue is counted from the index alone.
    auto matches =
        scalar(db_,
               fmt::format("SELECT COUNT(*) FROM candidates c{} WHERE 1{}",
                           where.uses_item() ? " JOIN items i ON i.id = c.item_id" : "",
                           where.sql()),
               where);
    if (!matches) {
      return fail(std::move(matches.error()));
    }
    page.total = *matches;
    if (query.collapse_clusters && page.total > 0) {
      auto repeated = scalar(
          db_,
          "SELECT COUNT(*) - COUNT(DISTINCT i.cluster_id) FROM items i CROSS JOIN candidates c"
          " ON c.item_id = i.id WHERE i.cluster_id IS NOT NULL" + where.sql(),
          where);
      if (!repeated) {
        return fail(std::move(repeated.error()));
      }
      page.total -= *repeated;
    }
  }

  // Walking items_date newest first and stopping at the page's end beats fetching every
  // match and sorting when matches are common; for rare ones, the match list should drive.
  // Fetching a match costs about as much as kDateStepsPerMatch steps down the index, and
  // the walk takes about (offset + limit) * items / matches steps.
  constexpr std::int64_t kDateStepsPerMatch = 3;
  bool by_date = false;
  std::int64_t lowest_item = 0;
  if (query.limit > 0 && page.total > 0) {
    auto items = scalar(db_, "SELECT COALESCE(MAX(id), 0) FROM items", Conditions{});
    if (!items) {
      return fail(std::move(items.error()));
    }
    std::int64_t matches = page.total;
    if (scan && !scan->streamed.empty()) {
      // Capped: as many matches as the full-text list has below its newest ones, in the
      // same density (the list was read newest item first).
      const std::int64_t span = std::max<std::int64_t>(
          1, *items - scan->streamed.back().item_id + 1);
      matches = std::max(matches, scan->cards * std::max<std::int64_t>(*items, 1) / span);
    }
    by_date = kDateStepsPerMatch * matches * matches >= rows * *items;
    if (by_date && scan && where.has_fts()) {
      // The walk reads the full-text lists only from the lowest item id among the items as
      // new as the page's end could be: the newest `rows + 1` matches by item id are no
      // newer than it, so the page ends at or after the oldest date among them.
      if (static_cast<std::int64_t>(scan->streamed.size()) > rows) {
        std::int64_t oldest = std::numeric_limits<std::int64_t>::max();
        for (std::size_t n = 0; n <= static_cast<std::size_t>(rows); ++n) {
          oldest = std::min(oldest, scan->streamed[n].date);
        }
        Conditions since;
        since.param(oldest);
        auto lowest = scalar(db_,
                             "SELECT COALESCE(MIN(id), 0) FROM items INDEXED BY items_date"
                             " WHERE COALESCE(published_at, first_seen) >= ?1",
                             since);
        if (!lowest) {
          return fail(std::move(lowest.error()));
        }
        lowest_item = *lowest;
      }
    }
  }

  const std::size_t next = where.size() + 1;
  const std::string bound = fmt::format("?{}", next + 2);
  const FtsForm form = lowest_item > 0 ? FtsForm::kFromBound : FtsForm::kList;
  // One card per cluster: its earliest matching member (an item alone is its own cluster).
  const std::string earliest =
      query.collapse_clusters
          ? fmt::format(
                " AND (i.cluster_id IS NULL OR NOT EXISTS (SELECT 1 FROM items i2"
                " JOIN candidates c2 ON c2.item_id = i2.id WHERE i2.cluster_id = i.cluster_id"
                " AND (COALESCE(i2.published_at, i2.first_seen) < {0}"
                " OR (COALESCE(i2.published_at, i2.first_seen) = {0} AND i2.id < i.id)){1}))",
                date, where.sql("c2", "i2", form, bound))
          : "";
  const std::string ids = fmt::format(
      "SELECT c.id FROM {} WHERE 1{}{}{} LIMIT ?{} OFFSET ?{}",
      by_date ? "items i INDEXED BY items_date CROSS JOIN candidates c ON c.item_id = i.id"
              : "candidates c JOIN items i ON i.id = c.item_id",
      where.sql("c", "i", form, bound), earliest, order, next, next + 1);
  auto stmt = db_.prepare(
      fmt::format("{} WHERE c.id IN ({}){}", kCandidateSelect, ids, order));
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  where.bind(*stmt);
  stmt->bind(static_cast<int>(next), query.limit > 0 ? query.limit : -1);
  stmt->bind(static_cast<int>(next + 1), query.offset > 0 ? query.offset : 0);
  if (form == FtsForm::kFromBound) {
    stmt->bind(static_cast<int>(next + 2), lowest_item);
  }
  auto items = store_detail::read_candidates(db_, *stmt, true);
  if (!items) {
    return fail(std::move(items.error()));
  }
  page.items = std::move(*items);
  return page;
}

Result<Candidate> Store::edit_candidate(std::int64_t id, const CandidateEdit& edit,
                                        const std::string& actor, std::int64_t now_utc) {
  if (edit.state == ReviewState::kPublished) {
    return fail(ErrorCode::kUsage,
                fmt::format("candidate {}: 'published' is set by exporting the edition "
                            "(herald export --publish), not by an edit",
                            id));
  }
  auto tx = Transaction::begin(db_);
  if (!tx) {
    return fail(std::move(tx.error()));
  }
  auto current = get_candidate(id);
  if (!current) {
    return fail(std::move(current.error()));
  }

  if (edit.state) {
    if (current->state == ReviewState::kPublished) {
      return fail(ErrorCode::kUsage,
                  fmt::format("candidate {} is published in edition {}; its state can no "
                              "longer change",
                              id, current->edition));
    }
    std::vector<std::int64_t> members = {id};
    if (current->cluster_id != 0) {
      auto ids = store_detail::cluster_candidate_ids(db_, current->cluster_id);
      if (!ids) {
        return fail(std::move(ids.error()));
      }
      members = std::move(*ids);
    }
    const bool pending = *edit.state == ReviewState::kPending;
    const std::string reason = edit.reason.value_or("");
    // A member already in an edition keeps its state: the newsletter is out.
    auto update = db_.prepare(
        "UPDATE candidates SET state = ?1, reviewer = ?2, decided_at = ?3, reason = ?4"
        " WHERE id = ?5 AND state != 'published'");
    if (!update) {
      return fail(std::move(update.error()));
    }
    for (const std::int64_t member : members) {
      update->reset();
      update->bind(1, review_state_name(*edit.state)).bind(5, member);
      if (pending) {
        update->bind_null(2).bind_null(3).bind_null(4);
      } else {
        update->bind(2, actor).bind(3, now_utc).bind(4, null_if_empty(reason));
      }
      if (auto done = update->run(); !done) {
        return fail(std::move(done.error()));
      }
      if (db_.changes() == 0) {
        continue;
      }
      const std::string detail =
          member == id ? reason
                       : fmt::format("with its cluster (candidate {}){}{}", id,
                                     reason.empty() ? "" : ": ", reason);
      if (auto audited = write_audit(db_, now_utc, actor, decision_action(*edit.state), member,
                                     detail);
          !audited) {
        return fail(std::move(audited.error()));
      }
    }
  }

  struct TextField {
    const std::optional<std::string>& value;
    const std::string& old_value;
    std::string_view column;
    std::string_view action;
    bool empty_is_null;
  };
  const TextField fields[] = {
      {edit.section, current->section, "section", "edit_section", false},
      {edit.title, current->edited_title, "edited_title", "edit_title", true},
      {edit.summary, current->edited_summary, "edited_summary", "edit_summary", true},
      {edit.commentary, current->commentary, "commentary", "edit_commentary", true},
  };
  for (const TextField& field : fields) {
    if (!field.value || *field.value == field.old_value) {
      continue;
    }
    const std::optional<std::string> stored =
        field.empty_is_null ? null_if_empty(*field.value) : std::optional(*field.value);
    if (auto done = set_column(db_, field.column, id, stored); !done) {
      return fail(std::move(done.error()));
    }
    if (auto audited = write_audit(db_, now_utc, actor, field.action, id, *field.value);
        !audited) {
      return fail(std::move(audited.error()));
    }
  }
  if (edit.position && *edit.position != current->position) {
    auto stmt = db_.prepare("UPDATE candidates SET position = ?1 WHERE id = ?2");
    if (!stmt) {
      return fail(std::move(stmt.error()));
    }
    if (*edit.position > 0) {
      stmt->bind(1, *edit.position);
    } else {
      stmt->bind_null(1);
    }
    stmt->bind(2, id);
    if (auto done = stmt->run(); !done) {
      return fail(std::move(done.error()));
    }
    if (auto audited = write_audit(db_, now_utc, actor, "edit_position", id,
                                   std::to_string(std::max(*edit.position, 0)));
        !audited) {
      return fail(std::move(audited.error()));
    }
  }

  if (auto committed = tx->commit(); !committed) {
    return fail(std::move(committed.error()));
  }
  return get_candidate(id);
}

namespace {

// decide_matching's view of a query: pending cards only, all of them.
QueueQuery all_pending(QueueQuery query) {
  query.state = ReviewState::kPending;
  query.limit = 0;
  query.offset = 0;
  query.count_up_to = 0;
  return query;
}

}  // namespace

Result<std::int64_t> Store::count_matching_pending(QueueQuery query) {
  QueueQuery pending = all_pending(std::move(query));
  pending.limit = 1;  // the total is counted before the limit
  auto page = query_queue(pending);
  if (!page) {
    return fail(std::move(page.error()));
  }
  return page->total;
}

Result<Store::BulkDecision> Store::decide_matching(QueueQuery query, ReviewState state,
                                                   const std::string& reason,
                                                   const std::string& actor, std::int64_t now_utc,
                                                   std::optional<std::int64_t> expected_cards) {
  if (state != ReviewState::kAccepted && state != ReviewState::kRejected) {
    return fail(ErrorCode::kUsage, "a bulk decision is accept or reject");
  }
  auto tx = Transaction::begin(db_);
  if (!tx) {
    return fail(std::move(tx.error()));
  }
  auto page = query_queue(all_pending(std::move(query)));
  if (!page) {
    return fail(std::move(page.error()));
  }
  BulkDecision out;
  out.cards = static_cast<std::int64_t>(page->items.size());
  if (expected_cards && *expected_cards != out.cards) {
    out.count_changed = true;
    return out;  // the transaction rolls back: nothing was written
  }
  // Only pending members change: a member an editor already decided keeps that decision.
  auto update = db_.prepare(
      "UPDATE candidates SET state = ?1, reviewer = ?2, decided_at = ?3, reason = ?4"
      " WHERE id = ?5 AND state = 'pending'");
  if (!update) {
    return fail(std::move(update.error()));
  }
  for (const Candidate& c : page->items) {
    std::vector<std::int64_t> members = {c.id};
    if (c.cluster_id != 0) {
      auto ids = store_detail::cluster_candidate_ids(db_, c.cluster_id);
      if (!ids) {
        return fail(std::move(ids.error()));
      }
      members = std::move(*ids);
    }
    for (const std::int64_t member : members) {
      update->reset();
      update->bind(1, review_state_name(state))
          .bind(2, actor)
          .bind(3, now_utc)
          .bind(4, null_if_empty(reason))
          .bind(5, member);
      if (auto done = update->run(); !done) {
        return fail(std::move(done.error()));
      }
      if (db_.changes() == 0) {
        continue;
      }
      ++out.decided;
      const std::string detail = fmt::format("bulk, by filter{}{}", reason.empty() ? "" : ": ",
                                             reason);
      if (auto audited = write_audit(db_, now_utc, actor, decision_action(state), member, detail);
          !audited) {
        return fail(std::move(audited.error()));
      }
    }
  }
  if (auto committed = tx->commit(); !committed) {
    return fail(std::move(committed.error()));
  }
  return out;
}

Result<void> Store::place_in_order(const std::vector<std::int64_t>& ids,
                                   const std::string& actor, std::int64_t now_utc) {
  auto tx = Transaction::begin(db_);
  if (!tx) {
    return fail(std::move(tx.error()));
  }
  auto read = db_.prepare("SELECT COALESCE(position, 0) FROM candidates WHERE id = ?1");
  auto write = db_.prepare("UPDATE candidates SET position = ?1 WHERE id = ?2");
  if (!read) {
    return fail(std::move(read.error()));
  }
  if (!write) {
    return fail(std::move(write.error()));
  }
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const int position = static_cast<int>(i) + 1;
    read->reset();
    read->bind(1, ids[i]);
    auto row = read->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return fail(ErrorCode::kNotFound, fmt::format("candidate {} does not exist", ids[i]));
    }
    const std::int64_t current = read->column_int64(0);
    read->reset();
    if (current == position) {
      continue;
    }
    write->reset();
    write->bind(1, position).bind(2, ids[i]);
    if (auto done = write->run(); !done) {
      return fail(std::move(done.error()));
    }
    if (auto audited =
            write_audit(db_, now_utc, actor, "edit_position", ids[i], std::to_string(position));
        !audited) {
      return fail(std::move(audited.error()));
    }
  }
  if (auto committed = tx->commit(); !committed) {
    return fail(std::move(committed.error()));
  }
  return {};
}

Result<std::vector<AuditEntry>> Store::audit_for(std::int64_t candidate_id) {
  auto stmt = db_.prepare(
      "SELECT at, actor, action, candidate_id, COALESCE(detail, '') FROM audit"
      " WHERE candidate_id = ?1 ORDER BY at, id");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, candidate_id);
  std::vector<AuditEntry> out;
  while (true) {
    auto row = stmt->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return out;
    }
    out.push_back(AuditEntry{.at = stmt->column_int64(0),
                             .actor = stmt->column_text(1),
                             .action = stmt->column_text(2),
                             .candidate_id = stmt->column_int64(3),
                             .detail = stmt->column_text(4)});
  }
}

Result<std::vector<Candidate>> Store::edition_candidates(const std::string& month,
                                                         int utc_offset_seconds) {
  const std::optional<EditionMonth> parsed = parse_edition_month(month);
  if (!parsed) {
    return fail(ErrorCode::kUsage,
                fmt::format("malformed month '{}': write YYYY-MM, e.g. 2023-11", month));
  }
  auto stmt = db_.prepare(std::string(kCandidateSelect) +
                          " WHERE (c.state = 'published' AND c.edition = ?1)"
                          " OR (c.state = 'accepted'"
                          "     AND COALESCE(i.published_at, i.first_seen) < ?2)");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  stmt->bind(1, month).bind(2, edition_month_end_local(*parsed) - utc_offset_seconds);
  auto rows = store_detail::read_candidates(db_, *stmt, true);
  if (!rows) {
    return fail(std::move(rows.error()));
  }

  // One story once: the earliest member stands for its cluster (it is the card the
  // editors saw and edited in the queue).
  auto earlier = [](const Candidate& a, const Candidate& b) {
    return std::pair(date_of(a), a.item_id) < std::pair(date_of(b), b.item_id);
  };
  std::map<std::int64_t, Candidate> by_cluster;
  std::vector<Candidate> out;
  for (Candidate& c : *rows) {
    if (c.cluster_id == 0) {
      out.push_back(std::move(c));
      continue;
    }
    auto [it, inserted] = by_cluster.try_emplace(c.cluster_id, c);
    if (!inserted && earlier(c, it->second)) {
      it->second = std::move(c);
    }
  }
  for (auto& [cluster, c] : by_cluster) {
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [&](const Candidate& a, const Candidate& b) {
    // Placed items (position > 0) first, in their order; then by date.
    auto key = [](const Candidate& c) {
      return std::tuple(c.section, c.position > 0 ? 0 : 1, c.position, date_of(c), c.id);
    };
    return key(a) < key(b);
  });
  return out;
}

Result<int> Store::publish_edition(const std::string& month, int utc_offset_seconds,
                                   const std::string& actor, std::int64_t now_utc) {
  auto tx = Transaction::begin(db_);
  if (!tx) {
    return fail(std::move(tx.error()));
  }
  auto edition = edition_candidates(month, utc_offset_seconds);
  if (!edition) {
    return fail(std::move(edition.error()));
  }
  auto update = db_.prepare(
      "UPDATE candidates SET state = 'published', edition = ?1 WHERE id = ?2"
      " AND state = 'accepted'");
  if (!update) {
    return fail(std::move(update.error()));
  }
  int published = 0;
  for (const Candidate& c : *edition) {
    std::vector<std::int64_t> members = {c.id};
    if (c.cluster_id != 0) {
      auto ids = store_detail::cluster_candidate_ids(db_, c.cluster_id);
      if (!ids) {
        return fail(std::move(ids.error()));
      }
      members = std::move(*ids);
    }
    for (const std::int64_t member : members) {
      update->reset();
      update->bind(1, month).bind(2, member);
      if (auto done = update->run(); !done) {
        return fail(std::move(done.error()));
      }
      if (db_.changes() == 0) {
        continue;
      }
      ++published;
      if (auto audited = write_audit(db_, now_utc, actor, "publish", member, month); !audited) {
        return fail(std::move(audited.error()));
      }
    }
  }
  if (auto committed = tx->commit(); !committed) {
    return fail(std::move(committed.error()));
  }
  return published;
}

Result<bool> Store::queue_stored_item(const std::string& url_key, const std::string& section,
                                     std::int64_t now_utc) {
  auto statement = db_.prepare(
      "INSERT INTO candidates (item_id, state, queued_at, section)"
      " SELECT id, 'pending', ?2, ?3 FROM items WHERE url_key = ?1"
      " ON CONFLICT(item_id) DO NOTHING");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind(1, url_key).bind(2, now_utc).bind(3, section);
  if (auto done = statement->run(); !done) {
    return fail(std::move(done.error()));
  }
  return db_.changes() == 1;
}

}  // namespace herald
