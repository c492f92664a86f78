#include "domain/enums.h"

#include <array>
#include <utility>

#include "domain/time_control.h"

namespace sk::domain {
namespace {

template <typename E, std::size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

constexpr NameTable<SyncMode, 5> kModes{{
    {SyncMode::per_participant, "per_participant"},
    {SyncMode::per_cycle, "per_cycle"},
    {SyncMode::per_group, "per_group"},
    {SyncMode::global, "global"},
    {SyncMode::count_up, "count_up"},
}};

constexpr NameTable<Status, 6> kStatuses{{
    {Status::pending, "pending"},
    {Status::running, "running"},
    {Status::paused, "paused"},
    {Status::expired, "expired"},
    {Status::completed, "completed"},
    {Status::cancelled, "cancelled"},
}};

constexpr NameTable<TimeoutAction, 3> kActions{{
    {TimeoutAction::end_session, "end_session"},
    {TimeoutAction::skip, "skip"},
    {TimeoutAction::auto_advance, "auto_advance"},
}};

constexpr NameTable<EventType, 19> kEvents{{
    {EventType::session_created, "session_created"},
    {EventType::session_started, "session_started"},
    {EventType::cycle_switched, "cycle_switched"},
    {EventType::session_paused, "session_paused"},
    {EventType::session_resumed, "session_resumed"},
    {EventType::session_completed, "session_completed"},
    {EventType::session_cancelled, "session_cancelled"},
    {EventType::session_expired, "session_expired"},
    {EventType::participant_expired, "participant_expired"},
    {EventType::cycle_expired, "cycle_expired"},
    {EventType::participant_added, "participant_added"},
    {EventType::participant_removed, "participant_removed"},
    {EventType::time_adjusted, "time_adjusted"},
    {EventType::session_deleted, "session_deleted"},
    {EventType::store_rolled_back, "store_rolled_back"},
    {EventType::period_used, "period_used"},
    {EventType::stage_reached, "stage_reached"},
    {EventType::lag_credited, "lag_credited"},
    {EventType::time_warning, "time_warning"},
}};

constexpr NameTable<TimeControlType, 6> kTimeControls{{
    {TimeControlType::fischer, "fischer"},
    {TimeControlType::bronstein, "bronstein"},
    {TimeControlType::delay, "delay"},
    {TimeControlType::byoyomi, "byoyomi"},
    {TimeControlType::canadian, "canadian"},
    {TimeControlType::hourglass, "hourglass"},
}};

template <typename E, std::size_t N>
std::string_view name_of(const NameTable<E, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "unknown";
}

template <typename E, std::size_t N>
std::optional<E> value_of(const NameTable<E, N>& table, std::string_view text) {
  for (const auto& [v, name] : table) {
    if (name == text) return v;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(SyncMode mode) { return name_of(kModes, mode); }
std::string_view to_string(Status status) { return name_of(kStatuses, status); }
std::string_view to_string(TimeoutAction action) { return name_of(kActions, action); }
std::string_view to_string(EventType type) { return name_of(kEvents, type); }
std::string_view to_string(TimeControlType type) { return name_of(kTimeControls, type); }

std::optional<SyncMode> parse_sync_mode(std::string_view text) { return value_of(kModes, text); }
std::optional<Status> parse_status(std::string_view text) { return value_of(kStatuses, text); }
std::optional<TimeoutAction> parse_timeout_action(std::string_view text) {
  return value_of(kActions, text);
}
std::optional<EventType> parse_event_type(std::string_view text) { return value_of(kEvents, text); }
std::optional<TimeControlType> parse_time_control_type(std::string_view text) {
  return value_of(kTimeControls, text);
}

}  // namespace sk::domain
