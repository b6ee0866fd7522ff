#include "web/views.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/text.h"
#include "web/legal_views.h"
#include "web/security.h"

namespace herald::web {
namespace {

namespace mustache = kainjow::mustache;

// Form text as stored: valid UTF-8, LF line ends, no other control characters.
Result<std::string> clean_text(const std::string& value, std::size_t max_bytes,
                               const char* field, bool multiline) {
  if (!is_valid_utf8(value)) {
    return fail(ErrorCode::kUsage, fmt::format("{}不是有效的 UTF-8 文本", field));
  }
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\r') {
      continue;
    }
    if (c == '\n' && multiline) {
      out.push_back(c);
    } else if (byte < 0x20 || byte == 0x7f) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  // Leading and trailing blanks are never meant.
  const auto first = out.find_first_not_of(" \n");
  const auto last = out.find_last_not_of(" \n");
  out = first == std::string::npos ? std::string() : out.substr(first, last - first + 1);
  if (out.size() > max_bytes) {
    return fail(ErrorCode::kUsage,
                fmt::format("{}过长（{} 字节，最多 {} 字节）", field, out.size(), max_bytes));
  }
  return out;
}

std::string display_title(const Candidate& c) {
  return c.edited_title.empty() ? c.title : c.edited_title;
}

std::string display_summary(const Candidate& c) {
  return c.edited_summary.empty() ? c.summary : c.edited_summary;
}

std::string state_class(ReviewState state) {
  return std::string(review_state_name(state));
}

}  // namespace

Result<CandidateEdit> make_edit(const Candidate& current, const EditInput& input) {
  CandidateEdit edit;
  if (input.title) {
    auto title = clean_text(*input.title, kMaxTitleBytes, "标题", false);
    if (!title) {
      return fail(title.error());
    }
    if (title->empty()) {
      return fail(ErrorCode::kUsage, "标题不能为空");
    }
    const std::string wanted = *title == current.title ? "" : *title;
    if (wanted != current.edited_title) {
      edit.title = wanted;
    }
  }
  if (input.summary) {
    auto summary = clean_text(*input.summary, kMaxTextBytes, "摘要", true);
    if (!summary) {
      return fail(summary.error());
    }
    const std::string wanted = *summary == current.summary ? "" : *summary;
    if (wanted != current.edited_summary) {
      edit.summary = wanted;
    }
  }
  if (input.section) {
    auto section = clean_text(*input.section, kMaxSectionBytes, "栏目", false);
    if (!section) {
      return fail(section.error());
    }
    if (section->empty()) {
      return fail(ErrorCode::kUsage, "栏目不能为空");
    }
    const auto& allowed = input.allowed_sections;
    if (*section != current.section && !allowed.empty() &&
        std::find(allowed.begin(), allowed.end(), *section) == allowed.end()) {
      std::string names;
      for (const std::string& name : allowed) {
        names += (names.empty() ? "" : "、") + name;
      }
      // Sections come from the newsletter's layout; an edit must not invent one.
      return fail(ErrorCode::kUsage,
                  fmt::format("没有栏目“{}”；可选栏目：{}", *section, names));
    }
    if (*section != current.section) {
      edit.section = *section;
    }
  }
  if (input.commentary) {
    auto commentary = clean_text(*input.commentary, kMaxTextBytes, "短评", true);
    if (!commentary) {
      return fail(commentary.error());
    }
    if (*commentary != current.commentary) {
      edit.commentary = *commentary;
    }
  }
  return edit;
}

Result<Candidate> apply_edit(Store& store, std::int64_t id, const EditInput& input,
                             const std::string& actor, std::int64_t now_utc) {
  auto current = store.get_candidate(id);
  if (!current) {
    return current;
  }
  auto edit = make_edit(*current, input);
  if (!edit) {
    return fail(edit.error());
  }
  return store.edit_candidate(id, *edit, actor, now_utc);
}

