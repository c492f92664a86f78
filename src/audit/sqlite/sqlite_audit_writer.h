// SqliteAuditWriter: the audit trail in a local SQLite file, for the embedded
// default (memory engine, AUDIT_DB=sqlite:PATH). Same AuditWriter contract and the
// same tables as PostgreSQL (audit_writer.h, sqlite_migrations.h).
//
// - Opening creates the file, switches it to WAL with synchronous=NORMAL (FULL with
//   SqliteOptions::synchronous, for DURABILITY=sync) and runs
//   the migrations: the embedded default needs no separate migrate step.
// - write() is one BEGIN IMMEDIATE ... COMMIT; events are inserted unless their
//   event_id is stored already; each session's summary is upserted once per batch,
//   from its newest record, forward only (summary_fold.h, sqlite_statements.h).
// - A failure that suggests the file changed under us (I/O error, cannot open,
//   corrupt) drops the connection; the next call reopens it, so the writer survives
//   a disk coming back. A busy file keeps the connection.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "audit/audit_writer.h"
#include "audit/sqlite/sqlite_connection.h"
#include "audit/sqlite/sqlite_statements.h"

namespace sk::audit::sqlite {

struct SqliteOptions {
  // How long a statement waits for another connection's write lock before failing
  // with SQLITE_BUSY (-> unavailable). The writer is normally the file's only
  // writer; 5 s covers an operator's shell or a checkpoint holding the lock.
  std::chrono::milliseconds busy_timeout{5000};
  // DURABILITY=sync asks for full: a commit is on disk when write() returns.
  Synchronous synchronous = Synchronous::normal;
};

class SqliteAuditWriter final : public AuditWriter {
 public:
  SqliteAuditWriter(const SqliteAuditWriter&) = delete;
  SqliteAuditWriter& operator=(const SqliteAuditWriter&) = delete;
  ~SqliteAuditWriter() override;

  AuditStatus write(std::span<const domain::AuditRecord> batch) override;
  domain::Result<std::optional<std::string>> latest_state(const domain::Uuid& id) override;
  bool ping() override;

  const std::string& path() const { return path_; }

 private:
  friend domain::Result<std::unique_ptr<SqliteAuditWriter>> open_sqlite_writer(
      std::string path, SqliteOptions options);

  // A connection with its migrations run and its statements compiled.
  struct Db {
    Connection connection;
    Statements statements;
  };

  SqliteAuditWriter(std::string path, SqliteOptions options, Db db);

  static std::optional<Db> open_db(const std::string& path, const SqliteOptions& options,
                                   SqliteError& error);
  // Reopens after a dropped connection; nullopt when open.
  std::optional<SqliteError> ensure_open();
  AuditError to_audit_error(const SqliteError& error, std::string_view context);
  // Drops the connection when `error` means the file may have changed under it.
  void forget_connection_if_broken(const SqliteError& error);
  void roll_back();

  std::string path_;
  SqliteOptions options_;
  std::optional<Db> db_;
};

// Opens (creating) the database at `path` and migrates it. Err(unavailable) with a
// message naming the path and SQLite's reason when the file cannot be opened (a
// missing or unwritable directory), is not a database, or cannot be migrated.
domain::Result<std::unique_ptr<SqliteAuditWriter>> open_sqlite_writer(std::string path,
                                                                      SqliteOptions options = {});

}  // namespace sk::audit::sqlite
