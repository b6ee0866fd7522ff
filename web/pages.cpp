// The HTML pages: login, queue, item, sources, export, users.

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/text.h"
#include "storage/evidence.h"
#include "web/app.h"
#include "web/consultation_pages.h"
#include "web/draft_pages.h"
#include "web/legal_views.h"
#include "web/queue_params.h"
#include "web/security.h"
#include "web/views.h"

namespace herald::web {
namespace {

namespace mustache = kainjow::mustache;

constexpr int kQueuePageSize = 30;

// "12,345": a search's capped total, which editors read at a glance.
std::string grouped_thousands(std::int64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t at = 0; at < digits.size(); ++at) {
    if (at > 0 && (digits.size() - at) % 3 == 0) {
      out += ',';
    }
    out += digits[at];
  }
  return out;
}

// Messages after a redirect, chosen by a fixed key so no request text is ever echoed.
std::string notice_for(const httplib::Request& request) {
  static const std::map<std::string, std::string> kNotices = {
      {"saved", "已保存修改"},       {"accepted", "已采用"},        {"rejected", "已拒绝"},
      {"pending", "已退回待审"},     {"published", "已将本月采用的条目标记为已发布"},
      {"none", "没有选中任何条目"},
      {"publish_empty", "本月没有已采用的条目，没有任何条目被标记为已发布"},
      {"user_disable", "已停用该用户，其登录会话已全部结束"},
      {"user_enable", "已启用该用户"},
      {"user_remove", "已删除该用户，其登录会话已全部结束"},
      {"user_admin", "已设为管理员，该用户需重新登录"},
      {"user_editor", "已设为编辑，该用户需重新登录"},
      {"draft_discarded", "已丢弃草稿，原文未改动"},
      {"draft_redo", "已重新排队起草，稍后刷新本页查看"},
      {"moved", "已调整顺序"},
      {"legal_saved", "已保存法律信息"},
  };
  auto it = kNotices.find(request.get_param_value("m"));
  return it == kNotices.end() ? "" : it->second;
}

void set_notice(mustache::data& data, const httplib::Request& request) {
  const std::string notice = notice_for(request);
  data.set("notice", notice);
  data.set("has_notice", !notice.empty());
  // Notices that report nothing done are not shown as a success.
  data.set("notice_class", request.get_param_value("m") == "publish_empty" ? "alert-error"
                                                                            : "alert-ok");
}

// "2023-11" for the month before `utc` in the newsletter's zone: the edition editors
// usually assemble.
std::string previous_month(std::int64_t utc, int offset_seconds) {
  const CivilDate today = civil_from_days((utc + offset_seconds) / 86400);
  const int month = today.month == 1 ? 12 : today.month - 1;
  const std::int64_t year = today.month == 1 ? today.year - 1 : today.year;
  return fmt::format("{:04}-{:02}", year, month);
}

mustache::data options(const std::vector<std::pair<std::string, std::string>>& values,
                       const std::string& selected) {
  mustache::data list{mustache::data::type::list};
  for (const auto& [value, label] : values) {
    mustache::data option;
    option.set("value", value);
    option.set("label", label);
    option.set("selected", value == selected);
    list.push_back(option);
  }
  return list;
}

const std::vector<std::pair<std::string, std::string>>& state_options() {
  static const std::vector<std::pair<std::string, std::string>> kStates = {
      {"pending", "待审"}, {"accepted", "已采用"}, {"rejected", "已拒绝"},
      {"published", "已发布"}, {"all", "全部"}};
  return kStates;
}

// What the store's refusal of candidate `id`'s change means, for the editors: the store
// words its errors for the CLI's admins, in English. A decision refused as kUsage is one
// on a published candidate (the only one the store refuses; the forms send no other).
std::string change_error(std::int64_t id, const Error& error, bool decision) {
  switch (error.code) {
    case ErrorCode::kNotFound: return fmt::format("没有第 {} 条", id);
    case ErrorCode::kUsage:
      return decision ? fmt::format("第 {} 条已在月刊中发布，状态不能再更改", id)
                      : error.message;  // make_edit's own checks, already in Chinese
    default:
      return fmt::format("第 {} 条暂时无法更新（数据库出错），请稍后再试；如反复出现，请联系管理员",
                         id);
  }
}

void queue_page(App& app, const httplib::Request& request, httplib::Response& response,
                const Principal& principal) {
  auto params = parse_queue_params(request, app.deps().sources, app.deps().utc_offset_seconds,
                                   kQueuePageSize);
  if (!params) {
    app.error_page(response, 400, params.error().message, &principal);
    return;
  }
  QueuePage page;
  if (!params->no_match) {
    params->query.count_up_to = kSearchCountUpTo;
    auto result = app.with_store([&](Store& store) { return store.query_queue(params->query); });
    if (!result) {
      spdlog::error("stage=web queue: {}", result.error().message);
      app.error_page(response, status_for(result.error()), "无法读取队列", &principal);
      return;
    }
    page = std::move(*result);
  }

  mustache::data data;
  data.set("page_title", "审核队列");
  data.set("nav_queue", true);
  set_notice(data, request);
  data.set("states", options(state_options(), params->state));
  std::vector<std::pair<std::string, std::string>> sections{{"", "全部栏目"}};
  for (const std::string& section : app.sections()) {
    sections.emplace_back(section, section);
  }
  data.set("sections", options(sections, params->section));
  std::vector<std::pair<std::string, std::string>> sources{{"", "全部来源"}};
  for (const SourceConfig& source : app.deps().sources) {
    sources.emplace_back(source.id, source.name.empty() ? source.id : source.name);
  }
  data.set("sources", options(sources, params->source));
  std::vector<std::pair<std::string, std::string>> kinds{{"", "全部类型"}};
  for (SourceKind kind : {SourceKind::kGovernment, SourceKind::kCourt, SourceKind::kAssociation,
                          SourceKind::kCompany, SourceKind::kMedia, SourceKind::kPlatform}) {
    kinds.emplace_back(std::string(source_kind_name(kind)), kind_label(kind));
  }
  data.set("kinds", options(kinds, params->kind));
  data.set("from", params->from);
  data.set("to", params->to);
  data.set("min_score", params->min_score);
  data.set("q", params->text);
  // The legal filters (docs/legal.md): 文种, 有截止日期, 截止日期不晚于.
  std::vector<std::pair<std::string, std::string>> instruments{{"", "全部文种"}};
  for (std::string_view type : kInstrumentTypes) {
    instruments.emplace_back(std::string(type), std::string(type));
  }
  if (!params->instrument.empty() &&
      std::none_of(kInstrumentTypes.begin(), kInstrumentTypes.end(),
                   [&](std::string_view type) { return type == params->instrument; })) {
    // An editor's own word, from a link: kept selected rather than silently dropped.
    instruments.emplace_back(params->instrument, params->instrument);
  }
  data.set("instruments", options(instruments, params->instrument));
  data.set("has_deadline", !params->has_deadline.empty());
  data.set("deadline_until", params->deadline_until);

  mustache::data cards{mustache::data::type::list};
  for (std::size_t n = 0; n < page.items.size(); ++n) {
    mustache::data view = candidate_view(app, page.items[n], false);
    // Where a decision made with this card's button comes back to (queue_bulk): the next
    // card, else the one before, so the page keeps its place instead of jumping to the top.
    const std::size_t next = n + 1 < page.items.size() ? n + 1 : (n > 0 ? n - 1 : n);
    view.set("next_id", next != n ? std::to_string(page.items[next].id) : std::string());
    cards.push_back(view);
  }
  data.set("cards", cards);
  data.set("has_cards", !page.items.empty());
  const std::int64_t first = page.items.empty() ? 0 : params->query.offset + 1;
  const std::int64_t last = params->query.offset + static_cast<std::int64_t>(page.items.size());
  // A capped search total reads "共 1,000+ 条": there are more, not counted.
  data.set("range", page.total == 0
                        ? std::string("没有符合条件的条目")
                        : fmt::format("第 {}–{} 条，共 {} 条", first, last,
                                      page.total_is_lower_bound
                                          ? grouped_thousands(page.total) + "+"
                                          : std::to_string(page.total)));
  const std::string filters = queue_query_string(*params);
  auto page_href = [&filters](int n) {
    return fmt::format("/queue?{}{}page={}", filters, filters.empty() ? "" : "&", n);
  };
  // A page past the end (an old link, a typed number) says so and links to the last page,
  // instead of "第 0–29940 条" over an empty list.
  const bool past_end = page.items.empty() && page.total > 0 && params->query.offset > 0;
  if (past_end) {
    const std::int64_t size = std::max(params->page_size, 1);
    const std::int64_t last_page = (page.total + size - 1) / size;
    data.set("range", fmt::format("第 {} 页已超出范围：共 {}{} 条，最后一页是第 {} 页",
                                  params->page, page.total_is_lower_bound ? "至少 " : "",
                                  page.total, last_page));
    data.set("past_end", true);
    data.set("last_page_href", page_href(static_cast<int>(last_page)));
  }
  data.set("has_prev", params->page > 1 && !past_end);
  data.set("prev_href", page_href(params->page - 1));
  data.set("has_next", last < page.total || (page.total_is_lower_bound && !page.items.empty()));
  data.set("next_href", page_href(params->page + 1));
  data.set("back", fmt::format("{}{}page={}", filters, filters.empty() ? "" : "&", params->page));
  data.set("showing_pending", params->query.state == ReviewState::kPending);
  // "全部 N 条符合当前筛选的候选": bulk accept/reject of every pending card the filter
  // matches, on every page (queue_bulk_filter). Offered only over pending cards, with an
  // exact count (a capped search count is not one the editor can confirm).
  const bool bulk_filter = params->query.state == ReviewState::kPending && page.total > 0 &&
                           !page.total_is_lower_bound;
  data.set("bulk_filter", bulk_filter);
  data.set("bulk_total", std::to_string(page.total));
  data.set("filters", filters);
  app.render(response, "queue", std::move(data), &principal);
}

std::string safe_back(const std::string& back);  // below

// POST /queue/bulk-filter (filters, action, reason, count, confirmed): decides every pending
// card the queue's filters match. The first post shows a confirmation page with the
// number of cards; the confirmed post carries the number the editor confirmed, and when
// the queue changed meanwhile (new polls, another editor) the page asks again with the
// new number instead of deciding cards nobody saw counted.
void queue_bulk_filter(App& app, const httplib::Request& request, httplib::Response& response,
                       const Principal& principal) {
  const std::string action = request.get_param_value("action");
  const auto state = parse_decision(action);
  if (!state || *state == ReviewState::kPending) {
    app.error_page(response, 400, "未知操作：只能全部采用或全部拒绝", &principal);
    return;
  }
  const std::string filters = safe_back(request.get_param_value("filters"));
  httplib::Request filter_request;
  httplib::detail::parse_query_text(filters, filter_request.params);
  filter_request.params.erase("state");  // pending only, whatever the link said
  filter_request.params.erase("page");
  auto params = parse_queue_params(filter_request, app.deps().sources,
                                   app.deps().utc_offset_seconds, kQueuePageSize);
  if (!params) {
    app.error_page(response, 400, params.error().message, &principal);
    return;
  }
  const std::string reason = truncate_utf8(
      is_valid_utf8(request.get_param_value("reason")) ? request.get_param_value("reason") : "",
      kMaxReasonBytes);
  const bool confirmed = request.get_param_value("confirmed") == "1";
  std::optional<std::int64_t> seen;
  if (const std::string count = request.get_param_value("count"); !count.empty()) {
    seen = parse_id(count);
  }
  const std::int64_t now = app.now();
  auto decided = app.with_store([&](Store& store) -> Result<Store::BulkDecision> {
    if (params->no_match) {
      return Store::BulkDecision{};
    }
    if (!confirmed || !seen) {
      auto count = store.count_matching_pending(params->query);
      if (!count) {
        return fail(std::move(count.error()));
      }
      return Store::BulkDecision{.cards = *count, .count_changed = true};
    }
    return store.decide_matching(params->query, *state, reason, principal.user.name, now, seen);
  });
  if (!decided) {
    app.error_page(response, status_for(decided.error()), "暂时无法批量处理（数据库出错），请稍后再试",
                   &principal);
    return;
  }
  const std::string back = filters.empty() ? "state=pending" : filters;
  if (decided->cards == 0 && !decided->count_changed) {
    App::see_other(response, fmt::format("/queue?{}&m=none", back));
    return;
  }
  if (decided->count_changed) {
    if (decided->cards == 0) {
      App::see_other(response, fmt::format("/queue?{}&m=none", back));
      return;
    }
    mustache::data data;
    data.set("page_title", "确认批量操作");
    data.set("nav_queue", true);
    const bool accept = *state == ReviewState::kAccepted;
    data.set("action", action);
    data.set("action_label", accept ? "全部采用" : "全部拒绝");
    data.set("count", std::to_string(decided->cards));
    data.set("filters", filters);
    data.set("reason", reason);
    data.set("has_reason", !reason.empty());
    data.set("back_href", "/queue?" + back);
    // Which cards the count is of: the filters, spelled out, so that none is a surprise.
    mustache::data described{mustache::data::type::list};
    for (const std::string& text : describe_filters(*params, app.deps().sources)) {
      described.push_back(mustache::data("text", text));
    }
    data.set("filter_list", described);
    data.set("has_filter_list", !describe_filters(*params, app.deps().sources).empty());
    // A confirmed post whose count no longer matches: say why the question comes again.
    data.set("changed", confirmed && seen.has_value());
    data.set("seen", seen ? std::to_string(*seen) : std::string());
    app.render(response, "queue_confirm", std::move(data), &principal);
    return;
  }
  App::see_other(response, fmt::format("/queue?{}&m={}", back, review_state_name(*state)));
}

// The query string a form sent back ("state=all&page=2"), re-encoded so that nothing but
// a query can come out of it.
std::string safe_back(const std::string& back) {
  std::string out;
  for (char c : back) {
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                       (c >= '0' && c <= '9') || std::string_view("-_.~%=&+").find(c) !=
                                                     std::string_view::npos;
    out += plain ? std::string(1, c) : fmt::format("%{:02X}", static_cast<unsigned char>(c));
  }
  return out.substr(0, 2000);
}

void queue_bulk(App& app, const httplib::Request& request, httplib::Response& response,
                const Principal& principal) {
  std::vector<std::int64_t> ids;
  std::string action = request.get_param_value("action");
  const std::string single = request.get_param_value("single");
  std::string anchor;  // "#c13": the card to come back to after a single decision
  if (!single.empty()) {
    // One card's own button: "accept:12", or "accept:12:13" with the card to return to.
    const auto colon = single.find(':');
    action = single.substr(0, colon);
    const std::string rest = colon == std::string::npos ? "" : single.substr(colon + 1);
    const auto second = rest.find(':');
    if (auto id = parse_id(rest.substr(0, second))) {
      ids.push_back(*id);
    }
    if (second != std::string::npos) {
      if (auto next = parse_id(rest.substr(second + 1))) {
        anchor = fmt::format("#c{}", *next);
      }
    }
  } else {
    const std::size_t count = std::min<std::size_t>(request.get_param_value_count("ids"), 500);
    for (std::size_t i = 0; i < count; ++i) {
      if (auto id = parse_id(request.get_param_value("ids", i))) {
        ids.push_back(*id);
      }
    }
  }
  const auto state = parse_decision(action);
  const std::string back = safe_back(request.get_param_value("back"));
  if (!state) {
    app.error_page(response, 400, "未知操作", &principal);
    return;
  }
  if (ids.empty()) {
    App::see_other(response, fmt::format("/queue?{}&m=none", back));
    return;
  }
  const std::string reason = truncate_utf8(
      is_valid_utf8(request.get_param_value("reason")) ? request.get_param_value("reason") : "",
      kMaxReasonBytes);
  const std::int64_t now = app.now();
  for (std::int64_t id : ids) {
    CandidateEdit edit{.state = *state, .reason = reason};
    auto result = app.with_store(
        [&](Store& store) { return store.edit_candidate(id, edit, principal.user.name, now); });
    if (!result) {
      app.error_page(response, status_for(result.error()), change_error(id, result.error(), true),
                     &principal);
      return;
    }
  }
  App::see_other(response,
                 fmt::format("/queue?{}&m={}{}", back, review_state_name(*state), anchor));
}

// The pending candidate that follows `id` in the queue's order (its first page of
// kNextPendingWindow cards), or, when `id` is not among them (just decided, or further
// down), the first pending one: what an editor deciding one by one wants next.
std::optional<std::int64_t> next_pending(App& app, std::int64_t id) {
  constexpr int kNextPendingWindow = 200;
  auto page = app.with_store([&](Store& store) {
    return store.query_queue(QueueQuery{.state = ReviewState::kPending,
                                        .limit = kNextPendingWindow});
  });
  if (!page) {
    return std::nullopt;  // the link is a convenience: the page shows without it
  }
  const auto& items = page->items;
  const auto at = std::find_if(items.begin(), items.end(),
                               [id](const Candidate& c) { return c.id == id; });
  if (at != items.end()) {
    return at + 1 != items.end() ? std::optional<std::int64_t>((at + 1)->id) : std::nullopt;
  }
  return items.empty() ? std::nullopt : std::optional<std::int64_t>(items.front().id);
}

// What the legal form shows after a refused post: the values the editor typed and why
// they were refused, so nothing typed is lost.
struct LegalFormState {
  std::array<std::string, kLegalFieldCount> values{};
  std::string error{};
};

void show_item(App& app, const httplib::Request& request, httplib::Response& response,
               const Principal& principal, std::int64_t id_value,
               const LegalFormState* legal_form) {
  const std::optional<std::int64_t> id = id_value;
  auto loaded = app.with_store([&](Store& store) { return load_candidate_record(store, *id); });
  if (!loaded) {
    app.error_page(response, status_for(loaded.error()),
                   loaded.error().code == ErrorCode::kNotFound ? "没有这个条目" : "无法读取条目",
                   &principal);
    return;
  }
  const Candidate& candidate = loaded->candidate;
  mustache::data data;
  data.set("page_title", candidate.edited_title.empty() ? candidate.title : candidate.edited_title);
  data.set("nav_queue", true);
  set_notice(data, request);
  data.set("item", candidate_view(app, candidate, true));
  const std::optional<std::int64_t> next = next_pending(app, *id);
  data.set("has_next_pending", next.has_value());
  data.set("next_pending", next ? std::to_string(*next) : std::string());
  std::vector<std::pair<std::string, std::string>> sections;
  for (const std::string& section : app.sections()) {
    sections.emplace_back(section, section);
  }
  if (std::none_of(sections.begin(), sections.end(),
                   [&](const auto& s) { return s.first == candidate.section; }) &&
      !candidate.section.empty()) {
    sections.emplace_back(candidate.section, candidate.section);
  }
  data.set("section_options", options(sections, candidate.section));
  mustache::data audit{mustache::data::type::list};
  for (auto it = loaded->audit.rbegin(); it != loaded->audit.rend(); ++it) {
    mustache::data entry;
    entry.set("at", app.format_time(it->at, "", true));
    entry.set("actor", it->actor);
    entry.set("action", audit_action_label(it->action));
    entry.set("detail", it->detail);
    audit.push_back(entry);
  }
  data.set("audit", audit);
  data.set("has_audit", !loaded->audit.empty());
  mustache::data evidence{mustache::data::type::list};
  for (const EvidenceRecord& record : loaded->evidence) {
    mustache::data entry;
    entry.set("kind", evidence_kind_label(record.kind));
    entry.set("fetched_at", app.format_precise(record.fetched_at));
    entry.set("status", std::to_string(record.status));
    // Text only: the final URL is whatever the site redirected to.
    entry.set("final_url", record.final_url.empty() ? record.url : record.final_url);
    entry.set("sha256", record.body_sha256);
    entry.set("downloadable", is_sha256_hex(record.body_sha256));
    entry.set("size", std::to_string(record.size));
    evidence.push_back(entry);
  }
  data.set("evidence", evidence);
  data.set("has_evidence", !loaded->evidence.empty());
  // The draft box (web/draft_pages.cpp); a draft that cannot be read only hides the box.
  auto draft = app.with_store([&](Store& store) { return store.draft_for(*id); });
  set_draft_view(data, *id, draft ? *draft : std::nullopt);
  // The legal form: the stored values, or after a refused post the ones typed.
  std::array<std::string, kLegalFieldCount> values;
  for (std::size_t i = 0; i < kLegalFieldCount; ++i) {
    values[i] = legal_form != nullptr ? legal_form->values[i] : candidate.legal.fields[i].value;
  }
  data.set("legal_form", legal_form_view(values));
  data.set("legal_error", legal_form != nullptr ? legal_form->error : std::string());
  data.set("has_legal_error", legal_form != nullptr && !legal_form->error.empty());
  app.render(response, "item", std::move(data), &principal,
             legal_form != nullptr && !legal_form->error.empty() ? 400 : 200);
}

void item_page(App& app, const httplib::Request& request, httplib::Response& response,
               const Principal& principal) {
  const auto id = parse_id(request.matches[1]);
  if (!id) {
    app.error_page(response, 404, "没有这个条目", &principal);
    return;
  }
  show_item(app, request, response, principal, *id, nullptr);
}

// POST /items/ID/legal: the eight legal fields (docs/legal.md); "" clears one. Audited by
// the store ("edit_legal"). A refused value shows the page again with what was typed and
// the reason beside the form.
void item_legal(App& app, const httplib::Request& request, httplib::Response& response,
                const Principal& principal) {
  const auto id = parse_id(request.matches[1]);
  if (!id) {
    app.error_page(response, 404, "没有这个条目", &principal);
    return;
  }
  auto edit = legal_edit_from_form(request);
  Result<Candidate> result = fail(ErrorCode::kUsage, "");
  if (edit) {
    const std::int64_t now = app.now();
    result = app.with_store(
        [&](Store& store) { return store.edit_legal(*id, *edit, principal.user.name, now); });
  }
  const Error* error = !edit ? &edit.error() : !result ? &result.error() : nullptr;
  if (error == nullptr) {
    App::see_other(response, fmt::format("/items/{}?m=legal_saved#legal", *id));
    return;
  }
  if (error->code != ErrorCode::kUsage) {
    app.error_page(response, status_for(*error), change_error(*id, *error, false), &principal);
    return;
  }
  LegalFormState state;
  for (std::size_t i = 0; i < kLegalFieldCount; ++i) {
    const std::string value = request.get_param_value(std::string(kLegalFieldNames[i]));
    state.values[i] = is_valid_utf8(value) ? value : std::string();
  }
  state.error = error->message;
  show_item(app, request, response, principal, *id, &state);
}

// GET /evidence/<sha256>: an archived body, re-hashed, always as a download. The page
// came from another site; shown inline it would run that site's script on this origin.
void evidence_download(App& app, const httplib::Request& request, httplib::Response& response,
                       const Principal& principal) {
  const std::string sha256 = request.matches[1];
  if (!is_sha256_hex(sha256)) {
    app.error_page(response, 404, "没有这份存档（地址应为 64 位小写十六进制的 SHA-256）",
                   &principal);
    return;
  }
  auto records = app.with_store(
      [&](Store& store) { return evidence_with_body(store.database(), sha256); });
  if (!records) {
    spdlog::error("stage=web evidence {}: {}", sha256, records.error().message);
    app.error_page(response, 500, "无法读取存档记录", &principal);
    return;
  }
  if (records->empty()) {
    app.error_page(response, 404, "没有这份存档", &principal);
    return;
  }
  // Outside the store's lock: a body can be megabytes, and read() re-hashes all of it.
  auto body = EvidenceArchive(app.deps().evidence_dir).read(sha256);
  if (!body) {
    spdlog::error("stage=web evidence {}: {}", sha256, body.error().message);
    app.error_page(response, 500,
                   body.error().code == ErrorCode::kNotFound
                       ? "存档文件缺失，无法下载。请管理员运行 herald evidence verify 检查存档"
                       : "存档文件已损坏（内容与 SHA-256 不符），不予下载。请管理员运行 herald "
                         "evidence verify 检查存档",
                   &principal);
    return;
  }
  response.set_content(*body, "application/octet-stream");
  response.set_header("Content-Disposition",
                      fmt::format("attachment; filename=\"{}\"",
                                  evidence_file_name(records->front())));
  // Sent on every response already (security_headers); never without it here.
  if (!response.has_header("X-Content-Type-Options")) {
    response.set_header("X-Content-Type-Options", "nosniff");
  }
}

void item_edit(App& app, const httplib::Request& request, httplib::Response& response,
               const Principal& principal) {
  const auto id = parse_id(request.matches[1]);
  if (!id) {
    app.error_page(response, 404, "没有这个条目", &principal);
    return;
  }
  EditInput input;
  input.allowed_sections = app.sections();
  if (request.has_param("title")) {
    input.title = request.get_param_value("title");
  }
  if (request.has_param("summary")) {
    input.summary = request.get_param_value("summary");
  }
  if (request.has_param("section")) {
    input.section = request.get_param_value("section");
  }
  if (request.has_param("commentary")) {
    input.commentary = request.get_param_value("commentary");
  }
  const std::int64_t now = app.now();
  auto result = app.with_store(
      [&](Store& store) { return apply_edit(store, *id, input, principal.user.name, now); });
  if (!result) {
    app.error_page(response, status_for(result.error()), change_error(*id, result.error(), false),
                   &principal);
    return;
  }
  App::see_other(response, fmt::format("/items/{}?m=saved", *id));
}

void item_decision(App& app, const httplib::Request& request, httplib::Response& response,
                   const Principal& principal) {
  const auto id = parse_id(request.matches[1]);
  const auto state = parse_decision(request.get_param_value("decision"));
  if (!id || !state) {
    app.error_page(response, 400, "未知操作", &principal);
    return;
  }
  const std::string reason = request.get_param_value("reason");
  if (!is_valid_utf8(reason) || reason.size() > kMaxReasonBytes) {
    app.error_page(response, 400, "理由过长或不是文本", &principal);
    return;
  }
  const std::int64_t now = app.now();
  CandidateEdit edit{.state = *state, .reason = collapse_whitespace(reason)};
  auto result = app.with_store(
      [&](Store& store) { return store.edit_candidate(*id, edit, principal.user.name, now); });
  if (!result) {
    app.error_page(response, status_for(result.error()), change_error(*id, result.error(), true),
                   &principal);
    return;
  }
  App::see_other(response, fmt::format("/items/{}?m={}", *id, review_state_name(*state)));
}

void sources_page(App& app, const httplib::Request&, httplib::Response& response,
                  const Principal& principal) {
  const std::int64_t now = app.now();
  auto health = app.with_store([&](Store& store) { return store.source_health(now); });
  if (!health) {
    app.error_page(response, 500, "无法读取来源状态", &principal);
    return;
  }
  std::map<std::string, const SourceHealth*> by_id;
  for (const SourceHealth& h : *health) {
    by_id[h.source_id] = &h;
  }
  mustache::data rows{mustache::data::type::list};
  int alerts = 0;
  auto add_row = [&](const std::string& id, const SourceConfig* config, const SourceHealth* h) {
    mustache::data row;
    row.set("id", id);
    row.set("name", config != nullptr && !config->name.empty() ? config->name : id);
    row.set("kind", config != nullptr ? kind_label(config->kind) : "");
    const bool manual = config != nullptr && config->mode == SourceMode::kManual;
    const SourceHealth health = source_health_for(id, config, h);
    row.set("mode", config == nullptr ? "已移除"
                    : manual          ? "手动录入"
                                      : fmt::format("自动 · {}", source_type_name(config->type)));
    row.set("manual", manual);
    row.set("manual_reason", config != nullptr ? config->manual_reason : "");
    const bool enabled = config == nullptr || config->enabled;
    row.set("enabled", enabled);
    row.set("url", config != nullptr ? config->url : "");
    row.set("link", config != nullptr && is_safe_link(config->url));
    row.set("last_success",
            h != nullptr && h->last_success_at ? app.format_time(*h->last_success_at, id, true)
                                               : "—");
    row.set("last_poll",
            h != nullptr && h->last_poll_at ? app.format_time(*h->last_poll_at, id, true) : "—");
    row.set("outcome", outcome_label(h != nullptr ? h->last_outcome : ""));
    row.set("polled", h != nullptr);
    row.set("ok", h != nullptr && (h->last_outcome == "ok" || h->last_outcome == "not_modified"));
    row.set("last_error", h != nullptr ? h->last_error : "");
    row.set("failures", std::to_string(h != nullptr ? h->consecutive_failures : 0));
    row.set("items_30d", std::to_string(h != nullptr ? h->items_last_30_days : 0));
    row.set("items_total", std::to_string(h != nullptr ? h->items_total : 0));
    row.set("state", std::string(health_state_name(health.state)));
    row.set("state_label", health_state_label(health.state));
    row.set("state_class", health_badge_class(health.state));
    mustache::data notes{mustache::data::type::list};
    auto note = [&notes](const std::string& text) {
      if (!text.empty()) {
        notes.push_back(mustache::data("text", text));
      }
    };
    if (health.state != HealthState::kNeverPolled || enabled) {
      note(health_reason_label(health, now));
    }
    // An empty page on a source that never matched is no layout change (its selectors
    // never worked), but still worth a word until failures make it "failing".
    if (health.state == HealthState::kOk && health.matched_nothing) {
      note("页面没有匹配到任何条目（此前也从未匹配）：请检查选择器");
    }
    if (!enabled) {
      note("已停用");
    }
    // Self-repair (web/repair_pages.cpp): the proposal and its buttons are admin-only.
    row.set("repair", h != nullptr && h->repair_proposed);
    const bool alert = enabled && is_unhealthy(health.state);
    alerts += alert ? 1 : 0;
    row.set("alert", alert);
    row.set("notes", notes);
    rows.push_back(row);
  };
  for (const SourceConfig& config : app.deps().sources) {
    auto it = by_id.find(config.id);
    add_row(config.id, &config, it == by_id.end() ? nullptr : it->second);
    if (it != by_id.end()) {
      by_id.erase(it);
    }
  }
  for (const auto& [id, h] : by_id) {
    add_row(id, nullptr, h);
  }
  mustache::data data;
  data.set("page_title", "来源状态");
  data.set("nav_sources", true);
  data.set("rows", rows);
  data.set("alerts", std::to_string(alerts));
  data.set("has_alerts", alerts > 0);
  data.set("count", std::to_string(app.deps().sources.size()));
  app.render(response, "sources", std::move(data), &principal);
}

void export_page(App& app, const httplib::Request& request, httplib::Response& response,
                 const Principal& principal) {
  std::string month = request.get_param_value("month");
  if (month.empty()) {
    month = previous_month(app.now(), app.deps().utc_offset_seconds);
  }
  mustache::data data;
  data.set("page_title", "导出月刊");
  data.set("nav_export", true);
  set_notice(data, request);
  if (!is_valid_month(month)) {
    app.error_page(response, 400, "月份格式应为 YYYY-MM", &principal);
    return;
  }
  data.set("month", month);
  data.set("configured", static_cast<bool>(app.deps().build_edition));
  if (app.deps().build_edition) {
    auto edition = app.with_store([&](Store& store) { return app.deps().build_edition(store, month); });
    if (!edition) {
      app.error_page(response, status_for(edition.error()), edition.error().message, &principal);
      return;
    }
    // Preview in the newsletter's order: sections as listed, then any others.
    std::vector<std::string> order = edition->sections;
    for (const EditionItem& item : edition->items) {
      const std::string name = item.section.empty() ? "其他" : item.section;
      if (std::find(order.begin(), order.end(), name) == order.end()) {
        order.push_back(name);
      }
    }
    mustache::data sections{mustache::data::type::list};
    int section_number = 0;
    for (const std::string& name : order) {
      mustache::data items{mustache::data::type::list};
      int n = 0;
      const auto in_section = std::count_if(
          edition->items.begin(), edition->items.end(), [&](const EditionItem& item) {
            return (item.section.empty() ? "其他" : item.section) == name;
          });
      for (const EditionItem& item : edition->items) {
        if ((item.section.empty() ? "其他" : item.section) != name) {
          continue;
        }
        mustache::data entry;
        entry.set("n", std::to_string(++n));
        entry.set("title", printed_title(item));  // with its 文号, as the download prints it
        entry.set("date", item.published_date ? format_chinese_date(*item.published_date)
                                              : item.published_text);
        entry.set("source", item.source_name);
        entry.set("url", item.url);
        entry.set("link", is_safe_link(item.url));
        entry.set("summary", item.summary);
        entry.set("commentary", item.commentary);
        entry.set("has_commentary", !item.commentary.empty());
        // Up/down on the month's page (export_move): not on the first/last of a section.
        entry.set("id", std::to_string(item.candidate_id));
        entry.set("movable", item.candidate_id > 0);
        entry.set("can_up", n > 1);
        entry.set("can_down", n < in_section);
        items.push_back(entry);
      }
      if (n == 0) {
        continue;
      }
      mustache::data section;
      section.set("numeral", chinese_numeral(++section_number));
      section.set("name", name);
      section.set("items", items);
      sections.push_back(section);
    }
    data.set("sections", sections);
    data.set("count", std::to_string(edition->items.size()));
    data.set("has_items", !edition->items.empty());
  }
  app.render(response, "export", std::move(data), &principal);
}

// POST /export/move (month, id, dir = up | down): moves one item within its section on
// the month's page. The section's order as shown becomes explicit positions 1..n with the
// two neighbours swapped, so what the editor saw is what moves.
void export_move(App& app, const httplib::Request& request, httplib::Response& response,
                 const Principal& principal) {
  const std::string month = request.get_param_value("month");
  const std::string dir = request.get_param_value("dir");
  const auto id = parse_id(request.get_param_value("id"));
  if (!is_valid_month(month) || !id || (dir != "up" && dir != "down")) {
    app.error_page(response, 400, "请求不完整：需要月份、条目编号和方向（上移或下移）", &principal);
    return;
  }
  if (!app.deps().build_edition) {
    app.error_page(response, 503, "导出功能未配置", &principal);
    return;
  }
  const std::int64_t now = app.now();
  auto moved = app.with_store([&](Store& store) -> Result<bool> {
    auto edition = app.deps().build_edition(store, month);
    if (!edition) {
      return fail(std::move(edition.error()));
    }
    const auto found = std::find_if(edition->items.begin(), edition->items.end(),
                                    [&](const EditionItem& item) { return item.candidate_id == *id; });
    if (found == edition->items.end()) {
      return fail(ErrorCode::kNotFound,
                  fmt::format("条目 {} 不在 {} 的月刊中，请刷新页面后重试", *id, month));
    }
    std::vector<std::int64_t> ids;
    for (const EditionItem& item : edition->items) {
      if (item.section == found->section) {
        ids.push_back(item.candidate_id);
      }
    }
    const auto at = std::find(ids.begin(), ids.end(), *id);
    if (dir == "up" ? at == ids.begin() : at + 1 == ids.end()) {
      return false;  // already first / last: nothing to do
    }
    std::iter_swap(at, dir == "up" ? at - 1 : at + 1);
    if (auto placed = store.place_in_order(ids, principal.user.name, now); !placed) {
      return fail(std::move(placed.error()));
    }
    return true;
  });
  if (!moved) {
    app.error_page(response, status_for(moved.error()), moved.error().message, &principal);
    return;
  }
  App::see_other(response, fmt::format("/export?month={}&m=moved#item-{}", month, *id));
}

void export_download(App& app, const httplib::Request& request, httplib::Response& response,
                     const Principal& principal) {
  const std::string month = request.get_param_value("month");
  const std::string format = request.get_param_value("format");
  if (!is_valid_month(month) || (format != "md" && format != "html")) {
    app.error_page(response, 400, "请选择月份和格式（md 或 html）", &principal);
    return;
  }
  if (!app.deps().build_edition) {
    app.error_page(response, 503, "导出功能未配置", &principal);
    return;
  }
  auto edition = app.with_store([&](Store& store) { return app.deps().build_edition(store, month); });
  if (!edition) {
    app.error_page(response, status_for(edition.error()), edition.error().message, &principal);
    return;
  }
  const bool md = format == "md";
  response.set_content(md ? export_markdown(*edition) : export_html(*edition),
                       md ? "text/markdown; charset=utf-8" : "text/html; charset=utf-8");
  // Always a download: the HTML draft carries its own inline stylesheet, which this
  // site's CSP would (rightly) block if it were shown as one of our pages.
  response.set_header("Content-Disposition",
                      fmt::format("attachment; filename=\"herald-{}.{}\"", month, format));
}

void export_publish(App& app, const httplib::Request& request, httplib::Response& response,
                    const Principal& principal) {
  const std::string month = request.get_param_value("month");
  if (!is_valid_month(month)) {
    app.error_page(response, 400, "月份格式应为 YYYY-MM", &principal);
    return;
  }
  const std::int64_t now = app.now();
  auto published = app.with_store([&](Store& store) {
    return store.publish_edition(month, app.deps().utc_offset_seconds, principal.user.name, now);
  });
  if (!published) {
    app.error_page(response, status_for(published.error()), published.error().message, &principal);
    return;
  }
  // Nothing accepted that month: say so, rather than "published" over an empty edition.
  App::see_other(response, fmt::format("/export?month={}&m={}", month,
                                       *published > 0 ? "published" : "publish_empty"));
}

void users_page(App& app, const httplib::Request& request, httplib::Response& response,
                const Principal& principal) {
  auto users = app.with_store([](Store& store) { return store.list_users(); });
  if (!users) {
    app.error_page(response, 500, "无法读取用户", &principal);
    return;
  }
  mustache::data rows{mustache::data::type::list};
  for (const User& user : *users) {
    mustache::data row;
    row.set("name", user.name);
    row.set("role", user.role == Role::kAdmin ? "管理员" : "编辑");
    row.set("is_admin", user.role == Role::kAdmin);
    row.set("disabled", user.disabled);
    row.set("created", app.format_time(user.created_at, "", false));
    rows.push_back(row);
  }
  mustache::data data;
  data.set("page_title", "用户");
  data.set("nav_users", true);
  set_notice(data, request);
  data.set("users", rows);
  app.render(response, "users", std::move(data), &principal);
}

// POST /users/manage (admins): name=NAME&action=disable|enable|remove|admin|editor. Each
// ends that user's sessions at once (Store), like `herald users disable|enable|remove|role`.
void users_manage(App& app, const httplib::Request& request, httplib::Response& response,
                  const Principal& principal) {
  const std::string name = request.get_param_value("name");
  const std::string action = request.get_param_value("action");
  auto result = app.with_store([&](Store& store) -> Result<void> {
    if (action == "disable" || action == "enable") {
      return store.set_user_disabled(name, action == "disable");
    }
    if (action == "remove") {
      return store.remove_user(name);
    }
    if (action == "admin" || action == "editor") {
      return store.set_user_role(name, action == "admin" ? Role::kAdmin : Role::kEditor);
    }
    return fail(ErrorCode::kUsage, "未知操作：应为停用、启用、删除、设为管理员或设为编辑之一");
  });
  if (!result) {
    app.error_page(response, status_for(result.error()), result.error().message, &principal);
    return;
  }
  spdlog::info("stage=web users: {} did {} to {}", quoted_for_log(principal.user.name), action,
               quoted_for_log(name));
  App::see_other(response, "/users?m=user_" + action);
}

}  // namespace

