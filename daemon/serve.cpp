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
#include "daemon/stop_signal.h"
#include "daemon/scheduler.h"
#include "web/server.h"

namespace herald {
namespace {

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
