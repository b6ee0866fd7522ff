#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>

namespace herald::testing {

// An HTTP server on 127.0.0.1 with a port the kernel picks, serving whatever routes the
// test registers. Stops and joins in the destructor (or at stop()).
//
// Lifetime rule for routes: a route, and a content provider it sets, runs on the server's
// threads until the server stops, which can be well after the request that started it has
// returned to the test (a client that hangs up at a byte cap or a timeout leaves the
// provider streaming). So whatever a route reads must live as long as the server:
//   - a test-body local: capture it by value, or share it (std::make_shared) when it is
//     large; never by reference when the server is a fixture member or was declared
//     before the local (it then outlives the local);
//   - a fixture member: declare it *before* the server, so it is destroyed after the
//     server has stopped and joined its handlers;
//   - capturing by reference is right only for a local declared before a local server.
class LocalServer {
 public:
  LocalServer() = default;
  LocalServer(const LocalServer&) = delete;
  LocalServer& operator=(const LocalServer&) = delete;
  ~LocalServer() { stop(); }

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

  // Stops accepting, ends the kept-alive connections and joins every handler thread:
  // after it returns no route runs again. Idempotent.
  void stop() {
    server_.stop();
    if (thread_.joinable()) {
      thread_.join();
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
