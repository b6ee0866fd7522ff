#include "scrapers/legal/legal.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <libxml/tree.h>

#include "common/text.h"
#include "scrapers/legal/legal_text.h"

namespace herald {
namespace {

using legal_detail::clean_value;

// Metadata labels as the templates print them (spaces removed, English lower-cased), and the
// field each fills. Labels mapped to nullopt are read only so that a value running on into
// them ("索引号：… 分类：…" in one cell) is cut there.
struct Label {
  std::string_view text;
  std::optional<LegalField> field;
};
constexpr std::array<Label, 45> kLabels{{
    {"文号", LegalField::kDocNumber},
    {"发文字号", LegalField::kDocNumber},
    {"发文文号", LegalField::kDocNumber},
    {"发文号", LegalField::kDocNumber},
    {"documentnumber", LegalField::kDocNumber},
    {"发文机关", LegalField::kIssuer},
    {"发布机构", LegalField::kIssuer},
    {"发文单位", LegalField::kIssuer},
    {"发文机构", LegalField::kIssuer},
    {"发布单位", LegalField::kIssuer},
    {"制发机关", LegalField::kIssuer},
    {"agency", LegalField::kIssuer},
    {"agencies", LegalField::kIssuer},
    {"成文日期", LegalField::kAdoptedOn},
    {"印发日期", LegalField::kAdoptedOn},
    {"发布日期", LegalField::kPublishedOn},
    {"公布日期", LegalField::kPublishedOn},
    {"publicationdate", LegalField::kPublishedOn},
    {"施行日期", LegalField::kEffectiveOn},
    {"实施日期", LegalField::kEffectiveOn},
    {"生效日期", LegalField::kEffectiveOn},
    {"effectivedate", LegalField::kEffectiveOn},
    {"文种", LegalField::kInstrument},
    {"公文种类", LegalField::kInstrument},
    {"documenttype", LegalField::kInstrument},
    {"action", LegalField::kInstrument},  // Federal Register preamble: "ACTION: Proposed rule."
    {"截止日期", LegalField::kCommentDeadline},
    {"反馈截止日期", LegalField::kCommentDeadline},
    {"意见反馈截止日期", LegalField::kCommentDeadline},
    {"征求意见截止日期", LegalField::kCommentDeadline},
    {"commentsclose", LegalField::kCommentDeadline},
    {"commentsdue", LegalField::kCommentDeadline},
    {"索引号", std::nullopt},
    {"主题分类", std::nullopt},
    {"分类", std::nullopt},
    {"名称", std::nullopt},
    {"标题", std::nullopt},
    {"主题词", std::nullopt},
    {"有效性", std::nullopt},
    {"时效性", std::nullopt},
    // 发布时间 heads the info line of news pages too; a document's 发布日期 is labelled so.
    {"发布时间", std::nullopt},
    {"来源", std::nullopt},
    {"信息来源", std::nullopt},
    {"主办单位", std::nullopt},
    {"tags", std::nullopt},
}};

// A label is a few characters; anything longer before the colon is a sentence.
constexpr std::size_t kMaxLabelBytes = 40;
// Cells are short: a longer element is a container of cells, read cell by cell instead.
constexpr std::size_t kMaxCellBytes = 400;
constexpr int kMaxCellNodes = 40;
constexpr std::size_t kMaxElementsScanned = 100'000;

std::string_view name_of(const xmlNode* node) {
  return node->name == nullptr ? std::string_view()
                               : std::string_view(reinterpret_cast<const char*>(node->name));
}

bool is_invisible(std::string_view name) {
  return name == "script" || name == "style" || name == "noscript" || name == "template" ||
         name == "head" || name == "select" || name == "textarea";
}

bool is_cell(std::string_view name) {
  static constexpr std::array<std::string_view, 17> kCells{
      "td", "th", "label", "span", "dt", "dd", "b", "strong", "em", "li", "div", "p", "font",
      "i", "h5", "h6", "small"};
  return std::find(kCells.begin(), kCells.end(), name) != kCells.end();
}

// The text of a short element, or nullopt when it is longer than a cell (by bytes or nodes).
class CellText {
 public:
  std::optional<std::string> of(const xmlNode* node) {
    text_.clear();
    nodes_ = 0;
    if (!walk(node, 0)) {
      return std::nullopt;
    }
    return collapse_whitespace(strip_controls(text_));
  }

