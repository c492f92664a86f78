// Keys and forged tokens for tests. See token_forge.h.
#include "server/auth/token_forge.h"

#include <stdexcept>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "server/auth/jws_crypto.h"
#include "server/auth/token_minter.h"

namespace sk::server::auth::forge {
namespace {

[[noreturn]] void fail(const char* what) { throw std::runtime_error(what); }

std::string drain(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(length));
}

}  // namespace

PkeyPtr generate_rsa_key(unsigned bits) {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits)));
  if (!key) fail("RSA key generation failed");
  return key;
}

PkeyPtr generate_ec_key(const char* curve) {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
  if (!key) fail("EC key generation failed");
  return key;
}

std::string public_key_pem(EVP_PKEY* key) {
  const BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) fail("PEM export failed");
  return drain(bio.get());
}

std::string certificate_pem(EVP_PKEY* key) {
  const X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1 ||
      ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600) == nullptr ||
      X509_set_pubkey(cert.get(), key) != 1) {
    fail("certificate setup failed");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("synckairos-test"), -1, -1, 0);
  if (X509_set_issuer_name(cert.get(), name) != 1 ||
      X509_sign(cert.get(), key, EVP_sha256()) <= 0) {
    fail("certificate signing failed");
  }
  const BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert.get()) != 1) fail("PEM export failed");
  return drain(bio.get());
}

std::string sign_token(std::string_view header_json, std::string_view payload_json,
                       EVP_PKEY* private_key, std::string_view hs_secret) {
  const std::string input = signing_input(header_json, payload_json);
  std::optional<std::string> signature;
  if (private_key == nullptr) {
    signature = hmac_sha256(hs_secret, input);
  } else if (EVP_PKEY_is_a(private_key, "EC")) {
    const auto der = sign_sha256(private_key, input);
    if (der) signature = es256_der_to_raw(*der);
  } else {
    signature = sign_sha256(private_key, input);
  }
  if (!signature) fail("signing failed");
  return compact_jws(header_json, payload_json, *signature);
}

}  // namespace sk::server::auth::forge
