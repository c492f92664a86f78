// Tests of RedisClient against a real redis-server (redis_server_fixture.h): every
// reply kind, concurrent pipelined commands matched to the right caller, pipelines,
// binary safety, error replies, AUTH and SELECT, fail-fast while Redis is down and
// recovery after it restarts on the same port, command timeouts, and close() leaving
// no background work. Timing assertions are generous upper bounds (< 3 s), never tight.
#include "store/redis/redis_client.h"

#include <atomic>
#include <future>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "store/redis/backoff.h"
#include "store/redis/redis_server_fixture.h"
#include "store/redis/redis_test_support.h"

namespace sk::store::redis::testing {
namespace {

using Clock = std::chrono::steady_clock;
using Args = std::vector<std::string>;

RedisUrl parse(const std::string& url) {
  auto parsed = parse_redis_url(url);
  if (!parsed.ok()) throw std::runtime_error("bad test url " + url);
  return std::move(parsed).value();
}

// Commands for coroutines, built outside them: GCC 12 rejects a braced list of only
// string literals inside a coroutine ("array used as initializer").
Args incr_counter() { return {"INCR", "counter"}; }
Args echo(const std::string& token) { return {"ECHO", token}; }
Args ping() { return {"PING"}; }
Args block_forever() { return {"BLPOP", "never-pushed", "0"}; }

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

class RedisClientTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (client_) client_->close();
    EXPECT_TRUE(io_.stop(3000ms)) << "background work still pending 3 s after close()";
  }

  RedisClient& open(const std::string& url, RedisClientOptions options = {}) {
    client_ = std::make_unique<RedisClient>(io_.executor(), parse(url), options);
    return *client_;
  }
  domain::Result<Reply> cmd(Args args) { return run(io_.io(), client_->command(std::move(args))); }
  domain::Result<std::vector<Reply>> pipe(std::vector<Args> commands) {
    return run(io_.io(), client_->pipeline(std::move(commands)));
  }
  Reply ok(Args args) {
    auto r = cmd(args);
    if (!r.ok()) throw std::runtime_error(args.front() + " failed: " + r.error().message);
    return std::move(r).value();
  }

  RedisServerFixture server_;
  IoThreads io_{2};
  std::unique_ptr<RedisClient> client_;
};

TEST_F(RedisClientTest, ReturnsEveryReplyKind) {
  open(server_.url());
  EXPECT_EQ(ok({"SET", "k", "v"}), Reply::status("OK"));
  EXPECT_EQ(ok({"GET", "k"}), Reply::string("v"));
  EXPECT_EQ(ok({"GET", "missing"}), Reply::nil());
  EXPECT_EQ(ok({"INCRBY", "n", "-42"}), Reply::of_integer(-42));
  EXPECT_EQ(ok({"RPUSH", "list", "a", "b"}), Reply::of_integer(2));
  EXPECT_EQ(ok({"LRANGE", "list", "0", "-1"}),
            Reply::array({Reply::string("a"), Reply::string("b")}));
  EXPECT_EQ(ok({"MGET", "k", "missing"}), Reply::array({Reply::string("v"), Reply::nil()}));
  EXPECT_EQ(ok({"LRANGE", "missing", "0", "-1"}), Reply::array({}));
  // Nested arrays: EVAL returning a table inside a table.
  EXPECT_EQ(ok({"EVAL", "return {1, {'x', 2}}", "0"}),
            Reply::array(
                {Reply::of_integer(1), Reply::array({Reply::string("x"), Reply::of_integer(2)})}));
}

TEST_F(RedisClientTest, ErrorRepliesAreRepliesNotErrors) {
  open(server_.url());
  ok({"SET", "k", "v"});
  const Reply wrongtype = ok({"LPUSH", "k", "x"});
  EXPECT_EQ(wrongtype.kind, ReplyKind::error);
  EXPECT_TRUE(wrongtype.str.starts_with("WRONGTYPE")) << wrongtype.str;
  const Reply noscript = ok({"EVALSHA", std::string(40, 'a'), "0"});
  EXPECT_TRUE(noscript.is_error());
  EXPECT_TRUE(noscript.str.starts_with("NOSCRIPT")) << noscript.str;
  // The connection is still good afterwards.
  EXPECT_EQ(ok({"GET", "k"}), Reply::string("v"));
  EXPECT_TRUE(client_->connected());
}

