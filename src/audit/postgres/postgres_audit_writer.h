// PostgresAuditWriter: the audit trail in PostgreSQL (SPEC §6) through ONE libpq
// connection, blocking (the audit queue runs it on a thread of its own).
//
// - Lazy connection: the first call connects; a broken connection is dropped and the
//   call reports `unavailable`; the next call connects again. So one writer object
//   lives through any number of database restarts.
// - write(batch) is ONE statement, hence one transaction: the events (multi-row,
//   via unnest of array parameters; ON CONFLICT (id, "timestamp") DO NOTHING makes
//   redelivery harmless: a redelivered event has the same id and the same time), the
//   session summaries and the participant rows, both forward-only.
// - sync_events is partitioned by day (migration 003). The writer makes sure a
//   batch never fails for a missing partition: it creates the days of a batch it has
//   not seen before writing (sync_events_ensure_partitions, idempotent, serialised in
//   the database), keeps `ahead_days` upcoming days created (checked at the first
//   write and every `maintain_every`), and on the rare "no partition" error (a day
//   dropped meanwhile by another instance's retention) creates it and retries once.
// - Retention: with `retention_days` > 0 the same periodic check drops whole
//   partitions whose every event is older than that many days.
// - The schema must exist (migrations.h); the writer never creates the tables.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "audit/audit_row.h"
#include "audit/audit_writer.h"
#include "audit/postgres/pg_support.h"

namespace sk::audit::postgres {

struct PartitionOptions {
  int retention_days = 0;  // AUDIT_RETENTION_DAYS; 0 keeps everything
  int ahead_days = 3;      // upcoming daily partitions kept created (besides today)
  std::chrono::steady_clock::duration maintain_every = std::chrono::hours{1};
};

class PostgresAuditWriter final : public AuditWriter {
 public:
  // `conninfo` as built by make_conninfo. Does not connect yet.
  explicit PostgresAuditWriter(std::string conninfo, PartitionOptions partitions = {});

  AuditStatus write(std::span<const domain::AuditRecord> batch) override;
  domain::Result<std::optional<std::string>> latest_state(const domain::Uuid& id) override;
  bool ping() override;

  // The periodic check, now: creates today's and the next ahead_days' partitions and,
  // with a retention, drops the partitions older than it (their names in `dropped`
  // when given). write() runs it when due; a failure there does not fail the batch
  // (its own days are made separately) and is kept in last_maintenance_error().
  AuditStatus maintain_partitions(std::vector<std::string>* dropped = nullptr);
  const std::optional<AuditError>& last_maintenance_error() const { return maintenance_error_; }

 private:
  // Creates the partitions of the days (UTC, days since the epoch) of `rows` not
  // known to exist yet.
  AuditStatus ensure_days(std::span<const AuditRow> rows);
  AuditStatus exec_write(std::span<const AuditRow> rows);

  // The open connection, or the unavailable error that kept it from opening.
  AuditStatus ensure_connected();
  // Prepares statement `name` on the open connection unless it already is.
  AuditStatus prepare(const char* name, const char* sql, int params, bool& prepared);
  // The AuditError for a failed call; drops the connection when it is gone.
  AuditError fail(const PGresult* result, std::string_view what);

  std::string conninfo_;
  PartitionOptions partitions_;
  // Days whose partition this writer made sure of (they outlive a reconnect; a day
  // dropped since by retention elsewhere is caught by the retry in write()).
  std::unordered_set<std::int64_t> known_days_;
  std::optional<std::chrono::steady_clock::time_point> maintained_at_;
  std::optional<AuditError> maintenance_error_;
  std::string password_;  // scrubbed from every message
  PgConn conn_;
  // Per connection. Prepared on first use, not at connect: a missing schema must
  // fail the write, not the connection (ping() still answers).
  bool write_prepared_ = false;
  bool latest_prepared_ = false;
};

}  // namespace sk::audit::postgres
