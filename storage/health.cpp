// Source health (docs/health.md): the facts per source read from sources, polls and items,
// the verdict (failing, layout changed, silent) and what /metrics reads at scrape time.

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "storage/store.h"

namespace herald {
namespace {

// The median gap between consecutive distinct first_seen times of `source_id`'s items in
// the kCadenceWindow up to its newest item. Anchored at the newest item, not at now, so a
// source that has been silent for months still has the history that says it is silent.
Result<void> read_cadence(Statement& stmt, SourceHealth& h) {
  if (!h.last_new_item_at) {
    return {};
  }
  stmt.reset();
  stmt.bind(1, h.source_id).bind(2, *h.last_new_item_at - HealthRules::kCadenceWindow);
  std::vector<std::int64_t> gaps;
  std::optional<std::int64_t> previous;
  while (true) {
    auto row = stmt.step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      break;
    }
    const std::int64_t seen = stmt.column_int64(0);
    if (previous) {
      gaps.push_back(seen - *previous);
    }
    previous = seen;
  }
  h.cadence_gaps = static_cast<int>(gaps.size());
  if (h.cadence_gaps < HealthRules::kMinGaps) {
    return {};
  }
  std::sort(gaps.begin(), gaps.end());
  const std::size_t mid = gaps.size() / 2;
  h.usual_gap = gaps.size() % 2 == 1 ? gaps[mid] : (gaps[mid - 1] + gaps[mid]) / 2;
  return {};
}

std::string plural(std::int64_t n, std::string_view unit) {
  return fmt::format("{} {}{}", n, unit, n == 1 ? "" : "s");
}

std::string ago(std::optional<std::int64_t> at, std::int64_t now_utc) {
  if (!at) {
    return "never";
  }
  return human_duration(std::max<std::int64_t>(0, now_utc - *at)) + " ago";
}

}  // namespace

std::string_view health_state_name(HealthState state) {
  switch (state) {
    case HealthState::kOk: return "ok";
    case HealthState::kFailing: return "failing";
    case HealthState::kLayoutChanged: return "layout_changed";
    case HealthState::kSilent: return "silent";
    case HealthState::kManual: return "manual";
    case HealthState::kNeverPolled: return "never_polled";
  }
  return "ok";
}

std::string human_duration(std::int64_t seconds) {
  constexpr std::int64_t kMinute = 60;
  constexpr std::int64_t kHour = 3600;
  constexpr std::int64_t kDay = 86400;
  // A unit is used from two of it on ("36 hours", not "1 days"). Under ten days, days get
  // one decimal: "3.5 days" against a 3-day limit reads right where "4 days" would not.
  auto rounded = [seconds](std::int64_t unit) { return (seconds + unit / 2) / unit; };
  if (seconds >= 10 * kDay) {
    return plural(rounded(kDay), "day");
  }
  if (seconds >= 2 * kDay) {
    const std::int64_t tenths = (seconds * 10 + kDay / 2) / kDay;
    return tenths % 10 == 0 ? plural(tenths / 10, "day")
                            : fmt::format("{}.{} days", tenths / 10, tenths % 10);
  }
  if (seconds >= 2 * kHour) {
    return plural(rounded(kHour), "hour");
  }
  if (seconds >= kMinute) {
    return plural(rounded(kMinute), "minute");
  }
  return plural(std::max<std::int64_t>(0, seconds), "second");
}

