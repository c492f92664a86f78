// The SessionStore contract (session_store.h), written once and run unchanged against
// every engine: memory/memory_store_test.cc instantiates it for the memory engine,
// the Redis engine's test for a redis-server that test starts. What is particular to
// one engine (its sweep, its audit sink, its scripts) belongs in that engine's tests.
//
//   INSTANTIATE_TEST_SUITE_P(Memory, StoreContract,
//                            ::testing::Values(StoreFactory{"memory", make_memory}),
//                            factory_name);
//
// Each test opens one store on an io_context run by four threads (as the server runs
// it). TTL tests move a ManualClock. Deadline tests use the SystemClock because real
// timers are the point; their waits are bounded (< 3 s) and their lag bound (250 ms)
// leaves room for a loaded 2-core CI machine. Each prints the lag it measured.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "domain/clock.h"
#include "store/session_store.h"
#include "store/store_test_support.h"

namespace sk::store::testing {

struct StoreFactory {
  std::string name;  // a valid test-name fragment: letters, digits, underscores
  std::function<std::unique_ptr<SessionStore>(asio::any_io_executor, const domain::Clock&,
                                              std::chrono::seconds ttl)>
      make;
};

inline std::string factory_name(const ::testing::TestParamInfo<StoreFactory>& info) {
  return info.param.name;
}
inline void PrintTo(const StoreFactory& factory, std::ostream* os) { *os << factory.name; }

inline const char* kind_name(MessageKind kind) {
  switch (kind) {
    case MessageKind::update: return "update";
    case MessageKind::event: return "event";
    case MessageKind::deleted: return "deleted";
    case MessageKind::broadcast: return "broadcast";
    case MessageKind::resync: return "resync";
  }
  return "?";
}

// What a test expects of one message of one session.
struct Expected {
  MessageKind kind;
  std::int64_t version;
  std::string payload;
};

inline void expect_messages(const std::vector<StoreMessage>& all, const Uuid& id,
                            const std::vector<Expected>& expected) {
  std::vector<const StoreMessage*> mine;
  for (const auto& m : all) {
    if (m.session_id == id) mine.push_back(&m);
  }
  ASSERT_EQ(mine.size(), expected.size()) << "messages of session " << id.to_string();
  for (std::size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("message " + std::to_string(i) + ": " + mine[i]->payload);
    EXPECT_STREQ(kind_name(mine[i]->kind), kind_name(expected[i].kind));
    EXPECT_EQ(mine[i]->version, expected[i].version);
    EXPECT_EQ(mine[i]->payload, expected[i].payload);
  }
}

inline void print_lag(const char* what, std::chrono::microseconds lag) {
  std::cout << "[ lag      ] " << what << ": " << static_cast<double>(lag.count()) / 1000.0
            << " ms\n";
}

class StoreContract : public ::testing::TestWithParam<StoreFactory> {
 protected:
  // How late a deadline may fire. The target is a few ms; this leaves CI headroom.
  static constexpr Millis kMaxLag{250};

  void TearDown() override {
    watches_.clear();
    if (store_) store_->close();
    store_.reset();
    EXPECT_TRUE(threads_.stop(3s)) << "background work still running 3 s after close()";
  }

  SessionStore& open(const domain::Clock& clock, std::chrono::seconds ttl = 3600s) {
    store_ = GetParam().make(threads_.executor(), clock, ttl);
    return *store_;
  }

  // Watches `id` until the test ends: its writes' messages then arrive in full
  // (session_store.h, watch()).
  void watch(const Uuid& id) { watches_.push_back(run(store_->watch(id))); }

  // Runs `aw` on the store's threads and waits for it.
  template <typename T>
  T run(asio::awaitable<T> aw) {
    return *spawn(std::move(aw)).get();
  }
  template <typename T>
  std::future<std::optional<T>> spawn(asio::awaitable<T> aw) {
    return spawn_on(threads_.io(), std::move(aw));
  }

  // Creates `id` (version 1) and fails the test if the store refuses.
  Session create(const Uuid& id, std::vector<std::string> messages = {},
                 std::optional<TimePoint> deadline = std::nullopt) {
    auto t = created(id);
    Session s = t.state;
    const Status st = run(store_->create(write_of(std::move(t), std::move(messages), deadline)));
    EXPECT_FALSE(st) << st->message;
    return s;
  }

