// Tests of the memory engine: the shared SessionStore contract (store_contract_test.h)
// instantiated for MemoryStore, then what only this engine does: the audit sink, the
// active expiry sweep, lazy expiry, the deadline index, subscriptions racing
// deliveries, and close() ending the background work. Only the sweep and wall-clock
// tests wait on real timers, briefly.
#include "store/memory/memory_store.h"

#include <atomic>
#include <mutex>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "store/store_contract_test.h"
#include "store/store_test_support.h"
#include "testing/eventually.h"

namespace sk::store::testing {
namespace {

std::unique_ptr<SessionStore> make_memory(asio::any_io_executor executor,
                                          const domain::Clock& clock, std::chrono::seconds ttl) {
  MemoryStoreOptions options;
  options.ttl = ttl;
  return std::make_unique<MemoryStore>(std::move(executor), clock, std::move(options));
}

// DURABILITY=sync: every write waits for a commit that completes on a later turn of
// the executor (as a real one, on a writer thread, does). The contract is unchanged.
asio::awaitable<Status> committed_later() {
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  co_return std::nullopt;
}

std::unique_ptr<SessionStore> make_durable_memory(asio::any_io_executor executor,
                                                  const domain::Clock& clock,
                                                  std::chrono::seconds ttl) {
  MemoryStoreOptions options;
  options.ttl = ttl;
  options.durable_audit = [](const Session&, const std::vector<domain::Event>&) {
    return committed_later();
  };
  return std::make_unique<MemoryStore>(std::move(executor), clock, std::move(options));
}

INSTANTIATE_TEST_SUITE_P(Memory, StoreContract,
                         ::testing::Values(StoreFactory{"memory", make_memory},
                                           StoreFactory{"memory_durable", make_durable_memory}),
                         factory_name);

class MemoryStoreTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (store_) store_->close();
    store_.reset();
    EXPECT_TRUE(threads_.stop(3s));
  }
  MemoryStore& open(MemoryStoreOptions options = {}) {
    store_ = std::make_unique<MemoryStore>(threads_.executor(), clock_, std::move(options));
    return *store_;
  }
  template <typename T>
  T run(asio::awaitable<T> aw) {
    return *spawn_on(threads_.io(), std::move(aw)).get();
  }
  Session create(const Uuid& id, std::optional<TimePoint> deadline = std::nullopt) {
    auto t = created(id);
    Session s = t.state;
    const Status st = run(store_->create(write_of(std::move(t), {}, deadline)));
    EXPECT_FALSE(st) << st->message;
    return s;
  }

  domain::ManualClock clock_{kT0};
  MessageLog log_;
  DeadlineLog deadlines_;  // outlives the store: handlers may run until close()
  IoThreads threads_{2};
  std::unique_ptr<MemoryStore> store_;
};

struct AuditRecord {
  Uuid session_id;
  std::int64_t version;
  std::vector<domain::EventType> events;
};

TEST_F(MemoryStoreTest, AuditReceivesEachWritesEventsBeforeItIsPublished) {
  std::mutex mu;
  std::vector<AuditRecord> audited;
  MemoryStoreOptions options;
  options.audit = [&](const Session& s, const std::vector<domain::Event>& events) {
    std::lock_guard lock(mu);
    AuditRecord r{s.session_id, s.version, {}};
    for (const auto& e : events) r.events.push_back(e.type);
    audited.push_back(std::move(r));
  };
  auto& store = open(std::move(options));
  // Publishing happens after the audit, in the same step: the handler sees it logged.
  std::vector<std::size_t> audited_when_published;
  auto sub = store.subscribe([&](const StoreMessage&) {
    std::lock_guard lock(mu);
    audited_when_published.push_back(audited.size());
  });

  const Uuid id = session_id(1);
  auto t = created(id);
  ASSERT_FALSE(run(store.create(write_of(t, {"created"}))));
  const auto started = applied(t.state, domain::StartCommand{}, kT0 + 1s);
  ASSERT_FALSE(run(store.update(write_of(started, {"started"}), 1)));
  // A failed write is not audited.
  ASSERT_TRUE(run(store.update(write_of(started), 1)));
  ASSERT_TRUE(run(store.remove(id, deleted_event(kT0 + 2s), "deleted")).value());

  std::lock_guard lock(mu);
  ASSERT_EQ(audited.size(), 3u);
  using domain::EventType;
  EXPECT_EQ(audited[0].version, 1);
  EXPECT_EQ(audited[0].events, std::vector{EventType::session_created});
  EXPECT_EQ(audited[1].version, 2);
  EXPECT_EQ(audited[1].events, std::vector{EventType::session_started});
  EXPECT_EQ(audited[2].version, 2);  // the state that was deleted
  EXPECT_EQ(audited[2].events, std::vector{EventType::session_deleted});
  for (const auto& r : audited) EXPECT_EQ(r.session_id, id);
  EXPECT_EQ(audited_when_published, (std::vector<std::size_t>{1, 2, 3}));
}

