// The SPEC §3 error codes of domain errors, and the HTTP status each answers with.
// One table for both transports: HTTP error bodies (http/responses) and WebSocket
// ERROR frames (ws/connection) name a failure the same way. No I/O here.
#pragma once

#include <ostream>  // Beast's string_view needs std::ostream complete
#include <string_view>

#include <boost/beast/http/status.hpp>

#include "domain/errors.h"

namespace sk::server::wire {

// "VALIDATION_ERROR", "SESSION_NOT_FOUND", ... (SPEC §3).
std::string_view error_code_name(const domain::Error& e);
boost::beast::http::status error_status(const domain::Error& e);
// Internal failures never show their text to a client.
std::string_view public_message(const domain::Error& e);

}  // namespace sk::server::wire
