#include "server/server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "server/http/http_session.h"

namespace sk::server {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
// Exceptions are bugs; they must not take the process down with them.
void swallow(const std::exception_ptr&) {}

bool guards_anything(const http::GuardOptions& g) { return g.verifier || g.limiter; }

http::RouterOptions with_guard(http::RouterOptions options, const http::RequestGuard& guard,
                               const http::GuardOptions& guard_options) {
  options.guard = guards_anything(guard_options) ? &guard : nullptr;
  return options;
}

ws::HubOptions with_token_check(ws::HubOptions options, const http::RequestGuard& guard) {
  if (!guard.auth_enabled()) return options;
  options.check_token = [&guard](std::string_view token, const domain::Uuid& session,
                                 std::string_view client) {
    auto check = guard.check_token(token, session, client);
    return ws::TokenCheck{std::move(check.refused), check.expires_at_ms};
  };
  return options;
}

}  // namespace

Server::Server(asio::io_context& io, ServerOptions options, SessionApi& sessions, Metrics& metrics)
    : io_(io),
      options_(std::move(options)),
      clock_(sessions.clock()),
      waiter_(sessions),
      guard_(options_.guard, metrics, clock_),
      router_(sessions, metrics, waiter_, ids_, with_guard(options_.router, guard_, options_.guard)),
      hub_(sessions, &metrics, with_token_check(options_.hub, guard_)),
      acceptor_(io) {}

Server::~Server() = default;

std::uint16_t Server::start() {
  const tcp::endpoint endpoint{asio::ip::make_address(options_.host), options_.port};
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  asio::co_spawn(io_, accept_loop(), swallow);
  return acceptor_.local_endpoint().port();
}

asio::awaitable<void> Server::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(io_),
                                                        asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) continue;  // e.g. EMFILE: keep serving the connections we have
    socket.set_option(tcp::no_delay(true));
    auto executor = socket.get_executor();
    http::SessionContext ctx{
        router_,    hub_,     options_.router.max_body_bytes, options_.idle_timeout,
        in_flight_, draining_};
    asio::co_spawn(executor,
                   http::run_http_session(boost::beast::tcp_stream{std::move(socket)}, ctx),
                   swallow);
  }
}

asio::awaitable<void> Server::drain(std::chrono::milliseconds limit) {
  draining_ = true;
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
  hub_.shutdown();
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const auto until = clock_.steady_now() + limit;
  // In-flight requests finish, and WebSocket clients receive their 1001 close frame
  // before the caller stops the io_context.
  while ((in_flight_.load() > 0 || hub_.connection_count() > 0) && clock_.steady_now() < until) {
    timer.expires_after(std::chrono::milliseconds{10});
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace sk::server
