// The cost of one rate-limit decision (issue 14), per engine: the GCRA sums alone,
// the in-process limiter (one key, many keys, two threads on one key), and the Redis
// limiter (one call at a time: the round trip a request pays; and 64 in flight: what
// Redis's single thread sustains). Limits are so high that every call is allowed and
// writes, the costlier path.
//
// Redis: the server of REDIS_URL if it is set (keys under "sk-bench:", expiring within
// a second); otherwise a redis-server of its own on loopback (redis_server_fixture.h)
// if one is installed; otherwise the Redis benchmarks are skipped.
//
//   build/release/bench/sk_rate_limit_bench [--benchmark_filter=Redis]
//   REDIS_URL=redis://127.0.0.1:6379 build/release/bench/sk_rate_limit_bench
#include <chrono>
#include <cstdlib>
#include <exception>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "domain/clock.h"
#include "server/limits/gcra.h"
#include "server/limits/memory_rate_limiter.h"
#include "server/limits/redis_rate_limiter.h"
#include "store/redis/redis_server_fixture.h"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using sk::server::limits::Gcra;
using sk::server::limits::MemoryRateLimiter;
using sk::server::limits::Micros;
using sk::server::limits::RateDecision;
using sk::server::limits::RateLimit;
using sk::server::limits::RateLimiter;
using sk::server::limits::RedisRateLimiter;

// Never refuses within a benchmark run: every take() stores a new TAT.
constexpr RateLimit kGenerous{1'000'000'000, 1000ms};

void BM_GcraTake(benchmark::State& state) {
  const Gcra gcra(kGenerous);
  Micros tat = Micros::min();
  Micros now{1'767'225'600'000'000};
  for (auto _ : state) {
    const auto step = gcra.take(tat, now);
    tat = step.tat;
    now += 1us;
    benchmark::DoNotOptimize(tat);
  }
}
BENCHMARK(BM_GcraTake);

void BM_MemoryTakeOneKey(benchmark::State& state) {
  sk::domain::SystemClock clock;
  MemoryRateLimiter limiter(clock);
  for (auto _ : state) {
    auto d = limiter.take_now("client:sub:alice", kGenerous);
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_MemoryTakeOneKey);

// range(0) distinct keys, taken round-robin (cache misses, a full map's lookups).
void BM_MemoryTakeManyKeys(benchmark::State& state) {
  sk::domain::SystemClock clock;
  MemoryRateLimiter limiter(clock);
  std::vector<std::string> keys;
  for (std::int64_t i = 0; i < state.range(0); ++i) keys.push_back("ws:ip:" + std::to_string(i));
  std::size_t next = 0;
  for (auto _ : state) {
    auto d = limiter.take_now(keys[next], kGenerous);
    benchmark::DoNotOptimize(d);
    if (++next == keys.size()) next = 0;
  }
}
BENCHMARK(BM_MemoryTakeManyKeys)->Arg(1000)->Arg(100'000);

// Threads contending for one key's shard lock.
void BM_MemoryTakeContended(benchmark::State& state) {
  static sk::domain::SystemClock clock;
  static MemoryRateLimiter limiter(clock);
  for (auto _ : state) {
    auto d = limiter.take_now("switch:shared", kGenerous);
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_MemoryTakeContended)->Threads(1)->Threads(2);

// A Redis (REDIS_URL's, or a redis-server of its own), an io_context on its own
// thread, a client and the limiter. ok() false: no Redis to measure (why: skip_reason).
class RedisBench {
 public:
  RedisBench() {
    auto url = redis_url();
    if (!url) return;
    auto parsed = sk::store::redis::parse_redis_url(*url);
    if (!parsed.ok()) {
      skip_reason_ = "bad REDIS_URL: " + parsed.error().message;
      return;
    }
    client_.emplace(io_.get_executor(), std::move(parsed).value());
    limiter_.emplace(*client_, "sk-bench:");
    thread_ = std::thread([this] { io_.run(); });
    // Wait for the connection, so the first measured call does not pay for it.
    for (int i = 0; i < 300 && !client_->connected(); ++i) std::this_thread::sleep_for(10ms);
    if (!client_->connected()) skip_reason_ = "Redis not reachable at " + *url;
  }
  ~RedisBench() {
    if (client_) client_->close();
    guard_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  RedisBench(const RedisBench&) = delete;
  RedisBench& operator=(const RedisBench&) = delete;

  bool ok() const { return skip_reason_.empty(); }
  const std::string& skip_reason() const { return skip_reason_; }
  asio::io_context& io() { return io_; }
  RateLimiter& limiter() { return *limiter_; }

 private:
  std::optional<std::string> redis_url() {
    if (const char* env = std::getenv("REDIS_URL"); env != nullptr && *env != '\0') {
      return std::string(env);
    }
    try {
      server_.emplace();
    } catch (const std::exception& e) {
      skip_reason_ = std::string("REDIS_URL unset and no redis-server to start: ") + e.what();
      return std::nullopt;
    }
    return server_->url();
  }

  std::string skip_reason_;
  std::optional<sk::store::redis::testing::RedisServerFixture> server_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(io_);
  std::optional<sk::store::redis::RedisClient> client_;
  std::optional<RedisRateLimiter> limiter_;
  std::thread thread_;
};

// `count` take()s of `key`, one after another; false if one failed.
asio::awaitable<bool> take_many(RateLimiter& limiter, std::string key, std::int64_t count) {
  for (std::int64_t i = 0; i < count; ++i) {
    auto d = co_await limiter.take(key, kGenerous);
    if (!d.ok()) co_return false;
  }
  co_return true;
}

// One call at a time: the latency a request pays (a loopback round trip + the script).
void BM_RedisTake(benchmark::State& state) {
  RedisBench bench;
  if (!bench.ok()) {
    state.SkipWithError(bench.skip_reason().c_str());
    return;
  }
  for (auto _ : state) {
    auto done = asio::co_spawn(bench.io(), take_many(bench.limiter(), "client:sub:alice", 1),
                               asio::use_future);
    if (!done.get()) {
      state.SkipWithError("take() failed");
      break;
    }
  }
}
BENCHMARK(BM_RedisTake)->Unit(benchmark::kMicrosecond)->UseRealTime();

// range(0) coroutines at once, each taking its own key 100 times: pipelined on the
// client's connections, so this is Redis's throughput (time per take, amortised).
void BM_RedisTakeConcurrent(benchmark::State& state) {
  RedisBench bench;
  if (!bench.ok()) {
    state.SkipWithError(bench.skip_reason().c_str());
    return;
  }
  constexpr std::int64_t kPerCoroutine = 100;
  for (auto _ : state) {
    std::vector<std::future<bool>> pending;
    for (std::int64_t c = 0; c < state.range(0); ++c) {
      pending.push_back(asio::co_spawn(
          bench.io(), take_many(bench.limiter(), "client:" + std::to_string(c), kPerCoroutine),
          asio::use_future));
    }
    bool ok = true;
    for (auto& p : pending) ok = p.get() && ok;
    if (!ok) {
      state.SkipWithError("take() failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * state.range(0) * kPerCoroutine);
}
BENCHMARK(BM_RedisTakeConcurrent)->Arg(64)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
