// Tests of the Redis engine against a real redis-server (redis_server_fixture.h): the
// SessionStore contract (store_contract_test.h) unchanged, then what only this engine
// does: several instances on one Redis (fan-out between them, a time-out claimed
// once), the audit stream, hash tags, corrupt values, NOSCRIPT after a script flush,
// claim leases, active TTL expiry, Redis going away and coming back (resync), AUTH.
#include "store/redis/redis_store.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "domain/json.h"
#include "store/redis/key_space.h"
#include "store/redis/redis_cluster_fixture.h"
#include "store/redis/redis_server_fixture.h"
#include "store/redis/redis_test_support.h"
#include "store/store_contract_test.h"
#include "store/store_test_support.h"

namespace sk::store::testing {
namespace {

using domain::ErrorCode;
using redis::RedisStore;
using redis::RedisStoreOptions;
using redis::testing::RedisServerFixture;
using redis::testing::wait_until;

// One redis-server for the whole binary; every store gets its own key prefix, so tests
// never see each other's keys or messages.
RedisServerFixture& shared_server() {
  static RedisServerFixture server;
  return server;
}

std::string fresh_prefix() {
  static std::atomic<int> n{0};
  return "t" + std::to_string(::getpid()) + "-" + std::to_string(++n) + ":";
}

// Waits (bounded) until the store's subscription is up: messages of writes made
// before it would be lost, and the contract expects them.
void wait_subscribed(const RedisStore& store) {
  ASSERT_TRUE(wait_until([&] { return store.subscribed(); }, 10s))
      << "no subscription to Redis after 10 s";
}

std::unique_ptr<RedisStore> make_store(asio::any_io_executor executor, const domain::Clock& clock,
                                       RedisStoreOptions options, const std::string& url) {
  auto parsed = redis::parse_redis_url(url);
  EXPECT_TRUE(parsed.ok());
  auto store = std::make_unique<RedisStore>(std::move(executor), clock, *parsed, options);
  wait_subscribed(*store);
  return store;
}

std::unique_ptr<SessionStore> make_redis(asio::any_io_executor executor, const domain::Clock& clock,
                                         std::chrono::seconds ttl) {
  RedisStoreOptions options;
  options.ttl = ttl;
  options.key_prefix = fresh_prefix();
  return make_store(std::move(executor), clock, options, shared_server().url());
}

// The same contract on a Redis Cluster (3 masters + 3 replicas).
std::unique_ptr<SessionStore> make_redis_cluster(asio::any_io_executor executor,
                                                 const domain::Clock& clock,
                                                 std::chrono::seconds ttl) {
  RedisStoreOptions options;
  options.ttl = ttl;
  options.key_prefix = fresh_prefix();
  auto store =
      make_store(std::move(executor), clock, options, redis::testing::shared_cluster().url());
  return store;
}

INSTANTIATE_TEST_SUITE_P(Redis, StoreContract,
                         ::testing::Values(StoreFactory{"redis", make_redis},
                                           StoreFactory{"redis_cluster", make_redis_cluster}),
                         factory_name);

class RedisStoreTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (auto& s : stores_) s->close();
    stores_.clear();
    EXPECT_TRUE(threads_.stop(3s)) << "background work still running 3 s after close()";
  }

  // One "instance": a store with its own connections, sharing `prefix_` with the others.
  RedisStore& open(const domain::Clock& clock, RedisStoreOptions options = {},
                   std::string url = {}) {
    options.key_prefix = prefix_;
    stores_.push_back(
        make_store(threads_.executor(), clock, options, url.empty() ? shared_server().url() : url));
    return *stores_.back();
  }

  template <typename T>
  T run(asio::awaitable<T> aw) {
    return *spawn_on(threads_.io(), std::move(aw)).get();
  }

  redis::Reply cli(const std::vector<std::string>& args) { return shared_server().cli(args); }

  redis::KeySpace keys() const { return redis::KeySpace(prefix_, RedisStoreOptions{}.shards); }

  Session create_in(RedisStore& store, const Uuid& id, std::vector<std::string> messages = {},
                    std::optional<TimePoint> deadline = std::nullopt) {
    auto t = created(id);
    Session s = t.state;
    const Status st = run(store.create(write_of(std::move(t), std::move(messages), deadline)));
    EXPECT_FALSE(st) << st->message;
    return s;
  }

