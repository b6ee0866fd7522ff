// `herald poll [SOURCE...] [--replay DIR] [--jobs N]`: one poll cycle in the foreground.

#include <algorithm>
#include <atomic>
#include <exception>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "common/clock.h"
#include "daemon/cli.h"
#include "daemon/context.h"
#include "daemon/contracts.h"
#include "daemon/politeness.h"
#include "daemon/poller_store.h"
#include "daemon/replay_fetcher.h"
#include "daemon/run_source.h"
#include "daemon/stop_signal.h"

namespace herald {
namespace {

struct PollArguments {
  std::vector<std::string> source_ids{};
  std::string replay{};  // answer fetches from saved responses (docs/source-fixtures.md)
  int jobs = 2;          // sources polled at the same time
};

// Sources that one worker polls one after the other.
using SourceGroup = std::vector<const SourceConfig*>;

// Splits the sources into groups that may be polled at the same time without two workers
// ever talking to one host: politeness (min_delay between requests, robots.txt, a host's
// Retry-After) lives in each worker's own PoliteFetcher, so all the sources of one host
// (host:port of the list URL) go to the same worker. Sources that read article pages may
// fetch any host their list links to, so they all share one group. Largest groups first,
// so the longest chain of polls starts at once.
std::vector<SourceGroup> group_by_host(const std::vector<SourceConfig>& sources) {
  std::map<std::string, SourceGroup> by_host;
  SourceGroup article_readers;
  for (const SourceConfig& source : sources) {
    if (source.article) {
      article_readers.push_back(&source);
    } else {
      by_host[host_key(source.url)].push_back(&source);
    }
  }
  // An article reader's own list host must not be polled by another worker either. (By
  // index: the loop appends to the vector it walks; appended sources have no [article].)
  const std::size_t readers = article_readers.size();
  for (std::size_t i = 0; i < readers; ++i) {
    auto same_host = by_host.find(host_key(article_readers[i]->url));
    if (same_host != by_host.end()) {
      SourceGroup moved = std::move(same_host->second);
      by_host.erase(same_host);
      article_readers.insert(article_readers.end(), moved.begin(), moved.end());
    }
  }
  std::vector<SourceGroup> groups;
  if (!article_readers.empty()) {
    groups.push_back(std::move(article_readers));
  }
  for (auto& [host, group] : by_host) {
    groups.push_back(std::move(group));
  }
  std::stable_sort(groups.begin(), groups.end(), [](const SourceGroup& a, const SourceGroup& b) {
    return a.size() > b.size();
  });
  return groups;
}

// What the workers share: the next group to take, the output, and how the cycle went.
class Cycle {
 public:
  Cycle(std::vector<SourceGroup> groups, const std::atomic<bool>& stop)
      : groups_(std::move(groups)), stop_(stop) {}

  std::size_t group_count() const { return groups_.size(); }

  const SourceGroup* next_group() {
    const std::size_t index = next_.fetch_add(1);
    return index < groups_.size() ? &groups_[index] : nullptr;
  }

  // One line per finished poll on stdout; an abandoned poll goes to stderr (stdout lists
  // only polls that ran to the end) and ends the cycle as failed.
  void report(const RunReport& report) {
    const bool cancelled = report.error && report.error->code == ErrorCode::kCancelled;
    const std::string line = format_report(report);
    std::lock_guard lock(output_);
    if (cancelled) {
      std::cerr << "herald: " << line << std::endl;
      incomplete_ = true;
      return;
    }
    std::cout << line << std::endl;
    if (!report.ok()) {
      ++failures_;
    }
  }

  void mark_incomplete() {
    std::lock_guard lock(output_);
    incomplete_ = true;
  }

  const std::atomic<bool>& stop_flag() const { return stop_; }

  int exit_code() const {
    std::lock_guard lock(output_);
    return failures_ == 0 && !incomplete_ ? kExitOk : kExitFailed;
  }

