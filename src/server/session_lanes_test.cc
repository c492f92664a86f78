// SessionLanes: one holder per session at a time, waiters resumed in arrival order,
// other sessions never wait, and no lane is left once everybody has left.
#include "server/session_lanes.h"

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace sk::server {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

const domain::Uuid kA = *domain::Uuid::parse("5e550000-0000-4000-8000-00000000000a");
const domain::Uuid kB = *domain::Uuid::parse("5e550000-0000-4000-8000-00000000000b");

class SessionLanesTest : public ::testing::Test {
 protected:
  // Takes `id`'s lane, notes `name` entering, holds it for `hold`, notes it leaving.
  asio::awaitable<void> visit(domain::Uuid id, std::string name, std::chrono::milliseconds hold) {
    const auto turn = co_await lanes.enter(id);
    note(name + "+");
    asio::steady_timer timer(co_await asio::this_coro::executor, hold);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    note(name + "-");
  }
  void note(std::string what) {
    std::lock_guard lock(mutex);
    log.push_back(std::move(what));
  }

  asio::io_context io;
  SessionLanes lanes;
  std::mutex mutex;
  std::vector<std::string> log;
};

TEST_F(SessionLanesTest, OneSessionsCommandsTakeTurnsInArrivalOrder) {
  for (const auto* name : {"1", "2", "3"})
    asio::co_spawn(io, visit(kA, name, 20ms), asio::detached);
  io.run();
  EXPECT_EQ(log, (std::vector<std::string>{"1+", "1-", "2+", "2-", "3+", "3-"}));
  EXPECT_EQ(lanes.busy(), 0u) << "a lane outlived its last holder";
}

TEST_F(SessionLanesTest, AnotherSessionNeverWaits) {
  asio::co_spawn(io, visit(kA, "a", 50ms), asio::detached);
  asio::co_spawn(io, visit(kB, "b", 1ms), asio::detached);
  io.run();
  EXPECT_EQ(log, (std::vector<std::string>{"a+", "b+", "b-", "a-"}));
  EXPECT_EQ(lanes.busy(), 0u);
}

}  // namespace
}  // namespace sk::server
