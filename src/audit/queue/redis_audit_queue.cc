// RedisAuditQueue: see redis_audit_queue.h. Everything runs on one strand; database
// calls run on the WriterPool's threads and resume here.
//
// Commands are built by plain functions, outside the coroutines: GCC 12 rejects a
// braced list of string literals inside a coroutine.
#include "audit/queue/redis_audit_queue.h"

#include <algorithm>
#include <iterator>
#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "audit/queue/audit_records.h"
#include "audit/queue/stream_stats.h"
#include "audit/queue/wait_while.h"
#include "domain/time.h"

namespace sk::audit {

namespace {

using store::redis::Reply;
using store::redis::ReplyKind;
using Command = std::vector<std::string>;
using Clock = std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

std::string random_consumer() {
  std::random_device rd;
  return fmt::format("sk-{:08x}{:08x}", rd(), rd());
}

Command xgroup_create(const std::string& stream, const std::string& group) {
  return {"XGROUP", "CREATE", stream, group, "0", "MKSTREAM"};
}

Command xreadgroup(const std::string& stream, const std::string& group, const std::string& consumer,
                   std::size_t count) {
  return {"XREADGROUP",          "GROUP",   group,  consumer, "COUNT",
          std::to_string(count), "STREAMS", stream, ">"};
}

Command xautoclaim(const std::string& stream, const std::string& group, const std::string& consumer,
                   std::chrono::milliseconds min_idle, std::size_t count) {
  return {"XAUTOCLAIM",
          stream,
          group,
          consumer,
          std::to_string(min_idle.count()),
          "0-0",
          "COUNT",
          std::to_string(count)};
}

Command hincrby(const std::string& key, const char* field, std::int64_t n) {
  return {"HINCRBY", key, field, std::to_string(n)};
}

std::set<int> shards_of(const BatchWriter::Batch& batch) {
  std::set<int> shards;
  for (const auto& e : batch) shards.insert(e.shard);
  return shards;
}

bool is_nogroup(const Reply& r) { return r.is_error() && r.str.starts_with("NOGROUP"); }

}  // namespace

std::shared_ptr<RedisAuditQueue> RedisAuditQueue::make(
    asio::any_io_executor executor, std::shared_ptr<store::redis::RedisClient> client,
    store::redis::KeySpace keys, std::shared_ptr<WriterPool> writers, const domain::Clock& clock,
    RedisAuditQueueOptions options, Alert on_alert) {
  if (options.consumer.empty()) options.consumer = random_consumer();
  if (options.batch_size == 0) options.batch_size = 1;
  if (options.concurrency == 0) options.concurrency = 1;
  return std::shared_ptr<RedisAuditQueue>(
      new RedisAuditQueue(std::move(executor), std::move(client), std::move(keys),
                          std::move(writers), clock, std::move(options), std::move(on_alert)));
}

RedisAuditQueue::RedisAuditQueue(asio::any_io_executor executor,
                                 std::shared_ptr<store::redis::RedisClient> client,
                                 store::redis::KeySpace keys, std::shared_ptr<WriterPool> writers,
                                 const domain::Clock& clock, RedisAuditQueueOptions options,
                                 Alert on_alert)
    : strand_(asio::make_strand(executor)),
      client_(std::move(client)),
      keys_(std::move(keys)),
      clock_(clock),
      options_(std::move(options)),
      on_alert_(std::move(on_alert)),
      writer_(std::move(writers), options_.retry, outcomes(), options_.database_up),
      wake_(strand_) {}

BatchWriter::Outcomes RedisAuditQueue::outcomes() {
  // The queue outlives its batches (each holds a shared_ptr to it), so `this` is safe.
  BatchWriter::Outcomes o;
  o.written = [this](const Batch& batch) { return acknowledge(batch, "completed"); };
  o.dead_lettered = [this](const QueuedRecord& e, const std::string& error) {
    return dead_letter(e, error);
  };
  o.failed = [this](const QueuedRecord&) {
    // Fleet-wide count; fire and forget (a lost increment only skews a statistic).
    std::vector<Command> count{hincrby(audit_stats_key(keys_), "failed", 1)};
    asio::co_spawn(
        strand_,
        [client = client_, count = std::move(count)]() mutable -> asio::awaitable<void> {
          (void)co_await client->pipeline(std::move(count));
        },
        asio::detached);
  };
  o.abandoned = [this](const Batch& batch) {
    // Stopping while the database is away: the records stay pending in Redis, and
    // another instance claims them.
    for (const auto& e : batch) owned_.erase({e.shard, e.key});
  };
  return o;
}

void RedisAuditQueue::start() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->running_ || self->stopping_) return;
    self->running_ = true;
    asio::co_spawn(self->strand_, run(self), asio::detached);
  });
}

