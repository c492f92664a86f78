// What the chaos run remembers while it plays: every acknowledged write, every game
// and every watcher's outcome. Plain data filled by the players (game_player.h) and
// read by the checker (checker.h) once the run is over. No I/O here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sk::chaos {

// One participant as a 2xx answer showed it right after the write.
struct AckedParticipant {
  std::string participant_id;
  std::int64_t total_time_ms = 0;  // the booked bank
  std::int64_t cycle_count = 0;
  bool has_expired = false;
};

// A write the server acknowledged (2xx): it must be in the audit trail, once.
struct AckedWrite {
  std::string session_id;
  std::int64_t version = 0;
  std::string command;  // "create", "start", "switch", "pause", "resume", "adjust", "complete"
  std::string status;
  std::string active_participant_id;  // "" when null
  std::vector<AckedParticipant> participants;
};

// One scripted game, as its player saw it.
struct GameRecord {
  std::string session_id;
  std::string create_body;  // replayed through engine::create by the checker
  std::string mode;
  bool short_banks = false;        // meant to run out of time during the run
  std::int64_t final_version = 0;  // of the last GET the player made (0: none)
  std::string final_status;
  bool finished = false;  // reached a terminal state the player saw
};

// One WebSocket watcher of a game, at the game's end.
struct WatcherRecord {
  std::string session_id;
  std::int64_t target_version = 0;  // the game's final version
  std::int64_t last_version = 0;    // the newest version the watcher received
  int reconnects = 0;
  int out_of_order = 0;  // messages older than one already received
  bool converged = false;
};

// Answers a scripted client should never get (5xx other than 503, an unknown
// session, a body it cannot read): each is a finding.
struct Anomaly {
  std::string session_id;
  std::string what;
};

struct PlayerTotals {
  std::int64_t requests = 0;
  std::int64_t unacknowledged = 0;  // 503, time-out or connection error
  std::int64_t rejected = 0;        // 4xx the script expects (guards, late commands)
  std::int64_t ws_drops = 0;        // watchers the script dropped on purpose
};

struct PlayResult {
  std::vector<AckedWrite> acked;
  std::vector<GameRecord> games;
  std::vector<WatcherRecord> watchers;
  std::vector<Anomaly> anomalies;
  PlayerTotals totals;

  void merge(PlayResult&& other);
};

inline void PlayResult::merge(PlayResult&& other) {
  for (auto& a : other.acked) acked.push_back(std::move(a));
  for (auto& g : other.games) games.push_back(std::move(g));
  for (auto& w : other.watchers) watchers.push_back(std::move(w));
  for (auto& a : other.anomalies) anomalies.push_back(std::move(a));
  totals.requests += other.totals.requests;
  totals.unacknowledged += other.totals.unacknowledged;
  totals.rejected += other.totals.rejected;
  totals.ws_drops += other.totals.ws_drops;
}

}  // namespace sk::chaos
