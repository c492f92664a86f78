// The audit trail the configuration asks for (SPEC §6), built and wired here so that
// main stays a list of components:
//   DATABASE_URL           PostgreSQL, with either engine (the Redis engine's queue
//                          is the audit streams; the memory engine's is in-process)
//   AUDIT_DB=sqlite:PATH   a local SQLite file, memory engine only
//   neither                no audit database: no recovery, /ready ignores it
// and, with AUDIT_DB, DURABILITY: async (the local queue, off the request path) or
// sync (the group commit: a write is acknowledged after its audit commit).
// Also the two commands that only touch the audit trail: `migrate` and
// `audit status`.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <spdlog/logger.h>

#include "app/config.h"
#include "audit/queue/audit_queue.h"
#include "audit/queue/database_probe.h"
#include "audit/queue/group_commit.h"
#include "audit/queue/local_audit_queue.h"
#include "audit/queue/writer_pool.h"
#include "audit/recovery/session_recovery.h"
#include "domain/clock.h"
#include "domain/event.h"
#include "domain/session.h"
#include "server/audit_link.h"

namespace sk::app {

struct AuditParts {
  std::shared_ptr<audit::WriterPool> writers;     // null: no audit database
  std::shared_ptr<audit::AuditQueue> queue;       // set by start_audit
  std::shared_ptr<audit::LocalAuditQueue> local;  // the memory engine's (its store feeds it)
  std::shared_ptr<audit::DatabaseProbe> probe;
  std::unique_ptr<audit::SessionRecovery> recovery;
  // DURABILITY=sync (memory engine, SQLite): replaces `local`; writes wait for it.
  std::shared_ptr<audit::GroupCommit> group_commit;

  bool enabled() const { return writers != nullptr; }
  server::AuditLink link() const;
  // The probe's cached answer, for /ready and the queues' outage pauses (empty
  // without an audit database).
  std::function<bool()> database_up() const;

  // The memory engine's hook: every write's records go to the local queue (none
  // without an audit database).
  std::function<void(const domain::Session&, const std::vector<domain::Event>&)> memory_hook()
      const;
  // DURABILITY=sync: the memory engine's durable hook (MemoryStoreOptions::durable_audit):
  // a write's records through the group commit, Error::unavailable when it failed.
  // Empty in async mode.
  std::function<boost::asio::awaitable<std::optional<domain::Error>>(
      const domain::Session&, const std::vector<domain::Event>&)>
  durable_hook() const;
};

// Writers, probe, recovery and (memory engine) the local queue; migrates first with
// MIGRATE_AT_START. Throws std::invalid_argument for unusable settings,
// std::runtime_error when a migration fails.
// `on_database_change(name, up)` hears the probe's transitions ("postgres", "sqlite").
AuditParts make_audit(const Config& config, boost::asio::any_io_executor executor,
                      const domain::Clock& clock, spdlog::logger& log,
                      std::function<void(std::string_view, bool)> on_database_change = {});

// Starts the queue: the local one, or (Redis engine) the consumer of the audit streams,
// unless AUDIT_CONSUME=false leaves those to other instances (then `queue` stays null).
void start_audit(AuditParts& parts, const Config& config, boost::asio::any_io_executor executor,
                 const domain::Clock& clock, spdlog::logger& log);

// `synckairos migrate` and `synckairos audit status`: the process exit code.
int run_migrate(const Config& config, spdlog::logger& log);
int run_audit_status(const Config& config, spdlog::logger& log);

}  // namespace sk::app