  // get -> update(expected = the version read) until `successes` updates went through;
  // each carries one message "v<version>". Records the versions it wrote; returns the
  // attempts made, or -1 after an unexpected error.
  static asio::awaitable<int> cas_writer(SessionStore& store, Uuid id, int successes,
                                         std::vector<std::int64_t>* written) {
    int attempts = 0;
    while (static_cast<int>(written->size()) < successes) {
      if (++attempts > 1'000'000) co_return -1;
      auto current = co_await store.get(id);
      if (!current) {
        ADD_FAILURE() << "get: " << current.error().message;
        co_return -1;
      }
      Session next = bumped(*current);
      const auto version = next.version;
      // Built outside the co_await: GCC 12 miscompiles braced temporaries inside one.
      std::vector<std::string> messages;
      messages.push_back("v" + std::to_string(version));
      Write write = write_of(std::move(next), std::move(messages));
      const Status st = co_await store.update(std::move(write), current->version);
      if (!st) {
        written->push_back(version);
      } else if (st->code != domain::ErrorCode::conflict) {
        ADD_FAILURE() << "update: " << st->message;
        co_return -1;
      }
    }
    co_return attempts;
  }

  // Reads `id` and writes its next version with `deadline`, as a time-out with
  // skip/auto_advance would.
  static asio::awaitable<void> write_deadline(SessionStore& store, Uuid id, TimePoint deadline) {
    auto current = co_await store.get(id);
    if (!current) co_return;
    Write write = write_of(bumped(*current), {}, deadline);
    const Status st = co_await store.update(std::move(write), current->version);
    EXPECT_FALSE(st) << st->message;
  }

  domain::ManualClock manual_{kT0};
  domain::SystemClock system_;
  // Recorders outlive the store: a handler may still be called until close().
  MessageLog log_;
  MessageLog log2_;
  DeadlineLog deadlines_;
  IoThreads threads_{4};
  std::vector<Subscription> watches_;  // dropped before the store closes
  std::unique_ptr<SessionStore> store_;
};

// ---- create / get ------------------------------------------------------------------

TEST_P(StoreContract, CreateThenGetReturnsTheIdenticalSession) {
  auto& store = open(manual_);
  using domain::SyncMode;
  struct Case {
    const char* name;
    std::function<engine::Transition(const Uuid&)> build;
  };
  const std::vector<Case> cases = {
      {"pending per_participant with metadata and increment",
       [](const Uuid& id) {
         auto r = request(SyncMode::per_participant, 3);
         r.increment = 2s;
         r.metadata = R"({"table":7,"event":"club night"})";
         return must(engine::create(r, id, kT0));
       }},
      {"running per_cycle after a switch",
       [](const Uuid& id) {
         auto t = applied(created(id, SyncMode::per_cycle).state, domain::StartCommand{}, kT0);
         return applied(t.state, domain::SwitchCommand{}, kT0 + 4321ms);
       }},
      {"paused per_group",
       [](const Uuid& id) {
         auto t = applied(created(id, SyncMode::per_group).state, domain::StartCommand{}, kT0);
         t = applied(t.state, domain::SwitchCommand{}, kT0 + 3s);
         return applied(t.state, domain::PauseCommand{}, kT0 + 5s);
       }},
      {"expired global",
       [](const Uuid& id) {
         auto t = applied(created(id, SyncMode::global).state, domain::StartCommand{}, kT0);
         return applied(t.state, domain::TimeoutCommand{}, kT0 + 300s);
       }},
      {"completed count_up",
       [](const Uuid& id) {
         auto t = applied(created(id, SyncMode::count_up).state, domain::StartCommand{}, kT0);
         return applied(t.state, domain::CompleteCommand{}, kT0 + 10s);
       }},
  };
  int n = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Uuid id = session_id(++n);
    auto t = c.build(id);
    const Session expected = t.state;
    const Status st = run(store.create(write_of(std::move(t))));
    ASSERT_FALSE(st) << st->message;
    const auto got = run(store.get(id));
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(*got, expected);
  }
}

TEST_P(StoreContract, CreatingAnExistingSessionFailsAndKeepsTheFirst) {
  auto& store = open(manual_);
  const Session first = create(session_id(1));
  const Status st = run(store.create(write_of(bumped(first))));
  ASSERT_TRUE(st);
  EXPECT_EQ(st->code, domain::ErrorCode::session_exists);
  const auto got = run(store.get(session_id(1)));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, first);
}

