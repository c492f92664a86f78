// WriterPool: runs AuditWriter calls (blocking database I/O) on threads of their own,
// so the I/O threads never wait for the database. One writer (one connection) per
// thread; at most `size` calls run at once, more queue.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "audit/audit_writer.h"

namespace sk::audit {

class WriterPool {
 public:
  using Factory = std::function<std::unique_ptr<AuditWriter>()>;

  // `size` writers made by `factory` (which must not block: writers connect lazily).
  WriterPool(std::size_t size, const Factory& factory);
  ~WriterPool();  // waits for the calls running
  WriterPool(const WriterPool&) = delete;
  WriterPool& operator=(const WriterPool&) = delete;

  std::size_t size() const { return writers_.size(); }

  // Runs fn(writer) on a pool thread; resumes the caller on its own executor.
  template <typename T>
  boost::asio::awaitable<T> run(std::function<T(AuditWriter&)> fn) {
    // co_spawn (Boost 1.81) needs a default-constructible result: wrap it.
    auto result = co_await boost::asio::co_spawn(threads_, call<T>(this, std::move(fn)),
                                                 boost::asio::use_awaitable);
    co_return std::move(*result);
  }

  boost::asio::awaitable<AuditStatus> write(std::vector<domain::AuditRecord> batch);
  boost::asio::awaitable<domain::Result<std::optional<std::string>>> latest_state(domain::Uuid id);

 private:
  template <typename T>
  static boost::asio::awaitable<std::optional<T>> call(WriterPool* self,
                                                       std::function<T(AuditWriter&)> fn) {
    AuditWriter& writer = self->acquire();
    std::optional<T> out;
    try {
      out.emplace(fn(writer));
    } catch (...) {
      self->release(writer);
      throw;
    }
    self->release(writer);
    co_return out;
  }

  AuditWriter& acquire();
  void release(AuditWriter& writer);

  std::vector<std::unique_ptr<AuditWriter>> writers_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<AuditWriter*> free_;  // guarded by mu_
  boost::asio::thread_pool threads_;
};

}  // namespace sk::audit
