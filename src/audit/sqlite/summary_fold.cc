#include "audit/sqlite/summary_fold.h"

#include <cstddef>
#include <tuple>
#include <unordered_map>

namespace sk::audit::sqlite {
namespace {

// Participants have no deletions of their own: the newer state wins.
bool newer_or_same(const AuditRow& a, const AuditRow& b) {
  return std::tie(a.updated_at_ms, a.version) >= std::tie(b.updated_at_ms, b.version);
}

}  // namespace

std::vector<SessionSummary> summarize(std::span<const AuditRow* const> rows) {
  std::vector<SessionSummary> out;
  std::unordered_map<domain::Uuid, std::size_t, domain::UuidHash> session_slot;  // -> out[i]
  // Per session: participant -> its index in out[i].participants.
  std::vector<std::unordered_map<domain::Uuid, std::size_t, domain::UuidHash>> participant_slot;
  for (const AuditRow* row : rows) {
    const auto [it, fresh] = session_slot.try_emplace(row->session_id, out.size());
    if (fresh) {
      out.push_back(SessionSummary{row, {}});
      participant_slot.emplace_back();
    } else if (supersedes(*row, *out[it->second].newest)) {
      out[it->second].newest = row;
    }
    auto& summary = out[it->second];
    auto& slots = participant_slot[it->second];
    for (const auto& p : row->participants) {
      const auto [pit, first] = slots.try_emplace(p.participant_id, summary.participants.size());
      if (first) {
        summary.participants.push_back({row, &p});
      } else if (newer_or_same(*row, *summary.participants[pit->second].row)) {
        summary.participants[pit->second] = {row, &p};
      }
    }
  }
  return out;
}

}  // namespace sk::audit::sqlite
