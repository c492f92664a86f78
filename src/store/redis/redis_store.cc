// RedisStore (see redis_store.h): the SessionStore operations as Redis commands and
// scripts, the events subscription and the deadline poller.
//
// Commands are built by plain functions, outside the coroutines: GCC 12 rejects a
// braced list of string literals inside a coroutine.
#include "store/redis/redis_store.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <random>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "domain/json.h"
#include "store/fan_out.h"
#include "store/redis/bus_message.h"
#include "store/redis/key_space.h"
#include "store/redis/redis_client.h"
#include "store/redis/redis_subscriber.h"
#include "store/redis/scripts.h"
#include "store/redis/sharded_subscriber.h"
#include "store/redis/watch_registry.h"
#include "store/redis/watched_hint.h"
#include "store/redis/write_cache.h"

namespace sk::store::redis {

namespace {

using domain::TimePoint;

Error store_closed() { return Error::unavailable("redis store closed"); }

// The store's clock also measures its connections' command timeouts.
RedisStoreOptions with_clock(RedisStoreOptions options, const domain::Clock& clock) {
  options.client.clock = &clock;
  return options;
}

constexpr std::chrono::milliseconds kBackstopGrace{60'000};

// A Redis error reply to a store operation: a key of the wrong type is a stored value
// that is not a session; anything else (OOM, READONLY, BUSY, ...) is Redis refusing.
Error error_of(const Reply& reply) {
  if (reply.str.find("WRONGTYPE") != std::string::npos) {
    return Error::deserialization("the stored value is not a session");
  }
  return Error::unavailable("redis: " + reply.str);
}

std::vector<std::string> hmget_state(std::string key) {
  return {"HMGET", std::move(key), "s", "x"};
}
std::vector<std::string> hmget_state_and_deadline(std::string key) {
  return {"HMGET", std::move(key), "s", "x", "d"};
}

// The version an epoch began at: "r<version>.<random>" for epochs this store made
// after a rollback, 1 for a life's first ("c...", domain::first_epoch), 0 for none.
std::int64_t epoch_since(const std::string& epoch) {
  if (epoch.empty()) return 0;
  if (epoch[0] != 'r') return 1;
  std::int64_t v = 0;
  // At most 18 digits: a version, never an overflow.
  for (std::size_t i = 1; i < epoch.size() && i <= 18 && epoch[i] >= '0' && epoch[i] <= '9'; ++i) {
    v = v * 10 + (epoch[i] - '0');
  }
  return v;
}

std::optional<std::int64_t> parse_int(const Reply& r) {
  if (r.is_nil()) return std::nullopt;
  try {
    return std::stoll(r.str);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}
std::vector<std::string> ping() { return {"PING"}; }

}  // namespace

struct RedisStore::Core : std::enable_shared_from_this<Core> {
  Core(asio::any_io_executor ex, const domain::Clock& c, RedisUrl url, RedisStoreOptions o)
      : executor(std::move(ex)),
        clock(c),
        options(with_clock(std::move(o), c)),
        keys(options.key_prefix, options.shards, url.cluster),
        client(std::make_shared<RedisClient>(executor, url, options.client)),
        fan_out(FanOut::make()),
        cache(std::make_shared<WriteCache>(options.write_cache_bytes)),
        subscriber(make_subscriber(std::move(url))) {}

  std::unique_ptr<EventsSubscriber> make_subscriber(RedisUrl url) {
    auto on_message = [this](std::string_view, std::string_view payload) {
      // Another version's frame (a rolling upgrade) is skipped, not misread.
      if (auto message = decode_bus_message(payload)) {
        if (auto rollback = cache->seen(*message)) rolled_back(*rollback);
        fan_out->publish(*message);
      }
    };
    auto on_resubscribed = [this] { resubscribed(); };
    auto on_lost = [this] {
      if (options.on_connection_change) options.on_connection_change(false);
    };
    if (url.cluster) {
      return std::make_unique<ShardedSubscriber>(
          executor, std::move(url), options.client, client->router(), keys.subscribe_channels(),
          std::move(on_message), std::move(on_resubscribed), std::move(on_lost));
    }
    return std::make_unique<RedisSubscriber>(executor, std::move(url), options.client,
                                             keys.subscribe_channels(), std::move(on_message),
                                             std::move(on_resubscribed), std::move(on_lost));
  }

  void start() {
    watches = WatchRegistry::start(executor, client, keys, clock, options.watch_lease);
    subscriber->start();
    auto poller_options = options.poller;
    poller_options.audit_max_length = options.audit_max_length;
    poller = DeadlinePoller::start(executor, client, keys, clock, poller_options,
                                   [weak = weak_from_this()](const Uuid& id) {
                                     if (auto self = weak.lock()) self->due(id);
                                   });
  }

  // Messages may have been lost while the subscription was down, and Redis may have
  // restarted without the watch leases: the leases first (retried while the pool
  // reconnects, for at most ~2 s), so that the re-reads watchers make on `resync` are
  // followed by full messages again. (The subscriber, which calls this, is closed
  // before the Core goes away.)
  void resubscribed() {
    asio::co_spawn(executor, resync_after_renewal(weak_from_this()), asio::detached);
  }

  static asio::awaitable<void> resync_after_renewal(std::weak_ptr<Core> weak) {
    for (int attempt = 0; attempt < 20; ++attempt) {
      auto core = weak.lock();
      if (!core || core->closed) co_return;
      const bool renewed = co_await core->watches->renew_all();
      if (renewed) break;
      asio::steady_timer pause(core->executor, std::chrono::milliseconds{100});
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    auto core = weak.lock();
    if (!core || core->closed) co_return;
    StoreMessage resync{Uuid{}, MessageKind::resync, 0, {}};
    core->cache->seen(resync);
    core->fan_out->publish(resync);
    if (core->options.on_connection_change) core->options.on_connection_change(true);
  }

  // A claimed deadline: the handler applies the time-out through update(); it runs
  // on the executor, never on the poller's strand.
  void due(const Uuid& id) {
    DeadlineHandler handler;
    {
      std::lock_guard lock(mu);
      handler = deadline_handler;
    }
    if (!handler || closed) return;
    asio::post(executor, [handler = std::move(handler), id] { handler(id); });
  }

  asio::awaitable<Status> write(bool create, Write w, std::optional<std::int64_t> expected);
  // Everything of the write script's ARGV but the messages.
  WriteScriptArgs write_args(bool create, const Write& w, std::optional<std::int64_t> expected,
                             domain::TimePoint now) const;

  // 16 hex digits from this store's generator: a write's nonce, an epoch's name.
  std::string random_hex() {
    static constexpr char kHex[] = "0123456789abcdef";
    std::uint64_t r = 0;
    {
      std::lock_guard lock(rng_mu);
      r = rng();
    }
    std::string out(16, '0');
    for (auto& c : out) {
      c = kHex[r & 0xf];
      r >>= 4;
    }
    return out;
  }

  // A rollback noticed outside a write (the channel, a read): stamped in the
  // background, never on the subscriber's thread.
  void rolled_back(Rollback r) {
    if (closed) return;
    asio::co_spawn(executor, stamp_epoch(weak_from_this(), r, 0), asio::detached);
  }

  // Writes the session once more, at a version above `r.expected`, with a new epoch and
  // a store_rolled_back event, unless its epoch already began at or after the version
  // found (another instance, or an earlier notice, stamped this rollback). `created_ms` (0:
  // unknown) tells a rollback from a new life of the id. Retried on a racing write; anything else
  // gives up (logged by nobody: the next notice tries again).
  static asio::awaitable<void> stamp_epoch(std::weak_ptr<Core> weak, Rollback r,
                                           std::int64_t created_ms);

  const asio::any_io_executor executor;
  const domain::Clock& clock;
  const RedisStoreOptions options;
  const KeySpace keys;
  const std::shared_ptr<RedisClient> client;
  const std::shared_ptr<FanOut> fan_out;
  const std::shared_ptr<WriteCache> cache;
  const std::unique_ptr<EventsSubscriber> subscriber;
  std::shared_ptr<DeadlinePoller> poller;  // set by start(), before anything runs
  std::shared_ptr<WatchRegistry> watches;  // likewise
  WatchedHint watched_hint;

  std::mutex mu;
  DeadlineHandler deadline_handler;  // guarded by mu
  std::mutex rng_mu;
  std::mt19937_64 rng{std::random_device{}()};  // guarded by rng_mu
  std::atomic<bool> closed{false};
};

WriteScriptArgs RedisStore::Core::write_args(bool create, const Write& w,
                                             std::optional<std::int64_t> expected,
                                             TimePoint now) const {
  const Session& s = w.state;
  // A session scheduled to start (start_at) lives its TTL past that instant: one
  // scheduled a week ahead is not dropped before it starts.
  const auto wait = s.start_at ? std::max(std::chrono::milliseconds{0}, *s.start_at - now)
                               : std::chrono::milliseconds{0};
  const auto ttl = std::chrono::duration_cast<std::chrono::milliseconds>(options.ttl) + wait;
  WriteScriptArgs args;
  args.mode = create ? WriteScriptArgs::Mode::create : WriteScriptArgs::Mode::update;
  args.now = now;
  args.expires_ms = domain::to_unix_ms(now + ttl);
  // Redis's own expiry is a backstop, a minute after ours: the poller expires the
  // session first and audits the deletion (or recovery could bring it back).
  args.backstop = ttl + kBackstopGrace;
  args.expected_version = expected;
  args.version = s.version;
  args.state = domain::encode_stored_session(s);
  args.deadline = w.deadline;
  args.session_id = s.session_id.to_string();
  args.channel = keys.publish_channel(keys.shard_of(w.state.session_id));
  args.audit_max_length = options.audit_max_length;
  args.created_at = s.created_at;
  args.events.reserve(w.events.size());
  for (const auto& e : w.events) args.events.push_back(domain::encode_event(e));
  return args;
}

asio::awaitable<Status> RedisStore::Core::write(bool create, Write w,
                                                std::optional<std::int64_t> expected) {
  if (closed) co_return store_closed();
  const Session& s = w.state;
  const TimePoint now = clock.wall_now();
  const std::int64_t now_ms = domain::to_unix_ms(now);
  const int shard = keys.shard_of(s.session_id);
  // The messages' payloads only for a session found watched lately (watched_hint.h).
  bool payloads = w.messages.empty() || watched_hint.expects(s.session_id, now_ms);
  std::int64_t expires_ms = 0;
  Result<Reply> reply = Error::unavailable("redis: no reply");
  for (;;) {
    std::vector<std::string> script_keys{keys.session(s.session_id), keys.deadlines(shard),
                                         keys.expiries(shard), keys.audit(shard),
                                         keys.watched(shard)};
    auto args = write_args(create, w, expected, now);
    expires_ms = args.expires_ms;
    args.messages = std::move(w.messages);
    args.payloads = payloads;
    args.nonce = random_hex();  // a new identity per attempt: a "watched" one wrote nothing
    reply = co_await run_script(*client, write_script(), std::move(script_keys),
                                std::move(args).to_argv());
    // (Without payloads to_argv() took only the messages' kinds.)
    w.messages = std::move(args.messages);
    if (payloads || !reply || reply->is_error() || reply->elements.empty() ||
        reply->elements[0].str != "watched") {
      break;
    }
    watched_hint.watched(s.session_id, now_ms + options.watch_lease.count());
    payloads = true;
  }
  if (!reply) co_return reply.error();
  if (reply->is_error()) co_return error_of(*reply);
  const auto& parts = reply->elements;
  const std::string_view outcome = parts.empty() ? std::string_view() : parts[0].str;
  if (outcome == "ok") {
    if (w.deadline) poller->poke(*w.deadline);
    cache->put(std::move(w.state), expires_ms);
    co_return std::nullopt;
  }
  // A version this instance saw written, above Redis's: writes lost (checked first,
  // the cache entry is the evidence).
  const bool known = expected && cache->written(s.session_id, *expected);
  // Whatever this instance held of the session is not what Redis holds.
  cache->erase(s.session_id);
  if (outcome == "exists") co_return Error::session_exists();
  if (outcome == "not_found") co_return Error::not_found();
  if (outcome == "conflict" && parts.size() == 2 && expected) {
    std::int64_t actual = 0;
    try {
      actual = std::stoll(parts[1].str);
    } catch (const std::exception&) {
      co_return Error::deserialization("the stored version is not a number");
    }
    // Versions never go down: Redis lost the writes after `actual`. (A caller's guess
    // from the future, unknown here, is only a conflict.)
    if (known && actual < *expected) {
      co_await stamp_epoch(weak_from_this(), Rollback{s.session_id, *expected, actual, "conflict"},
                           domain::to_unix_ms(s.created_at));
    }
    co_return Error::version_conflict(*expected, actual);
  }
  co_return Error::unavailable("redis: unexpected script reply " + reply->debug_string());
}

asio::awaitable<void> RedisStore::Core::stamp_epoch(std::weak_ptr<Core> weak, Rollback r,
                                                    std::int64_t created_ms) {
  constexpr int kAttempts = 5;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    auto core = weak.lock();
    if (!core || core->closed) co_return;
    const auto reply =
        co_await core->client->command(hmget_state_and_deadline(core->keys.session(r.session_id)));
    if (!reply || reply->is_error() || reply->elements.size() != 3) co_return;
    const auto& fields = reply->elements;
    const auto expires = parse_int(fields[1]);
    const TimePoint now = core->clock.wall_now();
    if (fields[0].is_nil() || !expires || *expires <= domain::to_unix_ms(now)) co_return;
    auto current = domain::decode_session(fields[0].str);
    if (!current) co_return;
    // Another life of the id (deleted and created again meanwhile): nothing was lost.
    if (created_ms != 0 && domain::to_unix_ms(current->created_at) != created_ms) co_return;
    if (epoch_since(current->epoch) >= r.found) co_return;  // already stamped
    Write w;
    w.state = std::move(*current);
    const std::int64_t expected = w.state.version;
    // Past every version known to have been written: whoever saw the lost branch
    // (watchers' and clients' version filters, long polls, other instances) takes
    // the stamped state as newer without knowing epochs.
    w.state.version = std::max(expected, r.expected) + 1;
    w.state.updated_at = now;
    w.state.epoch = "r" + std::to_string(w.state.version) + "." + core->random_hex();
    domain::Event e;
    e.type = domain::EventType::store_rolled_back;
    e.at = now;
    e.expected_version = r.expected;
    e.found_version = r.found;
    w.events.push_back(std::move(e));
    if (const auto deadline = parse_int(fields[2])) {
      w.deadline = TimePoint{std::chrono::milliseconds{*deadline}};
    }
    // A bare update: every watcher re-reads the session and gets the new epoch.
    w.messages.push_back(WriteMessage{MessageKind::update, {}});
    const auto status = co_await core->write(false, std::move(w), expected);
    if (!status) {
      if (core->options.on_rollback) core->options.on_rollback(r);
      co_return;
    }
    if (status->code != domain::ErrorCode::conflict) co_return;
  }
}

RedisStore::RedisStore(asio::any_io_executor executor, const domain::Clock& clock, RedisUrl url,
                       RedisStoreOptions options)
    : core_(
          std::make_shared<Core>(std::move(executor), clock, std::move(url), std::move(options))) {
  core_->start();
}

RedisStore::~RedisStore() { close(); }

asio::awaitable<Result<Session>> RedisStore::get(Uuid id) {
  auto core = core_;
  if (core->closed) co_return store_closed();
  // What this instance had written before the read: Redis acknowledged it, so the
  // read cannot find less unless Redis lost it (taken after, a write racing the read
  // would look like a loss).
  const auto written = core->cache->written_of(id);
  const auto reply = co_await core->client->command(hmget_state(core->keys.session(id)));
  if (!reply) co_return reply.error();
  if (reply->is_error()) co_return error_of(*reply);
  const auto& fields = reply->elements;
  if (fields.size() != 2 || fields[0].is_nil()) co_return Error::not_found();
  // The TTL is ours (wall time of the clock), not only Redis's PEXPIRE.
  std::int64_t expires = 0;
  try {
    expires = fields[1].is_nil() ? 0 : std::stoll(fields[1].str);
  } catch (const std::exception&) {
    co_return Error::deserialization("the stored expiry is not a number");
  }
  if (expires <= domain::to_unix_ms(core->clock.wall_now())) co_return Error::not_found();
  auto session = domain::decode_session(fields[0].str);
  if (!session) co_return session.error();
  if (session->session_id != id) {
    co_return Error::deserialization("the stored session has another id");
  }
  // This instance wrote a later version of this life than Redis holds: writes lost.
  const std::int64_t created_ms = domain::to_unix_ms(session->created_at);
  if (written && written->created_ms == created_ms && written->version > session->version) {
    core->cache->erase(id);
    const Rollback r{id, written->version, session->version, "cache"};
    asio::co_spawn(core->executor, Core::stamp_epoch(core, r, created_ms), asio::detached);
  }
  co_return std::move(*session);
}

asio::awaitable<Result<ReadForUpdate>> RedisStore::get_for_update(Uuid id) {
  auto core = core_;
  if (core->closed) co_return store_closed();
  if (auto hit = core->cache->find(id, domain::to_unix_ms(core->clock.wall_now()))) {
    co_return ReadForUpdate{std::move(*hit), true};
  }
  auto s = co_await get(id);
  if (!s) co_return s.error();
  co_return ReadForUpdate{std::move(*s), false};
}

asio::awaitable<Status> RedisStore::create(Write write) {
  auto core = core_;
  co_return co_await core->write(true, std::move(write), std::nullopt);
}

asio::awaitable<Status> RedisStore::update(Write write,
                                           std::optional<std::int64_t> expected_version) {
  auto core = core_;
  co_return co_await core->write(false, std::move(write), expected_version);
}

asio::awaitable<Result<bool>> RedisStore::remove(Uuid id, domain::Event deleted,
                                                 std::string message) {
  auto core = core_;
  if (core->closed) co_return store_closed();
  const int shard = core->keys.shard_of(id);
  std::vector<std::string> keys{core->keys.session(id), core->keys.deadlines(shard),
                                core->keys.expiries(shard), core->keys.audit(shard)};
  std::vector<std::string> args{
      unix_ms_arg(core->clock.wall_now()), id.to_string(),
      core->keys.publish_channel(shard),   std::to_string(core->options.audit_max_length),
      domain::encode_event(deleted),       std::move(message)};
  core->cache->erase(id);
  const auto reply =
      co_await run_script(*core->client, remove_script(), std::move(keys), std::move(args));
  if (!reply) co_return reply.error();
  if (reply->is_error()) co_return error_of(*reply);
  co_return reply->integer == 1;
}

asio::awaitable<Status> RedisStore::broadcast(Uuid id, std::string message) {
  auto core = core_;
  if (core->closed) co_return store_closed();
  std::vector<std::string> keys{core->keys.session(id)};
  std::vector<std::string> args{unix_ms_arg(core->clock.wall_now()), id.to_string(),
                                core->keys.publish_channel(core->keys.shard_of(id)),
                                std::move(message)};
  const auto reply =
      co_await run_script(*core->client, broadcast_script(), std::move(keys), std::move(args));
  if (!reply) co_return reply.error();
  if (reply->is_error()) co_return error_of(*reply);
  if (reply->integer != 1) co_return Error::not_found();
  co_return std::nullopt;
}

asio::awaitable<Subscription> RedisStore::watch(Uuid id) {
  auto core = core_;
  if (core->closed) co_return Subscription{};
  co_return co_await core->watches->watch(id);
}

Subscription RedisStore::subscribe(MessageHandler handler) {
  return core_->fan_out->subscribe(std::move(handler));
}

void RedisStore::set_deadline_handler(DeadlineHandler handler) {
  std::lock_guard lock(core_->mu);
  core_->deadline_handler = std::move(handler);
}

asio::awaitable<bool> RedisStore::healthy() {
  auto core = core_;
  if (core->closed || !core->subscriber->subscribed()) co_return false;
  const auto reply = co_await core->client->command(ping());
  co_return reply.ok() && !reply->is_error();
}

asio::awaitable<Result<std::int64_t>> RedisStore::count() {
  auto core = core_;
  if (core->closed) co_return store_closed();
  // Sessions expiring now are gone: an exclusive lower bound.
  const std::string now = after_arg(core->clock.wall_now());
  std::vector<std::vector<std::string>> commands;
  commands.reserve(static_cast<std::size_t>(core->keys.shards()));
  for (int shard = 0; shard < core->keys.shards(); ++shard) {
    commands.push_back({"ZCOUNT", core->keys.expiries(shard), now, "+inf"});
  }
  const auto replies = co_await core->client->pipeline(std::move(commands));
  if (!replies) co_return replies.error();
  std::int64_t total = 0;
  for (const auto& r : *replies) {
    if (r.is_error()) co_return error_of(r);
    total += r.integer;
  }
  co_return total;
}

void RedisStore::close() {
  if (core_->closed.exchange(true)) return;
  core_->poller->close();
  core_->watches->close();
  core_->subscriber->close();
  core_->client->close();
  core_->cache->clear();
}

bool RedisStore::subscribed() const { return core_->subscriber->subscribed(); }

RedisStore::WriteCacheSize RedisStore::write_cache_size() const {
  const auto size = core_->cache->size();
  return WriteCacheSize{size.entries, size.bytes};
}

}  // namespace sk::store::redis
