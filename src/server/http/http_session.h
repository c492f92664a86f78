// One HTTP/1.1 connection: keep-alive request loop with a read deadline and a body
// limit; hands a WebSocket upgrade of /ws to the hub. Answers unparseable requests
// with 400 and oversized bodies with 413, then closes; never crashes on input.
#pragma once

#include <atomic>
#include <chrono>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "server/http/router.h"
#include "server/ws/hub.h"

namespace sk::server::http {

struct SessionContext {
  Router& router;
  ws::Hub& hub;
  std::size_t max_body_bytes;
  std::chrono::seconds idle_timeout;
  std::atomic<int>& in_flight;        // requests being handled, for draining
  const std::atomic<bool>& draining;  // when set, responses close the connection
};

boost::asio::awaitable<void> run_http_session(boost::beast::tcp_stream stream,
                                              SessionContext context);

}  // namespace sk::server::http
