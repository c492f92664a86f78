// SessionLanes: one lane per session on this instance, so that its commands take
// turns here instead of racing each other's compare-and-set in the store. Without
// it, N clients of one instance hammering one session meet N-way races in the store,
// and an unguarded command retried after each lost race (SPEC §2) could lose many in
// a row (a three-instance test with nine clients saw one lose 16 times). With it,
// only instances race each other, and a loser's next try meets at most one writer
// per other instance.
//
// A lane exists only while a command holds or waits for it: no memory for idle
// sessions, one mutex and a map insert/erase per command otherwise (~0.2 µs, against
// a command's ~40 µs). Waiters are resumed in arrival order, each on its own
// executor. Reads do not take lanes. Thread-safe.
#pragma once

#include <deque>
#include <mutex>
#include <unordered_map>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "domain/uuid.h"

namespace sk::server {

class SessionLanes {
  struct Lane;

 public:
  // Held while a command runs; the next waiter (if any) goes when it is dropped.
  class Turn {
   public:
    Turn(Turn&& other) noexcept : lanes_(std::exchange(other.lanes_, nullptr)), id_(other.id_) {}
    Turn& operator=(Turn&&) = delete;
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;
    ~Turn();

   private:
    friend class SessionLanes;
    Turn(SessionLanes* lanes, domain::Uuid id) : lanes_(lanes), id_(id) {}
    SessionLanes* lanes_;
    domain::Uuid id_;
  };

  SessionLanes() = default;
  SessionLanes(const SessionLanes&) = delete;
  SessionLanes& operator=(const SessionLanes&) = delete;

  // Returns when `id`'s lane is ours: at once when nobody on this instance holds it.
  boost::asio::awaitable<Turn> enter(domain::Uuid id);

  // Lanes in use (held or waited for), for tests.
  std::size_t busy() const;

 private:
  struct Waiter {
    boost::asio::any_io_executor executor;  // the parked caller's
    boost::asio::any_completion_handler<void()> handler;
  };
  struct Lane {
    std::deque<Waiter> waiters;
  };
  void leave(const domain::Uuid& id);

  mutable std::mutex mutex_;
  std::unordered_map<domain::Uuid, Lane, domain::UuidHash> lanes_;
};

}  // namespace sk::server
