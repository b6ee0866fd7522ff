#include "scrapers/discover/discover.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "config/selector.h"
#include "scrapers/extract/html_list.h"
#include "scrapers/extract/json_list.h"
#include "scrapers/normalise/date.h"
#include "scrapers/normalise/url.h"
#include "scrapers/parse/html_document.h"
#include "scrapers/parse/xpath.h"

namespace herald {
namespace {

// Fewer sibling records than this is a heading block, not a list.
constexpr std::size_t kMinRecords = 3;
// Regions scored in full (selectors derived, round trip run): the rest lose on the cheap
// first score already, and deriving selectors is most of discovery's cost.
constexpr std::size_t kDeepCandidates = 10;
// A record is small: an element with more descendants than this is a container of records
// (or a hostile page), and not analysed as one. With the cap on records analysed, it bounds
// discovery's work on any page, which matters where the daemon runs it (repair proposals).
constexpr std::size_t kMaxRecordElements = 200;
constexpr std::size_t kMaxRecordsAnalysed = 5000;
// A date as a list prints it is short; a longer text holding a date is a headline.
constexpr std::size_t kMaxDateCodePoints = 40;

// ---- small text helpers -------------------------------------------------------------

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// Han ideographs, kana and hangul: a CJK headline is short in code points but long in
// meaning, so headline checks count these separately.
std::size_t cjk_code_points(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0xE3 && c <= 0xED) ++n;  // U+3000..U+DFFF: CJK punctuation, kana, Han, hangul
    std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    i += len;
  }
  return n;
}

std::size_t digits(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }));
}

std::size_t words(std::string_view s) {
  std::size_t n = 0;
  bool in_word = false;
  for (char c : s) {
    const bool space = c == ' ';
    if (!space && !in_word) ++n;
    in_word = !space;
  }
  return n;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool ends_cut(std::string_view text) {
  return text.ends_with("…") || text.ends_with("...") || text.ends_with("..") ||
         text.ends_with("⋯");
}

// ---- libxml2 helpers ----------------------------------------------------------------

bool is_element(const xmlNode* n) { return n != nullptr && n->type == XML_ELEMENT_NODE; }

std::string_view tag_of(const xmlNode* n) {
  return n->name != nullptr ? std::string_view(reinterpret_cast<const char*>(n->name))
                            : std::string_view();
}

std::string attribute(const xmlNode* n, const char* name) {
  XmlString value(xmlGetProp(n, reinterpret_cast<const xmlChar*>(name)));
  return value ? std::string(reinterpret_cast<const char*>(value.get())) : std::string();
}

std::vector<xmlNode*> element_children(const xmlNode* n) {
  std::vector<xmlNode*> out;
  for (xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (is_element(c)) out.push_back(c);
  }
  return out;
}

// Elements whose content is never an announcement list.
bool skipped_element(std::string_view tag) {
  return tag == "script" || tag == "style" || tag == "head" || tag == "noscript" ||
         tag == "select" || tag == "option" || tag == "svg" || tag == "template" ||
         tag == "iframe";
}

// A class or id a selector can use as written: a plain CSS identifier.
bool usable_name(std::string_view name) {
  if (name.empty() || name.size() > 60) return false;
  const char first = name.front();
  if (first >= '0' && first <= '9') return false;
  if (first == '-' && name.size() > 1 && name[1] >= '0' && name[1] <= '9') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Classes that mark one record's state (zebra rows, the first item, the current one), not
// the kind of record: left out of signatures and selectors, or the rows split in two.
bool volatile_class(std::string_view c) {
  static const std::set<std::string_view> kVolatile = {
      "odd", "even", "first", "last", "active", "current", "cur", "on", "selected", "alt",
      "hover", "new", "top", "hot", "sticky", "visited", "show", "hide", "hidden", "in"};
  return kVolatile.contains(c) || c.starts_with("item-") || c.starts_with("post-") ||
         digits(c) * 3 >= c.size();
}

// An id that the CMS generates per page or per render (numbers) is not stable.
bool stable_id(std::string_view id) { return usable_name(id) && digits(id) * 2 < id.size(); }

std::vector<std::string> stable_classes(const xmlNode* n) {
  std::vector<std::string> out;
  const std::string all = attribute(n, "class");
  std::size_t i = 0;
  while (i < all.size()) {
    while (i < all.size() && (all[i] == ' ' || all[i] == '\t' || all[i] == '\n' || all[i] == '\r')) ++i;
    std::size_t j = i;
    while (j < all.size() && all[j] != ' ' && all[j] != '\t' && all[j] != '\n' && all[j] != '\r') ++j;
    if (j > i) {
      std::string c = all.substr(i, j - i);
      if (usable_name(c) && !volatile_class(c)) out.push_back(std::move(c));
    }
    i = j;
  }
  return out;
}

// What makes siblings "the same kind of record": tag and stable classes.
std::string signature(const xmlNode* n) {
  std::vector<std::string> classes = stable_classes(n);
  std::sort(classes.begin(), classes.end());
  std::string sig(tag_of(n));
  for (const std::string& c : classes) sig += "." + c;
  return sig;
}

// "tag.class" or "tag#id" or "tag": one step of a CSS selector for `n`.
std::string step(const xmlNode* n, bool allow_id) {
  std::string out(tag_of(n));
  if (allow_id) {
    const std::string id = attribute(n, "id");
    if (stable_id(id)) return out + "#" + id;
  }
  const std::vector<std::string> classes = stable_classes(n);
  if (!classes.empty()) out += "." + classes.front();
  return out;
}

// 1-based position among element siblings, for :nth-child.
int element_position(const xmlNode* n) {
  int k = 1;
  for (const xmlNode* p = n->prev; p != nullptr; p = p->prev) {
    if (is_element(p)) ++k;
  }
  return k;
}

bool is_ancestor(const xmlNode* ancestor, const xmlNode* n) {
  for (const xmlNode* p = n; p != nullptr; p = p->parent) {
    if (p == ancestor) return true;
  }
  return false;
}

std::string trimmed(std::string s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// ---- dates ----------------------------------------------------------------------------

struct DateReader {
  const TimeZone& tz;
  std::int64_t now;

  // A short text that is a date (with a label or brackets at most), not a headline that
  // mentions a year.
  bool is_date(std::string_view text) const {
    const std::size_t cp = code_points(text);
    if (cp == 0 || cp > kMaxDateCodePoints) return false;
    const std::size_t d = digits(text);
    if (d < 3 || d * 10 < cp * 3) return false;
    return parse_date(text, tz, now).has_value();
  }
};

// The deepest element under `record` (not `record` itself) whose text is a date.
xmlNode* find_date_element(xmlNode* e, const DateReader& dates, bool is_record) {
  for (xmlNode* c : element_children(e)) {
    if (skipped_element(tag_of(c))) continue;
    if (xmlNode* found = find_date_element(c, dates, false)) return found;
  }
  if (!is_record && dates.is_date(node_text(e))) return e;
  return nullptr;
}

// A text node straight under `e` that is a date ("<li><a>…</a> 2023-11-07</li>").
xmlNode* find_date_text(xmlNode* e, const DateReader& dates) {
  xmlNode* found = nullptr;
  for (xmlNode* c = e->children; c != nullptr; c = c->next) {
    if (c->type == XML_TEXT_NODE && dates.is_date(trimmed(node_text(c)))) found = c;
  }
  return found;
}

// "2023-11-07" -> "YYYY-MM-DD", "2023年11月7日" -> "YYYY年MM月D日": what the admin sees.
std::string date_pattern(std::string_view text) {
  static const char* kParts[] = {"M", "D", "h", "m", "s"};
  std::string out;
  std::size_t part = 0;
  bool year_seen = false;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] >= '0' && text[i] <= '9') {
      std::size_t j = i;
      while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
      const std::size_t len = j - i;
      if (len == 4 && !year_seen) {
        out += "YYYY";
        year_seen = true;
      } else if (len >= 8) {
        out += std::string(len, '9');
      } else if (part < 5) {
        out += std::string(len == 2 ? 2 : 1, kParts[part][0]);
        ++part;
      } else {
        out += std::string(len, '9');
      }
      i = j;
    } else {
      out += text[i];
      ++i;
    }
  }
  return trimmed(out);
}