  IoThreads threads_;
  std::string prefix_ = fresh_prefix();
  std::vector<std::unique_ptr<RedisStore>> stores_;
  domain::ManualClock manual_{kT0};
  domain::SystemClock system_;
};

TEST_F(RedisStoreTest, WritesOnOneInstanceReachSubscribersOfEveryInstanceInOrder) {
  auto& a = open(manual_);
  auto& b = open(manual_);
  auto& c = open(manual_);
  MessageLog on_a, on_b, on_c;
  auto sa = a.subscribe(on_a.handler());
  auto sb = b.subscribe(on_b.handler());
  auto sc = c.subscribe(on_c.handler());
  const Uuid id = session_id(1);
  auto watched = run(c.watch(id));  // in full: somebody watches it
  Session s = create_in(a, id, {"v1"});
  RedisStore* writers[] = {&b, &c, &a};
  for (int i = 0; i < 30; ++i) {
    Session next = bumped(s);
    std::vector<std::string> messages{"v" + std::to_string(next.version)};
    ASSERT_FALSE(run(writers[i % 3]->update(write_of(next, std::move(messages)), s.version)));
    s = next;
  }
  std::vector<Expected> expected;
  for (int v = 1; v <= 31; ++v) {
    expected.push_back({MessageKind::update, v, "v" + std::to_string(v)});
  }
  for (auto* log : {&on_a, &on_b, &on_c}) {
    ASSERT_TRUE(log->wait_for(31));
    expect_messages(log->messages(), id, expected);
  }
}

// The write cache (get_for_update): this instance's own last write is served without
// a read, another instance's write makes the entry go (by its message) or, while the
// message is still on its way, fail the version check; get() always reads Redis.
TEST_F(RedisStoreTest, ReadsForUpdateComeFromTheWriteCacheUntilAnotherInstanceWrites) {
  auto& a = open(manual_);
  auto& b = open(manual_);
  MessageLog on_a;
  auto sa = a.subscribe(on_a.handler());
  const Uuid id = session_id(1);
  const Session s1 = create_in(a, id, {"v1"});

  auto read = run(a.get_for_update(id));
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(read->cached);
  EXPECT_EQ(read->state, s1);
  read = run(b.get_for_update(id));  // b never wrote it
  ASSERT_TRUE(read.ok());
  EXPECT_FALSE(read->cached);
  EXPECT_EQ(read->state, s1);

  // b writes v2: a's entry (v1) is stale; a write based on it fails the version check.
  const Session s2 = bumped(s1);
  ASSERT_FALSE(run(b.update(write_of(s2, {"v2"}), 1)));
  EXPECT_EQ(run(a.get(id)).value(), s2);  // get() reads Redis
  const Status stale = run(a.update(write_of(bumped(s1)), s1.version));
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->code, ErrorCode::conflict);
  // Once b's message has reached a, a reads Redis again.
  ASSERT_TRUE(on_a.wait_for(2));
  read = run(a.get_for_update(id));
  ASSERT_TRUE(read.ok());
  EXPECT_FALSE(read->cached);
  EXPECT_EQ(read->state, s2);

  // A deletion by another instance drops the entry.
  const Uuid other = session_id(2);
  create_in(a, other);
  EXPECT_TRUE(run(a.get_for_update(other)).value().cached);
  ASSERT_TRUE(run(b.remove(other, deleted_event(kT0), "")).value());
  ASSERT_TRUE(wait_until([&] { return !run(a.get_for_update(other)).ok(); }, 5s));

  // A session past its TTL is not served from the cache.
  const Session s3 = bumped(s2);
  ASSERT_FALSE(run(a.update(write_of(s3), 2)));
  EXPECT_TRUE(run(a.get_for_update(id)).value().cached);
  manual_.advance(RedisStoreOptions{}.ttl + 1s);
  EXPECT_EQ(run(a.get_for_update(id)).error().code, ErrorCode::not_found);
}

