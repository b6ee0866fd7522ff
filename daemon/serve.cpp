// `herald serve`: the polling loop that systemd runs.

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include "common/clock.h"
#include "daemon/cli.h"
#include "daemon/context.h"
#include "daemon/edition.h"
#include "daemon/passwords.h"
#include "daemon/contracts.h"
#include "daemon/politeness.h"
#include "daemon/replay_fetcher.h"
#include "daemon/run_source.h"
#include "daemon/scheduler.h"
#include "web/server.h"

namespace herald {
namespace {

// Signals are taken synchronously by one thread (sigwait), so nothing runs in a signal
// handler and the loop is woken through an ordinary condition variable.
class StopSignal {
 public:
  StopSignal() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGHUP);
    // Blocked before any other thread starts, so every thread inherits the mask.
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    waiter_ = std::thread([this] { wait_for_signals(); });
  }
  ~StopSignal() {
    request_stop();
    // Wake sigwait so the waiter thread can end.
    pthread_kill(waiter_.native_handle(), SIGTERM);
    waiter_.join();
  }
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  bool stop_requested() const { return stop_.load(); }
  const std::atomic<bool>& flag() const { return stop_; }

  void request_stop() {
    {
      std::lock_guard lock(mutex_);
      stop_.store(true);
    }
    wake_.notify_all();
  }

  // Sleeps until `deadline` or a stop request; returns false when stopping.
  bool sleep_until(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    wake_.wait_until(lock, deadline, [this] { return stop_.load(); });
    return !stop_.load();
  }

 private:
  void wait_for_signals() {
    while (!stop_.load()) {
      int signal = 0;
      if (sigwait(&set_, &signal) != 0) {
        continue;
      }
      if (stop_.load()) {
        return;
      }
      if (signal == SIGHUP) {
        // TODO(#7): reload herald.toml and sources.d/ in place.
        spdlog::warn("SIGHUP received: reloading is not implemented yet; restart herald to "
                     "apply configuration changes");
        continue;
      }
      spdlog::info("received {}, stopping after the current poll", signal == SIGINT ? "SIGINT" : "SIGTERM");
      request_stop();
    }
  }

  sigset_t set_{};
  std::atomic<bool> stop_{false};
  std::mutex mutex_;  // guards the wait on wake_
  std::condition_variable wake_;
  std::thread waiter_;
};

// The editors' web UI on its own thread next to the poll loop; stopped and joined when it
// goes out of scope (after SIGTERM ends the loop).
class WebRunner {
 public:
  static Result<std::unique_ptr<WebRunner>> start(const Loaded& loaded) {
    const std::vector<SourceConfig>& sources = loaded.sources.sources;
    auto zone = TimeZone::load("Asia/Shanghai");  // the firm counts months in Beijing time
    const TimeZone month_zone = zone ? *zone : TimeZone::fixed(8 * 3600);
    web::WebDeps deps;
    deps.database = loaded.config.database;
    deps.sources = sources;
    deps.verify_password = [](const std::string& hash, const std::string& password) {
      return verify_password(hash, password);
    };
    deps.build_edition = [sources, month_zone](Store& store, const std::string& month) {
      return build_edition(store, sources, month, month_zone);
    };
    auto server = web::WebServer::create(loaded.config.web, std::move(deps));
    if (!server) {
      return fail(server.error());
    }
    auto port = (*server)->bind();
    if (!port) {
      return fail(port.error());
    }
    spdlog::info("herald serve: web UI on http://{}:{}/", loaded.config.web.listen_host, *port);
    auto runner = std::make_unique<WebRunner>();
    runner->server_ = std::move(*server);
    runner->thread_ = std::thread([server = runner->server_.get()] { server->run(); });
    return runner;
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

int serve(const GlobalOptions& options, const std::string& replay_dir) {
  StopSignal stop;

  auto loaded = load_configuration(options.config);
  if (!loaded) {
    print_error(loaded.error());
    return exit_code_for(loaded.error());
  }
  auto store = open_store(loaded->config);
  if (!store) {
    print_error(store.error());
    return kExitFailed;
  }
  // --replay: saved responses instead of the network.
  auto fetcher =
      open_fetcher(replay_dir, politeness_settings(loaded->config, loaded->sources.sources));
  if (!fetcher) {
    print_error(fetcher.error());
    return exit_code_for(fetcher.error());
  }
  std::unique_ptr<WebRunner> web_ui;
  if (loaded->config.web.enabled) {
    auto started = WebRunner::start(*loaded);
    if (!started) {
      print_error(started.error());
      return exit_code_for(started.error());
    }
    web_ui = std::move(*started);
  }

  // Manual sources are not polled (their bridge feed is, when they have one).
  std::vector<SourceConfig> sources;
  std::vector<Scheduler::Entry> entries;
  for (const SourceConfig& source : loaded->sources.sources) {
    if (!source.enabled) {
      continue;
    }
    if (auto polled = polled_config(source)) {
      entries.push_back({.source_id = polled->id, .interval = polled->interval});
      sources.push_back(std::move(*polled));
    }
  }
  SystemClock clock;
  Scheduler scheduler(std::move(entries), clock.now_steady(), loaded->config.interval_jitter,
                      std::chrono::seconds(30),
                      static_cast<std::uint64_t>(clock.now_utc_seconds()));

  spdlog::info("herald serve: {} sources from {}, database {}", sources.size(),
               loaded->config.sources_dir.string(), loaded->config.database.string());
  sd_notify(0, "READY=1");

  while (!stop.stop_requested()) {
    const auto due = scheduler.next();
    if (!due) {
      spdlog::warn("no enabled sources; waiting for SIGTERM");
      stop.sleep_until(std::chrono::steady_clock::time_point::max());
      break;
    }
    if (!stop.sleep_until(due->at)) {
      break;
    }
    const SourceConfig& source = sources[due->index];
    RunReport report;
    try {
      report = run_source_once(source, loaded->config, **fetcher, *store, clock, &stop.flag());
    } catch (const std::exception& e) {
      // Last resort: a bug in one source must not take the daemon down.
      report = RunReport{.source_id = source.id, .outcome = "internal",
                         .error = Error{ErrorCode::kInternal, e.what()}};
    }
    if (report.ok()) {
      spdlog::info("{}", format_report(report));
    } else {
      spdlog::error("{}", format_report(report));
    }
    scheduler.completed(due->index, clock.now_steady(), schedule_outcome(report, source, **fetcher));
  }

  sd_notify(0, "STOPPING=1");
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
                      "Answer every fetch from saved responses (a fixture directory, or a "
                      "directory of them such as tests/fixtures) instead of the network")
      ->check(CLI::ExistingDirectory);
  cli.on(command, [&cli, replay_dir] { return serve(cli.options(), *replay_dir); });
}

}  // namespace herald
