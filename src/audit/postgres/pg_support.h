// Small libpq helpers shared by the writer and the migrator: owning handles, a
// connection that keeps quiet about notices, and the mapping from a libpq failure
// to an AuditFailure. Blocking calls only; no state beyond what the caller owns.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <libpq-fe.h>

#include "audit/audit_writer.h"

namespace sk::audit::postgres {

struct PgConnDeleter {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using PgConn = std::unique_ptr<PGconn, PgConnDeleter>;

struct PgResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

// The password in `conninfo` (URI or key=value), or "" when none: error texts are
// scrubbed of it before they reach a log.
std::string password_of(const std::string& conninfo);

// Replaces every occurrence of `secret` (when non-empty) with "***".
std::string scrub(std::string text, std::string_view secret);

// Connects (blocking, bounded by the conninfo's connect_timeout). On failure the
// handle is null and `error` says why (scrubbed of the password).
struct Connection {
  PgConn conn;
  std::string error;
};
Connection connect(const std::string& conninfo);

// How a failed libpq call should be treated: the connection is gone or the server
// is shutting down (class 08, 57P01-57P03, or the connection is bad) -> unavailable;
// an integrity constraint (class 23) -> rejected; anything else -> failed.
AuditFailure classify(std::string_view sqlstate, bool connection_bad);

// The AuditError for a failed call on `conn` (result may be null when libpq could
// not even send the query): "<what>: <SQLSTATE> <message>", scrubbed of `secret`.
AuditError failure_of(PGconn* conn, const PGresult* result, std::string_view what,
                      std::string_view secret);

// True when `result` is a success (command or rows).
bool succeeded(const PGresult* result);

}  // namespace sk::audit::postgres
