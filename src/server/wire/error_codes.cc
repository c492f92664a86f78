#include "server/wire/error_codes.h"

namespace sk::server::wire {

using boost::beast::http::status;
using domain::ErrorCode;

std::string_view error_code_name(const domain::Error& e) {
  switch (e.code) {
    case ErrorCode::validation: return "VALIDATION_ERROR";
    case ErrorCode::invalid_transition: return "INVALID_STATE_TRANSITION";
    case ErrorCode::not_found: return "SESSION_NOT_FOUND";
    case ErrorCode::session_exists: return "SESSION_EXISTS";
    case ErrorCode::conflict: return "CONFLICT";
    case ErrorCode::payload_too_large: return "PAYLOAD_TOO_LARGE";
    case ErrorCode::unauthorized: return "UNAUTHORIZED";
    case ErrorCode::forbidden: return "FORBIDDEN";
    case ErrorCode::rate_limited: return "RATE_LIMIT_EXCEEDED";
    case ErrorCode::unavailable: return "UNAVAILABLE";
    case ErrorCode::deserialization:
    case ErrorCode::internal: return "INTERNAL_ERROR";
  }
  return "INTERNAL_ERROR";
}

status error_status(const domain::Error& e) {
  switch (e.code) {
    case ErrorCode::validation:
    case ErrorCode::invalid_transition: return status::bad_request;
    case ErrorCode::not_found: return status::not_found;
    case ErrorCode::session_exists:
    case ErrorCode::conflict: return status::conflict;
    case ErrorCode::payload_too_large: return status::payload_too_large;
    case ErrorCode::unauthorized: return status::unauthorized;
    case ErrorCode::forbidden: return status::forbidden;
    case ErrorCode::rate_limited: return status::too_many_requests;
    case ErrorCode::unavailable: return status::service_unavailable;
    case ErrorCode::deserialization:
    case ErrorCode::internal: return status::internal_server_error;
  }
  return status::internal_server_error;
}

std::string_view public_message(const domain::Error& e) {
  const bool internal = e.code == ErrorCode::internal || e.code == ErrorCode::deserialization;
  return internal ? std::string_view{"internal error"} : std::string_view{e.message};
}

}  // namespace sk::server::wire
