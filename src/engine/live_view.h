// The live view: what each clock shows at `now`, for responses and broadcasts.
// Pure: reads the booked values of a Session and never changes it. Values are
// clamped at zero, so a clock whose deadline has passed but whose time-out has not
// yet been applied shows 0, never a negative number.
#pragma once

#include "domain/live_view.h"
#include "domain/session.h"

namespace sk::engine {

domain::LiveView live_view(const domain::Session& state, domain::TimePoint now);

}  // namespace sk::engine
