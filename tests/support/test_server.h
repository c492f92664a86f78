// The real server, in-process, on an ephemeral loopback port: the memory store, the
// service, the HTTP router and the WebSocket hub exactly as the binary wires them,
// with an io_context run by two threads. Tests talk to it over real sockets.
#pragma once

#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "domain/clock.h"
#include "server/metrics.h"
#include "server/server.h"
#include "server/session_service.h"
#include "store/memory/memory_store.h"

namespace sk::testing {

class TestServer {
 public:
  explicit TestServer(server::ServerOptions options = {},
                      std::chrono::seconds ttl = std::chrono::seconds{3600})
      : work_(boost::asio::make_work_guard(io_)),
        store_(io_.get_executor(), clock_, store_options(ttl)),
        service_(store_, clock_, &metrics_) {
    store_.set_deadline_handler([this](const domain::Uuid& id) {
      boost::asio::co_spawn(io_, service_.fire_deadline(id), boost::asio::detached);
    });
    options.host = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<server::Server>(io_, options, service_, metrics_);
    port_ = server_->start();
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }

  ~TestServer() {
    drain();
    store_.close();
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
  }

  void drain(std::chrono::milliseconds limit = std::chrono::milliseconds{2000}) {
    if (drained_) return;
    drained_ = true;
    boost::asio::co_spawn(io_, server_->drain(limit), boost::asio::use_future).get();
  }

  std::uint16_t port() const { return port_; }
  server::Metrics& metrics() { return metrics_; }
  server::Server& server() { return *server_; }

 private:
  static store::MemoryStoreOptions store_options(std::chrono::seconds ttl) {
    store::MemoryStoreOptions o;
    o.ttl = ttl;
    return o;
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  domain::SystemClock clock_;
  server::Metrics metrics_;
  store::MemoryStore store_;
  server::SessionService service_;
  std::unique_ptr<server::Server> server_;
  std::uint16_t port_ = 0;
  bool drained_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace sk::testing
