// BinaryArray: the exact bytes array_recv reads, for each element type, with NULLs
// (and the has-nulls flag) and empty. That the server reads them back as meant is
// postgres_audit_writer_test's part.
#include "audit/postgres/pg_array.h"

#include <string>

#include <gtest/gtest.h>

namespace sk::audit::postgres {
namespace {

// `bytes` in lowercase hex, to compare with (and print as) the expected layout.
std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

// The expected hex without the spaces that keep it readable.
std::string unspaced(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c != ' ') out += c;
  }
  return out;
}

// ndim 1, has-nulls, element type 20 (int8), length 3, lower bound 1.
TEST(BinaryArray, Int8WithNull) {
  BinaryArray a(ElementType::int8);
  a.add(std::int64_t{-2});
  a.add(std::optional<std::int64_t>{});
  a.add(std::optional<std::int64_t>{0x0102030405060708});
  EXPECT_EQ(hex(a.finish()), unspaced("00000001 00000001 00000014 00000003 00000001"
                                      "00000008 fffffffffffffffe"  // -2
                                      "ffffffff"                   // NULL
                                      "00000008 0102030405060708"));
}

TEST(BinaryArray, Int4) {
  BinaryArray a(ElementType::int4);
  a.add(std::int64_t{3});
  a.add(std::int64_t{-1});
  EXPECT_EQ(hex(a.finish()), unspaced("00000001 00000000 00000017 00000002 00000001"
                                      "00000004 00000003"
                                      "00000004 ffffffff"));
}

TEST(BinaryArray, Boolean) {
  BinaryArray a(ElementType::boolean);
  a.add_bool(true);
  a.add_bool(false);
  EXPECT_EQ(hex(a.finish()), unspaced("00000001 00000000 00000010 00000002 00000001"
                                      "00000001 01"
                                      "00000001 00"));
}

TEST(BinaryArray, UuidIsItsSixteenBytes) {
  BinaryArray a(ElementType::uuid);
  a.add(*domain::Uuid::parse("5E000000-0000-4000-8000-0000000000FF"));
  a.add(std::optional<domain::Uuid>{});
  EXPECT_EQ(hex(a.finish()), unspaced("00000001 00000001 00000b86 00000002 00000001"  // 2950
                                      "00000010 5e000000 00004000 80000000 000000ff"
                                      "ffffffff"));
}

TEST(BinaryArray, TextIsTakenAsItIs) {
  // Nothing is quoted or escaped: quotes, backslashes, braces and the word NULL are
  // just bytes, as is a NUL, and an empty text is not a NULL.
  BinaryArray a(ElementType::text);
  a.add(std::string_view{R"("\{,})"});
  a.add(std::string_view{"NULL"});
  a.add(std::string_view{"a\0b", 3});
  a.add(std::string_view{""});
  EXPECT_EQ(hex(a.finish()), unspaced("00000001 00000000 00000019 00000004 00000001"
                                      "00000005 225c7b2c7d"  // "\{,}
                                      "00000004 4e554c4c"    // NULL
                                      "00000003 610062"
                                      "00000000"));
}

TEST(BinaryArray, JsonbHasItsVersionByte) {
  BinaryArray a(ElementType::jsonb);
  a.add(std::string_view{R"({"a":1})"});
  a.add(std::optional<std::string>{});
  EXPECT_EQ(hex(a.finish()), unspaced("00000001 00000001 00000eda 00000002 00000001"  // 3802
                                      "00000008 01 7b2261223a317d"  // 1, then {"a":1}
                                      "ffffffff"));
}

TEST(BinaryArray, EmptyHasNoDimensions) {
  BinaryArray a(ElementType::int8);
  a.reserve(100);
  EXPECT_EQ(hex(a.finish()), unspaced("00000000 00000000 00000014"));
}

TEST(BinaryArray, OnlyNulls) {
  BinaryArray a(ElementType::text);
  a.add_null();
  a.add_null();
  EXPECT_EQ(hex(a.finish()), unspaced("00000001 00000001 00000019 00000002 00000001"
                                      "ffffffff ffffffff"));
}

}  // namespace
}  // namespace sk::audit::postgres
