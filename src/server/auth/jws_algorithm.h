// The JWS algorithms a verifier can be configured with, and how a token's `alg` that
// is not the configured one is classified.
//
// The key decides the algorithm, never the token (RFC 8725 §3.1): an HS256 verifier
// accepts only HS256, and so on. A foreign `alg` is
//  - wrong_algorithm when it is a registered algorithm of another key family (HS*,
//    RS*/PS*, ES*, EdDSA): the signature of an algorithm-confusion attack, e.g. HS256
//    signed with the RSA public key's PEM as the secret;
//  - unsupported_algorithm otherwise: "none" in any spelling, a sibling of the same
//    family we do not implement (HS512 for an HS256 key), or a name we do not know.
// No I/O here.
#pragma once

#include <optional>
#include <string_view>

#include "server/auth/token_problem.h"

namespace sk::server::auth {

enum class JwsAlgorithm { hs256, rs256, es256 };

std::string_view to_string(JwsAlgorithm algorithm);  // "HS256", "RS256", "ES256"

// Why a token whose header says `alg` is refused by a verifier of `configured`.
// Precondition: alg != to_string(configured).
TokenProblem classify_foreign_algorithm(std::string_view alg, JwsAlgorithm configured);

}  // namespace sk::server::auth
