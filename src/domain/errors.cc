#include "domain/errors.h"

#include <fmt/format.h>

namespace sk::domain {

Error Error::validation(std::vector<FieldViolation> violations) {
  Error e{ErrorCode::validation, "request validation failed", std::move(violations), {}, {}};
  return e;
}

Error Error::validation(std::string field, std::string message) {
  return validation(std::vector<FieldViolation>{{std::move(field), std::move(message)}});
}

Error Error::malformed_json(std::string_view detail) {
  return Error{ErrorCode::validation, fmt::format("malformed JSON: {}", detail), {}, {}, {}};
}

Error Error::invalid_transition(std::string_view action, Status current) {
  return Error{ErrorCode::invalid_transition,
               fmt::format("cannot {} a session that is {}", action, to_string(current)),
               {},
               {},
               current};
}

Error Error::not_found() { return Error{ErrorCode::not_found, "session not found", {}, {}, {}}; }

Error Error::session_exists() {
  return Error{ErrorCode::session_exists, "a session with this id already exists", {}, {}, {}};
}

Error Error::version_conflict(std::int64_t expected, std::int64_t actual) {
  return Error{ErrorCode::conflict,
               fmt::format("version conflict: expected {}, actual {}", expected, actual),
               {},
               ConflictDetail{"version", std::to_string(expected), std::to_string(actual)},
               {}};
}

Error Error::participant_conflict(std::string expected, std::string actual) {
  auto message = fmt::format("active participant is {}, not {}", actual, expected);
  return Error{ErrorCode::conflict,
               std::move(message),
               {},
               ConflictDetail{"participant", std::move(expected), std::move(actual)},
               {}};
}

Error Error::deserialization(std::string_view detail) {
  return Error{
      ErrorCode::deserialization, fmt::format("stored state is corrupt: {}", detail), {}, {}, {}};
}

Error Error::payload_too_large(std::size_t limit) {
  return Error{ErrorCode::payload_too_large,
               fmt::format("request body exceeds {} bytes", limit),
               {},
               {},
               {}};
}

Error Error::unauthorized(std::string_view reason) {
  return Error{ErrorCode::unauthorized, fmt::format("unauthorized: {}", reason), {}, {}, {}};
}

Error Error::forbidden(std::string_view reason) {
  return Error{ErrorCode::forbidden, fmt::format("forbidden: {}", reason), {}, {}, {}};
}

Error Error::rate_limited(std::string_view what) {
  return Error{ErrorCode::rate_limited, fmt::format("rate limit exceeded: {}", what), {}, {}, {}};
}

Error Error::unavailable(std::string_view what) {
  return Error{ErrorCode::unavailable, fmt::format("{} is unavailable", what), {}, {}, {}};
}

Error Error::internal() { return Error{ErrorCode::internal, "internal error", {}, {}, {}}; }

}  // namespace sk::domain
