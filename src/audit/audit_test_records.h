// Test-only: realistic AuditRecords, built the way the store builds them (the engine's
// transitions, the encoded event and state, "<session>:<created>:<version>:<n>" ids). Shared by
// the to_row tests and the writers' tests, so every writer is checked against the
// same games. Links sk_engine; never include from a library.
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "domain/audit_record.h"
#include "domain/json.h"
#include "engine/engine.h"

namespace sk::audit::testing {

using domain::AuditRecord;
using domain::Millis;
using domain::Session;
using domain::TimePoint;
using domain::Uuid;

// 2026-01-01T00:00:00.000Z.
inline const TimePoint kT0 = domain::from_unix_ms(1'767'225'600'000);

// Deterministic ids: `kind` tells sessions (0x5e), participants (0xaa) and groups
// (0xbb) apart in failure output.
inline Uuid make_id(std::uint8_t kind, std::uint32_t n) {
  std::array<std::uint8_t, 16> b{};
  b[0] = kind;
  b[6] = 0x40;  // version 4, so the id is a valid UUID for PostgreSQL's uuid type too
  b[8] = 0x80;
  b[12] = static_cast<std::uint8_t>(n >> 24);
  b[13] = static_cast<std::uint8_t>(n >> 16);
  b[14] = static_cast<std::uint8_t>(n >> 8);
  b[15] = static_cast<std::uint8_t>(n);
  return Uuid{b};
}
inline Uuid session_id(std::uint32_t n) { return make_id(0x5e, n); }
inline Uuid participant_id(std::uint32_t n) { return make_id(0xaa, n); }
inline Uuid group_id(std::uint32_t n) { return make_id(0xbb, n); }

template <typename T>
T must(domain::Result<T> r) {
  if (!r.ok()) throw std::runtime_error("unexpected error: " + r.error().message);
  return std::move(r).value();
}

// The records the store appends for one stored transition.
inline std::vector<AuditRecord> records_of(const engine::Transition& t) {
  std::vector<AuditRecord> out;
  const std::string state = domain::encode_stored_session(t.state);
  const std::string prefix = t.state.session_id.to_string() + ":" +
                             std::to_string(domain::to_unix_ms(t.state.created_at)) + ":" +
                             std::to_string(t.state.version) + ":";
  for (std::size_t n = 0; n < t.events.size(); ++n) {
    out.push_back(AuditRecord{prefix + std::to_string(n + 1), t.state.session_id, t.state.version,
                              domain::encode_event(t.events[n]), state});
  }
  return out;
}

// What the store appends when `last` is deleted at `at`.
inline AuditRecord deletion_of(const Session& last, TimePoint at) {
  domain::Event e;
  e.type = domain::EventType::session_deleted;
  e.at = at;
  return AuditRecord{
      last.session_id.to_string() + ":" + std::to_string(domain::to_unix_ms(last.created_at)) +
          ":" + std::to_string(last.version) + ":deleted",
      last.session_id, last.version, domain::encode_event(e), domain::encode_stored_session(last)};
}

// Drives a session through the engine and collects its records.
class Game {
 public:
  Game(const domain::CreateSessionRequest& request, const Uuid& id, TimePoint at = kT0) : now_(at) {
    take(must(engine::create(request, id, at)));
  }

  Game& at(TimePoint now) {
    now_ = now;
    return *this;
  }
  Game& after(Millis d) { return at(now_ + d); }
  Game& apply(const domain::Command& c) {
    take(must(engine::apply(state_, c, now_)));
    return *this;
  }
  Game& remove() {
    records_.push_back(deletion_of(state_, now_));
    return *this;
  }

  const Session& state() const { return state_; }
  const std::vector<AuditRecord>& records() const { return records_; }
  TimePoint now() const { return now_; }

 private:
  void take(engine::Transition t) {
    auto more = records_of(t);
    records_.insert(records_.end(), more.begin(), more.end());
    state_ = std::move(t.state);
  }

  Session state_;
  std::vector<AuditRecord> records_;
  TimePoint now_;
};

inline domain::CreateSessionRequest chess_request(int players = 2, Millis bank = Millis{300'000},
                                                  Millis increment = Millis{2'000}) {
  domain::CreateSessionRequest r;
  r.sync_mode = domain::SyncMode::per_participant;
  for (int i = 0; i < players; ++i) {
    domain::NewParticipant p;
    p.participant_id = participant_id(static_cast<std::uint32_t>(i + 1));
    r.participants.push_back(p);
  }
  r.total_time = bank;
  r.increment = increment;
  r.metadata = R"({"event":"club night","board":3})";
  return r;
}

// A per_participant game with skip that produces session_created, session_started,
// cycle_switched, session_paused, session_resumed, time_adjusted, participant_added,
// participant_removed, participant_expired and session_completed, then is deleted.
inline Game full_game(const Uuid& id) {
  auto request = chess_request(3, Millis{60'000});
  request.action_on_timeout = domain::TimeoutAction::skip;
  Game g(request, id);
  using namespace domain;
  g.after(Millis{10}).apply(StartCommand{});
  g.after(Millis{1'500}).apply(SwitchCommand{});
  g.after(Millis{700}).apply(PauseCommand{});
  g.after(Millis{5'000}).apply(ResumeCommand{});
  g.after(Millis{100}).apply(AdjustTimeCommand{participant_id(1), Millis{-2'500}, "penalty"});
  g.after(Millis{100}).apply(AddParticipantCommand{NewParticipant{participant_id(9), 7, {}, {}}});
  g.after(Millis{100}).apply(RemoveParticipantCommand{participant_id(3)});
  // Let the active player's minute run out: participant_expired, play goes on.
  g.after(Millis{120'000}).apply(SwitchCommand{});
  g.after(Millis{300}).apply(CompleteCommand{});
  g.after(Millis{1'000}).remove();
  return g;
}

}  // namespace sk::audit::testing
