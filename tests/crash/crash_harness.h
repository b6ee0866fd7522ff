#pragma once

// What the crash tests share: a loopback corpus that changes under herald, the herald
// binary as a child process that can be killed, and a read-only look at the database
// through SQLite itself (not through herald's Store, which is what is under test).

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <httplib.h>
#include <sqlite3.h>

#include "storage/database.h"
#include "tests/support/local_server.h"

extern char** environ;

namespace herald::testing {

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// `utc_seconds` through strftime(`format`), in UTC and the C locale (the test never sets
// one), e.g. "%a, %d %b %Y %H:%M:%S GMT" -> "Tue, 07 Nov 2023 10:00:00 GMT".
inline std::string format_utc(std::int64_t utc_seconds, const char* format) {
  const std::time_t t = static_cast<std::time_t>(utc_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, format, &tm);
  return buffer;
}

inline std::string http_date(std::int64_t utc_seconds) {
  return format_utc(utc_seconds, "%a, %d %b %Y %H:%M:%S GMT");
}

inline std::string crash_source_id(int index) { return fmt::format("crash-s{}", index); }

// One source whose page grows while herald polls it. Every `period`-th request publishes
// 1-3 new items: a new generation with its own ETag and Last-Modified. A request whose
// If-None-Match names the current generation gets 304. The page always lists every item
// published so far (newest first), so after any crash a source's stored items must be
// exactly the items of the generation its stored ETag names: fewer means validators ran
// ahead of the items, more means items were committed without their validators.
// Every other 200 is written in slow chunks so kills land mid-transfer as well as
// mid-commit. Thread-safe (httplib answers on a pool).
class ChangingSource {
 public:
  ChangingSource(int index, bool html, const std::atomic<int>& run)
      : index_(index), html_(html), period_(2 + index % 3), run_(run) {
    counts_.push_back(3);  // generation 0: the page herald first sees
  }

  void set_base(std::string base) {
    std::lock_guard lock(mutex_);
    base_ = std::move(base);
  }

  std::string path() const {
    return html_ ? fmt::format("/s{}/list.html", index_) : fmt::format("/s{}/feed.xml", index_);
  }
  bool html() const { return html_; }
  std::string id() const { return crash_source_id(index_); }

  std::string etag(int generation) const {
    return fmt::format("\"s{}-g{}\"", index_, generation);
  }
  std::string last_modified(int generation) const {
    return http_date(kEpoch + 3600 * static_cast<std::int64_t>(generation));
  }
  std::optional<int> generation_of(std::string_view etag) const {
    const std::string prefix = fmt::format("\"s{}-g", index_);
    if (!etag.starts_with(prefix) || !etag.ends_with("\"")) {
      return std::nullopt;
    }
    const std::string_view digits = etag.substr(prefix.size(), etag.size() - prefix.size() - 1);
    int generation = -1;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(),
                                           generation);
    if (ec != std::errc() || end != digits.data() + digits.size()) {
      return std::nullopt;
    }
    std::lock_guard lock(mutex_);
    if (generation < 0 || generation >= static_cast<int>(counts_.size())) {
      return std::nullopt;
    }
    return generation;
  }

