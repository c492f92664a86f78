#include "server/auth/base64url.h"

#include <string>

#include <gtest/gtest.h>

namespace sk::server::auth {
namespace {

TEST(Base64Url, EncodesTheRfc4648VectorsWithoutPadding) {
  struct Case {
    std::string bytes;
    std::string text;
  };
  const Case cases[] = {
      {"", ""},
      {"f", "Zg"},
      {"fo", "Zm8"},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg"},
      {"fooba", "Zm9vYmE"},
      {"foobar", "Zm9vYmFy"},
      {"\xfb\xff", "-_8"},  // the two url-safe symbols
  };
  for (const Case& c : cases) {
    EXPECT_EQ(base64url_encode(c.bytes), c.text) << c.text;
    EXPECT_EQ(base64url_decode(c.text), c.bytes) << c.text;
  }
}

TEST(Base64Url, RoundTripsEveryByteAtEveryLength) {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    bytes.push_back(static_cast<char>(i * 37 + 11));
    const auto back = base64url_decode(base64url_encode(bytes));
    ASSERT_TRUE(back.has_value()) << i;
    EXPECT_EQ(*back, bytes) << i;
  }
}

TEST(Base64Url, RefusesEverySpellingButTheCanonicalOne) {
  struct Case {
    const char* name;
    std::string text;
  };
  const Case cases[] = {
      {"padding", "Zg=="},
      {"one padding char", "Zm8="},
      {"standard alphabet plus", "Zm+v"},
      {"standard alphabet slash", "Zm/v"},
      {"space", "Zm9 v"},
      {"newline", "Zm9v\n"},
      {"impossible length 4n+1", "Zm9vY"},
      {"single symbol", "Z"},
      {"non-zero unused bits after one byte", "Zh"},
      {"non-zero unused bits after two bytes", "Zm9"},
      {"nul byte", std::string("Zm\0v", 4)},
      {"high byte", "Zm\xc3\xa9v"},
  };
  for (const Case& c : cases) EXPECT_FALSE(base64url_decode(c.text).has_value()) << c.name;
}

}  // namespace
}  // namespace sk::server::auth
