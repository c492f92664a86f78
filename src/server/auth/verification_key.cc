// Loading and checking verification keys. See verification_key.h.
#include "server/auth/verification_key.h"

#include <array>
#include <climits>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "server/auth/jws_crypto.h"
#include "server/auth/openssl_ptr.h"

namespace sk::server::auth {
namespace {

domain::Error key_error(std::string field, std::string message) {
  domain::Error e = domain::Error::validation(std::move(field), message);
  e.message = std::move(message);
  return e;
}

domain::Error public_key_error(std::string message) {
  return key_error("jwt_public_key", std::move(message));
}

// Overwrites the secret before its memory goes back to the allocator.
void wipe_and_delete(const std::string* secret) {
  auto* s = const_cast<std::string*>(secret);
  if (!s->empty()) OPENSSL_cleanse(s->data(), s->size());
  delete s;
}

PkeyPtr read_public_key(std::string_view pem) {
  if (pem.size() > static_cast<std::size_t>(INT_MAX)) return nullptr;
  const BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return nullptr;
  if (pem.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos) {
    const X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    return PkeyPtr(cert ? X509_get_pubkey(cert.get()) : nullptr);
  }
  return PkeyPtr(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
}

bool is_p256(EVP_PKEY* key) {
  std::array<char, 64> name{};
  std::size_t length = 0;
  if (EVP_PKEY_get_group_name(key, name.data(), name.size(), &length) != 1) return false;
  const std::string_view group(name.data(), length);
  return group == "prime256v1" || group == "P-256" || group == "secp256r1";
}

}  // namespace

VerificationKey::VerificationKey(JwsAlgorithm algorithm, std::shared_ptr<const std::string> secret,
                                 std::shared_ptr<EVP_PKEY> public_key)
    : algorithm_(algorithm), secret_(std::move(secret)), public_key_(std::move(public_key)) {}

domain::Result<VerificationKey> VerificationKey::from_secret(std::string secret) {
  if (secret.size() < kMinSecretBytes) {
    OPENSSL_cleanse(secret.data(), secret.size());
    return key_error("jwt_secret", "the JWT secret must be at least " +
                                       std::to_string(kMinSecretBytes) + " bytes (got " +
                                       std::to_string(secret.size()) + ")");
  }
  std::shared_ptr<const std::string> owned(new std::string(std::move(secret)), wipe_and_delete);
  return VerificationKey(JwsAlgorithm::hs256, std::move(owned), nullptr);
}

domain::Result<VerificationKey> VerificationKey::from_public_key_pem(std::string_view pem) {
  PkeyPtr key = read_public_key(pem);
  ERR_clear_error();
  if (!key) {
    return public_key_error(
        "not a PEM public key (\"BEGIN PUBLIC KEY\") or X.509 certificate; a PKCS#1 \"BEGIN "
        "RSA PUBLIC KEY\" converts with `openssl rsa -RSAPublicKey_in -pubout`");
  }
  JwsAlgorithm algorithm = JwsAlgorithm::rs256;
  if (EVP_PKEY_is_a(key.get(), "RSA")) {
    const int bits = EVP_PKEY_get_bits(key.get());
    if (bits < kMinRsaBits) {
      return public_key_error("the RSA key has " + std::to_string(bits) +
                              " bits; RS256 needs at least " + std::to_string(kMinRsaBits));
    }
  } else if (EVP_PKEY_is_a(key.get(), "EC")) {
    if (!is_p256(key.get())) {
      ERR_clear_error();
      return public_key_error("the EC key is not on curve P-256, the only one ES256 allows");
    }
    algorithm = JwsAlgorithm::es256;
  } else {
    return public_key_error("the key is neither RSA (RS256) nor EC P-256 (ES256)");
  }
  return VerificationKey(algorithm, nullptr,
                         std::shared_ptr<EVP_PKEY>(key.release(), OpenSslFree{}));
}

bool VerificationKey::verify(std::string_view signing_input, std::string_view signature) const {
  switch (algorithm_) {
    case JwsAlgorithm::hs256: return hmac_sha256_matches(*secret_, signing_input, signature);
    case JwsAlgorithm::rs256: return verify_sha256(public_key_.get(), signing_input, signature);
    case JwsAlgorithm::es256: {
      // Any other length is refused here: OpenSSL never sees a DER signature the token
      // did not spell as R || S.
      const auto der = es256_raw_to_der(signature);
      return der && verify_sha256(public_key_.get(), signing_input, *der);
    }
  }
  return false;
}

}  // namespace sk::server::auth
