// Decoders for request bodies (create, switch, add participant, adjust time).
//
// Strict and total: any byte string yields a value or a typed Error, never a crash or
// an exception. Type defects and validation bounds are reported together, every one
// of them (up to Violations::kMaxViolations), so a client fixes a body in one round
// trip. A field whose value could not be read is given a harmless stand-in before
// validation runs, and validation complaints about a field (or anything under a
// path) the decoder already reported are dropped, so each mistake is named once.
// No I/O here.
#include <array>
#include <string>
#include <string_view>
#include <type_traits>

#include "domain/json.h"
#include "domain/json_reader.h"
#include "domain/json_time_control.h"
#include "domain/validation.h"
#include "domain/validation_detail.h"

namespace sk::domain {
namespace {

using json_detail::Fields;
using json_detail::Need;
using json_detail::Path;
using json_detail::Unknown;
using json_detail::Violations;
using simdjson::dom::element;

constexpr std::string_view kModeChoices =
    "must be one of per_participant, per_cycle, per_group, global, count_up";
constexpr std::string_view kActionChoices = "must be one of end_session, skip, auto_advance";

// A stand-in id for an entry whose own id could not be read: the all-ones prefix and
// the position keep it distinct from its neighbours, so it triggers no duplicate.
Uuid placeholder_id(std::size_t index) {
  std::array<std::uint8_t, 16> bytes{};
  bytes.fill(0xff);
  for (std::size_t i = 0; i < 8; ++i) {
    bytes[15 - i] = static_cast<std::uint8_t>((index >> (8 * i)) & 0xff);
  }
  bytes[7] = 0xfe;  // never a version nibble a real generator writes
  return Uuid{bytes};
}

// A value that passes every bound: the field was reported already.
constexpr Millis kStandIn = limits::kMinTime;

// Parses `json` and returns its top-level object, or the error to return.
struct Root {
  simdjson::dom::object object;
  std::optional<Error> error;
};

Root parse_object(simdjson::dom::parser& parser, std::string_view json, std::size_t max_bytes) {
  Root root;
  if (json.size() > max_bytes) {
    root.error = Error::payload_too_large(max_bytes);
    return root;
  }
  element doc;
  if (const auto reason = json_detail::parse(parser, json, doc)) {
    root.error = Error::malformed_json(*reason);
    return root;
  }
  if (doc.get_object().get(root.object)) {
    root.error = Error::validation("", "must be a JSON object");
  }
  return root;
}

// Decoder violations first, then validation's that say something new.
Error merge(Violations& decoded, std::vector<FieldViolation> validated) {
  for (auto& v : validated) {
    if (!decoded.covers(v.field)) decoded.add(std::move(v.field), std::move(v.message));
  }
  return Error::validation(decoded.take());
}

// ---- participants and groups ----

enum ParticipantKey : std::size_t { kPid, kPindex, kPtotal, kPgroup };
constexpr std::array<std::string_view, 4> kParticipantKeys{"participant_id", "participant_index",
                                                           "total_time_ms", "group_id"};

NewParticipant read_participant(simdjson::dom::object object, const Path& path, std::size_t index,
                                Violations& v) {
  Fields f(object, kParticipantKeys, path, Unknown::reject, v);
  NewParticipant p;
  const auto id = f.uuid(kPid, Need::required);
  p.participant_id = id.value_or(placeholder_id(index));
  p.participant_index = f.int64(kPindex);
  if (f.has(kPindex) && !p.participant_index) p.participant_index = 0;
  p.total_time = f.millis(kPtotal);
  if (f.has(kPtotal) && !p.total_time) p.total_time = kStandIn;
  p.group_id = f.uuid(kPgroup);
  if (f.has(kPgroup) && !p.group_id) p.group_id = placeholder_id(index);
  return p;
}

enum GroupKey : std::size_t { kGid, kGtotal };
constexpr std::array<std::string_view, 2> kGroupKeys{"group_id", "total_time_ms"};

NewGroup read_group(simdjson::dom::object object, const Path& path, std::size_t index,
                    Violations& v) {
  Fields f(object, kGroupKeys, path, Unknown::reject, v);
  NewGroup g;
  g.group_id = f.uuid(kGid, Need::required).value_or(placeholder_id(index));
  g.total_time = f.millis(kGtotal);
  if (f.has(kGtotal) && !g.total_time) g.total_time = kStandIn;
  return g;
}

// Reads each entry of an array of objects; an entry that is not an object is
// reported and skipped.
template <typename T, typename Read>
std::vector<T> read_list(const std::optional<simdjson::dom::array>& array, const Path& path,
                         Violations& v, Read read) {
  std::vector<T> out;
  if (!array) return out;
  out.reserve(array->size());
  std::size_t i = 0;
  for (const element item : *array) {
    const Path item_path = path.at(i);
    if (const auto object = json_detail::as_object(item, item_path, v)) {
      out.push_back(read(*object, item_path, i, v));
    } else {
      // Keep positions aligned with the body; the entry's fields are all covered by
      // the "must be an object" violation, so the stand-in is never reported.
      T stand_in{};
      if constexpr (std::is_same_v<T, NewParticipant>) {
        stand_in.participant_id = placeholder_id(i);
      } else {
        stand_in.group_id = placeholder_id(i);
      }
      out.push_back(stand_in);
    }
    ++i;
  }
  return out;
}

// ---- create ----

enum CreateKey : std::size_t {
  kSessionId,
  kSyncMode,
  kParticipants,
  kGroups,
  kTotal,
  kPerCycle,
  kIncrement,
  kMaxTime,
  kAction,
  kMetadata,
  kTimeControl,
  kWarnings,
  kStartAt,
};
constexpr std::array<std::string_view, 13> kCreateKeys{
    "session_id",        "sync_mode",         "participants", "groups",
    "total_time_ms",     "time_per_cycle_ms", "increment_ms", "max_time_ms",
    "action_on_timeout", "metadata",          "time_control", "warnings_ms",
    "start_at"};

// warnings_ms: integers, kept as sent (validation checks count, bounds, repeats). An
// entry that is not an integer is reported and stands in as -1, out of every bound,
// so validation's complaint lands on the same path and is dropped.
std::vector<Millis> read_warnings(const std::optional<simdjson::dom::array>& array,
                                  const Path& path, Violations& v) {
  std::vector<Millis> out;
  if (!array) return out;
  out.reserve(array->size());
  std::size_t i = 0;
  for (const element item : *array) {
    out.push_back(Millis{json_detail::as_int64(item, path.at(i++), v).value_or(-1)});
  }
  return out;
}

// Reads a field holding one of an enum's wire names.
template <typename E, typename ParseFn>
std::optional<E> read_enum(Fields& f, std::size_t key, Need need, ParseFn parse_fn,
                           std::string_view choices) {
  const auto e = f.value(key, need);
  if (!e) return std::nullopt;
  std::string_view text;
  if (e->get_string().get(text)) {
    f.violations().add(f.path(key), "must be a string");
    return std::nullopt;
  }
  const std::optional<E> value = parse_fn(text);
  if (!value) f.violations().add(f.path(key), choices);
  return value;
}

}  // namespace

Result<CreateSessionRequest> decode_create_request(std::string_view json, std::size_t max_bytes) {
  simdjson::dom::parser parser;
  const Root root = parse_object(parser, json, max_bytes);
  if (root.error) return *root.error;

  const Path top;
  Violations v;
  Fields f(root.object, kCreateKeys, top, Unknown::reject, v);
  CreateSessionRequest r;
  r.session_id = f.uuid(kSessionId);
  const auto mode =
      read_enum<SyncMode>(f, kSyncMode, Need::required, parse_sync_mode, kModeChoices);
  if (mode) r.sync_mode = *mode;

  const Path participants_path = f.path(kParticipants);
  r.participants = read_list<NewParticipant>(f.array(kParticipants, Need::required),
                                             participants_path, v, read_participant);
  const Path groups_path = f.path(kGroups);
  r.groups = read_list<NewGroup>(f.array(kGroups), groups_path, v, read_group);

  r.total_time = f.millis(kTotal);
  if (f.has(kTotal) && !r.total_time) r.total_time = kStandIn;
  r.time_per_cycle = f.millis(kPerCycle);
  if (f.has(kPerCycle) && !r.time_per_cycle) r.time_per_cycle = kStandIn;
  r.increment = f.millis(kIncrement).value_or(Millis{0});
  r.max_time = f.millis(kMaxTime);
  if (f.has(kMaxTime) && !r.max_time) r.max_time = kStandIn;
  r.action_on_timeout =
      read_enum<TimeoutAction>(f, kAction, Need::optional, parse_timeout_action, kActionChoices);
  r.metadata = f.object_text(kMetadata);
  if (const auto control = f.value(kTimeControl)) {
    r.time_control = json_detail::read_time_control(*control, f.path(kTimeControl),
                                                    json_detail::ControlSource::request, v);
  }
  const Path warnings_path = f.path(kWarnings);
  r.warnings = read_warnings(f.array(kWarnings), warnings_path, v);
  r.start_at = f.timestamp(kStartAt);

  std::vector<FieldViolation> validated;
  detail::validate_create(r, mode, validated);
  if (!v.empty() || !validated.empty()) return merge(v, std::move(validated));
  // One increment, said once: a fischer control's is mirrored where today's rules read
  // it. After validation, so a bad one is reported on time_control.increment_ms only.
  if (r.time_control && r.time_control->type == TimeControlType::fischer) {
    r.increment = r.time_control->increment;
  }
  return r;
}

// ---- switch ----

namespace {
enum SwitchKey : std::size_t { kNext, kCurrent, kExpectedVersion, kClientLag };
constexpr std::array<std::string_view, 4> kSwitchKeys{
    "next_participant_id", "current_participant_id", "expected_version", "client_lag_ms"};

// Off the common path (most switches carry no lag), so its string work stays out of
// the decoder's frame: inline, it cost every lag-less switch body ~30 ns of ~300.
[[gnu::noinline]] std::optional<Millis> read_client_lag(Fields& f, Violations& v) {
  const auto lag = f.millis(kClientLag);
  if (lag && (*lag < Millis{0} || *lag > limits::kMaxClientLag)) {
    v.add(f.path(kClientLag),
          "must be between 0 and " + std::to_string(limits::kMaxClientLag.count()));
    return std::nullopt;
  }
  return lag;
}

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}
}  // namespace

