// Builders shared by the engine tests: deterministic ids, a fixed epoch, and
// helpers that unwrap results loudly. Tests drive time by passing `now`; none sleeps.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "domain/commands.h"
#include "domain/time_control.h"
#include "engine/engine.h"
#include "engine/live_view.h"
#include "engine/time_control_rules.h"

namespace sk::engine::testing {

using namespace std::chrono_literals;
using domain::CreateSessionRequest;
using domain::Millis;
using domain::Session;
using domain::Status;
using domain::SyncMode;
using domain::TimeoutAction;
using domain::TimePoint;
using domain::Uuid;

// 2026-01-01T00:00:00.000Z: an arbitrary, fixed session epoch.
inline const TimePoint kT0 = domain::from_unix_ms(1'767'225'600'000);

// Participant n, group n and session ids that read well in failure messages.
inline Uuid id(std::uint8_t n, std::uint8_t kind = 0xaa) {
  std::array<std::uint8_t, 16> b{};
  b[0] = kind;
  b[15] = n;
  b[14] = static_cast<std::uint8_t>(n >> 8);
  return Uuid{b};
}
inline Uuid pid(int n) {
  std::array<std::uint8_t, 16> b{};
  b[0] = 0xaa;
  b[14] = static_cast<std::uint8_t>(n >> 8);
  b[15] = static_cast<std::uint8_t>(n);
  return Uuid{b};
}
inline Uuid gid(int n) {
  std::array<std::uint8_t, 16> b{};
  b[0] = 0xbb;
  b[15] = static_cast<std::uint8_t>(n);
  return Uuid{b};
}
inline const Uuid kSession = id(1, 0x5e);

inline CreateSessionRequest request(SyncMode mode, int participants) {
  CreateSessionRequest r;
  r.sync_mode = mode;
  for (int i = 0; i < participants; ++i) {
    domain::NewParticipant p;
    p.participant_id = pid(i);
    r.participants.push_back(p);
  }
  return r;
}

inline CreateSessionRequest chess(Millis bank, Millis increment = Millis{0}, int players = 2) {
  auto r = request(SyncMode::per_participant, players);
  r.total_time = bank;
  r.increment = increment;
  return r;
}

template <typename T>
T must(domain::Result<T> r) {
  if (!r.ok()) {
    ADD_FAILURE() << "unexpected error: " << r.error().message;
    throw std::runtime_error("must() on an error: " + r.error().message);
  }
  return std::move(r).value();
}

inline Session created(const CreateSessionRequest& r, TimePoint at = kT0) {
  return must(create(r, kSession, at)).state;
}

inline Transition step(const Session& s, const domain::Command& c, TimePoint now) {
  return must(apply(s, c, now));
}

inline Session started(const CreateSessionRequest& r, TimePoint at = kT0) {
  return step(created(r, at), domain::StartCommand{}, at).state;
}

inline domain::SwitchCommand to(const Uuid& next) {
  domain::SwitchCommand c;
  c.next_participant_id = next;
  return c;
}

inline domain::Error fails(const Session& s, const domain::Command& c, TimePoint now) {
  auto r = apply(s, c, now);
  if (r.ok()) {
    ADD_FAILURE() << "expected an error";
    return domain::Error::internal();
  }
  return r.error();
}

inline const domain::Participant& part(const Session& s, int n) {
  const auto* p = s.find_participant(pid(n));
  if (!p) throw std::runtime_error("no participant " + std::to_string(n));
  return *p;
}

inline Millis remaining(const Session& s, int n, TimePoint now) {
  const auto v = live_view(s, now);
  for (std::size_t i = 0; i < s.participants.size(); ++i) {
    if (s.participants[i].participant_id == pid(n)) return v.participant_remaining[i].value();
  }
  throw std::runtime_error("no participant " + std::to_string(n));
}

inline std::vector<domain::EventType> types(const Transition& t) {
  std::vector<domain::EventType> out;
  for (const auto& e : t.events) out.push_back(e.type);
  return out;
}

// Time controls (SPEC §2), one builder per type, named as the spec names them.
namespace controls {
using domain::TimeControl;
using domain::TimeControlType;
inline TimeControl of_type(TimeControlType type) {
  TimeControl tc;
  tc.type = type;
  return tc;
}
inline TimeControl fischer(Millis increment) {
  auto tc = of_type(TimeControlType::fischer);
  tc.increment = increment;
  return tc;
}
inline TimeControl bronstein(Millis delay) {
  auto tc = of_type(TimeControlType::bronstein);
  tc.delay = delay;
  return tc;
}
inline TimeControl simple_delay(Millis delay) {
  auto tc = of_type(TimeControlType::delay);
  tc.delay = delay;
  return tc;
}
inline TimeControl byoyomi(std::int64_t periods, Millis period, Millis increment = Millis{0}) {
  auto tc = of_type(TimeControlType::byoyomi);
  tc.periods = periods;
  tc.period = period;
  tc.increment = increment;
  return tc;
}
inline TimeControl canadian(std::int64_t moves, Millis period) {
  auto tc = of_type(TimeControlType::canadian);
  tc.moves = moves;
  tc.period = period;
  return tc;
}
inline TimeControl hourglass() { return of_type(TimeControlType::hourglass); }
inline TimeControl with_lag(TimeControl tc) {
  tc.lag_compensation = true;
  return tc;
}
// A stage of `moves` moves (nullopt: the last stage) that adds `add` when reached.
inline domain::Stage stage(std::optional<std::int64_t> moves, Millis add,
                           std::optional<Millis> increment = std::nullopt,
                           std::optional<Millis> delay = std::nullopt) {
  return domain::Stage{moves, add, increment, delay};
}
inline TimeControl with_stages(TimeControl tc, std::vector<domain::Stage> stages) {
  tc.stages = std::move(stages);
  return tc;
}
}  // namespace controls

// A per_participant session on `tc`, every participant starting from `bank` (unless
// the control has stages). A fischer control's increment is mirrored on the request,
// as the JSON decoder does.
inline CreateSessionRequest controlled(const domain::TimeControl& tc, Millis bank,
                                       int players = 2) {
  auto r = chess(bank, Millis{0}, players);
  r.time_control = tc;
  if (tc.type == domain::TimeControlType::fischer) r.increment = tc.increment;
  return r;
}

// The same on per_group teams: A = {0, 2}, B = {1, 3}; A plays first.
inline CreateSessionRequest controlled_teams(const domain::TimeControl& tc, Millis bank) {
  auto r = request(SyncMode::per_group, 4);
  r.total_time = bank;
  for (int i = 0; i < 4; ++i) r.participants[static_cast<std::size_t>(i)].group_id = gid(i % 2);
  r.time_control = tc;
  if (tc.type == domain::TimeControlType::fischer) r.increment = tc.increment;
  return r;
}

// The booked bank and clock participant `n` plays on: its own, or its team's.
inline Millis bank_of(const Session& s, int n) {
  const auto& p = part(s, n);
  if (p.group_id) return s.find_group(*p.group_id)->total_time;
  return p.total_time;
}
inline const domain::OwnerClock& clock_of(const Session& s, int n) {
  const auto& p = part(s, n);
  if (p.group_id) return s.find_group(*p.group_id)->clock;
  return p.clock;
}

// What the live view shows for participant `n`'s bank at `now`: its clock and how long
// it can still run before its flag falls (main bank, delay left, periods).
inline domain::OwnerLive live_clock(const Session& s, int n, TimePoint now) {
  const auto v = live_view(s, now);
  const auto& p = part(s, n);
  if (p.group_id) {
    for (std::size_t g = 0; g < s.groups.size(); ++g) {
      if (s.groups[g].group_id == *p.group_id) return v.group_clocks.at(g);
    }
  }
  for (std::size_t i = 0; i < s.participants.size(); ++i) {
    if (s.participants[i].participant_id == pid(n)) return v.participant_clocks.at(i);
  }
  throw std::runtime_error("no participant " + std::to_string(n));
}
inline Millis to_flag(const Session& s, int n, TimePoint now) {
  return rules::time_to_flag(*s.time_control, remaining(s, n, now), live_clock(s, n, now).clock);
}

// A game played turn by turn from `at`: each call acts `after` the previous one.
struct Game {
  Session s;
  TimePoint now;
  Transition last;

  explicit Game(const CreateSessionRequest& r, TimePoint at = kT0)
      : s(started(r, at)), now(at), last{s, {}, {}, {}, true} {}

  const Transition& act(Millis after, const domain::Command& c) {
    now += after;
    last = step(s, c, now);
    s = last.state;
    return last;
  }
  // The player on turn moves `used` after its turn began (or after the last act).
  const Transition& move(Millis used, std::optional<Millis> lag = std::nullopt) {
    domain::SwitchCommand c;
    c.client_lag = lag;
    return act(used, c);
  }
};

}  // namespace sk::engine::testing
