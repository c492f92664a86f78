// The WebSocket hub (SPEC §4): takes over upgraded connections on /ws?sessionId=,
// keeps who watches which session, and delivers the store's fan-out messages to
// them. It subscribes to the store once; it never writes state.
//
// Ordering: every connection has one writer and a bounded outgoing queue; state
// messages carry their version and one older than what the client already has is
// never sent, so a client sees versions only go up and never misses the latest.
// A client that does not read is dropped (queue over its limit), never waited for.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "server/connection_limits.h"
#include "server/connection_rate.h"
#include "server/session_api.h"

namespace sk::server {
class Metrics;
}

namespace sk::server::ws {

struct HubOptions {
  // The server pings every `heartbeat`; a client silent for two heartbeats is dropped.
  std::chrono::milliseconds heartbeat{5000};
  std::size_t max_queued_messages = 1024;
  std::size_t max_queued_bytes = 16u << 20;
  // A client message longer than this, or a frame announcing more, closes 1009
  // (Beast's read_message_max; a frame cannot be bigger than its message).
  std::size_t max_message_bytes = 64 * 1024;
  // Client messages per second on one connection (PING, RECONNECT: a clock-sync
  // client sends a few per second); over: closed 1008 "message rate exceeded".
  ConnectionRate::Limit messages{20, 40};
};

class Hub {
 public:
  // Subscribes to `sessions`' changes once; reads only through it.
  Hub(SessionApi& sessions, Metrics* metrics, HubOptions options);
  ~Hub();
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Takes over a connection whose upgrade request has been read. Validates the
  // sessionId query parameter (missing or malformed: accept, then close 1008 with a
  // reason), sends CONNECTED, then STATE_SYNC when the session exists. `slot` (its
  // place under the server's connection caps) is released when the connection ends.
  void accept(boost::beast::tcp_stream stream,
              boost::beast::http::request<boost::beast::http::string_body> request,
              ConnectionSlot slot = {});

  // Closes every connection with 1001 (going away). Idempotent.
  void shutdown();

  std::size_t connection_count() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sk::server::ws
