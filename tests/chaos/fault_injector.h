// The chaos run's faults, one at a time, spaced 2-5 s apart, chosen by a seeded
// random generator: SIGKILL and restart of an instance, SIGSTOP/SIGCONT of Redis and
// of PostgreSQL, a Redis restart (AOF reloaded), every WebSocket dropped. Runs on the
// main thread (the fleet's processes are its children); each fault leaves the fleet
// whole again before the next.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <string>

#include "chaos/fleet.h"
#include "chaos/game_player.h"

namespace sk::chaos {

struct FaultLog {
  std::map<std::string, int> counts;  // by kind
  std::string figures() const;
};

// Injects faults until `until` or until `done()` (the players finished); logs each
// one to stderr.
FaultLog inject_faults(Fleet& fleet, PlayShared& shared, std::mt19937_64& rng,
                       std::chrono::steady_clock::time_point until,
                       const std::function<bool()>& done);

}  // namespace sk::chaos
