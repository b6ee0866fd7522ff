#pragma once

// Internal to web/: legal metadata (common/legal.h, docs/legal.md) on the desk: the queue
// card's line, the item page's 法律信息 box with where each fact came from, the editors'
// form, the queue's legal filters' deadline arithmetic, and the API's "legal" object.

#include <cstdint>
#include <optional>
#include <string>

#include <httplib.h>
#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

#include "common/legal.h"
#include "common/result.h"
#include "storage/store.h"

namespace herald::web {

class App;

// Today in the desk's zone ([schedule] timezone), "2023-11-14": what 剩 N 天 counts from.
std::string desk_today(const App& app);

// Whole days from `today` to `date` (both "YYYY-MM-DD"): 0 on the day itself, negative
// once past; nullopt when either is not a calendar date.
std::optional<std::int64_t> days_until(const std::string& today, const std::string& date);

// "剩 5 天", "今天截止", "已截止" for a deadline `days` away.
std::string deadline_left_label(std::int64_t days);

// Where a fact came from, for editors deciding whether to trust it (LegalValue::from):
// "来自：表格·文号", "来自：meta PubDate", "来自：正文「…」", "来自：标题", "来自：列表页",
// "编辑 alice 修改"; empty when unknown.
std::string legal_provenance(const std::string& from);

// Sets on `view` what the card and the item page show of `legal`: has_legal, doc_number,
// instrument (with has_ flags), the comment deadline with deadline_left / deadline_past
// counted from `today`, and legal_rows (every field: label, value, provenance).
void set_legal_view(kainjow::mustache::data& view, const LegalFacts& legal,
                    const std::string& today);

// The item page's legal form: one entry per field (name, label, value, input kind) with
// `values` as its values, and the instrument types for the datalist.
kainjow::mustache::data legal_form_view(const std::array<std::string, kLegalFieldCount>& values);

// The LegalEdit of the form fields present in `request` (absent ones stay as they are),
// cleaned like the other edit fields: UTF-8 checked, control characters and surrounding
// blanks dropped. kUsage (Chinese) for text that is not UTF-8. The store checks dates.
Result<LegalEdit> legal_edit_from_form(const httplib::Request& request);

// "legal" in the API: an object with only the fields present, each
// {"value": "...", "from": "..."}; {} when none is.
nlohmann::json legal_json(const LegalFacts& legal);

// The LegalEdit of a PATCH body's "legal" object ({"doc_number": "...", ...}, strings,
// "" clears). kUsage (Chinese) for an unknown field name or a value that is not a string.
Result<LegalEdit> legal_edit_from_json(const nlohmann::json& legal);

}  // namespace herald::web
