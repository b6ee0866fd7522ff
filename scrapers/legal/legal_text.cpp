#include "scrapers/legal/legal_text.h"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <utility>

#include "common/text.h"
#include "scrapers/legal/legal.h"
#include "scrapers/legal/legal_scan.h"

namespace herald::legal_detail {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') {
    s.remove_prefix(1);
  }
  while (!s.empty() && s.back() == ' ') {
    s.remove_suffix(1);
  }
  return s;
}

template <typename Words>
bool contains_any(std::string_view s, const Words& needles) {
  return std::any_of(needles.begin(), needles.end(),
                     [s](std::string_view n) { return s.find(n) != std::string_view::npos; });
}
bool contains_any(std::string_view s, std::initializer_list<std::string_view> needles) {
  return contains_any<std::initializer_list<std::string_view>>(s, needles);
}

// The earliest end of any of `cues` in `s`, or npos.
template <typename Words>
std::size_t cue_end(std::string_view s, const Words& cues) {
  std::size_t best = std::string_view::npos;
  for (std::string_view cue : cues) {
    const std::size_t found = s.find(cue);
    if (found != std::string_view::npos) {
      best = std::min(best, found + cue.size());
    }
  }
  return best;
}
std::size_t cue_end(std::string_view s, std::initializer_list<std::string_view> cues) {
  return cue_end<std::initializer_list<std::string_view>>(s, cues);
}

// Sentences of a text: paragraphs split at 。；！？ and at ". " after a word that is not an
// abbreviation ("Jan. 16" and "U.S. Department" stay whole).
std::vector<std::string_view> sentences(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  const auto cut = [&](std::size_t end, std::size_t next) {
    const std::string_view s = trim(text.substr(start, end - start));
    if (!s.empty()) {
      out.push_back(s);
    }
    start = next;
  };
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '\n') {
      cut(i, i + 1);
      i += 1;
      continue;
    }
    bool split = false;
    for (std::string_view stop : {"。", "；", "！", "？"}) {
      if (at(text, i, stop)) {
        cut(i + stop.size(), i + stop.size());
        i += stop.size();
        split = true;
        break;
      }
    }
    if (split) {
      continue;
    }
    if (text[i] == '.' && i + 1 < text.size() && text[i + 1] == ' ') {
      std::size_t w = i;
      while (w > 0 && (is_alpha(text[w - 1]) || is_digit(text[w - 1]))) {
        --w;
      }
      const std::string_view word = text.substr(w, i - w);
      const bool digits_only = !word.empty() && std::all_of(word.begin(), word.end(), is_digit);
      if (word.size() >= 4 || digits_only) {
        cut(i + 1, i + 2);
        i += 2;
        continue;
      }
    }
    ++i;
  }
  cut(text.size(), text.size());
  return out;
}

std::string source_of(std::string_view sentence, bool from_text) {
  if (!from_text) {
    return "list";
  }
  return "text:" + clean_value(sentence, kMaxLegalSentenceBytes);
}

void set_if_empty(LegalFacts& out, LegalField field, std::string value, const std::string& from) {
  LegalValue& slot = out[field];
  if (slot.value.empty() && !value.empty()) {
    slot.value = std::move(value);
    slot.from = from;
  }
}

// The date right after `from` in `hits` (the first that begins at or after it); when it opens
// a range ("2023年11月1日至2023年11月30日", "1 to 30 November" is not read) the range's end.
std::string deadline_after(std::string_view s, const std::vector<DateHit>& hits,
                           std::size_t from) {
  for (std::size_t k = 0; k < hits.size(); ++k) {
    if (hits[k].begin < from) {
      continue;
    }
    if (k + 1 < hits.size()) {
      std::size_t j = skip_spaces(s, hits[k].end);
      for (std::string_view link : {"至", "到", "—", "–", "-", "~", "～", "to ", "through "}) {
        if (at(s, j, link)) {
          j = skip_spaces(s, j + link.size());
          if (hits[k + 1].begin == j) {
            return iso_date(hits[k + 1]);
          }
          break;
        }
      }
    }
    return iso_date(hits[k]);
  }
  return {};
}

