#include "daemon/edition.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "scrapers/draft/draft.h"

namespace herald {

std::string default_section(SourceKind kind) {
  switch (kind) {
    case SourceKind::kGovernment:
    case SourceKind::kCourt:
    case SourceKind::kAssociation:
      return std::string(kLegalSection);
    case SourceKind::kCompany:
    case SourceKind::kMedia:
    case SourceKind::kPlatform:
      return std::string(kIndustrySection);
  }
  return std::string(kIndustrySection);
}

int editorial_rank(const SourceConfig* source, std::string_view section) {
  if (section != kLegalSection) {
    return 0;
  }
  if (source == nullptr) {
    return 4;
  }
  switch (source->kind) {
    case SourceKind::kGovernment:
      return source->language == "zh" ? 0 : 1;
    case SourceKind::kAssociation:
      return 2;
    case SourceKind::kCourt:
      return 3;
    case SourceKind::kCompany:
    case SourceKind::kMedia:
    case SourceKind::kPlatform:
      return 4;
  }
  return 4;
}

void order_for_edition(std::vector<Candidate>& candidates,
                       const std::vector<SourceConfig>& sources) {
  std::map<std::string, const SourceConfig*, std::less<>> by_id;
  for (const SourceConfig& source : sources) {
    by_id.emplace(source.id, &source);
  }
  auto key = [&](const Candidate& c) {
    const auto found = by_id.find(c.source_id);
    const int rank = editorial_rank(found != by_id.end() ? found->second : nullptr, c.section);
    const bool placed = c.position > 0;
    return std::tuple(c.section, placed ? 0 : 1, placed ? c.position : 0, placed ? 0 : rank,
                      c.published_at.value_or(c.first_seen), c.id);
  };
  std::stable_sort(candidates.begin(), candidates.end(),
                   [&](const Candidate& a, const Candidate& b) { return key(a) < key(b); });
}

int month_utc_offset(std::string_view month, const TimeZone& zone) {
  const std::optional<EditionMonth> parsed = parse_edition_month(month);
  if (!parsed) {
    return zone.offset_at_utc(0);
  }
  return zone.offset_at_utc(zone.local_to_utc(edition_month_end_local(*parsed)));
}

Result<web::Edition> build_edition(Store& store, const std::vector<SourceConfig>& sources,
                                   const std::string& month, const TimeZone& zone) {
  auto candidates = store.edition_candidates(month, month_utc_offset(month, zone));
  if (!candidates) {
    return fail(std::move(candidates.error()));
  }
  order_for_edition(*candidates, sources);
  std::map<std::string, const SourceConfig*, std::less<>> by_id;
  for (const SourceConfig& source : sources) {
    by_id.emplace(source.id, &source);
  }

  web::Edition edition;
  edition.month = month;
  edition.sections = {std::string(kLegalSection), std::string(kIndustrySection)};
  for (const Candidate& c : *candidates) {
    const auto source = by_id.find(c.source_id);
    const SourceConfig* config = source != by_id.end() ? source->second : nullptr;
    web::EditionItem item;
    item.candidate_id = c.id;
    item.section = c.section;
    item.title = c.edited_title.empty() ? c.title : c.edited_title;
    if (c.published_at) {
      item.published_date =
          web::local_date(*c.published_at, config != nullptr ? config->timezone : zone);
    }
    item.published_text = c.published_text;
    // 来源 as editors write it: the publisher's name, else the configured name.
    item.source_name = config == nullptr          ? c.source_id
                       : !config->publisher.empty() ? config->publisher
                       : !config->name.empty()      ? config->name
                                                    : c.source_id;
    item.url = c.url;
    item.summary = c.edited_summary.empty() ? c.summary : c.edited_summary;
    if (c.edited_summary.empty() && !c.summary.empty() && config != nullptr && config->list &&
        config->list->date_is_deadline) {
      // The list's date is a comment deadline kept as the summary ([list] date_is): the 摘要
      // says what the date is, then the article's lead, instead of a bare date.
      item.summary = fmt::format("征求意见截止日期：{}。", c.summary);
      if (!c.body.empty()) {
        DraftInput lead;
        lead.title = item.title;
        lead.body = c.body;
        if (const std::string text = draft_extractive(lead).summary; !text.empty()) {
          item.summary += "\n\n" + text;
        }
      }
    }
    item.body = c.body;  // the 摘要's fallback (web/export.h)
    item.commentary = c.commentary;
    // Printed as 「（文号）」 after the title and 征求意见截止日期 (web/export.h).
    item.doc_number = c.legal.value(LegalField::kDocNumber);
    item.comment_deadline = c.legal.value(LegalField::kCommentDeadline);
    edition.items.push_back(std::move(item));
  }
  return edition;
}

}  // namespace herald