// ---- records and regions -------------------------------------------------------------

struct Record {
  xmlNode* node = nullptr;
  xmlNode* link = nullptr;      // the main link (an <a href> in or at the record)
  std::string title{};          // its text (or title attribute when the text is cut)
  std::string href{};
  std::size_t links = 0;        // usable links in the record
  std::size_t text_cp = 0;      // the record's whole text, in code points
  xmlNode* date = nullptr;      // element or text node holding the date
  bool url_date = false;        // the link's URL carries a date
  bool cut = false;             // link text ends in … and a title attribute has more
  bool date_in_text = false;    // the date is printed in the link text itself
};

struct Region {
  std::vector<xmlNode*> members;  // document order
  std::vector<Record> records;    // members with a main link
  double score = 0.0;
  std::vector<std::string> reasons;
  ListCandidate candidate;
  bool derived = false;
};

bool usable_href(std::string_view href) {
  if (href.empty() || href.front() == '#') return false;
  const std::string lower = lower_ascii(href.substr(0, 11));
  return !lower.starts_with("javascript:") && !lower.starts_with("mailto:") &&
         !lower.starts_with("tel:");
}

// Elements in the subtree of `e`, counting stops once past `limit`.
std::size_t count_elements(const xmlNode* e, std::size_t limit) {
  std::size_t n = 0;
  std::vector<const xmlNode*> stack{e};
  while (!stack.empty() && n <= limit) {
    const xmlNode* x = stack.back();
    stack.pop_back();
    ++n;
    for (const xmlNode* c = x->children; c != nullptr; c = c->next) {
      if (is_element(c)) stack.push_back(c);
    }
  }
  return n;
}

void collect_links(xmlNode* e, std::vector<xmlNode*>& out) {
  if (tag_of(e) == "a" && usable_href(trimmed(attribute(e, "href")))) out.push_back(e);
  for (xmlNode* c : element_children(e)) {
    if (!skipped_element(tag_of(c))) collect_links(c, out);
  }
}

// A link's headline: its text, or its title attribute when the text is cut or empty.
std::string link_title(xmlNode* a, bool* cut) {
  std::string text = node_text(a);
  const std::string title = trimmed(attribute(a, "title"));
  const bool text_cut = ends_cut(text) || text.empty();
  if (cut != nullptr) *cut = text_cut && code_points(title) > code_points(text);
  if (text_cut && code_points(title) > code_points(text)) return title;
  return text;
}

// A relative path key from `record` to `n` ("div.t/a"), to tell which link of each record
// plays the same part.
std::string relative_key(const xmlNode* record, const xmlNode* n) {
  std::vector<std::string> steps;
  for (const xmlNode* p = n; p != nullptr && p != record; p = p->parent) {
    steps.push_back(signature(p));
  }
  std::string key;
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) key += "/" + *it;
  return key;
}

Record analyse_record(xmlNode* node, const DateReader& dates) {
  Record r;
  r.node = node;
  std::vector<xmlNode*> links;
  collect_links(node, links);
  r.links = links.size();
  r.text_cp = code_points(node_text(node));
  std::size_t best = 0;
  for (xmlNode* a : links) {
    bool cut = false;
    std::string t = link_title(a, &cut);
    const std::size_t len = code_points(t);
    if (r.link == nullptr || len > best) {
      r.link = a;
      r.title = std::move(t);
      r.cut = cut;
      best = len;
    }
  }
  if (r.link != nullptr) {
    r.href = trimmed(attribute(r.link, "href"));
    r.url_date = date_from_url(r.href, dates.tz).has_value();
  }
  r.date = find_date_element(node, dates, true);
  if (r.date == nullptr) r.date = find_date_text(node, dates);
  return r;
}

// Makes every record use the link that plays the most common part ("h3/a" rather than a
// category tag's "span/a" in the few records where the tag's text happens to be longer).
void align_main_links(std::vector<Record>& records) {
  std::map<std::string, std::size_t> votes;
  for (const Record& r : records) votes[relative_key(r.node, r.link)]++;
  std::string majority;
  std::size_t most = 0;
  for (const auto& [key, n] : votes) {
    if (n > most) {
      majority = key;
      most = n;
    }
  }
  for (Record& r : records) {
    if (relative_key(r.node, r.link) == majority) continue;
    std::vector<xmlNode*> links;
    collect_links(r.node, links);
    for (xmlNode* a : links) {
      if (relative_key(r.node, a) == majority) {
        r.link = a;
        r.title = link_title(a, &r.cut);
        r.href = trimmed(attribute(a, "href"));
        break;
      }
    }
  }
}

// A record with no date of its own whose link text starts or ends with one ("2023-11-07
// 关于…的通知", a redesign that dropped the date's element): the link is the date's node,
// and the headline is the text without the date. A short such text may already have been
// taken for the date element itself (it reads as a date); it is the same case. Run after
// align_main_links: the link must be the one the rules will read.
void find_dates_in_link_text(std::vector<Record>& records) {
  for (Record& r : records) {
    if (r.link == nullptr || (r.date != nullptr && r.date != r.link)) continue;
    auto split = split_edge_date(node_text(r.link));
    if (!split) continue;
    r.date = r.link;
    r.date_in_text = true;
    if (!r.cut) r.title = std::move(split->headline);
  }
}

// Words that name a list which is not the column's own news: hot/recommended/related
// lists, friendly links, rankings. Their headings and class names give them away.
constexpr std::string_view kDecoyHeadings[] = {
    "热点", "推荐", "友情链接", "热门", "排行", "热读", "相关", "猜你喜欢", "点击", "最热",
    "热榜", "精选", "链接", "popular", "trending", "most read", "related", "recommended",
    "you may also like"};
constexpr std::string_view kDecoyNames[] = {
    "hot",    "rank",     "recommend", "tuijian", "remen",  "redian", "related", "friend",
    "yqlj",   "links",    "link",      "nav",     "menu",   "footer", "foot",    "header",
    "crumb",  "pager",    "pagination", "page",   "pages",  "tag",     "tags",   "sidebar",
    "share",  "copyright",
    "toolbar", "banner"};

