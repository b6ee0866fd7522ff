#include "daemon/run_source.h"

#include <chrono>

#include <fmt/format.h>

#include "common/text.h"
#include "scrapers/registry.h"
#include "scrapers/relevance/relevance.h"

namespace herald {

FetchRequest make_request(const SourceConfig& source, const HeraldConfig& config,
                          const Validators& validators) {
  return FetchRequest{
      .url = source.url,
      .etag = validators.etag,
      .last_modified = validators.last_modified,
      .user_agent = source.fetch.user_agent.value_or(config.user_agent),
      .referer = source.fetch.referer,
      .accept_language = source.fetch.accept_language,
      .timeout = source.fetch.timeout,
      .max_body_bytes = source.fetch.max_body_bytes,
  };
}

RunReport run_source_once(const SourceConfig& source, const HeraldConfig& config,
                          Fetcher& fetcher, Store& store, const Clock& clock,
                          const std::atomic<bool>* cancel) {
  const auto started_steady = clock.now_steady();
  RunReport report{.source_id = source.id};
  PollRecord poll{.source_id = source.id, .started_at = clock.now_utc_seconds()};

  // Every exit writes the poll record (with or without items) and fills the report.
  auto finish = [&](std::string outcome, std::optional<Error> error) {
    report.outcome = std::move(outcome);
    report.error = std::move(error);
    report.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             clock.now_steady() - started_steady)
                             .count();
    poll.outcome = report.outcome;
    poll.duration_ms = report.duration_ms;
    poll.bytes = report.bytes;
    if (report.http_status) {
      poll.http_status = *report.http_status;
    }
    if (report.error) {
      poll.error = report.error->message;
      poll.items.clear();
      poll.new_validators.reset();
    }
    auto stored = store.commit_poll(poll);
    if (stored) {
      report.stored = *stored;
    } else if (!report.error) {
      report.outcome = std::string(error_code_name(stored.error().code));
      report.error = stored.error();
    }
    return report;
  };
  auto failed = [&](const Error& error) {
    return finish(std::string(error_code_name(error.code)), error);
  };

  auto validators = store.validators(source.id);
  if (!validators) {
    return failed(validators.error());
  }

  FetchRequest request = make_request(source, config, *validators);
  request.cancel = cancel;
  auto page = fetcher.fetch(request);
  if (!page) {
    return failed(page.error());
  }
  report.http_status = page->status;
  report.bytes = static_cast<std::int64_t>(page->body.size());
  if (page->not_modified()) {
    return finish("not_modified", std::nullopt);
  }

  auto extraction = extract_page(source, *page, poll.started_at);
  if (!extraction) {
    return failed(extraction.error());
  }
  report.extracted = static_cast<int>(extraction->items.size());
  report.rejected = extraction->rejected;
  report.charset_suspect = extraction->charset_suspect;

  for (Item& item : extraction->items) {
    score_item(item, config.topics, source.always_candidate);
  }
  poll.items = std::move(extraction->items);
  poll.new_validators = Validators{.etag = page->etag, .last_modified = page->last_modified};
  return finish("ok", std::nullopt);
}

std::string format_report(const RunReport& report) {
  std::string line = fmt::format("source={} outcome={}", report.source_id, report.outcome);
  if (report.http_status) {
    line += fmt::format(" http={}", *report.http_status);
  }
  line += fmt::format(" bytes={} items={} new={} candidates={} ms={}", report.bytes,
                      report.extracted, report.stored.items_new, report.stored.candidates_new,
                      report.duration_ms);
  if (report.rejected > 0) {
    line += fmt::format(" rejected={}", report.rejected);
  }
  if (report.charset_suspect) {
    line += " charset_suspect=true";
  }
  if (report.error) {
    // Messages can quote scraped text (titles, URLs): keep the journal clean.
    line += fmt::format(" error=\"{}\"", strip_controls(report.error->message));
  }
  return line;
}

}  // namespace herald
