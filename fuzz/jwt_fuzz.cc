// libFuzzer target: arbitrary bytes into the JWT verifier of server/auth/token.h.
//
// Random bytes almost never carry a valid signature, so most of the verifier would
// stay unreached; each input is therefore used four ways:
//  1. as a whole token, against an HS256 and an ES256 verifier;
//  2. as a claims set (payload JSON), HS256-signed here, so the claims decoder and the
//     time checks see it; an accepted one is minted again and must verify to the same
//     claims;
//  3. as a protected header (JSON), HS256-signed over valid claims, for the header and
//     algorithm checks;
//  4. as the seed of a valid claims set (FuzzedDataProvider), which mint_hs256 must turn
//     into a token that verifies back to exactly those claims.
// Beyond "no crash, no sanitizer report", checks that an accepted token always honours
// the documented contract (a failed check aborts, which libFuzzer records as a crash).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <fuzzer/FuzzedDataProvider.h>
#include <simdjson.h>

#include "domain/uuid.h"
#include "server/auth/claims_json.h"
#include "server/auth/token.h"
#include "server/auth/token_forge.h"
#include "server/auth/token_minter.h"

namespace {

using namespace sk::server::auth;

constexpr std::int64_t kNow = 1'700'000'000;
constexpr std::int64_t kLeeway = 30;
// Shared with the seeds in fuzz/corpus/jwt/, so the valid ones verify.
constexpr std::string_view kSecret = "synckairos-fuzz-secret-0123456789abcdef";
constexpr std::string_view kHs256Header = R"({"alg":"HS256","typ":"JWT"})";

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "property violated: %s\n", what);
    std::abort();
  }
}

struct Verifiers {
  TokenVerifier hs = TokenVerifier::from_secret(std::string(kSecret)).value();
  PkeyPtr ec_key = forge::generate_ec_key("P-256");
  TokenVerifier es =
      TokenVerifier::from_public_key_pem(forge::public_key_pem(ec_key.get())).value();
};

// Built once: key generation per input would dominate the run.
const Verifiers& verifiers() {
  static const Verifiers v;
  return v;
}

bool is_valid_problem(TokenProblem p) {
  return static_cast<int>(p) >= static_cast<int>(TokenProblem::malformed) &&
         static_cast<int>(p) <= static_cast<int>(TokenProblem::invalid_claim);
}

// What every accepted token must satisfy (claims_json.h, token.h).
void check_accepted(const Claims& c) {
  require(!c.sub.empty(), "accepted an empty sub");
  require(!c.sessions.empty(), "accepted an empty sessions list");
  for (const std::string& s : c.sessions) {
    const bool star = s == kAllSessions;
    require(star ? c.sessions.size() == 1 : sk::domain::Uuid::parse(s).has_value(),
            "accepted a session that is neither a UUID nor a lone \"*\"");
    if (!star) require(sk::domain::Uuid::parse(s)->to_string() == s, "session not canonical");
  }
  if (c.role == Role::participant) {
    require(sk::domain::Uuid::parse(c.sub).has_value(), "participant sub is not a UUID");
  }
  require(kNow < c.exp + kLeeway, "accepted an expired token");
  require(!c.nbf || kNow >= *c.nbf - kLeeway, "accepted a token before its nbf");
  require(to_string(parse_role(to_string(c.role)).value()) == to_string(c.role), "role name");
}

Verified verify_checked(const TokenVerifier& v, std::string_view token) {
  const Verified result = v.verify(token, kNow);
  if (result.claims) {
    check_accepted(*result.claims);
  } else {
    require(is_valid_problem(result.problem), "problem out of range");
    require(!to_string(result.problem).empty(), "problem without a name");
  }
  if (token.size() > kMaxTokenBytes) require(!result.claims, "accepted an oversize token");
  return result;
}

