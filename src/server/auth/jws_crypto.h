// The three signature primitives of HS256, RS256 and ES256 (RFC 7518 §3), on OpenSSL
// 3's EVP interfaces only (no deprecated RSA_* / EC_KEY_* / HMAC_CTX calls).
//
// Every function leaves the calling thread's OpenSSL error queue empty, so a stream of
// forged tokens cannot grow it. Each call uses its own contexts: the functions are safe
// to call concurrently with one shared EVP_PKEY, which they never modify.
// No I/O here.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <openssl/evp.h>

namespace sk::server::auth {

// 32 bytes of HMAC-SHA-256; nullopt only if OpenSSL fails (out of memory).
std::optional<std::string> hmac_sha256(std::string_view key, std::string_view data);

// True when `expected_mac` is HMAC-SHA-256(key, data). Compared in constant time
// (CRYPTO_memcmp), so the time taken says nothing about how many bytes matched.
bool hmac_sha256_matches(std::string_view key, std::string_view data,
                         std::string_view expected_mac);

// RSASSA-PKCS1-v1_5 or ECDSA over SHA-256, as the key's type implies. The signature is
// in OpenSSL's form (for ECDSA: DER), not JOSE's.
bool verify_sha256(EVP_PKEY* public_key, std::string_view data, std::string_view signature);
std::optional<std::string> sign_sha256(EVP_PKEY* private_key, std::string_view data);

// JWS ES256 writes an ECDSA signature as R || S, each 32 bytes big-endian (RFC 7518
// §3.4); OpenSSL reads and writes DER. nullopt for a raw signature that is not 64
// bytes, or DER that does not parse or whose R or S exceed 32 bytes.
std::optional<std::string> es256_raw_to_der(std::string_view raw);
std::optional<std::string> es256_der_to_raw(std::string_view der);

}  // namespace sk::server::auth
