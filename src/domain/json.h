// JSON codec for the wire names of SPEC §2 (snake_case; ISO-8601 UTC timestamps with
// milliseconds and `Z`; null versus absent exactly as the spec lists).
//
// Decoding is strict: malformed JSON, wrong types, out-of-range numbers, unknown or
// duplicate keys and oversized input are rejected with a typed error; it never
// crashes or throws. Request decoders also run validation (validation.h) and report
// every violation at once. No I/O here.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "domain/commands.h"
#include "domain/event.h"
#include "domain/limits.h"
#include "domain/live_view.h"
#include "domain/result.h"
#include "domain/session.h"

namespace sk::domain {

// ---- encoding -------------------------------------------------------------------

// The full session object with live values from `live` (built by engine::live_view
// for the same session).
void append_session_json(std::string& out, const Session& session, const LiveView& live);
std::string encode_session(const Session& session, const LiveView& live);

// The switch response of SPEC §3: {session_id, active_participant_id,
// cycle_started_at, participants, status, version, deadline_at, server_time_ms,
// expired_participant_id?}.
std::string encode_switch_result(const Session& session, const LiveView& live,
                                 const std::optional<Uuid>& expired_participant_id);

// A session as stored by an engine that keeps JSON (Redis): the booked fields, no
// live values; with a time control, each owner's booked `clock` and warnings_passed,
// which only this form carries. decode_session reads it back exactly.
std::string encode_stored_session(const Session& session);

// One audit event (SPEC §6), e.g. {"type":"cycle_switched","at":"...",
// "participant_id":"...","time_remaining_ms":1,...}; absent fields are omitted.
std::string encode_event(const Event& event);

// ---- decoding -------------------------------------------------------------------

// A stored session (as written by encode_stored_session; older copies by
// encode_session). Live fields are ignored; every booked field is required, except
// those added later (time_control, warnings_ms, warnings_passed, start_at, clocks),
// which default when absent. Any defect is ErrorCode::deserialization.
Result<Session> decode_session(std::string_view json);

// An audit event (as written by encode_event). Unknown keys are ignored; any other
// defect is ErrorCode::deserialization. decode_event(encode_event(e)) == e.
Result<Event> decode_event(std::string_view json);

// Request bodies. Errors are ErrorCode::validation (with every {field, message}) or
// ErrorCode::payload_too_large when `json` exceeds `max_bytes`.
Result<CreateSessionRequest> decode_create_request(std::string_view json,
                                                   std::size_t max_bytes = limits::kMaxBodyBytes);
// An empty body (or `{}`) is a plain switch. `client_lag_ms` (0-60000) is accepted
// whatever the session; it only counts under lag_compensation.
Result<SwitchCommand> decode_switch_request(std::string_view json,
                                            std::size_t max_bytes = limits::kMaxBodyBytes);
Result<AddParticipantCommand> decode_add_participant_request(
    std::string_view json, std::size_t max_bytes = limits::kMaxBodyBytes);
// `participant_id` comes from the path; the body is {delta_ms, reason?}.
Result<AdjustTimeCommand> decode_adjust_time_request(std::string_view json,
                                                     const Uuid& participant_id,
                                                     std::size_t max_bytes = limits::kMaxBodyBytes);

// Appends `text` as a JSON string literal (quotes and escapes included).
void append_json_string(std::string& out, std::string_view text);

}  // namespace sk::domain
