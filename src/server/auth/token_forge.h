// Test support (never linked into the server): keys generated on the spot and tokens
// signed with any header, so tests and fuzzers can build every forgery a client could
// send: alg "none", a mismatched alg, a tampered payload, the RS256-to-HS256 confusion.
#pragma once

#include <string>
#include <string_view>

#include <openssl/evp.h>

#include "server/auth/openssl_ptr.h"

namespace sk::server::auth::forge {

PkeyPtr generate_rsa_key(unsigned bits = 2048);
// `curve` as OpenSSL names it: "P-256", "P-384", ...
PkeyPtr generate_ec_key(const char* curve = "P-256");

// SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY").
std::string public_key_pem(EVP_PKEY* key);
// A self-signed X.509 certificate PEM for the key (signed by the key itself).
std::string certificate_pem(EVP_PKEY* key);

// header_b64.payload_b64.signature_b64 of the raw JSON given, signed as the key's type
// implies whatever the header says: HMAC-SHA-256 with `hs_secret` when `private_key` is
// null, RSASSA-PKCS1-v1_5 for an RSA key, ECDSA as R || S for an EC key.
std::string sign_token(std::string_view header_json, std::string_view payload_json,
                       EVP_PKEY* private_key, std::string_view hs_secret = {});

}  // namespace sk::server::auth::forge
