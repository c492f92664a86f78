// Why a token was refused. One name per reason, stable and snake_case: it is a metrics
// label, a log field and the text of the 401 message, so it must never carry any part
// of the token itself. No I/O here.
#pragma once

#include <string_view>

namespace sk::server::auth {

enum class TokenProblem {
  malformed,              // not a compact JWS of base64url JSON objects, over 8 KiB, `crit`
  unsupported_algorithm,  // `alg` is "none" or an algorithm we do not implement
  wrong_algorithm,        // a known `alg` of another key family (HS vs RS vs ES confusion)
  bad_signature,          // the signature does not verify with the configured key
  expired,                // now >= exp + leeway
  not_yet_valid,          // now + leeway < nbf
  wrong_issuer,           // an issuer is configured and `iss` is absent or different
  wrong_audience,         // an audience is configured and `aud` does not contain it
  missing_claim,          // sub, role, sessions or exp is absent
  invalid_claim,          // a claim has the wrong type or value
};

std::string_view to_string(TokenProblem problem);

}  // namespace sk::server::auth
