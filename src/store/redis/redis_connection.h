// RedisConnection: ONE TCP connection to Redis, pipelined. Commands are formatted
// here (RESP arrays of bulk strings, straight into one buffer), replies parsed by
// hiredis's redisReader; the socket is Asio's, so no hiredis networking and no thread
// of its own.
//
// Mechanism: everything below runs on one strand. A request appends its formatted
// bytes to an output buffer and joins a FIFO of pending requests; one writer
// coroutine sends whatever has queued up in a single write, one reader coroutine
// feeds the reader and hands each reply to the oldest pending request (Redis answers
// in order). A request is a completion handler (the caller's coroutine, suspended),
// posted to the caller's own executor with the replies when its last one arrives: no
// coroutine, strand hop or timer of its own per command. Timeouts are one watchdog
// timer per connection, armed at the oldest request's deadline (a timer armed per
// request cost a timer-queue update and often a timerfd system call per command): if
// that deadline passes, the replies can no longer be matched, so the connection is
// closed and every pending request fails unavailable. Deadlines are the injected
// clock's steady time (ConnectionTimeouts::clock; a manual clock in tests), the
// timer only wakes the check. A connection is used once:
// after close (by error, timeout or the owner) it stays closed; SupervisedConnection
// makes new ones.
//
// With a push handler (Pub/Sub), a "message"/"pmessage" array goes to the handler
// instead of to a pending request.
//
// Thread-safety: close() and is_open() may be called from any thread. The `*_here`
// members are for an owner that already runs on strand().
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "domain/clock.h"
#include "domain/result.h"
#include "store/redis/redis_errors.h"
#include "store/redis/redis_url.h"
#include "store/redis/reply.h"

struct redisReader;  // hiredis

namespace sk::store::redis {

namespace asio = boost::asio;
using Strand = asio::strand<asio::any_io_executor>;
using Command = std::vector<std::string>;  // e.g. {"SET", "k", "v"}; binary-safe
using Replies = std::vector<Reply>;

struct ConnectionTimeouts {
  std::chrono::milliseconds connect{1000};
  std::chrono::milliseconds command{2000};
  // Measures the command timeouts (its steady_now()); must outlive the connection.
  // nullptr: the system's steady clock.
  const domain::Clock* clock = nullptr;
};

class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
 public:
  // Called on the strand, in arrival order, for each Pub/Sub message.
  using PushHandler = std::function<void(Reply)>;
  // Receives a request's replies, or why there are none, on `executor` (the caller's).
  // Move-construct only, never move-assign (see enqueue_here()).
  struct ReplyHandler {
    asio::any_io_executor executor;
    asio::any_completion_handler<void(domain::Result<Replies>)> handler;
  };
  // The ReplyHandler of an async_initiate() handler (a suspended coroutine): it runs on
  // its associated executor, `fallback` if it has none.
  template <typename Handler>
  static ReplyHandler reply_to(Handler handler, const Strand& fallback) {
    asio::any_io_executor executor = asio::get_associated_executor(handler, fallback);
    return ReplyHandler{std::move(executor), std::move(handler)};
  }

  // The RESP encoding of `commands`, in one buffer; validation error for an empty
  // command. Pure: callers format before they hop onto the strand.
  static domain::Result<std::string> format(const std::vector<Command>& commands);

  // Hands `result` to `to`, posted to its executor: never inline, since the caller
  // may be inside the reader.
  static void complete(ReplyHandler to, domain::Result<Replies> result);

  static std::shared_ptr<RedisConnection> create(Strand strand, RedisUrl url,
                                                 ConnectionTimeouts timeouts,
                                                 PushHandler on_push = {});
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  const Strand& strand() const { return strand_; }

  // Connected and authenticated, and not closed since. Thread-safe.
  bool is_open() const { return open_.load(std::memory_order_acquire); }

  // Closes the connection (posted to the strand); pending requests fail unavailable.
  void close();

  // --- On the strand only. ---

  // Connects (resolving the host if needed), then AUTH, SELECT and PING in one round
  // trip, all within the connect timeout. Called once, before anything else.
  asio::awaitable<Status> connect_here();

  // Sends `bytes` (format()ted commands) and hands `handler` the `replies` replies
  // that follow, in order (a Redis error reply is a Reply, not an Error). Fails
  // unavailable if the connection is not open, breaks, or the last reply does not
  // arrive within the command timeout.
  void submit_here(std::string bytes, std::size_t replies, ReplyHandler handler);

  // The same for a coroutine: `commands`, with one reply per command unless `replies`
  // says how many in total (SUBSCRIBE a b c answers three times).
  asio::awaitable<domain::Result<Replies>> execute_here(std::vector<Command> commands,
                                                        std::size_t replies);
  asio::awaitable<domain::Result<Replies>> execute_here(std::vector<Command> commands);

  // Waits until the connection closes, or at most `at_most`; true if closed. One
  // waiter at a time.
  asio::awaitable<bool> wait_closed_here(std::chrono::milliseconds at_most);

  // Closes now; `why` is what pending and later requests fail with.
  void close_here(domain::Error why);

  // Destroys the pending requests' handlers without calling them. Only when no thread
  // runs the executor any more (its context shuts down with requests in flight).
  void abandon_pending();

  // Why the connection closed (or the connect failed); nullopt while it has not.
  const Status& failure_here() const { return failure_; }

 private:
  enum class State { idle, connecting, open, closed };
  // A request sent (or queued to be), waiting for its replies.
  struct Pending {
    ReplyHandler handler;
    std::chrono::steady_clock::time_point deadline;
    std::chrono::milliseconds timeout{};
    std::size_t expected = 0;
    Replies replies;
  };

  RedisConnection(Strand strand, RedisUrl url, ConnectionTimeouts timeouts, PushHandler on_push);

  // Why a request cannot be sent now: the close's reason, or "not open" before the
  // connection is.
  domain::Error not_open() const;
  void enqueue_here(std::string bytes, std::size_t replies, std::chrono::milliseconds timeout,
                    ReplyHandler handler);
  asio::awaitable<domain::Result<Replies>> send_here(std::string bytes, std::size_t replies,
                                                     std::chrono::milliseconds timeout);
  Status check_handshake(const Replies& replies, const std::vector<Command>& sent);
  void start_writer();
  void arm_watchdog();
  void dispatch(Reply reply);
  static asio::awaitable<void> write_loop(std::shared_ptr<RedisConnection> self);
  static asio::awaitable<void> read_loop(std::shared_ptr<RedisConnection> self);

  Strand strand_;
  const RedisUrl url_;
  const ConnectionTimeouts timeouts_;
  domain::SystemClock system_clock_;
  const domain::Clock& clock_;  // timeouts_.clock, else system_clock_
  const PushHandler on_push_;

  // All below: on strand_ only (open_ is also read from other threads).
  asio::ip::tcp::socket socket_;
  asio::ip::tcp::resolver resolver_;
  asio::steady_timer deadline_;       // bounds connect_here()
  asio::steady_timer closed_signal_;  // wait_closed_here(); cancelled by close_here()
  asio::steady_timer watchdog_;       // expires at the oldest pending request's deadline
  bool watchdog_armed_ = false;
  redisReader* reader_;  // owned
  std::array<char, std::size_t{16} * 1024> read_buf_{};
  std::string out_;  // formatted requests not yet handed to a write
  bool writing_ = false;
  std::deque<Pending> pending_;  // sent or queued, oldest first
  State state_ = State::idle;
  Status failure_;
  std::atomic<bool> open_{false};
};

}  // namespace sk::store::redis