Result<SwitchCommand> decode_switch_request(std::string_view json, std::size_t max_bytes) {
  if (json.size() > max_bytes) return Error::payload_too_large(max_bytes);
  if (is_blank(json)) return SwitchCommand{};
  simdjson::dom::parser parser;
  const Root root = parse_object(parser, json, max_bytes);
  if (root.error) return *root.error;

  const Path top;
  Violations v;
  Fields f(root.object, kSwitchKeys, top, Unknown::reject, v);
  SwitchCommand cmd;
  cmd.next_participant_id = f.uuid(kNext);
  cmd.current_participant_id = f.uuid(kCurrent);
  cmd.expected_version = f.int64(kExpectedVersion);
  if (cmd.expected_version && *cmd.expected_version < 1) {
    v.add(f.path(kExpectedVersion), "must be at least 1");
  }
  // Accepted whatever the session: it only counts where lag_compensation is on.
  if (f.has(kClientLag)) {
    cmd.client_lag = read_client_lag(f, v);
  }
  if (!v.empty()) return Error::validation(v.take());
  return cmd;
}

// ---- add participant ----

Result<AddParticipantCommand> decode_add_participant_request(std::string_view json,
                                                             std::size_t max_bytes) {
  simdjson::dom::parser parser;
  const Root root = parse_object(parser, json, max_bytes);
  if (root.error) return *root.error;

  const Path top;
  Violations v;
  AddParticipantCommand cmd{read_participant(root.object, top, 0, v)};
  std::vector<FieldViolation> validated;
  validate_new_participant(cmd.participant, std::nullopt, "", validated);
  if (!v.empty() || !validated.empty()) return merge(v, std::move(validated));
  return cmd;
}