TEST_P(StoreContract, ConcurrentCreatesOfOneIdLetExactlyOneWin) {
  auto& store = open(manual_);
  std::vector<std::future<std::optional<Status>>> results;
  for (int i = 0; i < 8; ++i)
    results.push_back(spawn(store.create(write_of(created(session_id(1))))));
  int won = 0;
  for (auto& r : results) {
    const Status st = *r.get();
    if (!st) {
      ++won;
    } else {
      EXPECT_EQ(st->code, domain::ErrorCode::session_exists) << st->message;
    }
  }
  EXPECT_EQ(won, 1);
}

TEST_P(StoreContract, GetOfAnUnknownSessionIsNotFound) {
  auto& store = open(manual_);
  create(session_id(1));
  const auto got = run(store.get(session_id(2)));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, domain::ErrorCode::not_found);
}

// ---- update --------------------------------------------------------------------------

TEST_P(StoreContract, UpdateChecksTheExpectedVersion) {
  auto& store = open(manual_);
  auto sub = store.subscribe(log_.handler());
  struct Case {
    const char* name;
    bool exists;  // the session was created and updated to version 2
    std::optional<std::int64_t> expected_version;
    std::optional<domain::ErrorCode> error;
    std::optional<domain::ConflictDetail> conflict;
  };
  using domain::ErrorCode;
  const std::vector<Case> cases = {
      {"the right version", true, 2, {}, {}},
      {"no expected version", true, std::nullopt, {}, {}},
      {"a stale version", true, 1, ErrorCode::conflict, {{"version", "1", "2"}}},
      {"a version from the future", true, 7, ErrorCode::conflict, {{"version", "7", "2"}}},
      {"an unknown session, with a version", false, 2, ErrorCode::not_found, {}},
      {"an unknown session, without a version", false, std::nullopt, ErrorCode::not_found, {}},
  };
  int n = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Uuid id = session_id(++n);
    watch(id);
    Session v2 = bumped(created(id).state);
    if (c.exists) {
      create(id, {"created"});
      ASSERT_FALSE(run(store.update(write_of(v2, {"setup"}), 1)));
    }
    const Session v3 = bumped(v2);
    const Status st = run(store.update(write_of(v3, {"case"}), c.expected_version));
    const auto got = run(store.get(id));
    if (!c.error) {
      ASSERT_FALSE(st) << st->message;
      ASSERT_TRUE(got.ok());
      EXPECT_EQ(*got, v3);
    } else {
      ASSERT_TRUE(st);
      EXPECT_EQ(st->code, *c.error) << st->message;
      EXPECT_EQ(st->conflict, c.conflict);
      if (c.exists) {
        ASSERT_TRUE(got.ok());
        EXPECT_EQ(*got, v2);  // a failed write changes nothing
      } else {
        EXPECT_FALSE(got.ok());
      }
    }
    if (!c.exists) continue;
    // A failed write publishes nothing: the marker follows "setup" directly.
    ASSERT_FALSE(run(store.broadcast(id, "marker")));
    std::vector<Expected> expected = {{MessageKind::update, 1, "created"},
                                      {MessageKind::update, 2, "setup"}};
    if (!c.error) expected.push_back({MessageKind::update, 3, "case"});
    expected.push_back({MessageKind::broadcast, 0, "marker"});
    ASSERT_TRUE(log_.wait_for_payload(id, "marker")) << "the marker did not arrive";
    expect_messages(log_.messages(), id, expected);
  }
}

// ---- remove ----------------------------------------------------------------------------

TEST_P(StoreContract, RemoveIsIdempotentAndPublishesDeleted) {
  auto& store = open(manual_);
  auto sub = store.subscribe(log_.handler());
  const Uuid a = session_id(1);
  watch(a);
  create(a, {"a1"});

  auto removed = run(store.remove(a, deleted_event(), "bye"));
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_TRUE(*removed);
  removed = run(store.remove(a, deleted_event(), "again"));
  ASSERT_TRUE(removed.ok());
  EXPECT_FALSE(*removed);
  removed = run(store.remove(session_id(9), deleted_event(), "never there"));
  ASSERT_TRUE(removed.ok());
  EXPECT_FALSE(*removed);

  const auto got = run(store.get(a));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, domain::ErrorCode::not_found);
  const Status st = run(store.update(write_of(bumped(created(a).state)), std::nullopt));
  ASSERT_TRUE(st);
  EXPECT_EQ(st->code, domain::ErrorCode::not_found);

  create(a, {"a2"});  // the id is free again
  // Messages of one session arrive in order: a stray "again" would come before "a2".
  ASSERT_TRUE(log_.wait_for_payload(a, "a2"));
  expect_messages(log_.messages(), a,
                  {{MessageKind::update, 1, "a1"},
                   {MessageKind::deleted, 0, "bye"},
                   {MessageKind::update, 1, "a2"}});
}

