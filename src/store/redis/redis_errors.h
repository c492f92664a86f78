// The errors of the Redis client layer as domain errors. A Redis *error reply* is not
// one of these (it is a Reply of kind error); these mean the call did not get an
// answer: the server is unreachable, timed out, refused our credentials, or the client
// is closed. Messages never contain the password.
#pragma once

#include <optional>
#include <string>

#include "domain/errors.h"

namespace sk::store::redis {

// Nothing to return but an error (same shape as sk::store::Status).
using Status = std::optional<domain::Error>;

inline domain::Error unavailable(const std::string& detail) {
  return domain::Error{
      domain::ErrorCode::unavailable, "redis is unavailable: " + detail, {}, {}, {}};
}

}  // namespace sk::store::redis
