// Property tests of the time controls: long random command sequences (fixed seeds,
// so failures reproduce) for each control, on per_participant and per_group banks,
// with random stages, lag claims and warnings_ms. After every step:
//   - hourglass conserves the sum of both banks, booked and in the live view at any
//     later instant (only arbiter adjustments change it);
//   - no bank, period, move count, delay or lag quota is ever negative (nor a quota
//     above 7 × gain), and the live view never shows a negative clock;
//   - deadline() is the first instant the live view's time to flag reaches zero: it
//     shows deadline − t at t, 1 ms at deadline − 1, and 0 from the deadline on;
//   - nothing the deadline machinery has due (start_at, warnings, time-outs) is left undone after a
//   request, and a
//     TimeoutCommand 1 ms before next_wakeup() changes nothing;
//   - a switch at or after the deadline gives exactly what apply(TimeoutCommand) does
//     at that instant (state, events, expiries, warnings);
//   - one version step per change, at most one active participant.
#include <cstdio>
#include <random>

#include <gtest/gtest.h>

#include "engine/clock.h"
#include "engine/test_support.h"

namespace sk::engine::testing {
namespace {

using domain::Command;
using domain::EventType;
using domain::TimeControl;
using domain::TimeControlType;

int uniform(std::mt19937_64& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}
Millis ms(int n) { return Millis{n}; }

std::vector<domain::Stage> random_stages(TimeControlType type, std::mt19937_64& rng) {
  std::vector<domain::Stage> stages;
  const int n = uniform(rng, 1, 3);
  for (int i = 0; i < n; ++i) {
    const bool last = i == n - 1;
    const Millis add = ms(i == 0 ? uniform(rng, 2, 10) * 1000 : uniform(rng, 0, 5) * 1000);
    std::optional<Millis> extra;
    if (i > 0 && rng() % 2) extra = ms(uniform(rng, 0, 4) * 500);
    stages.push_back(
        controls::stage(last ? std::nullopt : std::optional<std::int64_t>{uniform(rng, 1, 4)}, add,
                        type == TimeControlType::fischer ? extra : std::nullopt,
                        type == TimeControlType::fischer ? std::nullopt : extra));
  }
  return stages;
}

TimeControl random_control(TimeControlType type, std::mt19937_64& rng) {
  TimeControl tc;
  switch (type) {
    case TimeControlType::fischer: tc = controls::fischer(ms(uniform(rng, 0, 3) * 500)); break;
    case TimeControlType::bronstein: tc = controls::bronstein(ms(uniform(rng, 1, 6) * 500)); break;
    case TimeControlType::delay: tc = controls::simple_delay(ms(uniform(rng, 1, 6) * 500)); break;
    case TimeControlType::byoyomi:
      tc = controls::byoyomi(uniform(rng, 1, 3), ms(uniform(rng, 1, 4) * 1000),
                             ms(uniform(rng, 0, 1) * 500));
      break;
    case TimeControlType::canadian:
      tc = controls::canadian(uniform(rng, 1, 4), ms(uniform(rng, 2, 6) * 1000));
      break;
    case TimeControlType::hourglass: tc = controls::hourglass(); break;
  }
  const bool stages_allowed = type == TimeControlType::fischer ||
                              type == TimeControlType::bronstein || type == TimeControlType::delay;
  if (stages_allowed && rng() % 2) tc.stages = random_stages(type, rng);
  tc.lag_compensation = rng() % 2 == 0;
  return tc;
}

CreateSessionRequest random_request(TimeControlType type, std::mt19937_64& rng, TimePoint now) {
  const auto tc = random_control(type, rng);
  const Millis bank = ms(uniform(rng, 1, 12) * 1000);
  auto r = type == TimeControlType::hourglass || rng() % 2
               ? controlled(tc, bank, type == TimeControlType::hourglass ? 2 : uniform(rng, 1, 5))
               : controlled_teams(tc, bank);
  if (r.sync_mode == SyncMode::per_group) {
    for (auto& p : r.participants) p.group_id = gid(static_cast<int>(rng() % 3));
  }
  r.action_on_timeout = rng() % 2 ? TimeoutAction::skip : TimeoutAction::end_session;
  if (rng() % 4 == 0) r.start_at = now + ms(uniform(rng, 1, 5000));
  if (rng() % 2) {
    r.warnings.push_back(ms(uniform(rng, 3, 6) * 1000));
    if (rng() % 2) r.warnings.push_back(ms(uniform(rng, 1, 2) * 1000));
  }
  return r;
}

struct Model {
  std::mt19937_64 rng;
  int next_id = 100;
  Millis removed_used{0};
  Millis hourglass_sum{0};  // both banks: changed only by adjustments
};

Command random_command(const Session& s, Model& m) {
  const auto pick = [&]() -> Uuid {
    if (s.participants.empty() || m.rng() % 8 == 0) return pid(999);  // unknown
    return s.participants[m.rng() % s.participants.size()].participant_id;
  };
  switch (uniform(m.rng, 0, 19)) {
    case 0: return domain::StartCommand{};
    case 1: return domain::PauseCommand{};
    case 2: return domain::ResumeCommand{};
    case 3:
      return m.rng() % 10 == 0 ? Command{domain::CompleteCommand{}}
                               : Command{domain::TimeoutCommand{}};
    case 4:
      return m.rng() % 10 == 0 ? Command{domain::CancelCommand{}} : Command{domain::StartCommand{}};
    case 5: {
      domain::AddParticipantCommand c;
      c.participant.participant_id = pid(m.next_id++);
      c.participant.participant_index = static_cast<std::int64_t>(m.rng() % 8);
      if (s.sync_mode == SyncMode::per_group) c.participant.group_id = gid(uniform(m.rng, 0, 3));
      return c;
    }
    case 6:
      if (m.rng() % 3) return domain::TimeoutCommand{};  // removals: rarer, they end games
      return domain::RemoveParticipantCommand{pick()};
    case 7: {
      const auto delta = uniform(m.rng, -20, 20) * 500;
      return domain::AdjustTimeCommand{pick(), ms(delta == 0 ? 1 : delta), std::nullopt};
    }
    case 8: return domain::TimeoutCommand{};
    default: {
      domain::SwitchCommand c;
      if (m.rng() % 4 == 0) c.next_participant_id = pick();
      if (m.rng() % 2 == 0) c.client_lag = ms(uniform(m.rng, 0, 3000));
      return c;
    }
  }
}

Millis booked_sum(const Session& s) {
  Millis sum{0};
  for (const auto& p : s.participants) sum += p.total_time;
  return sum;
}

void check_clock(const TimeControl& tc, Millis bank, const domain::OwnerClock& c) {
  EXPECT_GE(bank, 0ms);
  EXPECT_GE(c.turn_used, 0ms);
  EXPECT_GE(c.periods_left, 0);
  EXPECT_LE(c.periods_left, tc.periods);
  EXPECT_GE(c.period_left, 0ms);
  EXPECT_LE(c.period_left, tc.period);
  EXPECT_GE(c.moves_left, 0);
  EXPECT_LE(c.moves_left, tc.moves);
  EXPECT_GE(c.lag_quota, 0ms);
  EXPECT_LE(c.lag_quota, 7 * c.lag_gain);
  EXPECT_GE(c.stage_index, 0);
  EXPECT_LE(c.stage_index, std::max<std::int64_t>(0, std::ssize(tc.stages) - 1));
}

// The running owner's time to flag as the live view shows it at `at`.
Millis live_to_flag(const Session& s, TimePoint at) {
  const auto i = clock::active_index(s).value();
  const auto v = live_view(s, at);
  const auto& tc = *s.time_control;
  if (s.sync_mode == SyncMode::per_group) {
    const auto* g = clock::group_of(s, i);
    const auto pos = static_cast<std::size_t>(g - s.groups.data());
    return rules::time_to_flag(tc, v.group_remaining.at(pos), v.group_clocks.at(pos).clock);
  }
  return rules::time_to_flag(tc, v.participant_remaining.at(i).value(),
                             v.participant_clocks.at(i).clock);
}

void check_live(const Session& s, TimePoint at, Model& m) {
  const auto v = live_view(s, at);
  for (const auto& r : v.participant_remaining) {
    EXPECT_GE(r.value(), 0ms);
  }
  for (const auto& r : v.group_remaining) EXPECT_GE(r, 0ms);
  for (std::size_t i = 0; i < v.participant_clocks.size(); ++i) {
    check_clock(*s.time_control, *v.participant_remaining[i], v.participant_clocks[i].clock);
  }
  for (std::size_t g = 0; g < v.group_clocks.size(); ++g) {
    check_clock(*s.time_control, v.group_remaining[g], v.group_clocks[g].clock);
  }
  if (s.time_control->type == TimeControlType::hourglass && s.participants.size() == 2) {
    EXPECT_EQ(v.participant_remaining[0].value() + v.participant_remaining[1].value(),
              m.hourglass_sum);
  }
}

void account(const Transition& t, Model& m) {
  for (const auto& e : t.events) {
    if (e.type == EventType::time_adjusted) m.hourglass_sum += *e.delta;
  }
}

void check_invariants(const Session& before, const Transition& t, TimePoint now, Model& m) {
  const Session& s = t.state;
  EXPECT_EQ(s.version, before.version + (t.changed ? 1 : 0));
  if (domain::is_terminal(before.status)) {
    EXPECT_EQ(s.status, before.status);
  }
  int active = 0;
  for (const auto& p : s.participants) active += p.is_active ? 1 : 0;
  EXPECT_LE(active, 1);
  if (s.status == Status::running) {
    EXPECT_EQ(active, 1);
  }
  if (s.status == Status::pending || domain::is_terminal(s.status)) {
    EXPECT_EQ(active, 0);
  }

  const auto& tc = *s.time_control;
  if (s.sync_mode == SyncMode::per_group) {
    for (const auto& g : s.groups) check_clock(tc, g.total_time, g.clock);
  } else {
    for (const auto& p : s.participants) check_clock(tc, p.total_time, p.clock);
  }
  Millis used{0};
  for (const auto& p : s.participants) used += p.time_used;
  EXPECT_EQ(s.time_used, used + m.removed_used);

  if (tc.type == TimeControlType::hourglass && s.participants.size() == 2) {
    EXPECT_EQ(booked_sum(s), m.hourglass_sum);
  }
  for (const Millis later : {Millis{0}, Millis{1}, Millis{777}, Millis{5000}, Millis{3600000}}) {
    check_live(s, now + later, m);
  }

  if (const auto wake = next_wakeup(s)) {
    EXPECT_GT(*wake, now) << "something due was left undone";
    const auto early = apply(s, domain::TimeoutCommand{}, *wake - 1ms);
    ASSERT_TRUE(early.ok());
    EXPECT_FALSE(early->changed);
  }
  if (s.status != Status::running) return;
  const auto due = deadline(s).value();
  EXPECT_GT(due, now);
  // The deadline is the first instant the live view's time to flag reaches zero.
  EXPECT_EQ(live_to_flag(s, now), due - now);
  EXPECT_EQ(live_to_flag(s, due - 1ms), 1ms);
  EXPECT_EQ(live_to_flag(s, due), 0ms);
  EXPECT_EQ(live_to_flag(s, due + 3s), 0ms);
}

void check_late_switch(const Session& s, Model& m) {
  const auto due = deadline(s);
  if (s.status != Status::running || !due) return;
  for (const Millis late : {0ms, ms(uniform(m.rng, 1, 4000))}) {
    domain::SwitchCommand sw;
    sw.client_lag = ms(uniform(m.rng, 0, 5000));
    const auto by_switch = apply(s, sw, *due + late);
    const auto by_timer = apply(s, domain::TimeoutCommand{}, *due + late);
    ASSERT_TRUE(by_switch.ok()) << by_switch.error().message;
    ASSERT_TRUE(by_timer.ok());
    EXPECT_EQ(by_switch->state, by_timer->state);
    EXPECT_EQ(by_switch->events, by_timer->events);
    EXPECT_EQ(by_switch->expiries, by_timer->expiries);
    EXPECT_EQ(by_switch->warnings, by_timer->warnings);
    EXPECT_FALSE(by_timer->expiries.empty());
  }
}

struct Stats {
  std::size_t applied = 0;
  std::size_t timeouts = 0;
  std::size_t warnings = 0;
  std::size_t moves = 0;
};

class TimeControlProperty : public ::testing::TestWithParam<TimeControlType> {};

TEST_P(TimeControlProperty, RandomCommandSequencesKeepEveryInvariant) {
  const auto type = GetParam();
  Stats stats;
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Model m{std::mt19937_64{seed * 104729 + static_cast<std::uint64_t>(type)}, 100, {}, {}};
    TimePoint now = kT0;
    const auto fresh = [&] {
      auto s = created(random_request(type, m.rng, now), now);
      m.removed_used = 0ms;
      m.hourglass_sum = booked_sum(s);
      return s;
    };
    Session s = fresh();
    for (int i = 0; i < 300 && !::testing::Test::HasFailure(); ++i) {
      if (domain::is_terminal(s.status) && m.rng() % 4 == 0) s = fresh();
      now += ms(uniform(m.rng, 0, 2500));
      const auto command = random_command(s, m);
      auto result = apply(s, command, now);
      if (!result.ok()) continue;  // errors change nothing
      ++stats.applied;
      stats.timeouts += result->expiries.size();
      stats.warnings += result->warnings.size();
      for (const auto& e : result->events) {
        if (e.type == EventType::cycle_switched) ++stats.moves;
        if (e.type == EventType::participant_removed) {
          // What left with it: its time used as of the settled state, plus any booked
          // by the removal itself.
          const auto settled = apply(s, domain::TimeoutCommand{}, now);
          const auto* gone = settled->state.find_participant(*e.participant_id);
          m.removed_used += gone->time_used + e.time_elapsed.value_or(0ms);
        }
      }
      account(*result, m);
      check_invariants(s, *result, now, m);
      if (i % 5 == 0) check_late_switch(result->state, m);
      s = std::move(result->state);
    }
  }
  // The generator must really exercise the rules, not bounce off errors.
  EXPECT_GT(stats.applied, 3000u);
  EXPECT_GT(stats.moves, 1000u);
  EXPECT_GT(stats.timeouts, 100u);
  EXPECT_GT(stats.warnings, 50u);
  std::printf("%s: %zu transitions, %zu moves, %zu time-outs, %zu warnings\n",
              std::string{domain::to_string(type)}.c_str(), stats.applied, stats.moves,
              stats.timeouts, stats.warnings);
}

INSTANTIATE_TEST_SUITE_P(EveryControl, TimeControlProperty,
                         ::testing::Values(TimeControlType::fischer, TimeControlType::bronstein,
                                           TimeControlType::delay, TimeControlType::byoyomi,
                                           TimeControlType::canadian, TimeControlType::hourglass),
                         [](const auto& test_param) {
                           return std::string{domain::to_string(test_param.param)};
                         });

}  // namespace
}  // namespace sk::engine::testing
