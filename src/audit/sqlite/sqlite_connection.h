// A thin RAII layer over the SQLite C API: one connection, prepared statements that
// finalize themselves, and errors as values carrying SQLite's extended result code so
// the writer can classify them (AuditFailure). Knows nothing about audit tables.
//
// Not thread-safe: a connection is used from one thread at a time (the audit queue
// runs each writer on a thread of its own), so it is opened with SQLITE_OPEN_NOMUTEX.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "audit/audit_writer.h"

struct sqlite3;
struct sqlite3_stmt;

namespace sk::audit::sqlite {

struct SqliteError {
  int code = 0;  // extended result code (SQLITE_IOERR_WRITE, ...)
  std::string message;
};

using SqliteStatus = std::optional<SqliteError>;

// PRAGMA synchronous, in WAL mode. normal: a commit is written to the WAL (the OS
// has it: it survives the process being killed) but fsynced only at checkpoints, so a
// power loss may lose the last commits. full: every commit fsyncs the WAL, so a
// committed transaction survives a power loss too (DURABILITY=sync).
enum class Synchronous { normal, full };

// SQLITE_CONSTRAINT -> rejected (the record can never be written);
// BUSY/LOCKED/IOERR/CANTOPEN/FULL -> unavailable (the file, not the batch, is the
// problem: retry later); anything else -> failed.
AuditFailure classify(int code);

// Statements are compiled once and reused: a batch binds, steps and resets them, so
// the SQL is parsed once per connection rather than once per record.
class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}

  // 1-based parameter indexes, as in SQL (?1, ?2, ...). Text is copied by SQLite
  // (SQLITE_TRANSIENT), so the arguments need not outlive the call.
  void bind(int index, std::int64_t value);
  void bind(int index, std::string_view text);
  void bind_null(int index);
  void bind(int index, const std::optional<std::int64_t>& value);
  void bind(int index, const std::optional<std::string>& text);

  struct StepResult {
    bool row = false;  // SQLITE_ROW: a row is ready to read; SQLITE_DONE: no more
    SqliteStatus error;
  };
  StepResult step();
  // Steps to completion (for statements that return no rows).
  SqliteStatus run();
  // Ready for the next bind/step; clears the bindings too.
  void reset();

  std::int64_t column_int(int column) const;
  std::string column_text(int column) const;
  bool column_is_null(int column) const;

  sqlite3_stmt* get() const { return stmt_.get(); }

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* stmt) const;
  };
  std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
};

class Connection {
 public:
  // Opens (creating) the database file and checks that it is one: SQLite opens
  // lazily, so a file that is not a database is only noticed at the first read,
  // which this does (switching to WAL reads the header).
  static std::optional<Connection> open(const std::string& path,
                                        std::chrono::milliseconds busy_timeout,
                                        Synchronous synchronous, SqliteError& error);

  // Runs SQL that returns no rows we need (PRAGMAs, DDL, BEGIN/COMMIT); several
  // statements separated by ';' are fine.
  SqliteStatus exec(std::string_view sql);
  // SQLITE_PREPARE_PERSISTENT: these statements live as long as the connection.
  std::optional<Statement> prepare(std::string_view sql, SqliteError& error);

  bool in_transaction() const;  // a BEGIN is open (not in autocommit mode)

 private:
  struct Close {
    void operator()(sqlite3* db) const;
  };
  explicit Connection(sqlite3* db) : db_(db) {}
  std::unique_ptr<sqlite3, Close> db_;
};

}  // namespace sk::audit::sqlite