// The short texts just before the region (its heading): the previous siblings of the
// region's container and of the container's ancestors, three levels up.
std::string heading_text(const xmlNode* container) {
  std::string out;
  const xmlNode* level = container;
  for (int depth = 0; depth < 3 && level != nullptr; ++depth, level = level->parent) {
    int seen = 0;
    for (const xmlNode* p = level->prev; p != nullptr && seen < 2; p = p->prev) {
      if (!is_element(p)) continue;
      ++seen;
      std::string t = node_text(const_cast<xmlNode*>(p));
      if (code_points(t) <= 30) out += t + " ";
    }
  }
  // A heading inside the container before the records (<ul><li class="tit">热点</li>…).
  for (const xmlNode* c = container->children; c != nullptr; c = c->next) {
    if (!is_element(c)) continue;
    std::string t = node_text(const_cast<xmlNode*>(c));
    if (code_points(t) <= 12) out += t + " ";
    break;
  }
  return lower_ascii(out);
}

// Which decoy word the region's heading, own names or enclosing elements carry; "" = none.
std::string decoy_marker(const xmlNode* container) {
  const std::string heading = heading_text(container);
  for (std::string_view word : kDecoyHeadings) {
    if (contains(heading, word)) return fmt::format("heading says 「{}」", word);
  }
  int depth = 0;
  for (const xmlNode* p = container; p != nullptr && is_element(p) && depth < 4;
       p = p->parent, ++depth) {
    const std::string_view tag = tag_of(p);
    if (tag == "nav" || tag == "footer" || tag == "header" || tag == "aside") {
      return fmt::format("inside <{}>", tag);
    }
    const std::string names =
        lower_ascii(attribute(p, "id") + " " + attribute(p, "class"));
    // Whole-word-ish matches: "nav", "main-nav", "hot_news"; not "navigator-free" content.
    for (std::string_view word : kDecoyNames) {
      std::size_t at = names.find(word);
      while (at != std::string::npos) {
        const bool start_ok = at == 0 || !std::isalpha(static_cast<unsigned char>(names[at - 1]));
        const std::size_t end = at + word.size();
        const bool end_ok = end >= names.size() || !std::isalpha(static_cast<unsigned char>(names[end])) ||
                            (word == "link" && names[end] == 's');
        if (start_ok && end_ok) return fmt::format("named \"{}\"", word);
        at = names.find(word, at + 1);
      }
    }
  }
  return {};
}

bool pager_text(std::string_view t) {
  if (!t.empty() && digits(t) == t.size()) return true;
  static const std::string_view kPager[] = {"上一页", "下一页", "首页", "尾页", "末页", "上页",
                                            "下页",   "next",   "prev",  "previous", "»",
                                            "«",      "more",   "更多", ">>", "<<"};
  const std::string lower = lower_ascii(t);
  for (std::string_view p : kPager) {
    if (lower == p) return true;
  }
  return false;
}

bool headline_like(std::string_view title) {
  return cjk_code_points(title) >= 6 || (words(title) >= 4 && code_points(title) >= 20);
}

// The first, cheap score: from the records alone.
void score_region(Region& region) {
  const auto& recs = region.records;
  const double n = static_cast<double>(recs.size());
  std::size_t headlines = 0, dated = 0, url_dated = 0, pagers = 0, title_cp = 0, text_cp = 0,
              links = 0;
  for (const Record& r : recs) {
    headlines += headline_like(r.title) ? 1 : 0;
    dated += r.date != nullptr ? 1 : 0;
    url_dated += r.url_date ? 1 : 0;
    pagers += pager_text(r.title) ? 1 : 0;
    title_cp += code_points(r.title);
    text_cp += r.text_cp;
    links += r.links;
  }
  const double headline_share = headlines / n;
  const double date_share = dated / n;
  const double url_share = url_dated / n;
  const double avg_title = static_cast<double>(title_cp) / n;
  const double link_ratio = text_cp == 0 ? 0.0 : std::min(1.0, static_cast<double>(title_cp) / static_cast<double>(text_cp));
  const double avg_links = static_cast<double>(links) / n;

  double s = 1.5 * std::log2(n) + 3.0 * headline_share + std::min(avg_title, 40.0) / 20.0 +
             3.0 * date_share + 1.0 * url_share * (1.0 - date_share) + link_ratio -
             0.7 * std::max(0.0, avg_links - 2.0);
  auto& why = region.reasons;
  why.push_back(fmt::format("{} records", recs.size()));
  why.push_back(fmt::format("{:.0f}% read as headlines (avg {:.0f} chars)", 100 * headline_share, avg_title));
  if (date_share > 0) why.push_back(fmt::format("{:.0f}% dated", 100 * date_share));
  if (url_share > 0 && date_share < 0.5) why.push_back(fmt::format("{:.0f}% dated in the URL", 100 * url_share));
  if (avg_links > 2.5) why.push_back(fmt::format("{:.1f} links per record", avg_links));
  if (pagers * 2 >= recs.size()) {
    s -= 10;
    why.push_back("a pager");
  }
  if (headline_share < 0.3) {
    s -= 3;
    why.push_back("short link texts (navigation or tags)");
  }
  const xmlNode* container = region.members.front()->parent;
  const std::string decoy = decoy_marker(container);
  if (!decoy.empty()) {
    s -= 4;
    why.push_back("decoy: " + decoy);
  }
  region.score = s;
}

// ---- selector derivation --------------------------------------------------------------

struct Derivation {
  XPathEvaluator& xpath;

  Result<std::vector<xmlNode*>> nodes(xmlNode* context, const std::string& css, SelectorScope scope) {
    auto sel = compile_selector(css, scope);
    if (!sel) return fail(sel.error());
    return xpath.select_nodes(context, *sel);
  }