// The write cache is bounded by bytes: sessions of 1,000 participants (~80 KB each
// here) fill a 1 MiB budget after a dozen creates, however many entries it could
// count; the last write is still served from it.
TEST_F(RedisStoreTest, TheWriteCacheStaysWithinItsByteBudget) {
  constexpr std::size_t kBudget = std::size_t{1} << 20;
  constexpr int kCreates = 40;
  RedisStoreOptions options;
  options.write_cache_bytes = kBudget;
  auto& a = open(manual_, options);
  Session last;
  for (int i = 0; i < kCreates; ++i) {
    auto t = must(
        engine::create(request(domain::SyncMode::per_participant, 1000), session_id(100 + i), kT0));
    last = t.state;
    ASSERT_FALSE(run(a.create(write_of(std::move(t)))));
    const auto size = a.write_cache_size();
    ASSERT_LE(size.bytes, kBudget)
        << "after " << i + 1 << " creates, " << size.entries << " entries";
    ASSERT_GE(size.entries, 1u);
    // The estimate counts the participants, at least.
    EXPECT_GE(size.bytes, size.entries * 1000 * sizeof(domain::Participant));
  }
  EXPECT_LT(a.write_cache_size().entries, static_cast<std::size_t>(kCreates));
  const auto read = run(a.get_for_update(last.session_id));
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(read->cached);
  EXPECT_EQ(read->state, last);

  // 0 turns the cache off.
  RedisStoreOptions off;
  off.write_cache_bytes = 0;
  auto& b = open(manual_, off);
  const Session s = create_in(b, session_id(1));
  EXPECT_EQ(b.write_cache_size().entries, 0u);
  EXPECT_FALSE(run(b.get_for_update(s.session_id)).value().cached);
}

TEST_F(RedisStoreTest, ADeadlineFiresOnceAcrossThreeInstances) {
  std::array<DeadlineLog, 3> logs;
  std::array<RedisStore*, 3> instances{};
  for (std::size_t i = 0; i < 3; ++i) {
    instances[i] = &open(system_);
    // Like the server: the time-out is written back, which removes the deadline.
    instances[i]->set_deadline_handler(
        logs[i].handler(write_back_timeout(threads_.io(), instances[i])));
  }
  constexpr int kSessions = 20;
  const TimePoint deadline = system_.wall_now() + 300ms;
  for (int n = 1; n <= kSessions; ++n) {
    create_in(*instances[static_cast<std::size_t>(n % 3)], session_id(n), {}, deadline);
  }
  auto total = [&] { return logs[0].total() + logs[1].total() + logs[2].total(); };
  wait_until([&] { return total() >= kSessions; }, 5s);  // checked exactly below
  // Once every time-out is written back, no deadline is left to claim: a second
  // firing would have had to happen by then.
  const auto k = keys();
  ASSERT_TRUE(wait_until(
      [&] {
        for (int shard = 0; shard < k.shards(); ++shard) {
          if (cli({"ZCARD", k.deadlines(shard)}).integer != 0) return false;
        }
        return true;
      },
      5s))
      << "deadlines left in the index after every session timed out";
  EXPECT_EQ(total(), static_cast<std::size_t>(kSessions));
  for (int n = 1; n <= kSessions; ++n) {
    std::size_t fired = 0;
    for (const auto& log : logs) fired += log.fired(session_id(n)).size();
    EXPECT_EQ(fired, 1u) << "session " << n;
  }
}

TEST_F(RedisStoreTest, AClaimNotFollowedByAWriteFiresAgainAfterTheLease) {
  // The instance that claimed it died (here: its handler writes nothing): after the
  // lease another round claims it again, so the time-out is not lost.
  RedisStoreOptions options;
  options.poller.lease = 400ms;
  auto& store = open(system_, options);
  DeadlineLog log;
  store.set_deadline_handler(log.handler());
  const Uuid id = session_id(1);
  create_in(store, id, {}, system_.wall_now() + 100ms);
  ASSERT_TRUE(log.wait_for(2, 3s)) << "fired " << log.total() << " time(s)";
  const auto fired = log.fired(id);
  EXPECT_GE(fired[1] - fired[0], 350ms);
}