 private:
  bool walk(const xmlNode* node, int depth) {
    if (depth > 20) {
      return false;
    }
    for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
      if (++nodes_ > kMaxCellNodes) {
        return false;
      }
      if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) {
        if (child->content != nullptr) {
          text_ += reinterpret_cast<const char*>(child->content);
          if (text_.size() > kMaxCellBytes) {
            return false;
          }
        }
      } else if (child->type == XML_ELEMENT_NODE && !is_invisible(name_of(child))) {
        text_ += ' ';
        if (!walk(child, depth + 1)) {
          return false;
        }
      }
    }
    return true;
  }
  std::string text_;
  int nodes_ = 0;
};

std::string compact_label(std::string_view label) {
  std::string out;
  for (const char c : label) {
    if (c != ' ') {
      out.push_back(c);
    }
  }
  return to_lower_ascii(out);
}

const Label* find_label(std::string_view compact) {
  for (const Label& label : kLabels) {
    if (label.text == compact) {
      return &label;
    }
  }
  return nullptr;
}

// Where the label part of a cell ends: the first colon (full-width or ASCII), or npos.
std::pair<std::size_t, std::size_t> colon_in(std::string_view text) {
  const std::size_t wide = text.find("：");
  const std::size_t ascii = text.find(':');
  if (wide != std::string_view::npos && (ascii == std::string_view::npos || wide < ascii)) {
    return {wide, 3};
  }
  return {ascii, 1};
}

// Cuts a value where another known label starts ("2023-11-03 名称：…").
std::string_view cut_at_next_label(std::string_view value) {
  std::size_t cut = value.size();
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string_view rest = value.substr(i);
    for (const Label& label : kLabels) {
      if (label.text.front() >= 'a' && label.text.front() <= 'z') {
        continue;  // English labels contain spaces; they come in separate cells
      }
      if (rest.starts_with(label.text)) {
        const std::string_view after = rest.substr(label.text.size());
        if (after.starts_with("：") || after.starts_with(":")) {
          cut = i;
          break;
        }
      }
    }
    if (cut != value.size()) {
      break;
    }
  }
  std::string_view out = value.substr(0, cut);
  while (!out.empty() && out.back() == ' ') {
    out.remove_suffix(1);
  }
  return out;
}

bool is_placeholder(std::string_view value) {
  static constexpr std::array<std::string_view, 10> kNone{
      "无", "暂无", "-", "—", "/", "空", "null", "n/a", "none", "--"};
  const std::string lower = to_lower_ascii(value);
  return std::find(kNone.begin(), kNone.end(), lower) != kNone.end();
}

