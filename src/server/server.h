// The network front: one listener on one port for HTTP and WebSocket. Each accepted
// socket gets its own strand and coroutine (http_session.cc); an upgrade to /ws is
// handed to the hub. The Server owns the router, the long-poll waiter and the hub,
// and knows how to drain: stop accepting, finish in-flight requests, close
// WebSockets with 1001. Every accepted socket is admitted against the connection
// caps first (connection_limits.h): over the total cap it is answered 503, over its
// address's cap 429, and closed; the accept loop never waits for that answer.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "server/connection_limits.h"
#include "server/http/change_waiter.h"
#include "server/http/http_session.h"
#include "server/http/router.h"
#include "server/id_generator.h"
#include "server/metrics.h"
#include "server/session_api.h"
#include "server/ws/hub.h"

namespace sk::server {

struct ServerOptions {
  std::string host = "0.0.0.0";
  std::uint16_t port = 3000;  // 0: any free port (tests)
  http::RouterOptions router;
  ws::HubOptions hub;
  // Auth and rate limits (SPEC §7); with neither a verifier nor a limiter, requests
  // never pass through the guard.
  http::GuardOptions guard;
  std::chrono::seconds idle_timeout{30};  // keep-alive connections with no request
  ConnectionLimitOptions connections;     // open TCP connections (WebSockets included)
  http::HttpLimits http;
};

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options, SessionApi& sessions,
         Metrics& metrics);
  ~Server();

  // Binds and starts accepting. Returns the bound port.
  std::uint16_t start();
  // Stops accepting, closes WebSockets with 1001 and waits (up to `limit`) for
  // in-flight requests to finish.
  boost::asio::awaitable<void> drain(std::chrono::milliseconds limit);

  ws::Hub& hub() { return hub_; }

 private:
  boost::asio::awaitable<void> accept_loop();
  // Answers a socket that a cap refused, on its own coroutine.
  void refuse(boost::asio::ip::tcp::socket socket, ConnectionLimits::Verdict verdict);

  boost::asio::io_context& io_;
  ServerOptions options_;
  const domain::Clock& clock_;
  IdGenerator ids_;
  http::ChangeWaiter waiter_;
  http::RequestGuard guard_;
  http::Router router_;
  ws::Hub hub_;
  Metrics& metrics_;
  ConnectionLimits limits_;
  boost::asio::ip::tcp::acceptor acceptor_;
  // Refused sockets still being answered: each holds a descriptor for up to ~2 s,
  // so past a bound (a flood) they are closed at once instead.
  std::shared_ptr<std::atomic<int>> refusing_ = std::make_shared<std::atomic<int>>(0);
  std::atomic<int> in_flight_{0};
  std::atomic<bool> draining_{false};
};

}  // namespace sk::server
