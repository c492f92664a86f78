#include "audit/postgres/postgres_audit_writer.h"

#include <algorithm>
#include <set>
#include <vector>

#include "audit/audit_row.h"
#include "audit/postgres/write_statement.h"

namespace sk::audit::postgres {
namespace {

using domain::Error;
using domain::ErrorCode;

constexpr const char* kWrite = "sk_audit_write";
constexpr const char* kLatest = "sk_audit_latest";

// The newest event of the session by (recorded_at, version), a deletion last among
// equals (it carries the same state as the event before it); nothing when that is a
// deletion or the summary says deleted.
constexpr const char* kLatestSql =
    "SELECT e.event_type, e.state_snapshot::text,"
    " EXISTS (SELECT 1 FROM sync_sessions s WHERE s.session_id = $1::uuid"
    "  AND s.deleted_at IS NOT NULL)"
    " FROM sync_events e WHERE e.session_id = $1::uuid"
    " ORDER BY e.recorded_at DESC, e.version DESC, (e.event_type = 'session_deleted') DESC"
    " LIMIT 1";

// The partitions of the days given as days since the epoch (UTC), made if missing.
constexpr const char* kEnsureDaysSql =
    "SELECT sync_events_ensure_partitions("
    "ARRAY(SELECT DATE '1970-01-01' + d FROM unnest($1::int[]) AS d))";

// Today's (UTC) partition and the next $1 days'.
constexpr const char* kEnsureAheadSql =
    "SELECT sync_events_ensure_partitions("
    "ARRAY(SELECT (now() AT TIME ZONE 'UTC')::date + i FROM generate_series(0, $1::int) AS i))";

// The partitions of sync_events whose upper bound is at least $1 days ago: every
// event in them is older than the retention. The bound is read back from the
// partition's definition, so a partition made by hand (or a DEFAULT one, which has no
// upper bound) is judged by its range, not its name.
constexpr const char* kExpiredSql =
    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
    " WHERE i.inhparent = 'sync_events'::regclass"
    " AND (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]"
    "::timestamptz <= now() - $1::int * INTERVAL '1 day'"
    " ORDER BY 1";

// The same key as sync_events_ensure_partitions: creating and dropping partitions
// never interleave between instances.
constexpr const char* kPartitionLock = "SELECT pg_advisory_xact_lock(6001264935617397077)";

constexpr std::int64_t kDayMs = 86'400'000;

std::int64_t day_of(std::int64_t unix_ms) {
  // Floor, also before 1970.
  return unix_ms >= 0 ? unix_ms / kDayMs : -((-unix_ms + kDayMs - 1) / kDayMs);
}

// PostgreSQL answers an insert whose row fits no partition with 23514 (a check
// violation, which would otherwise reject the records) and this text.
bool no_partition(const PGresult* result) {
  if (result == nullptr) return false;
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const char* text = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  return state != nullptr && std::string_view(state) == "23514" && text != nullptr &&
         std::string_view(text).starts_with("no partition of relation");
}

Error as_error(const AuditError& e) {
  const ErrorCode code =
      e.kind == AuditFailure::unavailable ? ErrorCode::unavailable : ErrorCode::internal;
  return Error{code, e.message, {}, {}, {}};
}

}  // namespace

PostgresAuditWriter::PostgresAuditWriter(std::string conninfo, PartitionOptions partitions)
    : conninfo_(std::move(conninfo)), partitions_(partitions), password_(password_of(conninfo_)) {}

AuditStatus PostgresAuditWriter::ensure_connected() {
  if (conn_ && PQstatus(conn_.get()) == CONNECTION_OK) return std::nullopt;
  conn_.reset();
  write_prepared_ = false;
  latest_prepared_ = false;
  Connection c = connect(conninfo_);
  if (!c.conn) {
    return AuditError{AuditFailure::unavailable, "PostgreSQL connect: " + c.error};
  }
  conn_ = std::move(c.conn);
  return std::nullopt;
}

// Prepared once per connection: parsed and planned once, not once per batch.
AuditStatus PostgresAuditWriter::prepare(const char* name, const char* sql, int params,
                                         bool& prepared) {
  if (prepared) return std::nullopt;
  const PgResult r(PQprepare(conn_.get(), name, sql, params, nullptr));
  if (!succeeded(r.get())) return fail(r.get(), std::string("prepare ") + name);
  prepared = true;
  return std::nullopt;
}

AuditError PostgresAuditWriter::fail(const PGresult* result, std::string_view what) {
  AuditError e = failure_of(conn_.get(), result, what, password_);
  // Gone, or going (the server is shutting down): start afresh next call.
  if (e.kind == AuditFailure::unavailable) conn_.reset();
  return e;
}

AuditStatus PostgresAuditWriter::write(std::span<const domain::AuditRecord> batch) {
  if (batch.empty()) return std::nullopt;
  auto rows = to_rows(batch);
  if (!rows) return AuditError{AuditFailure::rejected, rows.error().message};
  if (auto down = ensure_connected()) return down;
  const auto now = std::chrono::steady_clock::now();
  if (!maintained_at_ || now - *maintained_at_ >= partitions_.maintain_every) {
    maintained_at_ = now;
    maintenance_error_ = maintain_partitions();
    if (maintenance_error_ && !conn_) return maintenance_error_;  // the connection is gone
  }
  if (auto e = ensure_days(*rows)) return e;
  if (auto e = prepare(kWrite, write_sql(), static_cast<int>(kWriteParamCount), write_prepared_)) {
    return e;
  }
  return exec_write(*rows);
}

AuditStatus PostgresAuditWriter::exec_write(std::span<const AuditRow> rows) {
  const WriteParams params = write_params(rows);
  const auto values = params.values();
  const auto lengths = params.lengths();
  for (int attempt = 0;; ++attempt) {
    const PgResult r(PQexecPrepared(conn_.get(), kWrite, static_cast<int>(kWriteParamCount),
                                    values.data(), lengths.data(), WriteParams::formats().data(),
                                    0));
    if (succeeded(r.get())) return std::nullopt;
    // A day this writer knew was dropped since (retention elsewhere): make it again,
    // once. The transaction was rolled back, nothing of the batch is in.
    if (attempt == 0 && no_partition(r.get())) {
      known_days_.clear();
      if (auto e = ensure_days(rows)) return e;
      continue;
    }
    return fail(r.get(), "audit write");
  }
}

AuditStatus PostgresAuditWriter::ensure_days(std::span<const AuditRow> rows) {
  std::set<std::int64_t> missing;
  for (const AuditRow& r : rows) {
    const std::int64_t day = day_of(r.event_at_ms);
    if (!known_days_.contains(day)) missing.insert(day);
  }
  if (missing.empty()) return std::nullopt;
  std::string days = "{";
  for (const std::int64_t d : missing) {
    if (days.size() > 1) days.push_back(',');
    days += std::to_string(d);
  }
  days.push_back('}');
  const char* values[] = {days.c_str()};
  const PgResult r(
      PQexecParams(conn_.get(), kEnsureDaysSql, 1, nullptr, values, nullptr, nullptr, 0));
  if (!succeeded(r.get())) return fail(r.get(), "audit partitions");
  known_days_.insert(missing.begin(), missing.end());
  return std::nullopt;
}

AuditStatus PostgresAuditWriter::maintain_partitions(std::vector<std::string>* dropped) {
  if (auto down = ensure_connected()) return down;
  const std::string ahead = std::to_string(std::max(partitions_.ahead_days, 0));
  const char* ahead_values[] = {ahead.c_str()};
  const PgResult made(
      PQexecParams(conn_.get(), kEnsureAheadSql, 1, nullptr, ahead_values, nullptr, nullptr, 0));
  if (!succeeded(made.get())) return fail(made.get(), "audit partitions ahead");
  if (partitions_.retention_days <= 0) return std::nullopt;

  // One transaction under the partition lock: the list and the drops agree, and two
  // instances never drop the same partition at once.
  auto run = [&](const char* sql, std::string_view what) -> AuditStatus {
    const PgResult r(PQexec(conn_.get(), sql));
    if (succeeded(r.get())) return std::nullopt;
    AuditError e = fail(r.get(), what);
    if (conn_) (void)PgResult(PQexec(conn_.get(), "ROLLBACK"));
    return e;
  };
  if (auto e = run("BEGIN", "audit retention")) return e;
  if (auto e = run(kPartitionLock, "audit retention")) return e;
  const std::string days = std::to_string(partitions_.retention_days);
  const char* days_values[] = {days.c_str()};
  const PgResult expired(
      PQexecParams(conn_.get(), kExpiredSql, 1, nullptr, days_values, nullptr, nullptr, 0));
  if (!succeeded(expired.get())) {
    AuditError e = fail(expired.get(), "audit retention");
    if (conn_) (void)PgResult(PQexec(conn_.get(), "ROLLBACK"));
    return e;
  }
  for (int i = 0; i < PQntuples(expired.get()); ++i) {
    const std::string name = PQgetvalue(expired.get(), i, 0);
    char* quoted = PQescapeIdentifier(conn_.get(), name.data(), name.size());
    if (quoted == nullptr) {
      (void)PgResult(PQexec(conn_.get(), "ROLLBACK"));
      return AuditError{AuditFailure::failed, "audit retention: cannot quote " + name};
    }
    const std::string drop = std::string("DROP TABLE ") + quoted;
    PQfreemem(quoted);
    if (auto e = run(drop.c_str(), "audit retention")) return e;
    if (dropped != nullptr) dropped->push_back(name);
  }
  if (auto e = run("COMMIT", "audit retention")) return e;
  // A dropped day is no longer there for a late event of it: make it again if one comes.
  if (PQntuples(expired.get()) > 0) known_days_.clear();
  return std::nullopt;
}

domain::Result<std::optional<std::string>> PostgresAuditWriter::latest_state(
    const domain::Uuid& id) {
  if (auto down = ensure_connected()) return as_error(*down);
  if (auto e = prepare(kLatest, kLatestSql, 1, latest_prepared_)) return as_error(*e);
  const std::string text = id.to_string();
  const char* values[] = {text.c_str()};
  const PgResult r(PQexecPrepared(conn_.get(), kLatest, 1, values, nullptr, nullptr, 0));
  if (!succeeded(r.get())) return as_error(fail(r.get(), "audit latest_state"));
  if (PQntuples(r.get()) == 0) return std::optional<std::string>{};
  const std::string_view type = PQgetvalue(r.get(), 0, 0);
  const bool deleted = PQgetvalue(r.get(), 0, 2)[0] == 't';
  if (deleted || type == "session_deleted") return std::optional<std::string>{};
  return std::optional<std::string>{PQgetvalue(r.get(), 0, 1)};
}

bool PostgresAuditWriter::ping() {
  // A connection that was open may have died with a server restart since: then one
  // fresh attempt tells whether the database answers NOW, which is what /ready asks.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool was_open = static_cast<bool>(conn_);
    if (ensure_connected()) return false;
    const PgResult r(PQexec(conn_.get(), "SELECT 1"));
    if (succeeded(r.get())) return true;
    if (fail(r.get(), "audit ping").kind != AuditFailure::unavailable || !was_open) return false;
  }
  return false;
}

}  // namespace sk::audit::postgres