// ---- fan-out ---------------------------------------------------------------------------

TEST_P(StoreContract, EverySubscriberReceivesEachWritesMessagesInOrder) {
  auto& store = open(manual_);
  auto sub1 = store.subscribe(log_.handler());
  auto sub2 = store.subscribe(log2_.handler());
  const Uuid a = session_id(1);
  const Uuid b = session_id(2);
  watch(a);
  watch(b);
  const Session a1 = create(a, {"c1", "c2"});
  create(b, {"b-created"});
  ASSERT_FALSE(run(store.update(write_of(bumped(a1), {"u1", "u2", "u3"}), 1)));
  ASSERT_FALSE(run(store.broadcast(a, "hello")));
  ASSERT_TRUE(run(store.remove(a, deleted_event(), "gone")).value());

  for (const MessageLog* log : {&log_, &log2_}) {
    ASSERT_TRUE(log->wait_for(8)) << "got " << log->size();
    expect_messages(log->messages(), a,
                    {{MessageKind::update, 1, "c1"},
                     {MessageKind::update, 1, "c2"},
                     {MessageKind::update, 2, "u1"},
                     {MessageKind::update, 2, "u2"},
                     {MessageKind::update, 2, "u3"},
                     {MessageKind::broadcast, 0, "hello"},
                     {MessageKind::deleted, 0, "gone"}});
    expect_messages(log->messages(), b, {{MessageKind::update, 1, "b-created"}});
  }
}

// A write's messages keep the kinds the writer gave them: the state update and the
// write's other messages (a time-out's TIME_EXPIRED) are told apart by type, never by
// their text (here the event's payload even looks like a state update).
TEST_P(StoreContract, AWritesMessagesKeepTheirKinds) {
  auto& store = open(manual_);
  auto sub = store.subscribe(log_.handler());
  const Uuid a = session_id(1);
  watch(a);
  const Session a1 = create(a, {"c1"});
  Write w = write_of(bumped(a1));
  w.messages.push_back({MessageKind::update, "state"});
  w.messages.push_back({MessageKind::event, R"({"type":"STATE_UPDATE"})"});
  w.messages.push_back({MessageKind::event, "expired"});
  ASSERT_FALSE(run(store.update(std::move(w), 1)));
  ASSERT_TRUE(log_.wait_for(4)) << "got " << log_.size();
  expect_messages(log_.messages(), a,
                  {{MessageKind::update, 1, "c1"},
                   {MessageKind::update, 2, "state"},
                   {MessageKind::event, 2, R"({"type":"STATE_UPDATE"})"},
                   {MessageKind::event, 2, "expired"}});
}

// Without watch(): each write's messages in full, or one bare update of its version
// (enough for caches and long polls); never nothing, and never out of order.
TEST_P(StoreContract, WritesOfAnUnwatchedSessionStillNotifySubscribersInOrder) {
  auto& store = open(manual_);
  auto sub = store.subscribe(log_.handler());
  const Uuid id = session_id(1);
  const Session v1 = create(id, {"c1"});
  ASSERT_FALSE(run(store.update(write_of(bumped(v1), {"u1", "u2"}), 1)));
  ASSERT_FALSE(run(store.broadcast(id, "marker")));
  ASSERT_TRUE(log_.wait_for_payload(id, "marker"));
  std::vector<std::pair<std::int64_t, std::string>> got;
  for (const auto& m : log_.messages()) {
    if (m.session_id == id && m.kind == MessageKind::update) got.emplace_back(m.version, m.payload);
  }
  using Seen = std::vector<std::pair<std::int64_t, std::string>>;
  const Seen full{{1, "c1"}, {2, "u1"}, {2, "u2"}};
  const Seen bare{{1, ""}, {2, ""}};
  EXPECT_TRUE(got == full || got == bare) << "neither every message nor one bare version each";
}