  // How many items generation `g` lists (items 1..n).
  int items_in(int generation) const {
    std::lock_guard lock(mutex_);
    return counts_.at(static_cast<std::size_t>(generation));
  }
  int current_generation() const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(counts_.size()) - 1;
  }
  // The generation of the last 200 this source sent during run `run`.
  std::optional<int> served_in_run(int run) const {
    std::lock_guard lock(mutex_);
    const auto found = served_.find(run);
    return found == served_.end() ? std::nullopt : std::optional<int>(found->second);
  }
  int requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

  void handle(const httplib::Request& request, httplib::Response& response) {
    std::lock_guard lock(mutex_);
    ++requests_;
    if (requests_ % period_ == 0) {
      counts_.push_back(counts_.back() + 1 + (requests_ * 7 + index_) % 3);
    }
    const int generation = static_cast<int>(counts_.size()) - 1;
    const std::string tag = etag(generation);
    response.set_header("ETag", tag);
    response.set_header("Last-Modified", last_modified(generation));
    if (request.get_header_value("If-None-Match") == tag) {
      response.status = 304;
      return;
    }
    served_[run_.load()] = generation;
    auto body = std::make_shared<const std::string>(html_ ? html_page(generation)
                                                          : rss_page(generation));
    const char* type = html_ ? "text/html; charset=utf-8" : "application/rss+xml; charset=utf-8";
    if ((requests_ + index_) % 2 != 0) {
      response.set_content(*body, type);
      return;
    }
    response.set_chunked_content_provider(type, [body](std::size_t offset, httplib::DataSink& sink) {
      if (offset >= body->size()) {
        sink.done();
        return true;
      }
      if (offset > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(15));
      }
      const std::size_t piece = std::min(body->size() - offset, body->size() / 4 + 1);
      return sink.write(body->data() + offset, piece);
    });
  }

  std::string item_title(int number) const {
    static constexpr std::string_view kWords[] = {
        "governance", "liability",  "copyright", "privacy",   "safety",    "audit",
        "labelling",  "registry",   "sandbox",   "export",    "compute",   "chips",
        "deepfake",   "watermark",  "filing",    "guideline", "standard",  "testing",
        "procurement", "education", "health",    "finance",   "transport", "courts",
        "evaluation", "incident",   "disclosure", "consent",  "benchmark", "robotics"};
    constexpr std::size_t n = std::size(kWords);
    const auto pick = [&](std::size_t salt) {
      return kWords[(static_cast<std::size_t>(number) * (salt * 2 + 7) +
                     static_cast<std::size_t>(index_) * (salt + 3) + salt * salt) % n];
    };
    return fmt::format("Artificial intelligence {} {} {} {} notice {}-{}", pick(1), pick(2),
                       pick(3), pick(4), index_, number);
  }

 private:
  static constexpr std::int64_t kEpoch = 1698796800;  // 2023-11-01T00:00:00Z

  std::int64_t published(int number) const {
    return kEpoch + 3 * 3600 * static_cast<std::int64_t>(number) + 600 * index_;
  }

  // Some sources decorate links with tracking parameters that change per generation: the
  // same item must still be stored once.
  std::string link_query(int generation) const {
    switch (index_ % 3) {
      case 0: return fmt::format("?utm_source=feed&amp;utm_campaign=g{}", generation);
      case 1: return "";
      default: return fmt::format("?utm_medium=list&amp;utm_content=r{}", generation % 5);
    }
  }

  std::string rss_page(int generation) const {
    std::string out = fmt::format(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>"
        "<title>Crash source {0}</title><link>{1}/s{0}/</link>"
        "<description>A feed that grows while herald is killed</description>\n",
        index_, base_);
    for (int number = counts_.at(static_cast<std::size_t>(generation)); number >= 1; --number) {
      out += fmt::format(
          "<item><title>{}</title><link>{}/s{}/item-{}{}</link>"
          "<guid isPermaLink=\"false\">s{}-item-{}</guid><pubDate>{}</pubDate>"
          "<description>Summary of notice {}-{}.</description></item>\n",
          item_title(number), base_, index_, number, link_query(generation), index_, number,
          http_date(published(number)), index_, number);
    }
    out += "</channel></rss>\n";
    return out;
  }

  std::string html_page(int generation) const {
    std::string out = fmt::format(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Crash source {}</title>"
        "</head><body><ul class=\"news\">\n",
        index_);
    for (int number = counts_.at(static_cast<std::size_t>(generation)); number >= 1; --number) {
      out += fmt::format("<li><a href=\"/s{}/item-{}{}\">{}</a><span>{}</span></li>\n", index_,
                         number, link_query(generation), item_title(number),
                         format_utc(published(number), "%Y-%m-%d"));
    }
    out += "</ul></body></html>\n";
    return out;
  }

  const int index_;
  const bool html_;
  const int period_;
  const std::atomic<int>& run_;
  mutable std::mutex mutex_;
  std::string base_;
  std::vector<int> counts_;          // items listed by each generation
  std::map<int, int> served_;        // run -> generation of its last 200
  int requests_ = 0;
};

