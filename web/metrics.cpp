#include "web/metrics.h"

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/text.h"
#include "storage/database.h"
#include "web/app.h"

namespace herald::web {
namespace {

// herald's release, as `herald --version` prints it (from CMake's project version).
constexpr std::string_view kHeraldVersion = HERALD_VERSION;

using Labels = std::vector<std::pair<std::string_view, std::string>>;

// Builds the exposition one metric family at a time: HELP and TYPE, then its samples
// (the format requires a family's lines to be contiguous).
class Exposition {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }

  template <typename Value>
  void sample(std::string_view name, const Labels& labels, Value value) {
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      for (std::size_t i = 0; i < labels.size(); ++i) {
        out_ += fmt::format("{}{}=\"{}\"", i == 0 ? "" : ",", labels[i].first,
                            escape_label_value(labels[i].second));
      }
      out_ += '}';
    }
    out_ += fmt::format(" {}\n", value);
  }

  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// A source herald polls itself (directly or through its bridge feed).
bool is_polled(const SourceConfig& source) {
  return source.mode == SourceMode::kPoll || source.bridge_url.has_value();
}

std::string bucket_label(double bound) { return fmt::format("{}", bound); }

// Running totals of the polls table, so a scrape reads only the polls committed since the
// previous one (an indexed rowid range) instead of the whole table. Also keeps the
// counters monotonic when old polls are deleted; a restored backup resets them, which
// Prometheus's rate() handles as a counter reset.
class PollTotals {
 public:
  Result<MetricsSnapshot> refresh(Store& store) {
    std::lock_guard lock(mutex_);
    auto fresh = store.metrics_snapshot(last_poll_id_);
    if (fresh && fresh->last_poll_id < last_poll_id_) {
      totals_.clear();
      last_poll_id_ = 0;
      fresh = store.metrics_snapshot(0);
    }
    if (!fresh) {
      return fail(std::move(fresh.error()));
    }
    for (PollTally& t : fresh->polls) {
      PollTally& total = totals_[{t.source_id, t.outcome}];
      if (total.source_id.empty()) {
        total.source_id = t.source_id;
        total.outcome = t.outcome;
        total.duration_buckets.assign(kDurationBuckets.size(), 0);
      }
      total.polls += t.polls;
      total.items_new += t.items_new;
      total.timed_polls += t.timed_polls;
      total.duration_seconds_sum += t.duration_seconds_sum;
      for (std::size_t i = 0; i < t.duration_buckets.size() && i < kDurationBuckets.size(); ++i) {
        total.duration_buckets[i] += t.duration_buckets[i];
      }
    }
    last_poll_id_ = fresh->last_poll_id;
    fresh->polls.clear();
    for (const auto& [key, total] : totals_) {
      fresh->polls.push_back(total);
    }
    return fresh;
  }

 private:
  std::mutex mutex_;
  std::int64_t last_poll_id_ = 0;
  std::map<std::pair<std::string, std::string>, PollTally> totals_;
};

}  // namespace

