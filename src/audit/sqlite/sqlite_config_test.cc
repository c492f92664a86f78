// parse_audit_db: `sqlite:PATH` gives the path; anything else is a validation error
// on AUDIT_DB that says what was expected (and never echoes a database URL's password).
#include "audit/sqlite/sqlite_config.h"

#include <string>

#include <gtest/gtest.h>

namespace sk::audit::sqlite {
namespace {

struct Accepted {
  const char* name;
  std::string value;
  std::string path;
};

class ParseAccepted : public ::testing::TestWithParam<Accepted> {};

TEST_P(ParseAccepted, GivesThePath) {
  const auto r = parse_audit_db(GetParam().value);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, GetParam().path);
}

INSTANTIATE_TEST_SUITE_P(
    AuditDb, ParseAccepted,
    ::testing::Values(Accepted{"Relative", "sqlite:audit.db", "audit.db"},
                      Accepted{"DotRelative", "sqlite:./data/audit.db", "./data/audit.db"},
                      Accepted{"Absolute", "sqlite:/var/lib/synckairos/audit.db",
                               "/var/lib/synckairos/audit.db"},
                      Accepted{"Spaces", "sqlite:my audits/a.db", "my audits/a.db"},
                      Accepted{"Memory", "sqlite::memory:", ":memory:"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

struct Rejected {
  const char* name;
  std::string value;
  std::string says;  // part of the message
};

class ParseRejected : public ::testing::TestWithParam<Rejected> {};

TEST_P(ParseRejected, IsAValidationErrorOnAuditDb) {
  const auto r = parse_audit_db(GetParam().value);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, domain::ErrorCode::validation);
  ASSERT_EQ(r.error().violations.size(), 1u);
  const auto& v = r.error().violations[0];
  EXPECT_EQ(v.field, "AUDIT_DB");
  EXPECT_NE(v.message.find(GetParam().says), std::string::npos) << v.message;
  EXPECT_NE(v.message.find("expected sqlite:PATH"), std::string::npos) << v.message;
  EXPECT_EQ(v.message.find("secret"), std::string::npos) << v.message;
}

INSTANTIATE_TEST_SUITE_P(
    AuditDb, ParseRejected,
    ::testing::Values(Rejected{"Empty", "", "is empty"},
                      Rejected{"Postgres", "postgresql://sk:secret@db:5432/audit",
                               "postgresql: is not"},
                      Rejected{"BarePath", "audit.db", "no scheme"},
                      Rejected{"UpperCaseScheme", "SQLITE:audit.db", "SQLITE: is not"},
                      Rejected{"NoPath", "sqlite:", "needs a file path"},
                      Rejected{"HostPart", "sqlite://host/audit.db", "not //host"},
                      Rejected{"Nul", std::string("sqlite:a\0b.db", 13), "NUL"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace sk::audit::sqlite
