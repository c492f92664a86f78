// One WebSocket connection of the hub (see connection.h): handshake, first sync,
// request reader, single writer, bounded queue, keep-alive and close.
//
// Life of a connection, all on its strand:
//   validate sessionId -> register as a watcher (hub, then the store's lease) ->
//   accept the upgrade (a bad sessionId is then closed 1008) -> read the session ->
//   queue CONNECTED and STATE_SYNC (or ERROR) ahead of whatever the store delivered
//   meanwhile -> start the writer -> read requests until the socket ends -> wait for
//   the writer -> unregister.
// Registering before the upgrade completes is what makes the start race-free: the
// client cannot act before we listen, a write that the read misses is delivered by
// the store, and one it sees arrives with a version not newer than the sync and is
// dropped.
#include "server/ws/connection.h"

#include <exception>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <unistd.h>

#include "server/metrics.h"
#include "server/wire/ws_frames.h"

namespace sk::server::ws {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Upgrade and close handshakes: a client that cannot finish either in 10 s is gone.
constexpr std::chrono::seconds kHandshakeTimeout{10};
// After the reader has ended, how long the writer may take to finish its close
// handshake before the socket is simply closed under it.
constexpr std::chrono::seconds kWriterGrace{1};

// The socket of `stream`, moved onto a strand of its executor unless it already is
// on one. Beast's keep-alive timer pings and times out from the stream's own
// executor, so that executor must serialise with everything else the connection
// does. The WebSocket runs on the bare socket rather than on Beast's tcp_stream:
// its timeouts are the WebSocket's own, and tcp_stream's write operation carries a
// 64-entry buffer array that made every delivery a ~2 kB allocation (see
// docs/benchmarks.md, fan-out).
tcp::socket on_strand(beast::tcp_stream stream) {
  const auto ex = stream.get_executor();
  tcp::socket socket = stream.release_socket();
  if (ex.target<asio::strand<asio::io_context::executor_type>>() != nullptr ||
      ex.target<asio::strand<asio::any_io_executor>>() != nullptr) {
    return socket;
  }
  beast::error_code ec;
  const auto endpoint = socket.local_endpoint(ec);
  if (ec) return socket;  // not connected: the handshake fails on it anyway
  const auto native = socket.release(ec);
  if (ec) return socket;
  tcp::socket moved(asio::make_strand(ex));
  moved.assign(endpoint.protocol(), native, ec);
  if (ec) ::close(native);  // ours now: released from `socket`, refused by `moved`
  return moved;
}

std::shared_ptr<const std::string> shared(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

// Close codes in the private range 4000-4999 mirror the HTTP statuses, so a browser,
// which sees close codes but never the upgrade's status, can tell them apart.
constexpr std::uint16_t kCloseUnauthorized = 4401;
constexpr std::uint16_t kCloseForbidden = 4403;

websocket::close_code close_code_for(const domain::Error& e) {
  switch (e.code) {
    case domain::ErrorCode::unauthorized:
      return static_cast<websocket::close_code>(kCloseUnauthorized);
    case domain::ErrorCode::forbidden: return static_cast<websocket::close_code>(kCloseForbidden);
    default: return websocket::close_code::try_again_later;
  }
}

std::string_view close_reason_for(const domain::Error& e) {
  switch (e.code) {
    case domain::ErrorCode::unauthorized: return "unauthorized";
    case domain::ErrorCode::forbidden: return "forbidden";
    case domain::ErrorCode::rate_limited: return "rate limit exceeded";
    default: return "try again later";
  }
}

}  // namespace

Connection::Connection(std::shared_ptr<HubLink> hub, beast::tcp_stream stream, Request request,
                       WsAdmission admission, ConnectionSlot slot)
    : hub_(std::move(hub)),
      ws_(on_strand(std::move(stream))),
      strand_(ws_.get_executor()),
      request_(std::move(request)),
      writer_done_(strand_),
      admission_(std::move(admission)),
      token_expiry_(strand_),
      slot_(std::move(slot)),
      message_rate_(hub_->options().messages) {}

Connection::~Connection() = default;

void Connection::start(std::shared_ptr<Connection> c, bool going_away) {
  // run() unregisters on every path (its guard), so a stray exception (a bug) only
  // needs to be kept from escaping into the io_context.
  auto& self = *c;
  asio::co_spawn(self.strand_, self.run(going_away),
                 [c = std::move(c)](const std::exception_ptr&) {});
}

void Connection::deliver(std::shared_ptr<Connection> c, Outgoing message, bool close_after) {
  auto& self = *c;
  asio::post(self.strand_, [c = std::move(c), message = std::move(message), close_after]() mutable {
    c->on_deliver(std::move(message), close_after);
  });
}

void Connection::resync(std::shared_ptr<Connection> c) {
  auto& self = *c;
  asio::co_spawn(self.strand_, self.refresh(), [c = std::move(c)](const std::exception_ptr&) {});
}

void Connection::close(std::shared_ptr<Connection> c, CloseCode code) {
  auto& self = *c;
  asio::post(self.strand_, [c = std::move(c), code] {
    c->state_.discard();
    c->queue_.clear();
    c->request_close(code, code == CloseCode::going_away ? "server shutting down" : "");
  });
}

asio::awaitable<void> Connection::run(bool going_away) {
  struct FinishGuard {
    Connection& c;
    ~FinishGuard() { c.finish(); }
  } guard{*this};
  if (going_away) request_close(CloseCode::going_away, "server shutting down");

  // Awaited into a local first: GCC 12 miscompiles co_await used directly as an if
  // condition (see docs/design.md).
  const bool synced = co_await handshake_and_sync();
  if (!synced) co_return;

  state_.synced();
  send_next();
  arm_token_expiry();
  co_await read_loop();

  // The reader ends with the socket (the peer closed, our close handshake finished,
  // the keep-alive timed out, or we aborted). Let the last send (the close) finish.
  state_.reader_ended();
  if (state_.writing()) {
    writer_done_.expires_after(kWriterGrace);
    auto [ec] = co_await writer_done_.async_wait(kTuple);
    if (!ec && state_.writing()) {
      abort();
      writer_done_.expires_at(asio::steady_timer::time_point::max());
      co_await writer_done_.async_wait(kTuple);
    }
  }
}

asio::awaitable<bool> Connection::handshake_and_sync() {
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = kHandshakeTimeout;
  // Beast pings after idle_timeout / 2 without incoming data (so every heartbeat) and
  // drops the client after idle_timeout (two heartbeats) without any. A heartbeat of
  // zero turns both off.
  const auto heartbeat = hub_->options().heartbeat;
  timeouts.idle_timeout = heartbeat > std::chrono::milliseconds::zero()
                              ? websocket::stream_base::duration(2 * heartbeat)
                              : websocket::stream_base::none();
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "synckairos"); }));
  // Client requests are tiny (PING, RECONNECT); anything bigger is abuse (closed 1009).
  ws_.read_message_max(hub_->options().max_message_bytes);

  // The watcher is registered (with the hub, then with the store) BEFORE the upgrade
  // completes: a client may act the moment it sees the handshake (a DELETE right
  // after it), and what that changes must reach this socket. From registration on,
  // the store's messages for the session are queued (not yet written).
  const auto query = parse_session_id(request_.target());
  bool registered = false;
  if (query.id && !admission_.refused && state_.close() == ConnectionState::Close::none) {
    session_id_ = query.id;
    registered = hub_->watch(*session_id_, shared_from_this());
    if (registered) {
      watch_lease_ = co_await hub_->service().watch(*session_id_);
    }
  }

  auto [accept_ec] = co_await ws_.async_accept(request_, kTuple);
  request_ = {};                   // the upgrade request is no longer needed
  if (accept_ec) co_return false;  // not a WebSocket client, or already gone
  state_.upgraded();
  if (auto* m = hub_->metrics()) m->websocket_opened();
  ws_.text(true);

  // The hub shut down during the handshake (a deletion's close waits for the sync).
  if (state_.close() == ConnectionState::Close::discarding) {
    co_await close_now(*close_code_, close_reason_);
    co_return false;
  }
  if (!query.id) {
    co_await close_now(CloseCode::policy_error, query.error);
    co_return false;
  }
  if (admission_.refused) {
    co_await refuse(*admission_.refused);
    co_return false;
  }
  if (!registered) {
    co_await close_now(CloseCode::going_away, "server shutting down");
    co_return false;
  }

  const auto& clock = hub_->service().clock();
  auto connected = wire::connected_message(*session_id_, clock.wall_now());
  auto snapshot = co_await fetch();
  if (state_.aborted()) co_return false;  // dropped while reading (queue overflow)
  // Shut down while reading: the writer just closes.
  if (state_.close() == ConnectionState::Close::discarding) co_return true;

  // CONNECTED and the first state go ahead of what arrived meanwhile; queued states
  // not newer than the sync are dropped, so versions still only go up.
  std::vector<Outgoing> first;
  first.push_back(Outgoing{shared(std::move(connected)), 0, std::nullopt});
  std::int64_t synced = 0;
  if (snapshot) {
    synced = snapshot->state.version;
    first.push_back(Outgoing{shared(wire::state_sync_message(snapshot->state, snapshot->live)),
                             synced, std::nullopt});
  } else {
    first.push_back(
        Outgoing{shared(wire::error_message(snapshot.error(), clock.wall_now())), 0, std::nullopt});
  }
  queue_.resync(std::move(first), synced);
  if (synced > last_version_) last_version_ = synced;
  const auto& options = hub_->options();
  if (queue_.size() > options.max_queued_messages || queue_.bytes() > options.max_queued_bytes) {
    drop_slow_client();
    co_return false;
  }
  co_return true;
}