Result<CandidateRecord> load_candidate_record(Store& store, std::int64_t id) {
  auto candidate = store.get_candidate(id);
  if (!candidate) {
    return fail(candidate.error());
  }
  auto audit = store.audit_for(id);
  if (!audit) {
    return fail(audit.error());
  }
  auto evidence = evidence_for_item(store.database(), candidate->item_id);
  if (!evidence) {
    return fail(evidence.error());
  }
  return CandidateRecord{.candidate = std::move(*candidate),
                         .audit = std::move(*audit),
                         .evidence = std::move(*evidence)};
}

std::optional<ReviewState> parse_decision(const std::string& text) {
  if (text == "accept" || text == "accepted") {
    return ReviewState::kAccepted;
  }
  if (text == "reject" || text == "rejected") {
    return ReviewState::kRejected;
  }
  if (text == "pending") {
    return ReviewState::kPending;
  }
  return std::nullopt;
}

std::string state_label(ReviewState state) {
  switch (state) {
    case ReviewState::kPending: return "待审";
    case ReviewState::kAccepted: return "已采用";
    case ReviewState::kRejected: return "已拒绝";
    case ReviewState::kPublished: return "已发布";
  }
  return "";
}

std::string kind_label(SourceKind kind) {
  switch (kind) {
    case SourceKind::kGovernment: return "政府机关";
    case SourceKind::kCourt: return "法院";
    case SourceKind::kAssociation: return "行业协会";
    case SourceKind::kCompany: return "企业";
    case SourceKind::kMedia: return "媒体";
    case SourceKind::kPlatform: return "平台";
  }
  return "";
}

std::string audit_action_label(const std::string& action) {
  static const std::pair<const char*, const char*> kLabels[] = {
      {"accept", "采用"},          {"reject", "拒绝"},           {"pending", "退回待审"},
      {"publish", "发布"},         {"edit_title", "修改标题"},   {"edit_summary", "修改摘要"},
      {"edit_section", "修改栏目"}, {"edit_commentary", "修改短评"}, {"queued", "进入队列"},
      {"edit_legal", "修改法律信息"},
  };
  for (const auto& [name, label] : kLabels) {
    if (action == name) {
      return label;
    }
  }
  return action;
}

std::string outcome_label(const std::string& outcome) {
  static const std::pair<const char*, const char*> kLabels[] = {
      {"ok", "正常"},           {"not_modified", "无更新"},   {"timeout", "超时"},
      {"refused", "连接被拒"},  {"dns", "域名解析失败"},      {"tls", "证书错误"},
      {"http_4xx", "HTTP 4xx"}, {"http_5xx", "HTTP 5xx"},     {"rate_limited", "被限流"},
      {"no_match", "未匹配"},   {"too_large", "页面过大"},    {"parse_limit", "解析超限"},
      {"feed_invalid", "订阅源无效"}, {"robots_disallow", "robots.txt 禁止"},
  };
  for (const auto& [name, label] : kLabels) {
    if (outcome == name) {
      return label;
    }
  }
  return outcome.empty() ? "—" : outcome;
}

namespace {

// "19 天", "7 小时", "5 分钟": rounded like human_duration (storage/health.cpp).
std::string zh_duration(std::int64_t seconds) {
  auto rounded = [seconds](std::int64_t unit) { return (seconds + unit / 2) / unit; };
  if (seconds >= 10 * 86400) {
    return fmt::format("{} 天", rounded(86400));
  }
  if (seconds >= 2 * 86400) {
    const std::int64_t tenths = (seconds * 10 + 43200) / 86400;
    return tenths % 10 == 0 ? fmt::format("{} 天", tenths / 10)
                            : fmt::format("{}.{} 天", tenths / 10, tenths % 10);
  }
  if (seconds >= 2 * 3600) {
    return fmt::format("{} 小时", rounded(3600));
  }
  return fmt::format("{} 分钟", std::max<std::int64_t>(1, rounded(60)));
}

std::string zh_ago(const std::optional<std::int64_t>& at, std::int64_t now_utc) {
  return at ? zh_duration(std::max<std::int64_t>(0, now_utc - *at)) + "前" : "从未";
}

}  // namespace

