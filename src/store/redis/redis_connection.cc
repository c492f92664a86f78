// RedisConnection: see redis_connection.h. Knows the RESP wire through its own
// formatter (format() below) and hiredis's reader; knows nothing of reconnecting,
// pools or sessions.
#include "store/redis/redis_connection.h"

#include <array>
#include <charconv>
#include <mutex>
#include <optional>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <hiredis/hiredis.h>

namespace sk::store::redis {
namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
using asio::ip::tcp;

void append_header(std::string& out, char kind, std::size_t n) {
  std::array<char, 24> digits{};
  const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), n).ptr;
  out.push_back(kind);
  out.append(digits.data(), end);
  out.append("\r\n", 2);
}

bool is_push(const Reply& r) {
  if (r.kind != ReplyKind::array || r.elements.empty()) return false;
  const auto& kind = r.elements.front();
  if (kind.kind != ReplyKind::string) return false;
  // smessage: sharded Pub/Sub; sunsubscribe: a cluster moved the shard channel's slot
  // away (we never send SUNSUBSCRIBE, so it is always the server's own push).
  return (kind.str == "message" && r.elements.size() == 3) ||
         (kind.str == "smessage" && r.elements.size() == 3) ||
         (kind.str == "sunsubscribe" && r.elements.size() == 3) ||
         (kind.str == "pmessage" && r.elements.size() == 4);
}

// The live connections of one execution context. A pending request's handler (its
// caller, suspended) lives in the connection, not in an asio operation, so the
// context cannot destroy it when it is shut down with requests in flight (a stop()
// before the close has run): this service does, as asio does for its own operations.
// Otherwise a caller holding, up its chain, the owner of the connection would keep
// both alive for good.
class LiveConnections : public asio::execution_context::service {
 public:
  using key_type = LiveConnections;
  static inline asio::execution_context::id id;

  explicit LiveConnections(asio::execution_context& context)
      : asio::execution_context::service(context) {}

  void add(const std::shared_ptr<RedisConnection>& connection) {
    std::lock_guard lock(mu_);
    std::erase_if(live_, [](const auto& weak) { return weak.expired(); });
    live_.push_back(connection);
  }

 private:
  // No thread runs the context any more.
  void shutdown() override {
    std::vector<std::weak_ptr<RedisConnection>> live;
    {
      std::lock_guard lock(mu_);
      live.swap(live_);
    }
    for (const auto& weak : live) {
      if (auto connection = weak.lock()) connection->abandon_pending();
    }
  }

  std::mutex mu_;
  std::vector<std::weak_ptr<RedisConnection>> live_;
};

}  // namespace

// Arrays of bulk strings, as hiredis's redisFormatCommandArgv writes them, in one
// string sized up front.
domain::Result<std::string> RedisConnection::format(const std::vector<Command>& commands) {
  std::size_t size = 0;
  for (const auto& command : commands) {
    if (command.empty()) return domain::Error::validation("command", "empty Redis command");
    size += 16;
    for (const auto& arg : command) size += arg.size() + 16;
  }
  std::string out;
  out.reserve(size);
  for (const auto& command : commands) {
    append_header(out, '*', command.size());
    for (const auto& arg : command) {
      append_header(out, '$', arg.size());
      out.append(arg);
      out.append("\r\n", 2);
    }
  }
  return out;
}

void RedisConnection::complete(ReplyHandler to, domain::Result<Replies> result) {
  asio::post(to.executor, [handler = std::move(to.handler), result = std::move(result)]() mutable {
    std::move(handler)(std::move(result));
  });
}

std::shared_ptr<RedisConnection> RedisConnection::create(Strand strand, RedisUrl url,
                                                         ConnectionTimeouts timeouts,
                                                         PushHandler on_push) {
  auto connection = std::shared_ptr<RedisConnection>(
      new RedisConnection(std::move(strand), std::move(url), timeouts, std::move(on_push)));
  auto& context = asio::query(connection->strand_, asio::execution::context);
  asio::use_service<LiveConnections>(context).add(connection);
  return connection;
}

void RedisConnection::abandon_pending() {
  auto pending = std::move(pending_);
  pending_.clear();
  // Destroyed here, not invoked: the callers' coroutines end with the context.
}

RedisConnection::RedisConnection(Strand strand, RedisUrl url, ConnectionTimeouts timeouts,
                                 PushHandler on_push)
    : strand_(std::move(strand)),
      url_(std::move(url)),
      timeouts_(timeouts),
      clock_(timeouts.clock != nullptr ? *timeouts.clock : system_clock_),
      on_push_(std::move(on_push)),
      socket_(strand_),
      resolver_(strand_),
      deadline_(strand_),
      closed_signal_(strand_),
      watchdog_(strand_),
      reader_(redisReaderCreate()) {}

RedisConnection::~RedisConnection() {
  if (reader_ != nullptr) redisReaderFree(reader_);
}

void RedisConnection::close() {
  asio::post(strand_, [self = shared_from_this()] {
    self->close_here(unavailable("connection closed by the client"));
  });
}