  // A relative selector that finds targets[i] as the first match from records[i] for at
  // least `need` of the records that have a target. Tries the plainest forms first.
  std::string relative(const std::vector<xmlNode*>& records, const std::vector<xmlNode*>& targets,
                       double need) {
    std::vector<std::string> tries;
    // Use the first record with a target as the model.
    xmlNode* model = nullptr;
    xmlNode* model_record = nullptr;
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (targets[i] != nullptr) {
        model = targets[i];
        model_record = records[i];
        break;
      }
    }
    if (model == nullptr) return {};
    if (model == model_record) return "";  // the record itself: "@attr" alone
    const std::string own = step(model, false);
    const std::string tag(tag_of(model));
    tries.push_back(own);
    if (own != tag) tries.push_back(tag);
    std::vector<const xmlNode*> chain;  // model's ancestors below the record, nearest first
    for (const xmlNode* p = model->parent; p != nullptr && p != model_record; p = p->parent) {
      chain.push_back(p);
    }
    if (!chain.empty()) {
      tries.push_back(step(chain.front(), false) + " > " + own);
      tries.push_back(step(chain.front(), false) + " " + own);
      std::string path = own;
      for (const xmlNode* p : chain) path = step(p, false) + " > " + path;
      tries.push_back(path);
    }
    // A sibling of the same tag comes first (a category link before the headline): name
    // what the target lacks, or where it sits among its kind, before counting positions.
    for (const xmlNode* s = model->prev; s != nullptr; s = s->prev) {
      if (!is_element(s) || tag_of(s) != tag) continue;
      const std::vector<std::string> theirs = stable_classes(s);
      const std::vector<std::string> mine = stable_classes(model);
      for (const std::string& cls : theirs) {
        if (std::find(mine.begin(), mine.end(), cls) == mine.end()) {
          tries.push_back(fmt::format("{}:not(.{})", own, cls));
          break;
        }
      }
      break;
    }
    {
      bool last_of_type = true;
      for (const xmlNode* s = model->next; s != nullptr; s = s->next) {
        if (is_element(s) && tag_of(s) == tag) last_of_type = false;
      }
      if (last_of_type) tries.push_back(own + ":last-of-type");
    }
    // Positional, only when nothing the CMS named tells the targets apart.
    tries.push_back(fmt::format("{}:nth-child({})", own, element_position(model)));
    {
      std::string path = fmt::format("{}:nth-child({})", own, element_position(model));
      for (const xmlNode* p : chain) {
        path = fmt::format("{}:nth-child({}) > {}", step(p, false), element_position(p), path);
      }
      tries.push_back(path);
    }
    std::size_t wanted = 0;
    for (xmlNode* t : targets) wanted += t != nullptr ? 1 : 0;
    for (const std::string& css : tries) {
      auto sel = compile_selector(css, SelectorScope::kRelative);
      if (!sel) continue;
      std::size_t hits = 0;
      for (std::size_t i = 0; i < records.size(); ++i) {
        if (targets[i] == nullptr) continue;
        auto v = xpath.select_value_and_node(records[i], *sel);
        if (v && v->first_node == targets[i]) ++hits;
      }
      if (static_cast<double>(hits) >= need * static_cast<double>(wanted)) return css;
    }
    return {};
  }

  // A document selector matching exactly `members` (or as few extra nodes as possible).
  std::string item(const std::vector<xmlNode*>& members) {
    xmlNode* model = members.front();
    const std::set<xmlNode*> want(members.begin(), members.end());
    std::set<const xmlNode*> parents;
    for (xmlNode* m : members) parents.insert(m->parent);
    const std::string own = step(model, false);
    // How many levels up the records meet: 1 for siblings, 2 or 3 for cousins.
    int levels = 1;
    for (; levels < 3; ++levels) {
      std::set<const xmlNode*> tops;
      for (xmlNode* m : members) {
        const xmlNode* a = m;
        for (int i = 0; i < levels && a != nullptr; ++i) a = a->parent;
        tops.insert(a);
      }
      if (tops.size() == 1) break;
    }
    // The steps between the meeting point and the records ("div.cnt > ul.list_txt > ").
    std::string middle;
    const xmlNode* p = model->parent;
    for (int i = 1; i < levels && p != nullptr; ++i, p = p->parent) middle = step(p, false) + " > " + middle;
    // The ancestors from the meeting point up.
    std::vector<const xmlNode*> chain;
    for (; p != nullptr && is_element(p); p = p->parent) chain.push_back(p);

    // Every record, and besides them only linkless siblings (a heading row, a spacer):
    // extract_list skips an item without a link, as it does on the sites' own pages.
    auto exact = [&](const std::string& css) {
      auto found = nodes(nullptr, css, SelectorScope::kDocument);
      if (!found) return false;
      std::size_t mine = 0;
      for (xmlNode* f : *found) {
        if (want.contains(f)) {
          ++mine;
          continue;
        }
        if (!parents.contains(f->parent)) return false;
        std::vector<xmlNode*> links;
        collect_links(f, links);
        if (!links.empty()) return false;
      }
      return mine == want.size();
    };
    if (chain.empty()) return own;
    // Nearest container with the CMS's own name, then more ancestors for context.
    std::string css = step(chain.front(), true) + " > " + middle + own;
    // "ul > li" may single the list out today and not after the next template change: a
    // named ancestor is looked for first, the nameless form is the fallback.
    const bool named = css.find_first_of(".#") != std::string::npos;
    std::string nameless;
    if (exact(css)) {
      if (named) return css;
      nameless = css;
    }
    std::string prefix = step(chain.front(), true);
    for (std::size_t i = 1; i < chain.size() && i < 8; ++i) {
      const xmlNode* a = chain[i];
      const std::string s = step(a, true);
      if (s == std::string(tag_of(a)) && tag_of(a) != "table") continue;  // nameless: no help
      prefix = s + " " + prefix;
      css = prefix + " > " + middle + own;
      if (exact(css)) return css;
      if (s.find('#') != std::string::npos) break;  // an id is as specific as it gets
    }
    if (!nameless.empty()) return nameless;
    // Nothing named tells the region apart: positions, nearest container first.
    std::string path = middle + own;
    for (std::size_t i = 0; i < chain.size(); ++i) {
      const xmlNode* a = chain[i];
      if (tag_of(a) == "html") break;
      path = fmt::format("{}:nth-child({}) > {}", step(a, true), element_position(a), path);
      if (exact(path)) return path;
      if (step(a, true).find('#') != std::string::npos) break;
    }
    return {};
  }
};

std::string quote_toml(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) break;
        out += c;
    }
  }
  return out + "\"";
}

// One record's link as the page would resolve it, for comparing items.
std::string link_key(const std::string& base, const std::string& href) {
  auto abs = resolve_url(base, href);
  if (!abs) return href;
  return canonical_url_key(*abs);
}