std::string health_state_label(HealthState state) {
  switch (state) {
    case HealthState::kOk: return "正常";
    case HealthState::kFailing: return "连续失败";
    case HealthState::kLayoutChanged: return "页面改版";
    case HealthState::kSilent: return "长期无更新";
    case HealthState::kManual: return "手动录入";
    case HealthState::kNeverPolled: return "尚未抓取";
  }
  return "正常";
}

std::string health_badge_class(HealthState state) {
  if (is_unhealthy(state)) {
    return "badge-rejected";
  }
  return state == HealthState::kOk ? "badge-accepted" : "badge-pending";
}

SourceHealth source_health_for(const std::string& id, const SourceConfig* config,
                               const SourceHealth* stored) {
  const bool manual = config != nullptr && config->mode == SourceMode::kManual;
  // A manual source with a bridge feed is polled through it, and judged like any other.
  const bool polled = config == nullptr || !manual || config->bridge_url.has_value();
  return configured_health(id, stored, polled, config != nullptr ? config->manual_reason : "");
}

std::string evidence_kind_label(const std::string& kind) {
  if (kind == "list") {
    return "列表页";
  }
  if (kind == "article") {
    return "文章页";
  }
  return kind;
}

std::string evidence_file_name(const EvidenceRecord& record) {
  std::string type;
  for (const auto& [name, value] : record.headers) {
    if (to_lower_ascii(name) == "content-type") {
      type = to_lower_ascii(value.substr(0, value.find(';')));
      break;
    }
  }
  // "application/rss+xml", "text/xml", "application/atom+xml"; "application/json".
  const char* extension = type.find("xml") != std::string::npos && type != "application/xhtml+xml"
                              ? "xml"
                          : type.find("json") != std::string::npos ? "json"
                                                                   : "html";
  return fmt::format("{}.{}", record.body_sha256, extension);
}

std::string health_reason_label(const SourceHealth& h, std::int64_t now_utc) {
  switch (h.state) {
    case HealthState::kFailing:
      return fmt::format("已连续失败 {} 次（最近：{}）；上次成功：{}", h.consecutive_failures,
                         outcome_label(h.last_outcome), zh_ago(h.last_success_at, now_utc));
    case HealthState::kLayoutChanged:
      return "页面没有匹配到任何条目，而此前的抓取能提取条目：网站可能已改版，请检查选择器";
    case HealthState::kSilent:
      if (h.usual_gap && h.last_new_item_at && h.last_success_at) {
        return fmt::format("已 {}没有新条目；通常每 {}一条",
                           zh_duration(*h.last_success_at - *h.last_new_item_at),
                           zh_duration(*h.usual_gap));
      }
      return "长期没有新条目";
    case HealthState::kManual: return "";  // the page shows the source's manual_reason
    case HealthState::kNeverPolled: return "尚未抓取";
    case HealthState::kOk: break;
  }
  if (h.consecutive_failures > 0) {
    return fmt::format("连续失败 {} 次（最近：{}），{} 次起告警", h.consecutive_failures,
                       outcome_label(h.last_outcome), HealthRules::kFailingAfter);
  }
  if (h.usual_gap) {
    return fmt::format("最近新条目：{}；通常每 {}一条", zh_ago(h.last_new_item_at, now_utc),
                       zh_duration(*h.usual_gap));
  }
  return h.last_new_item_at ? fmt::format("最近新条目：{}", zh_ago(h.last_new_item_at, now_utc))
                            : std::string();
}

