// DeadlineTimer: when each session's running clock runs out, for the memory engine.
// It keeps an index of session id -> deadline (wall-clock UTC, since deadlines are
// session time) and calls the DeadlineHandler once per due entry. It knows nothing of
// sessions, the engine or the store's table: MemoryStore tells it what each write set.
//
// Mechanism: ONE steady_timer, driven by a coroutine on a strand, sleeps until the
// earliest deadline (wait = deadline - clock.wall_now()). A write that brings in an
// earlier deadline posts a cancel to the strand, and the loop re-arms. The sleep is
// capped at one second so that a wall-clock step (NTP) or a ManualClock moved by a
// test is noticed within that second. Due entries are dropped from the index before
// their handler is posted to the executor, so each fires once; a later write sets a
// new one. The handler is never called under a lock.
//
// Thread-safe: set() may be called from any thread (the store calls it under its own
// write lock; this class's lock is always taken after that one, never before).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "domain/clock.h"
#include "store/session_store.h"

namespace sk::store::memory {

class DeadlineTimer : public std::enable_shared_from_this<DeadlineTimer> {
 public:
  // Longest sleep between two looks at the wall clock.
  static constexpr std::chrono::milliseconds kMaxSleep{1000};

  // Starts the timer loop on `executor`; it runs until close().
  static std::shared_ptr<DeadlineTimer> start(asio::any_io_executor executor,
                                              const domain::Clock& clock);

  void set_handler(DeadlineHandler handler);

  // Schedules or moves (a deadline) or drops (nullopt) the deadline of `id`.
  void set(const Uuid& id, std::optional<domain::TimePoint> deadline);

  // Deadlines waiting to fire.
  std::size_t size() const;

  // Drops every deadline and ends the loop; no handler is called afterwards.
  void close();

 private:
  DeadlineTimer(asio::any_io_executor executor, const domain::Clock& clock);
  static asio::awaitable<void> loop(std::shared_ptr<DeadlineTimer> self);
  bool closed() const;
  void wake();  // cancels the current sleep (posted to the strand)

  asio::any_io_executor executor_;  // where handlers run
  asio::strand<asio::any_io_executor> strand_;
  const domain::Clock& clock_;
  asio::steady_timer timer_;  // used on strand_ only

  mutable std::mutex mu_;  // guards everything below
  std::unordered_map<Uuid, domain::TimePoint, domain::UuidHash> by_id_;
  std::set<std::pair<domain::TimePoint, Uuid>> queue_;  // earliest first
  // When the loop wakes next; nullopt until it first sleeps. A deadline before it
  // needs a wake().
  std::optional<domain::TimePoint> wakes_at_;
  std::shared_ptr<const DeadlineHandler> handler_;
  bool closed_ = false;
};

}  // namespace sk::store::memory