TEST_F(RedisStoreTest, EveryWriteAppendsItsAuditEventsToTheShardsStream) {
  auto& store = open(manual_);
  const Uuid id = session_id(1);
  auto t = created(id);
  const Session s1 = t.state;
  ASSERT_FALSE(run(store.create(write_of(std::move(t)))));
  auto started = applied(s1, domain::StartCommand{}, kT0 + 1s);
  ASSERT_FALSE(run(store.update(write_of(std::move(started)), 1)));
  ASSERT_TRUE(run(store.remove(id, deleted_event(kT0 + 2s), "")).value());

  const auto k = keys();
  const auto entries = cli({"XRANGE", k.audit(k.shard_of(id)), "-", "+"});
  ASSERT_EQ(entries.elements.size(), 3u) << entries.debug_string();
  const std::vector<std::string> types{"session_created", "session_started", "session_deleted"};
  // "<session>:<created ms>:<version>:<n>:<nonce>" (domain/audit_record.h), the
  // nonce 16 random hex digits of the write (issue 16); a deletion ends in "deleted".
  const std::string life = id.to_string() + ":" + std::to_string(domain::to_unix_ms(s1.created_at));
  const std::vector<std::string> event_ids{life + ":1:1:", life + ":2:1:", life + ":2:deleted"};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& fields = entries.elements[i].elements[1].elements;  // [id, [k, v, ...]]
    std::map<std::string, std::string> f;
    for (std::size_t j = 0; j + 1 < fields.size(); j += 2) f[fields[j].str] = fields[j + 1].str;
    if (i < 2) {
      EXPECT_EQ(f["id"].substr(0, event_ids[i].size()), event_ids[i]);
      EXPECT_EQ(f["id"].size(), event_ids[i].size() + 16) << f["id"];
    } else {
      EXPECT_EQ(f["id"], event_ids[i]);
    }
    EXPECT_EQ(f["session"], id.to_string());
    EXPECT_NE(f["event"].find(R"("type":")" + types[i] + "\""), std::string::npos) << f["event"];
    EXPECT_TRUE(domain::decode_session(f["state"]).ok()) << "state snapshot of entry " << i;
  }
}

// A write sends its messages' payloads only for a session it found watched lately:
// the first write after another instance started watching is refused by the script
// before it changes anything and sent again in full, so it is stored, audited and
// published once; the writes after it go in full at once.
TEST_F(RedisStoreTest, AWriteThatFindsItsSessionWatchedIsSentAgainInFullAndWrittenOnce) {
  auto& a = open(manual_);
  auto& b = open(manual_);
  MessageLog on_b;
  auto sb = b.subscribe(on_b.handler());
  const Uuid id = session_id(1);
  auto t = created(id);
  Session s = t.state;
  ASSERT_FALSE(run(a.create(write_of(std::move(t), {"c1"}))));
  auto watched = run(b.watch(id));
  for (int n = 0; n < 2; ++n) {
    auto next = n == 0 ? applied(s, domain::StartCommand{}, kT0 + 1s)
                       : applied(s, domain::SwitchCommand{}, kT0 + 2s);
    Session state = next.state;
    ASSERT_FALSE(
        run(a.update(write_of(std::move(next), {"u" + std::to_string(state.version)}), s.version)));
    s = state;
  }
  ASSERT_TRUE(on_b.wait_for(3));
  expect_messages(on_b.messages(), id,
                  {{MessageKind::update, 1, ""},
                   {MessageKind::update, 2, "u2"},
                   {MessageKind::update, 3, "u3"}});
  const auto k = keys();
  const auto entries = cli({"XRANGE", k.audit(k.shard_of(id)), "-", "+"});
  ASSERT_EQ(entries.elements.size(), 3u) << entries.debug_string();  // created, started, switched
  EXPECT_EQ(cli({"HGET", k.session(id), "v"}).str, "3");
}

