// AuditRecord: one audit event as it travels from the store to the audit trail
// (SPEC §6): the event, the state right after it, and the id that makes writing it
// idempotent. Plain data; the store produces it, audit/ writers persist it.
#pragma once

#include <cstdint>
#include <string>

#include "domain/uuid.h"

namespace sk::domain {

struct AuditRecord {
  // Unique per event and stable across redelivery: "<session>:<created>:<version>:<n>"
  // for the n-th event of a write, "<session>:<created>:<version>:deleted" for a
  // deletion; <created> (the session's created_at in unix ms) tells apart the lives of
  // a session id that was deleted and created again. The Redis engine appends
  // ":<nonce>" (16 random hex digits per write, issue 16): a version written again
  // after Redis lost writes gets ids of its own instead of being dropped as a
  // duplicate. Opaque to the writers: ids of either form are accepted.
  std::string event_id;
  Uuid session_id;
  std::int64_t version = 0;  // the session version the event produced (or deleted)
  std::string event;         // domain::encode_event
  std::string state;         // domain::encode_stored_session of the state after it

  friend bool operator==(const AuditRecord&, const AuditRecord&) = default;
};

}  // namespace sk::domain