TEST_F(MemoryStoreTest, AFailingAuditSinkFailsTheWriteAndChangesNothing) {
  MemoryStoreOptions options;
  options.audit = [](const Session&, const std::vector<domain::Event>&) {
    throw std::runtime_error("audit queue full");
  };
  auto& store = open(std::move(options));
  auto sub = store.subscribe(log_.handler());
  const Status st = run(store.create(write_of(created(session_id(1)), {"created"})));
  ASSERT_TRUE(st);
  EXPECT_EQ(st->code, domain::ErrorCode::internal);
  EXPECT_FALSE(run(store.get(session_id(1))).ok());
  EXPECT_EQ(log_.size(), 0u);
  EXPECT_EQ(store.pending_deadlines(), 0u);
}

TEST_F(MemoryStoreTest, TheSweepPublishesDeletedWithAnEmptyPayload) {
  MemoryStoreOptions options;
  options.ttl = 1s;
  options.sweep_interval = 10ms;
  auto& store = open(std::move(options));
  auto sub = store.subscribe(log_.handler());
  create(session_id(1), kT0 + 3600s);
  create(session_id(2));
  ASSERT_EQ(store.pending_deadlines(), 1u);
  clock_.advance(1001ms);
  // Nobody touches the sessions: only the sweep can notice they expired.
  ASSERT_TRUE(log_.wait_for(2, 2s));
  const auto all = log_.messages();
  ASSERT_EQ(all.size(), 2u);
  for (const auto& m : all) {
    EXPECT_EQ(m.kind, MessageKind::deleted);
    EXPECT_EQ(m.version, 0);
    EXPECT_EQ(m.payload, "");
  }
  EXPECT_EQ(store.pending_deadlines(), 0u) << "an expired session's deadline must not fire";
  EXPECT_EQ(run(store.count()).value(), 0);
}

TEST_F(MemoryStoreTest, LazyExpiryPublishesDeletedOnce) {
  MemoryStoreOptions options;
  options.ttl = 1s;
  options.sweep_interval = std::chrono::hours{1};  // keep the sweep out of it
  auto& store = open(std::move(options));
  auto sub = store.subscribe(log_.handler());
  create(session_id(1));
  clock_.advance(1s);
  EXPECT_FALSE(run(store.get(session_id(1))).ok());
  EXPECT_FALSE(run(store.get(session_id(1))).ok());
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_EQ(log_.messages()[0].kind, MessageKind::deleted);
  EXPECT_EQ(log_.messages()[0].payload, "");
}

TEST_F(MemoryStoreTest, GetReturnsACopy) {
  auto& store = open();
  const Session s = create(session_id(1));
  auto got = run(store.get(session_id(1)));
  ASSERT_TRUE(got.ok());
  got->version = 42;
  got->participants.clear();
  EXPECT_EQ(run(store.get(session_id(1))).value(), s);
}

TEST_F(MemoryStoreTest, BroadcastToAnUnknownSessionIsNotFound) {
  auto& store = open();
  auto sub = store.subscribe(log_.handler());
  const Status st = run(store.broadcast(session_id(1), "x"));
  ASSERT_TRUE(st);
  EXPECT_EQ(st->code, domain::ErrorCode::not_found);
  EXPECT_EQ(log_.size(), 0u);
}

