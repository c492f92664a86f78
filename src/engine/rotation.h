// Who plays next. Rotation order is the order of Session::participants (ascending
// participant_index, ties by insertion); per_group rotates groups in order of their
// lowest member index and, within a group, its members round-robin. Expired
// participants and groups are skipped. Pure; no I/O.
#pragma once

#include <cstddef>
#include <optional>

#include "domain/session.h"

namespace sk::engine {

std::optional<std::size_t> index_of(const domain::Session& s, const domain::Uuid& id);

// The first participant to play when a session starts.
std::optional<std::size_t> first_to_play(const domain::Session& s);

// The next participant after the active one in rotation (per_group: the next
// group's next member). May be the active one itself if it is the only one left.
std::optional<std::size_t> next_to_play(const domain::Session& s);

// The next non-expired participant strictly after position `from`, wrapping around
// (returns `from` itself only if it alone is left).
std::optional<std::size_t> next_playable_after(const domain::Session& s, std::size_t from);

// Keeps Session::groups in rotation order after participants change.
void sort_groups(domain::Session& s);

// Inserts `p` at its rotation position: after every participant whose index is <=
// its own (so ties keep insertion order). Returns the position.
std::size_t insert_in_rotation(domain::Session& s, domain::Participant p);

}  // namespace sk::engine