asio::awaitable<void> Connection::read_loop() {
  for (;;) {
    auto [ec, bytes] = co_await ws_.async_read_some(asio::buffer(piece_), kTuple);
    // Errors end the connection: closed (a close handshake), timeout (keep-alive),
    // message_too_big (Beast has already sent 1009), or the socket is gone.
    if (ec) {
      if (ec == websocket::error::message_too_big) {
        if (auto* m = hub_->metrics()) m->limit_hit(Limit::ws_message_bytes);
      }
      co_return;
    }
    // Closing: what still arrives is read and dropped, never left unread, because a
    // socket closed on unread bytes ends in a TCP reset instead of our close frame.
    // Once the close frame is out, Beast's close takes over the reading (discarding
    // until the client's close frame, within the handshake timeout) and ends this loop.
    if (state_.close() != ConnectionState::Close::none) {
      partial_ = {};
      continue;
    }
    const std::string_view piece(piece_.data(), bytes);
    if (!ws_.is_message_done()) {
      partial_.append(piece);
      continue;
    }
    if (!within_message_rate()) continue;
    if (partial_.empty()) {
      co_await handle_request(piece);  // the usual case: the request fit in one piece
    } else {
      partial_.append(piece);
      const std::string request = std::exchange(partial_, {});  // frees the buffer too
      co_await handle_request(request);
    }
  }
}

