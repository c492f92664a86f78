// AuditWriter: the audit trail's database side (SPEC §6), one implementation per
// database (postgres/, sqlite/). The queue (queue/) decides what to write when and
// what to retry; a writer only writes, reads back, and classifies its failures.
//
// Contract:
// - Blocking calls, made from one thread at a time (the queue runs each writer on a
//   thread of its own); one writer object owns one database connection and
//   (re)connects lazily, so a writer survives the database going away and back.
// - write() stores a batch in ONE transaction: all of it or nothing. It is
//   idempotent: an event_id already stored is skipped (no duplicate row, no error),
//   so redelivery after a crash is harmless. Summaries (sessions, participants) only
//   move forward: an older record arriving late does not overwrite a newer one.
// - latest_state() is what recovery needs: the state snapshot of the session's most
//   recent event, or nullopt when the session was never audited or was deleted.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "domain/audit_record.h"
#include "domain/result.h"
#include "domain/uuid.h"

namespace sk::audit {

enum class AuditFailure {
  // The database cannot be reached or the connection broke: nothing was written and
  // it is not the records' fault. Retry the same batch later, without counting it
  // against the records.
  unavailable,
  // A record can never be written: malformed JSON, or a constraint violation
  // (SQLSTATE class 23). Do not retry; dead-letter it.
  rejected,
  // The database refused the batch for another reason (a data exception, a trigger,
  // a serialization failure, ...): may be transient or a poison record. Retry with
  // backoff, counting the attempt.
  failed,
};

struct AuditError {
  AuditFailure kind = AuditFailure::failed;
  std::string message;  // for logs and the dead-letter entry; never a password
};

using AuditStatus = std::optional<AuditError>;

class AuditWriter {
 public:
  virtual ~AuditWriter() = default;

  virtual AuditStatus write(std::span<const domain::AuditRecord> batch) = 0;

  // Err(unavailable) when the database cannot be reached.
  virtual domain::Result<std::optional<std::string>> latest_state(const domain::Uuid& id) = 0;

  // The database answers (for /ready).
  virtual bool ping() = 0;
};

}  // namespace sk::audit
