// ConnectionRate: the rate limit of one connection (HTTP requests on a keep-alive
// connection, messages on a WebSocket), as a value: the time is handed in, nothing is
// read, slept or locked. Not thread-safe: its connection's strand owns it.
//
// GCRA (the generic cell rate algorithm, a token bucket kept as one time point):
// each event pushes a "theoretical arrival time" forward by 1/rate; an event is
// allowed while that time is at most (burst - 1)/rate ahead of now. So `burst`
// events may arrive at once, then one per 1/rate. One integer per connection, no
// floating-point drift, and "when may the next one come" (Retry-After) is a
// subtraction. Not shared across connections or instances: that is the router's
// rate limit (per client, in Redis); this one only stops one socket from
// monopolising the instance.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace sk::server {

class ConnectionRate {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::steady_clock::duration;

  struct Limit {
    double per_second = 0;    // sustained rate; 0 (or less): no limit
    std::uint32_t burst = 1;  // events allowed at once (at least 1)
  };

  ConnectionRate() = default;  // no limit
  explicit ConnectionRate(Limit limit)
      : interval_(limit.per_second > 0 ? std::chrono::duration_cast<Duration>(
                                             std::chrono::duration<double>(1.0 / limit.per_second))
                                       : Duration::zero()),
        tolerance_(interval_ * (std::max<std::uint32_t>(limit.burst, 1) - 1)) {}

  bool limited() const { return interval_ > Duration::zero(); }

  // Counts one event at `now`: true if it is within the limit, false (and nothing
  // counted) if it is over it.
  bool try_take(TimePoint now) {
    if (!limited()) return true;
    const TimePoint tat = std::max(tat_, now);
    if (tat - now > tolerance_) return false;
    tat_ = tat + interval_;
    return true;
  }

  // How long from `now` until try_take() would succeed; zero if it would now.
  Duration retry_after(TimePoint now) const {
    if (!limited()) return Duration::zero();
    const Duration wait = tat_ - tolerance_ - now;
    return std::max(wait, Duration::zero());
  }

 private:
  Duration interval_ = Duration::zero();   // 1 / rate
  Duration tolerance_ = Duration::zero();  // (burst - 1) / rate
  TimePoint tat_{};                        // the theoretical arrival time of the next event
};

}  // namespace sk::server