asio::awaitable<void> RedisAuditQueue::run(std::shared_ptr<RedisAuditQueue> self) {
  while (!self->stopping_) {
    if (!self->groups_ready_) co_await self->ensure_groups();
    bool more = false;
    if (self->groups_ready_) {
      auto retries = self->writer_.due_retries();
      if (!retries.empty()) self->dispatch(std::move(retries));
      const auto now = Clock::now();
      if (now >= self->next_reclaim_) {
        self->next_reclaim_ = now + self->options_.reclaim_interval;
        auto orphans = co_await self->reclaim();
        if (!orphans.empty()) self->dispatch(std::move(orphans));
      }
      if (self->in_flight_ < self->options_.concurrency && !self->stopping_) {
        auto fresh = co_await self->read_new();
        for (auto& batch : fresh) {
          more = more || batch.size() >= self->options_.batch_size;
          self->dispatch(std::move(batch));
        }
      }
    }
    // A full batch: more is waiting, read again at once (while there is room).
    self->backlog_ = more;
    if (more && self->in_flight_ < self->options_.concurrency) continue;
    self->wake_.expires_after(self->options_.poll_interval);
    co_await self->wake_.async_wait(kTuple);  // cancelled when a batch ends, or by stop()
  }
  self->running_ = false;
}

asio::awaitable<void> RedisAuditQueue::ensure_groups() {
  std::vector<Command> commands;
  for (int shard = 0; shard < keys_.shards(); ++shard) {
    commands.push_back(xgroup_create(keys_.audit(shard), options_.group));
  }
  const auto replies = co_await client_->pipeline(std::move(commands));
  if (!replies) co_return;  // Redis unreachable: next round
  for (const auto& r : *replies) {
    if (r.is_error() && !r.str.starts_with("BUSYGROUP")) co_return;
  }
  groups_ready_ = true;
}

void RedisAuditQueue::entries_of(Reply& entries, int shard, Batch& out) {
  if (entries.kind != ReplyKind::array) return;
  for (auto& item : entries.elements) {
    if (item.kind != ReplyKind::array || item.elements.size() != 2) continue;
    const std::string& stream_id = item.elements[0].str;
    // Ours already: in flight or waiting to retry. (Per shard: ids are per stream.)
    if (owned_.contains({shard, stream_id})) continue;
    auto& flat = item.elements[1];
    std::vector<std::pair<std::string, std::string>> fields;
    if (flat.kind == ReplyKind::array) {
      // Moved out of the reply, not copied: the state snapshot is most of an entry.
      fields.reserve(flat.elements.size() / 2);
      for (std::size_t i = 0; i + 1 < flat.elements.size(); i += 2) {
        fields.emplace_back(std::move(flat.elements[i].str), std::move(flat.elements[i + 1].str));
      }
    }
    QueuedRecord e;
    e.shard = shard;
    e.key = stream_id;
    auto record = record_from_fields(fields);
    if (record) {
      e.record = std::move(*record);
    } else {
      // Kept with an empty event: the writer rejects it and it is dead-lettered with
      // whatever it carried.
      e.record.event_id = stream_id;
      for (const auto& [k, v] : fields) {
        if (k == "id") e.record.event_id = v;
      }
    }
    owned_.insert({shard, stream_id});
    out.push_back(std::move(e));
  }
}

