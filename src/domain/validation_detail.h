// Private to the domain library: the create-request rules with the mode passed
// separately, so the decoder can still check every mode-independent bound when the
// body's sync_mode is missing or unknown. validate_create() is this with
// request.sync_mode. Also the one table of which fields each time control type has,
// shared by the validation, the decoders and the encoder so the three agree.
// No I/O here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/commands.h"
#include "domain/errors.h"
#include "domain/time_control.h"

namespace sk::domain::detail {

// Appends every violation to `out`. `mode` nullopt: skip the mode-dependent rules.
void validate_create(const CreateSessionRequest& request, std::optional<SyncMode> mode,
                     std::vector<FieldViolation>& out);

// The time_control and warnings_ms rules (validation_time_control.cc), in that order.
void validate_time_control(const CreateSessionRequest& request, std::optional<SyncMode> mode,
                           std::vector<FieldViolation>& out);
void validate_warnings(const CreateSessionRequest& request, std::vector<FieldViolation>& out);

// A top-level increment_ms next to a time_control must be 0, or (fischer) the control's
// own increment: one increment, said once.
bool increment_conflicts(const CreateSessionRequest& request);

// The settings of a time control besides `type` and `lag_compensation` (which every
// type has), as the wire names them (SPEC §2 table).
enum class ControlField { increment, delay, periods, period, moves, stages };

constexpr bool has_field(TimeControlType type, ControlField field) {
  switch (type) {
    case TimeControlType::fischer:
      return field == ControlField::increment || field == ControlField::stages;
    case TimeControlType::bronstein:
    case TimeControlType::delay:
      return field == ControlField::delay || field == ControlField::stages;
    case TimeControlType::byoyomi:
      return field == ControlField::periods || field == ControlField::period ||
             field == ControlField::increment;
    case TimeControlType::canadian:
      return field == ControlField::moves || field == ControlField::period;
    case TimeControlType::hourglass: return false;
  }
  return false;
}

// Whether a type's field must be given (the others of its type are optional).
constexpr bool requires_field(TimeControlType type, ControlField field) {
  switch (type) {
    case TimeControlType::bronstein:
    case TimeControlType::delay: return field == ControlField::delay;
    case TimeControlType::byoyomi:
      return field == ControlField::periods || field == ControlField::period;
    case TimeControlType::canadian:
      return field == ControlField::moves || field == ControlField::period;
    case TimeControlType::fischer:
    case TimeControlType::hourglass: return false;
  }
  return false;
}

// "is not a field of a fischer time control"
std::string not_a_field_of(TimeControlType type);

}  // namespace sk::domain::detail
