// Builders shared by the engine tests: deterministic ids, a fixed epoch, and
// helpers that unwrap results loudly. Tests drive time by passing `now`; none sleeps.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "domain/commands.h"
#include "engine/engine.h"
#include "engine/live_view.h"

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

}  // namespace sk::engine::testing