TEST_F(MemoryStoreTest, EachWriteSetsOrClearsTheSessionsDeadline) {
  auto& store = open();
  const Uuid id = session_id(1);
  Session s = create(id, kT0 + 3600s);
  EXPECT_EQ(store.pending_deadlines(), 1u);
  struct Step {
    const char* name;
    std::optional<TimePoint> deadline;
    std::size_t pending;
  };
  const std::vector<Step> steps = {
      {"moved", kT0 + 7200s, 1},     {"kept", kT0 + 7200s, 1},
      {"cleared", std::nullopt, 0},  {"cleared again", std::nullopt, 0},
      {"set again", kT0 + 3600s, 1},
  };
  for (const auto& step : steps) {
    SCOPED_TRACE(step.name);
    Session next = bumped(s);
    ASSERT_FALSE(run(store.update(write_of(next, {}, step.deadline), s.version)));
    s = next;
    EXPECT_EQ(store.pending_deadlines(), step.pending);
  }
  ASSERT_TRUE(run(store.remove(id, deleted_event(), "")).value());
  EXPECT_EQ(store.pending_deadlines(), 0u);
}

TEST_F(MemoryStoreTest, ADeadlineFiresWhenTheWallClockReachesItWithoutAWrite) {
  auto& store = open();
  store.set_deadline_handler(deadlines_.handler());
  create(session_id(1), kT0 + 60s);
  clock_.advance(60s);  // a wall-clock step: noticed within DeadlineTimer::kMaxSleep
  EXPECT_TRUE(deadlines_.wait_for(1, 2500ms));
  EXPECT_EQ(deadlines_.fired(session_id(1)).size(), 1u);
}

TEST_F(MemoryStoreTest, AHandlerMayResetItsOwnSubscription) {
  auto& store = open();
  std::atomic<int> calls{0};
  Subscription sub;
  sub = store.subscribe([&](const StoreMessage&) {
    ++calls;
    sub.reset();  // e.g. the connection dropped its last reference
  });
  const Session s = create(session_id(1));
  ASSERT_FALSE(run(store.broadcast(session_id(1), "one")));
  ASSERT_FALSE(run(store.broadcast(session_id(1), "two")));
  ASSERT_FALSE(run(store.update(write_of(bumped(s), {"three"}), 1)));
  EXPECT_EQ(calls, 1);
}

TEST_F(MemoryStoreTest, NoHandlerCallAfterResetReturns) {
  auto& store = open();
  const Uuid id = session_id(1);
  create(id);
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    while (!stop) (void)run(store.broadcast(id, "tick"));
  });
  int late_calls = 0;
  for (int i = 0; i < 200; ++i) {
    auto reset_returned = std::make_shared<std::atomic<bool>>(false);
    auto late = std::make_shared<std::atomic<int>>(0);
    auto calls = std::make_shared<std::atomic<int>>(0);
    auto sub = store.subscribe([=](const StoreMessage&) {
      // Stay in the handler a little, so a reset() that does not wait for a delivery
      // in progress would return while we are still here.
      std::this_thread::sleep_for(20us);
      if (*reset_returned) ++*late;
      ++*calls;
    });
    while (*calls == 0) std::this_thread::yield();
    sub.reset();
    *reset_returned = true;
    std::this_thread::yield();
    late_calls += *late;
  }
  stop = true;
  writer.join();
  EXPECT_EQ(late_calls, 0);
}

TEST_F(MemoryStoreTest, ASubscriptionMayOutliveTheStore) {
  auto& store = open();
  auto sub = store.subscribe(log_.handler());
  store_->close();
  store_.reset();
  sub.reset();  // must not touch the destroyed store (ASan watches)
  SUCCEED();
}

TEST(MemoryStoreClose, EndsTheBackgroundWorkAtOnce) {
  domain::ManualClock clock{kT0};
  asio::io_context io;
  auto store = std::make_unique<MemoryStore>(io.get_executor(), clock);
  const Status st = run(io, store->create(write_of(created(session_id(1)), {}, kT0 + 3600s)));
  ASSERT_FALSE(st) << st->message;
  store->close();
  const auto started = std::chrono::steady_clock::now();
  io.restart();
  io.run_for(2s);  // returns as soon as no work is left
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(io.stopped()) << "background work still pending after close()";
  EXPECT_LT(took, 500ms) << "close() must cancel the timers, not wait for them";
  const auto got = run(io, store->get(session_id(1)));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, domain::ErrorCode::unavailable);
}

