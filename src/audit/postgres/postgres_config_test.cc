// make_conninfo / redacted: both DATABASE_URL forms are accepted and normalised, the
// sslmode is checked and applied, defaults are added only when absent, and no error
// or log form ever shows the password.
#include "audit/postgres/postgres_config.h"

#include <string>

#include <gtest/gtest.h>

namespace sk::audit::postgres {
namespace {

using domain::ErrorCode;

std::string must(const domain::Result<std::string>& r) {
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : std::string{};
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

TEST(MakeConninfo, AcceptsAUriAndAddsTheDefaults) {
  const std::string c = must(make_conninfo("postgres://sk:s3cret@db.example:6543/audit"));
  EXPECT_TRUE(contains(c, "user='sk'")) << c;
  EXPECT_TRUE(contains(c, "password='s3cret'")) << c;
  EXPECT_TRUE(contains(c, "host='db.example'")) << c;
  EXPECT_TRUE(contains(c, "port='6543'")) << c;
  EXPECT_TRUE(contains(c, "dbname='audit'")) << c;
  EXPECT_TRUE(contains(c, "connect_timeout='5'")) << c;
  EXPECT_TRUE(contains(c, "application_name='synckairos'")) << c;
}

TEST(MakeConninfo, AcceptsKeyValueAndKeepsWhatItSets) {
  const std::string c = must(make_conninfo(
      "host=/run/postgresql dbname=x connect_timeout=2 application_name=ops", "require"));
  EXPECT_TRUE(contains(c, "connect_timeout='2'")) << c;
  EXPECT_FALSE(contains(c, "connect_timeout='5'")) << c;
  EXPECT_TRUE(contains(c, "application_name='ops'")) << c;
  EXPECT_TRUE(contains(c, "sslmode='require'")) << c;
}

TEST(MakeConninfo, SslmodeArgumentOverridesTheUrl) {
  const std::string c = must(make_conninfo("postgresql://h/db?sslmode=disable", "verify-full"));
  EXPECT_TRUE(contains(c, "sslmode='verify-full'")) << c;
  EXPECT_FALSE(contains(c, "disable")) << c;
  const std::string kept = must(make_conninfo("postgresql://h/db?sslmode=disable"));
  EXPECT_TRUE(contains(kept, "sslmode='disable'")) << kept;
}

TEST(MakeConninfo, QuotesValuesSoTheyReadBack) {
  const std::string c = must(make_conninfo("postgresql://u:it%27s%5Cx%20y@h/db"));
  EXPECT_TRUE(contains(c, R"(password='it\'s\\x y')")) << c;
}

TEST(MakeConninfo, RefusesBadInputWithoutShowingThePassword) {
  struct Case {
    const char* url;
    const char* sslmode;
    const char* field;
  };
  for (const Case& c : {Case{"", "", "DATABASE_URL"},
                        Case{"postgres://u:hunter2@h:notaport/db", "", "DATABASE_URL"},
                        Case{"postgres://u:hunter2@h/db?bogus=1", "", "DATABASE_URL"},
                        Case{"password=hunter2 nonsense", "", "DATABASE_URL"},
                        Case{"postgres://u:hunter2@h/db?sslmode=sometimes", "", "DATABASE_URL"},
                        Case{"postgres://u:hunter2@h/db", "maybe", "DATABASE_SSLMODE"},
                        Case{"postgres://u:hun%zzter2@h/db", "", "DATABASE_URL"}}) {
    const auto r = make_conninfo(c.url, c.sslmode);
    ASSERT_FALSE(r.ok()) << c.url;
    EXPECT_EQ(r.error().code, ErrorCode::validation) << c.url;
    ASSERT_FALSE(r.error().violations.empty()) << c.url;
    EXPECT_EQ(r.error().violations[0].field, c.field) << c.url;
    EXPECT_FALSE(contains(r.error().message, "hunter2")) << r.error().message;
    EXPECT_FALSE(contains(r.error().message, "hun")) << r.error().message;
    for (const auto& v : r.error().violations) {
      EXPECT_FALSE(contains(v.message, "hun")) << v.message;
    }
  }
}

TEST(Redacted, HidesThePasswordInEveryForm) {
  EXPECT_EQ(redacted("postgres://sk:s3cret@db:5432/audit?sslmode=require"),
            "postgres://sk:***@db:5432/audit?sslmode=require");
  EXPECT_EQ(redacted("postgresql://sk@db/audit"), "postgresql://sk@db/audit");
  EXPECT_EQ(redacted("postgresql://db"), "postgresql://db");
  EXPECT_EQ(redacted("postgresql://u:p%40ss@db/x?password=two&sslmode=disable"),
            "postgresql://u:***@db/x?password=***&sslmode=disable");
  EXPECT_EQ(redacted("host=db password=s3cret dbname=x"), "host=db password=*** dbname=x");
  EXPECT_EQ(redacted("host=db password = 'it\\'s secret' dbname=x"),
            "host=db password = *** dbname=x");
  EXPECT_EQ(redacted("host=db nopassword=1"), "host=db nopassword=1");
}

}  // namespace
}  // namespace sk::audit::postgres
