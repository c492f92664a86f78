// Choosing and applying faults (see fault_injector.h).
#include "chaos/fault_injector.h"

#include <iostream>
#include <thread>

#include <fmt/format.h>

namespace sk::chaos {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::chrono::milliseconds between(std::mt19937_64& rng, int lo_ms, int hi_ms) {
  return std::chrono::milliseconds(std::uniform_int_distribution<int>(lo_ms, hi_ms)(rng));
}

}  // namespace

std::string FaultLog::figures() const {
  std::string out;
  int total = 0;
  for (const auto& [kind, n] : counts) {
    out += fmt::format(", {} {}", kind, n);
    total += n;
  }
  return fmt::format("{} faults{}", total, out);
}

FaultLog inject_faults(Fleet& fleet, PlayShared& shared, std::mt19937_64& rng,
                       Clock::time_point until, const std::function<bool()>& done) {
  FaultLog log;
  const auto start = Clock::now();
  for (;;) {
    const auto next = Clock::now() + between(rng, 2000, 5000);
    while (Clock::now() < next && Clock::now() < until && !done())
      std::this_thread::sleep_for(50ms);
    if (Clock::now() >= until || done()) return log;

    const int roll = std::uniform_int_distribution<int>(0, 99)(rng);
    const auto t = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    std::string what;
    if (roll < 30) {
      const int slot = std::uniform_int_distribution<int>(0, Fleet::kInstances - 1)(rng);
      const auto down = between(rng, 300, 2000);
      what = fmt::format("SIGKILL instance {}, restart after {} ms", slot, down.count());
      std::cerr << fmt::format("chaos: t={:.1f}s {}\n", std::chrono::duration<double>(t).count(),
                               what);
      fleet.kill_and_restart_instance(slot, down);
      ++log.counts["instance killed"];
    } else if (roll < 50) {
      const auto d = between(rng, 300, 2500);
      std::cerr << fmt::format("chaos: t={:.1f}s SIGSTOP redis for {} ms\n",
                               std::chrono::duration<double>(t).count(), d.count());
      fleet.freeze_redis(d);
      ++log.counts["redis frozen"];
    } else if (roll < 70) {
      const auto d = between(rng, 500, 3000);
      std::cerr << fmt::format("chaos: t={:.1f}s SIGSTOP postgres for {} ms\n",
                               std::chrono::duration<double>(t).count(), d.count());
      fleet.freeze_postgres(d);
      ++log.counts["postgres frozen"];
    } else if (roll < 85) {
      const auto d = between(rng, 200, 1500);
      std::cerr << fmt::format("chaos: t={:.1f}s restart redis (down {} ms)\n",
                               std::chrono::duration<double>(t).count(), d.count());
      fleet.restart_redis(d);
      ++log.counts["redis restarted"];
    } else {
      std::cerr << fmt::format("chaos: t={:.1f}s drop every WebSocket\n",
                               std::chrono::duration<double>(t).count());
      shared.drop_epoch.fetch_add(1);
      ++log.counts["websockets dropped"];
    }
  }
}

}  // namespace sk::chaos
