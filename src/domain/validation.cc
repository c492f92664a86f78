// The create-request rules of SPEC §2: bounds from limits.h, and which fields each
// sync mode requires, allows or forbids. Every violation is reported, in field order
// (session fields, then time_control and warnings_ms, then participants, then
// groups), so a client fixes a body in one round trip. The time-control rules are in
// validation_time_control.cc. Pure; no I/O.
#include "domain/validation.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "domain/limits.h"
#include "domain/validation_detail.h"

namespace sk::domain {
namespace {

using limits::kMaxTime;
using limits::kMinTime;

std::string between(std::int64_t lo, std::int64_t hi) {
  return fmt::format("must be between {} and {}", lo, hi);
}

void check_time(const std::optional<Millis>& value, std::string field,
                std::vector<FieldViolation>& out) {
  if (value && (*value < kMinTime || *value > kMaxTime)) {
    out.push_back({std::move(field), between(kMinTime.count(), kMaxTime.count())});
  }
}

std::string item(std::string_view list, std::size_t index, std::string_view field) {
  return fmt::format("{}.{}.{}", list, index, field);
}

// For each position, whether an earlier entry has the same id. O(n log n): a body can
// hold far more entries than the limit, and every one is checked.
template <typename Items, typename IdOf>
std::vector<bool> repeated_ids(const Items& items, IdOf id_of) {
  std::vector<std::size_t> order(items.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return id_of(items[a]) < id_of(items[b]); });
  std::vector<bool> repeated(items.size(), false);
  for (std::size_t i = 1; i < order.size(); ++i) {
    if (id_of(items[order[i]]) == id_of(items[order[i - 1]])) repeated[order[i]] = true;
  }
  return repeated;
}

bool listed(const std::vector<NewGroup>& groups, const Uuid& id) {
  return std::any_of(groups.begin(), groups.end(),
                     [&](const NewGroup& g) { return g.group_id == id; });
}

// per_group needs a bank for every group in play: its own groups[].total_time_ms or
// the session default.
bool every_group_has_own_bank(const CreateSessionRequest& r) {
  return std::all_of(r.participants.begin(), r.participants.end(), [&](const NewParticipant& p) {
    if (!p.group_id) return true;  // reported on the participant
    return std::any_of(r.groups.begin(), r.groups.end(), [&](const NewGroup& g) {
      return g.group_id == *p.group_id && g.total_time.has_value();
    });
  });
}

// A multi-stage control gives every owner its starting bank (stages[0].add_ms).
bool bank_from_stages(const CreateSessionRequest& r) {
  return r.time_control && !r.time_control->stages.empty() &&
         detail::has_field(r.time_control->type, detail::ControlField::stages);
}

void check_session_total(const CreateSessionRequest& r, std::optional<SyncMode> mode,
                         std::vector<FieldViolation>& out) {
  // Accepted in every mode (the original's clients always send it, SPEC §2) and
  // range-checked; per_cycle and count_up have no session bank and ignore it, nor
  // does a bank that comes from stages.
  const char* field = "total_time_ms";
  if (!r.total_time && mode && !bank_from_stages(r)) {
    switch (*mode) {
      case SyncMode::per_participant:
        if (!std::all_of(r.participants.begin(), r.participants.end(),
                         [](const NewParticipant& p) { return p.total_time.has_value(); })) {
          out.push_back({field, "is required unless every participant has its own total_time_ms"});
        }
        break;
      case SyncMode::global: out.push_back({field, "is required in global mode"}); break;
      case SyncMode::per_group:
        if (!every_group_has_own_bank(r)) {
          out.push_back({field, "is required unless every group has its own total_time_ms"});
        }
        break;
      case SyncMode::per_cycle:
      case SyncMode::count_up: break;
    }
  }
  check_time(r.total_time, field, out);
}

void check_mode_fields(const CreateSessionRequest& r, std::optional<SyncMode> mode,
                       std::vector<FieldViolation>& out) {
  check_session_total(r, mode, out);

  if (mode == SyncMode::per_cycle && !r.time_per_cycle) {
    out.push_back({"time_per_cycle_ms", "is required in per_cycle mode"});
  } else if (mode && mode != SyncMode::per_cycle && r.time_per_cycle) {
    out.push_back({"time_per_cycle_ms", "only allowed in per_cycle mode"});
  } else {
    check_time(r.time_per_cycle, "time_per_cycle_ms", out);
  }

  if (r.increment < Millis{0} || r.increment > limits::kMaxIncrement) {
    out.push_back({"increment_ms", between(0, limits::kMaxIncrement.count())});
  } else if (r.increment != Millis{0} && mode && mode != SyncMode::per_participant &&
             mode != SyncMode::per_group) {
    out.push_back({"increment_ms", "only allowed in per_participant and per_group modes"});
  } else if (detail::increment_conflicts(r)) {
    out.push_back({"increment_ms", "conflicts with time_control; set the increment inside it"});
  }

  if (r.max_time && mode && mode != SyncMode::count_up) {
    out.push_back({"max_time_ms", "only allowed in count_up mode"});
  } else {
    check_time(r.max_time, "max_time_ms", out);
  }

  if (r.action_on_timeout && mode && !timeout_action_allowed(*mode, *r.action_on_timeout)) {
    out.push_back(
        {"action_on_timeout", fmt::format("{} is not allowed in {} mode",
                                          to_string(*r.action_on_timeout), to_string(*mode))});
  }

  if (r.metadata && r.metadata->size() > limits::kMaxMetadataBytes) {
    out.push_back({"metadata", fmt::format("must be at most {} bytes", limits::kMaxMetadataBytes)});
  }
}

void check_participants(const CreateSessionRequest& r, std::optional<SyncMode> mode,
                        bool groups_checked, std::vector<FieldViolation>& out) {
  const auto n = r.participants.size();
  if (n < limits::kMinParticipants || n > limits::kMaxParticipants) {
    out.push_back(
        {"participants", fmt::format("must have between {} and {} participants",
                                     limits::kMinParticipants, limits::kMaxParticipants)});
  }
  const auto repeated =
      repeated_ids(r.participants, [](const NewParticipant& p) { return p.participant_id; });
  for (std::size_t i = 0; i < n; ++i) {
    const NewParticipant& p = r.participants[i];
    const std::string prefix = fmt::format("participants.{}.", i);
    if (repeated[i]) out.push_back({prefix + "participant_id", "duplicate participant_id"});
    validate_new_participant(p, mode, prefix, out);
    if (groups_checked && p.group_id && !listed(r.groups, *p.group_id)) {
      out.push_back({prefix + "group_id", "is not listed in groups"});
    }
  }
}

void check_groups(const CreateSessionRequest& r, std::vector<FieldViolation>& out) {
  if (r.groups.size() > limits::kMaxParticipants) {
    out.push_back({"groups", fmt::format("must have at most {} groups", limits::kMaxParticipants)});
  }
  const auto repeated = repeated_ids(r.groups, [](const NewGroup& g) { return g.group_id; });
  for (std::size_t i = 0; i < r.groups.size(); ++i) {
    const NewGroup& g = r.groups[i];
    if (repeated[i]) {
      out.push_back({item("groups", i, "group_id"), "duplicate group_id"});
    } else if (std::none_of(r.participants.begin(), r.participants.end(),
                            [&](const NewParticipant& p) { return p.group_id == g.group_id; })) {
      out.push_back({item("groups", i, "group_id"), "has no participants"});
    }
    check_time(g.total_time, item("groups", i, "total_time_ms"), out);
  }
}

}  // namespace