std::string escape_label_value(std::string_view value) {
  const std::string clean = sanitize_utf8(value);
  std::string out;
  out.reserve(clean.size());
  for (const char c : clean) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string render_metrics(const MetricsSnapshot& snapshot,
                           const std::vector<SourceHealth>& stored,
                           const std::vector<SourceConfig>& sources) {
  Exposition e;

  e.family("herald_polls_total", "counter",
           "Polls recorded in the database, by source and outcome (ok, not_modified, no_match, "
           "http_5xx, ...).");
  for (const PollTally& t : snapshot.polls) {
    e.sample("herald_polls_total", {{"source", t.source_id}, {"outcome", t.outcome}}, t.polls);
  }

  // Per source, over all outcomes: a timeout is a duration worth seeing too.
  struct Durations {
    std::array<std::int64_t, kDurationBuckets.size()> buckets{};
    std::int64_t count = 0;
    double sum = 0.0;
    std::int64_t items_new = 0;
  };
  std::map<std::string, Durations> by_source;
  for (const PollTally& t : snapshot.polls) {
    Durations& d = by_source[t.source_id];
    for (std::size_t i = 0; i < kDurationBuckets.size() && i < t.duration_buckets.size(); ++i) {
      d.buckets[i] += t.duration_buckets[i];
    }
    d.count += t.timed_polls;
    d.sum += t.duration_seconds_sum;
    d.items_new += t.items_new;
  }
  e.family("herald_poll_duration_seconds", "histogram",
           "How long each poll took: fetching the list page (and new items' articles), "
           "extracting and storing.");
  for (const auto& [source, d] : by_source) {
    for (std::size_t i = 0; i < kDurationBuckets.size(); ++i) {
      e.sample("herald_poll_duration_seconds_bucket",
               {{"source", source}, {"le", bucket_label(kDurationBuckets[i])}}, d.buckets[i]);
    }
    e.sample("herald_poll_duration_seconds_bucket", {{"source", source}, {"le", "+Inf"}},
             d.count);
    e.sample("herald_poll_duration_seconds_sum", {{"source", source}}, d.sum);
    e.sample("herald_poll_duration_seconds_count", {{"source", source}}, d.count);
  }

  e.family("herald_items_new_total", "counter",
           "Items stored for the first time, by source (summed over its polls).");
  for (const auto& [source, d] : by_source) {
    e.sample("herald_items_new_total", {{"source", source}}, d.items_new);
  }

  e.family("herald_candidates_pending", "gauge", "Candidates waiting for an editor's decision.");
  e.sample("herald_candidates_pending", {}, snapshot.candidates_pending);

  std::map<std::string, const SourceHealth*> stored_by_id;
  for (const SourceHealth& h : stored) {
    stored_by_id[h.source_id] = &h;
  }
  std::vector<std::pair<const SourceConfig*, SourceHealth>> judged;
  std::map<HealthState, int> unhealthy;
  for (const SourceConfig& source : sources) {
    const auto found = stored_by_id.find(source.id);
    SourceHealth h = configured_health(source.id,
                                       found == stored_by_id.end() ? nullptr : found->second,
                                       is_polled(source), source.manual_reason);
    if (source.enabled && is_unhealthy(h.state)) {
      ++unhealthy[h.state];
    }
    judged.emplace_back(&source, std::move(h));
  }
  e.family("herald_sources_unhealthy", "gauge",
           "Enabled polled sources that are unhealthy, by state (see docs/health.md).");
  for (const HealthState state :
       {HealthState::kFailing, HealthState::kLayoutChanged, HealthState::kSilent}) {
    e.sample("herald_sources_unhealthy", {{"state", std::string(health_state_name(state))}},
             unhealthy[state]);
  }
  e.family("herald_source_state", "gauge",
           "1 for each configured source's current health state (ok, failing, layout_changed, "
           "silent, manual, never_polled).");
  for (const auto& [source, h] : judged) {
    e.sample("herald_source_state",
             {{"source", source->id}, {"state", std::string(health_state_name(h.state))}}, 1);
  }

  e.family("herald_source_last_success_timestamp_seconds", "gauge",
           "When the source's last successful poll started (Unix time).");
  for (const SourceHealth& h : stored) {
    if (h.last_success_at) {
      e.sample("herald_source_last_success_timestamp_seconds", {{"source", h.source_id}},
               *h.last_success_at);
    }
  }

  e.family("herald_database_size_bytes", "gauge",
           "Size of the SQLite database on disk: pages in use plus the write-ahead log.");
  e.sample("herald_database_size_bytes", {}, snapshot.database_bytes);

  e.family("herald_build_info", "gauge", "herald's version and database schema version.");
  e.sample("herald_build_info",
           {{"version", std::string(kHeraldVersion)},
            {"schema", std::to_string(current_schema_version())}},
           1);
  return e.take();
}

void register_metrics(App& app, httplib::Server& server) {
  auto totals = std::make_shared<PollTotals>();
  app.get(server, "/metrics", [&app, totals](const httplib::Request&, httplib::Response& response) {
    const std::int64_t now = app.now();
    auto computed = app.with_store([&](Store& store) -> Result<std::string> {
      auto snapshot = totals->refresh(store);
      if (!snapshot) {
        return fail(std::move(snapshot.error()));
      }
      auto health = store.source_health(now);
      if (!health) {
        return fail(std::move(health.error()));
      }
      return render_metrics(*snapshot, *health, app.deps().sources);
    });
    if (!computed) {
      spdlog::error("stage=web /metrics: {}", computed.error().message);
      response.status = 500;
      response.set_content("cannot read the database\n", "text/plain; charset=utf-8");
      return;
    }
    response.set_content(*computed, "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace herald::web
