#include "server/auth/claims.h"

#include <string>
#include <variant>

#include <gtest/gtest.h>

#include "server/auth/claims_json.h"

namespace sk::server::auth {
namespace {

constexpr const char* kSession = "0b6a5b1e-6a43-4c2b-9a7e-2f0f5c1d9e01";
constexpr const char* kOtherSession = "7d2c4f10-1111-4e8b-8c3a-5a5b5c5d5e5f";
constexpr const char* kParticipant = "1c9d3e55-2b7a-4f60-8e21-6a0b9c8d7e6f";

TEST(Role, NamesRoundTrip) {
  for (const Role role : {Role::participant, Role::arbiter, Role::admin}) {
    EXPECT_EQ(parse_role(to_string(role)), role);
  }
  EXPECT_FALSE(parse_role("Admin").has_value());
  EXPECT_FALSE(parse_role("").has_value());
  EXPECT_FALSE(parse_role("root").has_value());
}

TEST(Claims, CoversListedSessionsCaseInsensitively) {
  Claims c;
  c.sessions = {kSession};
  EXPECT_FALSE(c.all_sessions());
  EXPECT_TRUE(c.covers(kSession));
  EXPECT_TRUE(c.covers("0B6A5B1E-6A43-4C2B-9A7E-2F0F5C1D9E01"));
  EXPECT_TRUE(c.covers(*domain::Uuid::parse(kSession)));
  EXPECT_FALSE(c.covers(kOtherSession));
  EXPECT_FALSE(c.covers(*domain::Uuid::parse(kOtherSession)));
  EXPECT_FALSE(c.covers(""));
  EXPECT_FALSE(c.covers("*"));
}

TEST(Claims, StarCoversEverySessionOnlyAlone) {
  Claims c;
  c.sessions = {"*"};
  EXPECT_TRUE(c.all_sessions());
  EXPECT_TRUE(c.covers(kOtherSession));
  c.sessions = {"*", kSession};
  EXPECT_FALSE(c.all_sessions());
  EXPECT_FALSE(c.covers(kOtherSession));
  c.sessions = {};
  EXPECT_FALSE(c.all_sessions());
  EXPECT_FALSE(c.covers(kSession));
}

std::string participant_payload(std::string_view extra) {
  return std::string(R"({"sub":")") + kParticipant + R"(","role":"participant","sessions":[")" +
         kSession + R"("],"exp":2000000000)" + std::string(extra) + "}";
}

TEST(DecodeClaims, ReadsEveryClaim) {
  const std::string json = std::string(R"({"sub":"ops@example","role":"admin","sessions":["*"],)") +
                           R"("exp":2000000000,"nbf":1000,"iat":999,"iss":"issuer",)" +
                           R"("aud":["a","b"],"jti":"ignored","custom":{"x":[1,2]}})";
  const auto decoded = decode_claims(json);
  ASSERT_TRUE(std::holds_alternative<Claims>(decoded));
  const Claims& c = std::get<Claims>(decoded);
  EXPECT_EQ(c.sub, "ops@example");
  EXPECT_EQ(c.role, Role::admin);
  EXPECT_EQ(c.sessions, std::vector<std::string>{"*"});
  EXPECT_EQ(c.exp, 2000000000);
  EXPECT_EQ(c.nbf, 1000);
  EXPECT_EQ(c.iat, 999);
  EXPECT_EQ(c.iss, "issuer");
  EXPECT_EQ(c.aud, (std::vector<std::string>{"a", "b"}));
}

TEST(DecodeClaims, WritesUuidsBackInLowercase) {
  const auto decoded =
      decode_claims(R"({"sub":"1C9D3E55-2B7A-4F60-8E21-6A0B9C8D7E6F","role":"participant",)"
                    R"("sessions":["0B6A5B1E-6A43-4C2B-9A7E-2F0F5C1D9E01"],"exp":5,"aud":"one"})");
  ASSERT_TRUE(std::holds_alternative<Claims>(decoded));
  const Claims& c = std::get<Claims>(decoded);
  EXPECT_EQ(c.sub, kParticipant);
  EXPECT_EQ(c.sessions, std::vector<std::string>{kSession});
  EXPECT_EQ(c.aud, std::vector<std::string>{"one"});
}

