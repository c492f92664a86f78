#include "server/connection_limits.h"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace sk::server {
namespace {

using Verdict = ConnectionLimits::Verdict;
namespace ip = boost::asio::ip;

ip::address addr(const char* text) { return ip::make_address(text); }

TEST(ConnectionLimitsTest, PerAddressCapRefusesOnlyThatAddress) {
  ConnectionLimits limits({10, 2});
  auto a1 = limits.admit(addr("10.0.0.1"));
  auto a2 = limits.admit(addr("10.0.0.1"));
  ASSERT_EQ(a1.verdict, Verdict::admitted);
  ASSERT_EQ(a2.verdict, Verdict::admitted);
  const auto a3 = limits.admit(addr("10.0.0.1"));
  EXPECT_EQ(a3.verdict, Verdict::over_per_ip);
  EXPECT_FALSE(a3.slot);
  EXPECT_EQ(limits.admit(addr("10.0.0.2")).verdict, Verdict::admitted);
  EXPECT_EQ(limits.open_from(addr("10.0.0.1")), 2u);
  // A released slot is a free place again.
  a1.slot.release();
  EXPECT_EQ(limits.open_from(addr("10.0.0.1")), 1u);
  EXPECT_EQ(limits.admit(addr("10.0.0.1")).verdict, Verdict::admitted);
}

TEST(ConnectionLimitsTest, TotalCapComesFirst) {
  ConnectionLimits limits({2, 1});
  auto a = limits.admit(addr("10.0.0.1"));
  auto b = limits.admit(addr("10.0.0.2"));
  EXPECT_EQ(limits.open(), 2u);
  EXPECT_EQ(limits.admit(addr("10.0.0.1")).verdict, Verdict::over_total);
  EXPECT_EQ(limits.admit(addr("10.0.0.3")).verdict, Verdict::over_total);
  {
    ConnectionSlot moved = std::move(b.slot);  // the place moves with the slot
    EXPECT_EQ(limits.open(), 2u);
  }
  EXPECT_EQ(limits.open(), 1u);
  EXPECT_EQ(limits.admit(addr("10.0.0.3")).verdict, Verdict::admitted);
}

TEST(ConnectionLimitsTest, ZeroMeansNoCap) {
  ConnectionLimits limits({0, 0});
  std::vector<ConnectionSlot> slots;
  for (int i = 0; i < 1000; ++i) {
    auto a = limits.admit(addr("10.0.0.1"));
    ASSERT_EQ(a.verdict, Verdict::admitted);
    slots.push_back(std::move(a.slot));
  }
  EXPECT_EQ(limits.open(), 1000u);
}

TEST(ConnectionLimitsTest, AddressKeys) {
  struct Case {
    const char* name;
    const char* a;
    const char* b;
    bool same;
  };
  const Case cases[] = {
      {"IPv4 and its IPv4-mapped IPv6 form", "192.0.2.7", "::ffff:192.0.2.7", true},
      {"two IPv4 addresses", "192.0.2.7", "192.0.2.8", false},
      {"one IPv6 /64", "2001:db8:1:2::1", "2001:db8:1:2:ffff::9", true},
      {"two IPv6 /64s", "2001:db8:1:2::1", "2001:db8:1:3::1", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(ConnectionLimits::key_of(addr(c.a)) == ConnectionLimits::key_of(addr(c.b)), c.same);
  }
}

TEST(ConnectionLimitsTest, SlotsOutliveTheLimitsAndCountAcrossThreads) {
  ConnectionSlot survivor;
  std::function<std::size_t()> open;
  {
    ConnectionLimits limits({0, 0});
    open = limits.open_reader();
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&limits] {
        for (int i = 0; i < 1000; ++i) {
          auto a = limits.admit(addr("10.0.0.1"));
          EXPECT_EQ(a.verdict, Verdict::admitted);
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(limits.open(), 0u);
    survivor = limits.admit(addr("10.0.0.1")).slot;
  }
  EXPECT_EQ(open(), 1u);
  survivor.release();
  EXPECT_EQ(open(), 0u);
}

}  // namespace
}  // namespace sk::server