asio::awaitable<Status> RedisConnection::connect_here() {
  auto self = shared_from_this();                   // the deadline handler and loops keep us alive
  if (state_ == State::closed) co_return failure_;  // closed before it started
  if (state_ != State::idle) co_return unavailable("connect_here() called twice");
  if (reader_ == nullptr) co_return domain::Error::internal();
  state_ = State::connecting;
  const std::string where = fmt::format("{}:{}", url_.host, url_.port);

  deadline_.expires_after(timeouts_.connect);
  deadline_.async_wait([self, where](boost::system::error_code ec) {
    if (!ec && self->state_ == State::connecting) {
      self->close_here(unavailable(fmt::format("connecting to {} timed out after {} ms", where,
                                               self->timeouts_.connect.count())));
    }
  });

  std::vector<tcp::endpoint> endpoints;
  boost::system::error_code parse_ec;
  const auto address = asio::ip::make_address(url_.host, parse_ec);
  if (!parse_ec) {
    endpoints.emplace_back(address, url_.port);
  } else {
    auto [ec, results] =
        co_await resolver_.async_resolve(url_.host, std::to_string(url_.port), kTuple);
    if (state_ != State::connecting) co_return failure_;
    if (ec) {
      close_here(unavailable(fmt::format("cannot resolve {}: {}", url_.host, ec.message())));
      co_return failure_;
    }
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  }

  auto [connect_ec, endpoint] = co_await asio::async_connect(socket_, endpoints, kTuple);
  if (state_ != State::connecting) co_return failure_;  // timed out or closed meanwhile
  if (connect_ec) {
    close_here(unavailable(fmt::format("cannot connect to {}: {}", where, connect_ec.message())));
    co_return failure_;
  }
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);  // small requests, sent at once
  asio::co_spawn(strand_, read_loop(self), asio::detached);

  // One round trip: AUTH and SELECT when needed, and a PING that surfaces a missing
  // password (NOAUTH) now rather than on the first real command.
  std::vector<Command> handshake;
  if (!url_.password.empty()) {
    handshake.push_back(url_.username.empty() ? Command{"AUTH", url_.password}
                                              : Command{"AUTH", url_.username, url_.password});
  }
  if (url_.db != 0) handshake.push_back({"SELECT", std::to_string(url_.db)});
  handshake.push_back({"PING"});
  auto bytes = format(handshake);
  if (!bytes.ok()) {
    close_here(bytes.error());
    co_return failure_;
  }
  auto replies = co_await send_here(std::move(bytes).value(), handshake.size(), timeouts_.connect);
  if (!replies.ok()) co_return replies.error();
  if (auto bad = check_handshake(*replies, handshake)) {
    close_here(*bad);
    co_return failure_;
  }
  if (state_ != State::connecting) co_return failure_;
  deadline_.cancel();
  state_ = State::open;
  open_.store(true, std::memory_order_release);
  co_return std::nullopt;
}

Status RedisConnection::check_handshake(const Replies& replies, const std::vector<Command>& sent) {
  for (std::size_t i = 0; i < replies.size() && i < sent.size(); ++i) {
    if (!replies[i].is_error()) continue;
    const std::string& what = sent[i].front();
    const std::string& err = replies[i].str;  // Redis never echoes the password
    if (what == "AUTH") return unavailable(fmt::format("authentication failed ({})", err));
    if (what == "SELECT") {
      return unavailable(fmt::format("SELECT {} failed ({})", url_.db, err));
    }
    if (err.starts_with("NOAUTH")) {
      return unavailable(fmt::format("the server requires a password ({})", err));
    }
    return unavailable(fmt::format("{} failed ({})", what, err));
  }
  return std::nullopt;
}

asio::awaitable<domain::Result<Replies>> RedisConnection::execute_here(
    std::vector<Command> commands) {
  const std::size_t n = commands.size();
  co_return co_await execute_here(std::move(commands), n);
}

asio::awaitable<domain::Result<Replies>> RedisConnection::execute_here(
    std::vector<Command> commands, std::size_t replies) {
  if (state_ != State::open) co_return not_open();
  if (commands.empty()) co_return Replies{};
  auto bytes = format(commands);
  if (!bytes.ok()) co_return bytes.error();
  co_return co_await send_here(std::move(bytes).value(), replies, timeouts_.command);
}

domain::Error RedisConnection::not_open() const {
  return failure_ ? *failure_ : unavailable("connection is not open");
}

void RedisConnection::submit_here(std::string bytes, std::size_t replies, ReplyHandler handler) {
  if (state_ != State::open) {
    complete(std::move(handler), not_open());
    return;
  }
  enqueue_here(std::move(bytes), replies, timeouts_.command, std::move(handler));
}

asio::awaitable<domain::Result<Replies>> RedisConnection::send_here(
    std::string bytes, std::size_t replies, std::chrono::milliseconds timeout) {
  auto self = shared_from_this();
  auto initiate = [self, &bytes, replies, timeout](auto handler) {
    self->enqueue_here(std::move(bytes), replies, timeout,
                       reply_to(std::move(handler), self->strand_));
  };
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable),
                                          void(domain::Result<Replies>)>(initiate,
                                                                         asio::use_awaitable);
}

