// The AuditRecords of one write, and back from a Redis stream entry. The Redis
// scripts build the same ids and fields in Lua (store/redis/lua/*.lua); this is the
// C++ side for the memory engine and for reading the stream. No I/O here.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/audit_record.h"
#include "domain/event.h"
#include "domain/result.h"
#include "domain/session.h"

namespace sk::audit {

// One record per event: id "<session>:<created ms>:<version>:<n>" (n from 1), or
// "<session>:<created ms>:<version>:deleted" for a session_deleted; every record
// carries `state`. The creation time tells apart the lives of a session id that was
// deleted and created again.
std::vector<domain::AuditRecord> make_records(const domain::Session& state,
                                              const std::vector<domain::Event>& events);

// A stream entry's field/value pairs (id, session, version, event, state) as a
// record; Err(deserialization) naming what is missing or malformed.
domain::Result<domain::AuditRecord> record_from_fields(
    const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace sk::audit
