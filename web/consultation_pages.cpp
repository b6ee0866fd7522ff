#include "web/consultation_pages.h"

#include <spdlog/spdlog.h>

#include "web/app.h"
#include "web/legal_views.h"
#include "web/views.h"

namespace herald::web {
namespace {

namespace mustache = kainjow::mustache;

// More open consultations than this at once is not a list anybody reads to the end.
constexpr int kMaxConsultations = 500;

void consultations_page(App& app, const httplib::Request&, httplib::Response& response,
                        const Principal& principal) {
  const std::string today = desk_today(app);
  auto open = app.with_store(
      [&](Store& store) { return store.open_consultations(today, kMaxConsultations); });
  if (!open) {
    spdlog::error("stage=web consultations: {}", open.error().message);
    app.error_page(response, 500, "暂时无法读取征求意见列表（数据库出错），请稍后再试", &principal);
    return;
  }
  mustache::data rows{mustache::data::type::list};
  for (const Candidate& candidate : *open) {
    // The card's own view: title (edited if any), 来源 as the newsletter prints it, and the
    // legal line with the days left.
    mustache::data row = candidate_view(app, candidate, false);
    const auto days = days_until(today, candidate.legal.value(LegalField::kCommentDeadline));
    row.set("days_left", days ? deadline_left_label(*days) : std::string());
    row.set("due_today", days && *days == 0);
    row.set("comment_how", candidate.legal.value(LegalField::kCommentHow));
    row.set("has_comment_how", !candidate.legal.value(LegalField::kCommentHow).empty());
    rows.push_back(row);
  }
  mustache::data data;
  data.set("page_title", "征求意见");
  data.set("nav_consultations", true);
  data.set("today", today);
  data.set("rows", rows);
  data.set("has_rows", !open->empty());
  data.set("count", std::to_string(open->size()));
  app.render(response, "consultations", std::move(data), &principal);
}

}  // namespace

void register_consultation_pages(App& app, httplib::Server& server) {
  app.get(server, "/consultations", app.route(Surface::kPage, Access::kEditor, consultations_page));
}

}  // namespace herald::web
