// The JWT claims set as JSON (RFC 7519 §4), both ways.
//
// decode_claims is strict about the claims SyncKairos acts on and ignores the rest
// (jti, custom claims):
//  - sub: non-empty string; for a participant a UUID (written back lowercase);
//  - role: "participant", "arbiter" or "admin";
//  - sessions: non-empty array of UUID strings (written back lowercase), or ["*"];
//  - exp: integer, required; nbf, iat: integers, optional. All three in
//    [0, kMaxNumericDate]: fractional seconds are refused, and the bound keeps the
//    verifier's leeway arithmetic far from overflow;
//  - iss: string, optional; aud: string or array of strings, optional.
// An absent required claim is missing_claim; a present one of the wrong type or value
// (null included) is invalid_claim; a payload that is not one JSON object with distinct
// keys is malformed. Time, issuer and audience are the verifier's checks, not these.
// No I/O here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "server/auth/claims.h"
#include "server/auth/token_problem.h"

namespace sk::server::auth {

// 9999-12-31T23:59:59Z.
inline constexpr std::int64_t kMaxNumericDate = 253402300799;

std::variant<Claims, TokenProblem> decode_claims(std::string_view json);

// Compact JSON of the claims; absent optionals and an empty `aud` are left out, a
// single audience is written as a string. decode_claims(encode_claims(c)) == c for
// any `c` that decode_claims could have produced.
std::string encode_claims(const Claims& claims);

}  // namespace sk::server::auth
