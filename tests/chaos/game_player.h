// A scripted client of the chaos run: plays games one after another against the
// three instances (create, start, switch, pause, resume, add time, complete; some
// games on short banks so the server's time-outs fire), keeps a few WebSocket
// watchers per game that it drops and reconnects, and records every acknowledged
// write for the checker. One player per thread; players share only the counters
// handed to them. Every request is bounded, so a frozen Redis costs time, never a
// hang.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

#include "chaos/records.h"

namespace sk::chaos {

struct PlayShared {
  std::vector<std::uint16_t> ports;  // the instances, fixed for the whole run
  std::atomic<int> games_left{0};    // a player takes one before each game
  std::atomic<bool> stop{false};     // wind down: finish the current game quickly
  std::atomic<int> drop_epoch{0};    // bumped by the injector: drop every watcher now
};

// Plays until `shared.games_left` runs out or `shared.stop` is set; `seed` makes its
// choices (not the server's timing) reproducible.
PlayResult play(PlayShared& shared, std::uint64_t seed);

}  // namespace sk::chaos