TEST_P(StoreContract, AMessageArrivesAfterItsWriteIsVisibleToGet) {
  constexpr int kUpdates = 20;
  auto& store = open(manual_);
  std::mutex mu;
  std::vector<std::pair<std::int64_t, std::future<std::optional<Result<Session>>>>> reads;
  auto sub = store.subscribe([&](const StoreMessage& m) {
    // A handler never calls the store itself: it posts (co_spawn may run inline).
    asio::post(threads_.io(), [&, id = m.session_id, version = m.version] {
      auto read = spawn(store.get(id));
      std::lock_guard lock(mu);
      reads.emplace_back(version, std::move(read));
    });
  });
  Session s = create(session_id(1), {"v1"});
  for (int i = 0; i < kUpdates; ++i) {
    const Session next = bumped(s);
    ASSERT_FALSE(run(store.update(write_of(next, {"v"}), s.version)));
    s = next;
  }
  const auto until = std::chrono::steady_clock::now() + 3s;
  for (;;) {
    {
      std::lock_guard lock(mu);
      if (reads.size() >= kUpdates + 1) break;
    }
    ASSERT_LT(std::chrono::steady_clock::now(), until) << "messages did not arrive";
    std::this_thread::sleep_for(1ms);
  }
  sub.reset();
  std::lock_guard lock(mu);
  for (auto& [version, read] : reads) {
    const auto got = *read.get();
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_GE(got->version, version) << "a message arrived before its write was visible";
  }
}

TEST_P(StoreContract, BroadcastDeliversABroadcastMessage) {
  auto& store = open(manual_);
  const Uuid a = session_id(1);
  create(a);
  auto sub = store.subscribe(log_.handler());
  const Status st = run(store.broadcast(a, R"({"type":"NOTICE"})"));
  ASSERT_FALSE(st) << st->message;
  ASSERT_TRUE(log_.wait_for(1));
  expect_messages(log_.messages(), a, {{MessageKind::broadcast, 0, R"({"type":"NOTICE"})"}});
}

TEST_P(StoreContract, AResetSubscriptionReceivesNothingMore) {
  auto& store = open(manual_);
  auto sub1 = store.subscribe(log_.handler());
  auto sub2 = store.subscribe(log2_.handler());
  const Session s = create(session_id(1), {"first"});
  ASSERT_TRUE(log_.wait_for(1));
  ASSERT_TRUE(log2_.wait_for(1));
  sub1.reset();
  ASSERT_FALSE(run(store.update(write_of(bumped(s), {"second"}), 1)));
  ASSERT_FALSE(run(store.broadcast(session_id(1), "third")));
  ASSERT_TRUE(log2_.wait_for(3));
  std::this_thread::sleep_for(20ms);  // room for a stray delivery to show up
  EXPECT_EQ(log_.size(), 1u);
}

// ---- concurrency -------------------------------------------------------------------------

TEST_P(StoreContract, ConcurrentWritersAreSeenInVersionOrderByEverySubscriber) {
  constexpr int kWriters = 4;
  constexpr int kUpdates = 200;
  auto& store = open(manual_);
  auto sub1 = store.subscribe(log_.handler());
  auto sub2 = store.subscribe(log2_.handler(20us));
  const Uuid id = session_id(1);
  watch(id);
  create(id, {"v1"});
  std::vector<std::vector<std::int64_t>> written(kWriters);
  std::vector<std::future<std::optional<int>>> writers;
  for (auto& w : written) writers.push_back(spawn(cas_writer(store, id, kUpdates, &w)));
  for (auto& w : writers) ASSERT_GE(*w.get(), kUpdates);

  constexpr std::size_t kTotal = 1 + kWriters * kUpdates;
  for (const MessageLog* log : {&log_, &log2_}) {
    ASSERT_TRUE(log->wait_for(kTotal)) << "got " << log->size();
    const auto all = log->messages();
    ASSERT_EQ(all.size(), kTotal);
    for (std::size_t i = 0; i < all.size(); ++i) {
      ASSERT_EQ(all[i].version, static_cast<std::int64_t>(i) + 1) << "message " << i;
      ASSERT_EQ(all[i].payload, "v" + std::to_string(i + 1));
    }
  }
}

