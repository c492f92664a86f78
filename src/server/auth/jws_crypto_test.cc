#include "server/auth/jws_crypto.h"

#include <string>

#include <gtest/gtest.h>

#include "server/auth/token_forge.h"

namespace sk::server::auth {
namespace {

std::string hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    out.push_back(kHex[static_cast<unsigned char>(c) >> 4]);
    out.push_back(kHex[static_cast<unsigned char>(c) & 0xf]);
  }
  return out;
}

TEST(HmacSha256, MatchesRfc4231TestCase2) {
  const auto mac = hmac_sha256("Jefe", "what do ya want for nothing?");
  ASSERT_TRUE(mac.has_value());
  EXPECT_EQ(hex(*mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256, MatchesOnlyTheExactMac) {
  const std::string key(32, 'k');
  const auto mac = hmac_sha256(key, "data");
  ASSERT_TRUE(mac.has_value());
  EXPECT_TRUE(hmac_sha256_matches(key, "data", *mac));
  EXPECT_FALSE(hmac_sha256_matches(key, "datA", *mac));
  EXPECT_FALSE(hmac_sha256_matches(key, "data", mac->substr(0, 31)));
  EXPECT_FALSE(hmac_sha256_matches(key, "data", *mac + "x"));
  EXPECT_FALSE(hmac_sha256_matches(key, "data", ""));
  std::string flipped = *mac;
  flipped[31] = static_cast<char>(flipped[31] ^ 1);
  EXPECT_FALSE(hmac_sha256_matches(key, "data", flipped));
}

TEST(HmacSha256, AcceptsAnEmptyKey) {
  // mint_hs256 may be handed one; the verifier refuses it, the primitive need not fail.
  EXPECT_TRUE(hmac_sha256("", "data").has_value());
}

TEST(Es256Signature, RawAndDerRoundTrip) {
  const PkeyPtr key = forge::generate_ec_key("P-256");
  const auto der = sign_sha256(key.get(), "message");
  ASSERT_TRUE(der.has_value());
  ASSERT_TRUE(verify_sha256(key.get(), "message", *der));
  const auto raw = es256_der_to_raw(*der);
  ASSERT_TRUE(raw.has_value());
  ASSERT_EQ(raw->size(), 64u);
  const auto der_again = es256_raw_to_der(*raw);
  ASSERT_TRUE(der_again.has_value());
  EXPECT_TRUE(verify_sha256(key.get(), "message", *der_again));
  EXPECT_FALSE(verify_sha256(key.get(), "messagE", *der_again));
}

TEST(Es256Signature, RawMustBe64Bytes) {
  EXPECT_FALSE(es256_raw_to_der("").has_value());
  EXPECT_FALSE(es256_raw_to_der(std::string(63, '\x01')).has_value());
  EXPECT_FALSE(es256_raw_to_der(std::string(65, '\x01')).has_value());
  EXPECT_FALSE(es256_raw_to_der(std::string(96, '\x01')).has_value());
  EXPECT_TRUE(es256_raw_to_der(std::string(64, '\x01')).has_value());
}

TEST(Es256Signature, GarbageDerDoesNotConvert) {
  EXPECT_FALSE(es256_der_to_raw("").has_value());
  EXPECT_FALSE(es256_der_to_raw("\x30\x02\x01").has_value());
}

TEST(VerifySha256, RefusesGarbageSignaturesOfEitherKeyType) {
  const PkeyPtr rsa = forge::generate_rsa_key(2048);
  const PkeyPtr ec = forge::generate_ec_key("P-256");
  for (EVP_PKEY* key : {rsa.get(), ec.get()}) {
    EXPECT_FALSE(verify_sha256(key, "data", ""));
    EXPECT_FALSE(verify_sha256(key, "data", std::string(256, '\0')));
    EXPECT_FALSE(verify_sha256(key, "data", "\x30\x06\x02\x01\x01\x02\x01\x01"));
  }
  EXPECT_FALSE(verify_sha256(nullptr, "data", "x"));
}

}  // namespace
}  // namespace sk::server::auth
