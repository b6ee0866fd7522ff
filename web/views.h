#pragma once

// Internal to web/: turning store records into template data and checking edits, shared
// by the HTML pages and the JSON API.

#include <optional>
#include <string>

#include <kainjow/mustache.hpp>

#include "common/result.h"
#include "storage/evidence.h"
#include "storage/store.h"
#include "web/app.h"

namespace herald::web {

// What editors may type into one field (bytes, after CRLF → LF).
inline constexpr std::size_t kMaxTitleBytes = 2000;
inline constexpr std::size_t kMaxSectionBytes = 200;
inline constexpr std::size_t kMaxTextBytes = 20000;   // summary, commentary
inline constexpr std::size_t kMaxReasonBytes = 2000;

// The fields an editor submitted; unset = not part of the request.
struct EditInput {
  std::optional<std::string> title{};
  std::optional<std::string> summary{};
  std::optional<std::string> section{};
  std::optional<std::string> commentary{};
  // The newsletter's sections (App::sections()); a section not among them is refused
  // unless it is the candidate's current one. Empty: any section.
  std::vector<std::string> allowed_sections{};
};

// The CandidateEdit that changes only what differs from `current` (a title or summary
// equal to the scraped one clears the edit). kUsage when a value is too long, not UTF-8,
// or the section is empty or not one of allowed_sections.
Result<CandidateEdit> make_edit(const Candidate& current, const EditInput& input);

// Reads candidate `id`, and applies the part of `input` that changes it (make_edit).
// Errors: kNotFound, kUsage (make_edit), the store's.
Result<Candidate> apply_edit(Store& store, std::int64_t id, const EditInput& input,
                             const std::string& actor, std::int64_t now_utc);

struct CandidateRecord {
  Candidate candidate{};
  std::vector<AuditEntry> audit{};        // oldest first
  std::vector<EvidenceRecord> evidence{};  // its item's archived fetches: list page, then article
};
// Candidate `id` with its audit trail and evidence. Errors: kNotFound, the store's.
Result<CandidateRecord> load_candidate_record(Store& store, std::int64_t id);

// "accept" / "accepted" → kAccepted, "reject"/"rejected", "pending"; nullopt otherwise.
std::optional<ReviewState> parse_decision(const std::string& text);

std::string state_label(ReviewState state);        // 待审 / 已采用 / 已拒绝 / 已发布
std::string kind_label(SourceKind kind);           // 政府 / 法院 / ...
std::string audit_action_label(const std::string& action);
std::string outcome_label(const std::string& outcome);   // "ok" → 正常, unknown as is

// The health page (docs/health.md): 正常 / 连续失败 / 页面改版 / 长期无更新 / 手动录入 / 尚未抓取,
// and the reason for editors, in Chinese, from the same facts as SourceHealth::reason.
std::string health_state_label(HealthState state);
std::string health_reason_label(const SourceHealth& health, std::int64_t now_utc);
// CSS badge class of a state: green when fine, red when unhealthy, grey otherwise.
std::string health_badge_class(HealthState state);
// The health of source `id` as the sources page and the API show it: `config` is nullptr
// for a source no longer configured, `stored` nullptr for one never polled.
SourceHealth source_health_for(const std::string& id, const SourceConfig* config,
                               const SourceHealth* stored);

// 列表页 / 文章页 for EvidenceRecord::kind ("list", "article"); anything else as is.
std::string evidence_kind_label(const std::string& kind);
// The file name an archived body downloads as: "<sha256>.xml" when the archived
// Content-Type says XML (a feed), ".json" for JSON, ".html" otherwise.
std::string evidence_file_name(const EvidenceRecord& record);

// Template data for one candidate (card and item page).
kainjow::mustache::data candidate_view(const App& app, const Candidate& candidate,
                                       bool full);

// Maps store errors to HTTP status: kNotFound 404, kUsage 400, anything else 500.
int status_for(const Error& error);

}  // namespace herald::web
