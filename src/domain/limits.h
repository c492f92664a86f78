// Every bound of SPEC §2 and §3 in one place, so validation, docs and tests agree.
#pragma once

#include <cstddef>
#include <cstdint>

#include "domain/time.h"

namespace sk::domain::limits {

inline constexpr std::size_t kMinParticipants = 1;
inline constexpr std::size_t kMaxParticipants = 1000;
inline constexpr Millis kMinTime{1000};  // total_time_ms, time_per_cycle_ms, max_time_ms
inline constexpr Millis kMaxTime{24 * 3600 * 1000};  // 24 h
inline constexpr Millis kMaxIncrement{60'000};
inline constexpr std::int64_t kMaxParticipantIndex = 1'000'000;
inline constexpr std::size_t kMaxMetadataBytes = 10 * 1024;  // serialized JSON
inline constexpr std::size_t kMaxBodyBytes = 1024 * 1024;    // any request body
inline constexpr std::size_t kMaxReasonBytes = 500;          // time adjustment reason
// An arbiter's adjustment moves a bank by at most a day either way; a bank never
// grows past this, so no sum of adjustments and increments can overflow.
inline constexpr Millis kMaxAdjustment{24 * 3600 * 1000};
inline constexpr Millis kMaxBank{7 * 24 * 3600 * 1000};

// Time controls (SPEC §2 "Time controls"). Period times and stage additions share the
// bounds of every other time (kMinTime..kMaxTime; a later stage may add 0).
inline constexpr Millis kMaxDelay{60'000};  // delay_ms, control and stage
inline constexpr std::int64_t kMinPeriods = 1;
inline constexpr std::int64_t kMaxPeriods = 100;          // byoyomi periods
inline constexpr std::int64_t kMaxMovesPerPeriod = 1000;  // canadian moves
inline constexpr std::int64_t kMaxStageMoves = 1000;      // stages[].moves
inline constexpr std::size_t kMaxStages = 10;
inline constexpr Millis kMaxClientLag{60'000};  // switch client_lag_ms

// Warnings and scheduled starts (SPEC §2).
inline constexpr std::size_t kMaxWarnings = 4;  // warnings_ms, each kMinTime..kMaxTime
inline constexpr Millis kMaxStartAhead{30LL * 24 * 3600 * 1000};  // start_at, checked by the engine

}  // namespace sk::domain::limits