// The first sibling after `node` that shows text: the value cell of a label cell.
std::optional<std::string> next_cell_text(const xmlNode* node, CellText& cells) {
  int looked = 0;
  for (const xmlNode* sibling = node->next; sibling != nullptr && looked < 6;
       sibling = sibling->next, ++looked) {
    std::optional<std::string> text;
    if (sibling->type == XML_TEXT_NODE && sibling->content != nullptr) {
      const std::string_view content(reinterpret_cast<const char*>(sibling->content));
      if (content.size() > kMaxCellBytes) {
        return std::nullopt;  // running text, not a value cell
      }
      text = collapse_whitespace(strip_controls(content));
    } else if (sibling->type == XML_ELEMENT_NODE) {
      text = cells.of(sibling);
    }
    if (text && !text->empty()) {
      return text;
    }
    if (!text) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

void set_if_empty(LegalFacts& facts, LegalField field, std::string value, std::string from) {
  LegalValue& slot = facts[field];
  if (slot.value.empty() && !value.empty()) {
    slot.value = std::move(value);
    slot.from = std::move(from);
  }
}

// A value as the field stores it: a calendar date, an instrument type, or the cleaned text.
std::string field_value(LegalField field, std::string_view raw, bool us_numeric) {
  if (is_date_field(field)) {
    return legal_detail::first_date(raw, us_numeric);
  }
  if (field == LegalField::kInstrument) {
    return legal_detail::instrument_from_type(raw);
  }
  std::string value = clean_value(raw, kMaxLegalValueBytes);
  // The Federal Register preamble ends its lines with a period ("AGENCY: Federal Trade
  // Commission.").
  if (us_numeric && value.ends_with('.')) {
    value.pop_back();
  }
  // A header row (文号 | 发布日期 | …) gives the next label as the "value".
  if (is_placeholder(value) || find_label(compact_label(value)) != nullptr) {
    return {};
  }
  // Every document number has digits (粤府〔2023〕90号, 2023-25221).
  if (field == LegalField::kDocNumber &&
      std::none_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return {};
  }
  return value;
}

// Label/value cells of the page's metadata table, in document order (the first wins).
// `federal_register`: US numeric dates (01/16/2024) are read, and a closing period dropped.
void read_table(const HtmlDocument& page, bool federal_register, LegalFacts& facts) {
  const xmlNode* root = page.root();
  if (root == nullptr) {
    return;
  }
  CellText cells;
  std::vector<const xmlNode*> stack{root};
  std::size_t seen = 0;
  while (!stack.empty() && seen < kMaxElementsScanned) {
    const xmlNode* node = stack.back();
    stack.pop_back();
    ++seen;
    // Children pushed in reverse so they are popped in document order.
    std::vector<const xmlNode*> children;
    for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
      if (child->type == XML_ELEMENT_NODE && !is_invisible(name_of(child))) {
        children.push_back(child);
      }
    }
    stack.insert(stack.end(), children.rbegin(), children.rend());
    if (!is_cell(name_of(node))) {
      continue;
    }
    std::optional<std::string> text = cells.of(node);
    if (!text || text->empty()) {
      continue;
    }
    const auto [colon, colon_size] = colon_in(*text);
    const std::string_view label_part =
        std::string_view(*text).substr(0, colon == std::string_view::npos ? text->size() : colon);
    if (label_part.size() > kMaxLabelBytes) {
      continue;
    }
    const std::string compact = compact_label(label_part);
    const Label* label = find_label(compact);
    if (label == nullptr || !label->field) {
      continue;
    }
    std::string raw;
    if (colon != std::string_view::npos) {
      raw = std::string(cut_at_next_label(
          collapse_whitespace(std::string_view(*text).substr(colon + colon_size))));
    }
    if (raw.empty()) {
      if (auto next = next_cell_text(node, cells)) {
        raw = std::string(cut_at_next_label(*next));
      }
    }
    const bool english = label->text.front() >= 'a' && label->text.front() <= 'z';
    const std::string shown =
        english ? std::string(label_part) : compact_label(label_part);
    set_if_empty(facts, *label->field, field_value(*label->field, raw, english && federal_register),
                 "table:" + clean_value(shown, kMaxLabelBytes));
  }
}

struct Metas {
  std::vector<std::string> titles{};
  std::string pub_date_name{}, pub_date{};
  std::string source_name{}, source{};
  std::string number_name{}, number{};
  bool federal_register = false;
};

std::string attribute(const xmlNode* node, const char* name) {
  XmlString value(xmlGetProp(node, BAD_CAST name));
  return value ? std::string(reinterpret_cast<const char*>(value.get())) : std::string();
}

// The document-number metas some CMSs write (checked against the 文号 pattern before use).
constexpr std::array<std::string_view, 5> kNumberMetas{"docnumber", "wenhao", "文号",
                                                      "dc.identifier", "fileno"};

Metas read_metas(const HtmlDocument& page) {
  Metas metas;
  const xmlNode* root = page.root();
  if (root == nullptr) {
    return metas;
  }
  std::vector<const xmlNode*> stack{root};
  std::size_t seen = 0;
  std::string h1;
  std::string title;
  while (!stack.empty() && seen < kMaxElementsScanned) {
    const xmlNode* node = stack.back();
    stack.pop_back();
    ++seen;
    for (const xmlNode* child = node->last; child != nullptr; child = child->prev) {
      if (child->type == XML_ELEMENT_NODE) {
        stack.push_back(child);
      }
    }
    const std::string_view name = name_of(node);
    if (name == "h1" && h1.empty()) {
      XmlString content(xmlNodeGetContent(node));
      if (content) {
        h1 = clean_value(reinterpret_cast<const char*>(content.get()), 4096);
      }
      continue;
    }
    if (name == "title" && title.empty()) {
      XmlString content(xmlNodeGetContent(node));
      if (content) {
        title = clean_value(reinterpret_cast<const char*>(content.get()), 4096);
      }
      continue;
    }
    if (name != "meta") {
      continue;
    }
    std::string key = attribute(node, "name");
    if (key.empty()) {
      key = attribute(node, "property");
    }
    const std::string printed = clean_value(key, kMaxLabelBytes);
    key = to_lower_ascii(collapse_whitespace(key));
    const std::string content = attribute(node, "content");
    if (collapse_whitespace(content).empty()) {
      continue;
    }
    if (key == "articletitle" || key == "og:title" || key == "dc.title") {
      metas.titles.push_back(content);
    } else if (key == "pubdate" && metas.pub_date.empty()) {
      metas.pub_date_name = printed;
      metas.pub_date = content;
    } else if (key == "contentsource" && metas.source.empty()) {
      metas.source_name = printed;
      metas.source = content;
    } else if (std::find(kNumberMetas.begin(), kNumberMetas.end(), key) != kNumberMetas.end() &&
               metas.number.empty()) {
      const std::string value = clean_value(legal_detail::fold_width(sanitize_utf8(content)),
                                            kMaxLegalValueBytes);
      if (legal_detail::is_doc_number(value)) {
        metas.number_name = printed;
        metas.number = value;
      }
    } else if (key == "og:site_name" &&
               to_lower_ascii(content).find("federal register") != std::string::npos) {
      metas.federal_register = true;
    }
  }
  if (!h1.empty()) {
    metas.titles.push_back(h1);
  }
  // federalregister.gov titles its pages "Federal Register :: <document title>".
  constexpr std::string_view kFederalRegisterTitle = "Federal Register ::";
  if (title.starts_with(kFederalRegisterTitle)) {
    metas.federal_register = true;
    title = collapse_whitespace(std::string_view(title).substr(kFederalRegisterTitle.size()));
  }
  // <title> usually ends with the site's name ("标题_粤府_广东省人民政府门户网站").
  for (std::string_view separator : {"_", " | ", " - ", " – ", " — "}) {
    const std::size_t at = title.find(separator);
    if (at != std::string::npos && at > 0) {
      title.resize(at);
    }
  }
  if (!title.empty()) {
    metas.titles.push_back(title);
  }
  return metas;
}

}  // namespace

