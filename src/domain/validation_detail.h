// Private to the domain library: the create-request rules with the mode passed
// separately, so the decoder can still check every mode-independent bound when the
// body's sync_mode is missing or unknown. validate_create() is this with
// request.sync_mode. No I/O here.
#pragma once

#include <optional>
#include <vector>

#include "domain/commands.h"
#include "domain/errors.h"

namespace sk::domain::detail {

// Appends every violation to `out`. `mode` nullopt: skip the mode-dependent rules.
void validate_create(const CreateSessionRequest& request, std::optional<SyncMode> mode,
                     std::vector<FieldViolation>& out);

}  // namespace sk::domain::detail