// ---- adjust time ----

namespace {
enum AdjustKey : std::size_t { kDelta, kReason };
constexpr std::array<std::string_view, 2> kAdjustKeys{"delta_ms", "reason"};
}  // namespace

Result<AdjustTimeCommand> decode_adjust_time_request(std::string_view json,
                                                     const Uuid& participant_id,
                                                     std::size_t max_bytes) {
  simdjson::dom::parser parser;
  const Root root = parse_object(parser, json, max_bytes);
  if (root.error) return *root.error;

  const Path top;
  Violations v;
  Fields f(root.object, kAdjustKeys, top, Unknown::reject, v);
  AdjustTimeCommand cmd;
  cmd.participant_id = participant_id;
  if (const auto delta = f.millis(kDelta, Need::required)) {
    const auto limit = limits::kMaxAdjustment;
    if (*delta == Millis{0}) {
      v.add(f.path(kDelta), "must not be zero");
    } else if (*delta < -limit || *delta > limit) {
      v.add(f.path(kDelta), "must be between -" + std::to_string(limit.count()) + " and " +
                                std::to_string(limit.count()));
    } else {
      cmd.delta = *delta;
    }
  }
  if (const auto reason = f.string(kReason)) {
    if (reason->size() > limits::kMaxReasonBytes) {
      v.add(f.path(kReason),
            "must be at most " + std::to_string(limits::kMaxReasonBytes) + " bytes");
    } else {
      cmd.reason = std::string(*reason);
    }
  }
  if (!v.empty()) return Error::validation(v.take());
  return cmd;
}

}  // namespace sk::domain
