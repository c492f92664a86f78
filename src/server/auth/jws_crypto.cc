// HMAC, RSA and ECDSA over SHA-256 with EVP. See jws_crypto.h.
#include "server/auth/jws_crypto.h"

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "server/auth/openssl_ptr.h"

namespace sk::server::auth {
namespace {

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Empties the thread's error queue on every way out of a scope.
struct ClearErrorsOnExit {
  ClearErrorsOnExit() = default;
  ClearErrorsOnExit(const ClearErrorsOnExit&) = delete;
  ClearErrorsOnExit& operator=(const ClearErrorsOnExit&) = delete;
  ~ClearErrorsOnExit() { ERR_clear_error(); }
};

constexpr int kEs256HalfBytes = 32;  // P-256: R and S are 32 bytes each
constexpr std::size_t kEs256RawBytes = 64;

}  // namespace

std::optional<std::string> hmac_sha256(std::string_view key, std::string_view data) {
  ClearErrorsOnExit clear;
  std::string mac(EVP_MAX_MD_SIZE, '\0');
  std::size_t length = 0;
  // EVP_Q_mac refuses a NULL key pointer even when the length is 0.
  static constexpr unsigned char kNoKey = 0;
  const unsigned char* key_bytes = key.empty() ? &kNoKey : bytes_of(key);
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key_bytes, key.size(), bytes_of(data),
                data.size(), reinterpret_cast<unsigned char*>(mac.data()), mac.size(),
                &length) == nullptr) {
    return std::nullopt;
  }
  mac.resize(length);
  return mac;
}

bool hmac_sha256_matches(std::string_view key, std::string_view data,
                         std::string_view expected_mac) {
  const auto mac = hmac_sha256(key, data);
  // The length is public (always 32 for a genuine MAC); only the bytes are secret.
  if (!mac || mac->size() != expected_mac.size()) return false;
  return CRYPTO_memcmp(mac->data(), expected_mac.data(), mac->size()) == 0;
}

bool verify_sha256(EVP_PKEY* public_key, std::string_view data, std::string_view signature) {
  ClearErrorsOnExit clear;
  const MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || public_key == nullptr) return false;
  if (EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, public_key,
                              nullptr) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), bytes_of(signature), signature.size(), bytes_of(data),
                          data.size()) == 1;
}

std::optional<std::string> sign_sha256(EVP_PKEY* private_key, std::string_view data) {
  ClearErrorsOnExit clear;
  const MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || private_key == nullptr) return std::nullopt;
  if (EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, private_key, nullptr) !=
      1) {
    return std::nullopt;
  }
  std::size_t length = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &length, bytes_of(data), data.size()) != 1) {
    return std::nullopt;
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     bytes_of(data), data.size()) != 1) {
    return std::nullopt;
  }
  signature.resize(length);
  return signature;
}

std::optional<std::string> es256_raw_to_der(std::string_view raw) {
  ClearErrorsOnExit clear;
  if (raw.size() != kEs256RawBytes) return std::nullopt;
  BignumPtr r(BN_bin2bn(bytes_of(raw), kEs256HalfBytes, nullptr));
  BignumPtr s(BN_bin2bn(bytes_of(raw) + kEs256HalfBytes, kEs256HalfBytes, nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return std::nullopt;
  (void)r.release();  // owned by sig now
  (void)s.release();
  const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (length <= 0) return std::nullopt;
  std::string der(static_cast<std::size_t>(length), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != length) return std::nullopt;
  return der;
}

std::optional<std::string> es256_der_to_raw(std::string_view der) {
  ClearErrorsOnExit clear;
  const unsigned char* in = bytes_of(der);
  const EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(der.size())));
  if (!sig) return std::nullopt;
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string raw(kEs256RawBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(r, out, kEs256HalfBytes) < 0 ||
      BN_bn2binpad(s, out + kEs256HalfBytes, kEs256HalfBytes) < 0) {
    return std::nullopt;
  }
  return raw;
}

}  // namespace sk::server::auth
