#include "daemon/drafter.h"

#include <algorithm>
#include <ctime>
#include <exception>
#include <optional>
#include <utility>
#include <variant>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/log_format.h"

namespace herald {

namespace {

// A claimed row belongs to its worker this long; after it (a crash mid-request) another
// worker takes it again. Longer than any request can take.
std::int64_t lease_seconds(const DraftSettings& settings) {
  return static_cast<std::int64_t>(settings.timeout.count()) + 60;
}

DraftInput input_for(const Candidate& candidate, const DrafterOptions& options) {
  DraftInput input;
  input.title = candidate.title;
  input.summary = candidate.summary;
  input.body = candidate.body;
  input.url = candidate.url;
  if (auto found = options.sources.find(candidate.source_id); found != options.sources.end()) {
    input.source_name = found->second.name;
    input.publisher = found->second.publisher;
    input.language = found->second.language;
  } else {
    input.source_name = candidate.source_id;
  }
  if (candidate.published_at) {
    input.published = utc_day(*candidate.published_at);
  }
  return input;
}

// The draft editors get when the model cannot write one: the lead sentences, marked
// extractive, with `error` kept so the item page and `drafts status` say why.
Result<void> save_fallback(Store& store, const Draft& draft, const DraftInput& input,
                           const std::string& error, std::int64_t now, DraftRunStats& stats) {
  DraftText text = draft_extractive(input);
  if (text.title.empty() && text.summary.empty()) {
    ++stats.failed;
    return store.mark_draft_failed(
        draft.id, error.empty() ? "the item has no title or text to draft from" : error, now);
  }
  auto saved = store.save_draft(draft.id, "extractive", "", text.title, text.summary, error, now);
  if (!saved) {
    return fail(std::move(saved.error()));
  }
  ++stats.extractive;
  return {};
}

}  // namespace

DrafterOptions drafter_options(const Loaded& loaded) {
  DrafterOptions options;
  options.settings = draft_settings(loaded.config.draft);
  for (const SourceConfig& source : loaded.sources.sources) {
    options.sources[source.id] = DraftSource{source.name, source.publisher, source.language};
  }
  return options;
}

std::string utc_day(std::int64_t utc_seconds) {
  const std::time_t t = static_cast<std::time_t>(utc_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

Result<DraftRunStats> run_due_drafts(Store& store, const DrafterOptions& options,
                                     const Clock& clock, int limit,
                                     const std::atomic<bool>* stop) {
  DraftRunStats stats;
  if (auto queued = store.enqueue_missing_drafts(clock.now_utc_seconds()); !queued) {
    return fail(std::move(queued.error()));
  }
  const bool use_model = !options.settings.endpoint.empty();
  while (limit <= 0 || stats.claimed < limit) {
    if (stop != nullptr && stop->load()) {
      break;
    }
    const std::int64_t now = clock.now_utc_seconds();
    const std::string day = utc_day(now);
    if (use_model && options.settings.daily_budget > 0) {
      auto spent = store.draft_requests_on(day);
      if (!spent) {
        return fail(std::move(spent.error()));
      }
      if (*spent >= options.settings.daily_budget) {
        stats.over_budget = true;
        break;
      }
    }
    auto claimed = store.claim_due_drafts(now, now + lease_seconds(options.settings), 1);
    if (!claimed) {
      return fail(std::move(claimed.error()));
    }
    if (claimed->empty()) {
      break;
    }
    const Draft& draft = claimed->front();
    ++stats.claimed;
    auto candidate = store.get_candidate(draft.candidate_id);
    if (!candidate) {
      return fail(std::move(candidate.error()));
    }
    const DraftInput input = input_for(*candidate, options);
    if (!use_model) {
      if (auto saved = save_fallback(store, draft, input, "", now, stats); !saved) {
        return fail(std::move(saved.error()));
      }
      continue;
    }

    if (auto counted = store.count_draft_request(day, now); !counted) {
      return fail(std::move(counted.error()));
    }
    DraftSettings settings = options.settings;
    settings.cancel = stop;  // herald stopping abandons the request in flight
    auto answer = draft_with_model(settings, input);
    const std::int64_t done_at = clock.now_utc_seconds();
    if (stop != nullptr && stop->load() && std::holds_alternative<DraftError>(answer)) {
      // Abandoned, not failed: no attempt is counted; the lease makes the row due again
      // shortly after the next start.
      break;
    }
    if (auto* text = std::get_if<DraftText>(&answer)) {
      const std::string model = text->model.empty() ? options.settings.model : text->model;
      auto saved = store.save_draft(draft.id, "model", model, text->title, text->summary, "",
                                    done_at);
      if (!saved) {
        return fail(std::move(saved.error()));
      }
      ++stats.model;
      continue;
    }
    const DraftError& error = std::get<DraftError>(answer);
    if (error.kind == DraftErrorKind::kTransient) {
      const std::int64_t retry_after =
          error.retry_after ? static_cast<std::int64_t>(error.retry_after->count()) : 0;
      auto attempts =
          store.record_draft_failure(draft.id, error.message, retry_after, options.retry, done_at);
      if (!attempts) {
        return fail(std::move(attempts.error()));
      }
      if (*attempts < options.retry.max_attempts) {
        ++stats.retried;
        continue;
      }
    }
    // Permanent, or the last attempt: editors still get a draft, marked as extracted.
    if (auto saved = save_fallback(store, draft, input, error.message, done_at, stats); !saved) {
      return fail(std::move(saved.error()));
    }
  }
  return stats;
}

Drafter::Drafter(std::filesystem::path database, DrafterOptions options, const Clock& clock)
    : database_(std::move(database)), options_(std::move(options)), clock_(clock) {
  // Without a model there is no request to wait for: one worker keeps up easily.
  const int workers =
      options_.settings.endpoint.empty() ? 1 : std::max(1, options_.settings.concurrency);
  for (int i = 0; i < workers; ++i) {
    threads_.emplace_back([this, i] { run(i); });
  }
}

Drafter::~Drafter() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (std::thread& thread : threads_) {
    thread.join();
  }
}

void Drafter::wake() {
  {
    std::lock_guard lock(mutex_);
    ++wakes_;
  }
  wake_.notify_all();
}

void Drafter::run(int worker) {
  std::optional<Store> store;
  std::string last_error;
  std::uint64_t seen_wakes = 0;
  while (!stop_) {
    if (!store) {
      auto opened = Store::open(database_);
      if (opened) {
        store.emplace(std::move(*opened));
      } else if (opened.error().message != last_error) {
        last_error = opened.error().message;
        spdlog::error("drafts: worker {} cannot open the database, trying again: {}", worker,
                      log_safe(last_error));
      }
    }
    if (store) {
      try {
        auto ran = run_due_drafts(*store, options_, clock_, 0, &stop_);
        if (!ran) {
          // Logged once per distinct error: a database that stays locked must not flood
          // the journal every period.
          if (ran.error().message != last_error) {
            last_error = ran.error().message;
            spdlog::warn("drafts: the queue could not be worked, trying again later: {}",
                         log_safe(last_error));
          }
        } else {
          last_error.clear();
          if (ran->model + ran->extractive + ran->retried + ran->failed > 0) {
            spdlog::info("drafts: {} model, {} extractive, {} to retry, {} without text",
                         ran->model, ran->extractive, ran->retried, ran->failed);
          }
          if (ran->over_budget) {
            const std::string day = utc_day(clock_.now_utc_seconds());
            std::lock_guard lock(mutex_);
            if (budget_logged_day_ != day) {
              budget_logged_day_ = day;
              spdlog::warn("drafts: today's budget of {} model requests is spent; the rest "
                           "is drafted tomorrow (raise [draft] daily_budget to draft more)",
                           options_.settings.daily_budget);
            }
          }
        }
      } catch (const std::exception& e) {
        spdlog::error("drafts: worker {} failed, trying again later: {}", worker,
                      log_safe(e.what()));
      }
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, options_.period, [&] { return stop_.load() || wakes_ != seen_wakes; });
    seen_wakes = wakes_;
  }
}

}  // namespace herald
