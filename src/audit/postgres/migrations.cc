#include "audit/postgres/migrations.h"

#include <array>

#include "audit/postgres/migration_sources.h"
#include "audit/postgres/pg_support.h"

namespace sk::audit::postgres {
namespace {

using domain::Error;
using domain::ErrorCode;

constexpr std::array<Migration, 3> kMigrations{{
    {1, "initial_schema", sql::k001InitialSchema},
    {2, "indexes", sql::k002Indexes},
    {3, "partitioned_events", sql::k003PartitionedEvents},
}};

// Any fixed 64-bit key: every migrator locks the same one ("SKMIGRAT").
constexpr std::string_view kLock = "SELECT pg_advisory_xact_lock(6001264935617397076)";

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS sync_schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())";

Error failure(PGconn* conn, const PGresult* result, std::string_view what) {
  const AuditError e = failure_of(conn, result, what, {});
  const ErrorCode code =
      e.kind == AuditFailure::unavailable ? ErrorCode::unavailable : ErrorCode::internal;
  return Error{code, e.message, {}, {}, {}};
}

PgResult exec(PGconn* conn, std::string_view sql) {
  return PgResult(PQexec(conn, std::string(sql).c_str()));
}

// Runs `sql`; on failure rolls back and returns the error.
std::optional<Error> run(PGconn* conn, std::string_view sql, std::string_view what) {
  const PgResult r = exec(conn, sql);
  if (succeeded(r.get())) return std::nullopt;
  Error e = failure(conn, r.get(), what);
  if (PQstatus(conn) == CONNECTION_OK) (void)exec(conn, "ROLLBACK");
  return e;
}

// Applies migration `m` unless it already is; true when it was applied now.
domain::Result<bool> apply(PGconn* conn, const Migration& m) {
  const std::string what = "migration " + std::to_string(m.version) + " " + std::string(m.name);
  if (auto e = run(conn, "BEGIN", what)) return *e;
  // Under the lock, so concurrent migrators cannot race on creating the table either.
  if (auto e = run(conn, kLock, what)) return *e;
  if (auto e = run(conn, kCreateTable, what)) return *e;
  const std::string version = std::to_string(m.version);
  const char* check_params[] = {version.c_str()};
  const PgResult found(PQexecParams(conn, "SELECT 1 FROM sync_schema_migrations WHERE version = $1",
                                    1, nullptr, check_params, nullptr, nullptr, 0));
  if (!succeeded(found.get())) {
    Error e = failure(conn, found.get(), what);
    (void)exec(conn, "ROLLBACK");
    return e;
  }
  if (PQntuples(found.get()) > 0) {
    if (auto e = run(conn, "COMMIT", what)) return *e;
    return false;
  }
  if (auto e = run(conn, m.sql, what)) return *e;
  const std::string name(m.name);
  const char* insert_params[] = {version.c_str(), name.c_str()};
  const PgResult inserted(
      PQexecParams(conn, "INSERT INTO sync_schema_migrations (version, name) VALUES ($1, $2)", 2,
                   nullptr, insert_params, nullptr, nullptr, 0));
  if (!succeeded(inserted.get())) {
    Error e = failure(conn, inserted.get(), what);
    (void)exec(conn, "ROLLBACK");
    return e;
  }
  if (auto e = run(conn, "COMMIT", what)) return *e;
  return true;
}

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

domain::Result<int> migrate(PGconn* conn) { return migrate(conn, kMigrations.back().version); }

domain::Result<int> migrate(PGconn* conn, int up_to) {
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    return Error{ErrorCode::unavailable, "PostgreSQL connection is not open", {}, {}, {}};
  }
  int applied = 0;
  for (const Migration& m : kMigrations) {
    if (m.version > up_to) break;
    auto done = apply(conn, m);
    if (!done) return done.error();
    if (*done) ++applied;
  }
  return applied;
}

domain::Result<int> migrate(const std::string& conninfo) {
  Connection c = connect(conninfo);
  if (!c.conn) return Error{ErrorCode::unavailable, c.error, {}, {}, {}};
  return migrate(c.conn.get());
}

}  // namespace sk::audit::postgres
