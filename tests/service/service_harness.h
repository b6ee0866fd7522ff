#pragma once

// `herald serve` as systemd runs it, without systemd: the child gets NOTIFY_SOCKET (a unix
// datagram socket the test reads), WATCHDOG_USEC/WATCHDOG_PID and JOURNAL_STREAM as the
// service manager would set them, and its stderr goes to a file the test reads.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <httplib.h>

#include "tests/crash/crash_harness.h"
#include "tests/support/fixtures.h"
#include "tests/support/local_server.h"

extern char** environ;

namespace herald::testing {

// Safety nets only: every wait ends as soon as its condition holds.
constexpr auto kEventLimit = std::chrono::seconds(60);
// A source's second poll comes one interval (60 s, the shortest allowed) after its first.
constexpr auto kSecondPollLimit = std::chrono::seconds(150);

// The unix datagram socket sd_notify(3) writes to.
class NotifySocket {
 public:
  explicit NotifySocket(std::filesystem::path path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      throw std::runtime_error("socket(AF_UNIX, SOCK_DGRAM) failed");
    }
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path_.string().size() >= sizeof address.sun_path) {
      throw std::runtime_error("notify socket path too long: " + path_.string());
    }
    std::strncpy(address.sun_path, path_.c_str(), sizeof address.sun_path - 1);
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("bind " + path_.string() + ": " + std::strerror(errno));
    }
  }
  ~NotifySocket() { ::close(fd_); }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Reads datagrams until one satisfies `match` (returned) or `limit` passes (nullopt).
  // Every datagram read is kept in messages().
  std::optional<std::string> wait_for(const std::function<bool(const std::string&)>& match,
                                      std::chrono::milliseconds limit = kEventLimit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        return std::nullopt;
      }
      pollfd entry{.fd = fd_, .events = POLLIN, .revents = 0};
      if (::poll(&entry, 1, static_cast<int>(left.count())) <= 0) {
        continue;
      }
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        continue;
      }
      std::string message(buffer, static_cast<std::size_t>(n));
      messages_.push_back(message);
      if (match(message)) {
        return message;
      }
    }
  }

  // Waits for a datagram holding the line `assignment` ("READY=1").
  std::optional<std::string> wait_for_line(const std::string& assignment,
                                           std::chrono::milliseconds limit = kEventLimit) {
    return wait_for([&](const std::string& message) { return has_line(message, assignment); },
                    limit);
  }

  static bool has_line(const std::string& message, const std::string& assignment) {
    std::size_t start = 0;
    while (start <= message.size()) {
      const std::size_t end = std::min(message.find('\n', start), message.size());
      if (message.compare(start, end - start, assignment) == 0) {
        return true;
      }
      start = end + 1;
    }
    return false;
  }

  const std::vector<std::string>& messages() const { return messages_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<std::string> messages_;
};

struct ServeOptions {
  std::vector<std::string> args{};        // after the binary: {"--config", F, "serve"}
  std::vector<std::string> env{};         // extra NAME=VALUE
  bool watchdog_pid = false;              // WATCHDOG_PID = the child's own pid
  bool journal_stream = false;            // JOURNAL_STREAM = stderr's device:inode
};

// The herald binary as a child process, stdout and stderr into `log`. Killed and reaped
// when it goes away still running, so a failed test leaves nothing behind.
class ServeProcess {
 public:
  ServeProcess(const ServeOptions& options, const std::filesystem::path& log) : log_(log) {
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
      throw std::runtime_error("cannot create " + log.string());
    }
    const UniqueFd out_fd(out);
    struct stat st {};
    ::fstat(out, &st);

