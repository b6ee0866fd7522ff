#include "web/repair_pages.h"

#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "web/app.h"
#include "web/security.h"
#include "web/views.h"

namespace herald::web {
namespace {

namespace mustache = kainjow::mustache;

// What sources status and the alert say too.
constexpr const char* kRepairProposed = "layout changed — a repair is proposed";

// Source ids are [a-z0-9-_]; the route's pattern admits nothing else.
constexpr const char* kRepairPath = R"(/sources/([a-z0-9_-]{1,64})/repair)";

// Messages after a redirect, by a fixed key: no request text is echoed.
std::string notice_for(const std::string& key) {
  if (key == "applied") {
    return "已应用修复方案，旧文件已备份；herald 正在重新加载并重新抓取该来源";
  }
  if (key == "discarded") {
    return "已放弃修复方案；网页再次变化时 herald 会重新提出";
  }
  return {};
}

void repair_page(App& app, const httplib::Request& request, httplib::Response& response,
                 const Principal& principal) {
  const std::string id = request.matches[1];
  auto open = app.with_store([&](Store& store) { return store.open_repair(id); });
  if (!open) {
    app.error_page(response, 500, "无法读取修复方案", &principal);
    return;
  }
  mustache::data data;
  data.set("page_title", "修复方案");
  data.set("nav_sources", true);
  data.set("source_id", id);
  data.set("source_name", app.source_name(id));
  const std::string notice = notice_for(request.get_param_value("m"));
  data.set("has_notice", !notice.empty());
  data.set("notice", notice);
  data.set("has_proposal", open->has_value());
  data.set("can_apply", static_cast<bool>(app.deps().decide_repair));
  if (*open) {
    const RepairProposal& p = **open;
    data.set("headline", kRepairProposed);
    data.set("proposal_id", std::to_string(p.id));
    data.set("cause", p.cause);
    data.set("created", app.format_time(p.created_at, id, true));
    data.set("page_url", p.page_url);
    data.set("page_link", is_safe_link(p.page_url));
    data.set("items_found", std::to_string(p.items_found));
    data.set("known_found", std::to_string(p.known_found));
    data.set("known_total", std::to_string(p.known_total));
    data.set("refinds_none", p.known_total > 0 && p.known_found == 0);
    data.set("confidence", fmt::format("{:.2f}", p.confidence));
    data.set("summary", p.summary);
    data.set("diff", p.diff);
    data.set("proposed_text", p.proposed_text);
    mustache::data items{mustache::data::type::list};
    const auto parsed = nlohmann::json::parse(p.items, nullptr, false);
    if (parsed.is_array()) {
      for (const auto& item : parsed) {
        if (!item.is_object()) {
          continue;
        }
        mustache::data row;
        const std::string url = item.value("url", std::string());
        row.set("title", item.value("title", std::string()));
        row.set("url", url);
        row.set("link", is_safe_link(url));
        row.set("date", item.value("date", std::string()));
        row.set("known", item.value("known", false));
        items.push_back(row);
      }
    }
    data.set("items", items);
  }
  app.render(response, "repair", std::move(data), &principal);
}

// POST /sources/ID/repair: action=apply|discard. The guard has checked the session, the
// admin role, the origin and the CSRF token already.
void repair_decide(App& app, const httplib::Request& request, httplib::Response& response,
                   const Principal& principal) {
  const std::string id = request.matches[1];
  const std::string action = request.get_param_value("action");
  if (action != "apply" && action != "discard") {
    app.error_page(response, 400, "未知操作：只能应用或放弃修复方案", &principal);
    return;
  }
  const bool apply = action == "apply";
  const std::string& actor = principal.user.name;
  const std::int64_t now = app.now();
  Result<std::string> decided = [&]() -> Result<std::string> {
    if (app.deps().decide_repair) {
      return app.with_store(
          [&](Store& store) { return app.deps().decide_repair(store, id, apply, actor); });
    }
    if (apply) {
      return fail(ErrorCode::kUsage,
                  "应用修复需要 herald serve 运行；请在服务器上执行 "
                  "`herald sources repair ID --apply`");
    }
    return app.with_store([&](Store& store) -> Result<std::string> {
      auto open = store.open_repair(id);
      if (!open) {
        return fail(std::move(open.error()));
      }
      if (!*open) {
        return fail(ErrorCode::kNotFound, "此来源没有待处理的修复建议");
      }
      if (auto closed =
              store.close_repair((*open)->id, RepairState::kDiscarded, actor, now);
          !closed) {
        return fail(std::move(closed.error()));
      }
      return std::string("discarded");
    });
  }();
  if (!decided) {
    app.error_page(response, status_for(decided.error()),
                   truncate_utf8(strip_controls(decided.error().message), 400), &principal);
    return;
  }
  App::see_other(response,
                 fmt::format("/sources/{}/repair?m={}", id, apply ? "applied" : "discarded"));
}

}  // namespace

void register_repair_pages(App& app, httplib::Server& server) {
  app.get(server, kRepairPath, app.route(Surface::kPage, Access::kAdmin, repair_page));
  app.post(server, kRepairPath, app.route(Surface::kPage, Access::kAdmin, repair_decide));
}

}  // namespace herald::web
