// PostgresAuditWriter: the audit trail in PostgreSQL (SPEC §6) through ONE libpq
// connection, blocking (the audit queue runs it on a thread of its own).
//
// - Lazy connection: the first call connects; a broken connection is dropped and the
//   call reports `unavailable`; the next call connects again. So one writer object
//   lives through any number of database restarts.
// - write(batch) is ONE statement, hence one transaction: the events (multi-row,
//   via unnest of array parameters; ON CONFLICT (id) DO NOTHING makes redelivery
//   harmless), the session summaries and the participant rows, both forward-only.
// - The schema must exist (migrations.h); the writer never creates it.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "audit/audit_writer.h"
#include "audit/postgres/pg_support.h"

namespace sk::audit::postgres {

class PostgresAuditWriter final : public AuditWriter {
 public:
  // `conninfo` as built by make_conninfo. Does not connect yet.
  explicit PostgresAuditWriter(std::string conninfo);

  AuditStatus write(std::span<const domain::AuditRecord> batch) override;
  domain::Result<std::optional<std::string>> latest_state(const domain::Uuid& id) override;
  bool ping() override;

 private:
  // The open connection, or the unavailable error that kept it from opening.
  AuditStatus ensure_connected();
  // Prepares statement `name` on the open connection unless it already is.
  AuditStatus prepare(const char* name, const char* sql, int params, bool& prepared);
  // The AuditError for a failed call; drops the connection when it is gone.
  AuditError fail(const PGresult* result, std::string_view what);

  std::string conninfo_;
  std::string password_;  // scrubbed from every message
  PgConn conn_;
  // Per connection. Prepared on first use, not at connect: a missing schema must
  // fail the write, not the connection (ping() still answers).
  bool write_prepared_ = false;
  bool latest_prepared_ = false;
};

}  // namespace sk::audit::postgres
