// Verifying SyncKairos bearer tokens (SPEC §7): compact JWS (RFC 7515) JWTs (RFC 7519)
// signed with HS256, RS256 or ES256.
//
// A verifier is built once from one key, and that key alone decides the accepted
// algorithm (RFC 8725 §3.1); verify() then runs, in this order, and stops at the first
// problem:
//   1. size: over kMaxTokenBytes (8 KiB) is malformed, before any parsing;
//   2. shape: exactly three strict base64url parts (base64url.h), a header that is a
//      JSON object with a string `alg`, `typ` absent or "JWT", no `crit`
//      (jose_header.h);
//   3. algorithm: `alg` must be the key's; "none" and unknown names are
//      unsupported_algorithm, another family's is wrong_algorithm (jws_algorithm.h);
//   4. signature, with the key (HMAC compared in constant time, ES256 as R || S);
//   5. claims, read only once the signature holds (claims_json.h);
//   6. time: expired when now >= exp + leeway, not_yet_valid when now + leeway < nbf;
//   7. issuer and audience, only when configured: `iss` must equal the issuer, `aud`
//      (a string or an array) must contain the audience; absent counts as wrong.
// Problems name no part of the token, so the result is safe to log and to send back.
// verify() is const, shares nothing mutable and throws nothing: call it from any
// number of threads. The time is handed in. No I/O except from_public_key_file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/result.h"
#include "server/auth/claims.h"
#include "server/auth/token_problem.h"
#include "server/auth/verification_key.h"

namespace sk::server::auth {

inline constexpr std::size_t kMaxTokenBytes = 8 * 1024;

struct VerifierOptions {
  // Clock skew forgiven on exp and nbf, in seconds; 0 to 86400.
  std::int64_t leeway_s = 30;
  std::optional<std::string> issuer;    // when set, `iss` must equal it
  std::optional<std::string> audience;  // when set, `aud` must contain it
};

struct Verified {
  std::optional<Claims> claims;                    // set when the token is accepted
  TokenProblem problem = TokenProblem::malformed;  // meaningful only when !claims

  bool ok() const { return claims.has_value(); }
};

class TokenVerifier {
 public:
  // HS256. Refuses (Error::validation) a secret shorter than 32 bytes.
  static domain::Result<TokenVerifier> from_secret(std::string secret, VerifierOptions = {});
  // RS256 (RSA key, >= 2048 bits) or ES256 (EC P-256 key) from a SubjectPublicKeyInfo
  // PEM ("BEGIN PUBLIC KEY") or an X.509 certificate PEM.
  static domain::Result<TokenVerifier> from_public_key_pem(std::string_view pem,
                                                           VerifierOptions = {});
  // As from_public_key_pem, reading the PEM from `path` (at most 64 KiB).
  static domain::Result<TokenVerifier> from_public_key_file(const std::string& path,
                                                            VerifierOptions = {});

  std::string_view algorithm() const;  // "HS256" | "RS256" | "ES256"

  Verified verify(std::string_view token, std::int64_t now_unix_s) const;

 private:
  TokenVerifier(VerificationKey key, VerifierOptions options);
  static domain::Result<TokenVerifier> make(domain::Result<VerificationKey> key,
                                            VerifierOptions options);

  Verified check(std::string_view token, std::int64_t now_unix_s) const;

  VerificationKey key_;
  VerifierOptions options_;
};

}  // namespace sk::server::auth
