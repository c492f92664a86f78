// Private to auth: the protected header of a compact JWS (RFC 7515 §4), reduced to the
// one thing we act on, `alg`.
//
// Refused as malformed: not a JSON object, duplicate keys, no string `alg`, a `typ`
// other than "JWT" (compared case-insensitively, RFC 7515 §4.1.9), and any `crit`: we
// understand no extension, and RFC 7515 §4.1.11 says a token naming one it does not
// understand must be rejected. Other members (kid, cty, ...) are ignored. No I/O here.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "server/auth/token_problem.h"

namespace sk::server::auth::detail {

struct JoseHeader {
  std::string alg;  // as written, e.g. "HS256", "none"
};

std::variant<JoseHeader, TokenProblem> decode_jose_header(std::string_view json);

}  // namespace sk::server::auth::detail
