#include "audit/sqlite/sqlite_audit_writer.h"

#include <utility>
#include <vector>

#include <fmt/format.h>
#include <sqlite3.h>

#include "audit/audit_row.h"
#include "audit/sqlite/sqlite_migrations.h"
#include "audit/sqlite/summary_fold.h"

namespace sk::audit::sqlite {
namespace {

// Runs a statement to completion and makes it reusable, whatever the outcome.
SqliteStatus run_once(Statement& s) {
  auto error = s.run();
  s.reset();
  return error;
}

std::string open_failure(const std::string& path, const SqliteError& error) {
  const bool cannot_open = (error.code & 0xff) == SQLITE_CANTOPEN;
  return fmt::format("audit database {} cannot be opened: {}{}", path, error.message,
                     cannot_open ? " (does the directory exist and is it writable?)" : "");
}

}  // namespace

SqliteAuditWriter::SqliteAuditWriter(std::string path, SqliteOptions options, Db db)
    : path_(std::move(path)), options_(options), db_(std::move(db)) {}

SqliteAuditWriter::~SqliteAuditWriter() = default;

std::optional<SqliteAuditWriter::Db> SqliteAuditWriter::open_db(const std::string& path,
                                                                const SqliteOptions& options,
                                                                SqliteError& error) {
  auto connection = Connection::open(path, options.busy_timeout, options.synchronous, error);
  if (!connection) return std::nullopt;
  if (auto migrated = migrate(*connection); migrated.error) {
    error = std::move(*migrated.error);
    error.message = "migrating the schema failed: " + error.message;
    return std::nullopt;
  }
  auto statements = Statements::prepare(*connection, error);
  if (!statements) return std::nullopt;
  return Db{std::move(*connection), std::move(*statements)};
}

std::optional<SqliteError> SqliteAuditWriter::ensure_open() {
  if (db_) return std::nullopt;
  SqliteError error;
  db_ = open_db(path_, options_, error);
  if (!db_) return error;
  return std::nullopt;
}

void SqliteAuditWriter::forget_connection_if_broken(const SqliteError& error) {
  switch (error.code & 0xff) {
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: db_.reset(); break;
    default: break;
  }
}

AuditError SqliteAuditWriter::to_audit_error(const SqliteError& error, std::string_view context) {
  forget_connection_if_broken(error);
  return AuditError{classify(error.code),
                    fmt::format("audit database {}: {}: {}", path_, context, error.message)};
}

void SqliteAuditWriter::roll_back() {
  // Some errors (SQLITE_FULL, SQLITE_IOERR, ...) roll the transaction back by
  // themselves; ROLLBACK then has nothing to do and is skipped.
  if (db_ && db_->connection.in_transaction()) (void)run_once(db_->statements.rollback);
}

AuditStatus SqliteAuditWriter::write(std::span<const domain::AuditRecord> batch) {
  if (batch.empty()) return std::nullopt;
  // Decoded before the file is touched: a malformed record writes nothing.
  const auto rows = to_rows(batch);
  if (!rows) return AuditError{AuditFailure::rejected, rows.error().message};

  if (auto error = ensure_open()) return to_audit_error(*error, "cannot open");
  auto& st = db_->statements;
  if (auto error = run_once(st.begin)) return to_audit_error(*error, "cannot begin");

  auto fail = [this](const SqliteError& error, std::string_view context) {
    roll_back();
    return to_audit_error(error, context);
  };

  std::vector<const AuditRow*> all;
  all.reserve(rows->size());
  for (const auto& row : *rows) {
    bind_event(st.insert_event, row);
    if (auto error = run_once(st.insert_event)) {
      return fail(*error, fmt::format("storing event {}", row.event_id));
    }
    all.push_back(&row);
  }
  // Every record, redelivered or not, offers its state to the summaries: the
  // forward-only upserts make a repeat a no-op, and a summary never depends on
  // whether an event row happened to be new.
  for (const auto& summary : summarize(all)) {
    const AuditRow& newest = *summary.newest;
    bind_session(st.upsert_session, newest);
    if (auto error = run_once(st.upsert_session)) {
      return fail(*error, fmt::format("updating session {} (event {})",
                                      newest.session_id.to_string(), newest.event_id));
    }
    for (const auto& [row, p] : summary.participants) {
      bind_participant(st.upsert_participant, *row, *p);
      if (auto error = run_once(st.upsert_participant)) {
        return fail(*error, fmt::format("updating participant {} (event {})",
                                        p->participant_id.to_string(), row->event_id));
      }
    }
  }
  if (auto error = run_once(st.commit)) return fail(*error, "cannot commit");
  return std::nullopt;
}

domain::Result<std::optional<std::string>> SqliteAuditWriter::latest_state(const domain::Uuid& id) {
  auto as_error = [this](const SqliteError& error, std::string_view context) {
    const auto audit = to_audit_error(error, context);
    const auto code = audit.kind == AuditFailure::unavailable ? domain::ErrorCode::unavailable
                                                              : domain::ErrorCode::internal;
    return domain::Error{code, audit.message, {}, {}, {}};
  };
  if (auto error = ensure_open()) return as_error(*error, "cannot open");
  auto& s = db_->statements.latest_state;
  s.bind(1, std::string_view{id.to_string()});
  const auto step = s.step();
  std::optional<std::string> state;
  if (step.row) state = s.column_text(0);
  s.reset();
  if (step.error) return as_error(*step.error, "reading the latest state");
  return state;
}

bool SqliteAuditWriter::ping() {
  if (ensure_open()) return false;
  auto& s = db_->statements.ping;
  const auto step = s.step();
  s.reset();
  if (step.error) {
    forget_connection_if_broken(*step.error);
    return false;
  }
  return true;
}

domain::Result<std::unique_ptr<SqliteAuditWriter>> open_sqlite_writer(std::string path,
                                                                      SqliteOptions options) {
  SqliteError error;
  auto db = SqliteAuditWriter::open_db(path, options, error);
  if (!db) {
    return domain::Error{domain::ErrorCode::unavailable, open_failure(path, error), {}, {}, {}};
  }
  // Not make_unique: the constructor is private to keep the factory the only way in.
  return std::unique_ptr<SqliteAuditWriter>(
      new SqliteAuditWriter(std::move(path), options, std::move(*db)));
}

}  // namespace sk::audit::sqlite