// Derives the rules for a region, runs them through extract_list and records the result.
void derive(Region& region, const HtmlDocument& doc, XPathEvaluator& xpath, const DateReader& dates,
            const std::string& base, const DiscoverOptions& options) {
  ListCandidate& c = region.candidate;
  region.derived = true;
  Derivation d{xpath};
  const auto& recs = region.records;
  std::vector<xmlNode*> nodes;
  std::vector<xmlNode*> links;
  std::vector<xmlNode*> date_elements;
  std::vector<xmlNode*> date_texts;
  std::size_t cut = 0, titled = 0;
  for (const Record& r : recs) {
    nodes.push_back(r.node);
    links.push_back(r.link);
    const bool text_node = r.date != nullptr && r.date->type == XML_TEXT_NODE;
    date_elements.push_back(text_node ? nullptr : r.date);
    date_texts.push_back(text_node ? r.date : nullptr);
    cut += r.cut ? 1 : 0;
    titled += !trimmed(attribute(r.link, "title")).empty() ? 1 : 0;
  }
  // Members without a link are not in `records` but the item selector matches them; the
  // extractor skips them (no link), as it does a list's headings and spacer rows.
  const std::string item = d.item(region.members);
  if (item.empty()) {
    region.score -= 5;
    region.reasons.push_back("no selector singles out this region");
    return;
  }
  const std::string link = d.relative(nodes, links, 0.9);
  std::string link_sel;
  if (recs.front().link == recs.front().node && link.empty()) {
    link_sel = "@href";
  } else if (link.empty()) {
    region.score -= 5;
    region.reasons.push_back("no selector finds the main link of each record");
    return;
  } else {
    link_sel = link + "@href";
  }
  std::optional<std::string> title_sel;
  // Link texts cut with "…" while the title attribute holds the whole headline.
  if (cut > 0 && titled * 10 >= recs.size() * 9) {
    title_sel = (link_sel == "@href" ? std::string() : link) + "@title";
    c.title_from_attribute = true;
    region.reasons.push_back(fmt::format("{} link texts cut with …: titles from the title attribute", cut));
  }
  // The date may sit inside the link: the headline is then the link's other text.
  std::size_t date_in_link = 0;
  for (const Record& r : recs) {
    if (r.date != nullptr && r.date != r.link && is_ancestor(r.link, r.date)) ++date_in_link;
  }
  if (!title_sel && date_in_link * 2 > recs.size()) {
    std::vector<xmlNode*> heads;
    for (const Record& r : recs) {
      xmlNode* best = nullptr;
      std::size_t len = 0;
      for (xmlNode* ch : element_children(r.link)) {
        if (r.date != nullptr && is_ancestor(ch, r.date)) continue;
        const std::size_t l = code_points(node_text(ch));
        if (l > len) {
          best = ch;
          len = l;
        }
      }
      heads.push_back(best);
    }
    const std::string head = d.relative(nodes, heads, 0.9);
    if (!head.empty()) title_sel = head;
  }
  std::optional<std::string> date_sel;
  std::size_t with_date_el = 0, with_date_text = 0;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    with_date_el += date_elements[i] != nullptr ? 1 : 0;
    with_date_text += date_texts[i] != nullptr ? 1 : 0;
  }
  if (with_date_el >= with_date_text && with_date_el > 0) {
    const std::string s = d.relative(nodes, date_elements, 0.8);
    if (!s.empty()) date_sel = s;
  } else if (with_date_text > 0) {
    date_sel = "xpath:text()[normalize-space()][last()]";
  }

  auto item_s = compile_selector(item, SelectorScope::kDocument);
  auto link_s = compile_selector(link_sel, SelectorScope::kRelative);
  if (!item_s || !link_s) {
    region.score -= 5;
    region.reasons.push_back("derived selectors do not compile");
    return;
  }
  c.rules.item = *item_s;
  c.rules.link = *link_s;
  if (title_sel) {
    auto t = compile_selector(*title_sel, SelectorScope::kRelative);
    if (t) c.rules.title = *t;
  }
  if (date_sel) {
    auto t = compile_selector(*date_sel, SelectorScope::kRelative);
    if (t) c.rules.date = *t;
  }
  // Most link texts carry the date: the extractor cuts it from the titles (and reads it
  // there, through the date rule that selects the link).
  std::size_t date_in_text = 0;
  for (const Record& r : recs) date_in_text += r.date_in_text ? 1 : 0;
  if (date_in_text * 2 > recs.size()) {
    c.rules.title_strip_date = true;
    region.reasons.push_back(fmt::format("{} link texts carry the date: titles without it", date_in_text));
  }

  // Round trip: herald's own extractor, the same page.
  auto items = extract_list(doc, c.rules);
  if (!items) {
    region.score -= 5;
    region.reasons.push_back("round trip failed: " + items.error().message);
    return;
  }
  std::multiset<std::string> expected;
  for (const Record& r : recs) expected.insert(link_key(base, r.href));
  std::size_t matched = 0, parsed = 0, url_dated = 0;
  for (const RawItem& it : *items) {
    auto at = expected.find(link_key(base, it.link));
    if (at != expected.end()) {
      ++matched;
      expected.erase(at);
    }
    if (!it.date_text.empty() && parse_date(it.date_text, dates.tz, dates.now)) ++parsed;
    else if (date_from_url(it.link, dates.tz)) ++url_dated;
  }
  c.round_trip_items = items->size();
  c.round_trip_ok = !items->empty() && matched * 10 >= recs.size() * 9 &&
                    items->size() * 10 <= recs.size() * 11 + 10;
  if (!c.round_trip_ok) {
    region.score -= 5;
    region.reasons.push_back(fmt::format("round trip disagrees: {} items, {} of {} records", items->size(),
                                         matched, recs.size()));
  }
  const double total = items->empty() ? 1.0 : static_cast<double>(items->size());
  c.date_share = static_cast<double>(parsed) / total;
  if (c.rules.date && parsed * 2 >= items->size()) {
    c.date_origin = DateOrigin::kInItem;
    for (const RawItem& it : *items) {
      if (!it.date_text.empty() && parse_date(it.date_text, dates.tz, dates.now)) {
        c.date_format = date_pattern(it.date_text);
        break;
      }
    }
  } else {
    c.rules.date.reset();
    c.date_share = 0;
    if (url_dated * 2 >= items->size() && !items->empty()) {
      c.date_origin = DateOrigin::kInUrl;
      c.date_share = static_cast<double>(url_dated) / total;
      c.date_format = "in the URL";
    } else {
      c.date_origin = DateOrigin::kNone;
      c.needs_article_date = true;
    }
  }
  for (std::size_t i = 0; i < items->size() && i < options.preview_items; ++i) {
    c.preview.push_back((*items)[i]);
  }
  if (!options.known.empty()) {
    std::set<std::string> found;
    std::set<std::string> found_titles;
    for (const RawItem& it : *items) {
      found.insert(link_key(base, it.link));
      found_titles.insert(it.title);
    }
    for (const KnownItem& k : options.known) {
      if (found.contains(canonical_url_key(k.url)) || found_titles.contains(k.title)) ++c.known_found;
    }
    const double share = static_cast<double>(c.known_found) / static_cast<double>(options.known.size());
    region.score += 6.0 * share;
    region.reasons.push_back(fmt::format("re-finds {} of {} known items", c.known_found, options.known.size()));
  }
}

// The region's place, for people: "div#main > ul.list".
std::string region_path(const xmlNode* container) {
  std::vector<std::string> steps;
  for (const xmlNode* p = container; p != nullptr && is_element(p) && steps.size() < 3; p = p->parent) {
    if (tag_of(p) == "body" || tag_of(p) == "html") break;
    steps.push_back(step(p, true));
  }
  std::string out;
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    if (!out.empty()) out += " > ";
    out += *it;
  }
  return out.empty() ? "body" : out;
}

Region region_of(const std::vector<xmlNode*>& members) {
  Region r;
  r.members = members;
  return r;
}

void collect_regions(xmlNode* e, std::vector<Region>& out, int depth) {
  if (depth > 200) return;
  const std::vector<xmlNode*> children = element_children(e);
  // Siblings of one kind.
  std::vector<std::pair<std::string, std::vector<xmlNode*>>> groups;
  for (xmlNode* c : children) {
    if (skipped_element(tag_of(c))) continue;
    const std::string sig = signature(c);
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == sig; });
    if (it == groups.end()) {
      groups.push_back({sig, {c}});
    } else {
      it->second.push_back(c);
    }
  }
  for (const auto& [sig, members] : groups) {
    if (members.size() >= kMinRecords) out.push_back(region_of(members));
    // Cousins: one list split over several containers of one kind (<ul>s of five <li>s,
    // or <div class="cnt"><ul><li>… eight times): the records one or two levels below
    // siblings, with the same path of tags and classes from them.
    if (members.size() >= 2) {
      std::map<std::string, std::vector<xmlNode*>> below;
      for (xmlNode* m : members) {
        for (xmlNode* g : element_children(m)) {
          const std::string gsig = signature(g);
          below["1/" + gsig].push_back(g);
          for (xmlNode* gg : element_children(g)) below["2/" + gsig + "/" + signature(gg)].push_back(gg);
        }
      }
      for (auto& [key, found] : below) {
        std::set<const xmlNode*> tops;
        for (xmlNode* g : found) tops.insert(key[0] == '1' ? g->parent : g->parent->parent);
        if (tops.size() >= 2 && found.size() >= kMinRecords) out.push_back(region_of(found));
      }
    }
  }
  for (xmlNode* c : children) {
    if (!skipped_element(tag_of(c))) collect_regions(c, out, depth + 1);
  }
}

std::string page_title(xmlNode* root) {
  if (root == nullptr) return {};
  for (xmlNode* c : element_children(root)) {
    if (tag_of(c) == "head") {
      for (xmlNode* h : element_children(c)) {
        if (tag_of(h) == "title") return node_text(h);
      }
    }
  }
  return {};
}