    std::vector<std::string> argv_text{HERALD_BINARY};
    argv_text.insert(argv_text.end(), options.args.begin(), options.args.end());
    // What systemd would set is set here, and nothing of the test runner's own service.
    std::vector<std::string> env_text;
    for (char** entry = environ; *entry != nullptr; ++entry) {
      const std::string_view text(*entry);
      if (!text.starts_with("NOTIFY_SOCKET=") && !text.starts_with("WATCHDOG_") &&
          !text.starts_with("JOURNAL_STREAM=")) {
        env_text.emplace_back(text);
      }
    }
    env_text.insert(env_text.end(), options.env.begin(), options.env.end());
    if (options.journal_stream) {
      env_text.push_back(fmt::format("JOURNAL_STREAM={}:{}",
                                     static_cast<unsigned long long>(st.st_dev),
                                     static_cast<unsigned long long>(st.st_ino)));
    }
    std::vector<char*> argv;
    for (std::string& arg : argv_text) {
      argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (std::string& entry : env_text) {
      envp.push_back(entry.data());
    }
    // Filled in by the child (its pid is only known after fork): after fork only
    // async-signal-safe code may run, so no allocation there.
    char watchdog_pid[48] = "WATCHDOG_PID=";
    if (options.watchdog_pid) {
      envp.push_back(watchdog_pid);
    }
    envp.push_back(nullptr);

    pid_ = ::fork();
    if (pid_ < 0) {
      throw std::runtime_error("fork failed");
    }
    if (pid_ == 0) {
      if (options.watchdog_pid) {
        char digits[24];
        int n = 0;
        for (pid_t pid = ::getpid(); pid > 0; pid /= 10) {
          digits[n++] = static_cast<char>('0' + pid % 10);
        }
        char* at = watchdog_pid + std::strlen("WATCHDOG_PID=");
        while (n > 0) {
          *at++ = digits[--n];
        }
        *at = '\0';
      }
      ::dup2(out, STDOUT_FILENO);
      ::dup2(out, STDERR_FILENO);
      ::execve(HERALD_BINARY, argv.data(), envp.data());
      ::_exit(127);
    }
  }
  ~ServeProcess() {
    if (!status_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  pid_t pid() const { return pid_; }

  void signal(int sig) const {
    if (!status_) {
      ::kill(pid_, sig);
    }
  }

  std::string log() const { return read_text(log_); }

  // Waits until the log satisfies `match` (true) or the child exited / `limit` passed.
  bool wait_for_log(const std::function<bool(const std::string&)>& match,
                    std::chrono::milliseconds limit = kEventLimit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (match(log())) {
        return true;
      }
      if (exited()) {
        return match(log());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return match(log());
  }

  // Waits until a log line matches the regular expression `pattern` `count` times.
  bool wait_for_lines(const std::string& pattern, int count = 1,
                      std::chrono::milliseconds limit = kEventLimit) {
    const std::regex line(pattern);
    return wait_for_log([&](const std::string& text) { return count_lines(text, line) >= count; },
                        limit);
  }

  int lines_matching(const std::string& pattern) const {
    return count_lines(log(), std::regex(pattern));
  }

  static int count_lines(const std::string& text, const std::regex& line) {
    int n = 0;
    std::size_t start = 0;
    while (start < text.size()) {
      const std::size_t end = std::min(text.find('\n', start), text.size());
      if (std::regex_search(text.begin() + static_cast<std::ptrdiff_t>(start),
                            text.begin() + static_cast<std::ptrdiff_t>(end), line)) {
        ++n;
      }
      start = end + 1;
    }
    return n;
  }

  // The wait status once the child has exited; nullopt if it still runs after `limit`.
  std::optional<int> wait_exit(std::chrono::milliseconds limit = kEventLimit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!exited() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return status_;
  }

 private:
  bool exited() {
    if (status_) {
      return true;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      status_ = status;
      return true;
    }
    return false;
  }

  std::filesystem::path log_;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// RSS feeds on a loopback server: /NAME/feed.xml for any NAME, one item each, counted.
// A feed named "slow" holds its answer until release_slow(); "missing" is a 404.
// Thread-safe.
class Feeds {
 public:
  Feeds() {
    server_.routes().Get(R"(/([a-z0-9-]+)/feed\.xml)",
                         [this](const httplib::Request& request, httplib::Response& response) {
                           handle(request.matches[1], response);
                         });
    server_.start();
  }
  ~Feeds() { release_slow(); }

  std::string url(const std::string& name) const { return server_.url("/" + name + "/feed.xml"); }

  int requests(const std::string& name) const {
    std::lock_guard lock(mutex_);
    const auto found = requests_.find(name);
    return found == requests_.end() ? 0 : found->second;
  }

  // Waits until the "slow" feed has a request waiting.
  bool wait_slow_requested() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kEventLimit, [this] { return slow_waiting_; });
  }
  void release_slow() {
    {
      std::lock_guard lock(mutex_);
      slow_released_ = true;
    }
    changed_.notify_all();
  }

 private:
  void handle(const std::string& name, httplib::Response& response) {
    {
      std::unique_lock lock(mutex_);
      ++requests_[name];
      if (name == "slow") {
        slow_waiting_ = true;
        changed_.notify_all();
        changed_.wait_for(lock, kEventLimit, [this] { return slow_released_; });
      }
    }
    if (name == "missing") {
      response.status = 404;
      return;
    }
    response.set_content(
        fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>"
                    "<title>{0}</title><link>http://127.0.0.1/{0}/</link><description>d"
                    "</description><item><title>Artificial intelligence notice of {0}</title>"
                    "<link>http://127.0.0.1/{0}/item-1</link><guid>{0}-1</guid>"
                    "<pubDate>Tue, 07 Nov 2023 10:00:00 GMT</pubDate></item></channel></rss>\n",
                    name),
        "application/rss+xml; charset=utf-8");
  }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, int> requests_;
  bool slow_waiting_ = false;
  bool slow_released_ = false;
  LocalServer server_;  // last: stopped before the state its handlers use goes away
};

// herald.toml for the service tests: no per-host pause (everything is on 127.0.0.1), no
// jitter (a 60 s interval is exactly 60 s), no web UI.
inline std::string service_herald_toml() {
  return R"toml(
[storage]
database = "state/herald.db"

[sources]
dir = "sources.d"

[fetch]
user_agent = "herald-service-test/1.0 (+mailto:service-test@example.invalid)"
min_delay = "0s"

[schedule]
jitter = 0.0

[web]
enabled = false

[[topics]]
name = "ai"
threshold = 1.0
keywords = ["artificial intelligence"]
)toml";
}

// A feed source polled every minute (the shortest interval herald accepts).
inline std::string feed_source_toml(const std::string& id, const std::string& url) {
  return fmt::format(R"(id = "{0}"
name = "Service test {0}"
kind = "government"
language = "en"
timezone = "Asia/Shanghai"
interval = "60s"
type = "feed"
url = "{1}"
)",
                     id, url);
}

// A temporary herald installation: herald.toml, sources.d/, the log file.
class Installation {
 public:
  Installation() { write_text(config(), service_herald_toml()); }
  std::filesystem::path config() const { return dir_.path() / "herald.toml"; }
  std::filesystem::path source_file(const std::string& id) const {
    return dir_.path() / "sources.d" / (id + ".toml");
  }
  std::filesystem::path log() const { return dir_.path() / "serve.log"; }
  std::filesystem::path path(const std::string& name) const { return dir_.path() / name; }
  void write_source(const std::string& id, const std::string& url) const {
    write_text(source_file(id), feed_source_toml(id, url));
  }
  ServeOptions serve_options() const {
    return ServeOptions{.args = {"--config", config().string(), "serve"}};
  }

 private:
  TempDir dir_;
};

}  // namespace herald::testing
