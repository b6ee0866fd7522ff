#include "web/discover_pages.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "common/text.h"
#include "config/source_config.h"
#include "web/app.h"
#include "web/security.h"
#include "web/views.h"

namespace herald::web {
namespace {

namespace mustache = kainjow::mustache;

constexpr const char* kDiscoverPath = "/sources/discover";

// A list page's URL is short; a longer one is a paste gone wrong, not a site.
constexpr std::size_t kMaxUrlBytes = 2048;
// A proposed source file is a few KB; the cap keeps an edited one from growing unbounded
// (the body itself is bounded by ServerLimits::max_body_bytes before we get here).
constexpr std::size_t kMaxSourceBytes = 256 * 1024;
// Callback messages can quote a page or a file: shown whole, but never a wall of text.
constexpr std::size_t kMaxMessageBytes = 600;

constexpr std::array kKinds = {SourceKind::kGovernment,  SourceKind::kCourt,
                               SourceKind::kAssociation, SourceKind::kCompany,
                               SourceKind::kMedia,       SourceKind::kPlatform};

// What the admin typed, carried from the form to the preview and to the save form, so a
// failed step never makes them type it again.
struct Form {
  std::string url{};
  std::string id{};
  std::string kind{};
  std::string text{};  // the (possibly edited) source file, on save
};

// Source ids are file names in sources.d/: [a-z0-9-_], as the repair route admits.
bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64) {
    return false;
  }
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) {
      return false;
    }
  }
  return true;
}

bool valid_kind(std::string_view kind) {
  if (kind.empty()) {
    return true;
  }
  for (const SourceKind k : kKinds) {
    if (source_kind_name(k) == kind) {
      return true;
    }
  }
  return false;
}

std::string trimmed(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) {
    return {};
  }
  const auto end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

Form read_form(const httplib::Request& request) {
  Form form;
  form.url = trimmed(request.get_param_value("url"));
  form.id = trimmed(request.get_param_value("id"));
  form.kind = trimmed(request.get_param_value("kind"));
  form.text = request.get_param_value("text");
  return form;
}

// Why the form cannot go to discovery as it is, in the UI's language; empty when it can.
std::string form_problem(const Form& form) {
  if (form.url.empty()) {
    return "请填写来源列表页的网址（以 http:// 或 https:// 开头）";
  }
  if (form.url.size() > kMaxUrlBytes || !is_safe_link(form.url)) {
    return "网址无效：只接受以 http:// 或 https:// 开头、不含空格的完整网址";
  }
  if (!form.id.empty() && !valid_id(form.id)) {
    return "来源 ID 只能包含小写字母、数字、“-”和“_”，最长 64 个字符";
  }
  if (!valid_kind(form.kind)) {
    return "未知的来源类型，请从列表中选择";
  }
  return {};
}

std::string message_of(const Error& error) {
  return truncate_utf8(strip_controls(error.message), kMaxMessageBytes);
}

struct View {
  Form form{};
  std::optional<DiscoveryPreview> preview{};
  std::string error{};
  bool save_failed = false;    // the hint about the packaged service goes with it
  std::string saved_path{};    // non-empty: the file was written
};

void show(App& app, httplib::Response& response, const Principal& principal, const View& view,
          int status = 200) {
  const WebDeps& deps = app.deps();
  mustache::data data;
  data.set("page_title", "添加来源");
  data.set("nav_sources", true);
  data.set("available", static_cast<bool>(deps.discover_source));
  data.set("can_save", static_cast<bool>(deps.save_source));
  data.set("url", view.form.url);
  data.set("id", view.form.id);
  data.set("kind", view.form.kind);
  mustache::data kinds{mustache::data::type::list};
  for (const SourceKind k : kKinds) {
    mustache::data option;
    const std::string name(source_kind_name(k));
    option.set("name", name);
    option.set("label", kind_label(k));
    option.set("selected", name == view.form.kind);
    kinds.push_back(option);
  }
  data.set("kinds", kinds);
  data.set("has_error", !view.error.empty());
  data.set("error", view.error);
  data.set("save_failed", view.save_failed);
  data.set("saved", !view.saved_path.empty());
  data.set("saved_path", view.saved_path);
  data.set("has_preview", view.preview.has_value());
  if (view.preview) {
    const DiscoveryPreview& p = *view.preview;
    data.set("has_problem", !p.problem.empty());
    data.set("problem", truncate_utf8(strip_controls(p.problem), 2 * kMaxMessageBytes));
    data.set("has_proposal", !p.source_text.empty());
    data.set("proposed_id", p.id.empty() ? view.form.id : p.id);
    data.set("confidence", fmt::format("{:.0f}%", 100.0 * std::clamp(p.confidence, 0.0, 1.0)));
    // On a failed save the edited text is what the admin wants back, not the proposal.
    data.set("source_text", view.form.text.empty() ? p.source_text : view.form.text);
    mustache::data summary{mustache::data::type::list};
    for (const std::string& line : p.summary) {
      summary.push_back(mustache::data("line", line));
    }
    data.set("summary", summary);
    data.set("has_summary", !p.summary.empty());
    mustache::data items{mustache::data::type::list};
    for (const DiscoveredItem& item : p.items) {
      mustache::data row;
      row.set("title", item.title);
      row.set("url", item.url);
      row.set("link", is_safe_link(item.url));
      row.set("date", item.date);
      items.push_back(row);
    }
    data.set("items", items);
    data.set("has_items", !p.items.empty());
    data.set("item_count", std::to_string(p.items.size()));
    mustache::data alternatives{mustache::data::type::list};
    for (const std::string& line : p.alternatives) {
      alternatives.push_back(mustache::data("line", line));
    }
    data.set("alternatives", alternatives);
    data.set("has_alternatives", !p.alternatives.empty());
  }
  app.render(response, "discover", std::move(data), &principal, status);
}

