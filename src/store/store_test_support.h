// Test helpers shared by the store tests of every engine (the contract suite and each
// engine's own tests): ids, sessions built by the real engine, writes, recorders for
// messages and deadline firings, an io_context run by a few threads, and run() for a
// coroutine. Test code only: never linked into a library. Nothing here sleeps except
// the recorders' bounded waits.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "domain/clock.h"
#include "engine/engine.h"
#include "store/session_store.h"

namespace sk::store::testing {

using namespace std::chrono_literals;
using domain::Millis;
using domain::TimePoint;

// 2026-01-01T00:00:00.000Z: the ManualClock's start and the sessions' creation time.
inline const TimePoint kT0 = domain::from_unix_ms(1'767'225'600'000);

inline Uuid make_id(std::uint8_t kind, int n) {
  std::array<std::uint8_t, 16> b{};
  b[0] = kind;
  b[14] = static_cast<std::uint8_t>(n >> 8);
  b[15] = static_cast<std::uint8_t>(n);
  return Uuid{b};
}
inline Uuid session_id(int n) { return make_id(0x5e, n); }
inline Uuid participant_id(int n) { return make_id(0xaa, n); }
inline Uuid group_id(int n) { return make_id(0xbb, n); }

template <typename T>
T must(domain::Result<T> r) {
  if (!r.ok()) throw std::runtime_error("unexpected error: " + r.error().message);
  return std::move(r).value();
}

// A create request for `mode` with `players` participants and valid timings.
inline domain::CreateSessionRequest request(domain::SyncMode mode, int players = 2) {
  domain::CreateSessionRequest r;
  r.sync_mode = mode;
  for (int i = 0; i < players; ++i) {
    domain::NewParticipant p;
    p.participant_id = participant_id(i);
    if (mode == domain::SyncMode::per_group) p.group_id = group_id(i % 2);
    r.participants.push_back(p);
  }
  switch (mode) {
    case domain::SyncMode::per_cycle: r.time_per_cycle = 10s; break;
    case domain::SyncMode::count_up: r.max_time = 3600s; break;
    default: r.total_time = 300s; break;
  }
  return r;
}

// The engine's create: a session at version 1 with its session_created event.
inline engine::Transition created(const Uuid& id,
                                  domain::SyncMode mode = domain::SyncMode::per_participant,
                                  TimePoint at = kT0) {
  return must(engine::create(request(mode), id, at));
}

inline engine::Transition applied(const Session& s, const domain::Command& c, TimePoint at) {
  return must(engine::apply(s, c, at));
}

// Test payloads are state updates unless a test says otherwise.
inline std::vector<WriteMessage> updates(std::vector<std::string> payloads) {
  std::vector<WriteMessage> out;
  out.reserve(payloads.size());
  for (auto& p : payloads) out.push_back({MessageKind::update, std::move(p)});
  return out;
}

inline Write write_of(engine::Transition t, std::vector<std::string> messages = {},
                      std::optional<TimePoint> deadline = std::nullopt) {
  return Write{std::move(t.state), std::move(t.events), deadline, updates(std::move(messages))};
}

inline Write write_of(Session s, std::vector<std::string> messages = {},
                      std::optional<TimePoint> deadline = std::nullopt) {
  return Write{std::move(s), {}, deadline, updates(std::move(messages))};
}

// The next version of `s`, with one more millisecond booked: enough for the store,
// which never interprets a session, and lets a test count applied updates.
inline Session bumped(Session s) {
  s.version += 1;
  s.updated_at += 1ms;
  s.time_used += 1ms;
  return s;
}

inline domain::Event deleted_event(TimePoint at = kT0) {
  domain::Event e;
  e.type = domain::EventType::session_deleted;
  e.at = at;
  return e;
}

// co_spawn (Boost 1.81) needs a default-constructible result, which Result<T> is not:
// spawn this wrapper instead and unwrap.
template <typename T>
asio::awaitable<std::optional<T>> as_optional(asio::awaitable<T> aw) {
  co_return co_await std::move(aw);
}

// Starts `aw` on `io`; get() the future for its result (exceptions included).
template <typename T>
std::future<std::optional<T>> spawn_on(asio::io_context& io, asio::awaitable<T> aw) {
  return asio::co_spawn(io, as_optional(std::move(aw)), asio::use_future);
}

// Runs `aw` to completion. `io` may be run by other threads too; when it is not, this
// thread drives it.
template <typename T>
T run(asio::io_context& io, asio::awaitable<T> aw) {
  auto done = spawn_on(io, std::move(aw));
  while (done.wait_for(0s) != std::future_status::ready) {
    if (io.run_one_for(1ms) == 0 && io.stopped()) io.restart();
  }
  return *done.get();
}

// The same for a coroutine with no result.
inline void run(asio::io_context& io, asio::awaitable<void> aw) {
  auto done = asio::co_spawn(io, std::move(aw), asio::use_future);
  while (done.wait_for(0s) != std::future_status::ready) {
    if (io.run_one_for(1ms) == 0 && io.stopped()) io.restart();
  }
  done.get();
}

// An io_context run by `threads` threads, as the server runs it.
class IoThreads {
 public:
  explicit IoThreads(int threads = 4) {
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this] {
        io_.run();
        ++finished_;
      });
    }
  }
  ~IoThreads() { stop(0ms); }
  IoThreads(const IoThreads&) = delete;
  IoThreads& operator=(const IoThreads&) = delete;

  asio::io_context& io() { return io_; }
  asio::any_io_executor executor() { return io_.get_executor(); }

  // Lets the threads finish once nothing is left to do; false when work was still
  // pending after `patience` (then the io_context is stopped anyway).
  bool stop(std::chrono::milliseconds patience) {
    if (threads_.empty()) return true;
    guard_.reset();
    const auto until = std::chrono::steady_clock::now() + patience;
    while (finished_ < static_cast<int>(threads_.size()) &&
           std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(1ms);
    }
    const bool drained = finished_ == static_cast<int>(threads_.size());
    io_.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    return drained;
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(io_);
  std::atomic<int> finished_{0};
  std::vector<std::thread> threads_;
};