TEST(DecodeClaims, NamesTheProblemOfEachBadPayload) {
  struct Case {
    const char* name;
    std::string json;
    TokenProblem problem;
  };
  const std::string sessions = std::string(R"("sessions":[")") + kSession + R"("])";
  const std::string admin = R"({"sub":"x","role":"admin",)" + sessions;
  const Case cases[] = {
      {"not JSON", "{", TokenProblem::malformed},
      {"an array", "[]", TokenProblem::malformed},
      {"a string", R"("sub")", TokenProblem::malformed},
      {"duplicate key", admin + R"(,"exp":5,"exp":6})", TokenProblem::malformed},
      {"duplicate role", admin + R"(,"role":"participant","exp":5})", TokenProblem::malformed},
      {"no sub", std::string(R"({"role":"admin",)") + sessions + R"(,"exp":5})",
       TokenProblem::missing_claim},
      {"no role", std::string(R"({"sub":"x",)") + sessions + R"(,"exp":5})",
       TokenProblem::missing_claim},
      {"no sessions", R"({"sub":"x","role":"admin","exp":5})", TokenProblem::missing_claim},
      {"no exp", admin + "}", TokenProblem::missing_claim},
      {"empty object", "{}", TokenProblem::missing_claim},
      {"sub empty", std::string(R"({"sub":"","role":"admin",)") + sessions + R"(,"exp":5})",
       TokenProblem::invalid_claim},
      {"sub a number", std::string(R"({"sub":7,"role":"admin",)") + sessions + R"(,"exp":5})",
       TokenProblem::invalid_claim},
      {"participant sub not a UUID",
       std::string(R"({"sub":"alice","role":"participant",)") + sessions + R"(,"exp":5})",
       TokenProblem::invalid_claim},
      {"unknown role", std::string(R"({"sub":"x","role":"root",)") + sessions + R"(,"exp":5})",
       TokenProblem::invalid_claim},
      {"role in capitals", std::string(R"({"sub":"x","role":"ADMIN",)") + sessions + R"(,"exp":5})",
       TokenProblem::invalid_claim},
      {"role null", std::string(R"({"sub":"x","role":null,)") + sessions + R"(,"exp":5})",
       TokenProblem::invalid_claim},
      {"sessions empty", R"({"sub":"x","role":"admin","sessions":[],"exp":5})",
       TokenProblem::invalid_claim},
      {"sessions a string", R"({"sub":"x","role":"admin","sessions":"*","exp":5})",
       TokenProblem::invalid_claim},
      {"session not a UUID", R"({"sub":"x","role":"admin","sessions":["abc"],"exp":5})",
       TokenProblem::invalid_claim},
      {"session a number", R"({"sub":"x","role":"admin","sessions":[1],"exp":5})",
       TokenProblem::invalid_claim},
      {"star with ids",
       std::string(R"({"sub":"x","role":"admin","sessions":["*",")") + kSession + R"("],"exp":5})",
       TokenProblem::invalid_claim},
      {"two stars", R"({"sub":"x","role":"admin","sessions":["*","*"],"exp":5})",
       TokenProblem::invalid_claim},
      {"exp a string", admin + R"(,"exp":"5"})", TokenProblem::invalid_claim},
      {"exp fractional", admin + R"(,"exp":5.5})", TokenProblem::invalid_claim},
      {"exp negative", admin + R"(,"exp":-1})", TokenProblem::invalid_claim},
      {"exp past year 9999", admin + R"(,"exp":253402300800})", TokenProblem::invalid_claim},
      {"exp beyond int64", admin + R"(,"exp":18446744073709551615})", TokenProblem::invalid_claim},
      {"exp null", admin + R"(,"exp":null})", TokenProblem::invalid_claim},
      {"nbf a string", admin + R"(,"exp":5,"nbf":"1"})", TokenProblem::invalid_claim},
      {"iat fractional", admin + R"(,"exp":5,"iat":1.5})", TokenProblem::invalid_claim},
      {"iss a number", admin + R"(,"exp":5,"iss":1})", TokenProblem::invalid_claim},
      {"aud a number", admin + R"(,"exp":5,"aud":1})", TokenProblem::invalid_claim},
      {"aud array of numbers", admin + R"(,"exp":5,"aud":[1]})", TokenProblem::invalid_claim},
  };
  for (const Case& c : cases) {
    const auto decoded = decode_claims(c.json);
    const auto* problem = std::get_if<TokenProblem>(&decoded);
    if (problem == nullptr) {
      ADD_FAILURE() << c.name << ": accepted";
    } else {
      EXPECT_EQ(to_string(*problem), to_string(c.problem)) << c.name;
    }
  }
}

TEST(DecodeClaims, AcceptsTheSmallestValidPayload) {
  EXPECT_TRUE(std::holds_alternative<Claims>(decode_claims(participant_payload(""))));
  EXPECT_TRUE(std::holds_alternative<Claims>(decode_claims(participant_payload(R"(,"aud":[])"))));
}

TEST(EncodeClaims, RoundTripsThroughDecode) {
  Claims full;
  full.sub = "ops \"quoted\" \\ \u00e9";
  full.role = Role::arbiter;
  full.sessions = {kSession, kOtherSession};
  full.exp = kMaxNumericDate;
  full.nbf = 0;
  full.iat = 12;
  full.iss = "https://issuer.example";
  full.aud = {"one", "two"};

  Claims minimal;
  minimal.sub = kParticipant;
  minimal.sessions = {"*"};
  minimal.exp = 1;

  Claims one_audience = minimal;
  one_audience.aud = {"solo"};

  for (const Claims& c : {full, minimal, one_audience}) {
    const std::string json = encode_claims(c);
    const auto decoded = decode_claims(json);
    ASSERT_TRUE(std::holds_alternative<Claims>(decoded)) << json;
    EXPECT_EQ(std::get<Claims>(decoded), c) << json;
  }
  EXPECT_EQ(encode_claims(minimal), std::string(R"({"sub":")") + kParticipant +
                                        R"(","role":"participant","sessions":["*"],"exp":1})");
}

}  // namespace
}  // namespace sk::server::auth
