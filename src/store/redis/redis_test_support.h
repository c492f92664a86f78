// Test helpers for the Redis client tests: an io_context run by a few threads (as
// the server runs it), run() to await a coroutine from the test thread, and
// wait_until() for conditions that become true in the background. Test code only.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace sk::store::redis::testing {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class IoThreads {
 public:
  explicit IoThreads(int threads = 2) {
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

  // Lets the threads finish once nothing is left to do; false when work (a timer, a
  // socket operation, a coroutine) was still pending after `patience`.
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

// co_spawn (Boost 1.81) needs a default-constructible result; Result<T> is not.
template <typename T>
asio::awaitable<std::optional<T>> as_optional(asio::awaitable<T> aw) {
  co_return co_await std::move(aw);
}

// Starts `aw` on `io` (which other threads run) and waits for its result.
template <typename T>
T run(asio::io_context& io, asio::awaitable<T> aw) {
  return *asio::co_spawn(io, as_optional(std::move(aw)), asio::use_future).get();
}

// Polls `done` until it holds or `timeout` passes.
inline bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

}  // namespace sk::store::redis::testing