void RedisConnection::enqueue_here(std::string bytes, std::size_t replies,
                                   std::chrono::milliseconds timeout, ReplyHandler handler) {
  if (state_ == State::closed) {
    complete(std::move(handler), *failure_);
    return;
  }
  if (replies == 0) {
    complete(std::move(handler), Replies{});
    return;
  }
  // Constructed in place: Boost 1.81's any_completion_handler recurses without end in
  // its move assignment (it wraps itself), so a ReplyHandler is only ever moved into
  // a new object.
  pending_.push_back(
      Pending{std::move(handler), clock_.steady_now() + timeout, timeout, replies, {}});
  if (out_.empty()) {
    out_ = std::move(bytes);
  } else {
    out_.append(bytes);
  }
  start_writer();
  arm_watchdog();
}

void RedisConnection::arm_watchdog() {
  if (watchdog_armed_ || pending_.empty() || state_ == State::closed) return;
  watchdog_armed_ = true;
  // Relative to the injected clock's now (a manual clock's steady time is not the
  // timer's): with the system clock, the same as expires_at(deadline).
  watchdog_.expires_after(pending_.front().deadline - clock_.steady_now());
  watchdog_.async_wait([self = shared_from_this()](boost::system::error_code) {
    self->watchdog_armed_ = false;
    if (self->state_ == State::closed || self->pending_.empty()) return;
    const auto& oldest = self->pending_.front();
    if (oldest.deadline <= self->clock_.steady_now()) {
      // A reply is missing, so no later reply can be matched either.
      self->close_here(unavailable(fmt::format("no reply within {} ms", oldest.timeout.count())));
      return;
    }
    self->arm_watchdog();  // the oldest has been answered: watch the one after it
  });
}

void RedisConnection::start_writer() {
  if (writing_ || out_.empty() || state_ == State::closed) return;
  writing_ = true;
  asio::co_spawn(strand_, write_loop(shared_from_this()), asio::detached);
}

asio::awaitable<void> RedisConnection::write_loop(std::shared_ptr<RedisConnection> self) {
  std::string buffer;
  while (!self->out_.empty() && self->state_ != State::closed) {
    // Everything queued while the previous write was in flight goes in one write.
    buffer.clear();
    buffer.swap(self->out_);
    auto [ec, n] = co_await asio::async_write(self->socket_, asio::buffer(buffer), kTuple);
    if (ec) {
      self->close_here(unavailable(fmt::format("write failed: {}", ec.message())));
      break;
    }
  }
  self->writing_ = false;
}

asio::awaitable<void> RedisConnection::read_loop(std::shared_ptr<RedisConnection> self) {
  for (;;) {
    auto [ec, n] = co_await self->socket_.async_read_some(asio::buffer(self->read_buf_), kTuple);
    if (self->state_ == State::closed) co_return;
    if (ec) {
      self->close_here(unavailable(ec == asio::error::eof
                                       ? std::string("connection closed by the server")
                                       : fmt::format("read failed: {}", ec.message())));
      co_return;
    }
    if (redisReaderFeed(self->reader_, self->read_buf_.data(), n) != REDIS_OK) {
      self->close_here(unavailable("out of memory reading a reply"));
      co_return;
    }
    for (;;) {
      void* raw = nullptr;
      if (redisReaderGetReply(self->reader_, &raw) != REDIS_OK) {
        self->close_here(
            unavailable(fmt::format("protocol error: {}", redisReaderGetError(self->reader_))));
        co_return;
      }
      if (raw == nullptr) break;  // need more bytes
      Reply reply = to_reply(*static_cast<redisReply*>(raw));
      freeReplyObject(raw);
      self->dispatch(std::move(reply));
      if (self->state_ == State::closed) co_return;
    }
  }
}

void RedisConnection::dispatch(Reply reply) {
  if (on_push_ && is_push(reply)) {
    on_push_(std::move(reply));
    return;
  }
  if (pending_.empty()) {
    close_here(unavailable("protocol error: a reply nobody asked for"));
    return;
  }
  auto& pending = pending_.front();
  pending.replies.push_back(std::move(reply));
  if (pending.replies.size() >= pending.expected) {
    Pending done = std::move(pending);
    pending_.pop_front();
    complete(std::move(done.handler), std::move(done.replies));
  }
}

asio::awaitable<bool> RedisConnection::wait_closed_here(std::chrono::milliseconds at_most) {
  if (state_ == State::closed) co_return true;
  auto self = shared_from_this();
  closed_signal_.expires_after(at_most);
  co_await closed_signal_.async_wait(kTuple);
  co_return state_ == State::closed;
}

void RedisConnection::close_here(domain::Error why) {
  if (state_ == State::closed) return;
  state_ = State::closed;
  open_.store(false, std::memory_order_release);
  failure_ = std::move(why);
  boost::system::error_code ignored;
  socket_.close(ignored);  // aborts the read, the write and a connect in progress
  resolver_.cancel();
  deadline_.cancel();
  closed_signal_.cancel();
  watchdog_.cancel();
  out_.clear();
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& p : pending) complete(std::move(p.handler), *failure_);
}

}  // namespace sk::store::redis