// `sources` changing sources on one loopback server; the last two are HTML list pages.
class Corpus {
 public:
  explicit Corpus(int sources) {
    sources_.reserve(static_cast<std::size_t>(sources));
    for (int i = 0; i < sources; ++i) {
      sources_.push_back(std::make_unique<ChangingSource>(i, i >= sources - 2, run_));
      ChangingSource* source = sources_.back().get();
      server_.routes().Get(source->path(), [source](const auto& req, auto& res) {
        source->handle(req, res);
      });
    }
    server_.start();
    for (auto& source : sources_) {
      source->set_base(server_.url(""));
    }
  }

  void begin_run(int run) { run_.store(run); }
  int size() const { return static_cast<int>(sources_.size()); }
  ChangingSource& source(int index) { return *sources_.at(static_cast<std::size_t>(index)); }
  std::optional<int> index_of(std::string_view id) const {
    for (int i = 0; i < size(); ++i) {
      if (sources_[static_cast<std::size_t>(i)]->id() == id) {
        return i;
      }
    }
    return std::nullopt;
  }
  std::string url(int index) const {
    return server_.url(sources_.at(static_cast<std::size_t>(index))->path());
  }

 private:
  std::atomic<int> run_{-1};
  std::vector<std::unique_ptr<ChangingSource>> sources_;
  LocalServer server_;  // last: stopped (and its handlers joined) before the sources go
};

// herald.toml for the crash tests: every item matches the topic, so every item is a
// candidate. The web UI stays off (serve must not bind a port).
inline void write_herald_toml(const std::filesystem::path& dir) {
  write_text(dir / "herald.toml", R"toml(
[storage]
database = "state/herald.db"

[sources]
dir = "sources.d"

[fetch]
user_agent = "herald-crash-test/1.0 (+mailto:crash-test@example.invalid)"
# Every source is on 127.0.0.1: no per-host pause between them.
min_delay = "0s"

[web]
enabled = false

# The test pages are older than the first poll's backfill window; these tests are about
# what a poll stores and queues, so the window is off.
[queue]
backfill_days = 0

[[topics]]
name = "ai"
threshold = 1.0
keywords = ["artificial intelligence"]
)toml");
}

inline void write_source_toml(const std::filesystem::path& dir, const std::string& id,
                              const std::string& url, bool html) {
  std::string text = fmt::format(R"(
id = "{}"
name = "Crash test {}"
kind = "government"
language = "en"
timezone = "Asia/Shanghai"
interval = "1h"
type = "{}"
url = "{}"
)", id, id, html ? "html" : "feed", url);
  if (html) {
    text += R"(
[list]
item = "ul.news li"
link = "a@href"
date = "span"
)";
  }
  write_text(dir / "sources.d" / (id + ".toml"), text);
}

// A file descriptor closed on every path.
class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

// The herald binary as a child process, stdout and stderr into files. A child still
// running when this goes away is killed and reaped: a failed test leaves nothing behind.
class HeraldProcess {
 public:
  HeraldProcess(const std::vector<std::string>& args, const std::filesystem::path& out,
                const std::filesystem::path& err) {
    std::vector<std::string> argv_text{HERALD_BINARY};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : argv_text) {
      argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    // Not the test runner's systemd socket, if any: herald serve would notify it.
    std::vector<char*> envp;
    for (char** entry = environ; *entry != nullptr; ++entry) {
      if (!std::string_view(*entry).starts_with("NOTIFY_SOCKET=")) {
        envp.push_back(*entry);
      }
    }
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int rc = posix_spawn(&pid_, HERALD_BINARY, &actions, nullptr, argv.data(),
                               envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      throw std::runtime_error(fmt::format("posix_spawn {}: error {}", HERALD_BINARY, rc));
    }
  }
  ~HeraldProcess() {
    if (!status_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  HeraldProcess(const HeraldProcess&) = delete;
  HeraldProcess& operator=(const HeraldProcess&) = delete;

  void signal(int sig) const {
    if (!status_) {
      ::kill(pid_, sig);
    }
  }

  // The wait status once the child has exited; nullopt if it still runs after `limit`
  // (a safety net against a hang, never a timing assertion).
  std::optional<int> wait_for(std::chrono::milliseconds limit) {
    if (status_) {
      return status_;
    }
    // The raw syscall: glibc 2.36's <sys/pidfd.h> lacks extern "C", so C++ cannot link it.
    const UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0)));
    if (pidfd.get() < 0) {
      throw std::runtime_error("pidfd_open failed");
    }
    pollfd entry{.fd = pidfd.get(), .events = POLLIN, .revents = 0};
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      const int ready = ::poll(&entry, 1, static_cast<int>(std::max<std::int64_t>(0, left.count())));
      if (ready > 0) {
        break;
      }
      if (ready == 0) {
        return std::nullopt;
      }
      // EINTR: poll again with what is left.
    }
    int status = 0;
    if (::waitpid(pid_, &status, 0) != pid_) {
      throw std::runtime_error("waitpid failed");
    }
    status_ = status;
    return status_;
  }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