// Claims that were accepted once must survive mint -> verify unchanged.
void check_round_trip(const Claims& claims) {
  const std::string token = mint_hs256(claims, kSecret);
  if (token.size() > kMaxTokenBytes) return;
  const Verified again = verify_checked(verifiers().hs, token);
  require(again.claims.has_value(), "re-minted claims do not verify");
  require(*again.claims == claims, "mint -> verify changed the claims");
}

void check_as_token(std::string_view input) {
  const Verified hs = verify_checked(verifiers().hs, input);
  const Verified es = verify_checked(verifiers().es, input);
  // The ES256 verifier's private key never leaves this process: nothing the fuzzer
  // writes can be a valid ES256 token, and no HS256 token may pass as one.
  require(!es.claims, "the ES256 verifier accepted a token it never signed");
  if (hs.claims) check_round_trip(*hs.claims);
}

void check_as_payload(std::string_view input) {
  const std::string token = forge::sign_token(kHs256Header, input, nullptr, kSecret);
  const Verified v = verify_checked(verifiers().hs, token);
  if (v.claims) check_round_trip(*v.claims);
  // The same payload under another key, or under the HS256 key in front of the ES256
  // verifier, never passes.
  require(!verify_checked(verifiers().es, token).claims, "ES256 verifier accepted HS256");
}

void check_as_header(std::string_view input) {
  Claims claims;
  claims.sub = "ops";
  claims.role = Role::admin;
  claims.sessions = {"*"};
  claims.exp = kNow + 60;
  const std::string token = forge::sign_token(input, encode_claims(claims), nullptr, kSecret);
  const Verified v = verify_checked(verifiers().hs, token);
  if (v.claims) require(*v.claims == claims, "a header changed the claims");
  require(!verify_checked(verifiers().es, token).claims, "ES256 verifier accepted HS256");
}

std::string fuzzed_uuid(FuzzedDataProvider& in) {
  std::array<std::uint8_t, 16> bytes{};
  for (auto& b : bytes) b = in.ConsumeIntegral<std::uint8_t>();
  return sk::domain::Uuid(bytes).to_string();
}

// A string the codec can carry: valid UTF-8 (append_json_string replaces the rest).
std::string fuzzed_text(FuzzedDataProvider& in, std::size_t max_length) {
  std::string s = in.ConsumeRandomLengthString(max_length);
  if (!simdjson::validate_utf8(s.data(), s.size())) s.clear();
  return s;
}

void check_minted(std::string_view input) {
  FuzzedDataProvider in(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
  Claims claims;
  claims.role = in.PickValueInArray({Role::participant, Role::arbiter, Role::admin});
  if (claims.role == Role::participant) {
    claims.sub = fuzzed_uuid(in);
  } else {
    claims.sub = fuzzed_text(in, 64);
    if (claims.sub.empty()) claims.sub = "x";
  }
  const int session_count = in.ConsumeIntegralInRange(0, 4);
  if (session_count == 0) claims.sessions = {std::string(kAllSessions)};
  for (int i = 0; i < session_count; ++i) claims.sessions.push_back(fuzzed_uuid(in));
  claims.exp = in.ConsumeIntegralInRange<std::int64_t>(kNow - kLeeway + 1, kMaxNumericDate);
  if (in.ConsumeBool()) claims.nbf = in.ConsumeIntegralInRange<std::int64_t>(0, kNow + kLeeway);
  if (in.ConsumeBool()) claims.iat = in.ConsumeIntegralInRange<std::int64_t>(0, kMaxNumericDate);
  if (in.ConsumeBool()) claims.iss = fuzzed_text(in, 64);
  const int audience_count = in.ConsumeIntegralInRange(0, 3);
  for (int i = 0; i < audience_count; ++i) claims.aud.push_back(fuzzed_text(in, 32));

  const Verified v = verify_checked(verifiers().hs, mint_hs256(claims, kSecret));
  require(v.claims.has_value(), "a minted token of valid claims does not verify");
  require(*v.claims == claims, "mint -> verify changed the claims");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_as_token(input);
  check_as_payload(input);
  check_as_header(input);
  check_minted(input);
  return 0;
}