bool Connection::within_message_rate() {
  if (message_rate_.try_take(hub_->service().clock().steady_now())) return true;
  if (auto* m = hub_->metrics()) m->limit_hit(Limit::ws_message_rate);
  // A flood (10,000 PINGs in one write) would otherwise queue a reply per message
  // until the queue overflows and the socket is dropped with a reset. Instead the
  // replies are dropped and the close frame goes out next.
  partial_ = {};
  state_.discard();
  queue_.clear();
  request_close(CloseCode::policy_error, "message rate exceeded");
  return false;
}

asio::awaitable<void> Connection::handle_request(std::string_view text) {
  if (!ws_.got_text()) {
    push_error("VALIDATION_ERROR", "binary frames are not supported");
    co_return;
  }
  const auto request = parser_.parse(text);  // copies `text` (simdjson padding)
  if (const auto* ping = std::get_if<PingRequest>(&request)) {
    push_reply(wire::pong_message(hub_->service().clock().wall_now(), ping->client_timestamp));
  } else if (const auto* reconnect_request = std::get_if<ReconnectRequest>(&request)) {
    co_await reconnect(*reconnect_request);
  } else if (const auto* auth = std::get_if<AuthRequest>(&request)) {
    renew_token(*auth);
  } else {
    push_error("VALIDATION_ERROR", std::get<InvalidRequest>(request).message);
  }
}