LegalFacts extract_legal_from_page(const HtmlDocument& page, std::string_view body_text,
                                   std::optional<int> year_hint) {
  LegalFacts facts;
  const Metas metas = read_metas(page);
  read_table(page, metas.federal_register, facts);
  // PubDate may hold two datetimes ("2023-11-07 10:00:00 2023-11-08 09:30:00"): the first.
  if (!metas.pub_date.empty()) {
    set_if_empty(facts, LegalField::kPublishedOn, legal_detail::first_date(metas.pub_date, false),
                 "meta:" + metas.pub_date_name);
  }
  if (!metas.source.empty()) {
    set_if_empty(facts, LegalField::kIssuer, clean_value(metas.source, kMaxLegalValueBytes),
                 "meta:" + metas.source_name);
  }
  if (!metas.number.empty()) {
    set_if_empty(facts, LegalField::kDocNumber, metas.number, "meta:" + metas.number_name);
  }
  for (const std::string& title : metas.titles) {
    std::string type = legal_detail::instrument_from_title(title);
    if (!type.empty()) {
      set_if_empty(facts, LegalField::kInstrument, std::move(type), "title");
      break;
    }
  }
  const bool us_numeric =
      metas.federal_register || body_text.find("Federal Register") != std::string_view::npos;
  legal_detail::facts_from_text(body_text, year_hint, us_numeric, true, facts);
  // An address in a page that invites no comments is the site's contact line, not a way
  // to comment on this instrument.
  if (facts.value(LegalField::kCommentDeadline).empty() &&
      !legal_detail::is_open_for_comment(facts.value(LegalField::kInstrument))) {
    facts[LegalField::kCommentHow] = LegalValue{};
  }
  return facts;
}

