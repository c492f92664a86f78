// The GCRA sums of gcra.h. Integer microseconds throughout, so the Lua script (which
// repeats them in doubles, exact below 2^53) and this file agree to the microsecond.
#include "server/limits/gcra.h"

#include <algorithm>
#include <cassert>

namespace sk::server::limits {

std::int64_t ceil_seconds(Micros d) {
  if (d <= Micros::zero()) return 0;
  constexpr std::int64_t kPerSecond = 1'000'000;
  return (d.count() + kPerSecond - 1) / kPerSecond;
}

RateDecision to_decision(std::int64_t limit, const GcraStep& step) {
  RateDecision d;
  d.allowed = step.allowed;
  d.limit = limit;
  d.remaining = std::clamp<std::int64_t>(step.remaining, 0, limit);
  d.reset_s = ceil_seconds(step.reset_in);
  d.retry_after_s = step.allowed ? 0 : std::max<std::int64_t>(1, ceil_seconds(step.retry_in));
  return d;
}

Gcra::Gcra(RateLimit limit) : limit_(std::min(limit.limit, kMaxLimit)), interval_(1) {
  assert(!limit.unlimited());
  const Micros window = std::min(limit.window, kMaxWindow);
  interval_ = std::max(Micros{1}, window / limit_);
}

GcraStep Gcra::take(Micros tat, Micros now) const {
  const Micros start = std::max(tat, now);
  const Micros next = start + interval_;
  GcraStep step;
  if (next - now > capacity()) {
    step.allowed = false;
    step.remaining = 0;
    step.tat = tat;
    step.reset_in = start - now;
    step.retry_in = next - capacity() - now;
    return step;
  }
  step.allowed = true;
  step.remaining = (capacity() - (next - now)) / interval_;
  step.tat = next;
  step.reset_in = next - now;
  return step;
}

RateDecision LocalRateLimit::take(std::chrono::steady_clock::time_point now) {
  if (limit_.unlimited()) return unlimited_decision();
  const Gcra gcra(limit_);
  const auto step = gcra.take(tat_, std::chrono::duration_cast<Micros>(now.time_since_epoch()));
  tat_ = step.tat;
  return to_decision(gcra.limit(), step);
}

}  // namespace sk::server::limits
