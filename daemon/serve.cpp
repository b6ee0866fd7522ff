// `herald serve`: the polling loop that systemd runs.

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include "common/clock.h"
#include "common/log_format.h"
#include "daemon/cli.h"
#include "daemon/context.h"
#include "daemon/discover_service.h"
#include "daemon/edition.h"
#include "daemon/drafter.h"
#include "daemon/housekeeping.h"
#include "daemon/contracts.h"
#include "daemon/passwords.h"
#include "daemon/periodic.h"
#include "daemon/politeness.h"
#include "daemon/poller_store.h"
#include "daemon/replay_fetcher.h"
#include "daemon/repair.h"
#include "daemon/run_source.h"
#include "daemon/scheduler.h"
#include "daemon/stop_signal.h"
#include "daemon/watchdog.h"
#include "scrapers/normalise/url.h"
#include "web/server.h"

namespace herald {
namespace {

using std::chrono::steady_clock;

// First polls (at start, and of sources a reload adds or changes) are spread over this, so
// herald does not hit every site in the same second.
constexpr std::chrono::seconds kFirstPollSpread{30};

// One error, possibly several "FILE:LINE:COL: ..." lines, as one log line each: every
// problem is its own journal entry with its file and line.
void log_error_lines(std::string_view prefix, const std::string& message) {
  std::size_t start = 0;
  while (start <= message.size()) {
    const std::size_t end = std::min(message.find('\n', start), message.size());
    if (end > start) {
      spdlog::error("{}{}", prefix, log_safe(std::string_view(message).substr(start, end - start)));
    }
    start = end + 1;
  }
}

// What the admins' discovery page shows (web/discover_pages.cpp), in the web layer's plain
// strings: the proposed file, what was inferred, the first items and the alternatives.
web::DiscoveryPreview discovery_preview(const DiscoverRun& run) {
  web::DiscoveryPreview preview;
  preview.id = run.id;
  preview.source_text = run.file;
  const Discovery& found = run.discovery;
  preview.confidence = found.confidence;
  if (found.choice == DiscoveryChoice::kNone) {
    preview.problem = no_list_message(run.url);
  }
  if (!found.charset.empty()) {
    preview.summary.push_back(fmt::format("charset: {} ({})", found.charset, found.charset_origin));
  }
  if (!found.cms.empty()) {
    preview.summary.push_back("CMS: " + found.cms);
  }
  if (found.choice == DiscoveryChoice::kFeed && !found.feeds.empty()) {
    const FeedCandidate& feed = found.feeds.front();
    preview.summary.push_back(fmt::format("feed: {} ({} items, {:.0f}% of the page's list)",
                                          feed.url, feed.items, feed.overlap * 100));
  }
  if (!found.lists.empty()) {
    const ListCandidate& best = found.lists.front();
    if (found.choice == DiscoveryChoice::kList) {
      preview.summary.push_back(fmt::format("list: {} ({} records, dates {})", best.region,
                                            best.records, date_origin_name(best.date_origin)));
      for (const std::string& reason : best.reasons) {
        preview.summary.push_back(reason);
      }
      for (const RawItem& item : best.preview) {
        auto absolute = resolve_url(found.url, item.link);
        preview.items.push_back({.title = item.title,
                                 .url = absolute ? *absolute : item.link,
                                 .date = item.date_text});
      }
    }
    const std::size_t first_rejected = found.choice == DiscoveryChoice::kList ? 1 : 0;
    for (std::size_t i = first_rejected; i < found.lists.size(); ++i) {
      preview.alternatives.push_back(describe_candidate(found.lists[i]));
    }
  }
  return preview;
}

// The editors' web UI on its own thread next to the poll loop; stopped and joined when it
// goes out of scope (after SIGTERM ends the loop, or when a reload replaces it).
class WebRunner {
 public:
  // Loads the templates and opens the database, without binding yet: a reload can check
  // the new settings while the old UI keeps serving.
  static Result<std::unique_ptr<web::WebServer>> create(const Loaded& loaded) {
    const std::vector<SourceConfig>& sources = loaded.sources.sources;
    auto zone = TimeZone::load("Asia/Shanghai");  // the firm counts months in Beijing time
    const TimeZone month_zone = zone ? *zone : TimeZone::fixed(8 * 3600);
    web::WebDeps deps;
    deps.database = loaded.config.database;
    deps.sources = sources;
    // The desk's zone ([schedule] timezone): the web UI prints every moment in it, labelled
    // (its offset now; a reload, as after a DST change, reads it again).
    deps.utc_offset_seconds =
        loaded.config.local_zone.offset_at_utc(SystemClock{}.now_utc_seconds());
    deps.evidence_dir = loaded.config.archive.dir;
    deps.verify_password = [](const std::string& hash, const std::string& password) {
      return verify_password(hash, password);
    };
    deps.hash_password = [](const std::string& password) { return hash_password(password); };
    deps.password_needs_rehash = [](const std::string& hash) {
      return password_needs_rehash(hash);
    };
    deps.build_edition = [sources, month_zone](Store& store, const std::string& month) {
      return build_edition(store, sources, month, month_zone);
    };
    // Applying a repair rewrites a file in sources.d/; the reload that reads it is the one
    // SIGHUP starts (signals are taken by StopSignal's thread, never by a web worker), and
    // it polls the changed source again soon after.
    deps.decide_repair = [](Store& store, const std::string& source_id, bool apply,
                            const std::string& actor) -> Result<std::string> {
      SystemClock clock;
      if (!apply) {
        auto discarded = discard_repair(store, source_id, actor, clock.now_utc_seconds());
        if (!discarded) {
          return fail(std::move(discarded.error()));
        }
        return fmt::format("repair {} discarded", discarded->id);
      }
      auto applied = apply_repair(store, source_id, actor, clock.now_utc_seconds());
      if (!applied) {
        return fail(std::move(applied.error()));
      }
      ::kill(::getpid(), SIGHUP);
      return fmt::format("repair {} applied; old file kept as {}", applied->proposal_id,
                         applied->backup.string());
    };
    // Discovery for the admins' page: its own fetcher per request (web workers never share
    // the poll loop's), and a file saved into sources.d/ is read by the reload SIGHUP starts.
    auto shared = std::make_shared<const Loaded>(loaded);
    deps.discover_source = [shared](const std::string& url, const std::string& id,
                                    const std::string& kind) -> Result<web::DiscoveryPreview> {
      auto fetcher = open_fetcher({}, politeness_settings(shared->config, shared->sources.sources));
      if (!fetcher) {
        return fail(std::move(fetcher.error()));
      }
      auto run = run_discovery(*shared, fetcher->get(), DiscoverInput{.url = url, .id = id, .kind = kind});
      if (!run) {
        return fail(std::move(run.error()));
      }
      return discovery_preview(*run);
    };
    deps.save_source = [shared](const std::string& id,
                                const std::string& text) -> Result<std::string> {
      auto saved = save_discovered_source(*shared, id, text);
      if (!saved) {
        return fail(std::move(saved.error()));
      }
      ::kill(::getpid(), SIGHUP);
      return saved->string();
    };
    return web::WebServer::create(loaded.config.web, std::move(deps));
  }

