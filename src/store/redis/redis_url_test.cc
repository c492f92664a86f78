// Tests of parse_redis_url and RedisUrl::redacted: a table of good URLs with what they
// parse to, a table of bad ones with the message each must give, and the password
// never leaking into a message or the redacted form. No I/O.
#include "store/redis/redis_url.h"

#include <ostream>

#include <gtest/gtest.h>

namespace sk::store::redis {
namespace {

struct Want {  // what a single-node URL parses to
  std::string host;
  std::uint16_t port;
  std::string username;
  std::string password;
  int db;
};

struct GoodCase {
  const char* name;
  const char* url;
  Want want;
};

// Names the case in CTest's listing instead of dumping its bytes.
void PrintTo(const GoodCase& c, std::ostream* os) { *os << c.url; }

class GoodUrl : public ::testing::TestWithParam<GoodCase> {};

TEST_P(GoodUrl, Parses) {
  const auto& c = GetParam();
  auto got = parse_redis_url(c.url);
  ASSERT_TRUE(got.ok()) << c.url << ": " << got.error().violations.at(0).message;
  EXPECT_EQ(got->host, c.want.host);
  EXPECT_EQ(got->port, c.want.port);
  EXPECT_EQ(got->username, c.want.username);
  EXPECT_EQ(got->password, c.want.password);
  EXPECT_EQ(got->db, c.want.db);
}

INSTANTIATE_TEST_SUITE_P(
    Table, GoodUrl,
    ::testing::Values(
        GoodCase{"HostOnly", "redis://localhost", {"localhost", 6379, "", "", 0}},
        GoodCase{"HostPortDb", "redis://10.0.0.5:6380/2", {"10.0.0.5", 6380, "", "", 2}},
        GoodCase{"TrailingSlash", "redis://cache/", {"cache", 6379, "", "", 0}},
        GoodCase{"PasswordOnly", "redis://:s3cret@cache", {"cache", 6379, "", "s3cret", 0}},
        GoodCase{"UserAndPassword",
                 "redis://alice:pw@cache:7000/15",
                 {"cache", 7000, "alice", "pw", 15}},
        GoodCase{"PercentEncoded", "redis://:p%40ss%2Fw%3Ad@h", {"h", 6379, "", "p@ss/w:d", 0}},
        GoodCase{"ColonInPassword", "redis://:a:b@h", {"h", 6379, "", "a:b", 0}},
        GoodCase{"AtInPassword", "redis://:a@b@h", {"h", 6379, "", "a@b", 0}},
        GoodCase{"Ipv6", "redis://[::1]:7001/3", {"::1", 7001, "", "", 3}},
        GoodCase{"Ipv6NoPort", "redis://[fe80::1]", {"fe80::1", 6379, "", "", 0}},
        GoodCase{"SchemeCase", "REDIS://Cache:1", {"Cache", 1, "", "", 0}},
        GoodCase{"MaxPort", "redis://h:65535", {"h", 65535, "", "", 0}}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

struct BadCase {
  const char* name;
  const char* url;
  const char* message_contains;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << '"' << c.url << '"'; }

class BadUrl : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadUrl, IsAValidationErrorSayingWhy) {
  const auto& c = GetParam();
  auto got = parse_redis_url(c.url);
  ASSERT_FALSE(got.ok()) << c.url;
  EXPECT_EQ(got.error().code, domain::ErrorCode::validation);
  ASSERT_EQ(got.error().violations.size(), 1U);
  EXPECT_EQ(got.error().violations[0].field, "redis_url");
  EXPECT_NE(got.error().violations[0].message.find(c.message_contains), std::string::npos)
      << c.url << " -> " << got.error().violations[0].message;
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadUrl,
    ::testing::Values(BadCase{"Tls", "rediss://h:6380", "TLS"},
                      BadCase{"TlsUpperCase", "REDISS://h", "TLS"},
                      BadCase{"OtherScheme", "http://h", "redis://"},
                      BadCase{"NoScheme", "localhost:6379", "redis://"},
                      BadCase{"Empty", "", "redis://"},
                      BadCase{"NoHost", "redis://", "host is required"},
                      BadCase{"PortWithoutHost", "redis://:6379", "host is required"},
                      BadCase{"CredentialsWithoutHost", "redis://:pw@", "host is required"},
                      BadCase{"PortZero", "redis://h:0", "port"},
                      BadCase{"PortTooBig", "redis://h:65536", "port"},
                      BadCase{"PortNotNumber", "redis://h:abc", "port"},
                      BadCase{"PortEmpty", "redis://h:", "empty port"},
                      BadCase{"PortSigned", "redis://h:+80", "port"},
                      BadCase{"DbNotNumber", "redis://h/abc", "database"},
                      BadCase{"DbNegative", "redis://h/-1", "database"},
                      BadCase{"DbPath", "redis://h/1/2", "database"},
                      BadCase{"UserWithoutPassword", "redis://alice@h", "[user]:password"},
                      BadCase{"EmptyPassword", "redis://alice:@h", "empty password"},
                      BadCase{"Query", "redis://h/0?timeout=1", "query"},
                      BadCase{"BadEscape", "redis://:pa%zzss@h", "percent-escape"},
                      BadCase{"TruncatedEscape", "redis://:pass%4@h", "percent-escape"},
                      BadCase{"UnterminatedIpv6", "redis://[::1", "IPv6"},
                      BadCase{"JunkAfterIpv6", "redis://[::1]x", "IPv6"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(RedisUrl, ErrorsNeverContainThePassword) {
  for (const char* url : {"redis://:hunter2@h:99999", "redis://u:hunter2@h/x", "redis://:hunter2@",
                          "rediss://:hunter2@h"}) {
    auto got = parse_redis_url(url);
    ASSERT_FALSE(got.ok()) << url;
    EXPECT_EQ(got.error().message.find("hunter2"), std::string::npos) << url;
    for (const auto& v : got.error().violations) {
      EXPECT_EQ(v.message.find("hunter2"), std::string::npos) << url;
    }
  }
}

TEST(RedisUrl, RedactedHidesThePassword) {
  auto with = parse_redis_url("redis://alice:hunter2@cache:7000/4");
  ASSERT_TRUE(with.ok());
  EXPECT_EQ(with->redacted(), "redis://alice:***@cache:7000/4");
  auto password_only = parse_redis_url("redis://:hunter2@cache");
  ASSERT_TRUE(password_only.ok());
  EXPECT_EQ(password_only->redacted(), "redis://:***@cache:6379/0");
  auto without = parse_redis_url("redis://[::1]");
  ASSERT_TRUE(without.ok());
  EXPECT_EQ(without->redacted(), "redis://[::1]:6379/0");
}

TEST(RedisUrl, AClusterUrlListsItsSeedsWithOneSetOfCredentials) {
  auto got = parse_redis_url("redis+cluster://alice:hunter2@10.0.0.1:7000,10.0.0.2,[::1]:7002");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_TRUE(got->cluster);
  ASSERT_EQ(got->seeds.size(), 3U);
  EXPECT_EQ(got->seeds[0], (NodeAddress{"10.0.0.1", 7000}));
  EXPECT_EQ(got->seeds[1], (NodeAddress{"10.0.0.2", 6379}));
  EXPECT_EQ(got->seeds[2], (NodeAddress{"::1", 7002}));
  EXPECT_EQ(got->host, "10.0.0.1");
  EXPECT_EQ(got->port, 7000);
  EXPECT_EQ(got->username, "alice");
  EXPECT_EQ(got->password, "hunter2");
  EXPECT_EQ(got->redacted(), "redis+cluster://alice:***@10.0.0.1:7000,10.0.0.2:6379,[::1]:7002");
  const RedisUrl node = got->at(got->seeds[2]);
  EXPECT_FALSE(node.cluster);
  EXPECT_EQ(node.host, "::1");
  EXPECT_EQ(node.port, 7002);
  EXPECT_EQ(node.password, "hunter2");
  EXPECT_FALSE(parse_redis_url("redis://h:1")->cluster);
}

TEST(RedisUrl, AClusterUrlRefusesADatabaseAndEmptySeeds) {
  for (const char* url : {"redis+cluster://h:7000/2", "redis+cluster://", "redis+cluster://h:1,",
                          "redis+cluster://,h:1", "redis+cluster://h:0", "REDIS+CLUSTER://h:x"}) {
    auto got = parse_redis_url(url);
    EXPECT_FALSE(got.ok()) << url;
  }
  EXPECT_TRUE(parse_redis_url("redis+cluster://h:7000/0").ok());
  auto db = parse_redis_url("redis+cluster://h:7000/3");
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.error().violations.at(0).message.find("database 0"), std::string::npos);
}

}  // namespace
}  // namespace sk::store::redis
