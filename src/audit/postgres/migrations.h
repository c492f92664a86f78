// Schema migrations (SPEC §6): numbered SQL files (migrations/NNN_name.sql, compiled
// in) applied in order, each in its own transaction together with its row in
// sync_schema_migrations. Concurrent migrators (several instances starting at once)
// serialise on a transaction-scoped advisory lock, so each migration runs once.
// Re-running is a no-op. Migrations never lose data: they add, and a migration that
// rebuilds a table (003: sync_events partitioned) copies every row into the new one
// in the same transaction before dropping the old one.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include <libpq-fe.h>

#include "domain/result.h"

namespace sk::audit::postgres {

struct Migration {
  int version = 0;
  std::string_view name;  // "initial_schema"
  std::string_view sql;
};

// Every migration, in version order.
std::span<const Migration> migrations();

// Applies the pending migrations on an open connection; the number applied (0 when
// the schema is current). Errors: ErrorCode::unavailable when the connection fails,
// ErrorCode::internal naming the migration otherwise (it was rolled back).
domain::Result<int> migrate(PGconn* conn);

// The same, applying only the migrations up to version `up_to` (tests: an old
// schema, populated, then migrated further).
domain::Result<int> migrate(PGconn* conn, int up_to);

// Connects with `conninfo` (see make_conninfo), migrates, disconnects.
domain::Result<int> migrate(const std::string& conninfo);

}  // namespace sk::audit::postgres