void judge_health(SourceHealth& h, std::int64_t now_utc) {
  const bool layout_changed = h.matched_nothing && h.matched_before;
  // A run of no_match polls on a page that used to match is a layout change, the more
  // useful name for it; any other run of failures is the site or the network failing.
  const bool failures_are_layout = layout_changed && h.last_outcome == "no_match";
  if (h.consecutive_failures >= HealthRules::kFailingAfter && !failures_are_layout) {
    h.state = HealthState::kFailing;
    h.reason = fmt::format("{} failed polls in a row (last: {}); last success {}",
                           h.consecutive_failures, h.last_outcome,
                           ago(h.last_success_at, now_utc));
    return;
  }
  if (layout_changed) {
    h.state = HealthState::kLayoutChanged;
    h.reason =
        h.repair_proposed
            ? fmt::format("layout changed — a repair is proposed: the last fetched page matched "
                          "no items; `herald sources repair {}` shows the new selectors, "
                          "--apply applies them",
                          h.source_id)
            : "the last fetched page matched no items, though earlier polls extracted items: "
              "its layout probably changed; check the source's selectors";
    return;
  }
  // Silence is counted up to the last successful poll: the time herald did look and found
  // nothing new. Time herald was stopped or failing is not the source's silence.
  if (h.usual_gap && h.last_new_item_at && h.last_success_at) {
    const std::int64_t silent_for = *h.last_success_at - *h.last_new_item_at;
    const std::int64_t limit =
        std::max(HealthRules::kSilentFactor * *h.usual_gap, HealthRules::kSilentFloor);
    if (silent_for > limit) {
      h.state = HealthState::kSilent;
      h.reason = fmt::format("no new item for {}; usually one every {}",
                             human_duration(silent_for), human_duration(*h.usual_gap));
      return;
    }
  }
  h.state = HealthState::kOk;
  if (h.consecutive_failures > 0) {
    h.reason = fmt::format("{} (last: {}); unhealthy at {}",
                           plural(h.consecutive_failures, "failed poll") + " in a row",
                           h.last_outcome, HealthRules::kFailingAfter);
  } else if (h.usual_gap) {
    h.reason = fmt::format("last new item {}; usually one every {}",
                           ago(h.last_new_item_at, now_utc), human_duration(*h.usual_gap));
  } else if (h.last_new_item_at) {
    h.reason = fmt::format("last new item {}", ago(h.last_new_item_at, now_utc));
  } else {
    h.reason.clear();
  }
  if (h.repair_proposed) {
    // The page still matched, but far fewer items than usual: discovery found the list.
    h.reason = fmt::format("a repair is proposed (a poll found far fewer items than usual): "
                           "`herald sources repair {}`{}",
                           h.source_id, h.reason.empty() ? "" : "; " + h.reason);
  }
}

SourceHealth configured_health(const std::string& source_id, const SourceHealth* stored,
                               bool polled, const std::string& manual_reason) {
  SourceHealth h = stored != nullptr ? *stored : SourceHealth{};
  h.source_id = source_id;
  if (!polled) {
    h.state = HealthState::kManual;
    h.reason = manual_reason.empty() ? "not polled: articles are added with herald add"
                                     : manual_reason;
  } else if (stored == nullptr) {
    h.state = HealthState::kNeverPolled;
    h.reason = "not polled yet";
  }
  return h;
}

Result<std::vector<SourceHealth>> Store::source_health(std::int64_t now_utc) {
  constexpr std::int64_t kThirtyDays = 30 * 86400;
  // matched_nothing looks at the last poll that fetched a page: an 'ok' that stored no
  // rows (a source with expect_min_items = 0) says the same as a 'no_match'. Every
  // subquery is a range of the (source_id, ...) indexes on items and polls.
  auto stmt = db_.prepare(
      "SELECT s.id, s.last_poll_at, s.last_outcome, s.last_error, s.last_success_at,"
      " s.consecutive_failures,"
      " (SELECT COUNT(*) FROM items i WHERE i.source_id = s.id),"
      " (SELECT COUNT(*) FROM items i WHERE i.source_id = s.id AND i.first_seen >= ?1),"
      " (SELECT MAX(i.first_seen) FROM items i WHERE i.source_id = s.id),"
      " COALESCE((SELECT p.outcome = 'no_match' OR p.items_seen = 0 FROM polls p"
      "   WHERE p.source_id = s.id AND p.outcome IN ('ok', 'no_match')"
      "   ORDER BY p.started_at DESC, p.id DESC LIMIT 1), 0),"
      " EXISTS (SELECT 1 FROM polls p WHERE p.source_id = s.id AND p.items_seen > 0),"
      " EXISTS (SELECT 1 FROM repair_proposals r WHERE r.source_id = s.id AND r.state = 'open')"
      " FROM sources s ORDER BY s.id");
  if (!stmt) {
    return fail(std::move(stmt.error()));
  }
  auto cadence = db_.prepare(
      "SELECT DISTINCT first_seen FROM items WHERE source_id = ?1 AND first_seen >= ?2"
      " ORDER BY first_seen");
  if (!cadence) {
    return fail(std::move(cadence.error()));
  }
  stmt->bind(1, now_utc - kThirtyDays);
  std::vector<SourceHealth> out;
  while (true) {
    auto row = stmt->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      break;
    }
    SourceHealth h;
    h.source_id = stmt->column_text(0);
    h.last_poll_at = stmt->column_optional_int64(1);
    h.last_outcome = stmt->column_text(2);
    h.last_error = stmt->column_text(3);
    h.last_success_at = stmt->column_optional_int64(4);
    h.consecutive_failures = static_cast<int>(stmt->column_int64(5));
    h.items_total = stmt->column_int64(6);
    h.items_last_30_days = stmt->column_int64(7);
    h.last_new_item_at = stmt->column_optional_int64(8);
    h.matched_nothing = stmt->column_int64(9) != 0;
    h.matched_before = stmt->column_int64(10) != 0;
    h.repair_proposed = stmt->column_int64(11) != 0;
    out.push_back(std::move(h));
  }
  for (SourceHealth& h : out) {
    if (auto read = read_cadence(*cadence, h); !read) {
      return fail(std::move(read.error()));
    }
    judge_health(h, now_utc);
  }
  return out;
}

