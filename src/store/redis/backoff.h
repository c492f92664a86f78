// Backoff: the delays between reconnect attempts: min, 2*min, 4*min, ... capped at
// max; reset() after a success. Deterministic (no jitter): a fleet reconnecting at
// once is a few dozen connections, which Redis absorbs. A value, no clock, no I/O.
#pragma once

#include <algorithm>
#include <chrono>

namespace sk::store::redis {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds min, std::chrono::milliseconds max)
      : min_(std::max(min, std::chrono::milliseconds{1})), max_(std::max(max, min_)), next_(min_) {}

  // The delay before the next attempt; each call doubles the following one.
  std::chrono::milliseconds next() {
    const auto delay = next_;
    next_ = std::min(next_ * 2, max_);
    return delay;
  }
  void reset() { next_ = min_; }

 private:
  std::chrono::milliseconds min_;
  std::chrono::milliseconds max_;
  std::chrono::milliseconds next_;
};

}  // namespace sk::store::redis
