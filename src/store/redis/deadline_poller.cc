// DeadlinePoller (see deadline_poller.h): rounds over the shards' deadline and expiry
// indexes, on one strand.
#include "store/redis/deadline_poller.h"

#include <algorithm>
#include <limits>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "domain/event.h"
#include "domain/json.h"
#include "store/redis/scripts.h"

namespace sk::store::redis {

namespace asio = boost::asio;
using domain::TimePoint;

namespace {

// The ids of a ZRANGEBYSCORE reply (empty on anything else).
std::vector<std::string> ids_of(const Reply& reply) {
  std::vector<std::string> ids;
  if (reply.kind != ReplyKind::array) return ids;
  ids.reserve(reply.elements.size());
  for (const auto& e : reply.elements) {
    if (e.kind == ReplyKind::string) ids.push_back(e.str);
  }
  return ids;
}

// The audit event of a session deleted for being idle past its TTL.
std::string expired_event(TimePoint now) {
  domain::Event e;
  e.type = domain::EventType::session_deleted;
  e.at = now;
  e.reason = "expired";
  return domain::encode_event(e);
}

}  // namespace

DeadlinePoller::DeadlinePoller(asio::any_io_executor executor, std::shared_ptr<RedisClient> client,
                               KeySpace keys, const domain::Clock& clock,
                               DeadlinePollerOptions options, DueHandler on_due)
    : strand_(asio::make_strand(std::move(executor))),
      client_(std::move(client)),
      keys_(std::move(keys)),
      clock_(clock),
      options_(options),
      on_due_(std::move(on_due)),
      timer_(strand_) {}

std::shared_ptr<DeadlinePoller> DeadlinePoller::start(asio::any_io_executor executor,
                                                      std::shared_ptr<RedisClient> client,
                                                      KeySpace keys, const domain::Clock& clock,
                                                      DeadlinePollerOptions options,
                                                      DueHandler on_due) {
  auto poller = std::make_shared<DeadlinePoller>(
      std::move(executor), std::move(client), std::move(keys), clock, options, std::move(on_due));
  asio::co_spawn(
      poller->strand_, [poller]() { return poller->run(); }, asio::detached);
  return poller;
}

void DeadlinePoller::poke(TimePoint deadline) {
  if (domain::to_unix_ms(deadline) >= planned_ms_.load(std::memory_order_relaxed)) return;
  asio::post(strand_, [self = shared_from_this(), deadline] {
    if (self->closed_ || deadline >= self->next_round_) return;
    self->plan(deadline);
    self->timer_.cancel();  // run() recomputes its wait (or, mid-round, keeps it)
  });
}

void DeadlinePoller::plan(TimePoint next) {
  next_round_ = next;
  planned_ms_.store(next == TimePoint::max() ? std::numeric_limits<std::int64_t>::max()
                                             : domain::to_unix_ms(next),
                    std::memory_order_relaxed);
}

void DeadlinePoller::close() {
  asio::post(strand_, [self = shared_from_this()] {
    self->closed_ = true;
    self->timer_.cancel();
  });
}

asio::awaitable<void> DeadlinePoller::run() {
  auto self = shared_from_this();  // alive until the last round has returned
  while (!closed_) {
    // A poke during the round may have moved next_round_ earlier: keep the earlier.
    plan(TimePoint::max());
    const TimePoint planned = co_await round();
    plan(std::min(next_round_, planned));
    // Sleep until next_round_; a poke cancels the wait and may bring it forward.
    for (;;) {
      if (closed_) co_return;
      const auto wait = next_round_ - clock_.wall_now();
      if (wait <= decltype(wait)::zero()) break;
      timer_.expires_after(wait);
      auto [ec] = co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
      if (!ec) break;  // slept the whole wait (with a ManualClock, wall time may not move)
    }
  }
}

asio::awaitable<TimePoint> DeadlinePoller::round() {
  const TimePoint now = clock_.wall_now();
  TimePoint next = now + options_.interval;
  const std::string now_ms = unix_ms_arg(now);
  const std::string after_now = after_arg(now);
  const std::string batch = std::to_string(options_.batch);
  std::vector<std::vector<std::string>> reads;
  reads.reserve(static_cast<std::size_t>(3 * keys_.shards()));
  for (int shard = 0; shard < keys_.shards(); ++shard) {
    reads.push_back({"ZRANGEBYSCORE", keys_.deadlines(shard), "-inf", now_ms, "LIMIT", "0", batch});
    reads.push_back({"ZRANGEBYSCORE", keys_.expiries(shard), "-inf", now_ms, "LIMIT", "0", batch});
    reads.push_back({"ZRANGEBYSCORE", keys_.deadlines(shard), after_now, "+inf", "WITHSCORES",
                     "LIMIT", "0", "1"});
  }
  auto replies = co_await client_->pipeline(std::move(reads));
  if (!replies || closed_) co_return next;  // Redis unreachable: try again next interval

  for (int shard = 0; shard < keys_.shards() && !closed_; ++shard) {
    const auto base = static_cast<std::size_t>(3 * shard);
    auto due = ids_of((*replies)[base]);
    auto expired = ids_of((*replies)[base + 1]);
    const auto& upcoming = (*replies)[base + 2];
    // A full batch: more is due than one round reads, so go again at once.
    if (due.size() >= static_cast<std::size_t>(options_.batch) ||
        expired.size() >= static_cast<std::size_t>(options_.batch)) {
      next = now;
    }
    if (upcoming.kind == ReplyKind::array && upcoming.elements.size() == 2) {
      try {
        next = std::min(next, domain::from_unix_ms(std::stoll(upcoming.elements[1].str)));
      } catch (const std::exception&) {  // not a number: someone else's entry; ignored
      }
    }
    if (!due.empty()) co_await claim(shard, std::move(due), now);
    if (!expired.empty()) co_await expire(shard, std::move(expired), now);
  }
  co_return next;
}

asio::awaitable<void> DeadlinePoller::claim(int shard, std::vector<std::string> ids,
                                            TimePoint now) {
  std::vector<std::string> keys{keys_.deadlines(shard)};
  std::vector<std::string> args{unix_ms_arg(now), std::to_string(options_.lease.count())};
  add_sessions(shard, ids, keys, args);
  const auto reply =
      co_await run_script(*client_, claim_script(), std::move(keys), std::move(args));
  if (!reply || closed_) co_return;
  for (const auto& id : ids_of(*reply)) {
    if (const auto uuid = domain::Uuid::parse(id)) on_due_(*uuid);
  }
}

asio::awaitable<void> DeadlinePoller::expire(int shard, std::vector<std::string> ids,
                                             TimePoint now) {
  std::vector<std::string> keys{keys_.deadlines(shard), keys_.expiries(shard), keys_.audit(shard)};
  std::vector<std::string> args{unix_ms_arg(now), keys_.publish_channel(shard),
                                std::to_string(options_.audit_max_length), expired_event(now)};
  add_sessions(shard, ids, keys, args);
  (void)co_await run_script(*client_, expire_script(), std::move(keys), std::move(args));
}

void DeadlinePoller::add_sessions(int shard, const std::vector<std::string>& ids,
                                  std::vector<std::string>& keys,
                                  std::vector<std::string>& args) const {
  for (const auto& id : ids) {
    const auto uuid = domain::Uuid::parse(id);
    // An entry that is not a session id (written by hand) gets a key that never
    // exists, in the same slot: the script just drops the entry.
    keys.push_back(uuid ? keys_.session(*uuid) : keys_.deadlines(shard) + ":invalid");
    args.push_back(id);
  }
}

}  // namespace sk::store::redis
