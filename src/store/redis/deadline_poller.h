// DeadlinePoller: one instance's share of the fleet's time-outs and TTL expiries.
//
// Every instance runs one. Each round reads, for every shard, the due entries of
// the deadline and expiry indexes and the earliest deadline still to come; claims the
// due deadlines with claim_script (a lease: exactly one instance gets each) and hands
// the claimed ids to `on_due`; expires due sessions with expire_script. It sleeps
// until the earliest known deadline, at most `interval` (deadlines written by other
// instances are seen within one interval), and is woken sooner by poke() when this
// instance writes an earlier one. Time is the injected clock's wall time.
//
// All of its state lives on its own strand. While Redis is unreachable a round fails
// and the next one is tried after `interval`.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "domain/clock.h"
#include "domain/uuid.h"
#include "store/redis/key_space.h"
#include "store/redis/redis_client.h"

namespace sk::store::redis {

struct DeadlinePollerOptions {
  std::chrono::milliseconds interval{100};  // the longest sleep between two rounds
  std::chrono::milliseconds lease{5000};    // a claim not followed by a write expires
  int batch = 256;                          // entries read per shard and index per round
  // Of the audit stream, when an expiry appends its deletion (0: never trim).
  std::int64_t audit_max_length = 1'000'000;
};

class DeadlinePoller : public std::enable_shared_from_this<DeadlinePoller> {
 public:
  using DueHandler = std::function<void(const domain::Uuid&)>;

  // `clock` must outlive the poller's last round (close() ends it).
  static std::shared_ptr<DeadlinePoller> start(boost::asio::any_io_executor executor,
                                               std::shared_ptr<RedisClient> client, KeySpace keys,
                                               const domain::Clock& clock,
                                               DeadlinePollerOptions options, DueHandler on_due);

  // Thread-safe: wake up by `deadline` if the next round is planned later.
  void poke(domain::TimePoint deadline);
  // Thread-safe, idempotent: the current round ends at its next step, no other follows.
  void close();

  DeadlinePoller(boost::asio::any_io_executor executor, std::shared_ptr<RedisClient> client,
                 KeySpace keys, const domain::Clock& clock, DeadlinePollerOptions options,
                 DueHandler on_due);

 private:
  boost::asio::awaitable<void> run();
  // One round; returns when the next one is due (wall time).
  boost::asio::awaitable<domain::TimePoint> round();
  boost::asio::awaitable<void> claim(int shard, std::vector<std::string> ids,
                                     domain::TimePoint now);
  boost::asio::awaitable<void> expire(int shard, std::vector<std::string> ids,
                                      domain::TimePoint now);
  // Appends the session keys (KEYS) and ids (ARGV) of `ids` for a per-shard script.
  void add_sessions(int shard, const std::vector<std::string>& ids, std::vector<std::string>& keys,
                    std::vector<std::string>& args) const;
  // Strand only: sets next_round_ and its copy for poke().
  void plan(domain::TimePoint next);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  const std::shared_ptr<RedisClient> client_;
  const KeySpace keys_;
  const domain::Clock& clock_;
  const DeadlinePollerOptions options_;
  const DueHandler on_due_;
  boost::asio::steady_timer timer_;  // strand only
  domain::TimePoint next_round_{};   // strand only
  // next_round_ in unix ms, readable from any thread: poke() posts nothing when a
  // write's deadline is not earlier (most writes), keeping the strand off the hot path.
  std::atomic<std::int64_t> planned_ms_{std::numeric_limits<std::int64_t>::max()};
  bool closed_ = false;  // strand only
};

}  // namespace sk::store::redis
