// The verification pipeline of token.h, step by step.
#include <algorithm>
#include <fstream>
#include <iterator>
#include <variant>

#include "server/auth/base64url.h"
#include "server/auth/claims_json.h"
#include "server/auth/jose_header.h"
#include "server/auth/token.h"

namespace sk::server::auth {
namespace {

constexpr std::int64_t kMaxLeewayS = 86400;
constexpr std::size_t kMaxKeyFileBytes = 64 * 1024;

Verified refuse(TokenProblem problem) { return Verified{std::nullopt, problem}; }

// The three parts of a compact JWS, still encoded.
struct CompactParts {
  std::string_view header;
  std::string_view payload;
  std::string_view signature;
  std::string_view signing_input;  // header '.' payload: what the signature covers
};

std::optional<CompactParts> split(std::string_view token) {
  const std::size_t first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const std::size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  if (token.find('.', second + 1) != std::string_view::npos) return std::nullopt;  // JWE, junk
  return CompactParts{token.substr(0, first), token.substr(first + 1, second - first - 1),
                      token.substr(second + 1), token.substr(0, second)};
}

bool contains(const std::vector<std::string>& list, std::string_view wanted) {
  return std::find(list.begin(), list.end(), wanted) != list.end();
}

}  // namespace

TokenVerifier::TokenVerifier(VerificationKey key, VerifierOptions options)
    : key_(std::move(key)), options_(std::move(options)) {}

domain::Result<TokenVerifier> TokenVerifier::make(domain::Result<VerificationKey> key,
                                                  VerifierOptions options) {
  if (!key.ok()) return key.error();
  if (options.leeway_s < 0 || options.leeway_s > kMaxLeewayS) {
    domain::Error e = domain::Error::validation(
        "jwt_leeway", "the JWT leeway must be between 0 and 86400 seconds");
    e.message = e.violations.front().message;
    return e;
  }
  return TokenVerifier(std::move(key).value(), std::move(options));
}

domain::Result<TokenVerifier> TokenVerifier::from_secret(std::string secret,
                                                         VerifierOptions options) {
  return make(VerificationKey::from_secret(std::move(secret)), std::move(options));
}

domain::Result<TokenVerifier> TokenVerifier::from_public_key_pem(std::string_view pem,
                                                                 VerifierOptions options) {
  return make(VerificationKey::from_public_key_pem(pem), std::move(options));
}

domain::Result<TokenVerifier> TokenVerifier::from_public_key_file(const std::string& path,
                                                                  VerifierOptions options) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    domain::Error e = domain::Error::validation("jwt_public_key_file", "cannot read " + path);
    e.message = e.violations.front().message;
    return e;
  }
  std::string pem;
  pem.resize(kMaxKeyFileBytes + 1);
  file.read(pem.data(), static_cast<std::streamsize>(pem.size()));
  pem.resize(static_cast<std::size_t>(file.gcount()));
  if (pem.size() > kMaxKeyFileBytes) {
    domain::Error e = domain::Error::validation("jwt_public_key_file",
                                                path + " is over 64 KiB: not a public key");
    e.message = e.violations.front().message;
    return e;
  }
  return from_public_key_pem(pem, std::move(options));
}

std::string_view TokenVerifier::algorithm() const { return to_string(key_.algorithm()); }

Verified TokenVerifier::verify(std::string_view token, std::int64_t now_unix_s) const {
  // Nothing below should throw but std::bad_alloc; a request must never see it.
  try {
    return check(token, now_unix_s);
  } catch (...) {
    return refuse(TokenProblem::malformed);
  }
}

Verified TokenVerifier::check(std::string_view token, std::int64_t now_unix_s) const {
  // 1. Size.
  if (token.size() > kMaxTokenBytes) return refuse(TokenProblem::malformed);

  // 2. Shape.
  const auto parts = split(token);
  if (!parts || parts->header.empty() || parts->payload.empty()) {
    return refuse(TokenProblem::malformed);
  }
  const auto header_json = base64url_decode(parts->header);
  const auto payload_json = base64url_decode(parts->payload);
  const auto signature = base64url_decode(parts->signature);
  if (!header_json || !payload_json || !signature) return refuse(TokenProblem::malformed);
  const auto header = detail::decode_jose_header(*header_json);
  if (const auto* problem = std::get_if<TokenProblem>(&header)) return refuse(*problem);

  // 3. Algorithm: before the signature, so "alg":"none" with an empty third part is
  // reported as what it is.
  const std::string& alg = std::get<detail::JoseHeader>(header).alg;
  if (alg != to_string(key_.algorithm())) {
    return refuse(classify_foreign_algorithm(alg, key_.algorithm()));
  }

  // 4. Signature.
  if (signature->empty()) return refuse(TokenProblem::bad_signature);
  if (!key_.verify(parts->signing_input, *signature)) return refuse(TokenProblem::bad_signature);

  // 5. Claims.
  auto decoded = decode_claims(*payload_json);
  if (const auto* problem = std::get_if<TokenProblem>(&decoded)) return refuse(*problem);
  Claims& claims = std::get<Claims>(decoded);

  // 6. Time. exp and nbf are at most kMaxNumericDate and the leeway at most a day, so
  // neither sum can overflow.
  if (now_unix_s >= claims.exp + options_.leeway_s) return refuse(TokenProblem::expired);
  if (claims.nbf && now_unix_s < *claims.nbf - options_.leeway_s) {
    return refuse(TokenProblem::not_yet_valid);
  }

  // 7. Issuer and audience.
  if (options_.issuer && claims.iss != options_.issuer) return refuse(TokenProblem::wrong_issuer);
  if (options_.audience && !contains(claims.aud, *options_.audience)) {
    return refuse(TokenProblem::wrong_audience);
  }
  return Verified{std::move(claims), TokenProblem::malformed};
}

}  // namespace sk::server::auth
