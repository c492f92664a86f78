// Validation of a create request against every bound of SPEC §2. Returns all
// violations (empty = valid), each with a dotted field path such as
// "participants.3.total_time_ms". Pure; no I/O.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/commands.h"
#include "domain/errors.h"

namespace sk::domain {

std::vector<FieldViolation> validate_create(const CreateSessionRequest& request);

// Checks of one new participant that do not depend on the session's other
// participants: bounds of participant_index and total_time_ms, and, when `mode` is
// given, which fields the mode allows or requires (nullopt: mode-independent checks
// only, e.g. while decoding a request body before the session is known).
// `prefix` is prepended to field names ("participants.3." or "").
void validate_new_participant(const NewParticipant& participant, std::optional<SyncMode> mode,
                              const std::string& prefix, std::vector<FieldViolation>& out);

}  // namespace sk::domain