TEST_F(RedisClientTest, EmptyCommandIsAValidationError) {
  open(server_.url());
  auto r = cmd({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, domain::ErrorCode::validation);
  auto none = pipe({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

// 1,000 commands from 20 coroutines at once on a 2-thread io_context: every INCR gets
// its own count (so none is lost or answered twice) and every ECHO its own token (so
// no reply reaches the wrong caller).
TEST_F(RedisClientTest, ConcurrentCommandsAreAllAnsweredCorrectly) {
  open(server_.url());
  constexpr int kCoroutines = 20;
  constexpr int kPerCoroutine = 50;  // half INCR, half ECHO
  std::mutex mu;
  std::vector<std::int64_t> counts;
  int mismatches = 0;
  int failures = 0;
  auto worker = [&](int w) -> asio::awaitable<void> {
    for (int i = 0; i < kPerCoroutine / 2; ++i) {
      const std::string token = "w" + std::to_string(w) + "-" + std::to_string(i);
      auto incr = co_await client_->command(incr_counter());
      auto echoed = co_await client_->command(echo(token));
      std::lock_guard lock(mu);
      if (!incr.ok() || !echoed.ok()) {
        ++failures;
        continue;
      }
      counts.push_back(incr->integer);
      if (*echoed != Reply::string(token)) ++mismatches;
    }
  };
  std::vector<std::future<void>> done;
  for (int w = 0; w < kCoroutines; ++w) {
    done.push_back(asio::co_spawn(io_.io(), worker(w), asio::use_future));
  }
  for (auto& f : done) f.get();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(mismatches, 0);
  const std::set<std::int64_t> distinct(counts.begin(), counts.end());
  EXPECT_EQ(distinct.size(), static_cast<std::size_t>(kCoroutines * kPerCoroutine / 2));
  EXPECT_EQ(*distinct.begin(), 1);
  EXPECT_EQ(*distinct.rbegin(), kCoroutines * kPerCoroutine / 2);
  EXPECT_EQ(ok({"GET", "counter"}), Reply::string(std::to_string(kCoroutines * kPerCoroutine / 2)));
}

TEST_F(RedisClientTest, PipelineRepliesInOrder) {
  open(server_.url());
  std::vector<Args> sets;
  std::vector<Args> gets;
  for (int i = 0; i < 200; ++i) {
    sets.push_back({"SET", "k" + std::to_string(i), "v" + std::to_string(i)});
    gets.push_back({"GET", "k" + std::to_string(i)});
  }
  auto set_replies = pipe(sets);
  ASSERT_TRUE(set_replies.ok());
  ASSERT_EQ(set_replies->size(), 200U);
  auto get_replies = pipe(gets);
  ASSERT_TRUE(get_replies.ok());
  ASSERT_EQ(get_replies->size(), 200U);
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ((*get_replies)[static_cast<std::size_t>(i)], Reply::string("v" + std::to_string(i)));
  }
  // An error reply in the middle does not disturb the others.
  auto mixed =
      pipe({{"SET", "a", "1"}, {"INCR", "a"}, {"GET", "nope"}, {"LPUSH", "a", "x"}, {"PING"}});
  ASSERT_TRUE(mixed.ok());
  ASSERT_EQ(mixed->size(), 5U);
  EXPECT_EQ((*mixed)[0], Reply::status("OK"));
  EXPECT_EQ((*mixed)[1], Reply::of_integer(2));
  EXPECT_EQ((*mixed)[2], Reply::nil());
  EXPECT_TRUE((*mixed)[3].is_error());
  EXPECT_EQ((*mixed)[4], Reply::status("PONG"));
}

TEST_F(RedisClientTest, BinarySafe) {
  open(server_.url());
  const std::string key("k\0ey\r\n", 6);
  const std::string value("a\0b\r\n$3\r\n*1\0", 13);
  ok({"SET", key, value});
  EXPECT_EQ(ok({"GET", key}), Reply::string(value));

  std::string big(1 << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7919) % 251);
  ok({"SET", "big", big});
  EXPECT_EQ(ok({"STRLEN", "big"}), Reply::of_integer(1 << 20));
  const Reply got = ok({"GET", "big"});
  EXPECT_EQ(got.kind, ReplyKind::string);
  EXPECT_TRUE(got.str == big) << "1 MiB value came back different";
}

TEST_F(RedisClientTest, SelectsTheDatabaseOfTheUrl) {
  open(server_.url(3));
  ok({"SET", "k", "in-db-3"});
  RedisClient db0(io_.executor(), parse(server_.url(0)));
  auto in_db0 = run(io_.io(), db0.command({"GET", "k"}));
  ASSERT_TRUE(in_db0.ok());
  EXPECT_TRUE(in_db0->is_nil());
  EXPECT_EQ(server_.cli({"DBSIZE"}), Reply::of_integer(0));  // the fixture's cli is on db 0
  EXPECT_EQ(ok({"GET", "k"}), Reply::string("in-db-3"));
  db0.close();
}

TEST_F(RedisClientTest, NoServerFailsFastWithUnavailable) {
  server_.kill();
  RedisClientOptions options;
  options.connect_timeout = 1000ms;
  open(server_.url(), options);
  for (int i = 0; i < 5; ++i) {
    const auto start = Clock::now();
    auto r = cmd({"PING"});
    const auto took = Clock::now() - start;
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, domain::ErrorCode::unavailable);
    EXPECT_TRUE(contains(r.error().message, "cannot connect")) << r.error().message;
    EXPECT_LT(took, 3s);
  }
  EXPECT_FALSE(client_->connected());
}

TEST_F(RedisClientTest, RedisDownThenRestartedOnTheSamePort) {
  open(server_.url());
  ok({"SET", "k", "v"});
  EXPECT_TRUE(client_->connected());

  server_.stop();
  EXPECT_TRUE(wait_until([&] { return !client_->connected(); }, 3000ms));
  const auto start = Clock::now();
  for (int i = 0; i < 20; ++i) {
    auto r = cmd({"GET", "k"});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, domain::ErrorCode::unavailable);
  }
  EXPECT_LT(Clock::now() - start, 3s) << "20 calls while down must each fail fast";

  server_.start();
  EXPECT_TRUE(wait_until([&] { return cmd({"PING"}).ok(); }, 10000ms));
  EXPECT_TRUE(client_->connected());
  EXPECT_EQ(ok({"SET", "k", "again"}), Reply::status("OK"));
}

