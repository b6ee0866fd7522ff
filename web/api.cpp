// The JSON API under /api/v1: the same data and rules as the pages, for scripts and
// for the queue page's keyboard shortcuts.

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/text.h"
#include "storage/evidence.h"
#include "web/app.h"
#include "web/draft_pages.h"
#include "web/legal_views.h"
#include "web/queue_params.h"
#include "web/security.h"
#include "web/views.h"

namespace herald::web {
namespace {

using nlohmann::json;

constexpr int kDefaultApiPageSize = 50;

json candidate_json(const App& app, const Candidate& c) {
  json also = json::array();
  for (const ClusterMember& member : c.also_reported_by) {
    also.push_back({{"candidate_id", member.candidate_id > 0 ? json(member.candidate_id) : json()},
                    {"item_id", member.item_id},
                    {"source", member.source_id},
                    {"title", member.title},
                    {"url", member.url}});
  }
  auto optional_time = [&](const std::optional<std::int64_t>& utc) {
    return utc ? json(app.format_iso(*utc, c.source_id)) : json();
  };
  return {{"id", c.id},
          {"item_id", c.item_id},
          {"source", c.source_id},
          {"source_name", app.source_name(c.source_id)},
          {"title", c.edited_title.empty() ? c.title : c.edited_title},
          {"original_title", c.title},
          {"edited_title", c.edited_title},
          {"url", c.url},
          {"summary", c.edited_summary.empty() ? c.summary : c.edited_summary},
          {"original_summary", c.summary},
          {"edited_summary", c.edited_summary},
          {"published_at", optional_time(c.published_at)},
          {"published_text", c.published_text},
          {"first_seen", app.format_iso(c.first_seen, c.source_id)},
          {"score", c.score},
          {"matched", c.matched_terms},
          {"state", std::string(review_state_name(c.state))},
          {"reviewer", c.reviewer},
          {"decided_at", optional_time(c.decided_at)},
          {"reason", c.reason},
          {"section", c.section},
          {"commentary", c.commentary},
          {"position", c.position},
          {"edition", c.edition},
          {"cluster_id", c.cluster_id},
          {"also_reported_by", also},
          // Only the fields present, each {"value", "from"} (docs/api.md).
          {"legal", legal_json(c.legal)}};
}

// The request body as a JSON object; kUsage for anything else.
Result<json> body_object(const httplib::Request& request) {
  json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return fail(ErrorCode::kUsage, "the body must be a JSON object");
  }
  return body;
}

// A string member of `body`, if present; kUsage when present but not a string.
Result<std::optional<std::string>> string_member(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end()) {
    return std::optional<std::string>{};
  }
  if (!it->is_string()) {
    return fail(ErrorCode::kUsage, std::string(name) + " must be a string");
  }
  return std::optional<std::string>(it->get<std::string>());
}

// The candidate id in the path and the JSON object in the body; answers 404 or 400 and
// returns nullopt when either is missing.
std::optional<std::pair<std::int64_t, json>> id_and_body(App& app, const httplib::Request& request,
                                                         httplib::Response& response) {
  const auto id = parse_id(request.matches[1]);
  if (!id) {
    app.json_error(response, 404, "no such candidate");
    return std::nullopt;
  }
  auto body = body_object(request);
  if (!body) {
    app.json_error(response, 400, body.error().message);
    return std::nullopt;
  }
  return std::pair{*id, std::move(*body)};
}

void send_error(App& app, httplib::Response& response, const Error& error) {
  const int status = status_for(error);
  if (status == 500) {
    spdlog::error("stage=web api: {}", error.message);
  }
  app.json_error(response, status, status == 500 ? "internal error" : error.message);
}

void list_candidates(App& app, const httplib::Request& request, httplib::Response& response,
                     const Principal&) {
  auto params = parse_queue_params(request, app.deps().sources, app.deps().utc_offset_seconds,
                                   kDefaultApiPageSize);
  if (!params) {
    send_error(app, response, params.error());
    return;
  }
  QueuePage page;
  if (!params->no_match) {
    params->query.count_up_to = kSearchCountUpTo;
    auto result = app.with_store([&](Store& store) { return store.query_queue(params->query); });
    if (!result) {
      send_error(app, response, result.error());
      return;
    }
    page = std::move(*result);
  }
  json items = json::array();
  for (const Candidate& candidate : page.items) {
    items.push_back(candidate_json(app, candidate));
  }
  app.json(response, json{{"total", page.total},
                          {"total_is_lower_bound", page.total_is_lower_bound},
                          {"page", params->page},
                          {"limit", params->page_size},
                          {"items", items}}
                         .dump(-1, ' ', false, json::error_handler_t::replace));
}