// The expiry index and Redis's backstop TTL follow the stored expiry when it moved
// by a tenth of the TTL (a write every few seconds would otherwise rewrite them
// every time); the stored expiry, which reads decide on, moves with every write, and
// the active expiry moves a stale index entry instead of expiring a live session.
TEST_F(RedisStoreTest, TheExpiryIndexFollowsTheExpiryWhenItMovedByATenthOfTheTtl) {
  RedisStoreOptions options;
  options.ttl = 100s;
  auto& store = open(manual_, options);
  const Uuid id = session_id(1);
  Session s = create_in(store, id);
  const auto k = keys();
  const auto score = [&] {
    return cli({"ZSCORE", k.expiries(k.shard_of(id)), id.to_string()}).str;
  };
  const auto ms = [](TimePoint t) { return std::to_string(domain::to_unix_ms(t)); };
  const auto write = [&] {
    Session next = bumped(s);
    ASSERT_FALSE(run(store.update(write_of(next), s.version)));
    s = next;
  };
  EXPECT_EQ(score(), ms(kT0 + 100s));
  manual_.advance(5s);
  write();
  EXPECT_EQ(score(), ms(kT0 + 100s));  // moved by 5 s < 10 s: left
  EXPECT_EQ(cli({"HGET", k.session(id), "x"}).str, ms(kT0 + 105s));
  manual_.advance(5s);
  write();
  EXPECT_EQ(score(), ms(kT0 + 110s));  // 10 s since it was set
  manual_.advance(5s);
  write();               // x = 115 s, index 110 s
  manual_.advance(97s);  // past the index entry, not past x
  ASSERT_TRUE(wait_until([&] { return score() == ms(kT0 + 115s); }, 10s))
      << "the active expiry moves the entry to the stored expiry";
  EXPECT_TRUE(run(store.get(id)).ok());
}

// Watch leases (watch_registry.h): full messages only while somebody watches; a
// bare version otherwise, which still drops other instances' cache entries (the test
// above writes sessions nobody watches).
TEST_F(RedisStoreTest, WritesOfSessionsNobodyWatchesPublishABareVersion) {
  auto& a = open(manual_);
  auto& b = open(manual_);
  MessageLog on_b;
  auto sb = b.subscribe(on_b.handler());
  const Uuid id = session_id(1);
  Session s = create_in(a, id, {"c1", "c2"});
  const auto write = [&](std::vector<std::string> messages) {
    Session next = bumped(s);
    ASSERT_FALSE(run(a.update(write_of(next, std::move(messages)), s.version)));
    s = next;
  };
  write({"u2"});
  const auto k = keys();
  const auto shard = k.shard_of(id);
  EXPECT_TRUE(cli({"ZSCORE", k.watched(shard), id.to_string()}).is_nil());

  {
    auto watched = run(b.watch(id));
    EXPECT_FALSE(cli({"ZSCORE", k.watched(shard), id.to_string()}).is_nil());
    write({"u3", "t3"});
  }
  // Dropped, but its lease runs on (another instance may still watch): in full.
  write({"u4"});
  manual_.advance(RedisStoreOptions{}.watch_lease);
  write({"u5"});  // the lease has lapsed: bare again
  write({});      // no messages: nothing published

  ASSERT_TRUE(on_b.wait_for(6));
  expect_messages(on_b.messages(), id,
                  {{MessageKind::update, 1, ""},
                   {MessageKind::update, 2, ""},
                   {MessageKind::update, 3, "u3"},
                   {MessageKind::update, 3, "t3"},
                   {MessageKind::update, 4, "u4"},
                   {MessageKind::update, 5, ""}});
}

TEST_F(RedisStoreTest, WatchLeasesAreRenewedWhileHeldAndLapseWhenDropped) {
  RedisStoreOptions options;
  options.watch_lease = 1500ms;  // renewed every 500 ms
  auto& a = open(system_, options);
  MessageLog log;
  auto sub = a.subscribe(log.handler());
  const Uuid id = session_id(1);
  const auto k = keys();
  const auto watched_key = k.watched(k.shard_of(id));
  Session s;
  {
    auto watched = run(a.watch(id));
    const auto score = [&] { return std::stoll(cli({"ZSCORE", watched_key, id.to_string()}).str); };
    // Past the end of the first lease: only renewals keep it.
    const std::int64_t first_end = score();
    ASSERT_TRUE(wait_until(
        [&] {
          return domain::to_unix_ms(system_.wall_now()) > first_end + 200 && score() > first_end;
        },
        5s))
        << "the lease was not renewed";
    s = create_in(a, id, {"held"});
  }
  // Dropped: the lease runs out, and a later renewal round removes it.
  ASSERT_TRUE(wait_until(
      [&] {
        return cli({"ZSCORE", watched_key, id.to_string()}).is_nil();
      },
      10s))
      << "the lease of a dropped watch was never removed";
  ASSERT_FALSE(run(a.update(write_of(bumped(s), {"dropped"}), 1)));
  ASSERT_TRUE(log.wait_for(2));
  expect_messages(log.messages(), id,
                  {{MessageKind::update, 1, "held"}, {MessageKind::update, 2, ""}});
}

