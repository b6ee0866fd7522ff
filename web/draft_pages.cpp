// Drafts on the item page and in the API (docs/drafts.md). The draft is shown next to the
// original, which stays visible; accepting goes through the store's edit path
// (Store::accept_draft -> edit_candidate), so the audit log records it.

#include "web/draft_pages.h"

#include <string>
#include <tuple>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/text.h"
#include "web/app.h"
#include "web/queue_params.h"
#include "web/views.h"

namespace herald::web {

namespace mustache = kainjow::mustache;
using nlohmann::json;

namespace {

// Editors' text from a form or JSON body: UTF-8, bounded like any other edit.
Result<std::string> checked_text(const std::string& text, std::size_t max_bytes,
                                 const char* what) {
  if (!is_valid_utf8(text) || text.size() > max_bytes) {
    return fail(ErrorCode::kUsage, fmt::format("{}过长或不是文本", what));
  }
  return text;
}

enum class DraftAction { kAccept, kEdit, kDiscard, kRedo };

// The store's refusal, for the editors (the store words its errors in English, for the
// CLI's admins).
std::string draft_error(std::int64_t id, const Error& error) {
  switch (error.code) {
    case ErrorCode::kNotFound:
      return fmt::format("第 {} 条还没有草稿（herald 正在后台起草，请稍后刷新）", id);
    case ErrorCode::kUsage:
      return fmt::format("第 {} 条的草稿已被处理或尚未写好，不能采用；请刷新页面查看它现在的状态",
                         id);
    default:
      spdlog::error("stage=web draft {}: {}", id, error.message);
      return fmt::format("第 {} 条的草稿暂时无法更新（数据库出错），请稍后再试；如反复出现，请联系管理员",
                         id);
  }
}

// Does `action` on candidate `id`'s draft; `title`/`summary` only for kEdit.
Result<void> apply(App& app, std::int64_t id, DraftAction action, const Principal& principal,
                   const std::optional<std::string>& title,
                   const std::optional<std::string>& summary) {
  const std::int64_t now = app.now();
  return app.with_store([&](Store& store) -> Result<void> {
    switch (action) {
      case DraftAction::kAccept:
      case DraftAction::kEdit: {
        auto accepted = store.accept_draft(id, principal.user.name, now, title, summary);
        if (!accepted) {
          return fail(std::move(accepted.error()));
        }
        return {};
      }
      case DraftAction::kDiscard:
        return store.discard_draft(id, principal.user.name, now);
      case DraftAction::kRedo:
        return store.redo_draft(id, principal.user.name, now);
    }
    return {};
  });
}

void page_action(App& app, const httplib::Request& request, httplib::Response& response,
                 const Principal& principal, DraftAction action) {
  const auto id = parse_id(request.matches[1]);
  if (!id) {
    app.error_page(response, 404, "没有这个条目", &principal);
    return;
  }
  std::optional<std::string> title;
  std::optional<std::string> summary;
  if (action == DraftAction::kEdit) {
    auto t = checked_text(request.get_param_value("title"), kMaxTitleBytes, "标题");
    auto s = checked_text(request.get_param_value("summary"), kMaxTextBytes, "摘要");
    if (!t || !s) {
      app.error_page(response, 400, (!t ? t.error() : s.error()).message, &principal);
      return;
    }
    if (collapse_whitespace(*t).empty()) {
      app.error_page(response, 400, "标题不能为空", &principal);
      return;
    }
    title = collapse_whitespace(*t);
    summary = *s;
  }
  if (auto done = apply(app, *id, action, principal, title, summary); !done) {
    app.error_page(response, status_for(done.error()), draft_error(*id, done.error()),
                   &principal);
    return;
  }
  const char* notice = action == DraftAction::kDiscard ? "draft_discarded"
                       : action == DraftAction::kRedo  ? "draft_redo"
                                                       : "saved";
  App::see_other(response, fmt::format("/items/{}?m={}", *id, notice));
}

void draft_accept(App& app, const httplib::Request& request, httplib::Response& response,
                  const Principal& principal) {
  page_action(app, request, response, principal, DraftAction::kAccept);
}
void draft_edit(App& app, const httplib::Request& request, httplib::Response& response,
                const Principal& principal) {
  page_action(app, request, response, principal, DraftAction::kEdit);
}
void draft_discard(App& app, const httplib::Request& request, httplib::Response& response,
                   const Principal& principal) {
  page_action(app, request, response, principal, DraftAction::kDiscard);
}
void draft_redo(App& app, const httplib::Request& request, httplib::Response& response,
                const Principal& principal) {
  page_action(app, request, response, principal, DraftAction::kRedo);
}

// POST /api/v1/candidates/ID/draft/accept with {} or {"title": ..., "summary": ...}
// (edited before accepting), and .../draft/discard with {}.
void api_action(App& app, const httplib::Request& request, httplib::Response& response,
                const Principal& principal, DraftAction action) {
  const auto id = parse_id(request.matches[1]);
  if (!id) {
    app.json_error(response, 404, "no such candidate");
    return;
  }
  json body = request.body.empty() ? json::object()
                                   : json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) {
    app.json_error(response, 400, "the body must be a JSON object");
    return;
  }
  std::optional<std::string> title;
  std::optional<std::string> summary;
  for (const auto& [name, target, limit] :
       {std::tuple{"title", &title, kMaxTitleBytes}, std::tuple{"summary", &summary, kMaxTextBytes}}) {
    if (!body.contains(name)) {
      continue;
    }
    if (!body[name].is_string() || body[name].get_ref<const std::string&>().size() > limit ||
        !is_valid_utf8(body[name].get_ref<const std::string&>())) {
      app.json_error(response, 400, fmt::format("\"{}\" must be a string of at most {} bytes",
                                                name, limit));
      return;
    }
    *target = body[name].get<std::string>();
  }
  if (action != DraftAction::kAccept && (title || summary)) {
    app.json_error(response, 400, "discard takes no title or summary");
    return;
  }
  if (auto done = apply(app, *id, action, principal, title, summary); !done) {
    const int status = status_for(done.error());
    app.json_error(response, status, status == 500 ? "internal error" : done.error().message);
    return;
  }
  auto draft = app.with_store([&](Store& store) { return store.draft_for(*id); });
  if (!draft) {
    app.json_error(response, 500, "internal error");
    return;
  }
  app.json(response, json{{"candidate_id", *id}, {"draft", draft_json(*draft)}}.dump(
                         -1, ' ', false, json::error_handler_t::replace));
}

void api_accept(App& app, const httplib::Request& request, httplib::Response& response,
                const Principal& principal) {
  api_action(app, request, response, principal, DraftAction::kAccept);
}
void api_discard(App& app, const httplib::Request& request, httplib::Response& response,
                 const Principal& principal) {
  api_action(app, request, response, principal, DraftAction::kDiscard);
}

}  // namespace

