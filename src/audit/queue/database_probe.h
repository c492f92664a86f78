// DatabaseProbe: is the audit database reachable? Pings it through the WriterPool
// every `interval` (every 500 ms at most while it is not, so that its return is seen
// soon) and keeps the answer, so /ready, /metrics and the queues' outage pauses read
// a flag instead of waiting on the database (a connect to a dead host takes seconds).
// `on_change` hears each transition once: lost (from the first answer on), and back.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "audit/queue/writer_pool.h"

namespace sk::audit {

class DatabaseProbe : public std::enable_shared_from_this<DatabaseProbe> {
 public:
  static std::shared_ptr<DatabaseProbe> start(boost::asio::any_io_executor executor,
                                              std::shared_ptr<WriterPool> writers,
                                              std::chrono::milliseconds interval,
                                              std::function<void(bool up)> on_change = {});

  // The last ping's answer (false until the first one answered).
  bool up() const { return up_.load(std::memory_order_relaxed); }

  void close();

 private:
  DatabaseProbe(boost::asio::any_io_executor executor, std::shared_ptr<WriterPool> writers,
                std::chrono::milliseconds interval, std::function<void(bool up)> on_change);
  static boost::asio::awaitable<void> run(std::shared_ptr<DatabaseProbe> self);

  const std::shared_ptr<WriterPool> writers_;
  const std::chrono::milliseconds interval_;
  const std::function<void(bool up)> on_change_;
  boost::asio::steady_timer timer_;
  std::atomic<bool> up_{false};
  std::atomic<bool> closed_{false};
};

}  // namespace sk::audit