// Phrases that introduce a comment deadline. Chinese 截至/截止 alone also mean "as of"
// (截至2023年底，全省…), so only their deadline compounds count.
constexpr std::array<std::string_view, 14> kZhDeadlineCues{
    "截止日期", "截止时间", "截至日期", "截至时间", "截止期限", "即日起至", "意见时间",
    "征集时间", "征求意见期", "反馈时间",   "意见期限", "反馈期限", "反馈截止", "意见截止"};
constexpr std::array<std::string_view, 13> kEnDeadlineCues{
    "comments must be received", "comments are due",  "comments due",
    "comment period closes",     "comments close",    "comment period ends",
    "consultation closes",       "consultation will close", "closing date",
    "deadline for comments",     "comment deadline",  "submit comments by",
    "respond by"};
constexpr std::array<std::string_view, 4> kZhCommentWords{"意见", "建议", "反馈", "征求"};

// Skips a time of day after a date (「17:00」「下午5时」「24时」) and the spaces around it, at
// most 24 bytes, so that 「12月7日17:00前」 reads like 「12月7日前」.
std::size_t skip_clock_time(std::string_view s, std::size_t i) {
  const std::size_t limit = std::min(s.size(), i + 24);
  std::size_t j = i;
  while (j < limit) {
    if (is_digit(s[j]) || s[j] == ':' || s[j] == ' ') {
      ++j;
      continue;
    }
    bool word = false;
    for (std::string_view unit : {"时", "点", "分", "上午", "下午", "："}) {
      if (at(s, j, unit) && j + unit.size() <= limit) {
        j += unit.size();
        word = true;
        break;
      }
    }
    if (!word) {
      break;
    }
  }
  return j;
}

std::string deadline_of(std::string_view s, std::string_view lower,
                        const std::vector<DateHit>& hits) {
  if (hits.empty()) {
    return {};
  }
  std::size_t cue = cue_end(s, kZhDeadlineCues);
  cue = std::min(cue, cue_end(lower, kEnDeadlineCues));
  if (cue != std::string_view::npos) {
    if (std::string date = deadline_after(s, hits, cue); !date.empty()) {
      return date;
    }
    // 「2023年12月7日为意见反馈截止日期」: the date just before the phrase.
    for (auto it = hits.rbegin(); it != hits.rend(); ++it) {
      if (it->end <= cue && cue - it->end <= 30) {
        return iso_date(*it);
      }
    }
  }
  // 「请于12月7日前将意见反馈至…」: a date followed by 前, in a sentence about comments.
  if (contains_any(s, kZhCommentWords)) {
    for (const DateHit& hit : hits) {
      const std::size_t j = skip_clock_time(s, hit.end);
      if (at(s, j, "前") || at(s, j, "之前") || at(s, j, "以前")) {
        return iso_date(hit);
      }
    }
  }
  return {};
}

std::string effective_of(std::string_view s, std::string_view lower,
                         const std::vector<DateHit>& hits) {
  // 「自2024年1月1日起施行」: the date the phrase follows.
  for (const DateHit& hit : hits) {
    const std::size_t j = skip_spaces(s, hit.end);
    for (std::string_view tail : {"起施行", "起实施", "起生效", "起执行", "起正式施行",
                                  "起正式实施", "开始施行", "开始实施"}) {
      if (at(s, j, tail)) {
        return iso_date(hit);
      }
    }
  }
  std::size_t cue = cue_end(s, {"施行日期", "实施日期", "生效日期"});
  cue = std::min(cue, cue_end(lower, {"effective date", "is effective", "are effective",
                                      "effective on", "takes effect on", "into force on"}));
  if (cue == std::string_view::npos) {
    return {};
  }
  for (const DateHit& hit : hits) {
    // Close to the phrase: "effective date ... January 1" further on is another date.
    if (hit.begin >= cue && hit.begin - cue <= 40) {
      return iso_date(hit);
    }
  }
  return {};
}

