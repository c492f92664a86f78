// What a batch does to the summaries: several events of one session often arrive in
// one batch (a burst of switches), and only the newest state matters for
// sync_sessions, so each session is upserted once per batch instead of once per
// event. A participant is upserted from the newest record that still lists it, so a
// participant added and removed within one batch keeps its last row just as it would
// had the events come in separate batches. Pure; no I/O here.
//
// The ordering is PostgreSQL's (postgres/write_statement.h) so both databases keep
// the same summaries; the upserts in sqlite_statements.cc apply it across batches.
#pragma once

#include <span>
#include <vector>

#include "audit/audit_row.h"

namespace sk::audit::sqlite {

struct ParticipantSummary {
  const AuditRow* row;  // the newest row of the batch that lists the participant
  const ParticipantRow* participant;
};

struct SessionSummary {
  const AuditRow* newest;
  std::vector<ParticipantSummary> participants;  // each participant once
};

// One summary per session among `rows`, in the order each session first appears;
// on a tie the later row of the batch wins. Pointers into `rows`' targets.
std::vector<SessionSummary> summarize(std::span<const AuditRow* const> rows);

}  // namespace sk::audit::sqlite
