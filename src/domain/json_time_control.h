// Private to the JSON decoders (json_decode.cc, json_decode_session.cc): reading a
// `time_control` object (SPEC §2 "Time controls"), shared so a request and a stored
// state name the same fields the same way. Include only from .cc files. No I/O here.
#pragma once

#include <optional>

#include <simdjson.h>

#include "domain/json_reader.h"
#include "domain/time_control.h"

namespace sk::domain::json_detail {

enum class ControlSource {
  // A create body: unknown keys refused, a field of another type refused by name
  // ("is not a field of a fischer time control"), a type's required fields reported,
  // an empty `stages` refused. Bounds are validation's (validation_time_control.cc).
  request,
  // A stored state: keys of other types and unknown keys are ignored (the encoder
  // never writes them, so decode(encode(s)) stays exact), every field its type has
  // is required except stages and lag_compensation, written only when set.
  stored,
};

// nullopt when `e` is not an object or its type cannot be read (reported in `v`).
std::optional<TimeControl> read_time_control(simdjson::dom::element e, const Path& path,
                                             ControlSource source, Violations& v);

}  // namespace sk::domain::json_detail
