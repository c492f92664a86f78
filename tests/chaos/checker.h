// The chaos run's checks, once the audit pipeline has drained:
//   1. every acknowledged write is in sync_events, at its version, and the state
//      audited there is the one the 2xx answer showed;
//   2. no (session, version) was written twice (one write's events are n = 1..k of
//      one life, all with the same snapshot);
//   3. each session's versions form a chain 1..final whose last snapshot is what a
//      GET answers now;
//   4. each step of the chain is what the engine produces: the command derived from
//      the events, applied to the previous snapshot at the write's time
//      (updated_at), gives exactly the next snapshot and the same events;
//   5. every watcher converged to its game's final version, in version order;
// plus the run's own findings (unexpected answers, games that did not end).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "audit/postgres/postgres_server_fixture.h"
#include "chaos/records.h"
#include "chaos/report.h"

namespace sk::chaos {

// One row of sync_events.
struct AuditEventRow {
  std::string id;  // "<session>:<created>:<version>:<n>"
  std::string session_id;
  std::int64_t version = 0;
  std::string event_type;
  std::string event_json;  // the metadata column: the whole event
  std::string snapshot;    // state_snapshot
};

std::vector<AuditEventRow> load_audit_events(
    const audit::postgres::testing::PostgresServerFixture& pg, const std::string& db);

// session id -> the body of a 200 GET now ("" when no instance answered 200).
std::map<std::string, std::string> read_final_states(const std::vector<std::uint16_t>& ports,
                                                     const std::vector<std::string>& sessions);

std::vector<CheckRow> check_run(const PlayResult& play, const std::vector<AuditEventRow>& events,
                                const std::map<std::string, std::string>& final_states);

// Plants one fault of each kind checks 1, 2 and 4 look for (an acknowledged write
// lost, a version written twice, an impossible state) in copies of `events`, and
// fails unless check_run catches every one: a check that cannot fail proves nothing.
CheckRow self_check(const PlayResult& play, const std::vector<AuditEventRow>& events,
                    const std::map<std::string, std::string>& final_states);

}  // namespace sk::chaos