void get_candidate(App& app, const httplib::Request& request, httplib::Response& response,
                   const Principal&) {
  const auto id = parse_id(request.matches[1]);
  if (!id) {
    app.json_error(response, 404, "no such candidate");
    return;
  }
  auto loaded = app.with_store([&](Store& store) { return load_candidate_record(store, *id); });
  if (!loaded) {
    send_error(app, response, loaded.error());
    return;
  }
  json out = candidate_json(app, loaded->candidate);
  json trail = json::array();
  for (const AuditEntry& entry : loaded->audit) {
    trail.push_back({{"at", app.format_iso(entry.at, "")},
                     {"actor", entry.actor},
                     {"action", entry.action},
                     {"detail", entry.detail}});
  }
  out["audit"] = trail;
  json evidence = json::array();
  for (const EvidenceRecord& record : loaded->evidence) {
    evidence.push_back({{"kind", record.kind},
                        {"fetched_at", app.format_iso(record.fetched_at, "")},
                        {"status", record.status},
                        {"url", record.url},
                        {"final_url", record.final_url},
                        {"sha256", record.body_sha256},
                        {"size", record.size}});
  }
  out["evidence"] = evidence;
  // The drafted headline and 摘要 (web/draft_pages.cpp), null when there is none.
  auto draft = app.with_store([&](Store& store) { return store.draft_for(*id); });
  if (!draft) {
    send_error(app, response, draft.error());
    return;
  }
  out["draft"] = draft_json(*draft);
  app.json(response, out.dump(-1, ' ', false, json::error_handler_t::replace));
}

void patch_candidate(App& app, const httplib::Request& request, httplib::Response& response,
                     const Principal& principal) {
  const auto target = id_and_body(app, request, response);
  if (!target) {
    return;
  }
  const auto& [id, body] = *target;
  EditInput input;
  input.allowed_sections = app.sections();
  for (auto [name, field] : {std::pair{"title", &input.title}, {"summary", &input.summary},
                             {"section", &input.section}, {"commentary", &input.commentary}}) {
    auto value = string_member(body, name);
    if (!value) {
      send_error(app, response, value.error());
      return;
    }
    *field = std::move(*value);
  }
  for (const auto& [key, value] : body.items()) {
    if (key != "title" && key != "summary" && key != "section" && key != "commentary" &&
        key != "position" && key != "legal") {
      app.json_error(response, 400,
                     "unknown field; editable: title, summary, section, commentary, position, "
                     "legal");
      return;
    }
  }
  // {"legal": {"doc_number": "...", ...}}: strings, "" clears (Store::edit_legal, audited).
  std::optional<LegalEdit> legal;
  if (const auto found = body.find("legal"); found != body.end()) {
    auto parsed = legal_edit_from_json(*found);
    if (!parsed) {
      send_error(app, response, parsed.error());
      return;
    }
    legal = std::move(*parsed);
  }
  // The item's place within its section in the edition (1 = first); 0 or null clears it,
  // and the month's default order applies (daemon/edition.h order_for_edition).
  std::optional<int> position;
  if (const auto found = body.find("position"); found != body.end()) {
    constexpr std::int64_t kMaxPosition = 10000;
    if (found->is_null()) {
      position = 0;
    } else if (found->is_number_integer() && found->get<std::int64_t>() >= 0 &&
               found->get<std::int64_t>() <= kMaxPosition) {
      position = static_cast<int>(found->get<std::int64_t>());
    } else {
      app.json_error(response, 400, "position must be an integer from 0 to 10000 (0: not placed)");
      return;
    }
  }
  const std::int64_t now = app.now();
  auto result = app.with_store([&](Store& store) -> Result<Candidate> {
    auto current = store.get_candidate(id);
    if (!current) {
      return current;
    }
    // Every part is checked before any is written: a refused field changes nothing.
    auto edit = make_edit(*current, input);
    if (!edit) {
      return fail(edit.error());
    }
    if (position) {
      edit->position = *position;
    }
    if (legal) {
      auto edited = store.edit_legal(id, *legal, principal.user.name, now);
      if (!edited) {
        return edited;
      }
    }
    return store.edit_candidate(id, *edit, principal.user.name, now);
  });
  if (!result) {
    send_error(app, response, result.error());
    return;
  }
  app.json(response,
           candidate_json(app, *result).dump(-1, ' ', false, json::error_handler_t::replace));
}

