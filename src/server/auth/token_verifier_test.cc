#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "server/auth/base64url.h"
#include "server/auth/claims_json.h"
#include "server/auth/jws_crypto.h"
#include "server/auth/token.h"
#include "server/auth/token_forge.h"
#include "server/auth/token_minter.h"

namespace sk::server::auth {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;
constexpr const char* kSession = "0b6a5b1e-6a43-4c2b-9a7e-2f0f5c1d9e01";
constexpr const char* kParticipant = "1c9d3e55-2b7a-4f60-8e21-6a0b9c8d7e6f";
const std::string kSecret = "an HS256 secret of 32+ bytes, ok";

constexpr const char* kHs256 = R"({"alg":"HS256","typ":"JWT"})";
constexpr const char* kRs256 = R"({"alg":"RS256","typ":"JWT"})";
constexpr const char* kEs256 = R"({"alg":"ES256"})";

Claims valid_claims() {
  Claims c;
  c.sub = kParticipant;
  c.role = Role::participant;
  c.sessions = {kSession};
  c.exp = kNow + 3600;
  return c;
}

// Keys are generated once: RSA key generation takes a noticeable moment under ASan.
struct Keys {
  PkeyPtr rsa = forge::generate_rsa_key(2048);
  PkeyPtr ec = forge::generate_ec_key("P-256");
  std::string rsa_pem = forge::public_key_pem(rsa.get());
  std::string ec_pem = forge::public_key_pem(ec.get());
};

const Keys& keys() {
  static const Keys k;
  return k;
}

TokenVerifier hs_verifier(VerifierOptions options = {}) {
  auto v = TokenVerifier::from_secret(kSecret, std::move(options));
  if (!v.ok()) throw std::runtime_error(v.error().message);
  return std::move(v).value();
}

TokenVerifier pem_verifier(const std::string& pem, VerifierOptions options = {}) {
  auto v = TokenVerifier::from_public_key_pem(pem, std::move(options));
  if (!v.ok()) throw std::runtime_error(v.error().message);
  return std::move(v).value();
}

TokenVerifier rs_verifier() { return pem_verifier(keys().rsa_pem); }
TokenVerifier es_verifier() { return pem_verifier(keys().ec_pem); }

std::string hs_token(const std::string& payload_json, const char* header = kHs256) {
  return forge::sign_token(header, payload_json, nullptr, kSecret);
}

// "ok" or the problem's name, so failures print something readable.
std::string outcome(const Verified& v) {
  return v.claims ? std::string("ok") : std::string(to_string(v.problem));
}

std::string payload_of(const std::string& token) {
  const std::size_t first = token.find('.');
  const std::size_t second = token.find('.', first + 1);
  return token.substr(first + 1, second - first - 1);
}

TEST(TokenVerifier, Hs256MintedTokenVerifiesAndRoundTripsItsClaims) {
  Claims claims = valid_claims();
  claims.nbf = kNow - 10;
  claims.iat = kNow - 10;
  claims.iss = "issuer";
  claims.aud = {"a", "b"};
  const TokenVerifier verifier = hs_verifier();
  EXPECT_EQ(verifier.algorithm(), "HS256");
  const Verified v = verifier.verify(mint_hs256(claims, kSecret), kNow);
  ASSERT_EQ(outcome(v), "ok");
  EXPECT_EQ(*v.claims, claims);
  EXPECT_TRUE(v.ok());
}

TEST(TokenVerifier, Rs256AndEs256TokensVerifyWithTheirPublicKeys) {
  const std::string payload = encode_claims(valid_claims());
  const TokenVerifier rs = rs_verifier();
  const TokenVerifier es = es_verifier();
  EXPECT_EQ(rs.algorithm(), "RS256");
  EXPECT_EQ(es.algorithm(), "ES256");
  const Verified from_rs = rs.verify(forge::sign_token(kRs256, payload, keys().rsa.get()), kNow);
  const Verified from_es = es.verify(forge::sign_token(kEs256, payload, keys().ec.get()), kNow);
  ASSERT_EQ(outcome(from_rs), "ok");
  ASSERT_EQ(outcome(from_es), "ok");
  EXPECT_EQ(*from_rs.claims, valid_claims());
  EXPECT_EQ(*from_es.claims, valid_claims());
}

TEST(TokenVerifier, AcceptsACertificateInPlaceOfThePublicKey) {
  const std::string payload = encode_claims(valid_claims());
  const TokenVerifier rs = pem_verifier(forge::certificate_pem(keys().rsa.get()));
  const TokenVerifier es = pem_verifier(forge::certificate_pem(keys().ec.get()));
  EXPECT_EQ(rs.algorithm(), "RS256");
  EXPECT_EQ(es.algorithm(), "ES256");
  EXPECT_EQ(outcome(rs.verify(forge::sign_token(kRs256, payload, keys().rsa.get()), kNow)), "ok");
  EXPECT_EQ(outcome(es.verify(forge::sign_token(kEs256, payload, keys().ec.get()), kNow)), "ok");
}

TEST(TokenVerifier, TypMayBeAbsentOrJwtInAnyCase) {
  const std::string payload = encode_claims(valid_claims());
  const TokenVerifier v = hs_verifier();
  EXPECT_EQ(outcome(v.verify(hs_token(payload, R"({"alg":"HS256"})"), kNow)), "ok");
  EXPECT_EQ(outcome(v.verify(hs_token(payload, R"({"typ":"jwt","alg":"HS256"})"), kNow)), "ok");
  EXPECT_EQ(outcome(v.verify(hs_token(payload, R"({"alg":"HS256","kid":"k1"})"), kNow)), "ok");
}

TEST(TokenVerifier, RefusesAForgedOrForeignSignature) {
  const std::string payload = encode_claims(valid_claims());
  const PkeyPtr other_rsa = forge::generate_rsa_key(2048);
  const PkeyPtr other_ec = forge::generate_ec_key("P-256");
  struct Case {
    const char* name;
    TokenVerifier verifier;
    std::string genuine;
    std::string foreign;  // same header and payload, another key
  };
  const Case cases[] = {
      {"HS256", hs_verifier(), hs_token(payload),
       forge::sign_token(kHs256, payload, nullptr, "another secret of at least 32 bytes")},
      {"RS256", rs_verifier(), forge::sign_token(kRs256, payload, keys().rsa.get()),
       forge::sign_token(kRs256, payload, other_rsa.get())},
      {"ES256", es_verifier(), forge::sign_token(kEs256, payload, keys().ec.get()),
       forge::sign_token(kEs256, payload, other_ec.get())},
  };
  for (const Case& c : cases) {
    ASSERT_EQ(outcome(c.verifier.verify(c.genuine, kNow)), "ok") << c.name;
    EXPECT_EQ(outcome(c.verifier.verify(c.foreign, kNow)), "bad_signature") << c.name;
    // One changed symbol at the start of the genuine signature.
    std::string flipped = c.genuine;
    const std::size_t sig = flipped.rfind('.') + 1;
    flipped[sig] = flipped[sig] == 'A' ? 'B' : 'A';
    EXPECT_EQ(outcome(c.verifier.verify(flipped, kNow)), "bad_signature") << c.name;
    // The genuine signature cut short, and left out.
    const std::string cut = c.genuine.substr(0, sig) +
                            base64url_encode(base64url_decode(c.genuine.substr(sig))->substr(1));
    EXPECT_EQ(outcome(c.verifier.verify(cut, kNow)), "bad_signature") << c.name;
    EXPECT_EQ(outcome(c.verifier.verify(c.genuine.substr(0, sig), kNow)), "bad_signature")
        << c.name;
  }
}

TEST(TokenVerifier, RefusesATamperedPayloadUnderAGenuineSignature) {
  Claims admin = valid_claims();
  admin.role = Role::admin;
  admin.sessions = {"*"};
  const std::string forged_payload = base64url_encode(encode_claims(admin));
  struct Case {
    const char* name;
    TokenVerifier verifier;
    std::string token;
  };
  const std::string payload = encode_claims(valid_claims());
  const Case cases[] = {
      {"HS256", hs_verifier(), mint_hs256(valid_claims(), kSecret)},
      {"RS256", rs_verifier(), forge::sign_token(kRs256, payload, keys().rsa.get())},
      {"ES256", es_verifier(), forge::sign_token(kEs256, payload, keys().ec.get())},
  };
  for (const Case& c : cases) {
    ASSERT_EQ(outcome(c.verifier.verify(c.token, kNow)), "ok") << c.name;
    std::string tampered = c.token;
    const std::string original = payload_of(c.token);
    tampered.replace(tampered.find(original), original.size(), forged_payload);
    EXPECT_EQ(outcome(c.verifier.verify(tampered, kNow)), "bad_signature") << c.name;
  }
}

TEST(TokenVerifier, RefusesAlgNoneInEverySpellingWithOrWithoutASignature) {
  const std::string payload = encode_claims(valid_claims());
  const std::vector<TokenVerifier> verifiers = {hs_verifier(), rs_verifier(), es_verifier()};
  for (const char* header : {R"({"alg":"none"})", R"({"alg":"None","typ":"JWT"})",
                             R"({"alg":"NONE"})", R"({"alg":""})"}) {
    const std::string unsigned_token = signing_input(header, payload) + ".";
    const std::string hmac_signed = hs_token(payload, header);
    for (const TokenVerifier& v : verifiers) {
      EXPECT_EQ(outcome(v.verify(unsigned_token, kNow)), "unsupported_algorithm")
          << header << " " << v.algorithm();
      EXPECT_EQ(outcome(v.verify(hmac_signed, kNow)), "unsupported_algorithm")
          << header << " " << v.algorithm();
      // Only two parts: not a compact JWS at all.
      EXPECT_EQ(outcome(v.verify(signing_input(header, payload), kNow)), "malformed")
          << header << " " << v.algorithm();
    }
  }
}

TEST(TokenVerifier, RefusesHs256SignedWithThePublicKeyAsSecret) {
  // The classic confusion: a library that lets the token pick the algorithm would use
  // the RSA public key (which the attacker knows) as the HMAC secret.
  const std::string payload = encode_claims(valid_claims());
  for (const std::string* pem : {&keys().rsa_pem, &keys().ec_pem}) {
    const TokenVerifier v = pem_verifier(*pem);
    const std::string forged = forge::sign_token(kHs256, payload, nullptr, *pem);
    EXPECT_EQ(outcome(v.verify(forged, kNow)), "wrong_algorithm") << v.algorithm();
  }
}

TEST(TokenVerifier, RefusesAnotherFamilysAlgorithm) {
  const std::string payload = encode_claims(valid_claims());
  const std::string rs_token = forge::sign_token(kRs256, payload, keys().rsa.get());
  const std::string es_token = forge::sign_token(kEs256, payload, keys().ec.get());
  EXPECT_EQ(outcome(es_verifier().verify(rs_token, kNow)), "wrong_algorithm");
  EXPECT_EQ(outcome(rs_verifier().verify(es_token, kNow)), "wrong_algorithm");
  EXPECT_EQ(outcome(hs_verifier().verify(rs_token, kNow)), "wrong_algorithm");
  EXPECT_EQ(outcome(hs_verifier().verify(es_token, kNow)), "wrong_algorithm");
  // An RS256 header over an ES256 signature, and the reverse: the header decides
  // nothing, the key does.
  EXPECT_EQ(
      outcome(rs_verifier().verify(forge::sign_token(kRs256, payload, keys().ec.get()), kNow)),
      "bad_signature");
  EXPECT_EQ(
      outcome(es_verifier().verify(forge::sign_token(kEs256, payload, keys().rsa.get()), kNow)),
      "bad_signature");
  EXPECT_EQ(outcome(hs_verifier().verify(hs_token(payload, R"({"alg":"EdDSA"})"), kNow)),
            "wrong_algorithm");
  EXPECT_EQ(outcome(rs_verifier().verify(hs_token(payload, R"({"alg":"ES512"})"), kNow)),
            "wrong_algorithm");
}

TEST(TokenVerifier, RefusesSiblingsAndUnknownAlgorithms) {
  const std::string payload = encode_claims(valid_claims());
  const TokenVerifier hs = hs_verifier();
  const TokenVerifier rs = rs_verifier();
  for (const char* header :
       {R"({"alg":"HS512"})", R"({"alg":"hs256"})", R"({"alg":"HS256 "})", R"({"alg":"XYZ"})"}) {
    EXPECT_EQ(outcome(hs.verify(hs_token(payload, header), kNow)), "unsupported_algorithm")
        << header;
  }
  EXPECT_EQ(
      outcome(rs.verify(forge::sign_token(R"({"alg":"PS256"})", payload, keys().rsa.get()), kNow)),
      "unsupported_algorithm");
}

TEST(TokenVerifier, Es256SignatureMustBeRawRAndS) {
  const std::string payload = encode_claims(valid_claims());
  const std::string input = signing_input(kEs256, payload);
  const auto der = sign_sha256(keys().ec.get(), input);
  ASSERT_TRUE(der.has_value());
  const auto raw = es256_der_to_raw(*der);
  ASSERT_TRUE(raw.has_value());
  const TokenVerifier es = es_verifier();
  EXPECT_EQ(outcome(es.verify(compact_jws(kEs256, payload, *raw), kNow)), "ok");
  // The same signature as DER, as OpenSSL would write it: not what RFC 7518 §3.4 says.
  EXPECT_EQ(outcome(es.verify(compact_jws(kEs256, payload, *der), kNow)), "bad_signature");
  EXPECT_EQ(outcome(es.verify(compact_jws(kEs256, payload, *raw + '\0'), kNow)), "bad_signature");
  EXPECT_EQ(outcome(es.verify(compact_jws(kEs256, payload, raw->substr(0, 63)), kNow)),
            "bad_signature");
  EXPECT_EQ(outcome(es.verify(compact_jws(kEs256, payload, std::string(64, '\0')), kNow)),
            "bad_signature");
  EXPECT_EQ(outcome(es.verify(input + ".", kNow)), "bad_signature");
}

TEST(TokenVerifier, ChecksExpiryAndNotBeforeWithTheLeeway) {
  struct Case {
    const char* name;
    std::int64_t leeway_s;
    std::int64_t exp_from_now;
    std::optional<std::int64_t> nbf_from_now;
    const char* expected;
  };
  const Case cases[] = {
      {"valid", 30, 3600, std::nullopt, "ok"},
      {"expired past the leeway", 30, -31, std::nullopt, "expired"},
      {"expired exactly the leeway ago", 30, -30, std::nullopt, "expired"},
      {"expired within the leeway", 30, -29, std::nullopt, "ok"},
      {"no leeway, exp now", 0, 0, std::nullopt, "expired"},
      {"no leeway, exp in a second", 0, 1, std::nullopt, "ok"},
      {"nbf past the leeway", 30, 3600, 31, "not_yet_valid"},
      {"nbf exactly the leeway ahead", 30, 3600, 30, "ok"},
      {"nbf in the past", 30, 3600, -100, "ok"},
      {"no leeway, nbf in a second", 0, 3600, 1, "not_yet_valid"},
      {"no leeway, nbf now", 0, 3600, 0, "ok"},
      {"large leeway", 86400, -86399, std::nullopt, "ok"},
  };
  for (const Case& c : cases) {
    Claims claims = valid_claims();
    claims.exp = kNow + c.exp_from_now;
    if (c.nbf_from_now) claims.nbf = kNow + *c.nbf_from_now;
    VerifierOptions options;
    options.leeway_s = c.leeway_s;
    EXPECT_EQ(outcome(hs_verifier(options).verify(mint_hs256(claims, kSecret), kNow)), c.expected)
        << c.name;
  }
}

TEST(TokenVerifier, ChecksIssuerAndAudienceOnlyWhenConfigured) {
  struct Case {
    const char* name;
    std::optional<std::string> issuer, audience;  // configured
    std::optional<std::string> iss;               // in the token
    std::vector<std::string> aud;
    const char* expected;
  };
  const Case cases[] = {
      {"nothing configured, nothing sent", {}, {}, {}, {}, "ok"},
      {"nothing configured, anything sent", {}, {}, "whoever", {"whatever"}, "ok"},
      {"issuer matches", "https://idp", {}, "https://idp", {}, "ok"},
      {"issuer differs", "https://idp", {}, "https://evil", {}, "wrong_issuer"},
      {"issuer differs in case", "https://idp", {}, "https://IDP", {}, "wrong_issuer"},
      {"issuer absent", "https://idp", {}, {}, {}, "wrong_issuer"},
      {"audience as the one string", {}, "synckairos", {}, {"synckairos"}, "ok"},
      {"audience among several", {}, "synckairos", {}, {"other", "synckairos"}, "ok"},
      {"audience differs", {}, "synckairos", {}, {"other"}, "wrong_audience"},
      {"audience absent", {}, "synckairos", {}, {}, "wrong_audience"},
      {"both right", "i", "a", "i", {"a"}, "ok"},
      {"issuer right, audience wrong", "i", "a", "i", {"b"}, "wrong_audience"},
  };
  for (const Case& c : cases) {
    Claims claims = valid_claims();
    claims.iss = c.iss;
    claims.aud = c.aud;
    VerifierOptions options;
    options.issuer = c.issuer;
    options.audience = c.audience;
    EXPECT_EQ(outcome(hs_verifier(options).verify(mint_hs256(claims, kSecret), kNow)), c.expected)
        << c.name;
  }
}

TEST(TokenVerifier, NamesMissingAndInvalidClaimsOfASignedPayload) {
  struct Case {
    const char* name;
    std::string payload;
    const char* expected;
  };
  const std::string sessions = std::string(R"("sessions":[")") + kSession + R"("])";
  const Case cases[] = {
      {"no exp", std::string(R"({"sub":"x","role":"admin",)") + sessions + "}", "missing_claim"},
      {"no sub", std::string(R"({"role":"admin","exp":1800000000,)") + sessions + "}",
       "missing_claim"},
      {"no sessions", R"({"sub":"x","role":"admin","exp":1800000000})", "missing_claim"},
      {"no role", std::string(R"({"sub":"x","exp":1800000000,)") + sessions + "}", "missing_claim"},
      {"bad role", std::string(R"({"sub":"x","role":"god","exp":1800000000,)") + sessions + "}",
       "invalid_claim"},
      {"exp as a string",
       std::string(R"({"sub":"x","role":"admin","exp":"1800000000",)") + sessions + "}",
       "invalid_claim"},
      {"participant without a UUID",
       std::string(R"({"sub":"x","role":"participant","exp":1800000000,)") + sessions + "}",
       "invalid_claim"},
      {"not JSON", "{\"sub\":", "malformed"},
      {"JSON but not an object", "[1,2]", "malformed"},
      {"empty object", "{}", "missing_claim"},
      {"invalid UTF-8", "{\"sub\":\"\xff\"}", "malformed"},
  };
  const TokenVerifier v = hs_verifier();
  for (const Case& c : cases) {
    EXPECT_EQ(outcome(v.verify(hs_token(c.payload), kNow)), c.expected) << c.name;
  }
}

TEST(TokenVerifier, RefusesShortSecretsAndBadOptions) {
  for (const std::size_t length : {0u, 1u, 16u, 31u}) {
    const auto v = TokenVerifier::from_secret(std::string(length, 's'));
    ASSERT_FALSE(v.ok()) << length;
    EXPECT_EQ(v.error().code, domain::ErrorCode::validation);
    EXPECT_NE(v.error().message.find("at least 32 bytes"), std::string::npos) << v.error().message;
  }
  EXPECT_TRUE(TokenVerifier::from_secret(std::string(32, 's')).ok());
  for (const std::int64_t leeway : {-1, 86401}) {
    VerifierOptions options;
    options.leeway_s = leeway;
    EXPECT_FALSE(TokenVerifier::from_secret(kSecret, options).ok()) << leeway;
  }
}

TEST(TokenVerifier, RefusesWeakOrUnsupportedPublicKeys) {
  const PkeyPtr small_rsa = forge::generate_rsa_key(1024);
  const PkeyPtr p384 = forge::generate_ec_key("P-384");
  const PkeyPtr ed25519(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  ASSERT_TRUE(ed25519);
  struct Case {
    const char* name;
    std::string pem;
    const char* message_part;
  };
  const Case cases[] = {
      {"RSA 1024", forge::public_key_pem(small_rsa.get()), "at least 2048"},
      {"EC P-384", forge::public_key_pem(p384.get()), "P-256"},
      {"Ed25519", forge::public_key_pem(ed25519.get()), "neither RSA"},
      {"empty", "", "not a PEM public key"},
      {"garbage", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
       "not a PEM public key"},
      {"truncated", keys().rsa_pem.substr(0, 100), "not a PEM public key"},
  };
  for (const Case& c : cases) {
    const auto v = TokenVerifier::from_public_key_pem(c.pem);
    ASSERT_FALSE(v.ok()) << c.name;
    EXPECT_EQ(v.error().code, domain::ErrorCode::validation) << c.name;
    EXPECT_NE(v.error().message.find(c.message_part), std::string::npos)
        << c.name << ": " << v.error().message;
  }
  EXPECT_FALSE(TokenVerifier::from_public_key_file("/nonexistent/key.pem").ok());
}

TEST(TokenVerifier, ReadsThePublicKeyFromAFile) {
  const std::string path = ::testing::TempDir() + "sk_auth_test_key.pem";
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(keys().ec_pem.data(), 1, keys().ec_pem.size(), f);
    std::fclose(f);
  }
  const auto v = TokenVerifier::from_public_key_file(path);
  std::remove(path.c_str());
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->algorithm(), "ES256");
}

TEST(TokenVerifier, TokensOver8KiBAreMalformedWithoutParsing) {
  // Grow a valid token one audience byte at a time and find where it crosses 8 KiB.
  const TokenVerifier v = hs_verifier();
  Claims claims = valid_claims();
  claims.aud = {""};
  std::string largest_accepted;
  std::string token = mint_hs256(claims, kSecret);
  while (token.size() <= kMaxTokenBytes) {
    largest_accepted = token;
    claims.aud[0].push_back('a');
    token = mint_hs256(claims, kSecret);
  }
  ASSERT_GT(largest_accepted.size(), kMaxTokenBytes - 4);
  EXPECT_EQ(outcome(v.verify(largest_accepted, kNow)), "ok");
  EXPECT_EQ(outcome(v.verify(token, kNow)), "malformed");
  EXPECT_EQ(outcome(v.verify(std::string(1 << 20, 'A'), kNow)), "malformed");
}

TEST(TokenVerifier, GarbageIsMalformed) {
  const std::string good = mint_hs256(valid_claims(), kSecret);
  const std::size_t dot1 = good.find('.');
  const std::size_t dot2 = good.find('.', dot1 + 1);
  const std::string header = good.substr(0, dot1);
  const std::string payload = good.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string signature = good.substr(dot2 + 1);
  const std::string claims_json = encode_claims(valid_claims());
  struct Case {
    const char* name;
    std::string token;
  };
  const Case cases[] = {
      {"empty", ""},
      {"one dot", "."},
      {"two dots", ".."},
      {"three dots", "..."},
      {"no dots", "abc"},
      {"one part missing", header + "." + payload},
      {"four parts", good + ".x"},
      {"empty header", "." + payload + "." + signature},
      {"empty payload", header + ".." + signature},
      {"header truncated", header.substr(0, header.size() - 1) + "." + payload + "." + signature},
      {"payload truncated", header + "." + payload.substr(0, payload.size() - 1) + "." + signature},
      {"signature padded", good + "="},
      {"signature with a bad char", good.substr(0, good.size() - 1) + "*"},
      {"standard base64 header", "eyJ+" + good.substr(4)},
      {"leading space", " " + good},
      {"trailing newline", good + "\n"},
      {"header not JSON", base64url_encode("{") + "." + payload + "." + signature},
      {"header an array", hs_token(claims_json, R"(["HS256"])")},
      {"header without alg", hs_token(claims_json, R"({"typ":"JWT"})")},
      {"alg a number", hs_token(claims_json, R"({"alg":256})")},
      {"typ JOSE", hs_token(claims_json, R"({"alg":"HS256","typ":"JOSE"})")},
      {"typ not a string", hs_token(claims_json, R"({"alg":"HS256","typ":1})")},
      {"crit", hs_token(claims_json, R"({"alg":"HS256","crit":["exp"],"exp":1})")},
      {"crit empty", hs_token(claims_json, R"({"alg":"HS256","crit":[]})")},
      {"duplicate alg", hs_token(claims_json, R"({"alg":"none","alg":"HS256"})")},
      {"binary", std::string("\x00\xff.\x01.\x02", 6)},
  };
  const std::vector<TokenVerifier> verifiers = {hs_verifier(), rs_verifier(), es_verifier()};
  for (const Case& c : cases) {
    for (const TokenVerifier& v : verifiers) {
      EXPECT_EQ(outcome(v.verify(c.token, kNow)), "malformed") << c.name << " " << v.algorithm();
    }
  }
}

TEST(TokenVerifier, OneVerifierServesManyThreadsAtOnce) {
  const std::string payload = encode_claims(valid_claims());
  struct Pair {
    TokenVerifier verifier;
    std::string good;
    std::string bad;
  };
  const std::vector<Pair> pairs = {
      {hs_verifier(), mint_hs256(valid_claims(), kSecret),
       forge::sign_token(kHs256, payload, nullptr, std::string(32, 'x'))},
      {rs_verifier(), forge::sign_token(kRs256, payload, keys().rsa.get()),
       forge::sign_token(kRs256, payload, forge::generate_rsa_key(2048).get())},
      {es_verifier(), forge::sign_token(kEs256, payload, keys().ec.get()),
       forge::sign_token(kEs256, payload, forge::generate_ec_key().get())},
  };
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        for (const Pair& p : pairs) {
          if (!p.verifier.verify(p.good, kNow).ok()) ++wrong;
          if (p.verifier.verify(p.bad, kNow).problem != TokenProblem::bad_signature) ++wrong;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(TokenProblem, NamesAreSnakeCase) {
  const std::pair<TokenProblem, const char*> names[] = {
      {TokenProblem::malformed, "malformed"},
      {TokenProblem::unsupported_algorithm, "unsupported_algorithm"},
      {TokenProblem::wrong_algorithm, "wrong_algorithm"},
      {TokenProblem::bad_signature, "bad_signature"},
      {TokenProblem::expired, "expired"},
      {TokenProblem::not_yet_valid, "not_yet_valid"},
      {TokenProblem::wrong_issuer, "wrong_issuer"},
      {TokenProblem::wrong_audience, "wrong_audience"},
      {TokenProblem::missing_claim, "missing_claim"},
      {TokenProblem::invalid_claim, "invalid_claim"},
  };
  for (const auto& [problem, name] : names) EXPECT_EQ(to_string(problem), name);
}

}  // namespace
}  // namespace sk::server::auth
