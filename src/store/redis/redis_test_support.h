// Test helpers for the Redis client tests: the store tests' io_context run by a few
// threads and run() (store_test_support.h, shared rather than copied), and
// wait_until() for conditions that become true in the background. Test code only.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

#include "store/store_test_support.h"

namespace sk::store::redis::testing {

using namespace std::chrono_literals;
using sk::store::testing::as_optional;
using sk::store::testing::IoThreads;
using sk::store::testing::run;

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
