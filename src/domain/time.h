// Time types shared by every layer.
//
// Session time is wall-clock UTC in whole milliseconds: it is stored in Redis and
// compared across instances, so it must mean the same on every machine. Durations
// are std::chrono::milliseconds; raw integers appear only at the wire, named `_ms`.
// No clock is read here: callers pass `now` in.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sk::domain {

using Millis = std::chrono::milliseconds;
using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;

constexpr TimePoint from_unix_ms(std::int64_t ms) { return TimePoint{Millis{ms}}; }
constexpr std::int64_t to_unix_ms(TimePoint t) { return t.time_since_epoch().count(); }

// "2026-11-22T21:25:46.123Z": always UTC, always milliseconds, always `Z`.
std::string format_iso8601(TimePoint t);
void append_iso8601(std::string& out, TimePoint t);

// Accepts exactly the form format_iso8601 writes (24 characters). Anything else,
// including out-of-range fields, is nullopt.
std::optional<TimePoint> parse_iso8601(std::string_view text);

}  // namespace sk::domain
