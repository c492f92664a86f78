// See writer_pool.h.
#include "audit/queue/writer_pool.h"

#include <exception>

namespace sk::audit {

WriterPool::WriterPool(std::size_t size, const Factory& factory) : threads_(size == 0 ? 1 : size) {
  const std::size_t n = size == 0 ? 1 : size;
  for (std::size_t i = 0; i < n; ++i) {
    writers_.push_back(factory());
    free_.push_back(writers_.back().get());
  }
}

WriterPool::~WriterPool() {
  threads_.stop();
  threads_.join();
}

AuditWriter& WriterPool::acquire() {
  // Never long: there are as many threads as writers, so a call waits here only
  // while another one finishes.
  std::unique_lock lock(mu_);
  freed_.wait(lock, [&] { return !free_.empty(); });
  AuditWriter* w = free_.back();
  free_.pop_back();
  return *w;
}

void WriterPool::release(AuditWriter& writer) {
  {
    std::lock_guard lock(mu_);
    free_.push_back(&writer);
  }
  freed_.notify_one();
}

boost::asio::awaitable<AuditStatus> WriterPool::write(std::vector<domain::AuditRecord> batch) {
  // Named, not a temporary in the co_await: GCC 12 destroys such temporaries twice.
  std::function<AuditStatus(AuditWriter&)> fn =
      [records = std::move(batch)](AuditWriter& w) -> AuditStatus {
    try {
      return w.write(records);
    } catch (const std::exception& e) {
      return AuditError{AuditFailure::failed, e.what()};
    }
  };
  co_return co_await run<AuditStatus>(std::move(fn));
}

boost::asio::awaitable<domain::Result<std::optional<std::string>>> WriterPool::latest_state(
    domain::Uuid id) {
  using R = domain::Result<std::optional<std::string>>;
  std::function<R(AuditWriter&)> fn = [id](AuditWriter& w) -> R {
    try {
      return w.latest_state(id);
    } catch (const std::exception&) {
      return domain::Error::internal();
    }
  };
  co_return co_await run<R>(std::move(fn));
}

}  // namespace sk::audit
