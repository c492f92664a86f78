// The key a TokenVerifier checks signatures with, and the one algorithm it implies:
// an HMAC secret (HS256), an RSA public key of at least 2048 bits (RS256) or an EC
// P-256 public key (ES256).
//
// Loading refuses keys too weak to be worth checking against (a secret under 32 bytes,
// RFC 7518 §3.2 asks for at least the hash size; RSA under 2048 bits, RFC 7518 §3.3),
// with a message fit for a start-up error; it never echoes the key material.
// Immutable once built and cheap to copy (shared ownership): verify() may run on many
// threads at once. No I/O here (reading a key file is the verifier's job).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <openssl/evp.h>

#include "domain/result.h"
#include "server/auth/jws_algorithm.h"

namespace sk::server::auth {

inline constexpr std::size_t kMinSecretBytes = 32;
inline constexpr int kMinRsaBits = 2048;

class VerificationKey {
 public:
  static domain::Result<VerificationKey> from_secret(std::string secret);
  // A SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY") or an X.509 certificate PEM
  // ("BEGIN CERTIFICATE"; only its key is used, its dates and issuer are not checked).
  static domain::Result<VerificationKey> from_public_key_pem(std::string_view pem);

  JwsAlgorithm algorithm() const { return algorithm_; }

  // True when `signature` (decoded from the token, in JOSE form: R || S for ES256) signs
  // `signing_input` under this key.
  bool verify(std::string_view signing_input, std::string_view signature) const;

 private:
  VerificationKey(JwsAlgorithm algorithm, std::shared_ptr<const std::string> secret,
                  std::shared_ptr<EVP_PKEY> public_key);

  JwsAlgorithm algorithm_;
  std::shared_ptr<const std::string> secret_;  // HS256 only; wiped when released
  std::shared_ptr<EVP_PKEY> public_key_;       // RS256 and ES256 only
};

}  // namespace sk::server::auth
