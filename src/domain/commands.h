// What a client (or the deadline timer) asks the engine to do. Plain values, decoded
// from JSON by json.h and validated there; the engine re-checks everything that
// depends on the current state. No I/O here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/enums.h"
#include "domain/time.h"
#include "domain/time_control.h"
#include "domain/uuid.h"

namespace sk::domain {

struct NewParticipant {
  Uuid participant_id;
  std::optional<std::int64_t> participant_index;  // default: after the current last
  std::optional<Millis> total_time;               // per_participant: own bank
  std::optional<Uuid> group_id;                   // per_group: required

  friend bool operator==(const NewParticipant&, const NewParticipant&) = default;
};

struct NewGroup {
  Uuid group_id;
  std::optional<Millis> total_time;  // default: the session's total_time_ms

  friend bool operator==(const NewGroup&, const NewGroup&) = default;
};

// POST /v1/sessions. session_id is optional on the wire; the server picks one when
// the client does not.
struct CreateSessionRequest {
  std::optional<Uuid> session_id;
  SyncMode sync_mode = SyncMode::per_participant;
  std::vector<NewParticipant> participants;
  std::vector<NewGroup> groups;
  std::optional<Millis> total_time;
  std::optional<Millis> time_per_cycle;
  Millis increment{0};
  std::optional<Millis> max_time;
  std::optional<TimeoutAction> action_on_timeout;
  std::optional<std::string> metadata;  // compact JSON object text
  std::optional<TimeControl> time_control;
  std::vector<Millis> warnings;  // as sent (validated: 1-4 distinct values)
  std::optional<TimePoint> start_at;

  friend bool operator==(const CreateSessionRequest&, const CreateSessionRequest&) = default;
};

struct StartCommand {};
struct SwitchCommand {
  std::optional<Uuid> next_participant_id;       // explicit next; default: rotation
  std::optional<Uuid> current_participant_id;    // guard: must be the active one
  std::optional<std::int64_t> expected_version;  // guard: must be the session version
  // Lag compensation (SPEC §2): the client's estimate of its network delay for this
  // move. Ignored unless the session's time control has lag_compensation.
  std::optional<Millis> client_lag;
  // Authorisation, set by the server (never decoded from a body): a participant's
  // token may switch only while that participant is the active one. Checked against
  // the very state the switch is applied to, so a race cannot slip past it.
  std::optional<Uuid> acting_participant_id;
};
struct PauseCommand {};
struct ResumeCommand {};
struct CompleteCommand {};
struct CancelCommand {};
struct AddParticipantCommand {
  NewParticipant participant;
};
struct RemoveParticipantCommand {
  Uuid participant_id;
};
struct AdjustTimeCommand {
  Uuid participant_id;
  Millis delta{0};
  std::optional<std::string> reason;
};
// The deadline timer fired: apply every time-out that is due at `now`.
struct TimeoutCommand {};

using Command = std::variant<StartCommand, SwitchCommand, PauseCommand, ResumeCommand,
                             CompleteCommand, CancelCommand, AddParticipantCommand,
                             RemoveParticipantCommand, AdjustTimeCommand, TimeoutCommand>;

}  // namespace sk::domain
