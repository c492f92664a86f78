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
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "domain/errors.h"
#include "server/connection_limits.h"
#include "server/connection_rate.h"
#include "server/session_api.h"

namespace sk::server {
class Metrics;
}

namespace sk::server::ws {

// What auth decided about a WebSocket (SPEC §7), before its upgrade.
struct WsAdmission {
  // Set: the upgrade completes, ERROR {code, message} is sent and the socket closed
  // with 4401 (unauthorized), 4403 (forbidden) or 1013 (try again later).
  std::optional<domain::Error> refused;
  // The token's expiry (unix ms, leeway included): at that moment the socket is closed
  // with 4401 unless the client has sent a fresh token ({type:"AUTH", token}).
  std::optional<std::int64_t> expires_at_ms;
};

// A token sent with AUTH on an open socket: the refusal, or its new expiry.
struct TokenCheck {
  std::optional<domain::Error> refused;
  std::int64_t expires_at_ms = 0;
};

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
  // Auth on: checks the token of an AUTH message for the connection's session.
  // Empty: auth off (AUTH is answered, nothing is checked).
  // `client`: the socket's peer address, for the log.
  std::function<TokenCheck(std::string_view token, const domain::Uuid& session,
                           std::string_view client)>
      check_token;
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
              WsAdmission admission = {}, ConnectionSlot slot = {});

  // Closes every connection with 1001 (going away). Idempotent.
  void shutdown();

  std::size_t connection_count() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sk::server::ws
