// RetryPolicy: when the audit queue tries again (SPEC §6).
//
// - A record the database refused (AuditFailure::failed) is tried 5 times in all,
//   waiting base, 2·base, 4·base, 8·base between tries (2, 4, 8, 16 s by default);
//   after the 5th failure it is dead-lettered.
// - A database that cannot be reached is not the records' fault and never
//   dead-letters anything: the queue pauses base, 2·base, ... up to 16·base (32 s by
//   default) between attempts, for as long as the outage lasts, and loses nothing.
// `base` is configurable so that tests run the whole schedule in seconds.
#pragma once

#include <algorithm>
#include <chrono>

namespace sk::audit {

struct RetryPolicy {
  std::chrono::milliseconds base{2000};
  int max_attempts = 5;

  // The wait after a record's `failures`-th failure (1-based).
  std::chrono::milliseconds delay(int failures) const { return base * (1LL << exponent(failures)); }

  // The pause after the `outages`-th consecutive "database unreachable" (1-based).
  std::chrono::milliseconds pause(int outages) const { return base * (1LL << exponent(outages)); }

  bool exhausted(int failures) const { return failures >= max_attempts; }

 private:
  static int exponent(int n) { return std::clamp(n - 1, 0, 4); }
};

}  // namespace sk::audit
