#include "domain/session.h"

#include <algorithm>

namespace sk::domain {
namespace {

template <typename Vec>
auto* find_by_participant_id(Vec& participants, const Uuid& id) {
  auto it = std::find_if(participants.begin(), participants.end(),
                         [&](const auto& p) { return p.participant_id == id; });
  return it == participants.end() ? nullptr : &*it;
}

template <typename Vec>
auto* find_by_group_id(Vec& groups, const Uuid& id) {
  auto it =
      std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.group_id == id; });
  return it == groups.end() ? nullptr : &*it;
}

}  // namespace

const Participant* Session::find_participant(const Uuid& id) const {
  return find_by_participant_id(participants, id);
}
Participant* Session::find_participant(const Uuid& id) {
  return find_by_participant_id(participants, id);
}
const Participant* Session::active_participant() const {
  return active_participant_id ? find_participant(*active_participant_id) : nullptr;
}
const Group* Session::find_group(const Uuid& id) const { return find_by_group_id(groups, id); }
Group* Session::find_group(const Uuid& id) { return find_by_group_id(groups, id); }

std::string first_epoch(TimePoint created_at) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto ms = static_cast<std::uint64_t>(to_unix_ms(created_at));
  std::string out(12, '0');  // 48 bits of ms: past the year 10000
  for (std::size_t i = out.size(); i-- > 0; ms >>= 4) out[i] = kHex[ms & 0xf];
  return "c" + out;
}

}  // namespace sk::domain