TEST_P(StoreContract, CompareAndSetLosesNoUpdateUnderContention) {
  constexpr int kWriters = 4;
  constexpr int kUpdates = 100;
  auto& store = open(manual_);
  const Uuid id = session_id(1);
  create(id);
  std::vector<std::vector<std::int64_t>> written(kWriters);
  std::vector<std::future<std::optional<int>>> writers;
  for (auto& w : written) writers.push_back(spawn(cas_writer(store, id, kUpdates, &w)));
  int attempts = 0;
  for (auto& w : writers) {
    const int a = *w.get();
    ASSERT_GE(a, kUpdates);
    attempts += a;
  }
  std::cout << "[ cas      ] " << kWriters * kUpdates << " updates in " << attempts
            << " attempts\n";

  std::set<std::int64_t> versions;
  for (const auto& w : written) versions.insert(w.begin(), w.end());
  EXPECT_EQ(versions.size(), static_cast<std::size_t>(kWriters * kUpdates)) << "a version twice";
  EXPECT_EQ(*versions.begin(), 2);
  EXPECT_EQ(*versions.rbegin(), 1 + kWriters * kUpdates);
  const auto got = run(store.get(id));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->version, 1 + kWriters * kUpdates);
  EXPECT_EQ(got->time_used, Millis{kWriters * kUpdates}) << "an update was lost";
}

// ---- TTL -------------------------------------------------------------------------------------

TEST_P(StoreContract, SessionsExpireAfterTheTtl) {
  auto& store = open(manual_, 1s);
  const Uuid id = session_id(1);
  create(id);
  manual_.advance(999ms);
  EXPECT_TRUE(run(store.get(id)).ok());
  manual_.advance(2ms);
  const auto got = run(store.get(id));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, domain::ErrorCode::not_found);
  const Status st = run(store.update(write_of(bumped(created(id).state)), std::nullopt));
  ASSERT_TRUE(st);
  EXPECT_EQ(st->code, domain::ErrorCode::not_found);
  EXPECT_EQ(run(store.count()).value(), 0);
  create(id);  // the id is free again
  EXPECT_TRUE(run(store.get(id)).ok());
}

TEST_P(StoreContract, EveryWriteRefreshesTheTtl) {
  auto& store = open(manual_, 1s);
  const Uuid id = session_id(1);
  const Session s = create(id);
  manual_.advance(600ms);
  ASSERT_FALSE(run(store.update(write_of(bumped(s)), 1)));
  manual_.advance(600ms);
  EXPECT_TRUE(run(store.get(id)).ok()) << "1.2 s after create, 0.6 s after the update";
  manual_.advance(500ms);
  EXPECT_FALSE(run(store.get(id)).ok()) << "1.1 s after the update";
}

// A session scheduled to start (start_at days ahead) lives its TTL past that
// instant, not only past its last write; once it runs, the plain TTL applies.
TEST_P(StoreContract, AScheduledSessionLivesItsTtlPastItsStart) {
  auto& store = open(manual_, 1s);
  const Uuid id = session_id(1);
  auto t = created(id);
  t.state.start_at = manual_.wall_now() + 5s;
  const Session s = t.state;
  ASSERT_FALSE(run(store.create(write_of(std::move(t)))));
  manual_.advance(5900ms);
  EXPECT_TRUE(run(store.get(id)).ok()) << "0.9 s after its start_at";
  manual_.advance(200ms);
  EXPECT_FALSE(run(store.get(id)).ok()) << "1.1 s after its start_at";
  // Started (no start_at any more): back to the plain TTL from its last write.
  const Uuid other = session_id(2);
  auto o = created(other);
  o.state.start_at = manual_.wall_now() + 5s;
  Session started = o.state;
  ASSERT_FALSE(run(store.create(write_of(std::move(o)))));
  started.start_at.reset();
  ASSERT_FALSE(run(store.update(write_of(bumped(started)), 1)));
  manual_.advance(1100ms);
  EXPECT_FALSE(run(store.get(other)).ok());
  (void)s;
}

// ---- deadlines ---------------------------------------------------------------------------------

