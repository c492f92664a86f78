// ISO-8601 formatting and parsing: the exact 24-character UTC form, round trips over
// calendar edges, and every malformed variant refused.
#include "domain/time.h"

#include <gtest/gtest.h>

namespace sk::domain {
namespace {

struct RoundTripCase {
  const char* name;
  std::int64_t unix_ms;
  const char* text;
};

class Iso8601RoundTrip : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(Iso8601RoundTrip, FormatsAndParsesBack) {
  const auto& c = GetParam();
  EXPECT_EQ(format_iso8601(from_unix_ms(c.unix_ms)), c.text);
  const auto parsed = parse_iso8601(c.text);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(to_unix_ms(*parsed), c.unix_ms);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Iso8601RoundTrip,
    ::testing::Values(RoundTripCase{"Epoch", 0, "1970-01-01T00:00:00.000Z"},
                      RoundTripCase{"EpochPlusOneMs", 1, "1970-01-01T00:00:00.001Z"},
                      RoundTripCase{"EndOfDay", 86'399'999, "1970-01-01T23:59:59.999Z"},
                      RoundTripCase{"LeapDay2024", 1'709'164'800'000, "2024-02-29T00:00:00.000Z"},
                      RoundTripCase{"LeapDay2000", 951'782'400'123, "2000-02-29T00:00:00.123Z"},
                      RoundTripCase{"Y2038Rollover", 2'147'483'648'000, "2038-01-19T03:14:08.000Z"},
                      RoundTripCase{"NewYearsEve", 1'798'761'599'999, "2026-12-31T23:59:59.999Z"},
                      RoundTripCase{"SpecExample", 1'795'382'746'123, "2026-11-22T21:25:46.123Z"},
                      RoundTripCase{"Year9999", 253'402'300'799'999, "9999-12-31T23:59:59.999Z"}),
    [](const auto& p) { return std::string(p.param.name); });

struct RejectCase {
  const char* name;
  const char* text;
};

class Iso8601Rejects : public ::testing::TestWithParam<RejectCase> {};

TEST_P(Iso8601Rejects, IsNullopt) { EXPECT_FALSE(parse_iso8601(GetParam().text).has_value()); }

INSTANTIATE_TEST_SUITE_P(
    Cases, Iso8601Rejects,
    ::testing::Values(RejectCase{"February30", "2026-02-30T00:00:00.000Z"},
                      RejectCase{"February29NonLeap", "2026-02-29T00:00:00.000Z"},
                      RejectCase{"Month13", "2026-13-01T00:00:00.000Z"},
                      RejectCase{"Month0", "2026-00-01T00:00:00.000Z"},
                      RejectCase{"Day0", "2026-01-00T00:00:00.000Z"},
                      RejectCase{"Hour24", "2026-01-01T24:00:00.000Z"},
                      RejectCase{"Minute60", "2026-01-01T00:60:00.000Z"},
                      RejectCase{"LeapSecond", "2026-12-31T23:59:60.000Z"},
                      RejectCase{"MissingZ", "2026-01-01T00:00:00.000"},
                      RejectCase{"LowercaseZ", "2026-01-01T00:00:00.000z"},
                      RejectCase{"Offset", "2026-01-01T00:00:00.000+00:00"},
                      RejectCase{"NoMillis", "2026-01-01T00:00:00Z"},
                      RejectCase{"Micros", "2026-01-01T00:00:00.000000Z"},
                      RejectCase{"SpaceSeparator", "2026-01-01 00:00:00.000Z"},
                      RejectCase{"SignedYear", "+026-01-01T00:00:00.000Z"},
                      RejectCase{"LetterInDigits", "2026-0a-01T00:00:00.000Z"},
                      RejectCase{"Empty", ""}, RejectCase{"DateOnly", "2026-01-01"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(Iso8601, AppendAddsToExistingText) {
  std::string out = "at ";
  append_iso8601(out, from_unix_ms(0));
  EXPECT_EQ(out, "at 1970-01-01T00:00:00.000Z");
}

TEST(Iso8601, UnixMsConversionsAreInverse) {
  EXPECT_EQ(to_unix_ms(from_unix_ms(1'700'000'000'123)), 1'700'000'000'123);
  EXPECT_EQ(from_unix_ms(5) - from_unix_ms(2), Millis{3});
}

}  // namespace
}  // namespace sk::domain