void set_draft_view(mustache::data& data, std::int64_t candidate_id,
                    const std::optional<Draft>& draft) {
  if (!draft) {
    data.set("has_draft_row", false);
    return;
  }
  data.set("has_draft_row", true);
  mustache::data view;
  view.set("candidate_id", std::to_string(candidate_id));
  view.set("state", std::string(draft_state_name(draft->state)));
  const bool ready = draft->state == DraftState::kReady;
  view.set("ready", ready);
  view.set("queued", draft->state == DraftState::kQueued);
  view.set("failed", draft->state == DraftState::kFailed);
  view.set("title", draft->title);
  view.set("summary", draft->summary);
  view.set("extractive", draft->extractive());
  view.set("model", draft->model);
  view.set("has_error", !draft->last_error.empty());
  view.set("last_error", draft->last_error);
  // Only a draft still to decide is shown in full; after accept or discard the page says
  // so and offers a new one.
  if (ready || draft->state == DraftState::kQueued || draft->state == DraftState::kFailed) {
    data.set("draft", view);
  } else {
    mustache::data decided;
    decided.set("candidate_id", std::to_string(candidate_id));
    decided.set("accepted", draft->state == DraftState::kAccepted);
    decided.set("decided_by", draft->decided_by);
    data.set("draft_decided", decided);
  }
}

json draft_json(const std::optional<Draft>& draft) {
  if (!draft) {
    return json();
  }
  return json{{"state", std::string(draft_state_name(draft->state))},
              {"method", draft->method.empty() ? json() : json(draft->method)},
              {"model", draft->model},
              {"title", draft->title},
              {"summary", draft->summary},
              {"attempts", draft->attempts},
              {"last_error", draft->last_error.empty() ? json() : json(draft->last_error)},
              {"decided_by", draft->decided_by.empty() ? json() : json(draft->decided_by)}};
}

void register_draft_pages(App& app, httplib::Server& server) {
  auto page = [&app](App::RouteFunction function) {
    return app.route(Surface::kPage, Access::kEditor, function);
  };
  auto api = [&app](App::RouteFunction function) {
    return app.route(Surface::kApi, Access::kEditor, function);
  };
  app.post(server, R"(/items/(\d{1,18})/draft/accept)", page(draft_accept));
  app.post(server, R"(/items/(\d{1,18})/draft/edit)", page(draft_edit));
  app.post(server, R"(/items/(\d{1,18})/draft/discard)", page(draft_discard));
  app.post(server, R"(/items/(\d{1,18})/draft/redo)", page(draft_redo));
  app.post(server, R"(/api/v1/candidates/(\d{1,18})/draft/accept)", api(api_accept));
  app.post(server, R"(/api/v1/candidates/(\d{1,18})/draft/discard)", api(api_discard));
}

}  // namespace herald::web
