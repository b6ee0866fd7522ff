#pragma once

// Hostile servers on 127.0.0.1 for the fault suite (RELIABILITY.md §2): a raw-socket HTTP
// server for answers cpp-httplib cannot be made to give (stalls, trickles, lying
// Content-Length, endless chunked bodies, resets), and a listener that never accepts.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace herald::testing {

// Writes all of `bytes`; false once the peer has gone (herald hung up on purpose).
inline bool send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// The head of a 200 feed response; `framing` is "Content-Length: N" or
// "Transfer-Encoding: chunked". False once the peer has gone.
inline bool send_feed_head(int fd, std::string_view framing) {
  return send_all(fd, fmt::format("HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                                  "{}\r\n\r\n",
                                  framing));
}

// A listening socket on 127.0.0.1 with a kernel-chosen port. Closes itself.
class Listener {
 public:
  explicit Listener(int backlog = 64) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd_, backlog) != 0) {
      throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  ~Listener() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  int fd() const { return fd_; }
  int port() const { return port_; }
  std::string url(std::string_view path) const {
    return fmt::format("http://127.0.0.1:{}{}", port_, path);
  }

 private:
  int fd_ = -1;
  int port_ = -1;
};

// N1 without root or nftables: a listener whose accept queue is full and is never drained.
// Linux then drops further SYNs (tcp_abort_on_overflow = 0, the default), so a client's
// connect neither succeeds nor is refused: it times out, as behind a dropping firewall.
class BlackHole {
 public:
  BlackHole() : listener_(0) {
    // With backlog 0 the queue holds one connection; two more make sure it is full.
    for (int i = 0; i < 3; ++i) {
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      address.sin_port = htons(static_cast<std::uint16_t>(listener_.port()));
      ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
      fillers_.push_back(fd);
    }
    // The first filler's handshake completing means it sits in the queue, which is now full.
    pollfd first{.fd = fillers_.front(), .events = POLLOUT, .revents = 0};
    ::poll(&first, 1, 5000);
  }
  BlackHole(const BlackHole&) = delete;
  BlackHole& operator=(const BlackHole&) = delete;
  ~BlackHole() {
    for (const int fd : fillers_) {
      ::close(fd);
    }
  }
  std::string url(std::string_view path) const { return listener_.url(path); }

 private:
  Listener listener_;
  std::vector<int> fillers_;
};

// A raw HTTP/1.1 server: reads each request head and hands the socket to the test's
// handler, which writes whatever bytes it likes (or none). Every connection is closed after
// its handler returns. GET /robots.txt is answered 404 ("allow all") unless the test
// handles robots itself, so the real PoliteFetcher can sit in front of herald's fetcher.
class RawServer {
 public:
  struct Request {
    std::string method{};
    std::string path{};
    std::string head{};
  };
  // `server` lets a handler wait in a way that ends when the test ends (wait_or_stop).
  using Handler = std::function<void(int fd, const Request& request, RawServer& server)>;

  explicit RawServer(Handler handler, bool handles_robots = false)
      : handler_(std::move(handler)), handles_robots_(handles_robots) {
    accept_thread_ = std::thread([this] { accept_loop(); });
  }
  RawServer(const RawServer&) = delete;
  RawServer& operator=(const RawServer&) = delete;
  ~RawServer() {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    stopped_.notify_all();
    ::shutdown(listener_.fd(), SHUT_RDWR);  // wakes accept()
    accept_thread_.join();
    std::vector<std::thread> connections;
    {
      const std::lock_guard lock(mutex_);
      connections.swap(connections_);
    }
    for (std::thread& t : connections) {
      t.join();
    }
  }

  int port() const { return listener_.port(); }
  std::string url(std::string_view path) const { return listener_.url(path); }

  // Requests seen other than the automatic robots.txt answers.
  int requests() const { return requests_.load(); }

  // Sleeps `duration`, or less when the server is being torn down; false then.
  bool wait_or_stop(std::chrono::milliseconds duration) {
    std::unique_lock lock(mutex_);
    return !stopped_.wait_for(lock, duration, [this] { return stopping_; });
  }

 private:
  void accept_loop() {
    while (true) {
      const int fd = ::accept4(listener_.fd(), nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) {
          continue;
        }
        return;  // shut down
      }
      const std::lock_guard lock(mutex_);
      if (stopping_) {
        ::close(fd);
        return;
      }
      connections_.emplace_back([this, fd] { serve(fd); });
    }
  }

  void serve(int fd) {
    timeval limit{.tv_sec = 10, .tv_usec = 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    std::string head;
    char buffer[4096];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 64 * 1024) {
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) {
        ::close(fd);
        return;
      }
      head.append(buffer, static_cast<std::size_t>(n));
    }
    Request request;
    request.head = head;
    const std::size_t space = head.find(' ');
    const std::size_t second = head.find(' ', space + 1);
    if (space != std::string::npos && second != std::string::npos) {
      request.method = head.substr(0, space);
      request.path = head.substr(space + 1, second - space - 1);
    }
    if (request.path == "/robots.txt" && !handles_robots_) {
      send_all(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    } else {
      ++requests_;
      handler_(fd, request, *this);
    }
    ::close(fd);  // FIN, or RST when the handler set SO_LINGER to 0
  }

  Handler handler_;
  bool handles_robots_;
  Listener listener_;
  std::atomic<int> requests_{0};
  std::mutex mutex_;  // guards stopping_ and connections_
  std::condition_variable stopped_;
  bool stopping_ = false;
  std::vector<std::thread> connections_;
  std::thread accept_thread_;  // last: starts after everything it uses exists
};

// "HTTP/1.1 200 OK" + headers + body, closing the connection.
inline std::string http_response(std::string_view status_line, std::string_view headers,
                                 std::string_view body) {
  return fmt::format("HTTP/1.1 {}\r\n{}Content-Length: {}\r\nConnection: close\r\n\r\n{}",
                     status_line, headers, body.size(), body);
}

}  // namespace herald::testing
