#include "web/queue_params.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "common/legal.h"
#include "common/text.h"
#include "common/timezone.h"
#include "web/views.h"

namespace herald::web {
namespace {

constexpr std::size_t kMaxFilterBytes = 200;
// Page numbers beyond this are refused rather than turned into a huge offset.
constexpr std::int64_t kMaxPage = 100000;

std::optional<std::int64_t> parse_day(const std::string& text) {
  int year = 0;
  int month = 0;
  int day = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return std::nullopt;
  }
  auto number = [&text](std::size_t at, std::size_t len, int& out) {
    const char* first = text.data() + at;
    auto [ptr, ec] = std::from_chars(first, first + len, out);
    return ec == std::errc() && ptr == first + len;
  };
  if (!number(0, 4, year) || !number(5, 2, month) || !number(8, 2, day) ||
      !is_valid_civil_date(year, month, day)) {
    return std::nullopt;
  }
  return days_from_civil(year, month, day);
}

}  // namespace

std::optional<std::int64_t> parse_id(const std::string& text) {
  std::int64_t id = 0;
  if (text.empty() || text.size() > 18) {
    return std::nullopt;
  }
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || ptr != text.data() + text.size() || id <= 0) {
    return std::nullopt;
  }
  return id;
}

Result<QueueParams> parse_queue_params(const httplib::Request& request,
                                       const std::vector<SourceConfig>& sources,
                                       int utc_offset_seconds, int default_page_size) {
  QueueParams params;
  params.page_size = default_page_size;
  auto param = [&request](const char* name) -> Result<std::string> {
    std::string value = request.get_param_value(name);
    if (value.size() > kMaxFilterBytes || !is_valid_utf8(value)) {
      return fail(ErrorCode::kUsage, fmt::format("筛选条件“{}”过长或不是文本", name));
    }
    return collapse_whitespace(value);
  };
  for (auto [name, field] : {std::pair{"state", &params.state}, {"section", &params.section},
                             {"source", &params.source}, {"kind", &params.kind},
                             {"from", &params.from}, {"to", &params.to},
                             {"min_score", &params.min_score}, {"q", &params.text},
                             {"instrument", &params.instrument},
                             {"has_deadline", &params.has_deadline},
                             {"deadline_until", &params.deadline_until}}) {
    auto value = param(name);
    if (!value) {
      return fail(value.error());
    }
    *field = std::move(*value);
  }

  QueueQuery& query = params.query;
  if (params.state.empty()) {
    params.state = "pending";
  }
  if (params.state == "all") {
    query.state = std::nullopt;
  } else if (auto state = parse_review_state(params.state)) {
    query.state = *state;
  } else {
    return fail(ErrorCode::kUsage,
                fmt::format("未知的状态“{}”：应为 pending（待审）、accepted（已采用）、"
                            "rejected（已拒绝）、published（已发布）或 all（全部）",
                            params.state));
  }
  if (!params.section.empty()) {
    query.section = params.section;
  }
  if (!params.source.empty()) {
    query.source_id = params.source;
  }
  if (!params.kind.empty()) {
    bool known = false;
    for (const SourceConfig& source : sources) {
      if (source_kind_name(source.kind) == params.kind) {
        query.source_ids.push_back(source.id);
      }
    }
    for (SourceKind kind : {SourceKind::kGovernment, SourceKind::kCourt, SourceKind::kAssociation,
                            SourceKind::kCompany, SourceKind::kMedia, SourceKind::kPlatform}) {
      known = known || source_kind_name(kind) == params.kind;
    }
    if (!known) {
      return fail(ErrorCode::kUsage, fmt::format("未知的来源类型“{}”", params.kind));
    }
    params.no_match = query.source_ids.empty();
  }
  if (!params.from.empty()) {
    auto day = parse_day(params.from);
    if (!day) {
      return fail(ErrorCode::kUsage, "起始日期应为 YYYY-MM-DD 格式的有效日期，例如 2023-11-01");
    }
    query.from_utc = *day * 86400 - utc_offset_seconds;
  }
  if (!params.to.empty()) {
    auto day = parse_day(params.to);
    if (!day) {
      return fail(ErrorCode::kUsage, "截止日期应为 YYYY-MM-DD 格式的有效日期，例如 2023-11-30");
    }
    query.to_utc = (*day + 1) * 86400 - utc_offset_seconds;
  }
  if (!params.min_score.empty()) {
    double score = 0;
    const std::string& text = params.min_score;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), score);
    if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(score)) {
      return fail(ErrorCode::kUsage, "最低分应为数字，例如 1.5");
    }
    query.min_score = score;
  }
  query.text = params.text;
  if (!params.instrument.empty()) {
    query.instrument = params.instrument;
  }
  // A checkbox sends "on" unless it has a value; links and the API say 1 or true.
  if (params.has_deadline == "1" || params.has_deadline == "on" || params.has_deadline == "true") {
    params.has_deadline = "1";
    query.has_deadline = true;
  } else if (params.has_deadline == "0" || params.has_deadline == "false") {
    params.has_deadline.clear();
  } else if (!params.has_deadline.empty()) {
    return fail(ErrorCode::kUsage, "“有截止日期”应为 1（只看有意见反馈截止日期的条目）或留空");
  }
  if (!params.deadline_until.empty()) {
    if (!is_calendar_date(params.deadline_until)) {
      return fail(ErrorCode::kUsage,
                  "“截止日期不晚于”应为 YYYY-MM-DD 格式的有效日期，例如 2023-12-31");
    }
    query.deadline_until = params.deadline_until;
  }

  if (request.has_param("limit")) {
    auto limit = parse_id(request.get_param_value("limit"));
    if (!limit || *limit > 200) {
      return fail(ErrorCode::kUsage, "每页条数应为 1 到 200 之间的整数");
    }
    params.page_size = static_cast<int>(*limit);
  }
  if (request.has_param("page")) {
    auto page = parse_id(request.get_param_value("page"));
    if (!page || *page > kMaxPage) {
      return fail(ErrorCode::kUsage,
                  fmt::format("页码应为 1 到 {} 之间的整数", kMaxPage));
    }
    params.page = static_cast<int>(*page);
  }
  query.limit = params.page_size;
  query.offset = (params.page - 1) * params.page_size;
  return params;
}

