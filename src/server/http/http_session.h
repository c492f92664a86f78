// One HTTP/1.1 connection: keep-alive request loop with a body limit and three
// deadlines (idle between requests, header, body); hands a WebSocket upgrade of /ws
// to the hub, with the connection's slot. Answers unparseable requests with 400,
// oversized bodies with 413, oversized or too many header fields with 431 (then
// closes), and requests over the connection's rate with 429 (and keeps serving);
// never crashes on input.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "domain/clock.h"
#include "server/connection_limits.h"
#include "server/connection_rate.h"
#include "server/http/router.h"
#include "server/metrics.h"
#include "server/ws/hub.h"

namespace sk::server::http {

// The caps of one HTTP connection (docs/design.md, Resource caps).
struct HttpLimits {
  std::size_t max_header_bytes = 16 * 1024;  // request line and fields; over: 431
  // Counted once the header is read (its memory is bounded by max_header_bytes
  // already); over: 431.
  std::size_t max_header_fields = 100;
  // From a request's first byte until its header is complete, then for its body.
  // Independent of the idle timeout, so a client trickling bytes (slow-loris) holds
  // a connection for header_timeout + body_timeout at most.
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};
  // Requests per second on one keep-alive connection; over: 429 with Retry-After
  // and the connection keeps serving.
  ConnectionRate::Limit requests{1000, 2000};
};

struct SessionContext {
  Router& router;
  ws::Hub& hub;
  Metrics& metrics;
  const domain::Clock& clock;
  std::size_t max_body_bytes;
  std::chrono::seconds idle_timeout;  // keep-alive with no request; also each write
  const HttpLimits& limits;
  std::atomic<int>& in_flight;        // requests being handled, for draining
  const std::atomic<bool>& draining;  // when set, responses close the connection
};

// `slot` is the connection's place under the connection caps; it is held until the
// connection ends, and moves to the hub with an upgrade.
boost::asio::awaitable<void> run_http_session(boost::beast::tcp_stream stream,
                                              SessionContext context, ConnectionSlot slot);

// The answer to a connection refused at accept (a cap is full): `status` with the
// error envelope and Connection: close, written within a second, then the socket is
// closed after reading (and discarding) what the client sent, so that the client
// gets the answer rather than a reset.
boost::asio::awaitable<void> refuse_connection(boost::beast::tcp_stream stream,
                                               boost::beast::http::status status,
                                               std::string_view code, std::string message);

}  // namespace sk::server::http
