// ArrayLiteral: the text PostgreSQL's array input reads back element for element,
// whatever the text holds (quotes, backslashes, braces, commas, the word NULL).
#include "audit/postgres/pg_array.h"

#include <gtest/gtest.h>

namespace sk::audit::postgres {
namespace {

TEST(ArrayLiteral, WritesEachKindOfElement) {
  ArrayLiteral a;
  a.add(std::int64_t{-42});
  a.add_null();
  a.add_bool(true);
  a.add_bool(false);
  a.add(*domain::Uuid::parse("5E000000-0000-4000-8000-000000000001"));
  a.add(std::optional<std::int64_t>{});
  a.add(std::optional<std::int64_t>{7});
  EXPECT_EQ(a.finish(), "{-42,NULL,t,f,5e000000-0000-4000-8000-000000000001,NULL,7}");
}

TEST(ArrayLiteral, QuotesAndEscapesText) {
  ArrayLiteral a;
  a.add(std::string_view{R"({"a":"b\"c\\d"})"});
  a.add(std::string_view{"NULL"});
  a.add(std::string_view{""});
  EXPECT_EQ(a.finish(), R"({"{\"a\":\"b\\\"c\\\\d\"}","NULL",""})");
}

TEST(ArrayLiteral, EmptyIsBraces) { EXPECT_EQ(ArrayLiteral{}.finish(), "{}"); }

}  // namespace
}  // namespace sk::audit::postgres
