// Uuid parsing: the canonical 8-4-4-4-12 form in either case, normalised to
// lowercase; every other spelling refused.
#include "domain/uuid.h"

#include <gtest/gtest.h>

namespace sk::domain {
namespace {

TEST(Uuid, ParsesLowercaseAndWritesItBack) {
  const auto id = Uuid::parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->to_string(), "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
  EXPECT_EQ(id->bytes()[0], 0x0f);
  EXPECT_EQ(id->bytes()[15], 0xf0);
}

TEST(Uuid, UppercaseIsAcceptedAndNormalised) {
  const auto upper = Uuid::parse("0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0");
  const auto lower = Uuid::parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
  ASSERT_TRUE(upper && lower);
  EXPECT_EQ(*upper, *lower);
  EXPECT_EQ(upper->to_string(), "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
}

TEST(Uuid, NilAndMaxAreValid) {
  EXPECT_EQ(Uuid::parse("00000000-0000-0000-0000-000000000000"), Uuid{});
  const auto max = Uuid::parse("ffffffff-ffff-ffff-ffff-ffffffffffff");
  ASSERT_TRUE(max.has_value());
  EXPECT_EQ(max->to_string(), "ffffffff-ffff-ffff-ffff-ffffffffffff");
}

TEST(Uuid, AppendToAddsToExistingText) {
  std::string out = "id=";
  Uuid::parse("123e4567-e89b-12d3-a456-426614174000")->append_to(out);
  EXPECT_EQ(out, "id=123e4567-e89b-12d3-a456-426614174000");
}

TEST(Uuid, OrderingFollowsBytes) {
  const auto a = *Uuid::parse("00000000-0000-0000-0000-000000000001");
  const auto b = *Uuid::parse("00000000-0000-0000-0000-000000000002");
  EXPECT_LT(a, b);
  EXPECT_NE(a, b);
}

struct RejectCase {
  const char* name;
  const char* text;
};

class UuidRejects : public ::testing::TestWithParam<RejectCase> {};

TEST_P(UuidRejects, IsNullopt) { EXPECT_FALSE(Uuid::parse(GetParam().text).has_value()); }

INSTANTIATE_TEST_SUITE_P(
    Cases, UuidRejects,
    ::testing::Values(RejectCase{"NoDashes", "123e4567e89b12d3a456426614174000"},
                      RejectCase{"Braces", "{123e4567-e89b-12d3-a456-426614174000}"},
                      RejectCase{"UrnPrefix", "urn:uuid:123e4567-e89b-12d3-a456-426614174000"},
                      RejectCase{"Length35", "123e4567-e89b-12d3-a456-42661417400"},
                      RejectCase{"Length37", "123e4567-e89b-12d3-a456-4266141740000"},
                      RejectCase{"NonHex", "123e4567-e89b-12d3-a456-42661417400g"},
                      RejectCase{"DashMoved", "123e456-7e89b-12d3-a456-426614174000"},
                      RejectCase{"DashReplaced", "123e4567_e89b_12d3_a456_426614174000"},
                      RejectCase{"LeadingSpace", " 23e4567-e89b-12d3-a456-426614174000"},
                      RejectCase{"AllDashes", "------------------------------------"},
                      RejectCase{"Empty", ""}),
    [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace sk::domain
