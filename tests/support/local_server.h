#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>

namespace herald::testing {

// An HTTP server on 127.0.0.1 with a port the kernel picks, serving whatever routes the
// test registers. Stops and joins in the destructor.
class LocalServer {
 public:
  LocalServer() = default;
  LocalServer(const LocalServer&) = delete;
  LocalServer& operator=(const LocalServer&) = delete;
  ~LocalServer() {
    server_.stop();
    if (thread_.joinable()) {
      thread_.join();
    }
  }

  httplib::Server& routes() { return server_; }  // add every route *before* start()

  void start() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() does nothing until the server runs, so a fast test could otherwise leave the
    // listen thread running and hang in the destructor.
    while (!server_.is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  int port() const { return port_; }
  std::string url(std::string_view path) const {
    return fmt::format("http://127.0.0.1:{}{}", port_, path);
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
};

}  // namespace herald::testing
