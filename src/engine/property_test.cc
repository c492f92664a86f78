// Property tests: long random command sequences (fixed seeds, so failures
// reproduce) in every mode, checking after each step the invariants that must hold
// whatever happens:
//   - time is conserved: booked banks + time used = banks given + increments +
//     adjustments (per_participant, global), and the session's time used is the sum of
//     its participants' (plus those removed);
//   - a successful change is exactly one version step; no change, no step;
//   - at most one active participant, and exactly one while running;
//   - no bank below zero; no time-out left due after a request;
//   - terminal states stay terminal;
//   - a late switch gives the same state as the time-out at the deadline;
//   - the stored JSON decodes back to the same state.
#include <cstdio>
#include <random>

#include <gtest/gtest.h>

#include "domain/json.h"
#include "engine/test_support.h"

namespace sk::engine::testing {
namespace {

using domain::Command;
using domain::EventType;

struct Model {
  std::mt19937_64 rng;
  int next_id = 100;
  Millis removed_used{0};
  Millis expected_conserved{0};  // banks given + increments + adjustments
};

Millis conserved(const Session& s) {
  Millis sum{0};
  if (s.sync_mode == SyncMode::global) return s.total_time + s.time_used;
  for (const auto& p : s.participants) sum += p.total_time + p.time_used;
  return sum;
}

CreateSessionRequest random_request(SyncMode mode, std::mt19937_64& rng) {
  const int n = std::uniform_int_distribution<int>(1, 6)(rng);
  auto r = request(mode, n);
  std::uniform_int_distribution<int> secs(1, 12);
  switch (mode) {
    case SyncMode::per_participant:
      r.total_time = Millis{secs(rng) * 1000};
      r.increment = Millis{std::uniform_int_distribution<int>(0, 3)(rng) * 500};
      r.action_on_timeout = rng() % 2 ? TimeoutAction::skip : TimeoutAction::end_session;
      break;
    case SyncMode::per_cycle: r.time_per_cycle = Millis{secs(rng) * 1000}; break;
    case SyncMode::per_group:
      r.total_time = Millis{secs(rng) * 1000};
      r.increment = Millis{std::uniform_int_distribution<int>(0, 3)(rng) * 500};
      r.action_on_timeout = rng() % 2 ? TimeoutAction::skip : TimeoutAction::end_session;
      for (auto& p : r.participants) p.group_id = gid(static_cast<int>(rng() % 3));
      break;
    case SyncMode::global: r.total_time = Millis{secs(rng) * 1000}; break;
    case SyncMode::count_up:
      if (rng() % 2) r.max_time = Millis{secs(rng) * 1000};
      break;
  }
  return r;
}

Command random_command(const Session& s, Model& m) {
  const auto pick = [&]() -> Uuid {
    if (s.participants.empty() || m.rng() % 8 == 0) return pid(999);  // unknown
    return s.participants[m.rng() % s.participants.size()].participant_id;
  };
  switch (std::uniform_int_distribution<int>(0, 19)(m.rng)) {
    case 0: return domain::StartCommand{};
    case 1: return domain::PauseCommand{};
    case 2: return domain::ResumeCommand{};
    case 3:
      return m.rng() % 8 == 0 ? Command{domain::CompleteCommand{}}
                              : Command{domain::TimeoutCommand{}};
    case 4:
      return m.rng() % 8 == 0 ? Command{domain::CancelCommand{}} : Command{domain::StartCommand{}};
    case 5: {
      domain::AddParticipantCommand c;
      c.participant.participant_id = pid(m.next_id++);
      c.participant.participant_index = static_cast<std::int64_t>(m.rng() % 8);
      if (s.sync_mode == SyncMode::per_group)
        c.participant.group_id = gid(static_cast<int>(m.rng() % 4));
      return c;
    }
    case 6: return domain::RemoveParticipantCommand{pick()};
    case 7: {
      const auto delta = std::uniform_int_distribution<int>(-20, 20)(m.rng) * 500;
      return domain::AdjustTimeCommand{pick(), Millis{delta == 0 ? 1 : delta}, std::nullopt};
    }
    case 8: return domain::TimeoutCommand{};
    default: {
      domain::SwitchCommand c;
      if (m.rng() % 4 == 0) c.next_participant_id = pick();
      if (m.rng() % 4 == 0 && s.active_participant_id)
        c.current_participant_id = s.active_participant_id;
      if (m.rng() % 4 == 0) c.expected_version = s.version - static_cast<std::int64_t>(m.rng() % 2);
      return c;
    }
  }
}

void account(const Session& before, const Transition& t, TimePoint now, Model& m) {
  // Time-outs settled before the command may have booked time already: removals are
  // accounted against the settled state.
  const auto settled = apply(before, domain::TimeoutCommand{}, now);
  const Session& base = settled.ok() && settled->changed ? settled->state : before;
  for (const auto& e : t.events) {
    if (e.type == EventType::time_adjusted) m.expected_conserved += *e.delta;
    if (e.type == EventType::participant_added && before.sync_mode != SyncMode::global) {
      m.expected_conserved += t.state.find_participant(*e.participant_id)->total_time;
    }
    if (e.type == EventType::participant_removed) {
      const auto* gone = base.find_participant(*e.participant_id);
      // What left with it: its booked used time plus any booked just now.
      const Millis used = gone->time_used + e.time_elapsed.value_or(Millis{0});
      m.removed_used += used;
      if (before.sync_mode != SyncMode::global) {
        m.expected_conserved -= used + *e.time_remaining;
      }
    }
    if (e.type == EventType::cycle_switched && before.sync_mode == SyncMode::per_participant) {
      m.expected_conserved += before.increment;
    }
  }
}

void check_invariants(const Session& before, const Transition& t, TimePoint now, Model& m) {
  const Session& s = t.state;
  EXPECT_EQ(s.version, before.version + (t.changed ? 1 : 0));
  if (domain::is_terminal(before.status)) {
    EXPECT_EQ(s.status, before.status);
  }

  int active = 0;
  for (const auto& p : s.participants) {
    active += p.is_active ? 1 : 0;
    if (p.is_active) {
      EXPECT_EQ(s.active_participant_id, p.participant_id);
    }
    if (s.sync_mode != SyncMode::count_up) {
      EXPECT_GE(p.total_time, Millis{0});
    }
    EXPECT_GE(p.time_used, Millis{0});
  }
  EXPECT_LE(active, 1);
  if (s.status == Status::running) {
    EXPECT_EQ(active, 1);
    EXPECT_TRUE(s.cycle_started_at.has_value());
    if (const auto d = deadline(s)) {
      EXPECT_GT(*d, now) << "a time-out was left due";
    }
  } else {
    EXPECT_FALSE(s.cycle_started_at.has_value());
  }
  for (const auto& g : s.groups) EXPECT_GE(g.total_time, Millis{0});

  Millis used{0};
  for (const auto& p : s.participants) used += p.time_used;
  EXPECT_EQ(s.time_used, used + m.removed_used);

  if (s.sync_mode == SyncMode::per_participant || s.sync_mode == SyncMode::global) {
    EXPECT_EQ(conserved(s), m.expected_conserved);
  }

  const auto live = live_view(s, now);
  for (const auto& r : live.participant_remaining) {
    if (r) {
      EXPECT_GE(*r, Millis{0});
    }
  }

  auto decoded = domain::decode_session(domain::encode_stored_session(s));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, s);
}

void check_late_switch(const Session& s) {
  const auto d = deadline(s);
  if (!d) return;
  auto by_timer = apply(s, domain::TimeoutCommand{}, *d);
  auto by_switch = apply(s, domain::SwitchCommand{}, *d + 1234ms);
  ASSERT_TRUE(by_timer.ok());
  ASSERT_TRUE(by_switch.ok());
  // Only when nothing else falls due in the extra 1234 ms can the two agree.
  const auto next = deadline(by_timer->state);
  if (next && *next <= *d + 1234ms) return;
  by_switch->state.updated_at = by_timer->state.updated_at;
  EXPECT_EQ(by_switch->state, by_timer->state);
}

class Property : public ::testing::TestWithParam<SyncMode> {};

TEST_P(Property, RandomCommandSequencesKeepEveryInvariant) {
  const SyncMode mode = GetParam();
  std::size_t applied = 0;
  std::size_t timeouts = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Model m{std::mt19937_64{seed * 7919 + static_cast<std::uint64_t>(mode)}, 100, {}, {}};
    TimePoint now = kT0;
    Session s = created(random_request(mode, m.rng), now);
    m.expected_conserved = conserved(s);
    for (int i = 0; i < 300 && !::testing::Test::HasFailure(); ++i) {
      if (domain::is_terminal(s.status) && m.rng() % 4 == 0) {  // a few probes, then a new game
        s = created(random_request(mode, m.rng), now);
        m.removed_used = Millis{0};
        m.expected_conserved = conserved(s);
      }
      now += Millis{std::uniform_int_distribution<int>(0, 2500)(m.rng)};
      const auto command = random_command(s, m);
      auto result = apply(s, command, now);
      if (!result.ok()) continue;  // errors change nothing: `s` is untouched by design
      ++applied;
      timeouts += result->expiries.size();
      account(s, *result, now, m);
      check_invariants(s, *result, now, m);
      if (i % 10 == 0) check_late_switch(result->state);
      s = std::move(result->state);
    }
  }
  // The generator must really exercise the engine, not bounce off errors.
  EXPECT_GT(applied, 3000u);
  if (mode != SyncMode::count_up) {
    EXPECT_GT(timeouts, 50u);
  }
  std::printf("%s: %zu transitions, %zu time-outs\n", std::string{domain::to_string(mode)}.c_str(),
              applied, timeouts);
}

INSTANTIATE_TEST_SUITE_P(AllModes, Property,
                         ::testing::Values(SyncMode::per_participant, SyncMode::per_cycle,
                                           SyncMode::per_group, SyncMode::global,
                                           SyncMode::count_up),
                         [](const auto& test_param) {
                           return std::string{domain::to_string(test_param.param)};
                         });

}  // namespace
}  // namespace sk::engine::testing
