// The closed vocabularies of a session, with their exact wire names (SPEC §2, §6).
// No I/O here.
#pragma once

#include <optional>
#include <string_view>

namespace sk::domain {

enum class SyncMode { per_participant, per_cycle, per_group, global, count_up };
enum class Status { pending, running, paused, expired, completed, cancelled };
enum class TimeoutAction { end_session, skip, auto_advance };

enum class EventType {
  session_created,
  session_started,
  cycle_switched,
  session_paused,
  session_resumed,
  session_completed,
  session_cancelled,
  session_expired,
  participant_expired,
  cycle_expired,
  participant_added,
  participant_removed,
  time_adjusted,
  session_deleted,
  // The store was found to have lost acknowledged writes (issue 16): the versions
  // expected and found are in the event, the state carries a new epoch.
  store_rolled_back,
  // Time controls and warnings (issue 17).
  period_used,    // a byo-yomi period ran out (or Canadian overtime began)
  stage_reached,  // a multi-stage control's next stage began: its time was added
  lag_credited,   // lag compensation gave back part of a move's time
  time_warning,   // a warnings_ms threshold was crossed
};

std::string_view to_string(SyncMode mode);
std::string_view to_string(Status status);
std::string_view to_string(TimeoutAction action);
std::string_view to_string(EventType type);

std::optional<SyncMode> parse_sync_mode(std::string_view text);
std::optional<Status> parse_status(std::string_view text);
std::optional<TimeoutAction> parse_timeout_action(std::string_view text);
std::optional<EventType> parse_event_type(std::string_view text);

// completed, cancelled and expired never change again.
constexpr bool is_terminal(Status s) {
  return s == Status::completed || s == Status::cancelled || s == Status::expired;
}

// SPEC §2: end_session for every mode but per_cycle, whose only sensible action is
// auto_advance.
constexpr TimeoutAction default_timeout_action(SyncMode mode) {
  return mode == SyncMode::per_cycle ? TimeoutAction::auto_advance : TimeoutAction::end_session;
}

// Which actions a mode accepts: skip needs an owner that can drop out while play goes
// on (a participant or a group); auto_advance needs a fresh budget per turn.
constexpr bool timeout_action_allowed(SyncMode mode, TimeoutAction action) {
  switch (action) {
    case TimeoutAction::end_session: return true;
    case TimeoutAction::skip:
      return mode == SyncMode::per_participant || mode == SyncMode::per_group;
    case TimeoutAction::auto_advance: return mode == SyncMode::per_cycle;
  }
  return false;
}

}  // namespace sk::domain