// Records every message a subscriber receives. Thread-safe.
class MessageLog {
 public:
  // `pause`: a slow (but still non-blocking) subscriber, which widens any window in
  // which an engine could deliver out of order.
  MessageHandler handler(std::chrono::microseconds pause = 0us) {
    return [this, pause](const StoreMessage& m) {
      if (pause > 0us) std::this_thread::sleep_for(pause);
      std::lock_guard lock(mu_);
      messages_.push_back(m);
      cv_.notify_all();
    };
  }
  // Waits (at most `timeout`) until at least `n` messages have arrived.
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout = 3s) const {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return messages_.size() >= n; });
  }
  // Waits (at most `timeout`) until `done(messages so far)` holds.
  bool wait_until(const std::function<bool(const std::vector<StoreMessage>&)>& done,
                  std::chrono::milliseconds timeout = 3s) const {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return done(messages_); });
  }
  // Waits until a message of session `id` with `payload` has arrived.
  bool wait_for_payload(const Uuid& id, const std::string& payload,
                        std::chrono::milliseconds timeout = 3s) const {
    return wait_until(
        [&](const std::vector<StoreMessage>& all) {
          for (const auto& m : all) {
            if (m.session_id == id && m.payload == payload) return true;
          }
          return false;
        },
        timeout);
  }
  std::vector<StoreMessage> messages() const {
    std::lock_guard lock(mu_);
    return messages_;
  }
  std::size_t size() const {
    std::lock_guard lock(mu_);
    return messages_.size();
  }

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<StoreMessage> messages_;
};

// Records when the deadline handler fires, per session id, on the system clock.
// `on_fire` (optional) runs after recording, e.g. to write the time-out back.
class DeadlineLog {
 public:
  using SysTime = std::chrono::system_clock::time_point;

  DeadlineHandler handler(std::function<void(const Uuid&)> on_fire = {}) {
    return [this, on_fire = std::move(on_fire)](const Uuid& id) {
      {
        std::lock_guard lock(mu_);
        fired_[id].push_back(std::chrono::system_clock::now());
        ++total_;
        cv_.notify_all();
      }
      if (on_fire) on_fire(id);
    };
  }
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout = 3s) const {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return total_ >= n; });
  }
  std::vector<SysTime> fired(const Uuid& id) const {
    std::lock_guard lock(mu_);
    const auto it = fired_.find(id);
    return it == fired_.end() ? std::vector<SysTime>{} : it->second;
  }
  std::size_t total() const {
    std::lock_guard lock(mu_);
    return total_;
  }

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::map<Uuid, std::vector<SysTime>> fired_;
  std::size_t total_ = 0;
};

// What the server does with a fired deadline, for tests of several instances: the
// time-out written back through `store` (read, then update at the read version), which
// removes the deadline, so a second firing would have to come from a second claim.
inline std::function<void(const Uuid&)> write_back_timeout(asio::io_context& io,
                                                           SessionStore* store) {
  return [&io, store](const Uuid& id) {
    asio::co_spawn(
        io,
        [store, id]() -> asio::awaitable<void> {
          auto current = co_await store->get(id);
          if (!current) co_return;
          (void)co_await store->update(write_of(bumped(*current)), current->version);
        },
        asio::detached);
  };
}

inline std::chrono::microseconds lag(DeadlineLog::SysTime fired, TimePoint deadline) {
  return std::chrono::duration_cast<std::chrono::microseconds>(fired - deadline);
}

}  // namespace sk::store::testing
