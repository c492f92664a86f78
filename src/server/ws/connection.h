// One WebSocket client of the hub (SPEC §4): its handshake, its sessionId, the reader
// of its requests, its single writer and its bounded outgoing queue.
//
// Threading: all of a connection's state lives on its strand (the stream's executor).
// deliver() and close() are the only entry points from other threads; they post to
// the strand and return at once, so the store's publisher (which calls the hub under
// its own lock) is never blocked by a client. A connection never writes session
// state and never calls the store itself: it reads through the SessionApi.
//
// Ordering: state messages (STATE_SYNC, STATE_UPDATE) carry their version, and one
// not newer than the last state queued is dropped, so a client sees versions only go
// up. Everything else (TIME_EXPIRED, PONG, ERROR, ...) is sent in arrival order.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "domain/result.h"
#include "domain/uuid.h"
#include "server/connection_limits.h"
#include "server/connection_rate.h"
#include "server/session_api.h"
#include "server/ws/client_input.h"
#include "server/ws/connection_state.h"
#include "server/ws/hub.h"
#include "server/ws/send_queue.h"

namespace sk::server {
class Metrics;
}

namespace sk::server::ws {

class Connection;

// What a connection needs from its hub (implemented in hub.cc). Connections hold it
// by shared_ptr, so it outlives every connection still running, even past the Hub.
class HubLink {
 public:
  virtual ~HubLink() = default;
  virtual SessionApi& service() = 0;
  virtual Metrics* metrics() = 0;
  virtual const HubOptions& options() const = 0;
  // Adds `c` to the watchers of `session`. false when the hub is shutting down.
  virtual bool watch(const domain::Uuid& session, const std::shared_ptr<Connection>& c) = 0;
  // `c` has finished: it is no longer counted nor delivered to.
  virtual void finished(const Connection& c) = 0;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using CloseCode = boost::beast::websocket::close_code;

  // A stream not already on a strand is moved onto a new one, because Beast's
  // keep-alive timer acts on the stream from the stream's executor.
  // `slot` is held until the connection finishes (the server's connection caps).
  Connection(std::shared_ptr<HubLink> hub, boost::beast::tcp_stream stream, Request request,
             WsAdmission admission = {}, ConnectionSlot slot = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The entry points take the connection by shared_ptr and hand that reference to
  // the strand, so the last reference is always released there: a connection is then
  // never destroyed on the store's publishing thread, beside Beast's timer handlers.

  // Runs the connection until it closes. With `going_away` (the hub is shutting
  // down) the handshake is completed and then closed with 1001.
  static void start(std::shared_ptr<Connection> c, bool going_away);

  // Thread-safe, never blocks. Queues `message`; with `close_after`, closes with 1000
  // once it has been sent (SESSION_DELETED). Ignored once the connection is closing.
  static void deliver(std::shared_ptr<Connection> c, Outgoing message, bool close_after);
  // Thread-safe, never blocks. Re-reads the session and sends STATE_SYNC if it is
  // newer than what the client has (or SESSION_DELETED and 1000 if it is gone): the
  // store says messages may have been lost.
  static void resync(std::shared_ptr<Connection> c);
  // Thread-safe, never blocks. Drops what is queued and closes with `code`.
  static void close(std::shared_ptr<Connection> c, CloseCode code);

 private:
  using Stream = boost::beast::websocket::stream<boost::asio::ip::tcp::socket>;

  boost::asio::awaitable<void> run(bool going_away);
  // true when the connection is open and watching, with its first messages queued.
  boost::asio::awaitable<bool> handshake_and_sync();
  boost::asio::awaitable<void> read_loop();
  boost::asio::awaitable<void> handle_request(std::string_view text);
  // Counts one client message against the connection's rate; over it, drops the queue
  // and closes 1008 (false: the message is not handled).
  bool within_message_rate();
  boost::asio::awaitable<void> close_now(CloseCode code, std::string_view reason);
  boost::asio::awaitable<void> reconnect(const ReconnectRequest& request);
  // Auth (SPEC §7): a refused upgrade gets ERROR and its close code; AUTH renews the
  // token; the token's expiry closes the socket unless renewed.
  boost::asio::awaitable<void> refuse(const domain::Error& why);
  void renew_token(const AuthRequest& request);
  void arm_token_expiry();
  void on_token_expired();
  boost::asio::awaitable<void> refresh();
  boost::asio::awaitable<domain::Result<SessionSnapshot>> fetch();

  // Strand only, below.
  void on_deliver(Outgoing message, bool close_after);
  // Queues a frame within the limits; on overflow drops the client. false if not queued.
  bool push(Outgoing message);
  // The writer: sends the next queued frame, or the close frame once the queue is
  // empty, unless a send is in flight. Callbacks rather than a coroutine waiting on a
  // timer, because an idle watcher then costs no coroutine frame and a delivery no
  // timer wake-up (see docs/benchmarks.md, fan-out and idle connections).
  void send_next();
  void on_sent(boost::beast::error_code ec);
  void send_finished();
  void push_reply(std::string payload);
  void push_error(std::string_view code, std::string_view message);
  void request_close(CloseCode code, std::string_view reason);
  void drop_slow_client();
  // Closes the socket without a close handshake: every pending operation ends.
  void abort();
  // Idempotent: unregisters from the hub and the metrics.
  void finish();

  std::shared_ptr<HubLink> hub_;
  Stream ws_;
  const boost::asio::any_io_executor strand_;  // ws_'s executor, readable from any thread
  Request request_;
  boost::asio::steady_timer writer_done_;  // run() waits here for the last send to end
  ClientRequestParser parser_;
  // Client requests are read in small pieces into this array rather than into a
  // dynamic buffer, which Beast would grow to ~1.5 kB for the read always pending on
  // an idle connection. A request longer than a piece is assembled in `partial_`.
  std::array<char, 128> piece_{};
  std::string partial_;

  WsAdmission admission_;
  boost::asio::steady_timer token_expiry_;  // armed while a token's expiry is ahead

  std::optional<domain::Uuid> session_id_;
  store::Subscription watch_lease_;  // the store's registration of this watcher
  SendQueue queue_;
  Outgoing sending_;               // the frame being written (its payload must outlive the write)
  std::int64_t last_version_ = 0;  // of the newest state message queued
  ConnectionState state_;          // where in its life (connection_state.h)
  std::optional<CloseCode> close_code_;  // of the close requested, once requested
  std::string_view close_reason_;        // a literal

  ConnectionSlot slot_;          // released by finish()
  ConnectionRate message_rate_;  // of client messages
};

}  // namespace sk::server::ws