asio::awaitable<void> Connection::reconnect(const ReconnectRequest& request) {
  auto snapshot = co_await fetch();
  if (!snapshot) {
    push_reply(wire::error_message(snapshot.error(), hub_->service().clock().wall_now()));
    co_return;
  }
  const auto version = snapshot->state.version;
  // The client is current: nothing new to send.
  if (request.last_version && version <= *request.last_version) co_return;
  // A state newer than this read is already queued or sent; it reaches the client
  // anyway, and an older sync after it would take the client back in time.
  if (version < last_version_) co_return;
  // The client says it lost what we sent: resend even at the version already sent
  // (the one case the version filter is bypassed).
  if (push(Outgoing{shared(wire::state_sync_message(snapshot->state, snapshot->live)), version,
                    std::nullopt})) {
    last_version_ = version;
  }
}

asio::awaitable<void> Connection::refuse(const domain::Error& why) {
  // Nothing is queued or being written yet: the ERROR goes out directly, then the close.
  const auto frame = wire::error_message(why, hub_->service().clock().wall_now());
  auto [ec, written] = co_await ws_.async_write(asio::buffer(frame), kTuple);
  (void)written;
  if (ec) {
    abort();
    co_return;
  }
  co_await close_now(close_code_for(why), close_reason_for(why));
}

void Connection::renew_token(const AuthRequest& request) {
  const auto& check_token = hub_->options().check_token;
  const auto now = hub_->service().clock().wall_now();
  if (!check_token) {  // auth off: nothing to renew, nothing that expires
    push_reply(wire::authenticated_message(std::nullopt, now));
    return;
  }
  beast::error_code ec;
  const auto peer = ws_.next_layer().remote_endpoint(ec).address().to_string();
  const auto check = check_token(request.token, *session_id_, peer);
  if (check.refused) {
    push_reply(wire::error_message(*check.refused, now));
    request_close(close_code_for(*check.refused), close_reason_for(*check.refused));
    return;
  }
  admission_.expires_at_ms = check.expires_at_ms;
  arm_token_expiry();
  push_reply(wire::authenticated_message(check.expires_at_ms, now));
}

void Connection::arm_token_expiry() {
  if (!admission_.expires_at_ms) return;
  const auto now_ms = domain::to_unix_ms(hub_->service().clock().wall_now());
  // Re-arming cancels the wait in flight; its handler sees operation_aborted.
  token_expiry_.expires_after(std::chrono::milliseconds{*admission_.expires_at_ms - now_ms});
  token_expiry_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->on_token_expired();
  });
}

void Connection::on_token_expired() {
  if (!state_.accepts_messages()) return;
  const domain::Error expired = domain::Error::unauthorized("expired");
  push_reply(wire::error_message(expired, hub_->service().clock().wall_now()));
  request_close(close_code_for(expired), "token expired");
}

asio::awaitable<void> Connection::refresh() {
  // The first sync is still to come (or nothing more is queued).
  if (!state_.accepts_messages() || state_.phase() != ConnectionState::Phase::open) co_return;
  // The store's subscription may come back before its other connections do: a read
  // that fails for that reason is tried again a few times (0.1 s doubling, ~3 s in
  // all) rather than leaving the client stale.
  constexpr int kAttempts = 6;
  asio::steady_timer retry(strand_);
  std::chrono::milliseconds delay{100};
  for (int attempt = 1;; ++attempt) {
    auto snapshot = co_await fetch();
    if (!state_.accepts_messages()) co_return;
    if (snapshot) {
      // Through the version filter: nothing is sent unless an update was missed.
      on_deliver(Outgoing{shared(wire::state_sync_message(snapshot->state, snapshot->live)),
                          snapshot->state.version, std::nullopt},
                 /*close_after=*/false);
      co_return;
    }
    if (snapshot.error().code == domain::ErrorCode::not_found) {
      // Deleted (or expired) while its SESSION_DELETED was lost.
      on_deliver(Outgoing{shared(wire::session_deleted_message(*session_id_,
                                                               hub_->service().clock().wall_now())),
                          0, std::nullopt},
                 /*close_after=*/true);
      co_return;
    }
    if (attempt == kAttempts) co_return;
    retry.expires_after(delay);
    delay *= 2;
    auto [ec] = co_await retry.async_wait(kTuple);
    if (ec) co_return;
  }
}