LegalFacts extract_legal_from_text(std::string_view title, std::string_view text,
                                   std::optional<int> year_hint) {
  LegalFacts facts;
  std::string type = legal_detail::instrument_from_title(title);
  if (!type.empty()) {
    facts[LegalField::kInstrument] = LegalValue{.value = std::move(type), .from = "title"};
  }
  legal_detail::facts_from_text(text, year_hint, false, false, facts);
  if (facts.value(LegalField::kCommentDeadline).empty() &&
      !legal_detail::is_open_for_comment(facts.value(LegalField::kInstrument))) {
    facts[LegalField::kCommentHow] = LegalValue{};
  }
  return facts;
}

void merge_legal(LegalFacts& into, const LegalFacts& more) {
  for (std::size_t i = 0; i < kLegalFieldCount; ++i) {
    if (into.fields[i].value.empty() && !more.fields[i].value.empty()) {
      into.fields[i] = more.fields[i];
    }
  }
}

std::string legal_facts_problem(const LegalFacts& facts) {
  for (std::size_t i = 0; i < kLegalFieldCount; ++i) {
    const auto field = static_cast<LegalField>(i);
    const LegalValue& v = facts.fields[i];
    const std::string name(legal_field_name(field));
    for (const std::string* s : {&v.value, &v.from}) {
      if (!is_valid_utf8(*s) || strip_controls(*s) != *s) {
        return name + " is not clean UTF-8";
      }
    }
    if (v.value.empty()) {
      if (!v.from.empty()) {
        return name + " has a source but no value";
      }
      continue;
    }
    if (v.from.empty()) {
      return name + " has no source";
    }
    if (v.value != collapse_whitespace(v.value)) {
      return name + " has uncollapsed whitespace";
    }
    const std::size_t cap =
        field == LegalField::kCommentHow ? kMaxLegalHowBytes : kMaxLegalValueBytes;
    if (v.value.size() > cap) {
      return name + " is longer than its cap";
    }
    // "text:" + a capped sentence, "table:"/"meta:" + a short label.
    if (v.from.size() > kMaxLegalSentenceBytes + 16) {
      return name + "'s source is longer than its cap";
    }
    if (is_date_field(field) && !is_calendar_date(v.value)) {
      return name + " is not a calendar date: " + v.value;
    }
    if (field == LegalField::kInstrument &&
        std::find(kInstrumentTypes.begin(), kInstrumentTypes.end(), v.value) ==
            kInstrumentTypes.end()) {
      return name + " is not a known instrument type: " + v.value;
    }
  }
  return {};
}

}  // namespace herald
