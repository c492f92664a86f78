// The one statement that writes a batch (SPEC §6), and its parameters: each column
// of each table travels as one array parameter, spread back into rows by unnest(),
// so a batch of any size is one round trip, one parse and one transaction.
//
// Summaries move forward only, by this order (mirrored by the statement's ON
// CONFLICT ... WHERE so rows already in the table obey it too):
// - a live summary is replaced by a newer state: (updated_at, version) not smaller;
// - a live summary is replaced by a deletion at or after its updated_at;
// - a deleted summary is replaced only by a later deletion, or by a state newer than
//   the deletion (a re-created session: at the same millisecond only its version 1).
// No I/O here.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/audit_row.h"

namespace sk::audit::postgres {

inline constexpr std::size_t kWriteParamCount = 41;

// The statement text (NUL-terminated, static); parameters $1..$41 as write_params()
// fills them.
const char* write_sql();

// The index of the newest row of each session in `rows` (by supersedes; on a tie the
// later row), in session order (a fixed lock order): ON CONFLICT cannot touch a row twice in one
// statement, so each session's summary must appear once.
std::vector<std::size_t> newest_per_session(std::span<const AuditRow> rows);

// (row, participant) indexes of the newest row listing each (session, participant)
// of `rows`, by (updated_at, version), in (session, participant) order. Participant rows move
// forward by that order alone.
std::vector<std::pair<std::size_t, std::size_t>> newest_per_participant(
    std::span<const AuditRow> rows);

// $1..$41 for one batch, as PQexecPrepared takes them: every parameter an array in
// PostgreSQL's binary format (pg_array.h), hence lengths (the bytes hold NULs).
struct WriteParams {
  std::array<std::string, kWriteParamCount> bytes;

  // Pointers into `bytes`: valid while it lives unchanged.
  std::array<const char*, kWriteParamCount> values() const;
  std::array<int, kWriteParamCount> lengths() const;
  static const std::array<int, kWriteParamCount>& formats();  // all 1, binary
};

// The parameters $1..$41 for `rows`.
WriteParams write_params(std::span<const AuditRow> rows);

}  // namespace sk::audit::postgres