asio::awaitable<std::vector<RedisAuditQueue::Batch>> RedisAuditQueue::read_new() {
  // From shards no batch in flight holds, each shard's entries in one batch: a
  // session lives in one shard, so concurrent transactions never touch the same
  // summary rows and never wait for each other's locks.
  std::vector<int> shards;
  const std::size_t room = options_.concurrency - std::min(in_flight_, options_.concurrency);
  for (int k = 0; k < keys_.shards() && shards.size() < room; ++k) {
    const int shard = (next_shard_ + k) % keys_.shards();
    if (!busy_.contains(shard)) shards.push_back(shard);
  }
  next_shard_ = (next_shard_ + 1) % keys_.shards();  // fair when there is no room for all
  std::vector<Batch> out;
  if (shards.empty()) co_return out;
  std::vector<Command> commands;
  for (const int shard : shards) {
    commands.push_back(
        xreadgroup(keys_.audit(shard), options_.group, options_.consumer, options_.batch_size));
  }
  auto replies = co_await client_->pipeline(std::move(commands));
  if (!replies) co_return out;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    auto& r = (*replies)[i];
    if (is_nogroup(r)) groups_ready_ = false;  // Redis lost its data: recreate
    // [[stream, [[id, [field, value, ...]], ...]]]
    if (r.kind != ReplyKind::array || r.elements.empty()) continue;
    auto& stream = r.elements.front();
    if (stream.kind != ReplyKind::array || stream.elements.size() != 2) continue;
    Batch entries;
    entries_of(stream.elements[1], shards[i], entries);
    if (entries.empty()) continue;
    // Small shards share a batch (one commit for a light load), big ones get their
    // own (10 transactions at once for a backlog); a shard is never split.
    if (out.empty() || out.back().size() + entries.size() > options_.batch_size) {
      out.emplace_back();
    }
    out.back().insert(out.back().end(), std::make_move_iterator(entries.begin()),
                      std::make_move_iterator(entries.end()));
  }
  co_return out;
}

asio::awaitable<RedisAuditQueue::Batch> RedisAuditQueue::reclaim() {
  Batch out;
  std::vector<Command> commands;
  for (int shard = 0; shard < keys_.shards(); ++shard) {
    commands.push_back(xautoclaim(keys_.audit(shard), options_.group, options_.consumer,
                                  options_.reclaim_min_idle, options_.batch_size));
  }
  auto replies = co_await client_->pipeline(std::move(commands));
  if (!replies) co_return out;
  for (int shard = 0; shard < keys_.shards(); ++shard) {
    auto& r = (*replies)[static_cast<std::size_t>(shard)];
    if (is_nogroup(r)) groups_ready_ = false;
    // [next cursor, [[id, fields], ...], [deleted ids]]
    if (r.kind == ReplyKind::array && r.elements.size() >= 2) {
      entries_of(r.elements[1], shard, out);
    }
  }
  co_return out;
}

void RedisAuditQueue::dispatch(Batch batch) {
  for (const int shard : shards_of(batch)) busy_.insert(shard);
  ++in_flight_;
  active_records_ += static_cast<std::int64_t>(batch.size());
  asio::co_spawn(strand_, process(shared_from_this(), std::move(batch)), asio::detached);
}

asio::awaitable<void> RedisAuditQueue::process(std::shared_ptr<RedisAuditQueue> self, Batch batch) {
  const auto n = static_cast<std::int64_t>(batch.size());
  const auto shards = shards_of(batch);
  co_await self->writer_.write(std::move(batch));
  for (const int shard : shards) self->busy_.erase(self->busy_.find(shard));
  --self->in_flight_;
  self->active_records_ -= n;
  // Room for another batch: read at once if records are waiting (the last read was
  // full, or this batch was, so its shard may hold more). Otherwise the reader keeps to
  // its poll interval, so a light load is written in a few larger transactions (one
  // commit and one wake-up each) instead of one tiny transaction per batch that ends.
  if (self->backlog_ || n >= static_cast<std::int64_t>(self->options_.batch_size)) {
    self->wake_.cancel();
  }
}

