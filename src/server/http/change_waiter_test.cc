// ChangeWaiter (long polls) over a real MemoryStore (through SessionService): a change published
// after listen() ends the wait, even when it comes before wait() begins; tickets unregister.
#include "server/http/change_waiter.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "domain/clock.h"
#include "server/session_service.h"
#include "store/memory/memory_store.h"
#include "store/store_test_support.h"

namespace sk::server::http {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace sk::store::testing;
using Clock = std::chrono::steady_clock;
using store::Session;
using store::Uuid;

// Longer than any test may take: a wait that lasts it has missed its change.
constexpr auto kLongWait = 20s;

class ChangeWaiterTest : public ::testing::Test {
 protected:
  // Runs `body` on a strand of the io_context, as a request runs, and waits for it.
  template <typename Body>
  void on_strand(Body body) {
    auto strand = asio::make_strand(threads.io());
    asio::co_spawn(strand, std::move(body), asio::use_future).get();
  }

  asio::awaitable<void> pause(std::chrono::milliseconds d) {
    asio::steady_timer timer(co_await asio::this_coro::executor, d);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }

  asio::awaitable<void> write_next_version() {
    version_ = bumped(version_);
    std::vector<std::string> messages;  // (GCC 12: no braced string list in a coroutine)
    messages.emplace_back("changed");
    const auto err = co_await store.update(write_of(version_, std::move(messages)), std::nullopt);
    EXPECT_FALSE(err.has_value());
  }

  void SetUp() override {
    auto t = created(id);
    version_ = t.state;
    run(threads.io(), [this, w = write_of(std::move(t))]() mutable -> asio::awaitable<void> {
      EXPECT_FALSE((co_await store.create(std::move(w))).has_value());
    }());
  }

  IoThreads threads{2};
  domain::ManualClock clock{kT0};
  store::MemoryStore store{threads.executor(), clock};
  SessionService sessions{store, clock, nullptr};
  ChangeWaiter waiter{sessions};
  const Uuid id = session_id(1);
  Session version_;
};

TEST_F(ChangeWaiterTest, AChangeBeforeTheWaitBeginsEndsItAtOnce) {
  on_strand([this]() -> asio::awaitable<void> {
    auto ticket = waiter.listen(id, co_await asio::this_coro::executor);
    co_await write_next_version();
    // A request reads the session here: the wake-up reaches the strand meanwhile.
    co_await pause(50ms);
    const auto t0 = Clock::now();
    co_await ticket.wait(kLongWait);
    EXPECT_LT(Clock::now() - t0, 5s) << "the change was slept through";
  });
}

TEST_F(ChangeWaiterTest, ReleaseAllEndsEveryWaitAndEveryLaterOne) {
  std::thread drainer([this] {
    std::this_thread::sleep_for(100ms);  // the drain begins while the wait is under way
    waiter.release_all();
  });
  on_strand([this]() -> asio::awaitable<void> {
    auto ticket = waiter.listen(id, co_await asio::this_coro::executor);
    const auto t0 = Clock::now();
    co_await ticket.wait(kLongWait);
    EXPECT_LT(Clock::now() - t0, 5s) << "a drain left a long poll waiting";
  });
  drainer.join();
  EXPECT_EQ(waiter.listening(), 0u);
  on_strand([this]() -> asio::awaitable<void> {
    auto later = waiter.listen(session_id(2), co_await asio::this_coro::executor);
    const auto t0 = Clock::now();
    co_await later.wait(kLongWait);
    EXPECT_LT(Clock::now() - t0, 5s) << "a poll begun during the drain waited";
  });
}

TEST_F(ChangeWaiterTest, AChangeDuringTheWaitEndsIt) {
  std::thread changer([this] {
    std::this_thread::sleep_for(100ms);  // the change comes while the wait is under way
    run(threads.io(), write_next_version());
  });
  on_strand([this]() -> asio::awaitable<void> {
    auto ticket = waiter.listen(id, co_await asio::this_coro::executor);
    const auto t0 = Clock::now();
    co_await ticket.wait(kLongWait);
    EXPECT_LT(Clock::now() - t0, 5s);
  });
  changer.join();
}

TEST_F(ChangeWaiterTest, WithoutAChangeTheWaitLastsItsTimeout) {
  on_strand([this]() -> asio::awaitable<void> {
    auto ticket = waiter.listen(id, co_await asio::this_coro::executor);
    auto other = waiter.listen(session_id(2), co_await asio::this_coro::executor);
    const auto t0 = Clock::now();
    co_await ticket.wait(150ms);
    EXPECT_GE(Clock::now() - t0, 150ms);
  });
}

TEST_F(ChangeWaiterTest, TicketsUnregisterWhenDroppedOrWoken) {
  on_strand([this]() -> asio::awaitable<void> {
    const auto ex = co_await asio::this_coro::executor;
    {
      auto a = waiter.listen(id, ex);
      auto b = waiter.listen(session_id(2), ex);
      EXPECT_EQ(waiter.listening(), 2u);
    }
    EXPECT_EQ(waiter.listening(), 0u) << "a ticket that never waited stayed registered";
    auto c = waiter.listen(id, ex);
    co_await write_next_version();
    EXPECT_EQ(waiter.listening(), 0u) << "the change should have taken its listeners";
    co_await c.wait(kLongWait);
  });
}

TEST(ChangeWaiterLifetime, ATicketMayOutliveItsWaiter) {
  IoThreads threads{1};
  domain::ManualClock clock{kT0};
  store::MemoryStore store{threads.executor(), clock};
  SessionService sessions{store, clock, nullptr};
  auto waiter = std::make_unique<ChangeWaiter>(sessions);
  std::optional<ChangeWaiter::Ticket> ticket;
  ticket.emplace(waiter->listen(session_id(1), threads.executor()));
  waiter.reset();
  ticket.reset();  // ASan reports a use after free if the ticket touches the waiter
}

}  // namespace
}  // namespace sk::server::http
