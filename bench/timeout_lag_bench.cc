// Time-out lag (issue 16): how long after its deadline a running clock's time-out is
// noticed and written back (the write publishes STATE_UPDATE/TIME_EXPIRED), per
// engine, in one run: the memory engine, the Redis engine on one redis-server and on
// a Redis Cluster of 3 masters + 3 replicas (both started here, on loopback).
// Issue 17 adds two lines per engine on the same deadline machinery, through the real
// engine: "warning" (a warnings_ms threshold crossed, TIME_WARNING written) and
// "start" (a start_at reached, the session started), each behind its instant, and
// "timeout*", the time-out through the same real engine path, to compare them with.
//
//   sk_timeout_lag_bench [--sessions N] [--spread-ms S]
//
// Two store instances per Redis engine (the deadlines are created through both, so
// each instance's poller also meets deadlines the other wrote); each fired deadline
// is written back as the server does (get, then update with the expected version).
// Prints, per engine, p50 / p99 / max of "fired" (the handler runs) and of "written"
// (the write-back is acknowledged) behind the deadline. System clock; a busy machine
// shows in the tail.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/engine.h"
#include "store/memory/memory_store.h"
// The fixture of a cluster: absent from builds before issue 16, which this bench also
// measures (the base of a side-by-side run).
#if __has_include("store/redis/redis_cluster_fixture.h")
#include "store/redis/redis_cluster_fixture.h"
#define SK_HAS_CLUSTER 1
#endif
#include "store/redis/redis_server_fixture.h"
#include "store/redis/redis_store.h"
#include "store/store_test_support.h"

namespace {

using namespace std::chrono_literals;
using sk::domain::TimePoint;
using sk::store::SessionStore;
namespace st = sk::store::testing;
namespace asio = boost::asio;

struct Lags {
  std::mutex mu;
  std::vector<double> fired_ms;
  std::vector<double> written_ms;
};

// Sub-millisecond: the system clock itself (the store's Clock reads whole ms).
double ms_since(TimePoint deadline, const sk::domain::Clock&) {
  return std::chrono::duration<double, std::milli>(std::chrono::system_clock::now() - deadline)
      .count();
}

void print(const char* engine, std::vector<double> v, const char* what) {
  if (v.empty()) {
    std::printf("%-22s %-8s none\n", engine, what);
    return;
  }
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
  };
  std::printf("%-22s %-8s n=%zu  p50 %.2f ms  p99 %.2f ms  max %.2f ms\n", engine, what, v.size(),
              at(0.50), at(0.99), v.back());
}