TEST_F(RedisClientTest, CommandTimeoutBreaksTheConnectionThenRecovers) {
  RedisClientOptions options;
  options.pool_size = 1;  // everything below shares the one connection
  options.command_timeout = 300ms;
  open(server_.url(), options);
  ok({"PING"});
  auto sleeping = asio::co_spawn(io_.io(), as_optional(client_->command({"DEBUG", "SLEEP", "1"})),
                                 asio::use_future);
  // The two calls are spawned on a 2-thread io_context: the first must be sent (the
  // server is sleeping) before the PING, so that the PING really queues behind it.
  ASSERT_TRUE(wait_until([&] { return !server_.answers_within(20ms); }, 2000ms))
      << "the DEBUG SLEEP never reached the server";
  auto behind = asio::co_spawn(io_.io(), as_optional(client_->command({"PING"})), asio::use_future);
  const auto start = Clock::now();
  auto slept = *sleeping.get();
  auto queued = *behind.get();
  EXPECT_LT(Clock::now() - start, 3s);
  ASSERT_FALSE(slept.ok());
  EXPECT_EQ(slept.error().code, domain::ErrorCode::unavailable);
  EXPECT_TRUE(contains(slept.error().message, "no reply within 300 ms")) << slept.error().message;
  ASSERT_FALSE(queued.ok()) << "a reply queued behind the timed-out one cannot be trusted";
  EXPECT_EQ(queued.error().code, domain::ErrorCode::unavailable);

  EXPECT_TRUE(wait_until([&] { return cmd({"PING"}).ok(); }, 10000ms));
  EXPECT_EQ(ok({"ECHO", "x"}), Reply::string("x"));
}

TEST_F(RedisClientTest, CloseFailsPendingCallsAndStopsEverything) {
  RedisClientOptions options;
  options.command_timeout = 5000ms;
  open(server_.url(), options);
  ok({"PING"});
  auto pending = asio::co_spawn(io_.io(), as_optional(client_->command({"DEBUG", "SLEEP", "2"})),
                                asio::use_future);
  // Once the command has reached Redis, the server is busy for 2 s.
  ASSERT_TRUE(wait_until([&] { return !server_.answers_within(20ms); }, 1500ms))
      << "the DEBUG SLEEP never reached the server";
  const auto start = Clock::now();
  client_->close();
  auto r = *pending.get();
  EXPECT_LT(Clock::now() - start, 1500ms) << "close() must not wait for the reply";
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, domain::ErrorCode::unavailable);
  EXPECT_TRUE(contains(r.error().message, "closed")) << r.error().message;
  EXPECT_FALSE(client_->connected());
  auto after = cmd({"PING"});
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code, domain::ErrorCode::unavailable);
  // TearDown checks that no timer, socket or coroutine is left 3 s later.
}

TEST_F(RedisClientTest, CloseWhileReconnectingStopsEverything) {
  server_.kill();
  open(server_.url());
  // A failed attempt: a command fails at once with its error while the backoff timer
  // is pending.
  ASSERT_TRUE(wait_until(
      [&] {
        const auto r = cmd({"PING"});
        return !r.ok() && contains(r.error().message, "cannot connect");
      },
      3000ms));
  EXPECT_FALSE(client_->connected());
  client_->close();
  EXPECT_TRUE(io_.stop(3000ms)) << "background work still pending 3 s after close()";
}

