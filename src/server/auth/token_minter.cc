// HS256 minting. See token_minter.h.
#include "server/auth/token_minter.h"

#include <new>

#include "server/auth/base64url.h"
#include "server/auth/claims_json.h"
#include "server/auth/jws_crypto.h"

namespace sk::server::auth {

std::string signing_input(std::string_view header_json, std::string_view payload_json) {
  std::string out = base64url_encode(header_json);
  out.push_back('.');
  append_base64url(out, payload_json);
  return out;
}

std::string compact_jws(std::string_view header_json, std::string_view payload_json,
                        std::string_view signature) {
  std::string out = signing_input(header_json, payload_json);
  out.push_back('.');
  append_base64url(out, signature);
  return out;
}

std::string mint_hs256(const Claims& claims, std::string_view secret) {
  static constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";
  std::string token = signing_input(kHeader, encode_claims(claims));
  const auto mac = hmac_sha256(secret, token);
  if (!mac) throw std::bad_alloc();  // HMAC fails only when OpenSSL cannot allocate
  token.push_back('.');
  append_base64url(token, *mac);
  return token;
}

}  // namespace sk::server::auth
