// SupervisedConnection: see supervised_connection.h. Reconnect policy and fail-fast
// only; the wire is RedisConnection's.
#include "store/redis/supervised_connection.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "store/redis/backoff.h"

namespace sk::store::redis {
namespace {
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Built outside the coroutine: GCC 12 rejects a braced list of string literals there
// ("array used as initializer").
std::vector<Command> ping() { return {Command{std::string("PING")}}; }
}  // namespace

std::shared_ptr<SupervisedConnection> SupervisedConnection::start(
    asio::any_io_executor executor, RedisUrl url, const RedisClientOptions& options,
    RedisConnection::PushHandler on_push, OnConnected on_connected, std::function<void()> on_lost) {
  auto self = std::shared_ptr<SupervisedConnection>(
      new SupervisedConnection(std::move(executor), std::move(url), options, std::move(on_push),
                               std::move(on_connected), std::move(on_lost)));
  // The loop holds a reference: this object lives until the loop ends after close().
  asio::co_spawn(self->strand_, run(self), asio::detached);
  return self;
}

SupervisedConnection::SupervisedConnection(const asio::any_io_executor& executor, RedisUrl url,
                                           RedisClientOptions options,
                                           RedisConnection::PushHandler on_push,
                                           OnConnected on_connected, std::function<void()> on_lost)
    : strand_(asio::make_strand(executor)),
      url_(std::move(url)),
      options_(options),
      on_push_(std::move(on_push)),
      on_connected_(std::move(on_connected)),
      on_lost_(std::move(on_lost)),
      backoff_timer_(strand_),
      attempt_done_(strand_) {
  attempt_done_.expires_at(asio::steady_timer::time_point::max());
}

asio::awaitable<void> SupervisedConnection::run(std::shared_ptr<SupervisedConnection> self) {
  Backoff backoff(self->options_.reconnect_backoff_min, self->options_.reconnect_backoff_max);
  const ConnectionTimeouts timeouts{self->options_.connect_timeout, self->options_.command_timeout,
                                    self->options_.clock};
  while (self->state_ != State::closed) {
    self->state_ = State::connecting;
    auto conn = RedisConnection::create(self->strand_, self->url_, timeouts, self->on_push_);
    self->conn_ = conn;  // so that close_here() can abort the attempt
    auto failed = co_await self->attempt(conn);
    if (self->state_ == State::closed) break;
    self->attempt_done_.cancel();  // wakes callers waiting for this attempt
    self->attempt_done_.expires_at(asio::steady_timer::time_point::max());

    if (!failed) {
      backoff.reset();
      self->state_ = State::ready;
      self->ready_.store(true, std::memory_order_release);
      while (self->state_ != State::closed) {
        auto closed = co_await conn->wait_closed_here(self->options_.health_check_interval);
        if (closed) break;
        // A timeout or an error of the PING closes the connection by itself.
        auto pong = co_await conn->execute_here(ping());
        (void)pong;
      }
      self->ready_.store(false, std::memory_order_release);
      if (self->state_ == State::closed) break;
      if (self->on_lost_) self->on_lost_();
      failed = conn->failure_here();
    }
    self->state_ = State::down;
    self->last_error_ = failed ? failed : unavailable("connection lost");
    conn->close_here(*self->last_error_);
    self->conn_.reset();

    self->backoff_timer_.expires_after(backoff.next());
    co_await self->backoff_timer_.async_wait(kTuple);  // cancelled by close()
  }
  self->conn_.reset();
}

asio::awaitable<Status> SupervisedConnection::attempt(
    const std::shared_ptr<RedisConnection>& conn) {
  auto failed = co_await conn->connect_here();
  if (failed || !on_connected_ || state_ == State::closed) co_return failed;
  auto hooked = co_await on_connected_(*conn);
  if (hooked) conn->close_here(*hooked);
  co_return hooked;
}

asio::awaitable<domain::Result<Replies>> SupervisedConnection::execute(
    std::vector<Command> commands) {
  if (commands.empty()) co_return Replies{};
  auto bytes = RedisConnection::format(commands);
  if (!bytes.ok()) co_return bytes.error();
  auto initiate = [self = shared_from_this(), bytes = std::move(bytes).value(),
                   replies = commands.size()](auto handler) mutable {
    asio::dispatch(self->strand_, [self, bytes = std::move(bytes), replies,
                                   handler = RedisConnection::reply_to(std::move(handler),
                                                                       self->strand_)]() mutable {
      self->submit_here(std::move(bytes), replies, std::move(handler));
    });
  };
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable),
                                          void(domain::Result<Replies>)>(std::move(initiate),
                                                                         asio::use_awaitable);
}

void SupervisedConnection::submit_here(std::string bytes, std::size_t replies,
                                       RedisConnection::ReplyHandler handler, bool waited) {
  if (state_ == State::connecting && !waited) {
    // Bounded: the attempt ends within the connect timeout (plus the hook's commands).
    asio::co_spawn(
        strand_,
        submit_after_attempt(shared_from_this(), std::move(bytes), replies, std::move(handler)),
        asio::detached);
    return;
  }
  Status failed;
  if (state_ == State::closed) {
    failed = unavailable("the client is closed");
  } else if (state_ != State::ready || !conn_) {
    failed = last_error_ ? *last_error_ : unavailable("not connected");
  }
  if (failed) {
    RedisConnection::complete(std::move(handler), *failed);
    return;
  }
  conn_->submit_here(std::move(bytes), replies, std::move(handler));
}

asio::awaitable<void> SupervisedConnection::submit_after_attempt(
    std::shared_ptr<SupervisedConnection> self, std::string bytes, std::size_t replies,
    RedisConnection::ReplyHandler handler) {
  co_await self->attempt_done_.async_wait(kTuple);
  self->submit_here(std::move(bytes), replies, std::move(handler), true);
}

void SupervisedConnection::close() {
  asio::post(strand_, [self = shared_from_this()] { self->close_here(); });
}

void SupervisedConnection::close_here() {
  if (state_ == State::closed) return;
  state_ = State::closed;
  ready_.store(false, std::memory_order_release);
  backoff_timer_.cancel();
  attempt_done_.cancel();
  if (conn_) conn_->close_here(unavailable("the client is closed"));
}

}  // namespace sk::store::redis