class RedisAuthTest : public ::testing::Test {
 protected:
  void TearDown() override { EXPECT_TRUE(io_.stop(3000ms)); }
  domain::Result<Reply> ping(const std::string& url) {
    RedisClient client(io_.executor(), parse(url));
    auto r = run(io_.io(), client.command({"PING"}));
    client.close();
    return r;
  }
  RedisServerFixture server_{
      {.password = "s3cret", .persistence = false, .port = 0, .extra_args = {}}};
  IoThreads io_{2};
};

TEST_F(RedisAuthTest, RightPasswordWorks) {
  auto r = ping(server_.url());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, Reply::status("PONG"));
}

TEST_F(RedisAuthTest, WrongPasswordIsAClearError) {
  const std::string port = std::to_string(server_.port());
  auto r = ping("redis://:wrong-pw@127.0.0.1:" + port);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, domain::ErrorCode::unavailable);
  EXPECT_TRUE(contains(r.error().message, "authentication failed")) << r.error().message;
  EXPECT_TRUE(contains(r.error().message, "WRONGPASS")) << r.error().message;
  EXPECT_FALSE(contains(r.error().message, "wrong-pw")) << "never show the password";
}

TEST_F(RedisAuthTest, MissingPasswordIsAClearError) {
  auto r = ping(server_.url_without_password());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, domain::ErrorCode::unavailable);
  EXPECT_TRUE(contains(r.error().message, "requires a password")) << r.error().message;
  EXPECT_TRUE(contains(r.error().message, "NOAUTH")) << r.error().message;
}

TEST_F(RedisAuthTest, UsernameAndPassword) {
  EXPECT_EQ(server_.cli({"ACL", "SETUSER", "alice", "on", ">alice-pw", "~*", "&*", "+@all"}),
            Reply::status("OK"));
  const std::string port = std::to_string(server_.port());
  RedisClient client(io_.executor(), parse("redis://alice:alice-pw@127.0.0.1:" + port));
  auto who = run(io_.io(), client.command({"ACL", "WHOAMI"}));
  ASSERT_TRUE(who.ok()) << who.error().message;
  EXPECT_EQ(*who, Reply::string("alice"));
  client.close();
  auto wrong = ping("redis://alice:s3cret@127.0.0.1:" + port);  // the default user's password
  ASSERT_FALSE(wrong.ok());
  EXPECT_TRUE(contains(wrong.error().message, "authentication failed")) << wrong.error().message;
}

TEST(Backoff, DoublesUpToTheMaxAndResets) {
  Backoff b(50ms, 300ms);
  EXPECT_EQ(b.next(), 50ms);
  EXPECT_EQ(b.next(), 100ms);
  EXPECT_EQ(b.next(), 200ms);
  EXPECT_EQ(b.next(), 300ms);
  EXPECT_EQ(b.next(), 300ms);
  b.reset();
  EXPECT_EQ(b.next(), 50ms);
}

// A context stopped and destroyed with a request in flight (a stop() before any
// close) frees the waiting caller, even when that caller keeps the client alive, as
// the store's coroutines keep the store's core.
TEST(RedisClientShutdown, AContextDestroyedWithARequestInFlightFreesItsCaller) {
  RedisServerFixture server;
  auto io = std::make_unique<asio::io_context>();
  RedisClientOptions options;
  options.command_timeout = std::chrono::milliseconds{60'000};  // never the way out here
  std::weak_ptr<RedisClient> weak;
  std::atomic<bool> sent{false};
  {
    auto client = std::make_shared<RedisClient>(io->get_executor(), parse(server.url()), options);
    weak = client;
    asio::co_spawn(
        *io,
        [client, &sent]() -> asio::awaitable<void> {
          auto pong = co_await client->command(ping());
          EXPECT_TRUE(pong.ok());
          sent = true;
          auto blocked = co_await client->command(block_forever());
          (void)blocked;
          ADD_FAILURE() << "BLPOP on a list nobody pushes to returned";
        },
        asio::detached);
  }
  const auto until = Clock::now() + 10s;
  while (!sent && Clock::now() < until) io->run_one_for(10ms);
  ASSERT_TRUE(sent) << "no connection to Redis";
  io->run_for(200ms);  // the BLPOP is on the wire
  io->stop();
  ASSERT_FALSE(weak.expired()) << "the caller should still hold the client here";
  io.reset();
  EXPECT_TRUE(weak.expired()) << "the suspended caller, and the client it holds, leaked";
}

}  // namespace
}  // namespace sk::store::redis::testing