asio::awaitable<void> Connection::close_now(CloseCode code, std::string_view reason) {
  // No reader is running here: async_close reads (and discards) until the peer's close
  // frame, bounded by the handshake timeout.
  auto [ec] = co_await ws_.async_close(websocket::close_reason(code, reason), kTuple);
  if (ec) abort();
}

asio::awaitable<domain::Result<SessionSnapshot>> Connection::fetch() {
  try {
    co_return co_await hub_->service().get(*session_id_);
  } catch (const std::exception&) {
    // A bug below us; the client gets INTERNAL_ERROR and the connection stays usable.
  }
  co_return domain::Error::internal();
}

void Connection::on_deliver(Outgoing message, bool close_after) {
  if (!state_.accepts_messages()) return;
  const auto version = message.version;
  if (version != 0 && version <= last_version_) return;  // duplicate or older state
  if (!push(std::move(message))) return;
  if (version != 0) last_version_ = version;
  if (close_after) request_close(CloseCode::normal, "session deleted");
}

bool Connection::push(Outgoing message) {
  if (!state_.accepts_messages()) return false;
  const auto& options = hub_->options();
  if (queue_.size() >= options.max_queued_messages ||
      queue_.bytes() + message.payload->size() > options.max_queued_bytes) {
    drop_slow_client();
    return false;
  }
  queue_.push_back(std::move(message));
  send_next();
  return true;
}

void Connection::send_next() {
  if (!state_.may_write()) return;
  // Beast runs the completion on the stream's executor (the strand), never inline.
  if (!queue_.empty()) {
    sending_ = queue_.pop_front();
    state_.start_frame();
    ws_.async_write(asio::buffer(*sending_.payload),
                    [self = shared_from_this()](beast::error_code ec, std::size_t /*bytes*/) {
                      self->on_sent(ec);
                    });
    return;
  }
  if (state_.start_close_frame()) {
    // The reader sees the peer's answering close frame and ends with error::closed.
    ws_.async_close(websocket::close_reason(*close_code_, close_reason_),
                    [self = shared_from_this()](beast::error_code ec) {
                      if (ec) self->abort();
                      self->send_finished();
                    });
  }
}

void Connection::on_sent(beast::error_code ec) {
  const Outgoing sent = std::exchange(sending_, {});
  if (ec) {
    abort();
  } else if (sent.received) {
    if (auto* metrics = hub_->metrics()) {
      metrics->fanout_delivered(hub_->service().clock().steady_now() - *sent.received);
    }
  }
  send_finished();
  send_next();
}

void Connection::send_finished() {
  state_.write_done();
  if (state_.stopped()) writer_done_.cancel();  // run() is waiting for this send
}

void Connection::push_reply(std::string payload) {
  push(Outgoing{shared(std::move(payload)), 0, std::nullopt});
}

void Connection::push_error(std::string_view code, std::string_view message) {
  push_reply(wire::error_message(code, message, hub_->service().clock().wall_now()));
}

void Connection::request_close(CloseCode code, std::string_view reason) {
  if (close_code_) return;
  close_code_ = code;
  state_.request_close();
  close_reason_ = reason;
  send_next();
}

void Connection::drop_slow_client() {
  // The queue is full because a write is stuck on a client that does not read, so a
  // close frame could only queue behind it: close the socket instead.
  if (auto* m = hub_->metrics()) m->websocket_dropped_slow();
  queue_.clear();
  abort();
}

void Connection::abort() {
  if (!state_.abort()) return;
  beast::error_code ignored;
  ws_.next_layer().close(ignored);
}

void Connection::finish() {
  const auto finished = state_.finish();
  if (!finished.now) return;
  token_expiry_.cancel();  // its handler holds a reference to this connection
  queue_.clear();
  beast::error_code ignored;
  ws_.next_layer().close(ignored);
  hub_->finished(*this);
  watch_lease_.reset();
  slot_.release();
  if (finished.was_open) {
    if (auto* m = hub_->metrics()) m->websocket_closed();
  }
}

}  // namespace sk::server::ws