void find_feed_links(xmlNode* e, const std::string& base, std::vector<FeedCandidate>& out) {
  if (tag_of(e) == "link") {
    const std::string rel = lower_ascii(attribute(e, "rel"));
    const std::string type = lower_ascii(trimmed(attribute(e, "type")));
    const std::string href = trimmed(attribute(e, "href"));
    const bool feed_type = type == "application/rss+xml" || type == "application/atom+xml" ||
                           type == "application/feed+json" || type == "application/rdf+xml" ||
                           type == "application/json";  // a JSON Feed, or an API: probing tells
    if (contains(rel, "alternate") && feed_type && !href.empty()) {
      auto abs = resolve_url(base, href);
      if (abs && std::none_of(out.begin(), out.end(), [&](const FeedCandidate& f) { return f.url == *abs; })) {
        FeedCandidate f;
        f.url = *abs;
        f.origin = FeedOrigin::kLinkAlternate;
        f.hint = type;
        const std::string title = trimmed(attribute(e, "title"));
        if (!title.empty()) f.hint += " \"" + title + "\"";
        // Comment feeds carry readers' comments, not announcements.
        if (contains(lower_ascii(title), "comment") || contains(title, "评论")) {
          f.problem = "a comments feed";
        }
        out.push_back(std::move(f));
      }
    }
  }
  for (xmlNode* c : element_children(e)) find_feed_links(c, base, out);
}

std::string detect_cms(std::string_view utf8, xmlNode* root) {
  std::string generator;
  std::vector<xmlNode*> stack{root};
  while (!stack.empty() && generator.empty()) {
    xmlNode* n = stack.back();
    stack.pop_back();
    if (n == nullptr) continue;
    if (tag_of(n) == "meta" && lower_ascii(attribute(n, "name")) == "generator") {
      generator = attribute(n, "content");
    }
    if (tag_of(n) == "body") continue;  // the generator is in <head>
    for (xmlNode* c : element_children(n)) stack.push_back(c);
  }
  const std::string g = lower_ascii(generator);
  if (contains(g, "wordpress") || contains(utf8, "/wp-content/") || contains(utf8, "/wp-includes/")) {
    return "WordPress";
  }
  if (contains(g, "drupal") || contains(utf8, "/sites/default/files/") || contains(utf8, "Drupal.settings")) {
    return "Drupal";
  }
  if (contains(g, "ghost")) return "Ghost";
  if (contains(g, "hugo")) return "Hugo";
  if (contains(g, "joomla")) return "Joomla";
  if (contains(utf8, "createPageHTML") || (contains(utf8, "TRS") && contains(utf8, "/t20"))) return "TRS";
  return {};
}

}  // namespace

std::string_view date_origin_name(DateOrigin origin) {
  switch (origin) {
    case DateOrigin::kInItem: return "in_item";
    case DateOrigin::kInUrl: return "in_url";
    case DateOrigin::kNone: return "none";
  }
  return "none";
}

Result<Discovery> discover_list(const DecodedPage& page, std::string_view final_url,
                                const DiscoverOptions& options) {
  try {
    auto doc = HtmlDocument::parse(page.utf8);
    if (!doc) return fail(doc.error());
    Discovery out;
    out.url = std::string(final_url);
    out.charset = page.charset;
    out.charset_origin = page.charset_origin;
    xmlNode* root = doc->root();
    out.title = page_title(root);
    std::string base = out.url;
    if (doc->base_href()) {
      auto b = resolve_url(out.url, *doc->base_href());
      if (b) base = *b;
    }
    if (root == nullptr) return out;
    find_feed_links(root, base, out.feeds);
    out.cms = detect_cms(page.utf8, root);

    const DateReader dates{options.timezone, options.now_utc};
    std::vector<Region> regions;
    collect_regions(root, regions, 0);
    std::vector<Region> kept;
    std::set<std::vector<xmlNode*>> seen;
    std::size_t analysed = 0;
    for (Region& r : regions) {
      if (!seen.insert(r.members).second) continue;
      if (count_elements(r.members.front(), kMaxRecordElements) > kMaxRecordElements) continue;
      if (analysed + r.members.size() > kMaxRecordsAnalysed) continue;
      analysed += r.members.size();
      for (xmlNode* m : r.members) {
        Record rec = analyse_record(m, dates);
        if (rec.link != nullptr) r.records.push_back(std::move(rec));
      }
      if (r.records.size() < kMinRecords) continue;
      align_main_links(r.records);
      find_dates_in_link_text(r.records);
      score_region(r);
      kept.push_back(std::move(r));
    }
    std::stable_sort(kept.begin(), kept.end(), [](const Region& a, const Region& b) { return a.score > b.score; });
    if (kept.size() > kDeepCandidates) kept.resize(kDeepCandidates);

    auto xpath = XPathEvaluator::create(doc->doc());
    if (!xpath) return fail(xpath.error());
    for (Region& r : kept) {
      derive(r, *doc, *xpath, dates, base, options);
      r.candidate.records = r.records.size();
      r.candidate.region = region_path(r.members.front()->parent);
      r.candidate.score = r.score;
      r.candidate.reasons = r.reasons;
    }
    std::stable_sort(kept.begin(), kept.end(), [](const Region& a, const Region& b) { return a.score > b.score; });
    // One candidate per distinct item selector, and none that is a part of a better one.
    std::vector<const Region*> chosen;
    for (const Region& r : kept) {
      if (r.candidate.rules.item.text.empty()) continue;
      bool dup = false;
      for (const Region*& c : chosen) {
        // The same records one level out (<li> around each <h5>): as good, and the outer
        // one also holds what sits beside the link (a date added later, a summary).
        if (r.members.size() == c->members.size() && r.candidate.round_trip_ok &&
            c->score - r.score < 0.5) {
          bool outer = true;
          for (std::size_t i = 0; i < r.members.size() && outer; ++i) {
            outer = c->members[i]->parent == r.members[i];
          }
          if (outer) {
            c = &r;
            dup = true;
            break;
          }
        }
        if (c->candidate.rules.item.text == r.candidate.rules.item.text) dup = true;
        std::size_t inside = 0;
        for (xmlNode* m : r.members) {
          for (xmlNode* o : c->members) {
            if (o == m || is_ancestor(o, m) || is_ancestor(m, o)) {
              ++inside;
              break;
            }
          }
        }
        if (inside == r.members.size()) dup = true;
      }
      if (dup) continue;
      chosen.push_back(&r);
      if (chosen.size() >= options.max_lists) break;
    }
    for (const Region* r : chosen) out.lists.push_back(r->candidate);
    if (!out.lists.empty() && out.lists.front().score > 0) {
      out.choice = DiscoveryChoice::kList;
      const ListCandidate& best = out.lists.front();
      const double margin = out.lists.size() > 1 ? best.score - out.lists[1].score : 4.0;
      double conf = 0.3 + (best.round_trip_ok ? 0.3 : 0.0) + 0.2 * best.date_share +
                    0.2 * std::min(1.0, std::max(0.0, margin) / 4.0);
      out.confidence = std::min(1.0, conf);
    }
    return out;
  } catch (const std::exception& e) {
    return fail(ErrorCode::kInternal, std::string("discovery failed: ") + e.what());
  }
}