void discover_page(App& app, const httplib::Request& request, httplib::Response& response,
                   const Principal& principal) {
  View view;
  view.form = read_form(request);  // a link may prefill the URL; nothing runs on GET
  view.form.text.clear();
  show(app, response, principal, view);
}

void preview(App& app, httplib::Response& response, const Principal& principal, View view) {
  view.form.text.clear();  // a new preview shows the new proposal
  // Discovery fetches the page (seconds): it runs without the store's lock.
  Result<DiscoveryPreview> found =
      app.deps().discover_source(view.form.url, view.form.id, view.form.kind);
  if (!found) {
    view.error = "无法读取该网页：" + message_of(found.error()) +
                 "。请确认网址可以在浏览器中打开，稍后重试，或在服务器上用 "
                 "`herald sources discover URL --page 保存的网页.html` 离线发现";
    show(app, response, principal, view, 502);
    return;
  }
  view.preview = std::move(*found);
  if (view.form.id.empty()) {
    view.form.id = view.preview->id;
  }
  show(app, response, principal, view);
}

void save(App& app, httplib::Response& response, const Principal& principal, View view) {
  if (!app.deps().save_source) {
    view.error = "此进程无法保存来源文件；请在服务器上运行 `sudo herald sources discover URL --write`";
    show(app, response, principal, view, 503);
    return;
  }
  if (!valid_id(view.form.id)) {
    view.error = "保存前请填写来源 ID：只能包含小写字母、数字、“-”和“_”，最长 64 个字符";
    show(app, response, principal, view, 400);
    return;
  }
  if (trimmed(view.form.text).empty() || view.form.text.size() > kMaxSourceBytes) {
    view.error = "来源文件为空或过大（上限 256 KB），请重新预览";
    show(app, response, principal, view, 400);
    return;
  }
  // The textarea posts CRLF line ends; the file keeps the LF its siblings have.
  std::string text;
  text.reserve(view.form.text.size());
  for (std::size_t i = 0; i < view.form.text.size(); ++i) {
    if (view.form.text[i] == '\r' && i + 1 < view.form.text.size() &&
        view.form.text[i + 1] == '\n') {
      continue;
    }
    text.push_back(view.form.text[i]);
  }
  Result<std::string> written = app.deps().save_source(view.form.id, text);
  if (!written) {
    view.error = "未能保存来源文件：" + message_of(written.error());
    view.save_failed = true;
    // Keep the edited file on the page, in the preview's place, so nothing typed is lost.
    DiscoveryPreview kept;
    kept.id = view.form.id;
    kept.source_text = view.form.text;
    view.preview = std::move(kept);
    show(app, response, principal, view, 422);
    return;
  }
  view.saved_path = truncate_utf8(strip_controls(*written), kMaxMessageBytes);
  view.form.text.clear();
  show(app, response, principal, view);
}

// POST /sources/discover: action=preview|save. The guard has checked the session, the
// admin role, the origin and the CSRF token already.
void discover_post(App& app, const httplib::Request& request, httplib::Response& response,
                   const Principal& principal) {
  View view;
  view.form = read_form(request);
  const std::string action = request.get_param_value("action");
  if (action != "preview" && action != "save") {
    app.error_page(response, 400, "未知操作：只能预览或保存", &principal);
    return;
  }
  if (!app.deps().discover_source) {
    view.error = "此进程未启用来源发现；请在服务器上运行 `herald sources discover URL`";
    show(app, response, principal, view, 503);
    return;
  }
  // Checked before any callback: only a real http(s) URL ever reaches the fetcher.
  if (std::string problem = form_problem(view.form); !problem.empty()) {
    view.error = std::move(problem);
    view.form.text.clear();
    show(app, response, principal, view, 400);
    return;
  }
  if (action == "preview") {
    preview(app, response, principal, std::move(view));
  } else {
    save(app, response, principal, std::move(view));
  }
}

}  // namespace

void register_discover_pages(App& app, httplib::Server& server) {
  app.get(server, kDiscoverPath, app.route(Surface::kPage, Access::kAdmin, discover_page));
  app.post(server, kDiscoverPath, app.route(Surface::kPage, Access::kAdmin, discover_post));
}

}  // namespace herald::web