asio::awaitable<void> RedisAuditQueue::acknowledge(const Batch& batch, const char* counter) {
  std::vector<Command> commands;
  for (int shard = 0; shard < keys_.shards(); ++shard) {
    Command ack{"XACK", keys_.audit(shard), options_.group};
    Command del{"XDEL", keys_.audit(shard)};
    for (const auto& e : batch) {
      if (e.shard != shard) continue;
      ack.push_back(e.key);
      del.push_back(e.key);
    }
    if (ack.size() == 3) continue;
    commands.push_back(std::move(ack));
    commands.push_back(std::move(del));
  }
  commands.push_back(
      hincrby(audit_stats_key(keys_), counter, static_cast<std::int64_t>(batch.size())));
  // If Redis is away now, the records stay pending and are claimed again later:
  // written twice, stored once.
  (void)co_await client_->pipeline(std::move(commands));
  for (const auto& e : batch) owned_.erase({e.shard, e.key});
}

asio::awaitable<void> RedisAuditQueue::dead_letter(const QueuedRecord& e,
                                                   const std::string& error) {
  const auto& r = e.record;
  std::vector<Command> commands;
  commands.push_back({"XADD", dead_letter_key(keys_), "*", "id", r.event_id, "session",
                      r.session_id.to_string(), "version", std::to_string(r.version), "event",
                      r.event, "state", r.state, "error", error, "attempts",
                      std::to_string(e.failures), "source", keys_.audit(e.shard) + " " + e.key});
  const auto added = co_await client_->pipeline(std::move(commands));
  if (!added || added->front().is_error()) {
    // Not moved: it stays pending and is claimed again later.
    owned_.erase({e.shard, e.key});
    co_return;
  }
  Batch one{e};
  co_await acknowledge(one, "dead_lettered");
  if (on_alert_) {
    on_alert_(fmt::format("audit event {} dead-lettered after {} attempt(s): {}", r.event_id,
                          e.failures, error));
  }
}

asio::awaitable<void> RedisAuditQueue::stop(std::chrono::milliseconds timeout) {
  co_await asio::co_spawn(strand_, stop_here(shared_from_this(), timeout), asio::use_awaitable);
}

asio::awaitable<void> RedisAuditQueue::stop_here(std::shared_ptr<RedisAuditQueue> self,
                                                 std::chrono::milliseconds timeout) {
  self->stopping_ = true;
  self->writer_.stop();
  self->wake_.cancel();
  std::function<bool()> busy = [&] { return self->in_flight_ > 0 || self->running_; };
  co_await wait_while(std::move(busy), Clock::now() + timeout);
}

asio::awaitable<domain::Result<QueueStats>> RedisAuditQueue::stats() {
  auto result =
      co_await asio::co_spawn(strand_, stats_here(shared_from_this()), asio::use_awaitable);
  co_return std::move(*result);
}

asio::awaitable<std::optional<domain::Result<QueueStats>>> RedisAuditQueue::stats_here(
    std::shared_ptr<RedisAuditQueue> self) {
  co_return co_await self->read_stats();
}

asio::awaitable<domain::Result<QueueStats>> RedisAuditQueue::read_stats() {
  auto fleet = co_await read_stream_stats(*client_, keys_, options_.group, clock_.wall_now());
  if (!fleet) co_return fleet.error();
  QueueStats s;
  s.waiting = fleet->waiting;
  s.dead_lettered = fleet->dead_lettered;
  s.oldest_lag_ms = fleet->oldest_lag_ms;
  s.active = active_records_;
  s.completed = writer_.completed();
  s.failed = writer_.failed();
  s.delayed = writer_.delayed();
  co_return s;
}

}  // namespace sk::audit