mustache::data candidate_view(const App& app, const Candidate& c, bool full) {
  mustache::data view;
  view.set("id", std::to_string(c.id));
  view.set("title", display_title(c));
  view.set("edited", !c.edited_title.empty());
  view.set("original_title", c.title);
  view.set("source_id", c.source_id);
  // 来源 as the newsletter prints it (the source's publisher), else the configured name.
  const SourceConfig* source = app.source(c.source_id);
  view.set("source_name", source != nullptr && !source->publisher.empty()
                              ? source->publisher
                              : app.source_name(c.source_id));
  view.set("published", c.published_at ? app.format_time(*c.published_at, c.source_id, false)
                                       : c.published_text);
  view.set("first_seen", app.format_time(c.first_seen, c.source_id, true));
  view.set("score", fmt::format("{:.1f}", c.score));
  mustache::data terms{mustache::data::type::list};
  for (const std::string& term : c.matched_terms) {
    terms.push_back(mustache::data("term", term));
  }
  view.set("matched", terms);
  view.set("has_matched", !c.matched_terms.empty());
  view.set("state", state_class(c.state));
  view.set("state_label", state_label(c.state));
  view.set("is_pending", c.state == ReviewState::kPending);
  view.set("is_accepted", c.state == ReviewState::kAccepted);
  view.set("is_rejected", c.state == ReviewState::kRejected);
  view.set("is_published", c.state == ReviewState::kPublished);
  view.set("section", c.section);
  view.set("reviewer", c.reviewer);
  view.set("decided_at", c.decided_at ? app.format_time(*c.decided_at, "", true) : "");
  view.set("reason", c.reason);
  view.set("edition", c.edition);
  view.set("has_reviewer", !c.reviewer.empty());
  view.set("has_decided", c.decided_at.has_value());
  view.set("has_reason", !c.reason.empty());
  view.set("has_edition", !c.edition.empty());
  view.set("commentary", c.commentary);
  view.set("has_commentary", !c.commentary.empty());
  // A list date that is a deadline ([list] date_is = "deadline") was read into the summary:
  // it is shown labelled 截止日期, never as the publish date or as the item's summary (the
  // editors' own summary still is).
  const bool deadline = source != nullptr && source->list && source->list->date_is_deadline;
  view.set("deadline", deadline ? c.summary : std::string());
  // The same date read as the legal comment deadline is shown once, on the legal line.
  view.set("has_deadline", deadline && !c.summary.empty() &&
                               c.summary != c.legal.value(LegalField::kCommentDeadline));
  const std::string summary = deadline ? c.edited_summary : display_summary(c);
  view.set("summary", full ? summary : truncate_utf8(summary, 360));
  view.set("has_summary", !summary.empty());
  view.set("url", c.url);
  view.set("link", is_safe_link(c.url));
  // The link as the site gave it (with its tracking parameters), kept as evidence.
  view.set("original_url", c.original_url);
  view.set("has_original_url", !c.original_url.empty());
  mustache::data also{mustache::data::type::list};
  for (const ClusterMember& member : c.also_reported_by) {
    mustache::data entry;
    entry.set("source_name", app.source_name(member.source_id));
    entry.set("title", member.title);
    entry.set("candidate_id", member.candidate_id > 0 ? std::to_string(member.candidate_id) : "");
    entry.set("is_candidate", member.candidate_id > 0);
    entry.set("url", member.url);
    entry.set("link", is_safe_link(member.url));
    also.push_back(entry);
  }
  view.set("also", also);
  view.set("has_also", !c.also_reported_by.empty());
  // 文号, 文种 and the comment deadline on the card; every field on the item page.
  set_legal_view(view, c.legal, desk_today(app));
  if (full) {
    view.set("edited_summary", c.edited_summary);
    view.set("original_summary", c.summary);
    view.set("summary_edited", !c.edited_summary.empty());
    view.set("body", truncate_utf8(c.body, 6000));
    view.set("has_body", !c.body.empty());
  }
  return view;
}

int status_for(const Error& error) {
  switch (error.code) {
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kUsage: return 400;
    default: return 500;
  }
}

}  // namespace herald::web