namespace {

// JSON Feed (https://jsonfeed.org/version/1.1) names its fields once for every feed, so
// the [json] rules are fixed; only the summary has two spellings.
JsonRules json_feed_rules(const nlohmann::json& document) {
  JsonRules rules;
  rules.items = "items";
  rules.title = "title";
  rules.link = "url";
  rules.date = "date_published";
  std::size_t summaries = 0, texts = 0;
  if (const nlohmann::json* items = json_at(document, "items"); items != nullptr && items->is_array()) {
    for (const nlohmann::json& item : *items) {
      if (!item.is_object()) continue;
      summaries += item.contains("summary") ? 1 : 0;
      texts += item.contains("content_text") ? 1 : 0;
    }
  }
  if (summaries > 0 && summaries >= texts) {
    rules.summary = "summary";
  } else if (texts > 0) {
    rules.summary = "content_text";
  }
  return rules;
}

// Reads a JSON Feed candidate with herald's own JSON list extractor, as the type = "json"
// source render_source_file writes for it would. On success f is verified and holds the
// rules; otherwise f.problem says why it is not usable and nullopt is returned.
std::optional<std::vector<RawItem>> read_json_feed(const std::string& utf8, FeedCandidate& f) {
  auto document = parse_json(utf8);
  if (!document) {
    f.problem = document.error().message;  // "not JSON (...)": an error page, a login wall
    return std::nullopt;
  }
  const std::string version = json_text(json_at(*document, "version"));
  // Version 1 feeds in the wild also write the URL with http://.
  if (!document->is_object() || !(version.starts_with("https://jsonfeed.org/version/") ||
                                  version.starts_with("http://jsonfeed.org/version/"))) {
    f.problem = "JSON, but not a JSON Feed (no \"version\": \"https://jsonfeed.org/version/…\")";
    return std::nullopt;
  }
  JsonRules rules = json_feed_rules(*document);
  auto items = extract_json_list(utf8, rules);
  if (!items) {
    f.problem = "a JSON Feed herald cannot read: " + items.error().message;
    return std::nullopt;
  }
  // Titles are optional in JSON Feed (microblogs have none); herald needs one per item.
  std::vector<RawItem> usable;
  for (RawItem& it : *items) {
    if (!trimmed(it.title).empty() && !trimmed(it.link).empty()) usable.push_back(std::move(it));
  }
  f.verified = true;
  f.items = usable.size();
  if (usable.empty() && !items->empty()) {
    f.problem = "a JSON Feed whose items have no title or url: herald needs both";
    return std::nullopt;
  }
  f.json = std::move(rules);
  return usable;
}

}  // namespace

void probe_feeds(Discovery& discovery, Fetcher& fetcher, const FetchRequest& base) {
  // The usual feed paths of the CMS the page looks built with.
  auto add_path = [&](std::string_view path, std::string_view hint) {
    auto abs = resolve_url(discovery.url, path);
    if (!abs) return;
    for (const FeedCandidate& f : discovery.feeds) {
      if (f.url == *abs) return;
    }
    discovery.feeds.push_back(FeedCandidate{.url = *abs, .origin = FeedOrigin::kCmsPath,
                                            .hint = std::string(hint)});
  };
  if (discovery.cms == "WordPress") add_path("/feed/", "WordPress /feed/");
  if (discovery.cms == "Drupal") add_path("/rss.xml", "Drupal /rss.xml");
  if (discovery.cms == "Ghost") add_path("/rss/", "Ghost /rss/");
  if (discovery.cms == "Hugo") add_path("/index.xml", "Hugo /index.xml");
  if (discovery.cms == "Joomla") add_path("?format=feed&type=rss", "Joomla ?format=feed");

  std::set<std::string> page_links;
  std::set<std::string> page_titles;
  if (!discovery.lists.empty()) {
    for (const RawItem& it : discovery.lists.front().preview) {
      page_links.insert(link_key(discovery.url, it.link));
      page_titles.insert(it.title);
    }
  }
  std::size_t probed = 0;
  for (FeedCandidate& f : discovery.feeds) {
    if (!f.problem.empty()) continue;
    if (++probed > 6) {
      f.problem = "not probed (too many feed candidates)";
      continue;
    }
    FetchRequest request = base;
    request.url = f.url;
    request.method = "GET";
    request.etag.reset();
    request.last_modified.reset();
    auto response = fetcher.fetch(request);
    if (!response) {
      f.problem = "fetch failed: " + response.error().message;
      continue;
    }
    auto text = decode_to_utf8(response->body, response->content_type, std::nullopt);
    if (!text) {
      f.problem = "cannot decode: " + text.error().message;
      continue;
    }
    const std::string feed_base = response->final_url.empty() ? f.url : response->final_url;
    std::vector<RawItem> feed_items;
    // A JSON Feed is announced as such, or as plain JSON; a CMS path may answer with one.
    const bool json_hint = f.hint.starts_with("application/feed+json") || f.hint.starts_with("application/json");
    const auto first = text->utf8.find_first_not_of(" \t\r\n");
    if (json_hint || (first != std::string::npos && text->utf8[first] == '{')) {
      auto items = read_json_feed(text->utf8, f);
      if (!items) continue;  // f.problem says why
      feed_items = std::move(*items);
    } else {
      auto feed = parse_feed(text->utf8);
      if (!feed) {
        f.problem = "not a feed: " + feed.error().message;
        continue;
      }
      f.verified = true;
      f.format = feed->format;
      f.items = feed->items.size();
      feed_items = std::move(feed->items);
    }
    if (f.items == 0) {
      f.problem = "the feed is empty";
      continue;
    }
    std::size_t same = 0;
    for (const RawItem& it : feed_items) {
      const std::string base_url = it.base_url.empty() ? feed_base : it.base_url;
      if (page_links.contains(link_key(base_url, it.link)) || page_titles.contains(it.title)) {
        ++same;
      }
    }
    const std::size_t page_n = page_links.size();
    f.overlap = page_n == 0 ? 0.0 : static_cast<double>(same) / static_cast<double>(page_n);
  }
  std::stable_sort(discovery.feeds.begin(), discovery.feeds.end(),
                   [](const FeedCandidate& a, const FeedCandidate& b) {
                     const bool ua = a.verified && a.problem.empty();
                     const bool ub = b.verified && b.problem.empty();
                     if (ua != ub) return ua;
                     return a.overlap > b.overlap;
                   });
  if (discovery.feeds.empty()) return;
  const FeedCandidate& best = discovery.feeds.front();
  const bool usable = best.verified && best.problem.empty() && best.items > 0;
  const bool no_list = discovery.choice != DiscoveryChoice::kList;
  // A feed that carries the page's items is preferred: herald reads it without selectors.
  if (usable && (no_list || best.overlap >= 0.5)) {
    discovery.choice = DiscoveryChoice::kFeed;
    discovery.confidence = no_list ? 0.6 : std::min(1.0, 0.6 + 0.4 * best.overlap);
  }
}

