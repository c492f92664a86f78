// decode_event: reads back one audit event, as written by encode_event (SPEC §6).
//
// The audit writers need the event's own fields as columns; the event is stored as
// JSON next to the state, so it is decoded here with the same strict reader as the
// stored session: duplicate keys, wrong types and unknown enum names are corruption;
// unknown keys are ignored so an older writer can read what a newer engine emitted.
// Every defect is ErrorCode::deserialization naming the first bad field; nothing here
// throws. Guarantee: decode_event(encode_event(e)) == e. No I/O here.
#include <array>
#include <string>

#include "domain/json.h"
#include "domain/json_reader.h"

namespace sk::domain {
namespace {

using json_detail::Fields;
using json_detail::Need;
using json_detail::Path;
using json_detail::Unknown;
using json_detail::Violations;
using simdjson::dom::element;

// An event is a few hundred bytes; the reason is at most a few hundred more. The
// guard only keeps absurd input away from the parser.
constexpr std::size_t kMaxEventBytes = 1024 * 1024;

enum EventKey : std::size_t {
  kType,
  kAt,
  kParticipant,
  kGroup,
  kRemaining,
  kElapsed,
  kCycles,
  kDelta,
  kReason,
  kAction,
  kExpectedVersion,
  kFoundVersion,
  kPeriodsLeft,
  kStageIndex,
  kLagQuota,
  kThreshold,
};
constexpr std::array<std::string_view, 16> kEventKeys{"type",
                                                      "at",
                                                      "participant_id",
                                                      "group_id",
                                                      "time_remaining_ms",
                                                      "time_elapsed_ms",
                                                      "cycle_count",
                                                      "delta_ms",
                                                      "reason",
                                                      "action",
                                                      "expected_version",
                                                      "found_version",
                                                      "periods_left",
                                                      "stage_index",
                                                      "lag_quota_ms",
                                                      "threshold_ms"};

template <typename E, typename ParseFn>
std::optional<E> read_enum(Fields& f, std::size_t key, Need need, ParseFn parse_fn) {
  const auto text = f.string(key, need);
  if (!text) return std::nullopt;
  const std::optional<E> value = parse_fn(*text);
  if (!value) f.violations().add(f.path(key), "has an unknown value");
  return value;
}

Event read_event(simdjson::dom::object object, Violations& v) {
  const Path top;
  Fields f(object, kEventKeys, top, Unknown::ignore, v);
  Event e;
  e.type = read_enum<EventType>(f, kType, Need::required, parse_event_type)
               .value_or(EventType::session_created);
  e.at = f.timestamp(kAt, Need::required).value_or(TimePoint{});
  e.participant_id = f.uuid(kParticipant);
  e.group_id = f.uuid(kGroup);
  e.time_remaining = f.millis(kRemaining);
  e.time_elapsed = f.millis(kElapsed);
  e.cycle_count = f.int64(kCycles);
  e.delta = f.millis(kDelta);
  if (const auto reason = f.string(kReason)) e.reason = std::string(*reason);
  e.action = read_enum<TimeoutAction>(f, kAction, Need::optional, parse_timeout_action);
  e.expected_version = f.int64(kExpectedVersion);
  e.found_version = f.int64(kFoundVersion);
  e.periods_left = f.int64(kPeriodsLeft);
  e.stage_index = f.int64(kStageIndex);
  e.lag_quota = f.millis(kLagQuota);
  e.threshold = f.millis(kThreshold);
  return e;
}

}  // namespace

Result<Event> decode_event(std::string_view json) {
  if (json.size() > kMaxEventBytes) {
    return Error::deserialization("event exceeds " + std::to_string(kMaxEventBytes) + " bytes");
  }
  simdjson::dom::parser parser;
  element root;
  if (const auto reason = json_detail::parse(parser, json, root)) {
    return Error::deserialization("malformed JSON: " + std::string(*reason));
  }
  simdjson::dom::object object;
  if (root.get_object().get(object)) return Error::deserialization("must be a JSON object");
  Violations v;
  Event e = read_event(object, v);
  if (!v.empty()) {
    const auto& first = v.list().front();
    return Error::deserialization(first.field.empty() ? first.message
                                                      : first.field + ": " + first.message);
  }
  return e;
}

}  // namespace sk::domain
