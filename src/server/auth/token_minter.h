// Issuing HS256 tokens: for tests, demos and the `synckairos token` command. Production
// deployments are expected to mint their tokens elsewhere and give us only the key.
// No I/O here.
#pragma once

#include <string>
#include <string_view>

#include "server/auth/claims.h"

namespace sk::server::auth {

// A compact JWS with header {"alg":"HS256","typ":"JWT"} and `claims` as its payload.
// The secret is not checked: a TokenVerifier refuses one under 32 bytes, so a token
// minted with it can never be accepted.
std::string mint_hs256(const Claims& claims, std::string_view secret);

// header_b64 '.' payload_b64 '.' signature_b64, from the raw JSON and signature bytes.
std::string compact_jws(std::string_view header_json, std::string_view payload_json,
                        std::string_view signature);
// header_b64 '.' payload_b64: the bytes a JWS signature covers.
std::string signing_input(std::string_view header_json, std::string_view payload_json);

}  // namespace sk::server::auth