void register_pages(App& app, httplib::Server& server) {
  app.get(server, "/login", [&app](const httplib::Request&, httplib::Response& response) {
    mustache::data data;
    data.set("page_title", "登录");
    data.set("error", "");
    data.set("has_error", false);
    data.set("name", "");
    app.render(response, "login", std::move(data), nullptr);
  });
  app.post(server, "/login",
           [&app](const httplib::Request& request, httplib::Response& response) {
             app.handle_login(request, response);
           });
  app.post(server, "/logout", app.guard(Surface::kPage, Access::kEditor,
                                   [&app](const httplib::Request& request,
                                          httplib::Response& response, const Principal&) {
                                     app.handle_logout(request, response);
                                   }));
  app.get(server, "/", app.guard(Surface::kPage, Access::kEditor,
                            [](const httplib::Request&, httplib::Response& response,
                               const Principal&) { App::see_other(response, "/queue"); }));

  auto page = [&app](App::RouteFunction function, Access access = Access::kEditor) {
    return app.route(Surface::kPage, access, function);
  };
  app.get(server, "/queue", page(queue_page));
  app.post(server, "/queue/bulk", page(queue_bulk));
  app.post(server, "/queue/bulk-filter", page(queue_bulk_filter));
  app.get(server, R"(/items/(\d{1,18}))", page(item_page));
  app.post(server, R"(/items/(\d{1,18}))", page(item_edit));
  app.post(server, R"(/items/(\d{1,18})/decision)", page(item_decision));
  app.post(server, R"(/items/(\d{1,18})/legal)", page(item_legal));
  app.get(server, R"(/evidence/(.*))", page(evidence_download));
  app.get(server, "/sources", page(sources_page));
  app.get(server, "/export", page(export_page));
  app.get(server, "/export/download", page(export_download));
  app.post(server, "/export/publish", page(export_publish));
  app.post(server, "/export/move", page(export_move));
  app.get(server, "/users", page(users_page, Access::kAdmin));
  app.post(server, "/users/manage", page(users_manage, Access::kAdmin));
  register_draft_pages(app, server);  // web/draft_pages.cpp
  register_consultation_pages(app, server);  // web/consultation_pages.cpp
}

}  // namespace herald::web