inline std::string describe_status(int status) {
  if (WIFEXITED(status)) {
    return fmt::format("exit {}", WEXITSTATUS(status));
  }
  if (WIFSIGNALED(status)) {
    return fmt::format("killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  }
  return fmt::format("wait status {}", status);
}

// One "source=X outcome=Y ..." line of `herald poll` (daemon/run_source.h format_report).
// herald prints it only after the poll's transaction committed: what it says is
// acknowledged.
struct ReportLine {
  std::string source{};
  std::string outcome{};
  std::optional<int> http{};
  int items = -1;
  int fresh = -1;        // new=
  int candidates = -1;
  std::string text{};
};

inline std::vector<ReportLine> parse_report_lines(const std::string& stdout_text) {
  std::vector<ReportLine> lines;
  std::istringstream in(stdout_text);
  std::string text;
  static const std::regex field(R"((\w+)=(\"[^\"]*\"|\S+))");
  while (std::getline(in, text)) {
    if (!text.starts_with("source=")) {
      continue;
    }
    ReportLine line{.text = text};
    for (auto it = std::sregex_iterator(text.begin(), text.end(), field);
         it != std::sregex_iterator(); ++it) {
      const std::string key = (*it)[1];
      const std::string value = (*it)[2];
      if (key == "source") {
        line.source = value;
      } else if (key == "outcome") {
        line.outcome = value;
      } else if (key == "http") {
        line.http = std::stoi(value);
      } else if (key == "items") {
        line.items = std::stoi(value);
      } else if (key == "new") {
        line.fresh = std::stoi(value);
      } else if (key == "candidates") {
        line.candidates = std::stoi(value);
      }
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

// What the database holds, read with SQLite alone and read-only.
struct SourceRow {
  std::optional<std::string> etag{};
  std::optional<std::string> last_modified{};
};

struct PollRow {
  std::string source{};
  std::string outcome{};
};

struct DbSnapshot {
  bool exists = false;
  std::string integrity{};
  std::int64_t schema_version = 0;
  std::int64_t items = 0;
  // source id -> item numbers (the M of /sN/item-M), sorted, duplicates kept.
  std::map<std::string, std::vector<int>> item_numbers{};
  std::vector<std::string> foreign_urls{};    // urls that are no item of their own source
  std::int64_t duplicate_url_keys = 0;
  std::map<std::string, SourceRow> sources{};
  std::vector<PollRow> polls{};
  std::int64_t candidates = 0;
  std::int64_t orphan_candidates = 0;        // candidates whose item is gone
  std::int64_t items_without_candidate = 0;  // every item matches the topic

  int count(const std::string& source_id) const {
    const auto found = item_numbers.find(source_id);
    return found == item_numbers.end() ? 0 : static_cast<int>(found->second.size());
  }
};

using SqlRow = std::vector<std::optional<std::string>>;

inline std::vector<SqlRow> sql_rows(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    SqliteStmt owned(raw);
    throw std::runtime_error(fmt::format("prepare {}: {}", sql, sqlite3_errmsg(db)));
  }
  const SqliteStmt stmt(raw);
  std::vector<SqlRow> rows;
  while (true) {
    const int rc = sqlite3_step(stmt.get());
    if (rc == SQLITE_DONE) {
      return rows;
    }
    if (rc != SQLITE_ROW) {
      throw std::runtime_error(fmt::format("step {}: {}", sql, sqlite3_errmsg(db)));
    }
    SqlRow row;
    for (int i = 0; i < sqlite3_column_count(stmt.get()); ++i) {
      const unsigned char* text = sqlite3_column_text(stmt.get(), i);
      row.push_back(text == nullptr ? std::nullopt
                                    : std::optional<std::string>(reinterpret_cast<const char*>(text)));
    }
    rows.push_back(std::move(row));
  }
}

inline std::int64_t sql_int(sqlite3* db, const std::string& sql) {
  const auto rows = sql_rows(db, sql);
  if (rows.size() != 1 || rows[0].empty() || !rows[0][0]) {
    throw std::runtime_error("no single value from " + sql);
  }
  return std::stoll(*rows[0][0]);
}

// Throws std::runtime_error when SQLite cannot read the file (which fails the test).
inline DbSnapshot read_database(const std::filesystem::path& path) {
  DbSnapshot snapshot;
  if (!std::filesystem::exists(path)) {
    return snapshot;
  }
  snapshot.exists = true;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  const SqliteDb db(raw);
  if (rc != SQLITE_OK) {
    throw std::runtime_error(fmt::format("open {} read-only: {}", path.string(),
                                         raw ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(db.get(), 5000);
  std::string integrity;
  for (const SqlRow& row : sql_rows(db.get(), "PRAGMA integrity_check")) {
    integrity += (integrity.empty() ? "" : "\n") + row.at(0).value_or("NULL");
  }
  snapshot.integrity = integrity;
  snapshot.schema_version = sql_int(db.get(), "PRAGMA user_version");
  if (snapshot.schema_version == 0) {
    return snapshot;  // killed before the first migration committed: nothing to look at
  }

  static const std::regex item_url(R"(^http://127\.0\.0\.1:\d+/s(\d+)/item-(\d+)(\?.*)?$)");
  for (const SqlRow& row : sql_rows(db.get(), "SELECT source_id, url FROM items")) {
    ++snapshot.items;
    const std::string source = row.at(0).value_or("");
    const std::string url = row.at(1).value_or("");
    std::smatch match;
    if (!std::regex_match(url, match, item_url) ||
        crash_source_id(std::stoi(match[1])) != source) {
      snapshot.foreign_urls.push_back(source + " " + url);
      continue;
    }
    snapshot.item_numbers[source].push_back(std::stoi(match[2]));
  }
  for (auto& [source, numbers] : snapshot.item_numbers) {
    std::sort(numbers.begin(), numbers.end());
  }
  snapshot.duplicate_url_keys = sql_int(
      db.get(), "SELECT count(*) FROM (SELECT url_key FROM items GROUP BY url_key "
                "HAVING count(*) > 1)");
  for (const SqlRow& row : sql_rows(db.get(), "SELECT id, etag, last_modified FROM sources")) {
    snapshot.sources[row.at(0).value_or("")] = SourceRow{.etag = row.at(1),
                                                         .last_modified = row.at(2)};
  }
  for (const SqlRow& row : sql_rows(db.get(), "SELECT source_id, outcome FROM polls ORDER BY id")) {
    snapshot.polls.push_back(PollRow{.source = row.at(0).value_or(""),
                                     .outcome = row.at(1).value_or("")});
  }
  snapshot.candidates = sql_int(db.get(), "SELECT count(*) FROM candidates");
  snapshot.orphan_candidates = sql_int(
      db.get(), "SELECT count(*) FROM candidates WHERE item_id NOT IN (SELECT id FROM items)");
  snapshot.items_without_candidate = sql_int(
      db.get(), "SELECT count(*) FROM items WHERE id NOT IN (SELECT item_id FROM candidates)");
  return snapshot;
}

}  // namespace herald::testing
