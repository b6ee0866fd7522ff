#pragma once

// The facts a lawyer reads off a regulator's announcement (docs/legal.md): its document
// number (文号), who issued it, when it was adopted, published and takes effect, what kind
// of instrument it is, and, for a draft open for comment, until when and how to comment.
// Extracted from article pages and list rows (scrapers/legal/), stored per item
// (item_legal), shown, edited and filtered on the desk, and exported.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace herald {

enum class LegalField : std::size_t {
  kDocNumber = 0,    // 文号: "沪经信规范〔2023〕8号", "国办发〔2023〕26号", "2023-24283"
  kIssuer,           // 发文机关 / 发布机构 / Agency: "上海市经济和信息化委员会"
  kAdoptedOn,        // 成文日期 (the date the instrument was signed or adopted): "2023-11-07"
  kPublishedOn,      // 发布日期 as the page's metadata states it: "2023-11-13"
  kEffectiveOn,      // 施行日期 / effective date: "2024-01-01"
  kInstrument,       // 文种: one of kInstrumentTypes ("征求意见稿", "办法", "proposed rule", ...)
  kCommentDeadline,  // 意见反馈截止日期 / comments due: "2023-12-07"
  kCommentHow,       // how to comment, as stated: an e-mail address, a postal address, a URL
};
inline constexpr std::size_t kLegalFieldCount = 8;

// Names for storage columns, JSON keys, form fields and CLI flags (with '_' -> '-').
inline constexpr std::array<std::string_view, kLegalFieldCount> kLegalFieldNames = {
    "doc_number", "issuer",     "adopted_on",       "published_on",
    "effective_on", "instrument", "comment_deadline", "comment_how",
};

// What editors read on the desk and in the export.
inline constexpr std::array<std::string_view, kLegalFieldCount> kLegalFieldLabels = {
    "文号", "发文机关", "成文日期", "发布日期", "施行日期", "文种", "意见反馈截止", "意见反馈方式",
};

// True for the fields whose value is a calendar date "YYYY-MM-DD" (in the source's time zone:
// the date as the page prints it, never shifted).
inline constexpr bool is_date_field(LegalField field) {
  return field == LegalField::kAdoptedOn || field == LegalField::kPublishedOn ||
         field == LegalField::kEffectiveOn || field == LegalField::kCommentDeadline;
}

// The instrument types herald recognises, in the words editors use. A value of kInstrument is
// one of these (the extractor never writes anything else; an editor may).
inline constexpr std::array<std::string_view, 22> kInstrumentTypes = {
    // Chinese, most specific first: a 征求意见稿 of a 办法 is a 征求意见稿.
    "征求意见稿", "法律", "行政法规", "条例", "规定", "办法", "细则", "决定", "命令", "通知",
    "意见", "方案", "规划", "指南", "标准", "公告", "通告", "批复",
    // English (Federal Register document types, GOV.UK consultations, bills).
    "proposed rule", "rule", "consultation", "bill",
};

inline constexpr std::string_view legal_field_name(LegalField field) {
  return kLegalFieldNames[static_cast<std::size_t>(field)];
}
inline constexpr std::string_view legal_field_label(LegalField field) {
  return kLegalFieldLabels[static_cast<std::size_t>(field)];
}
inline std::optional<LegalField> parse_legal_field(std::string_view name) {
  for (std::size_t i = 0; i < kLegalFieldCount; ++i) {
    if (kLegalFieldNames[i] == name) {
      return static_cast<LegalField>(i);
    }
  }
  return std::nullopt;
}

// True when `text` is a real calendar date written "YYYY-MM-DD" (years 1900..2999), the form
// every date field is stored in.
inline bool is_calendar_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return false;
  }
  int parts[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8};
  const std::size_t lengths[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p) {
    for (std::size_t i = starts[p]; i < starts[p] + lengths[p]; ++i) {
      if (text[i] < '0' || text[i] > '9') {
        return false;
      }
      parts[p] = parts[p] * 10 + (text[i] - '0');
    }
  }
  const int year = parts[0], month = parts[1], day = parts[2];
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1) {
    return false;
  }
  constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

// One fact and where it came from, so editors can trust or correct it. `from` is one of
//   "table:<label as printed>"   a row of the page's 政务公开 / document metadata table
//   "meta:<name>"                a <meta name=...> tag
//   "text:<the sentence>"        a sentence of the body text (capped)
//   "title"                      the item's title (instrument type, e.g. …（征求意见稿）)
//   "list"                       the list row's summary
//   "editor:<name>"              set or corrected by an editor
struct LegalValue {
  std::string value{};
  std::string from{};
  bool operator==(const LegalValue&) const = default;
};

struct LegalFacts {
  std::array<LegalValue, kLegalFieldCount> fields{};

  LegalValue& operator[](LegalField field) { return fields[static_cast<std::size_t>(field)]; }
  const LegalValue& operator[](LegalField field) const {
    return fields[static_cast<std::size_t>(field)];
  }
  const std::string& value(LegalField field) const { return (*this)[field].value; }
  bool empty() const {
    for (const auto& field : fields) {
      if (!field.value.empty()) {
        return false;
      }
    }
    return true;
  }
  bool operator==(const LegalFacts&) const = default;
};

}  // namespace herald