bool is_valid_month(const std::string& month) {
  if (month.size() != 7 || month[4] != '-') {
    return false;
  }
  for (std::size_t i : {0, 1, 2, 3, 5, 6}) {
    if (month[i] < '0' || month[i] > '9') {
      return false;
    }
  }
  const int m = (month[5] - '0') * 10 + (month[6] - '0');
  return m >= 1 && m <= 12;
}

std::string url_encode(const std::string& value) {
  std::string out;
  for (unsigned char c : value) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
        c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string queue_query_string(const QueueParams& params) {
  std::string out;
  for (auto [name, value] : {std::pair{"state", &params.state}, {"section", &params.section},
                             {"source", &params.source}, {"kind", &params.kind},
                             {"from", &params.from}, {"to", &params.to},
                             {"min_score", &params.min_score}, {"q", &params.text},
                             {"instrument", &params.instrument},
                             {"has_deadline", &params.has_deadline},
                             {"deadline_until", &params.deadline_until}}) {
    if (!value->empty()) {
      out += fmt::format("{}{}={}", out.empty() ? "" : "&", name, url_encode(*value));
    }
  }
  return out;
}

std::vector<std::string> describe_filters(const QueueParams& params,
                                          const std::vector<SourceConfig>& sources) {
  std::vector<std::string> out;
  auto add = [&out](const char* label, const std::string& value) {
    if (!value.empty()) {
      out.push_back(fmt::format("{}：{}", label, value));
    }
  };
  add("栏目", params.section);
  std::string source = params.source;
  for (const SourceConfig& config : sources) {
    if (config.id == params.source && !config.name.empty()) {
      source = config.name;
    }
  }
  add("来源", source);
  std::string kind = params.kind;
  for (SourceKind known : {SourceKind::kGovernment, SourceKind::kCourt, SourceKind::kAssociation,
                           SourceKind::kCompany, SourceKind::kMedia, SourceKind::kPlatform}) {
    if (source_kind_name(known) == params.kind) {
      kind = kind_label(known);
    }
  }
  add("来源类型", kind);
  add("发布日期自", params.from);
  add("发布日期至", params.to);
  add("最低相关度", params.min_score);
  add("全文搜索", params.text);
  add("文种", params.instrument);
  if (!params.has_deadline.empty()) {
    out.emplace_back("有截止日期");
  }
  add("截止日期不晚于", params.deadline_until);
  return out;
}

}  // namespace herald::web