void run(const char* engine, std::vector<std::unique_ptr<SessionStore>>& stores, st::IoThreads& io,
         const sk::domain::Clock& clock, int sessions, int spread_ms) {
  Lags lags;
  std::mutex deadlines_mu;
  std::map<sk::domain::Uuid, TimePoint> deadlines;
  std::atomic<int> done{0};
  for (auto& store : stores) {
    SessionStore* s = store.get();
    s->set_deadline_handler([&, s](const sk::domain::Uuid& id) {
      TimePoint deadline;
      {
        std::lock_guard lock(deadlines_mu);
        deadline = deadlines.at(id);
      }
      {
        std::lock_guard lock(lags.mu);
        lags.fired_ms.push_back(ms_since(deadline, clock));
      }
      asio::co_spawn(
          io.io(),
          [s, id, deadline, &lags, &clock, &done]() -> asio::awaitable<void> {
            auto current = co_await s->get(id);
            if (!current) co_return;
            auto st2 = co_await s->update(st::write_of(st::bumped(*current)), current->version);
            if (!st2) {
              std::lock_guard lock(lags.mu);
              lags.written_ms.push_back(ms_since(deadline, clock));
            }
            ++done;
          },
          asio::detached);
    });
  }
  const TimePoint first = clock.wall_now() + 1s;
  for (int n = 0; n < sessions; ++n) {
    const auto id = st::session_id(n + 1);
    const TimePoint deadline = first + std::chrono::milliseconds(spread_ms * n / sessions);
    {
      std::lock_guard lock(deadlines_mu);
      deadlines[id] = deadline;
    }
    auto& store = *stores[static_cast<std::size_t>(n) % stores.size()];
    auto t = st::created(id);
    const auto status = st::run(io.io(), store.create(st::write_of(std::move(t), {}, deadline)));
    if (status) std::printf("%s: create failed: %s\n", engine, status->message.c_str());
  }
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(spread_ms) + 10s;
  while (done < sessions && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(10ms);
  std::lock_guard lock(lags.mu);
  print(engine, lags.fired_ms, "fired");
  print(engine, lags.written_ms, "written");
}

#if __has_include("engine/time_control_rules.h")
#define SK_HAS_WAKEUPS 1
enum class Wakeup { timeout, warning, start };

// A session whose next wakeup is `instant`: running with a warnings_ms threshold
// crossed then, or pending with start_at then.
sk::domain::Session waking_at(Wakeup kind, const sk::domain::Uuid& id, TimePoint now,
                              TimePoint instant) {
  auto request = st::request(sk::domain::SyncMode::per_participant);
  request.total_time = 100s;
  if (kind == Wakeup::start) {
    request.start_at = instant;
    return st::must(sk::engine::create(request, id, now)).state;
  }
  const auto until = std::chrono::duration_cast<sk::domain::Millis>(instant - now);
  if (kind == Wakeup::timeout) {
    request.total_time = until;  // the clock runs out at `instant`
  } else {
    request.warnings = {100s - until};
  }
  auto created = st::must(sk::engine::create(request, id, now)).state;
  return st::must(sk::engine::apply(created, sk::domain::StartCommand{}, now)).state;
}

// The server's fire_deadline: apply the timer's command at the wall clock (waiting
// out a timer that woke a millisecond early), write it back with the next wakeup.
asio::awaitable<bool> apply_wakeup(SessionStore* s, sk::domain::Uuid id,
                                   const sk::domain::Clock& clock) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    auto current = co_await s->get(id);
    if (!current) co_return false;
    auto t = sk::engine::apply(*current, sk::domain::TimeoutCommand{}, clock.wall_now());
    if (!t) co_return false;
    if (!t->changed) {
      asio::steady_timer timer(co_await asio::this_coro::executor);
      timer.expires_after(2ms);
      co_await timer.async_wait(asio::use_awaitable);
      continue;
    }
    const auto next = sk::engine::next_wakeup(t->state);
    auto status = co_await s->update(st::write_of(std::move(*t), {}, next), current->version);
    co_return !status;
  }
  co_return false;
}

