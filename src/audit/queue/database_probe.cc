// See database_probe.h.
#include "audit/queue/database_probe.h"

#include <algorithm>
#include <optional>

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
                                                    std::chrono::milliseconds interval,
                                                    std::function<void(bool up)> on_change) {
  auto self = std::shared_ptr<DatabaseProbe>(new DatabaseProbe(
      asio::make_strand(executor), std::move(writers), interval, std::move(on_change)));
  asio::co_spawn(self->timer_.get_executor(), run(self), asio::detached);
  return self;
}

DatabaseProbe::DatabaseProbe(asio::any_io_executor executor, std::shared_ptr<WriterPool> writers,
                             std::chrono::milliseconds interval,
                             std::function<void(bool up)> on_change)
    : writers_(std::move(writers)),
      interval_(interval),
      on_change_(std::move(on_change)),
      timer_(std::move(executor)) {}

asio::awaitable<void> DatabaseProbe::run(std::shared_ptr<DatabaseProbe> self) {
  constexpr std::chrono::milliseconds kWhileDown{500};
  std::optional<bool> last;  // none before the first answer
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
    // Told on a change, and on a first answer that it is down; a first "up" is normal.
    if (self->on_change_ && last != up && (last || !up)) self->on_change_(up);
    last = up;
    self->timer_.expires_after(up ? self->interval_ : std::min(self->interval_, kWhileDown));
    co_await self->timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

void DatabaseProbe::close() {
  closed_ = true;
  asio::post(timer_.get_executor(), [self = shared_from_this()] { self->timer_.cancel(); });
}

}  // namespace sk::audit
