#include "audit/postgres/pg_support.h"

#include <cstring>

namespace sk::audit::postgres {
namespace {

// libpq prints NOTICEs (e.g. "relation already exists, skipping") to stderr by
// default; our logs are structured JSON, so they are dropped here.
void ignore_notice(void* /*arg*/, const char* /*message*/) {}

// Server and libpq messages end in a newline (and may span lines): one line for logs.
std::string one_line(std::string_view text) {
  std::string out(text);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  for (char& c : out) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  return out;
}

}  // namespace

std::string password_of(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &err);
  if (err != nullptr) PQfreemem(err);
  if (options == nullptr) return {};
  std::string password;
  for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (std::strcmp(o->keyword, "password") == 0 && o->val != nullptr) password = o->val;
  }
  PQconninfoFree(options);
  return password;
}

std::string scrub(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
    text.replace(at, secret.size(), "***");
  }
  return text;
}

Connection connect(const std::string& conninfo) {
  Connection c{PgConn(PQconnectdb(conninfo.c_str())), {}};
  if (!c.conn) {
    c.error = "cannot allocate a PostgreSQL connection";
  } else if (PQstatus(c.conn.get()) != CONNECTION_OK) {
    c.error = scrub(one_line(PQerrorMessage(c.conn.get())), password_of(conninfo));
    c.conn.reset();
  } else {
    PQsetNoticeProcessor(c.conn.get(), ignore_notice, nullptr);
  }
  return c;
}

AuditFailure classify(std::string_view sqlstate, bool connection_bad) {
  if (connection_bad) return AuditFailure::unavailable;
  if (sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" ||
      sqlstate == "57P03") {
    return AuditFailure::unavailable;
  }
  // A deadlock or serialization failure (class 40) is the moment's, not the
  // records': the same batch is tried again, nothing is counted against it.
  if (sqlstate.starts_with("40")) return AuditFailure::unavailable;
  if (sqlstate.starts_with("23")) return AuditFailure::rejected;
  return AuditFailure::failed;
}

AuditError failure_of(PGconn* conn, const PGresult* result, std::string_view what,
                      std::string_view secret) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string_view sqlstate = state != nullptr ? state : "";
  const bool bad = conn == nullptr || PQstatus(conn) == CONNECTION_BAD;
  std::string message(what);
  message.append(": ");
  if (!sqlstate.empty()) {
    message.append(sqlstate);
    message.push_back(' ');
  }
  const char* text = nullptr;
  if (result != nullptr) text = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  if (text == nullptr && conn != nullptr) text = PQerrorMessage(conn);
  message.append(one_line(text != nullptr && *text != '\0' ? text : "no answer from PostgreSQL"));
  if (result != nullptr) {
    if (const char* constraint = PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME)) {
      message.append(" (constraint ");
      message.append(constraint);
      message.push_back(')');
    }
  }
  return AuditError{classify(sqlstate, bad), scrub(std::move(message), secret)};
}

bool succeeded(const PGresult* result) {
  if (result == nullptr) return false;
  const auto status = PQresultStatus(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

}  // namespace sk::audit::postgres
