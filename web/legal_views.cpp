#include "web/legal_views.h"

#include <fmt/format.h>

#include "common/text.h"
#include "common/timezone.h"
#include "web/app.h"

namespace herald::web {
namespace {

namespace mustache = kainjow::mustache;
using nlohmann::json;

// What a provenance shows of a sentence: enough to find it on the page, not the page.
constexpr std::size_t kSentenceShownBytes = 240;

// An editor's value as stored: valid UTF-8, no control characters (how to comment keeps its
// line breaks), no surrounding blanks.
Result<std::string> clean_value(LegalField field, const std::string& value) {
  if (!is_valid_utf8(value)) {
    return fail(ErrorCode::kUsage,
                fmt::format("{}不是有效的 UTF-8 文本，请重新输入", legal_field_label(field)));
  }
  const bool multiline = field == LegalField::kCommentHow;
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\r') {
      continue;
    }
    out.push_back((byte < 0x20 && !(multiline && c == '\n')) || byte == 0x7f ? ' ' : c);
  }
  const auto first = out.find_first_not_of(" \n");
  const auto last = out.find_last_not_of(" \n");
  return first == std::string::npos ? std::string() : out.substr(first, last - first + 1);
}

}  // namespace

std::string desk_today(const App& app) {
  // A date without a source is the desk's calendar day (App::format_time).
  return app.format_time(app.now(), "", false);
}

std::optional<std::int64_t> days_until(const std::string& today, const std::string& date) {
  const auto from = days_from_iso_date(today);
  const auto to = is_calendar_date(date) ? days_from_iso_date(date) : std::nullopt;
  if (!from || !to) {
    return std::nullopt;
  }
  return *to - *from;
}

std::string deadline_left_label(std::int64_t days) {
  if (days < 0) {
    return "已截止";
  }
  return days == 0 ? "今天截止" : fmt::format("剩 {} 天", days);
}

std::string legal_provenance(const std::string& from) {
  if (from.starts_with("table:")) {
    return "来自：表格·" + from.substr(6);
  }
  if (from.starts_with("meta:")) {
    return "来自：meta " + from.substr(5);
  }
  if (from.starts_with("text:")) {
    return "来自：正文「" + truncate_utf8(from.substr(5), kSentenceShownBytes) + "」";
  }
  if (from == "title") {
    return "来自：标题";
  }
  if (from == "list") {
    return "来自：列表页";
  }
  if (from.starts_with("editor:")) {
    return fmt::format("编辑 {} 修改", from.substr(7));
  }
  return from.empty() ? std::string() : "来自：" + from;
}

void set_legal_view(mustache::data& view, const LegalFacts& legal, const std::string& today) {
  const std::string& doc_number = legal.value(LegalField::kDocNumber);
  const std::string& instrument = legal.value(LegalField::kInstrument);
  const std::string& deadline = legal.value(LegalField::kCommentDeadline);
  view.set("has_legal", !legal.empty());
  view.set("doc_number", doc_number);
  view.set("has_doc_number", !doc_number.empty());
  view.set("instrument", instrument);
  view.set("has_instrument", !instrument.empty());
  view.set("comment_deadline", deadline);
  view.set("has_comment_deadline", !deadline.empty());
  const auto days = days_until(today, deadline);
  view.set("deadline_left", days ? deadline_left_label(*days) : std::string());
  view.set("has_deadline_left", days.has_value());
  view.set("deadline_past", days && *days < 0);
  mustache::data rows{mustache::data::type::list};
  for (std::size_t i = 0; i < kLegalFieldCount; ++i) {
    const auto field = static_cast<LegalField>(i);
    mustache::data row;
    row.set("name", std::string(legal_field_name(field)));
    row.set("label", std::string(legal_field_label(field)));
    row.set("value", legal[field].value);
    row.set("has_value", !legal[field].value.empty());
    const std::string from = legal[field].value.empty() ? "" : legal_provenance(legal[field].from);
    row.set("from", from);
    row.set("has_from", !from.empty());
    rows.push_back(row);
  }
  view.set("legal_rows", rows);
}

mustache::data legal_form_view(const std::array<std::string, kLegalFieldCount>& values) {
  mustache::data fields{mustache::data::type::list};
  for (std::size_t i = 0; i < kLegalFieldCount; ++i) {
    const auto field = static_cast<LegalField>(i);
    mustache::data entry;
    entry.set("name", std::string(legal_field_name(field)));
    entry.set("label", std::string(legal_field_label(field)));
    entry.set("value", values[i]);
    entry.set("is_date", is_date_field(field));
    entry.set("is_instrument", field == LegalField::kInstrument);
    entry.set("is_multiline", field == LegalField::kCommentHow);
    entry.set("is_text", !is_date_field(field) && field != LegalField::kInstrument &&
                             field != LegalField::kCommentHow);
    fields.push_back(entry);
  }
  mustache::data types{mustache::data::type::list};
  for (std::string_view type : kInstrumentTypes) {
    types.push_back(mustache::data("type", std::string(type)));
  }
  mustache::data form;
  form.set("fields", fields);
  form.set("instrument_types", types);
  return form;
}

Result<LegalEdit> legal_edit_from_form(const httplib::Request& request) {
  LegalEdit edit;
  for (std::size_t i = 0; i < kLegalFieldCount; ++i) {
    const auto field = static_cast<LegalField>(i);
    const std::string name(legal_field_name(field));
    if (!request.has_param(name)) {
      continue;
    }
    auto value = clean_value(field, request.get_param_value(name));
    if (!value) {
      return fail(value.error());
    }
    edit[field] = std::move(*value);
  }
  return edit;
}

json legal_json(const LegalFacts& legal) {
  json out = json::object();
  for (std::size_t i = 0; i < kLegalFieldCount; ++i) {
    const LegalValue& field = legal.fields[i];
    if (!field.value.empty()) {
      out[std::string(kLegalFieldNames[i])] = {{"value", field.value}, {"from", field.from}};
    }
  }
  return out;
}

Result<LegalEdit> legal_edit_from_json(const json& legal) {
  if (!legal.is_object()) {
    return fail(ErrorCode::kUsage, "legal 应为对象，例如 {\"doc_number\": \"国办发〔2023〕26号\"}");
  }
  std::string names;
  for (std::string_view name : kLegalFieldNames) {
    names += (names.empty() ? "" : "、") + std::string(name);
  }
  LegalEdit edit;
  for (const auto& [key, value] : legal.items()) {
    const auto field = parse_legal_field(key);
    if (!field) {
      return fail(ErrorCode::kUsage, fmt::format("legal 中没有字段“{}”；可修改的字段：{}",
                                                 truncate_utf8(key, 100), names));
    }
    if (!value.is_string()) {
      return fail(ErrorCode::kUsage, fmt::format("legal.{} 应为字符串（空字符串表示清除）", key));
    }
    auto cleaned = clean_value(*field, value.get<std::string>());
    if (!cleaned) {
      return fail(cleaned.error());
    }
    edit[*field] = std::move(*cleaned);
  }
  return edit;
}

}  // namespace herald::web
