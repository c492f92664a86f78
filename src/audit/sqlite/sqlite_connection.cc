#include "audit/sqlite/sqlite_connection.h"

#include <climits>
#include <utility>

#include <sqlite3.h>

namespace sk::audit::sqlite {
namespace {

SqliteError error_of(sqlite3* db, int code) {
  // sqlite3_errmsg describes the most recent failure on this connection, which is
  // the one being reported; fall back to the generic text of the code.
  const char* text = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  return SqliteError{code, text != nullptr ? text : sqlite3_errstr(code)};
}

int text_length(std::string_view text) {
  // Audit rows are far below 2 GiB (SQLite's own limit is 1e9 bytes by default).
  return text.size() > static_cast<std::size_t>(INT_MAX) ? INT_MAX : static_cast<int>(text.size());
}

}  // namespace

AuditFailure classify(int code) {
  switch (code & 0xff) {  // the primary code: SQLITE_IOERR_WRITE -> SQLITE_IOERR
    case SQLITE_CONSTRAINT: return AuditFailure::rejected;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL: return AuditFailure::unavailable;
    default: return AuditFailure::failed;
  }
}

// ---- Statement ------------------------------------------------------------------

void Statement::Finalize::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

void Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_.get(), index, static_cast<sqlite3_int64>(value));
}

void Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_.get(), index, text.data(), text_length(text), SQLITE_TRANSIENT);
}

void Statement::bind_null(int index) { sqlite3_bind_null(stmt_.get(), index); }

void Statement::bind(int index, const std::optional<std::int64_t>& value) {
  if (value) {
    bind(index, *value);
  } else {
    bind_null(index);
  }
}

void Statement::bind(int index, const std::optional<std::string>& text) {
  if (text) {
    bind(index, std::string_view{*text});
  } else {
    bind_null(index);
  }
}

Statement::StepResult Statement::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return {true, std::nullopt};
  if (rc == SQLITE_DONE) return {false, std::nullopt};
  // With extended result codes on, sqlite3_step returns the detailed code itself.
  return {false, error_of(sqlite3_db_handle(stmt_.get()), rc)};
}

SqliteStatus Statement::run() {
  for (;;) {
    auto r = step();
    if (r.error) return r.error;
    if (!r.row) return std::nullopt;
  }
}

void Statement::reset() {
  // sqlite3_reset repeats the last step's error code; that error was already
  // reported by step(), so it is not a new failure here.
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::int64_t Statement::column_int(int column) const {
  return static_cast<std::int64_t>(sqlite3_column_int64(stmt_.get(), column));
}

std::string Statement::column_text(int column) const {
  const auto* text = sqlite3_column_text(stmt_.get(), column);
  const int size = sqlite3_column_bytes(stmt_.get(), column);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)};
}

bool Statement::column_is_null(int column) const {
  return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}

// ---- Connection -----------------------------------------------------------------

void Connection::Close::operator()(sqlite3* db) const {
  // _v2: closes once the last statement is finalized, whatever the destruction
  // order of the members that hold them.
  sqlite3_close_v2(db);
}

std::optional<Connection> Connection::open(const std::string& path,
                                           std::chrono::milliseconds busy_timeout,
                                           Synchronous synchronous, SqliteError& error) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Connection connection{raw};  // owns the handle even when opening failed
  if (rc != SQLITE_OK) {
    error = error_of(raw, rc);
    if (raw != nullptr) error.code = sqlite3_extended_errcode(raw);
    return std::nullopt;
  }
  sqlite3_extended_result_codes(raw, 1);
  const auto timeout_ms = busy_timeout.count();
  sqlite3_busy_timeout(raw, timeout_ms > INT_MAX ? INT_MAX : static_cast<int>(timeout_ms));
  // WAL: the writer appends while readers (recovery, an operator's sqlite3 shell)
  // keep reading, and a commit is one sequential write. synchronous=NORMAL is safe
  // with WAL against corruption; a power loss may lose the last commits (the
  // asynchronous queue has lost more by then anyway). FULL fsyncs the WAL at every
  // commit, for DURABILITY=sync. ":memory:" stays in "memory" mode.
  const char* pragmas = synchronous == Synchronous::full
                            ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                            : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;";
  if (auto failed = connection.exec(pragmas)) {
    error = std::move(*failed);
    return std::nullopt;
  }
  return connection;
}

SqliteStatus Connection::exec(std::string_view sql) {
  const std::string text{sql};  // sqlite3_exec wants a NUL-terminated string
  const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return error_of(db_.get(), rc);
  return std::nullopt;
}

std::optional<Statement> Connection::prepare(std::string_view sql, SqliteError& error) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), text_length(sql),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    error = error_of(db_.get(), rc);
    return std::nullopt;
  }
  return Statement{stmt};
}

bool Connection::in_transaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }

}  // namespace sk::audit::sqlite