Result<MetricsSnapshot> Store::metrics_snapshot(std::int64_t after_poll_id) {
  MetricsSnapshot snapshot;
  // The newest poll first, and only polls up to it below: a poll the daemon commits in
  // between is counted by the next scrape, never twice and never lost.
  auto newest = db_.prepare("SELECT COALESCE(MAX(id), 0) FROM polls");
  if (!newest) {
    return fail(std::move(newest.error()));
  }
  if (auto row = newest->step(); !row) {
    return fail(std::move(row.error()));
  }
  snapshot.last_poll_id = newest->column_int64(0);

  // One pass over the rowid range, grouped; each bucket is a conditional count (NULL
  // durations count in none). Bounds are bound as parameters, in milliseconds.
  std::string buckets;
  for (std::size_t i = 0; i < kDurationBuckets.size(); ++i) {
    buckets += fmt::format(", COALESCE(SUM(duration_ms <= ?{}), 0)", i + 3);
  }
  auto polls = db_.prepare(
      "SELECT source_id, outcome, COUNT(*), COALESCE(SUM(items_new), 0),"
      " COUNT(duration_ms), COALESCE(SUM(duration_ms), 0)" +
      buckets +
      " FROM polls WHERE id > ?1 AND id <= ?2 GROUP BY source_id, outcome"
      " ORDER BY source_id, outcome");
  if (!polls) {
    return fail(std::move(polls.error()));
  }
  polls->bind(1, after_poll_id).bind(2, snapshot.last_poll_id);
  for (std::size_t i = 0; i < kDurationBuckets.size(); ++i) {
    polls->bind(static_cast<int>(i + 3),
                static_cast<std::int64_t>(kDurationBuckets[i] * 1000.0 + 0.5));
  }
  while (true) {
    auto row = polls->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      break;
    }
    PollTally tally;
    tally.source_id = polls->column_text(0);
    tally.outcome = polls->column_text(1);
    tally.polls = polls->column_int64(2);
    tally.items_new = polls->column_int64(3);
    tally.timed_polls = polls->column_int64(4);
    tally.duration_seconds_sum = static_cast<double>(polls->column_int64(5)) / 1000.0;
    for (std::size_t i = 0; i < kDurationBuckets.size(); ++i) {
      tally.duration_buckets.push_back(polls->column_int64(static_cast<int>(6 + i)));
    }
    snapshot.polls.push_back(std::move(tally));
  }

  auto pending = db_.prepare("SELECT COUNT(*) FROM candidates WHERE state = 'pending'");
  if (!pending) {
    return fail(std::move(pending.error()));
  }
  if (auto row = pending->step(); !row) {
    return fail(std::move(row.error()));
  }
  snapshot.candidates_pending = pending->column_int64(0);

  auto size = db_.prepare(
      "SELECT (SELECT page_count FROM pragma_page_count()) *"
      " (SELECT page_size FROM pragma_page_size()),"
      " (SELECT file FROM pragma_database_list WHERE name = 'main')");
  if (!size) {
    return fail(std::move(size.error()));
  }
  if (auto row = size->step(); !row) {
    return fail(std::move(row.error()));
  }
  snapshot.database_bytes = size->column_int64(0);
  // Until a checkpoint, recent writes live in the WAL file next to the database.
  const std::string file = size->column_text(1);
  if (!file.empty()) {
    std::error_code ec;
    const auto wal = std::filesystem::file_size(file + "-wal", ec);
    if (!ec) {
      snapshot.database_bytes += static_cast<std::int64_t>(wal);
    }
  }
  return snapshot;
}

}  // namespace herald