// 「2023年11月7日经…审议通过」: a date whose clause ends in a vote.
std::string adopted_of(std::string_view s, const std::vector<DateHit>& hits) {
  for (const DateHit& hit : hits) {
    // The clause is looked for within 120 bytes, so a text of many dates stays linear.
    const std::string_view window = s.substr(hit.end, 120);
    std::size_t clause_end = window.size();
    for (std::string_view stop : {"，", ",", "；"}) {
      clause_end = std::min(clause_end, window.find(stop));
    }
    const std::string_view clause = window.substr(0, clause_end);
    if (contains_any(clause, {"审议通过", "会议通过", "讨论通过"})) {
      return iso_date(hit);
    }
  }
  return {};
}

bool email_char(char c) {
  return is_alpha(c) || is_digit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

// More ways than this in one sentence is a list of something else, not instructions.
constexpr std::size_t kMaxWays = 16;

// E-mail addresses, web addresses and Chinese postal/online instructions in one sentence.
std::vector<std::string> comment_ways(std::string_view s) {
  std::vector<std::string> ways;
  for (std::size_t i = s.find('@'); i != std::string_view::npos && ways.size() < kMaxWays;
       i = s.find('@', i + 1)) {
    std::size_t b = i;
    while (b > 0 && email_char(s[b - 1])) {
      --b;
    }
    std::size_t e = i + 1;
    while (e < s.size() && (is_alpha(s[e]) || is_digit(s[e]) || s[e] == '.' || s[e] == '-')) {
      ++e;
    }
    while (e > i + 1 && s[e - 1] == '.') {
      --e;
    }
    const std::string_view domain = s.substr(i + 1, e - i - 1);
    const std::size_t dot = domain.rfind('.');
    if (b < i && dot != std::string_view::npos && domain.size() - dot > 2) {
      ways.emplace_back(s.substr(b, e - b));
    }
  }
  for (std::string_view scheme : {"https://", "http://", "www."}) {
    // The next search starts after this address, so "www.www.www…" stays linear.
    for (std::size_t i = s.find(scheme); i != std::string_view::npos && ways.size() < kMaxWays;) {
      if (scheme == "www." && i >= 3 && s.substr(i - 3, 3) == "://") {
        i = s.find(scheme, i + 1);
        continue;
      }
      std::size_t e = i;
      while (e < s.size() && static_cast<unsigned char>(s[e]) > 0x20 &&
             static_cast<unsigned char>(s[e]) < 0x80 && s[e] != ')' && s[e] != ',') {
        ++e;
      }
      const std::size_t next = e;
      while (e > i && (s[e - 1] == '.' || s[e - 1] == ';')) {
        --e;
      }
      ways.emplace_back(s.substr(i, e - i));
      i = s.find(scheme, std::max(next, i + 1));
    }
  }
  // 「通信地址：北京市…」「邮寄至…」「登录…网站」: the instruction up to the clause's end.
  for (std::string_view cue : {"通信地址", "通讯地址", "邮寄地址", "邮寄至", "寄送至", "寄至",
                               "登录"}) {
    const std::size_t found = s.find(cue);
    if (found == std::string_view::npos) {
      continue;
    }
    std::size_t b = found;
    if (cue.ends_with("地址")) {
      b += cue.size();
      for (std::string_view sep : {"：", ":", "为"}) {
        if (at(s, b, sep)) {
          b += sep.size();
          break;
        }
      }
    }
    std::size_t e = s.size();
    for (std::string_view stop : {"，", "；", "。", "（邮编", "(邮编", "，邮编"}) {
      e = std::min(e, s.find(stop, b));
    }
    const std::string_view part = trim(s.substr(b, e - b));
    if (!part.empty() && part.size() <= kMaxLegalHowBytes) {
      ways.emplace_back(part);
    }
  }
  return ways;
}

bool comment_context(std::string_view s, std::string_view lower) {
  // Broad on purpose: a page that invites no comments drops what this finds (legal.cpp).
  return contains_any(s, kZhCommentWords) ||
         contains_any(s, {"邮箱", "电子邮件", "邮寄", "信函", "登录"}) ||
         contains_any(lower, {"comment", "respond", "consultation", "submission", "feedback",
                              "addresses:", "email", "e-mail"});
}

std::string strip_instrument_tail(std::string_view title) {
  std::string_view t = trim(title);
  bool changed = true;
  while (changed && !t.empty()) {
    changed = false;
    for (std::string_view tail : {"（试行）", "(试行)", "（暂行）", "(暂行)", "》", "」", "”",
                                  "\"", "。", " "}) {
      if (t.ends_with(tail)) {
        t.remove_suffix(tail.size());
        changed = true;
      }
    }
  }
  return std::string(t);
}

// `word` as a whole word of `s` ("the AI Research Act", not "Action Plan").
bool has_word(std::string_view s, std::string_view word) {
  for (std::size_t i = s.find(word); i != std::string_view::npos; i = s.find(word, i + 1)) {
    const bool starts = i == 0 || !is_alpha(s[i - 1]);
    const bool ends = i + word.size() == s.size() || !is_alpha(s[i + word.size()]);
    if (starts && ends) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string clean_value(std::string_view s, std::size_t cap) {
  return truncate_utf8(collapse_whitespace(strip_controls(sanitize_utf8(s))), cap);
}


bool is_doc_number(std::string_view text) {
  std::size_t i = 0;
  std::size_t han = 0;
  while (i < text.size()) {
    const auto [cp, len] = code_point(text, i);
    if (!is_han(cp)) {
      break;
    }
    ++han;
    i += len;
  }
  if (han == 0 || han > 20) {
    return false;
  }
  std::size_t close = std::string_view::npos;
  for (const auto& [open, shut] : {std::pair<std::string_view, std::string_view>{"〔", "〕"},
                                   {"[", "]"}, {"［", "］"}, {"（", "）"}, {"(", ")"},
                                   {"【", "】"}}) {
    if (at(text, i, open) && digit_run(text, i + open.size()) == 4 &&
        at(text, i + open.size() + 4, shut)) {
      close = i + open.size() + 4 + shut.size();
      break;
    }
  }
  if (close == std::string_view::npos) {
    return false;
  }
  const std::size_t n = digit_run(text, close);
  return n >= 1 && n <= 5 && text.substr(close + n) == "号";
}

std::string instrument_from_title(std::string_view raw_title) {
  const std::string title = clean_value(fold_width(sanitize_utf8(raw_title)), 4096);
  // A column's name ("通知公告", "公司公告", "意见征集", "Consultations") is no document's
  // title: those are sentences.
  std::size_t chars = 0;
  std::size_t words = 1;
  for (std::size_t i = 0; i < title.size(); i += code_point(title, i).second) {
    ++chars;
    words += title[i] == ' ' ? 1 : 0;
  }
  const bool has_non_ascii =
      std::any_of(title.begin(), title.end(), [](char c) { return (c & 0x80) != 0; });
  if (chars < 8 || (!has_non_ascii && words < 3)) {
    return {};
  }
  if (contains_any(title, {"征求意见稿", "公开征求意见", "征集意见", "征求意见的", "意见征集",
                           "意见征求"})) {
    return "征求意见稿";
  }
  const std::string lower = to_lower_ascii(title);
  if (contains_any(lower, {"proposed rule", "notice of proposed rulemaking"})) {
    return "proposed rule";
  }
  if (lower.find("consultation") != std::string::npos) {
    return "consultation";
  }
  if (lower.find("introduce") != std::string::npos && (has_word(title, "Act") ||
                                                       has_word(title, "Bill"))) {
    return "bill";
  }
  const std::string t = strip_instrument_tail(title);
  if (t.starts_with("中华人民共和国") && t.ends_with("法")) {
    return "法律";
  }
  // A formal word ending the title names the instrument; the looser ones (意见, 方案,
  // 规划, 指南, 标准 end many news headlines too) only in a document's own title form.
  const bool document_form = title.find("关于") != std::string::npos ||
                             title.find("》") != std::string::npos || t.ends_with("实施意见") ||
                             t.ends_with("指导意见") || t.ends_with("的意见");
  for (std::string_view type : kInstrumentTypes) {
    if (type == "征求意见稿" || type == "法律" || !is_han(code_point(type, 0).first)) {
      continue;
    }
    if (!t.ends_with(type)) {
      continue;
    }
    const bool loose = type == "意见" || type == "方案" || type == "规划" || type == "指南" ||
                       type == "标准";
    if (loose && !document_form) {
      return {};
    }
    return std::string(type);
  }
  return {};
}

std::string instrument_from_type(std::string_view value) {
  // "Proposed rule; request for comment." names its type before the first ';' or '.'.
  const std::size_t stop = value.find_first_of(";.");
  const std::string v = clean_value(value.substr(0, stop), kMaxLegalValueBytes);
  const std::string lower = to_lower_ascii(v);
  for (std::string_view type : kInstrumentTypes) {
    if (lower == type) {
      return std::string(type);
    }
  }
  if (lower == "proposed rules" || lower == "notice of proposed rulemaking") {
    return "proposed rule";
  }
  if (lower == "rules and regulations" || lower == "final rule") {
    return "rule";
  }
  // 文种 cells sometimes say 通知公告 or 办法（试行）: the title reader knows those forms.
  const std::string from_title = instrument_from_title(v);
  return v.size() <= 30 ? from_title : std::string();
}

bool is_open_for_comment(std::string_view instrument) {
  return instrument == "征求意见稿" || instrument == "proposed rule" ||
         instrument == "consultation";
}

void facts_from_text(std::string_view raw, std::optional<int> year_hint, bool us_numeric,
                     bool from_text, LegalFacts& out) {
  const std::string text = fold_width(sanitize_utf8(raw));
  // A document number on a line of its own near the top (under the title, as printed).
  std::size_t line_start = 0;
  for (int line = 0; line < 20 && line_start < text.size(); ++line) {
    std::size_t end = text.find('\n', line_start);
    if (end == std::string::npos) {
      end = text.size();
    }
    const std::string_view l = trim(std::string_view(text).substr(line_start, end - line_start));
    if (!l.empty() && l.size() <= 80 && is_doc_number(l)) {
      set_if_empty(out, LegalField::kDocNumber, std::string(l), source_of(l, from_text));
      break;
    }
    line_start = end + 1;
  }

  std::vector<std::string> ways;
  std::string ways_from;
  for (std::string_view sentence : sentences(text)) {
    const std::string collapsed = collapse_whitespace(sentence);
    const std::string_view s = collapsed;
    const std::string lower = to_lower_ascii(s);
    std::vector<DateHit> hits = find_dates(s, us_numeric);
    resolve_years(hits, year_hint);
    const std::string from = source_of(s, from_text);
    set_if_empty(out, LegalField::kCommentDeadline, deadline_of(s, lower, hits), from);
    set_if_empty(out, LegalField::kEffectiveOn, effective_of(s, lower, hits), from);
    set_if_empty(out, LegalField::kAdoptedOn, adopted_of(s, hits), from);
    if (comment_context(s, lower)) {
      for (std::string& way : comment_ways(s)) {
        if (ways.size() < kMaxWays && std::find(ways.begin(), ways.end(), way) == ways.end()) {
          if (ways.empty()) {
            ways_from = from;
          }
          ways.push_back(std::move(way));
        }
      }
    }
  }
  std::string how;
  for (const std::string& way : ways) {
    const std::string next = how.empty() ? way : how + "；" + way;
    if (next.size() > kMaxLegalHowBytes) {
      break;
    }
    how = next;
  }
  set_if_empty(out, LegalField::kCommentHow, clean_value(how, kMaxLegalHowBytes), ways_from);
}

}  // namespace herald::legal_detail
