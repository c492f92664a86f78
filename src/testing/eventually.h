// eventually(): waits for a condition that becomes true in the background (a message
// delivered, a process ready) instead of sleeping for a guessed time. Test code only.
//
// It polls: the conditions tests wait on (a counter, a store read, a log line) have
// no notification to block on, and a poll every few milliseconds returns within that
// of the condition holding, where a fixed sleep is either too short on a loaded
// machine (flaky) or too long everywhere (slow).
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace sk::testing {

// Polls `done` every `every` until it holds (true) or `timeout` passes (false; `done`
// is checked once more at the end).
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout,
                       std::chrono::milliseconds every = std::chrono::milliseconds{5}) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= until) return done();
    std::this_thread::sleep_for(every);
  }
}

}  // namespace sk::testing
