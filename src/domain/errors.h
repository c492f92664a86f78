// Typed errors: every expected failure is a value carrying one of these.
//
// Only server/ maps them to HTTP status codes and WebSocket messages; messages
// here are safe to show a client (no internals, no stack traces). No I/O here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/enums.h"

namespace sk::domain {

enum class ErrorCode {
  validation,          // bad input: a field, malformed JSON, wrong type (400)
  invalid_transition,  // command not allowed in the current status (400)
  not_found,           // no such session (404)
  session_exists,      // create with an id already in use (409)
  conflict,            // a guard did not match: version or active participant (409)
  deserialization,     // a stored value is corrupt
  payload_too_large,   // body over the limit (413)
  unauthorized,        // no credentials, or credentials that do not verify (401)
  forbidden,           // valid credentials that do not allow this (403)
  rate_limited,        // over a rate limit (429)
  unavailable,         // the store cannot be reached (503)
  internal,            // a bug; the message stays generic (500)
};

struct FieldViolation {
  std::string field;    // dotted path, e.g. "participants.3.total_time_ms"
  std::string message;  // for a person, e.g. "must be between 1000 and 86400000"

  friend bool operator==(const FieldViolation&, const FieldViolation&) = default;
};

// What a failed guard expected and what the session actually had.
struct ConflictDetail {
  std::string subject;  // "version" or "participant"
  std::string expected;
  std::string actual;

  friend bool operator==(const ConflictDetail&, const ConflictDetail&) = default;
};

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;
  std::vector<FieldViolation> violations;  // validation only
  std::optional<ConflictDetail> conflict;  // conflict only
  std::optional<Status> current_status;    // invalid_transition only

  static Error validation(std::vector<FieldViolation> violations);
  static Error validation(std::string field, std::string message);
  static Error malformed_json(std::string_view detail);
  static Error invalid_transition(std::string_view action, Status current);
  static Error not_found();
  static Error session_exists();
  static Error version_conflict(std::int64_t expected, std::int64_t actual);
  static Error participant_conflict(std::string expected, std::string actual);
  static Error deserialization(std::string_view detail);
  static Error payload_too_large(std::size_t limit);
  static Error unauthorized(std::string_view reason);
  static Error forbidden(std::string_view reason);
  static Error rate_limited(std::string_view what);
  static Error unavailable(std::string_view what);
  static Error internal();
};

}  // namespace sk::domain