TEST_F(RedisStoreTest, WatchesAreRegisteredAgainWhenRedisComesBackWithoutThem) {
  RedisServerFixture own(RedisServerFixture::Options{"", false, 0, {}});  // no persistence
  auto& store = open(manual_, {}, own.url());
  MessageLog log;
  auto sub = store.subscribe(log.handler());
  const Uuid id = session_id(1);
  auto watched = run(store.watch(id));
  own.stop();
  own.start();  // empty: no session, no lease
  // The leases are back before the resync that tells watchers to re-read.
  ASSERT_TRUE(log.wait_until([](const auto& all) {
    return std::any_of(all.begin(), all.end(),
                       [](const auto& m) { return m.kind == MessageKind::resync; });
  }));
  ASSERT_TRUE(wait_until([&] { return run(store.healthy()); }, 10s));
  create_in(store, id, {"after"});
  ASSERT_TRUE(log.wait_for(2));
  expect_messages(log.messages(), id, {{MessageKind::update, 1, "after"}});
}

TEST_F(RedisStoreTest, AllKeysOfOneWriteShareOneHashTag) {
  auto& store = open(manual_);
  for (int n = 1; n <= 40; ++n) create_in(store, session_id(n), {}, kT0 + 1h);
  const auto all = cli({"KEYS", prefix_ + "*"});
  std::set<std::string> tags;
  for (const auto& key : all.elements) {
    const auto open_brace = key.str.find('{');
    const auto close_brace = key.str.find('}');
    ASSERT_NE(open_brace, std::string::npos) << key.str;
    ASSERT_LT(open_brace, close_brace) << key.str;
    tags.insert(key.str.substr(open_brace, close_brace - open_brace + 1));
  }
  EXPECT_GT(tags.size(), 1u) << "40 sessions spread over the shards";
  const auto k = keys();
  for (int n = 1; n <= 40; ++n) {
    const auto id = session_id(n);
    const auto shard = k.shard_of(id);
    const auto tag = "{" + std::to_string(shard) + "}";
    EXPECT_NE(k.session(id).find(tag), std::string::npos);
    EXPECT_EQ(cli({"ZSCORE", k.deadlines(shard), id.to_string()}).is_nil(), false);
    EXPECT_EQ(cli({"EXISTS", k.session(id)}).integer, 1);
  }
}

TEST_F(RedisStoreTest, ACorruptStoredValueIsADeserializationError) {
  auto& store = open(manual_);
  const auto k = keys();
  const Uuid garbage = session_id(1);
  create_in(store, garbage);
  cli({"HSET", k.session(garbage), "s", "{not json"});
  auto got = run(store.get(garbage));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, domain::ErrorCode::deserialization);

  const Uuid wrong_type = session_id(2);
  cli({"SET", k.session(wrong_type), "a plain string"});
  got = run(store.get(wrong_type));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, domain::ErrorCode::deserialization);
  const Status st = run(store.update(write_of(bumped(created(wrong_type).state)), 1));
  ASSERT_TRUE(st);
  EXPECT_EQ(st->code, domain::ErrorCode::deserialization);

  const Uuid other_id = session_id(3);
  create_in(store, other_id);
  const auto moved = cli({"HGET", k.session(other_id), "s"});
  cli({"HSET", k.session(session_id(4)), "s", moved.str, "v", "1", "x", "99999999999999"});
  got = run(store.get(session_id(4)));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, domain::ErrorCode::deserialization);
}

