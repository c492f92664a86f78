// The injected clock. Session time is wall-clock UTC (shared across instances);
// local durations (time-outs, latency) use the steady clock. Every layer above the
// engine takes a Clock& from app/, so tests can drive time; the engine itself never
// reads one (it is handed `now`).
#pragma once

#include <atomic>
#include <chrono>

#include "domain/time.h"

namespace sk::domain {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint wall_now() const = 0;
  virtual std::chrono::steady_clock::time_point steady_now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint wall_now() const override {
    return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
  }
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::now();
  }
};

// A clock tests move by hand. Thread-safe, so a server under test can read it while
// the test advances it.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : wall_ms_(to_unix_ms(start)) {}
  TimePoint wall_now() const override { return from_unix_ms(wall_ms_.load()); }
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::time_point{Millis{steady_ms_.load()}};
  }
  void advance(Millis d) {
    wall_ms_ += d.count();
    steady_ms_ += d.count();
  }

 private:
  std::atomic<std::int64_t> wall_ms_;
  std::atomic<std::int64_t> steady_ms_{0};
};

}  // namespace sk::domain
