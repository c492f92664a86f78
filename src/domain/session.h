// The session value: what is stored, exactly, for one timing session.
//
// Values, not objects: the engine returns a new Session for each transition.
// Every quantity here is "booked", i.e. true as of the last transition; live values
// (time left right now) are derived by the engine's live view and never stored.
// No I/O here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/enums.h"
#include "domain/time.h"
#include "domain/time_control.h"
#include "domain/uuid.h"

namespace sk::domain {

struct Participant {
  Uuid participant_id;
  std::int64_t participant_index = 0;
  std::optional<Uuid> group_id;  // per_group only
  // The bank that runs while this participant holds the clock, booked at the last
  // transition: its own bank (per_participant), what is left of its turn
  // (per_cycle), its group's bank (per_group), the session bank (global); 0 in
  // count_up, which has no bank.
  Millis total_time{0};
  Millis time_used{0};  // running time booked to this participant
  std::int64_t cycle_count = 0;
  bool is_active = false;
  bool has_expired = false;
  // Periods, stage, delay, lag quota of its own bank (per_participant with a
  // time_control; per_group keeps them on the Group, the bank's owner).
  OwnerClock clock;

  friend bool operator==(const Participant&, const Participant&) = default;
};

// per_group: the team clock. Groups rotate in order of their lowest member index;
// `last_participant_id` is the member who last held the group's turn, so the next
// turn goes to the member after it (round-robin within the team).
struct Group {
  Uuid group_id;
  Millis total_time{0};  // the group bank, booked at the last transition
  Millis time_used{0};
  std::int64_t cycle_count = 0;  // turns the group has finished
  bool has_expired = false;
  std::optional<Uuid> last_participant_id;
  OwnerClock clock;  // the team bank's periods, stage, delay, lag quota

  friend bool operator==(const Group&, const Group&) = default;
};

struct Session {
  Uuid session_id;
  SyncMode sync_mode = SyncMode::per_participant;
  Status status = Status::pending;
  std::int64_t version = 1;
  // Which history `version` counts in (issue 16): opaque text, the same through
  // ordinary writes; changed by the store when it finds it lost writes (a failover to
  // a replica that missed them, an AOF restart), after which versions may repeat.
  // Clients compare it for equality only: a new epoch resets their version order.
  // Empty for states stored before epochs existed.
  std::string epoch;

  // Rotation order: ascending participant_index, ties by insertion order. The vector
  // is kept in that order, so "next in rotation" is "next in the vector".
  std::vector<Participant> participants;
  std::vector<Group> groups;  // per_group only, in group rotation order
  std::optional<Uuid> active_participant_id;

  // In global mode the session bank booked at the last transition; otherwise the
  // default bank given at create (0 when the mode has none).
  Millis total_time{0};
  std::optional<Millis> time_per_cycle;
  Millis increment{0};
  std::optional<Millis> max_time;  // count_up only
  TimeoutAction action_on_timeout = TimeoutAction::end_session;
  // SPEC §2 "Time controls": absent means Fischer with `increment` (today's rules,
  // and today's JSON). When present and fischer, `increment` mirrors its increment.
  std::optional<TimeControl> time_control;

  // SPEC §2 "Warnings and scheduled starts". Thresholds in descending order;
  // `warnings_passed` counts how many of them (from the largest) are done for the
  // turn in progress, fired or already below when the turn began.
  std::vector<Millis> warnings;
  std::size_t warnings_passed = 0;
  std::optional<TimePoint> start_at;  // pending only: when the session starts itself

  std::optional<TimePoint> cycle_started_at;  // set exactly while running
  std::optional<TimePoint> session_started_at;
  std::optional<TimePoint> session_completed_at;
  TimePoint created_at{};
  TimePoint updated_at{};

  Millis time_used{0};                  // total running time booked (all participants)
  std::optional<std::string> metadata;  // a JSON object, kept as compact text

  friend bool operator==(const Session&, const Session&) = default;

  const Participant* find_participant(const Uuid& id) const;
  Participant* find_participant(const Uuid& id);
  const Participant* active_participant() const;
  const Group* find_group(const Uuid& id) const;
  Group* find_group(const Uuid& id);
};

// The epoch a session starts its life with (engine::create): named after its creation
// instant, so the engine stays pure and two lives of one id differ. Epochs made
// later, when the store lost history, are random (the store makes them).
std::string first_epoch(TimePoint created_at);

}  // namespace sk::domain