void validate_new_participant(const NewParticipant& participant, std::optional<SyncMode> mode,
                              const std::string& prefix, std::vector<FieldViolation>& out) {
  if (participant.participant_index &&
      (*participant.participant_index < 0 ||
       *participant.participant_index > limits::kMaxParticipantIndex)) {
    out.push_back({prefix + "participant_index", between(0, limits::kMaxParticipantIndex)});
  }
  // Accepted in every mode (the original's clients always send it, SPEC §2) and
  // range-checked; only per_participant has a bank of the participant's own.
  check_time(participant.total_time, prefix + "total_time_ms", out);
  if (mode == SyncMode::per_group && !participant.group_id) {
    out.push_back({prefix + "group_id", "is required in per_group mode"});
  } else if (mode && mode != SyncMode::per_group && participant.group_id) {
    out.push_back({prefix + "group_id", "only allowed in per_group mode"});
  }
}

namespace detail {

void validate_create(const CreateSessionRequest& r, std::optional<SyncMode> mode,
                     std::vector<FieldViolation>& out) {
  check_mode_fields(r, mode, out);
  validate_time_control(r, mode, out);
  validate_warnings(r, out);
  // groups[] belong to per_group; in another mode one complaint about the list says it
  // all, and its entries are not examined.
  const bool groups_given = !r.groups.empty();
  const bool groups_misplaced = groups_given && mode && mode != SyncMode::per_group;
  check_participants(r, mode, groups_given && !groups_misplaced, out);
  if (groups_misplaced) {
    out.push_back({"groups", "only allowed in per_group mode"});
  } else if (groups_given) {
    check_groups(r, out);
  }
}

}  // namespace detail

std::vector<FieldViolation> validate_create(const CreateSessionRequest& request) {
  std::vector<FieldViolation> out;
  detail::validate_create(request, request.sync_mode, out);
  return out;
}

}  // namespace sk::domain
