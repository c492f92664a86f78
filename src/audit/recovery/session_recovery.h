// SessionRecovery: brings back a session the store lost (SPEC §5: Redis restarted
// without persistence, FLUSHALL, an eviction) from the audit trail's latest
// snapshot. Only reads: the caller restores the state through the store's atomic
// create path and marks the response as recovered.
//
// Nothing is recovered for a session that was deleted (including expired for being
// idle: the store audits that as a deletion), that was never audited, or whose
// last write is older than the TTL (it would have expired anyway).
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include <boost/asio/awaitable.hpp>

#include "audit/queue/writer_pool.h"
#include "domain/clock.h"
#include "domain/result.h"
#include "domain/session.h"

namespace sk::audit {

class SessionRecovery {
 public:
  // `clock` must outlive the recovery.
  SessionRecovery(std::shared_ptr<WriterPool> writers, const domain::Clock& clock,
                  std::chrono::seconds ttl);

  // The session to restore, nullopt when there is none; Err(unavailable) when the
  // audit database cannot be reached, Err(deserialization) for a corrupt snapshot.
  boost::asio::awaitable<domain::Result<std::optional<domain::Session>>> load(domain::Uuid id);

 private:
  const std::shared_ptr<WriterPool> writers_;
  const domain::Clock& clock_;
  const std::chrono::seconds ttl_;
};

}  // namespace sk::audit