 private:
  std::vector<SourceGroup> groups_;
  const std::atomic<bool>& stop_;
  std::atomic<std::size_t> next_{0};
  mutable std::mutex output_;
  int failures_ = 0;
  bool incomplete_ = false;  // cancelled, or sources left unpolled
};

// Polls groups until none are left or a stop is requested, with its own fetcher and its
// own database connection (SQLite WAL: commits from several connections queue on the
// write lock for up to busy_timeout).
void work(Cycle& cycle, const Loaded& loaded, Fetcher& fetcher, Store& store) {
  SystemClock clock;
  while (const SourceGroup* group = cycle.next_group()) {
    for (const SourceConfig* source : *group) {
      if (cycle.stop_flag().load()) {
        cycle.mark_incomplete();  // the remaining sources were not polled
        return;
      }
      RunReport report;
      try {
        report =
            run_source_once(*source, loaded.config, fetcher, store, clock, &cycle.stop_flag());
      } catch (const std::exception& e) {
        // As in serve: a bug in one source must not lose the other sources' polls.
        report = RunReport{.source_id = source->id, .outcome = "internal",
                           .error = Error{ErrorCode::kInternal, e.what()}};
      }
      cycle.report(report);
    }
  }
}

int poll_sources(const GlobalOptions& options, const PollArguments& args) {
  // SIGTERM/SIGINT (systemd stopping a `herald poll` unit, Ctrl-C) abandon the transfers in
  // progress, so herald exits by itself with those polls recorded as cancelled.
  StopSignal stop;
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    print_error(loaded.error());
    return exit_code_for(loaded.error());
  }
  // Manual sources are not polled (their bridge feed is, when they have one).
  std::vector<SourceConfig> selected;
  if (args.source_ids.empty()) {
    for (const SourceConfig& source : loaded->sources.sources) {
      if (source.enabled) {
        if (auto polled = polled_config(source)) {
          selected.push_back(std::move(*polled));
        }
      }
    }
  } else {
    for (const std::string& id : args.source_ids) {
      const SourceConfig* source = loaded->find(id);
      if (source == nullptr) {
        print_error(unknown_source(id));
        return kExitUsage;
      }
      auto polled = polled_config(*source);
      if (!polled) {
        print_error(Error{ErrorCode::kUsage,
                          id + " is a manual source (" + source->manual_reason +
                              "); add its articles with 'herald add URL --source " + id + "'"});
        return kExitUsage;
      }
      selected.push_back(std::move(*polled));
    }
  }
  if (selected.empty()) {
    std::cerr << "herald: no enabled polled sources in " << loaded->config.sources_dir.string()
              << "\n";
    return kExitOk;
  }
  const PolitenessSettings politeness =
      politeness_settings(loaded->config, loaded->sources.sources);
  // The first connection runs the migrations before any worker opens its own. Every
  // worker's connection commits with synchronous=NORMAL (daemon/poller_store.cpp).
  auto store = open_poller_store(loaded->config);
  if (!store) {
    print_error(store.error());
    return kExitFailed;
  }

  Cycle cycle(group_by_host(selected), stop.flag());
  const std::size_t workers =
      std::min<std::size_t>(static_cast<std::size_t>(std::max(args.jobs, 1)), cycle.group_count());

  // Each worker's fetcher (libcurl handle, politeness state) and database connection are
  // opened here, before any thread starts, so a setup error is reported once and nothing
  // is polled half-way.
  std::vector<std::unique_ptr<Fetcher>> fetchers;
  std::vector<std::optional<Store>> stores;
  for (std::size_t i = 0; i < workers; ++i) {
    auto fetcher = open_fetcher(args.replay, politeness);
    if (!fetcher) {
      print_error(fetcher.error());
      return exit_code_for(fetcher.error());
    }
    fetchers.push_back(std::move(*fetcher));
    if (i == 0) {
      stores.emplace_back(std::move(*store));
      continue;
    }
    auto own = open_poller_store(loaded->config);
    if (!own) {
      print_error(own.error());
      return kExitFailed;
    }
    stores.emplace_back(std::move(*own));
  }

  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < workers; ++i) {
    threads.emplace_back([&, i] { work(cycle, *loaded, *fetchers[i], *stores[i]); });
  }
  work(cycle, *loaded, *fetchers[0], *stores[0]);
  for (std::thread& thread : threads) {
    thread.join();
  }
  return cycle.exit_code();
}

}  // namespace

void add_poll_verb(Cli& cli) {
  auto args = std::make_shared<PollArguments>();
  CLI::App* poll = cli.app().add_subcommand(
      "poll",
      "Poll sources once now (every enabled source, or the ones named), store new items and "
      "queue candidates; prints one line per source, exit 1 if any failed");
  poll->add_option("SOURCE", args->source_ids, "Source ids (see 'herald sources list')");
  poll->add_option("--replay", args->replay,
                   "Answer every fetch from saved responses instead of the network: a fixture "
                   "directory with index.toml, or a directory of them (tests/fixtures)")
      ->check(CLI::ExistingDirectory);
  poll->add_option("--jobs,-j", args->jobs,
                   "Sources polled at the same time (default 2). Sources on one host are "
                   "always polled one after the other, and sources with [article] by one "
                   "worker, so politeness per host holds; lines are printed as polls finish")
      ->check(CLI::Range(1, 64));
  cli.on(poll, [&cli, args] { return poll_sources(cli.options(), *args); });
}

}  // namespace herald