TEST_P(StoreContract, ADeadlineFiresOnceAtOrShortlyAfterIt) {
  auto& store = open(system_);
  store.set_deadline_handler(deadlines_.handler());
  const Uuid id = session_id(1);
  const TimePoint deadline = system_.wall_now() + 150ms;
  create(id, {}, deadline);
  ASSERT_TRUE(deadlines_.wait_for(1, 2s)) << "the deadline did not fire";
  const auto fired = deadlines_.fired(id);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_GE(fired[0], deadline) << "fired early";
  print_lag("one deadline", lag(fired[0], deadline));
  EXPECT_LT(lag(fired[0], deadline), kMaxLag);
  std::this_thread::sleep_for(100ms);  // bounded room for a second firing, which must not come
  EXPECT_EQ(deadlines_.fired(id).size(), 1u) << "fired twice";
}

TEST_P(StoreContract, ALaterWriteRemovesOrMovesTheDeadline) {
  auto& store = open(system_);
  store.set_deadline_handler(deadlines_.handler());
  enum class Then { update, remove };
  struct Case {
    const char* name;
    Then then;
    std::optional<Millis> new_deadline;  // after the first write's `base`
    std::optional<Millis> fires_at;      // nullopt: never
  };
  const std::vector<Case> cases = {
      {"an update without a deadline", Then::update, std::nullopt, std::nullopt},
      {"remove", Then::remove, std::nullopt, std::nullopt},
      {"an update that moves it later", Then::update, 500ms, 500ms},
      {"an update that moves it earlier", Then::update, 200ms, 200ms},
      {"an update that keeps it", Then::update, 300ms, 300ms},
  };
  const TimePoint base = system_.wall_now();
  const Uuid control = session_id(100);
  create(control, {}, base + 700ms);  // fires after every case
  std::vector<Session> sessions;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    sessions.push_back(create(session_id(static_cast<int>(i) + 1), {}, base + 300ms));
  }
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    const Uuid& id = sessions[i].session_id;
    if (c.then == Then::remove) {
      ASSERT_TRUE(run(store.remove(id, deleted_event(), "")).value()) << c.name;
    } else {
      std::optional<TimePoint> deadline;
      if (c.new_deadline) deadline = base + *c.new_deadline;
      ASSERT_FALSE(run(store.update(write_of(bumped(sessions[i]), {}, deadline), 1))) << c.name;
    }
  }
  const auto written = std::chrono::duration_cast<Millis>(system_.wall_now() - base);
  ASSERT_LT(written, 200ms) << "the test's writes were too slow to mean anything";

  ASSERT_TRUE(deadlines_.wait_for(4, 3s)) << "fired " << deadlines_.total();
  std::this_thread::sleep_for(50ms);  // room for a stray firing to show up
  EXPECT_EQ(deadlines_.fired(control).size(), 1u);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    SCOPED_TRACE(c.name);
    const auto fired = deadlines_.fired(sessions[i].session_id);
    if (!c.fires_at) {
      EXPECT_TRUE(fired.empty());
      continue;
    }
    ASSERT_EQ(fired.size(), 1u);
    const TimePoint at = base + *c.fires_at;
    EXPECT_GE(fired[0], at) << "fired before its (new) deadline";
    EXPECT_LT(lag(fired[0], at), kMaxLag);
    print_lag(c.name, lag(fired[0], at));
  }
}

TEST_P(StoreContract, AnEarlierDeadlineWakesTheTimerSooner) {
  auto& store = open(system_);
  store.set_deadline_handler(deadlines_.handler());
  create(session_id(1), {}, system_.wall_now() + 2500ms);
  std::this_thread::sleep_for(50ms);  // let the timer settle on the far deadline
  const TimePoint soon = system_.wall_now() + 100ms;
  create(session_id(2), {}, soon);
  ASSERT_TRUE(deadlines_.wait_for(1, 2s));
  const auto fired = deadlines_.fired(session_id(2));
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_GE(fired[0], soon);
  print_lag("earlier deadline", lag(fired[0], soon));
  EXPECT_LT(lag(fired[0], soon), kMaxLag);
  EXPECT_TRUE(deadlines_.fired(session_id(1)).empty());
}

TEST_P(StoreContract, ADeadlineWrittenByTheHandlersUpdateFiresToo) {
  auto& store = open(system_);
  const Uuid id = session_id(1);
  store.set_deadline_handler(deadlines_.handler([this, &store](const Uuid& fired) {
    if (deadlines_.fired(fired).size() == 1) {  // skip/auto_advance: the next clock runs
      asio::co_spawn(threads_.io(), write_deadline(store, fired, system_.wall_now() + 100ms),
                     asio::detached);
    }
  }));
  create(id, {}, system_.wall_now() + 100ms);
  ASSERT_TRUE(deadlines_.wait_for(2, 2s)) << "fired " << deadlines_.total();
  const auto fired = deadlines_.fired(id);
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_GE(fired[1] - fired[0], 99ms);  // whole milliseconds on the wall clock
  std::this_thread::sleep_for(100ms);    // bounded room for a third firing, which must not come
  EXPECT_EQ(deadlines_.fired(id).size(), 2u);
}

