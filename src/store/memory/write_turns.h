// WriteTurns: the memory store's durable writes of one session take turns
// (DURABILITY=sync). Such a write is checked, then waits for its audit commit, and is
// applied only after it (memory_store.h); while it waits, another write of the same
// session must not be checked against the state it is about to replace. So each
// durable write first takes its session's turn, and holds it until applied or
// refused. Writes of other sessions never wait.
//
// The server's SessionLanes already keep one instance's commands on a session in
// turn; what meets here is what they do not order: a DELETE, a create racing a
// create of the same id, a recovery. A turn exists only while held or waited for
// (one mutex and a map insert/erase per write). Waiters are resumed in arrival
// order, each on its own executor, never inline. Thread-safe.
#pragma once

#include <deque>
#include <mutex>
#include <unordered_map>
#include <utility>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "domain/uuid.h"

namespace sk::store::memory {

class WriteTurns {
 public:
  // Held while a write runs; the next waiter (if any) goes when it is dropped.
  class Turn {
   public:
    Turn(Turn&& other) noexcept : turns_(std::exchange(other.turns_, nullptr)), id_(other.id_) {}
    Turn& operator=(Turn&&) = delete;
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;
    ~Turn();

   private:
    friend class WriteTurns;
    Turn(WriteTurns* turns, domain::Uuid id) : turns_(turns), id_(id) {}
    WriteTurns* turns_;
    domain::Uuid id_;
  };

  WriteTurns() = default;
  WriteTurns(const WriteTurns&) = delete;
  WriteTurns& operator=(const WriteTurns&) = delete;

  // Returns when `id`'s turn is ours: at once when nobody holds it.
  boost::asio::awaitable<Turn> enter(domain::Uuid id);

  // Sessions whose turn is held or waited for (tests).
  std::size_t busy() const;

 private:
  struct Waiter {
    boost::asio::any_io_executor executor;  // the parked caller's
    boost::asio::any_completion_handler<void()> handler;
  };
  void leave(const domain::Uuid& id);

  mutable std::mutex mutex_;
  // A deque: Boost 1.81's any_completion_handler must never be move-assigned.
  std::unordered_map<domain::Uuid, std::deque<Waiter>, domain::UuidHash> turns_;
};

}  // namespace sk::store::memory
