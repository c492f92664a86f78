// See database_probe.h.
#include "audit/queue/database_probe.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sk::audit {

namespace asio = boost::asio;

std::shared_ptr<DatabaseProbe> DatabaseProbe::start(asio::any_io_executor executor,
                                                    std::shared_ptr<WriterPool> writers,
                                                    std::chrono::milliseconds interval) {
  auto self = std::shared_ptr<DatabaseProbe>(
      new DatabaseProbe(asio::make_strand(executor), std::move(writers), interval));
  asio::co_spawn(self->timer_.get_executor(), run(self), asio::detached);
  return self;
}

DatabaseProbe::DatabaseProbe(asio::any_io_executor executor, std::shared_ptr<WriterPool> writers,
                             std::chrono::milliseconds interval)
    : writers_(std::move(writers)), interval_(interval), timer_(std::move(executor)) {}

asio::awaitable<void> DatabaseProbe::run(std::shared_ptr<DatabaseProbe> self) {
  while (!self->closed_) {
    // Named, not a temporary in the co_await: GCC 12 destroys such temporaries twice.
    std::function<bool(AuditWriter&)> ping = [](AuditWriter& w) {
      try {
        return w.ping();
      } catch (...) {
        return false;
      }
    };
    const bool up = co_await self->writers_->run<bool>(std::move(ping));
    self->up_.store(up, std::memory_order_relaxed);
    if (self->closed_) break;
    self->timer_.expires_after(self->interval_);
    co_await self->timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

void DatabaseProbe::close() {
  closed_ = true;
  asio::post(timer_.get_executor(), [self = shared_from_this()] { self->timer_.cancel(); });
}

}  // namespace sk::audit
