#include "audit/postgres/postgres_audit_writer.h"

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

Error as_error(const AuditError& e) {
  const ErrorCode code =
      e.kind == AuditFailure::unavailable ? ErrorCode::unavailable : ErrorCode::internal;
  return Error{code, e.message, {}, {}, {}};
}

}  // namespace

PostgresAuditWriter::PostgresAuditWriter(std::string conninfo)
    : conninfo_(std::move(conninfo)), password_(password_of(conninfo_)) {}

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
  if (auto e = prepare(kWrite, write_sql(), static_cast<int>(kWriteParamCount), write_prepared_)) {
    return e;
  }

  const WriteParams params = write_params(*rows);
  const auto values = params.values();
  const auto lengths = params.lengths();
  const PgResult r(PQexecPrepared(conn_.get(), kWrite, static_cast<int>(kWriteParamCount),
                                  values.data(), lengths.data(), WriteParams::formats().data(), 0));
  if (!succeeded(r.get())) return fail(r.get(), "audit write");
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
