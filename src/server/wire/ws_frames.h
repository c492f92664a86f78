// The WebSocket protocol's server → client frames (SPEC §4), formatted once and
// sent as-is to every watcher. `timestamp` is always the server's ms clock.
// Part of server/wire: the formats both transports share, below http/ and ws/.
// No I/O here.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/errors.h"
#include "domain/live_view.h"
#include "domain/session.h"
#include "engine/engine.h"

namespace sk::server::wire {

std::string connected_message(const domain::Uuid& session_id, domain::TimePoint now);
// STATE_SYNC and STATE_UPDATE carry the full session with live values at `live`.
std::string state_sync_message(const domain::Session& s, const domain::LiveView& live);
std::string state_update_message(const domain::Session& s, const domain::LiveView& live);
std::string time_expired_message(const domain::Uuid& session_id, const engine::Expiry& expiry,
                                 domain::TimePoint now);
// TIME_WARNING (SPEC §2 "Warnings"): a warnings_ms threshold crossed; `crossed_ms` is
// the instant it was crossed (the timestamp is when the message was made).
std::string time_warning_message(const domain::Uuid& session_id, const engine::Warning& warning,
                                 domain::TimePoint now);
std::string session_deleted_message(const domain::Uuid& session_id, domain::TimePoint now);
std::string pong_message(domain::TimePoint now, std::optional<std::int64_t> client_timestamp);
// The answer to AUTH: the fresh token is accepted; the socket now lives until
// `expires_at_ms` (absent when auth is off and tokens are not checked).
std::string authenticated_message(std::optional<std::int64_t> expires_at_ms, domain::TimePoint now);
std::string error_message(std::string_view code, std::string_view message, domain::TimePoint now);
// ERROR for a domain error: its SPEC code and its public message (error_codes.h).
std::string error_message(const domain::Error& e, domain::TimePoint now);

}  // namespace sk::server::wire
