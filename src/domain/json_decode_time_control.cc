// read_time_control: a `time_control` object, from a create body or a stored state.
// See json_time_control.h. Nothing here throws. No I/O here.
#include <array>
#include <string>
#include <string_view>

#include "domain/json_time_control.h"
#include "domain/limits.h"
#include "domain/validation_detail.h"

namespace sk::domain::json_detail {
namespace {

using detail::ControlField;
using simdjson::dom::element;

constexpr std::string_view kTypeChoices =
    "must be one of fischer, bronstein, delay, byoyomi, canadian, hourglass";

enum ControlKey : std::size_t {
  kType,
  kIncrement,
  kDelay,
  kPeriods,
  kPeriod,
  kMoves,
  kStages,
  kLag,
};
constexpr std::array<std::string_view, 8> kControlKeys{"type",    "increment_ms",    "delay_ms",
                                                       "periods", "period_ms",       "moves",
                                                       "stages",  "lag_compensation"};

// The settings, each with its key (type and lag_compensation belong to every type).
struct Setting {
  ControlKey key;
  ControlField field;
};
constexpr std::array<Setting, 6> kSettings{{
    {kIncrement, ControlField::increment},
    {kDelay, ControlField::delay},
    {kPeriods, ControlField::periods},
    {kPeriod, ControlField::period},
    {kMoves, ControlField::moves},
    {kStages, ControlField::stages},
}};

enum StageKey : std::size_t { kSmoves, kSadd, kSincrement, kSdelay };
constexpr std::array<std::string_view, 4> kStageKeys{"moves", "add_ms", "increment_ms", "delay_ms"};

Stage read_stage(simdjson::dom::object object, const Path& path, Unknown unknown, Violations& v) {
  Fields f(object, kStageKeys, path, unknown, v);
  Stage s;
  s.moves = f.int64(kSmoves);
  // A missing or unreadable add_ms is reported here; 0 then draws no second complaint
  // (validation's is under the same path).
  s.add = f.millis(kSadd, Need::required).value_or(Millis{0});
  s.increment = f.millis(kSincrement);
  s.delay = f.millis(kSdelay);
  return s;
}

std::vector<Stage> read_stages(simdjson::dom::array array, const Path& path, ControlSource source,
                               Violations& v) {
  const Unknown unknown = source == ControlSource::request ? Unknown::reject : Unknown::ignore;
  std::vector<Stage> out;
  out.reserve(array.size());
  std::size_t i = 0;
  for (const element item : array) {
    const Path item_path = path.at(i++);
    if (const auto object = as_object(item, item_path, v)) {
      out.push_back(read_stage(*object, item_path, unknown, v));
    } else {
      out.push_back(Stage{.moves = std::nullopt,
                          .add = Millis{0},
                          .increment = std::nullopt,
                          .delay = std::nullopt});
    }
  }
  if (source == ControlSource::request && out.empty()) {
    v.add(path, "must have between 1 and " + std::to_string(limits::kMaxStages) + " stages");
  }
  return out;
}

std::optional<TimeControlType> read_type(Fields& f, ControlSource source) {
  const auto text = f.string(kType, Need::required);
  if (!text) return std::nullopt;
  const auto type = parse_time_control_type(*text);
  if (!type) {
    f.violations().add(f.path(kType),
                       source == ControlSource::request ? kTypeChoices : "has an unknown value");
  }
  return type;
}

}  // namespace

std::optional<TimeControl> read_time_control(element e, const Path& path, ControlSource source,
                                             Violations& v) {
  const auto object = as_object(e, path, v);
  if (!object) return std::nullopt;
  const Unknown unknown = source == ControlSource::request ? Unknown::reject : Unknown::ignore;
  Fields f(*object, kControlKeys, path, unknown, v);
  const auto type = read_type(f, source);
  if (!type) {
    // Without a type nothing else can be judged; still name the values that are not
    // even of the right kind.
    for (const ControlKey key : {kIncrement, kDelay, kPeriods, kPeriod, kMoves}) f.int64(key);
    f.array(kStages);
    f.boolean(kLag);
    return std::nullopt;
  }

  TimeControl tc;
  tc.type = *type;
  for (const Setting& s : kSettings) {
    const bool has = detail::has_field(tc.type, s.field);
    if (!has) {
      if (source == ControlSource::request && f.has(s.key)) {
        v.add(f.path(s.key), detail::not_a_field_of(tc.type));
      }
      continue;  // stored: the encoder never writes it; ignore
    }
    const bool required =
        s.field != ControlField::stages &&
        (source == ControlSource::stored || detail::requires_field(tc.type, s.field));
    const Need need = required ? Need::required : Need::optional;
    switch (s.field) {
      case ControlField::increment: tc.increment = f.millis(s.key, need).value_or(Millis{0}); break;
      case ControlField::delay: tc.delay = f.millis(s.key, need).value_or(Millis{0}); break;
      case ControlField::periods: tc.periods = f.int64(s.key, need).value_or(0); break;
      case ControlField::period: tc.period = f.millis(s.key, need).value_or(Millis{0}); break;
      case ControlField::moves: tc.moves = f.int64(s.key, need).value_or(0); break;
      case ControlField::stages:
        if (const auto stages = f.array(s.key)) {
          tc.stages = read_stages(*stages, f.path(s.key), source, v);
        }
        break;
    }
  }
  tc.lag_compensation = f.boolean(kLag).value_or(false);
  return tc;
}

}  // namespace sk::domain::json_detail