std::string render_list_table(const ListCandidate& c) {
  std::string out = "[list]\n";
  out += fmt::format("# {} records in {}; {}\n", c.records, c.region,
                     c.round_trip_ok ? fmt::format("the round trip gave {} items", c.round_trip_items)
                                     : "the round trip did NOT agree: check by hand");
  out += "item = " + quote_toml(c.rules.item.text) + "\n";
  if (c.rules.title) {
    if (c.title_from_attribute) out += "# link texts are cut with …: the title attribute holds the whole headline\n";
    out += "title = " + quote_toml(c.rules.title->text) + "\n";
  }
  out += "link = " + quote_toml(c.rules.link.text) + "\n";
  if (c.rules.date) {
    out += fmt::format("# dates look like {} ({:.0f}% of the items)\n", c.date_format, 100 * c.date_share);
    out += "date = " + quote_toml(c.rules.date->text) + "\n";
  } else if (c.date_origin == DateOrigin::kInUrl) {
    out += fmt::format("# no date printed in the list; herald reads it from the item URLs ({:.0f}% carry one)\n",
                       100 * c.date_share);
  } else {
    out += "# no date in the list nor in the URLs: [article] below reads it from each item's page\n";
  }
  if (c.rules.title_strip_date) {
    out += "# the link texts print the date: herald reads it there and leaves it out of the titles\n";
    out += "title_strip_date = true\n";
  }
  return out;
}

std::string describe_candidate(const ListCandidate& c) {
  std::string why;
  for (const std::string& r : c.reasons) {
    if (!why.empty()) why += "; ";
    why += r;
  }
  return fmt::format("{} (item = \"{}\"): score {:.1f}, {}", c.region, c.rules.item.text, c.score, why);
}

std::string render_source_file(const Discovery& d, const SourceDraft& draft) {
  const std::string name = draft.name.empty() ? (d.title.empty() ? draft.id : d.title) : draft.name;
  const char* sureness = d.confidence >= 0.8 ? "high" : d.confidence >= 0.55 ? "medium" : "low";
  std::string out;
  out += fmt::format("# {}\n", name);
  out += fmt::format("# Found by `herald sources discover {}`.\n", draft.url);
  out += fmt::format("# How sure herald is: {} ({:.2f}).", sureness, d.confidence);
  if (d.choice == DiscoveryChoice::kFeed) {
    const FeedCandidate& f = d.feeds.front();
    out += fmt::format(" A feed ({}) carries {:.0f}% of the page's items.\n", f.hint, 100 * f.overlap);
  } else if (!d.lists.empty()) {
    const ListCandidate& c = d.lists.front();
    out += fmt::format(" Inferred: a list of {} records in {}", c.records, c.region);
    if (d.lists.size() > 1) {
      out += fmt::format(" (score {:.1f}; next best {:.1f})", c.score, d.lists[1].score);
    }
    out += ".\n#   Why: ";
    for (std::size_t i = 0; i < c.reasons.size(); ++i) out += (i ? "; " : "") + c.reasons[i];
    out += ".\n";
    for (const FeedCandidate& f : d.feeds) {
      out += fmt::format("#   Feed {} not used: {}\n", f.url,
                         f.problem.empty() ? (f.verified ? fmt::format("carries only {:.0f}% of the page's items", 100 * f.overlap)
                                                         : std::string("not checked (offline)"))
                                           : f.problem);
    }
  } else {
    out += "\n";
  }
  if (!d.cms.empty()) out += fmt::format("#   The page looks built with {}.\n", d.cms);
  out += fmt::format("#   Charset: {} (from {}).\n", d.charset, d.charset_origin);
  out += "# Check before relying on it: run `herald sources test` with this file, and look at a few items.\n";
  out += "id = " + quote_toml(draft.id) + "\n";
  out += "name = " + quote_toml(name) + "\n";
  out += "# 来源 as the newsletter prints it: the publisher's Chinese name, e.g. \"英国国家网络安全中心官网\".\n"
         "# Empty: the export shows the name above.\n";
  out += "publisher = \"\"\n";
  out += "kind = " + quote_toml(source_kind_name(draft.kind)) + "\n";
  if (!draft.language.empty()) out += "language = " + quote_toml(draft.language) + "\n";
  if (!draft.timezone.empty()) out += "timezone = " + quote_toml(draft.timezone) + "\n";
  out += "interval = \"2h\"\n";
  if (d.choice == DiscoveryChoice::kFeed && d.feeds.front().json) {
    // A JSON Feed is a JSON list whose field names the format fixes.
    const JsonRules& rules = *d.feeds.front().json;
    out += "# a JSON Feed (jsonfeed.org): read as a JSON list with the format's own field names\n";
    out += "type = \"json\"\n";
    out += "url = " + quote_toml(d.feeds.front().url) + "\n";
    out += "\n[json]\n";
    out += "method = \"GET\"\n";
    out += "items = " + quote_toml(rules.items) + "\n";
    out += "title = " + quote_toml(rules.title) + "\n";
    out += "link = " + quote_toml(rules.link) + "\n";
    if (!rules.date.empty()) out += "date = " + quote_toml(rules.date) + "\n";
    if (!rules.summary.empty()) out += "summary = " + quote_toml(rules.summary) + "\n";
    return out;
  }
  if (d.choice == DiscoveryChoice::kFeed) {
    out += "type = \"feed\"\n";
    out += "url = " + quote_toml(d.feeds.front().url) + "\n";
    return out;
  }
  out += "type = \"html\"\n";
  out += "url = " + quote_toml(draft.url.empty() ? d.url : draft.url) + "\n";
  // Only a guessed charset is pinned: a declared one is read from the page every time.
  if (d.charset_origin == "detected" || d.charset_origin == "default") {
    if (!d.charset.empty() && d.charset != "UTF-8") {
      out += "# the page does not declare its charset; herald detected it\n";
      out += "charset = " + quote_toml(d.charset) + "\n";
    }
  }
  if (!d.lists.empty()) {
    out += "\n" + render_list_table(d.lists.front());
    if (d.lists.front().needs_article_date) out += "\n[article]\n";
  }
  return out;
}

}  // namespace herald

namespace herald {
namespace {

std::string collapse(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::optional<std::int64_t> item_day(const RawItem& item, const TimeZone& tz) {
  std::optional<ParsedDate> d;
  if (!item.date_text.empty()) d = parse_date(item.date_text, tz, 0);
  if (!d) d = date_from_url(item.link, tz);
  if (!d) return std::nullopt;
  // The local calendar day: lists print days, feeds and articles print instants.
  return (d->utc_seconds + tz.offset_at_utc(d->utc_seconds)) / 86400;
}

}  // namespace

ItemAgreement compare_items(const std::vector<RawItem>& reference, const std::vector<RawItem>& found,
                            std::string_view base_url, const TimeZone& tz) {
  ItemAgreement a;
  a.reference = reference.size();
  a.found = found.size();
  std::multimap<std::string, const RawItem*> by_link;
  const std::string base(base_url);
  for (const RawItem& f : found) by_link.emplace(link_key(base, f.link), &f);
  for (const RawItem& r : reference) {
    const auto day = item_day(r, tz);
    if (day) ++a.reference_dated;
    auto range = by_link.equal_range(link_key(base, r.link));
    if (range.first == range.second) continue;
    ++a.same_link;
    const RawItem* match = range.first->second;
    for (auto it = range.first; it != range.second; ++it) {
      if (collapse(it->second->title) == collapse(r.title)) match = it->second;
    }
    if (collapse(match->title) == collapse(r.title)) ++a.same_title_link;
    if (day && item_day(*match, tz) == day) ++a.same_date;
    by_link.erase(std::find_if(range.first, range.second, [&](const auto& p) { return p.second == match; }));
  }
  return a;
}

}  // namespace herald