void post_decision(App& app, const httplib::Request& request, httplib::Response& response,
                   const Principal& principal) {
  const auto target = id_and_body(app, request, response);
  if (!target) {
    return;
  }
  const auto& [id, body] = *target;
  auto state_text = string_member(body, "state");
  auto reason = string_member(body, "reason");
  if (!state_text || !reason) {
    send_error(app, response, !state_text ? state_text.error() : reason.error());
    return;
  }
  const auto state = parse_decision(state_text->value_or(""));
  if (!state) {
    app.json_error(response, 400, "state must be accepted, rejected or pending");
    return;
  }
  const std::string why = reason->value_or("");
  if (!is_valid_utf8(why) || why.size() > kMaxReasonBytes) {
    app.json_error(response, 400, "reason is too long or not UTF-8 text");
    return;
  }
  const std::int64_t now = app.now();
  CandidateEdit edit{.state = *state, .reason = collapse_whitespace(why)};
  auto result = app.with_store(
      [&](Store& store) { return store.edit_candidate(id, edit, principal.user.name, now); });
  if (!result) {
    send_error(app, response, result.error());
    return;
  }
  app.json(response,
           candidate_json(app, *result).dump(-1, ' ', false, json::error_handler_t::replace));
}

void list_sources(App& app, const httplib::Request&, httplib::Response& response,
                  const Principal&) {
  const std::int64_t now = app.now();
  auto health = app.with_store([&](Store& store) { return store.source_health(now); });
  if (!health) {
    send_error(app, response, health.error());
    return;
  }
  json sources = json::array();
  auto time_or_null = [&](const std::optional<std::int64_t>& utc, const std::string& id) {
    return utc ? json(app.format_iso(*utc, id)) : json();
  };
  for (const SourceConfig& config : app.deps().sources) {
    json entry = {{"id", config.id},
                  {"name", config.name},
                  {"kind", std::string(source_kind_name(config.kind))},
                  {"type", std::string(source_type_name(config.type))},
                  {"mode", config.mode == SourceMode::kManual ? "manual" : "poll"},
                  {"enabled", config.enabled},
                  {"url", config.url},
                  {"interval_seconds", config.interval.count()},
                  {"last_poll_at", nullptr},
                  {"last_outcome", nullptr},
                  {"last_error", nullptr},
                  {"last_success_at", nullptr},
                  {"consecutive_failures", 0},
                  {"items_total", 0},
                  {"items_last_30_days", 0},
                  {"matched_nothing", false}};
    const SourceHealth* stored = nullptr;
    for (const SourceHealth& h : *health) {
      if (h.source_id == config.id) {
        stored = &h;
      }
    }
    const SourceHealth judged = source_health_for(config.id, &config, stored);
    entry["state"] = std::string(health_state_name(judged.state));
    entry["reason"] = judged.reason;
    if (stored != nullptr) {
      const SourceHealth& h = *stored;
      entry["last_poll_at"] = time_or_null(h.last_poll_at, h.source_id);
      entry["last_outcome"] = h.last_outcome;
      entry["last_error"] = h.last_error;
      entry["last_success_at"] = time_or_null(h.last_success_at, h.source_id);
      entry["consecutive_failures"] = h.consecutive_failures;
      entry["items_total"] = h.items_total;
      entry["items_last_30_days"] = h.items_last_30_days;
      entry["matched_nothing"] = h.matched_nothing;
    }
    sources.push_back(entry);
  }
  app.json(response, json{{"sources", sources}}.dump(-1, ' ', false,
                                                       json::error_handler_t::replace));
}

void get_export(App& app, const httplib::Request& request, httplib::Response& response,
                const Principal&) {
  const std::string month = request.get_param_value("month");
  const std::string format = request.get_param_value("format").empty()
                                 ? std::string("md")
                                 : request.get_param_value("format");
  if (!is_valid_month(month) || (format != "md" && format != "html")) {
    app.json_error(response, 400, "give month=YYYY-MM and format=md or html");
    return;
  }
  if (!app.deps().build_edition) {
    app.json_error(response, 503, "export is not configured");
    return;
  }
  auto edition = app.with_store([&](Store& store) { return app.deps().build_edition(store, month); });
  if (!edition) {
    send_error(app, response, edition.error());
    return;
  }
  app.json(response, json{{"month", month},
                          {"format", format},
                          {"items", edition->items.size()},
                          {"content", format == "md" ? export_markdown(*edition)
                                                     : export_html(*edition)}}
                         .dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace

void register_api(App& app, httplib::Server& server) {
  auto api = [&app](App::RouteFunction function) {
    return app.route(Surface::kApi, Access::kEditor, function);
  };
  app.get(server, "/api/v1/candidates", api(list_candidates));
  app.get(server, R"(/api/v1/candidates/(\d{1,18}))", api(get_candidate));
  app.patch(server, R"(/api/v1/candidates/(\d{1,18}))", api(patch_candidate));
  app.post(server, R"(/api/v1/candidates/(\d{1,18})/decision)", api(post_decision));
  app.get(server, "/api/v1/sources", api(list_sources));
  app.get(server, "/api/v1/export", api(get_export));
}

}  // namespace herald::web