void run_wakeups(const char* engine, Wakeup kind,
                 std::vector<std::unique_ptr<SessionStore>>& stores, st::IoThreads& io,
                 const sk::domain::Clock& clock, int sessions, int spread_ms) {
  Lags lags;
  std::mutex instants_mu;
  std::map<sk::domain::Uuid, TimePoint> instants;
  std::atomic<int> done{0};
  for (auto& store : stores) {
    SessionStore* s = store.get();
    s->set_deadline_handler([&, s](const sk::domain::Uuid& id) {
      TimePoint instant;
      {
        std::lock_guard lock(instants_mu);
        const auto it = instants.find(id);
        if (it == instants.end()) return;  // a later wakeup (the clock's deadline)
        instant = it->second;
        instants.erase(it);
      }
      {
        std::lock_guard lock(lags.mu);
        lags.fired_ms.push_back(ms_since(instant, clock));
      }
      asio::co_spawn(
          io.io(),
          [s, id, instant, &lags, &clock, &done]() -> asio::awaitable<void> {
            if (co_await apply_wakeup(s, id, clock)) {
              std::lock_guard lock(lags.mu);
              lags.written_ms.push_back(ms_since(instant, clock));
            }
            ++done;
          },
          asio::detached);
    });
  }
  const TimePoint now = clock.wall_now();
  const TimePoint first = now + 1s;
  for (int n = 0; n < sessions; ++n) {
    const auto id = st::make_id(static_cast<std::uint8_t>(0x5a + static_cast<int>(kind)), n);
    const TimePoint instant = first + std::chrono::milliseconds(spread_ms * n / sessions);
    {
      std::lock_guard lock(instants_mu);
      instants[id] = instant;
    }
    auto state = waking_at(kind, id, now, instant);
    const auto wakeup = sk::engine::next_wakeup(state);
    auto& store = *stores[static_cast<std::size_t>(n) % stores.size()];
    const auto status = st::run(io.io(), store.create(st::write_of(std::move(state), {}, wakeup)));
    if (status) std::printf("%s: create failed: %s\n", engine, status->message.c_str());
  }
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(spread_ms) + 10s;
  while (done < sessions && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(10ms);
  std::lock_guard lock(lags.mu);
  const char* what = kind == Wakeup::start     ? " start"
                     : kind == Wakeup::warning ? " warning"
                                               : " timeout*";
  const std::string name = std::string(engine) + what;
  print(name.c_str(), lags.fired_ms, "fired");
  print(name.c_str(), lags.written_ms, "written");
}
#endif

std::unique_ptr<SessionStore> redis_store(st::IoThreads& io, const sk::domain::Clock& clock,
                                          const std::string& url) {
  sk::store::redis::RedisStoreOptions options;
  options.key_prefix = "lag:";
  auto store = std::make_unique<sk::store::redis::RedisStore>(
      io.executor(), clock, *sk::store::redis::parse_redis_url(url), options);
  for (int i = 0; i < 1000 && !store->subscribed(); ++i) std::this_thread::sleep_for(10ms);
  return store;
}

// Two store instances on the Redis (or cluster) at `url`.
void run_redis(const char* engine, const sk::domain::Clock& clock, const std::string& url,
               int sessions, int spread_ms) {
  st::IoThreads io(2);
  std::vector<std::unique_ptr<SessionStore>> stores;
  stores.push_back(redis_store(io, clock, url));
  stores.push_back(redis_store(io, clock, url));
  run(engine, stores, io, clock, sessions, spread_ms);
#ifdef SK_HAS_WAKEUPS
  run_wakeups(engine, Wakeup::timeout, stores, io, clock, sessions, spread_ms);
  run_wakeups(engine, Wakeup::warning, stores, io, clock, sessions, spread_ms);
  run_wakeups(engine, Wakeup::start, stores, io, clock, sessions, spread_ms);
#endif
  for (auto& s : stores) s->close();
  io.stop(3000ms);
}

}  // namespace

int main(int argc, char** argv) {
  int sessions = 500;
  int spread_ms = 5000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--sessions") == 0) sessions = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--spread-ms") == 0) spread_ms = std::atoi(argv[i + 1]);
  }
  sk::domain::SystemClock clock;
  {
    st::IoThreads io(2);
    std::vector<std::unique_ptr<SessionStore>> stores;
    stores.push_back(std::make_unique<sk::store::MemoryStore>(io.executor(), clock));
    run("memory", stores, io, clock, sessions, spread_ms);
#ifdef SK_HAS_WAKEUPS
    run_wakeups("memory", Wakeup::timeout, stores, io, clock, sessions, spread_ms);
    run_wakeups("memory", Wakeup::warning, stores, io, clock, sessions, spread_ms);
    run_wakeups("memory", Wakeup::start, stores, io, clock, sessions, spread_ms);
#endif
    for (auto& s : stores) s->close();
    io.stop(3000ms);
  }
  {
    sk::store::redis::testing::RedisServerFixture redis;
    run_redis("redis", clock, redis.url(), sessions, spread_ms);
  }
#ifdef SK_HAS_CLUSTER
  {
    sk::store::redis::testing::RedisClusterFixture cluster;
    run_redis("redis_cluster", clock, cluster.url(), sessions, spread_ms);
  }
#endif
  return 0;
}