  static Result<std::unique_ptr<WebRunner>> start(std::unique_ptr<web::WebServer> server,
                                                  const Loaded& loaded) {
    auto port = server->bind();
    if (!port) {
      return fail(port.error());
    }
    spdlog::info("herald serve: web UI on http://{}:{}/", log_safe(loaded.config.web.listen_host),
                 *port);
    auto runner = std::make_unique<WebRunner>();
    runner->server_ = std::move(server);
    runner->thread_ = std::thread([server = runner->server_.get()] { server->run(); });
    return runner;
  }

  static Result<std::unique_ptr<WebRunner>> start(const Loaded& loaded) {
    auto server = create(loaded);
    if (!server) {
      return fail(server.error());
    }
    return start(std::move(*server), loaded);
  }

  WebRunner() = default;
  WebRunner(const WebRunner&) = delete;
  WebRunner& operator=(const WebRunner&) = delete;
  ~WebRunner() {
    server_->stop();
    thread_.join();
  }

 private:
  std::unique_ptr<web::WebServer> server_;
  std::thread thread_;
};

std::unique_ptr<Housekeeping> start_housekeeping(const Loaded& loaded, const Clock& clock) {
  std::vector<std::unique_ptr<PeriodicTask>> tasks;
  try {
    tasks = make_periodic_tasks(loaded);
  } catch (const std::exception& e) {
    spdlog::error("housekeeping: not started: {}", log_safe(e.what()));
  }
  return std::make_unique<Housekeeping>(std::move(tasks), clock);
}

// How a poll's result moves the source's next run: back off after retryable failures, and
// wait for the host's Retry-After when it asked herald to.
Scheduler::Outcome schedule_outcome(const RunReport& report, const SourceConfig& source,
                                    Fetcher& fetcher) {
  if (!report.error) {
    return Scheduler::Outcome::success();
  }
  if (report.error->code == ErrorCode::kRateLimited) {
    if (const auto* polite = dynamic_cast<const PoliteNetworkFetcher*>(&fetcher)) {
      if (auto until = polite->rate_limited_until(source.url)) {
        return Scheduler::Outcome::rate_limited(*until);
      }
    }
  }
  return Scheduler::Outcome::failure(report.error->retryable);
}

// herald.toml and sources.d/, read for serve: problems are logged (one line per problem,
// with file and line) instead of printed, so they reach the journal with a priority.
struct Reading {
  Loaded loaded{};
  std::map<std::string, std::string> file_text{};  // source id -> its file, to spot changes
};

Result<Reading> read_configuration(const std::filesystem::path& file) {
  auto config = load_herald_config(file);
  if (!config) {
    return fail(config.error());
  }
  auto sources = load_sources(config->sources_dir);
  if (!sources) {
    return fail(sources.error());
  }
  Reading reading;
  for (const SourceConfig& source : sources->sources) {
    std::ifstream in(source.file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    reading.file_text[source.id] = text.str();
  }
  reading.loaded = Loaded{.config = std::move(*config), .sources = std::move(*sources)};
  return reading;
}

// Outcomes of a failure that passes: the failures in a row they end keep backing a source
// off across a restart. After any other failure (the page or the configuration needs an
// admin, who may have just fixed it and restarted) the source waits one interval.
bool transient_outcome(std::string_view outcome) {
  return outcome == "timeout" || outcome == "refused" || outcome == "dns" ||
         outcome == "network" || outcome == "http_5xx" || outcome == "rate_limited";
}

// What the database knows of each source's last poll (by source id), for the scheduler:
// started how long before `now_utc` and the failures in a row to back off from. A poll
// abandoned at shutdown ("cancelled") did not happen as far as scheduling goes. Empty,
// with a warning, when the database cannot be read: every source is then due at once.
std::map<std::string, Scheduler::Entry> last_polls(Store& store, std::int64_t now_utc) {
  std::map<std::string, Scheduler::Entry> out;
  auto health = store.source_health(now_utc);
  if (!health) {
    spdlog::warn("herald serve: cannot read when each source was last polled ({}); every "
                 "source is polled now",
                 log_safe(health.error().message));
    return out;
  }
  for (const SourceHealth& h : *health) {
    if (!h.last_poll_at || h.last_outcome == "cancelled") {
      continue;
    }
    Scheduler::Entry entry{.source_id = h.source_id};
    // A last poll "in the future" (the wall clock was set back) counts as just now.
    entry.last_poll_age =
        std::chrono::seconds(std::max<std::int64_t>(0, now_utc - *h.last_poll_at));
    entry.failures = transient_outcome(h.last_outcome) ? h.consecutive_failures : 0;
    out.emplace(h.source_id, std::move(entry));
  }
  return out;
}

bool same_web(const WebSettings& a, const WebSettings& b) {
  return a.enabled == b.enabled && a.listen_host == b.listen_host && a.port == b.port &&
         a.public_origin == b.public_origin && a.session_idle_timeout == b.session_idle_timeout &&
         a.session_absolute_timeout == b.session_absolute_timeout &&
         a.assets_dir == b.assets_dir && a.metrics == b.metrics;
}

bool same_politeness(const PolitenessSettings& a, const PolitenessSettings& b) {
  return a.min_delay == b.min_delay && a.host_min_delay == b.host_min_delay &&
         a.robots_token == b.robots_token && a.user_agent == b.user_agent &&
         a.robots_ttl == b.robots_ttl && a.robots_error_ttl == b.robots_error_ttl &&
         a.robots_max_bytes == b.robots_max_bytes &&
         a.rate_limit_default == b.rate_limit_default;
}

// Everything `herald serve` runs on, replaced as a whole by a successful reload.
class Service {
 public:
  Service(Reading reading, Store store, std::unique_ptr<Fetcher> fetcher, std::string replay_dir,
          const Clock& clock)
      : current_(std::move(reading)),
        store_(std::move(store)),
        fetcher_(std::move(fetcher)),
        replay_dir_(std::move(replay_dir)),
        clock_(clock),
        scheduler_({}, clock.now_steady(), current_.loaded.config.interval_jitter,
                   kFirstPollSpread, static_cast<std::uint64_t>(clock.now_utc_seconds())) {
    schedule(/*changed=*/{});
  }

  Result<void> start_web() {
    if (!current_.loaded.config.web.enabled) {
      return {};
    }
    auto started = WebRunner::start(current_.loaded);
    if (!started) {
      return fail(started.error());
    }
    web_ui_ = std::move(*started);
    return {};
  }

  void start_housekeeping() {
    housekeeping_ = herald::start_housekeeping(current_.loaded, clock_);
    // Drafting on its own threads, restarted with the configuration it reads ([draft]).
    drafter_.reset();
    drafter_ = std::make_unique<Drafter>(current_.loaded.config.database,
                                         drafter_options(current_.loaded), clock_);
  }
  // A poll queued new candidates: draft them now rather than at the drafter's next round.
  void wake_drafter() {
    if (drafter_) {
      drafter_->wake();
    }
  }

  const Loaded& loaded() const { return current_.loaded; }
  Scheduler& scheduler() { return scheduler_; }
  const SourceConfig& polled(std::size_t index) const { return polled_.at(index); }
  Store& store() { return store_; }
  Fetcher& fetcher() { return *fetcher_; }

  // Stops the housekeeping thread and the web UI (in that order) before the rest goes.
  void shut_down() {
    drafter_.reset();
    housekeeping_.reset();
    web_ui_.reset();
  }

  std::string status() const {
    return fmt::format("polling {} sources", polled_.size());
  }

  // SIGHUP: re-reads herald.toml and sources.d/ and applies what changed. Called between
  // polls. A broken herald.toml (or sources directory) changes nothing; a broken source
  // file keeps that source's previous version.
  void reload() {
    const std::filesystem::path file = current_.loaded.config.file;
    auto read = read_configuration(file);
    if (!read) {
      log_error_lines("reload: ", read.error().message);
      spdlog::error("reload: failed, nothing changed: the previous configuration keeps "
                    "running; fix {} and reload again",
                    log_safe(file.string()));
      return;
    }
    Reading next = std::move(*read);
    SourceSet& sources = next.loaded.sources;

    for (const Error& error : sources.errors) {
      log_error_lines("reload: ", error.message);
    }
    // A source whose file is now broken keeps running as it was.
    int kept_broken = 0;
    for (const SourceConfig& old : current_.loaded.sources.sources) {
      if (next.loaded.find(old.id) != nullptr) {
        continue;
      }
      const bool broken = std::any_of(
          sources.errors.begin(), sources.errors.end(), [&old](const Error& error) {
            return error.message.starts_with(old.file + ":");
          });
      if (broken) {
        sources.sources.push_back(old);
        next.file_text[old.id] = current_.file_text[old.id];
        ++kept_broken;
        spdlog::warn("reload: {}: {} is invalid; its previous version keeps running until the "
                     "file is fixed",
                     log_safe(old.id), log_safe(old.file));
      }
    }
    std::sort(sources.sources.begin(), sources.sources.end(),
              [](const SourceConfig& a, const SourceConfig& b) { return a.id < b.id; });

    const HeraldConfig& old_config = current_.loaded.config;
    const HeraldConfig& new_config = next.loaded.config;
    std::optional<Store> new_store;
    if (new_config.database != old_config.database) {
      auto opened = open_poller_store(new_config);
      if (!opened) {
        log_error_lines("reload: ", opened.error().message);
        spdlog::error("reload: failed, nothing changed: cannot open the new database {}",
                      log_safe(new_config.database.string()));
        return;
      }
      new_store.emplace(std::move(*opened));
    }
    std::unique_ptr<Fetcher> new_fetcher;
    if (replay_dir_.empty()) {
      const PolitenessSettings before = politeness_settings(old_config, current_.loaded.sources.sources);
      const PolitenessSettings after = politeness_settings(new_config, sources.sources);
      if (!same_politeness(before, after)) {
        // Loses what the old fetcher knew (robots.txt, Retry-After pauses): only when the
        // delays or the User-Agent actually changed.
        auto opened = open_fetcher(replay_dir_, after);
        if (!opened) {
          log_error_lines("reload: ", opened.error().message);
          spdlog::error("reload: failed, nothing changed");
          return;
        }
        new_fetcher = std::move(*opened);
      }
    }

    std::set<std::string> changed;
    int added = 0;
    int removed = 0;
    int kept = 0;
    for (const auto& [id, text] : next.file_text) {
      const auto old = current_.file_text.find(id);
      if (old == current_.file_text.end()) {
        ++added;
      } else if (old->second != text) {
        changed.insert(id);
      } else {
        ++kept;
      }
    }
    for (const auto& [id, text] : current_.file_text) {
      if (!next.file_text.contains(id)) {
        ++removed;
      }
    }

    const std::size_t errors = sources.errors.size();
    const bool restart_web = !same_web(old_config.web, new_config.web) ||
                             new_config.database != old_config.database || added > 0 ||
                             removed > 0 || !changed.empty();
    current_ = std::move(next);
    if (new_store) {
      store_ = std::move(*new_store);
    }
    if (new_fetcher) {
      fetcher_ = std::move(new_fetcher);
    }
    schedule(changed);
    if (restart_web) {
      replace_web();
    }
    start_housekeeping();
    spdlog::info("reload: {} sources polled: added={} removed={} changed={} kept={} errors={}{}",
                 polled_.size(), added, removed, changed.size(), kept, errors,
                 kept_broken > 0 ? fmt::format(" (previous version kept for {})", kept_broken)
                                 : std::string());
  }

 private:
  // Rebuilds the polled list and hands it to the scheduler; unchanged sources keep their
  // place, `changed` ones start afresh, and new ones (every source at start) are first due
  // one interval after their last poll in the database, so a restart does not hammer sites.
  void schedule(const std::set<std::string>& changed) {
    polled_.clear();
    const std::map<std::string, Scheduler::Entry> history =
        last_polls(store_, clock_.now_utc_seconds());
    std::vector<Scheduler::Entry> entries;
    // Manual sources are not polled (their bridge feed is, when they have one).
    for (const SourceConfig& source : current_.loaded.sources.sources) {
      if (!source.enabled) {
        continue;
      }
      if (auto polled = polled_config(source)) {
        Scheduler::Entry entry{.source_id = polled->id, .interval = polled->interval};
        if (const auto last = history.find(polled->id); last != history.end()) {
          entry.last_poll_age = last->second.last_poll_age;
          entry.failures = last->second.failures;
        }
        entries.push_back(std::move(entry));
        polled_.push_back(std::move(*polled));
      }
    }
    scheduler_.set_jitter(current_.loaded.config.interval_jitter);
    scheduler_.replace(std::move(entries), clock_.now_steady(), kFirstPollSpread, changed);
  }

  // The web UI with the new sources and settings. The new server is prepared before the
  // old one stops, so a bad [web] leaves the old UI running.
  void replace_web() {
    const Loaded& loaded = current_.loaded;
    if (!loaded.config.web.enabled) {
      if (web_ui_) {
        web_ui_.reset();
        spdlog::info("reload: web UI stopped ([web] enabled = false)");
      }
      return;
    }
    auto server = WebRunner::create(loaded);
    if (!server) {
      log_error_lines("reload: web UI: ", server.error().message);
      spdlog::error("reload: the web UI keeps its previous settings and source list");
      return;
    }
    web_ui_.reset();  // frees the port
    auto started = WebRunner::start(std::move(*server), loaded);
    if (!started) {
      log_error_lines("reload: web UI: ", started.error().message);
      spdlog::error("reload: the web UI is down until [web] is fixed and herald reloaded; "
                    "polling goes on");
      return;
    }
    web_ui_ = std::move(*started);
  }

  Reading current_;
  Store store_;
  std::unique_ptr<Fetcher> fetcher_;
  std::string replay_dir_;
  const Clock& clock_;
  Scheduler scheduler_;
  std::vector<SourceConfig> polled_;  // parallel to the scheduler's entries
  std::unique_ptr<WebRunner> web_ui_;
  std::unique_ptr<Housekeeping> housekeeping_;
  std::unique_ptr<Drafter> drafter_;
};

void notify_reloading(const Clock& clock) {
  const auto usec = std::chrono::duration_cast<std::chrono::microseconds>(
                        clock.now_steady().time_since_epoch())
                        .count();
  sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%lld\nSTATUS=reloading the configuration",
             static_cast<long long>(usec));
}

int serve(const GlobalOptions& options, const std::string& replay_dir) {
  StopSignal stop(/*reloads=*/true);
  SystemClock clock;

  auto read = read_configuration(options.config);
  if (!read) {
    log_error_lines("", read.error().message);
    return exit_code_for(read.error());
  }
  for (const Error& error : read->loaded.sources.errors) {
    log_error_lines("skipped: ", error.message);
  }
  // The poll loop's own connection, and only it, commits with synchronous=NORMAL
  // (daemon/poller_store.cpp); the web UI opens its own, FULL, for the editors' decisions.
  auto store = open_poller_store(read->loaded.config);
  if (!store) {
    log_error_lines("", store.error().message);
    return kExitFailed;
  }
  // --replay: saved responses instead of the network.
  auto fetcher = open_fetcher(
      replay_dir, politeness_settings(read->loaded.config, read->loaded.sources.sources));
  if (!fetcher) {
    log_error_lines("", fetcher.error().message);
    return exit_code_for(fetcher.error());
  }
  Service service(std::move(*read), std::move(*store), std::move(*fetcher), replay_dir, clock);
  if (auto web = service.start_web(); !web) {
    log_error_lines("", web.error().message);
    return exit_code_for(web.error());
  }
  service.start_housekeeping();

  // systemd's watchdog, when the unit sets WatchdogSec=: pings only while this loop moves.
  std::uint64_t watchdog_usec = 0;
  std::optional<Heartbeat> heartbeat;
  if (sd_watchdog_enabled(0, &watchdog_usec) > 0 && watchdog_usec > 0) {
    heartbeat.emplace(std::chrono::microseconds(watchdog_usec));
    heartbeat->beat(clock.now_steady());
  }
  std::optional<WatchdogPinger> pinger;
  if (heartbeat) {
    pinger.emplace(*heartbeat, [](const char* state) { sd_notify(0, state); });
    pinger->start();
  }

  spdlog::info("herald serve: {} sources from {}, database {}{}", service.scheduler().size(),
               log_safe(service.loaded().config.sources_dir.string()),
               log_safe(service.loaded().config.database.string()),
               heartbeat ? fmt::format(", watchdog {} ms", watchdog_usec / 1000) : std::string());
  sd_notifyf(0, "READY=1\nSTATUS=%s", service.status().c_str());

  bool warned_idle = false;
  while (true) {
    if (heartbeat) {
      heartbeat->beat(clock.now_steady());
    }
    if (stop.stop_requested()) {
      break;
    }
    if (stop.take_reload()) {
      notify_reloading(clock);
      service.reload();
      sd_notifyf(0, "READY=1\nSTATUS=%s", service.status().c_str());
      warned_idle = false;
      continue;
    }
    const auto due = service.scheduler().next();
    if (!due && !warned_idle) {
      spdlog::warn("no enabled sources; waiting for SIGHUP (reload) or SIGTERM");
      warned_idle = true;
    }
    auto wake_at = due ? due->at : steady_clock::time_point::max();
    if (heartbeat) {
      wake_at = std::min(wake_at, clock.now_steady() + heartbeat->beat_period());
    }
    if (stop.wait_until(wake_at) != StopSignal::Wake::kDeadline) {
      continue;  // stop or reload: handled at the top
    }
    if (!due || clock.now_steady() < due->at) {
      continue;  // woke to beat the heartbeat only
    }
    const SourceConfig& source = service.polled(due->index);
    if (heartbeat) {
      heartbeat->poll_started(clock.now_steady(), source.id,
                              poll_budget(source, service.loaded().config));
    }
    RunReport report;
    try {
      report = run_source_once(source, service.loaded().config, service.fetcher(),
                               service.store(), clock, &stop.flag());
    } catch (const std::exception& e) {
      // Last resort: a bug in one source must not take the daemon down.
      report = RunReport{.source_id = source.id, .outcome = "internal",
                         .error = Error{ErrorCode::kInternal, e.what()}};
    }
    if (heartbeat) {
      heartbeat->poll_finished(clock.now_steady());
    }
    if (report.stored.candidates_new > 0) {
      service.wake_drafter();
    }
    if (report.ok()) {
      spdlog::info("{}", log_safe(format_report(report)));
    } else {
      spdlog::error("{}", log_safe(format_report(report)));
    }
    service.scheduler().completed(due->index, clock.now_steady(),
                                  schedule_outcome(report, source, service.fetcher()));
  }

  sd_notify(0, "STOPPING=1");
  service.shut_down();
  spdlog::info("herald serve: stopped");
  return kExitOk;
}

}  // namespace

void add_serve_verb(Cli& cli) {
  CLI::App* command = cli.app().add_subcommand(
      "serve",
      "Run the daemon: poll every enabled source on its own interval until SIGTERM or SIGINT "
      "(what systemd runs)");
  auto replay_dir = std::make_shared<std::string>();
  command->add_option("--replay", *replay_dir,
                      "Answer every fetch from saved responses (a fixture directory, a "
                      "directory of them such as tests/fixtures, or an evidence archive "
                      "directory, [archive] dir) instead of the network")
      ->check(CLI::ExistingDirectory);
  cli.on(command, [&cli, replay_dir] { return serve(cli.options(), *replay_dir); });
}

}  // namespace herald
