// Private to the JSON encoder (json_encode.cc, json_encode_time_control.cc): the
// append-only primitives it writes with (std::to_chars, literal key fragments; never
// fmt or iostreams: this is the hot path of every response), and the writers of the
// time-control parts (SPEC §2 "Time controls", tc-wire.md), which only sessions with a
// control reach. Include only from .cc files. No I/O here.
#pragma once

#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/live_view.h"
#include "domain/session.h"

namespace sk::domain::json_detail {

inline void append_int(std::string& out, std::int64_t value) {
  std::array<char, 24> buf{};
  const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  out.append(buf.data(), res.ptr);
}

inline void append_ms(std::string& out, Millis value) { append_int(out, value.count()); }

inline void append_bool(std::string& out, bool value) { out.append(value ? "true" : "false"); }

inline void append_name(std::string& out, std::string_view name) {
  // Enum wire names are plain ASCII identifiers: no escaping needed.
  out.push_back('"');
  out.append(name);
  out.push_back('"');
}

inline void append_key_int(std::string& out, std::string_view key_fragment, std::int64_t value) {
  out.append(key_fragment);
  append_int(out, value);
}

// `,"time_control":{...}`: as the create body names it, its type's fields only,
// stages when it has them, lag_compensation when on (decode_session reads exactly this
// back).
void append_time_control(std::string& out, const TimeControl& tc);

// The per-owner live fields of one owner (in_overtime, periods_left, ...), each only
// where its control has it, each with its leading comma.
void append_owner_live(std::string& out, const TimeControl& tc, const OwnerLive& live);

// `,"clock":{...}`: an owner's booked clock for the stored form, every field always.
void append_owner_clock(std::string& out, const OwnerClock& c);

}  // namespace sk::domain::json_detail
