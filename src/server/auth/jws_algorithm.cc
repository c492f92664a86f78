// Algorithm names and families. See jws_algorithm.h.
#include "server/auth/jws_algorithm.h"

#include <array>

namespace sk::server::auth {
namespace {

enum class KeyFamily { hmac, rsa, ecdsa, eddsa };

struct Registered {
  std::string_view name;
  KeyFamily family;
};

// The signature algorithms of the IANA "JSON Web Signature and Encryption Algorithms"
// registry (RFC 7518 §3.1, RFC 8037, RFC 8812).
constexpr std::array<Registered, 14> kRegistered{{
    {"HS256", KeyFamily::hmac},
    {"HS384", KeyFamily::hmac},
    {"HS512", KeyFamily::hmac},
    {"RS256", KeyFamily::rsa},
    {"RS384", KeyFamily::rsa},
    {"RS512", KeyFamily::rsa},
    {"PS256", KeyFamily::rsa},
    {"PS384", KeyFamily::rsa},
    {"PS512", KeyFamily::rsa},
    {"ES256", KeyFamily::ecdsa},
    {"ES384", KeyFamily::ecdsa},
    {"ES512", KeyFamily::ecdsa},
    {"ES256K", KeyFamily::ecdsa},
    {"EdDSA", KeyFamily::eddsa},
}};

KeyFamily family_of(JwsAlgorithm algorithm) {
  switch (algorithm) {
    case JwsAlgorithm::hs256: return KeyFamily::hmac;
    case JwsAlgorithm::rs256: return KeyFamily::rsa;
    case JwsAlgorithm::es256: return KeyFamily::ecdsa;
  }
  return KeyFamily::hmac;  // unreachable: every enumerator is handled above
}

}  // namespace

std::string_view to_string(JwsAlgorithm algorithm) {
  switch (algorithm) {
    case JwsAlgorithm::hs256: return "HS256";
    case JwsAlgorithm::rs256: return "RS256";
    case JwsAlgorithm::es256: return "ES256";
  }
  return "HS256";  // unreachable: every enumerator is handled above
}

TokenProblem classify_foreign_algorithm(std::string_view alg, JwsAlgorithm configured) {
  for (const Registered& r : kRegistered) {
    // Exact match: "hs256" is no registered name (RFC 7515 §4.1.1 names are
    // case-sensitive), so it falls through to unsupported.
    if (r.name == alg) {
      return r.family == family_of(configured) ? TokenProblem::unsupported_algorithm
                                               : TokenProblem::wrong_algorithm;
    }
  }
  return TokenProblem::unsupported_algorithm;
}

}  // namespace sk::server::auth