TEST(MemoryStoreClose, DestroyingTheStoreBeforeTheIoContextRunsIsSafe) {
  domain::ManualClock clock{kT0};
  asio::io_context io;
  { MemoryStore store(io.get_executor(), clock); }
  io.run_for(2s);  // the loops start, find the store closed, and end
  EXPECT_TRUE(io.stopped());
}

// ---------------------------------------------------------------------------
// Durable writes (DURABILITY=sync): applied only after their commit.

// A durable_audit hook the test holds and releases: each call is recorded, then
// waits while `held`, then answers `outcome`.
class CommitGate {
 public:
  struct Call {
    Uuid session_id;
    std::int64_t version;
    domain::EventType first_event;
  };

  std::function<asio::awaitable<Status>(const Session&, const std::vector<domain::Event>&)> hook() {
    return [this](const Session& s, const std::vector<domain::Event>& events) {
      {
        std::lock_guard lock(mu_);
        calls_.push_back({s.session_id, s.version, events.front().type});
      }
      return wait();
    };
  }
  void hold() { held_ = true; }
  void release() { held_ = false; }
  void answer(Status outcome) {
    std::lock_guard lock(mu_);
    outcome_ = std::move(outcome);
  }
  std::vector<Call> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  std::size_t count() const { return calls().size(); }

 private:
  asio::awaitable<Status> wait() {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (held_) {  // a poll: the test thread cannot touch the timer safely
      timer.expires_after(1ms);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    std::lock_guard lock(mu_);
    co_return outcome_;
  }

  mutable std::mutex mu_;
  std::vector<Call> calls_;
  Status outcome_;
  std::atomic<bool> held_{false};
};

class DurableMemoryStoreTest : public MemoryStoreTest {
 protected:
  MemoryStore& open_durable() {
    MemoryStoreOptions options;
    options.durable_audit = gate_.hook();
    options.audit = [this](const Session&, const std::vector<domain::Event>& events) {
      std::lock_guard lock(async_mu_);
      for (const auto& e : events) async_events_.push_back(e);
    };
    return open(std::move(options));
  }