TEST_F(RedisStoreTest, ScriptsAreReloadedAfterAScriptFlush) {
  auto& store = open(manual_);
  const Uuid id = session_id(1);
  const Session s = create_in(store, id);
  cli({"SCRIPT", "FLUSH"});
  EXPECT_FALSE(run(store.update(write_of(bumped(s)), 1)));
  EXPECT_EQ(run(store.get(id)).value().version, 2);
}

TEST_F(RedisStoreTest, IdleSessionsAreExpiredActivelyWithADeletedMessage) {
  RedisStoreOptions options;
  options.ttl = 1s;
  auto& store = open(system_, options);
  MessageLog log;
  auto sub = store.subscribe(log.handler());
  const Uuid id = session_id(1);
  auto watched = run(store.watch(id));
  create_in(store, id, {"v1"});
  ASSERT_TRUE(log.wait_until(
      [&](const auto& all) {
        return std::any_of(all.begin(), all.end(),
                           [](const auto& m) { return m.kind == MessageKind::deleted; });
      },
      5s));
  expect_messages(log.messages(), id,
                  {{MessageKind::update, 1, "v1"}, {MessageKind::deleted, 0, ""}});
  EXPECT_EQ(cli({"EXISTS", keys().session(id)}).integer, 0);
  // Audited as a deletion ("expired"), so that recovery never brings it back.
  const auto k = keys();
  const auto entries = cli({"XRANGE", k.audit(k.shard_of(id)), "-", "+"});
  ASSERT_FALSE(entries.elements.empty());
  const auto& fields = entries.elements.back().elements[1].elements;
  std::map<std::string, std::string> f;
  for (std::size_t j = 0; j + 1 < fields.size(); j += 2) f[fields[j].str] = fields[j + 1].str;
  EXPECT_TRUE(f["id"].ends_with(":1:deleted")) << f["id"];
  EXPECT_NE(f["event"].find(R"("type":"session_deleted")"), std::string::npos) << f["event"];
  EXPECT_NE(f["event"].find(R"("reason":"expired")"), std::string::npos) << f["event"];
  EXPECT_TRUE(domain::decode_session(f["state"]).ok());
}

TEST_F(RedisStoreTest, PasswordProtectedRedis) {
  RedisServerFixture secured(RedisServerFixture::Options{"s3cret", false, 0, {}});
  auto& store = open(manual_, {}, secured.url());
  const Uuid id = session_id(1);
  create_in(store, id);
  EXPECT_TRUE(run(store.get(id)).ok());
  EXPECT_TRUE(run(store.healthy()));
  store.close();

  // Without the password nothing works, quickly and as `unavailable`.
  auto parsed = redis::parse_redis_url(secured.url_without_password());
  RedisStore refused(threads_.executor(), manual_, *parsed, {});
  const auto got = run(refused.get(id));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, domain::ErrorCode::unavailable);
  EXPECT_FALSE(run(refused.healthy()));
  refused.close();
}

TEST_F(RedisStoreTest, RedisRestartFailsFastThenRecoversAndAsksSubscribersToResync) {
  RedisServerFixture own(RedisServerFixture::Options{"", true, 0, {}});
  auto& store = open(manual_, {}, own.url());
  MessageLog log;
  auto sub = store.subscribe(log.handler());
  const Uuid id = session_id(1);
  const Session s = create_in(store, id);

  own.stop();
  const auto t0 = std::chrono::steady_clock::now();
  const auto got = run(store.get(id));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, domain::ErrorCode::unavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s) << "unavailable must be fast";
  EXPECT_FALSE(run(store.healthy()));

  own.start();  // with persistence: the session survived
  ASSERT_TRUE(wait_until([&] { return run(store.healthy()); }, 10s))
      << "the store did not recover within 10 s";
  EXPECT_EQ(run(store.get(id)).value().version, 1);
  EXPECT_FALSE(run(store.update(write_of(bumped(s)), 1)));
  ASSERT_TRUE(log.wait_until([](const auto& all) {
    return std::any_of(all.begin(), all.end(),
                       [](const auto& m) { return m.kind == MessageKind::resync; });
  }));
}

}  // namespace
}  // namespace sk::store::testing