TEST_P(StoreContract, ManyStaggeredDeadlinesAllFireExactlyOnce) {
  constexpr int kSessions = 200;
  auto& store = open(system_);
  store.set_deadline_handler(deadlines_.handler());
  const TimePoint base = system_.wall_now() + 300ms;
  // A deadline that passed while the test was still writing (a slow store on a busy
  // machine) is due from its write on: measure its lag from there.
  std::vector<DeadlineLog::SysTime> due;
  for (int i = 0; i < kSessions; ++i) {
    const TimePoint at = base + Millis{2 * i};
    create(session_id(i), {}, at);
    due.push_back(std::max<DeadlineLog::SysTime>(at, std::chrono::system_clock::now()));
  }
  ASSERT_TRUE(deadlines_.wait_for(kSessions, 3s)) << "fired " << deadlines_.total();
  std::this_thread::sleep_for(50ms);  // bounded room for a duplicate firing, which must not come
  EXPECT_EQ(deadlines_.total(), static_cast<std::size_t>(kSessions));
  std::chrono::microseconds worst{0};
  for (int i = 0; i < kSessions; ++i) {
    const auto fired = deadlines_.fired(session_id(i));
    ASSERT_EQ(fired.size(), 1u) << "session " << i;
    EXPECT_GE(fired[0], base + Millis{2 * i}) << "session " << i << " fired early";
    const auto late = std::chrono::duration_cast<std::chrono::microseconds>(
        fired[0] - due[static_cast<std::size_t>(i)]);
    worst = std::max(worst, late);
  }
  print_lag("worst of 200 staggered deadlines", worst);
  EXPECT_LT(worst, kMaxLag);
}

// ---- count, health, close ----------------------------------------------------------------------

TEST_P(StoreContract, CountsLiveSessionsAndReportsHealth) {
  auto& store = open(manual_);
  EXPECT_TRUE(run(store.healthy()));
  EXPECT_EQ(run(store.count()).value(), 0);
  for (int i = 1; i <= 3; ++i) create(session_id(i));
  EXPECT_EQ(run(store.count()).value(), 3);
  ASSERT_TRUE(run(store.remove(session_id(2), deleted_event(), "")).value());
  EXPECT_EQ(run(store.count()).value(), 2);
}

TEST_P(StoreContract, AfterCloseEveryOperationIsUnavailable) {
  auto& store = open(manual_);
  const Session s = create(session_id(1));
  store.close();
  EXPECT_FALSE(run(store.healthy()));
  const Uuid id = session_id(1);
  struct Case {
    const char* name;
    std::function<asio::awaitable<std::optional<Error>>()> op;
  };
  auto error_of = [](auto r) -> std::optional<Error> {
    if (r.ok()) return std::nullopt;
    return r.error();
  };
  const std::vector<Case> cases = {
      {"get",
       [&]() -> asio::awaitable<std::optional<Error>> {
         co_return error_of(co_await store.get(id));
       }},
      {"create",
       [&]() -> asio::awaitable<std::optional<Error>> {
         co_return co_await store.create(write_of(created(session_id(2))));
       }},
      {"update",
       [&]() -> asio::awaitable<std::optional<Error>> {
         co_return co_await store.update(write_of(bumped(s)), 1);
       }},
      {"remove",
       [&]() -> asio::awaitable<std::optional<Error>> {
         co_return error_of(co_await store.remove(id, deleted_event(), ""));
       }},
      {"broadcast",
       [&]() -> asio::awaitable<std::optional<Error>> {
         co_return co_await store.broadcast(id, "x");
       }},
      {"count",
       [&]() -> asio::awaitable<std::optional<Error>> {
         co_return error_of(co_await store.count());
       }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto error = run(c.op());
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code, domain::ErrorCode::unavailable) << error->message;
  }
  store.close();  // twice is harmless
}

}  // namespace sk::store::testing