  CommitGate gate_;
  std::mutex async_mu_;
  std::vector<domain::Event> async_events_;  // what went to `audit` (expiries only)
};

TEST_F(DurableMemoryStoreTest, AWriteIsInvisibleUntilItsCommitReturns) {
  auto& store = open_durable();
  auto sub = store.subscribe(log_.handler());
  const Uuid id = session_id(1);
  const Session s1 = create(id);
  ASSERT_EQ(log_.size(), 0u);  // create() above wrote no message: nothing to wait for

  gate_.hold();
  const auto started = applied(s1, domain::StartCommand{}, kT0 + 1s);
  auto pending = spawn_on(threads_.io(), store.update(write_of(started, {"started"}), 1));
  ASSERT_TRUE(sk::testing::eventually([&] { return gate_.count() == 2; }, 3s));
  // Committing: the store still has version 1, nobody heard of version 2.
  EXPECT_EQ(run(store.get(id)).value().version, 1);
  EXPECT_EQ(log_.size(), 0u);
  EXPECT_EQ(store.durable_writes_in_flight(), 1u);

  gate_.release();
  const Status st = *pending.get();
  EXPECT_FALSE(st) << st->message;
  EXPECT_EQ(run(store.get(id)).value().version, 2);
  ASSERT_TRUE(log_.wait_for(1));
  EXPECT_EQ(log_.messages()[0].version, 2);
  EXPECT_EQ(store.durable_writes_in_flight(), 0u);
  EXPECT_TRUE(async_events_.empty()) << "a durable write must not also go to the async queue";
}

TEST_F(DurableMemoryStoreTest, AFailedCommitFailsTheWriteAndLeavesNothingOfIt) {
  auto& store = open_durable();
  auto sub = store.subscribe(log_.handler());
  const Uuid id = session_id(1);
  const Session s1 = create(id);
  gate_.answer(Error::unavailable("audit database"));

  // An update: the state, the deadline and the messages stay as they were.
  const auto started = applied(s1, domain::StartCommand{}, kT0 + 1s);
  const Status up = run(store.update(write_of(started, {"started"}, kT0 + 3600s), std::int64_t{1}));
  ASSERT_TRUE(up);
  EXPECT_EQ(up->code, domain::ErrorCode::unavailable);
  EXPECT_EQ(run(store.get(id)).value().version, 1);
  EXPECT_EQ(store.pending_deadlines(), 0u);
  // A creation: no session.
  const Status cr = run(store.create(write_of(created(session_id(2)), {"created"})));
  ASSERT_TRUE(cr);
  EXPECT_EQ(cr->code, domain::ErrorCode::unavailable);
  EXPECT_EQ(run(store.get(session_id(2))).error().code, domain::ErrorCode::not_found);
  // A removal: still there.
  const auto rm = run(store.remove(id, deleted_event(), "deleted"));
  ASSERT_FALSE(rm.ok());
  EXPECT_EQ(rm.error().code, domain::ErrorCode::unavailable);
  EXPECT_TRUE(run(store.get(id)).ok());
  EXPECT_EQ(log_.size(), 0u);

  // The next commit succeeds: the same update goes through on the unchanged state.
  gate_.answer(std::nullopt);
  EXPECT_FALSE(run(store.update(write_of(started, {"started"}, kT0 + 3600s), std::int64_t{1})));
  EXPECT_EQ(run(store.get(id)).value().version, 2);
  EXPECT_EQ(store.pending_deadlines(), 1u);
  EXPECT_TRUE(log_.wait_for(1));
}

TEST_F(DurableMemoryStoreTest, WritesOfOneSessionTakeTurnsAroundTheirCommits) {
  auto& store = open_durable();
  const Uuid id = session_id(1);
  const Session s1 = create(id);
  const Session other = create(session_id(2));

  gate_.hold();
  const auto started = applied(s1, domain::StartCommand{}, kT0 + 1s);
  auto update = spawn_on(threads_.io(), store.update(write_of(started), 1));
  ASSERT_TRUE(sk::testing::eventually([&] { return gate_.count() == 3; }, 3s));
  auto removal = spawn_on(threads_.io(), store.remove(id, deleted_event(), "deleted"));
  // Another session's write is not held up by this one's turn...
  auto other_started = applied(other, domain::StartCommand{}, kT0 + 1s);
  auto other_update = spawn_on(threads_.io(), store.update(write_of(other_started), 1));
  ASSERT_TRUE(sk::testing::eventually([&] { return gate_.count() == 4; }, 3s));
  // ...while the removal of the same session waits its turn: it has not committed.
  EXPECT_EQ(removal.wait_for(20ms), std::future_status::timeout);
  EXPECT_EQ(gate_.count(), 4u);

  gate_.release();
  EXPECT_FALSE(*update.get());
  EXPECT_FALSE(*other_update.get());
  EXPECT_TRUE(removal.get()->value());
  const auto calls = gate_.calls();
  ASSERT_EQ(calls.size(), 5u);
  // The removal was checked after the update was applied: it deleted version 2.
  EXPECT_EQ(calls[4].session_id, id);
  EXPECT_EQ(calls[4].first_event, domain::EventType::session_deleted);
  EXPECT_EQ(calls[4].version, 2);
  EXPECT_EQ(store.durable_writes_in_flight(), 0u);
}

TEST_F(DurableMemoryStoreTest, ARestoreWithoutEventsCommitsNothing) {
  auto& store = open_durable();
  auto restored = created(session_id(1)).state;
  Write w;
  w.state = restored;  // recovery: the state only, no event
  ASSERT_FALSE(run(store.create(std::move(w))));
  EXPECT_EQ(gate_.count(), 0u);
  EXPECT_TRUE(run(store.get(session_id(1))).ok());
}

TEST_F(DurableMemoryStoreTest, AnExpiryIsAuditedWithoutWaiting) {
  auto& store = open_durable();
  create(session_id(1));
  clock_.advance(3601s);
  EXPECT_EQ(run(store.get(session_id(1))).error().code, domain::ErrorCode::not_found);
  EXPECT_EQ(gate_.count(), 1u);  // the creation only
  std::lock_guard lock(async_mu_);
  ASSERT_EQ(async_events_.size(), 1u);
  EXPECT_EQ(async_events_[0].reason, "expired");
}

}  // namespace
}  // namespace sk::store::testing
