// decode_session: reads back a stored session, as written by encode_stored_session
// (older copies: by encode_session).
//
// Every booked field is required (nullable ones must be present as null); live fields
// (deadline_at, server_time_ms, time_remaining_ms, time_elapsed_ms, the per-owner
// time-control fields) and unknown keys are ignored, so an older instance can read
// what a newer one wrote during a rolling deploy. Fields added later (time_control,
// warnings_ms, warnings_passed, start_at, each owner's `clock`) are optional: states
// stored before them decode with the defaults. A `clock` is read only next to a
// time_control, the only place the encoder writes one. Duplicate keys and
// inconsistent references are corruption. Every defect is ErrorCode::deserialization
// naming the first bad field; nothing here throws.
// Guarantees (checked by the fuzzer), for every session s that decodes:
// decode_session(encode_stored_session(s)) == s, and decode_session(encode_session(s,
// any live)) == s but for what only the stored form carries (the owners' clocks and
// warnings_passed). No I/O here.
#include <algorithm>
#include <array>
#include <string>

#include "domain/json.h"
#include "domain/json_reader.h"
#include "domain/json_time_control.h"

namespace sk::domain {
namespace {

using json_detail::Fields;
using json_detail::Need;
using json_detail::Path;
using json_detail::Unknown;
using json_detail::Violations;
using simdjson::dom::element;

// Far above any real session (1000 participants and 10 KB of metadata is ~300 KB):
// only a guard against feeding the parser something absurd.
constexpr std::size_t kMaxStoredBytes = 16 * 1024 * 1024;

enum ClockKey : std::size_t {
  kCturn,
  kCovertime,
  kCperiods,
  kCperiod,
  kCmovesLeft,
  kCstage,
  kCmoves,
  kCquota,
  kCgain,
};
constexpr std::array<std::string_view, 9> kClockKeys{
    "turn_used_ms", "in_overtime", "periods_left", "period_left_ms", "moves_left",
    "stage_index",  "moves",       "lag_quota_ms", "lag_gain_ms"};

// An owner's `clock` (SPEC §2 "Time controls"): every field always written.
OwnerClock read_clock(simdjson::dom::element e, const Path& path, Violations& v) {
  OwnerClock c;
  const auto object = json_detail::as_object(e, path, v);
  if (!object) return c;
  Fields f(*object, kClockKeys, path, Unknown::ignore, v);
  c.turn_used = f.millis(kCturn, Need::required).value_or(Millis{0});
  c.in_overtime = f.boolean(kCovertime, Need::required).value_or(false);
  c.periods_left = f.int64(kCperiods, Need::required).value_or(0);
  c.period_left = f.millis(kCperiod, Need::required).value_or(Millis{0});
  c.moves_left = f.int64(kCmovesLeft, Need::required).value_or(0);
  c.stage_index = f.int64(kCstage, Need::required).value_or(0);
  c.moves = f.int64(kCmoves, Need::required).value_or(0);
  c.lag_quota = f.millis(kCquota, Need::required).value_or(Millis{0});
  c.lag_gain = f.millis(kCgain, Need::required).value_or(Millis{0});
  return c;
}

// Whether owners carry a `clock`: only sessions with a time_control have one.
enum class Clocks { absent, present };

OwnerClock read_owner_clock(Fields& f, std::size_t key, Clocks clocks) {
  if (clocks == Clocks::absent) return OwnerClock{};
  const auto e = f.value(key);
  if (!e) return OwnerClock{};  // stored before the control had live state
  return read_clock(*e, f.path(key), f.violations());
}

enum ParticipantKey : std::size_t {
  kPid,
  kPindex,
  kPgroup,
  kPtotal,
  kPused,
  kPcycles,
  kPactive,
  kPexpired,
  kPclock,
};
constexpr std::array<std::string_view, 9> kParticipantKeys{
    "participant_id", "participant_index", "group_id",    "total_time_ms", "time_used_ms",
    "cycle_count",    "is_active",         "has_expired", "clock"};

Participant read_participant(simdjson::dom::object object, const Path& path, Clocks clocks,
                             Violations& v) {
  Fields f(object, kParticipantKeys, path, Unknown::ignore, v);
  Participant p;
  p.participant_id = f.uuid(kPid, Need::required).value_or(Uuid{});
  p.participant_index = f.int64(kPindex, Need::required).value_or(0);
  p.group_id = f.uuid(kPgroup);
  p.total_time = f.millis(kPtotal, Need::required).value_or(Millis{0});
  p.time_used = f.millis(kPused, Need::required).value_or(Millis{0});
  p.cycle_count = f.int64(kPcycles, Need::required).value_or(0);
  p.is_active = f.boolean(kPactive, Need::required).value_or(false);
  p.has_expired = f.boolean(kPexpired, Need::required).value_or(false);
  p.clock = read_owner_clock(f, kPclock, clocks);
  return p;
}

enum GroupKey : std::size_t { kGid, kGtotal, kGused, kGcycles, kGexpired, kGlast, kGclock };
constexpr std::array<std::string_view, 7> kGroupKeys{
    "group_id",    "total_time_ms",       "time_used_ms", "cycle_count",
    "has_expired", "last_participant_id", "clock"};

Group read_group(simdjson::dom::object object, const Path& path, Clocks clocks, Violations& v) {
  Fields f(object, kGroupKeys, path, Unknown::ignore, v);
  Group g;
  g.group_id = f.uuid(kGid, Need::required).value_or(Uuid{});
  g.total_time = f.millis(kGtotal, Need::required).value_or(Millis{0});
  g.time_used = f.millis(kGused, Need::required).value_or(Millis{0});
  g.cycle_count = f.int64(kGcycles, Need::required).value_or(0);
  g.has_expired = f.boolean(kGexpired, Need::required).value_or(false);
  g.last_participant_id = f.uuid(kGlast);
  g.clock = read_owner_clock(f, kGclock, clocks);
  return g;
}

template <typename T, typename Read>
std::vector<T> read_list(simdjson::dom::array array, const Path& path, Clocks clocks, Violations& v,
                         Read read) {
  std::vector<T> out;
  out.reserve(array.size());
  std::size_t i = 0;
  for (const element item : array) {
    const Path item_path = path.at(i++);
    const auto object = json_detail::as_object(item, item_path, v);
    if (!object) return out;
    out.push_back(read(*object, item_path, clocks, v));
  }
  return out;
}

// warnings_ms: integers, as the engine stored them (descending).
std::vector<Millis> read_warnings(Fields& f, std::size_t key) {
  std::vector<Millis> out;
  const auto array = f.array(key);
  if (!array) return out;
  const Path path = f.path(key);
  out.reserve(array->size());
  std::size_t i = 0;
  for (const element item : *array) {
    const auto ms = json_detail::as_int64(item, path.at(i++), f.violations());
    if (!ms) return out;
    out.emplace_back(*ms);
  }
  return out;
}

enum SessionKey : std::size_t {
  kSessionId,
  kSyncMode,
  kStatus,
  kVersion,
  kParticipants,
  kGroups,
  kActive,
  kTotal,
  kPerCycle,
  kIncrement,
  kMaxTime,
  kAction,
  kCycleStarted,
  kSessionStarted,
  kSessionCompleted,
  kCreated,
  kUpdated,
  kUsed,
  kMetadata,
  kEpoch,
  kTimeControl,
  kWarnings,
  kWarningsPassed,
  kStartAt,
};
constexpr std::array<std::string_view, 24> kSessionKeys{"session_id",
                                                        "sync_mode",
                                                        "status",
                                                        "version",
                                                        "participants",
                                                        "groups",
                                                        "active_participant_id",
                                                        "total_time_ms",
                                                        "time_per_cycle_ms",
                                                        "increment_ms",
                                                        "max_time_ms",
                                                        "action_on_timeout",
                                                        "cycle_started_at",
                                                        "session_started_at",
                                                        "session_completed_at",
                                                        "created_at",
                                                        "updated_at",
                                                        "time_used_ms",
                                                        "metadata",
                                                        "epoch",
                                                        "time_control",
                                                        "warnings_ms",
                                                        "warnings_passed",
                                                        "start_at"};
static_assert(kSessionKeys.size() <= Fields::kMaxKeys);

template <typename E, typename ParseFn>
E read_enum(Fields& f, std::size_t key, ParseFn parse_fn, E fallback) {
  const auto e = f.value(key, Need::required);
  if (!e) return fallback;
  std::string_view text;
  std::optional<E> value;
  if (!e->get_string().get(text)) value = parse_fn(text);
  if (!value) f.violations().add(f.path(key), "has an unknown value");
  return value.value_or(fallback);
}

template <typename Items, typename IdOf>
bool has_repeated_id(const Items& items, IdOf id_of) {
  std::vector<Uuid> ids;
  ids.reserve(items.size());
  for (const auto& item : items) ids.push_back(id_of(item));
  std::sort(ids.begin(), ids.end());
  return std::adjacent_find(ids.begin(), ids.end()) != ids.end();
}

// References between fields that a well-formed session always satisfies.
void check_consistency(const Session& s, Violations& v) {
  if (s.version < 1) v.add("version", "must be at least 1");
  if (s.participants.size() < limits::kMinParticipants ||
      s.participants.size() > limits::kMaxParticipants) {
    v.add("participants", "must have between 1 and 1000 participants");
  }
  if (has_repeated_id(s.participants, [](const Participant& p) { return p.participant_id; })) {
    v.add("participants", "has a duplicate participant_id");
  }
  if (has_repeated_id(s.groups, [](const Group& g) { return g.group_id; })) {
    v.add("groups", "has a duplicate group_id");
  }
  // The encoder writes groups only in per_group mode; accepting them elsewhere would
  // decode a session that does not survive its own round trip. An empty list is how
  // a per_group session without groups is written, so only a non-empty one is checked.
  if (!s.groups.empty() && s.sync_mode != SyncMode::per_group) {
    v.add("groups", "only allowed in per_group mode");
  }
  if (s.warnings_passed > s.warnings.size()) {
    v.add("warnings_passed", "must be at most the number of warnings_ms");
  }
  if (s.active_participant_id && !s.find_participant(*s.active_participant_id)) {
    v.add("active_participant_id", "is not a participant");
  }
  if (!s.groups.empty()) {
    for (std::size_t i = 0; i < s.participants.size(); ++i) {
      const auto& group_id = s.participants[i].group_id;
      if (group_id && !s.find_group(*group_id)) {
        v.add("participants." + std::to_string(i) + ".group_id", "is not in groups");
      }
    }
  }
}

Session read_session(simdjson::dom::object object, Violations& v) {
  const Path top;
  Fields f(object, kSessionKeys, top, Unknown::ignore, v);
  Session s;
  s.session_id = f.uuid(kSessionId, Need::required).value_or(Uuid{});
  s.sync_mode = read_enum(f, kSyncMode, parse_sync_mode, SyncMode::per_participant);
  s.status = read_enum(f, kStatus, parse_status, Status::pending);
  s.version = f.int64(kVersion, Need::required).value_or(1);
  // The control first: whether the owners carry a `clock` depends on it.
  if (const auto control = f.value(kTimeControl)) {
    s.time_control = json_detail::read_time_control(*control, f.path(kTimeControl),
                                                    json_detail::ControlSource::stored, v);
  }
  const Clocks clocks = s.time_control ? Clocks::present : Clocks::absent;
  const Path participants_path = f.path(kParticipants);
  if (const auto list = f.array(kParticipants, Need::required)) {
    s.participants = read_list<Participant>(*list, participants_path, clocks, v, read_participant);
  }
  const Path groups_path = f.path(kGroups);
  if (const auto groups = f.array(kGroups)) {
    s.groups = read_list<Group>(*groups, groups_path, clocks, v, read_group);
  }
  s.active_participant_id = f.uuid(kActive, Need::nullable);
  s.total_time = f.millis(kTotal, Need::required).value_or(Millis{0});
  s.time_per_cycle = f.millis(kPerCycle, Need::nullable);
  s.increment = f.millis(kIncrement, Need::required).value_or(Millis{0});
  s.max_time = f.millis(kMaxTime);
  s.action_on_timeout = read_enum(f, kAction, parse_timeout_action, TimeoutAction::end_session);
  s.cycle_started_at = f.timestamp(kCycleStarted, Need::nullable);
  s.session_started_at = f.timestamp(kSessionStarted, Need::nullable);
  s.session_completed_at = f.timestamp(kSessionCompleted, Need::nullable);
  s.created_at = f.timestamp(kCreated, Need::required).value_or(TimePoint{});
  s.updated_at = f.timestamp(kUpdated, Need::required).value_or(TimePoint{});
  s.time_used = f.millis(kUsed, Need::required).value_or(Millis{0});
  s.metadata = f.object_text(kMetadata);
  // Absent in states stored before epochs existed: the empty epoch.
  if (const auto epoch = f.string(kEpoch)) s.epoch = std::string(*epoch);
  s.warnings = read_warnings(f, kWarnings);
  if (const auto passed = f.int64(kWarningsPassed)) {
    if (*passed < 0) {
      v.add(f.path(kWarningsPassed), "must not be negative");
    } else {
      s.warnings_passed = static_cast<std::size_t>(*passed);
    }
  }
  s.start_at = f.timestamp(kStartAt);
  if (v.empty()) check_consistency(s, v);
  return s;
}

Error corrupt(const FieldViolation& first) {
  return Error::deserialization(first.field.empty() ? first.message
                                                    : first.field + ": " + first.message);
}

}  // namespace

Result<Session> decode_session(std::string_view json) {
  if (json.size() > kMaxStoredBytes) {
    return Error::deserialization("stored value exceeds " + std::to_string(kMaxStoredBytes) +
                                  " bytes");
  }
  simdjson::dom::parser parser;
  element root;
  if (const auto reason = json_detail::parse(parser, json, root)) {
    return Error::deserialization("malformed JSON: " + std::string(*reason));
  }
  simdjson::dom::object object;
  if (root.get_object().get(object)) return Error::deserialization("must be a JSON object");
  Violations v;
  Session s = read_session(object, v);
  if (!v.empty()) return corrupt(v.list().front());
  return s;
}

}  // namespace sk::domain
