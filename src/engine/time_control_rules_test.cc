// The per-owner rules of SPEC §2 "Time controls" (engine/time_control_rules.h),
// pinned to their sources: FIDE Laws art. 6 for increment, delay and stages; the
// byo-yomi and Canadian overtime of Go servers and the DGT 3000 (the lag quota is
// in lag_compensation_test.cc).
// Each case plays one owner's turns on the pure rules (run, then move) and checks the
// bank and every field of its clock, so a rule that charges or refills one thing too
// many fails here.
#include <gtest/gtest.h>

#include "engine/test_support.h"

namespace sk::engine::testing {
namespace {

using domain::OwnerClock;
using domain::TimeControl;

// One step of an owner's turn: run `used` of its clock, then (unless `pause`, a
// turn that goes on after a pause) make a move.
struct Turn {
  Millis used;
  bool move = true;
};
Turn paused_after(Millis used) { return {used, false}; }

struct RulesCase {
  const char* name;
  TimeControl control;
  Millis bank;
  std::vector<Turn> turns;
  Millis bank_after;
  OwnerClock clock_after;
  Millis flag_after;  // time_to_flag afterwards (at the start of the next turn)
};

struct Played {
  Millis bank;
  OwnerClock clock;
  std::vector<rules::StageReached> stages;
  std::vector<rules::PeriodUsed> periods;
};

Played play(const TimeControl& tc, Millis given, const std::vector<Turn>& turns) {
  Played p{rules::starting_bank(tc, given), {}, {}, {}};
  p.clock = rules::initial_clock(tc, p.bank);
  for (const auto& turn : turns) {
    rules::run(tc, p.bank, p.clock, turn.used, &p.periods);
    if (!turn.move) continue;
    if (auto stage = rules::move(tc, p.bank, p.clock)) p.stages.push_back(*stage);
  }
  return p;
}

void PrintTo(const RulesCase& c, std::ostream* os) { *os << c.name; }

class Rules : public ::testing::TestWithParam<RulesCase> {};

TEST_P(Rules, TurnsChargeAndRefillAsTheRuleSays) {
  const auto& c = GetParam();
  const auto p = play(c.control, c.bank, c.turns);
  EXPECT_EQ(p.bank, c.bank_after);
  EXPECT_EQ(p.clock, c.clock_after);
  EXPECT_EQ(rules::time_to_flag(c.control, p.bank, p.clock), c.flag_after);
}

std::vector<Turn> repeat(int n, Millis used) { return std::vector<Turn>(std::size_t(n), {used}); }
std::vector<Turn> operator+(std::vector<Turn> a, const std::vector<Turn>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// FIDE 90/40 + 30 min, 30 s a move from move 1.
TimeControl fide_90_40() {
  return controls::with_stages(controls::fischer(30s),
                               {controls::stage(40, 90min), controls::stage(std::nullopt, 30min)});
}

INSTANTIATE_TEST_SUITE_P(
    Fischer, Rules,
    ::testing::Values(
        RulesCase{
            "A10sMoveWith2sIncrement", controls::fischer(2s), 60s, {{10s}}, 52s, {.moves = 1}, 52s},
        RulesCase{"NoIncrementIsSuddenDeath",
                  controls::fischer(0s),
                  60s,
                  {{10s}, {5s}},
                  45s,
                  {.moves = 2},
                  45s},
        // FIDE art. 6: the time is added once the move is made, not during the turn.
        RulesCase{"NothingIsAddedDuringTheTurn",
                  controls::fischer(2s),
                  60s,
                  {paused_after(10s)},
                  50s,
                  {.turn_used = 10s},
                  50s}),
    [](const auto& test_param) { return std::string{test_param.param.name}; });

INSTANTIATE_TEST_SUITE_P(
    Bronstein, Rules,
    ::testing::Values(
        RulesCase{
            "A3sMoveGivesBack3s", controls::bronstein(5s), 60s, {{3s}}, 60s, {.moves = 1}, 60s},
        RulesCase{
            "A7sMoveGivesBack5s", controls::bronstein(5s), 60s, {{7s}}, 58s, {.moves = 1}, 58s},
        RulesCase{"ExactlyTheDelayGivesItAllBack",
                  controls::bronstein(5s),
                  60s,
                  {{5s}},
                  60s,
                  {.moves = 1},
                  60s},
        // Nothing is given back during the turn: the flag falls at B - u = 0.
        RulesCase{"TheRefundComesAfterTheMove",
                  controls::bronstein(5s),
                  60s,
                  {paused_after(3s)},
                  57s,
                  {.turn_used = 3s},
                  57s},
        // A pause splits the turn, not the refund: 3 s + 4 s is one 7 s move.
        RulesCase{"APauseKeepsTheTurnWhole",
                  controls::bronstein(5s),
                  60s,
                  {paused_after(3s), {4s}},
                  58s,
                  {.moves = 1},
                  58s},
        RulesCase{"NeverAboveTheBank",
                  controls::bronstein(5s),
                  60s,
                  repeat(10, 1s),
                  60s,
                  {.moves = 10},
                  60s}),
    [](const auto& test_param) { return std::string{test_param.param.name}; });

INSTANTIATE_TEST_SUITE_P(
    SimpleDelay, Rules,
    ::testing::Values(RulesCase{"WithinTheDelayNothingIsCharged",
                                controls::simple_delay(5s),
                                60s,
                                {{3s}},
                                60s,
                                {.moves = 1},
                                65s},
                      RulesCase{"AfterTheDelayBMinusUMinusDelay",
                                controls::simple_delay(5s),
                                60s,
                                {{8s}},
                                57s,
                                {.moves = 1},
                                62s},
                      // 2 s of the first delay unused: the next turn still has 5 s, not 8 s.
                      RulesCase{"UnusedDelayIsLost",
                                controls::simple_delay(5s),
                                60s,
                                {{2s}, {8s}},
                                57s,
                                {.moves = 2},
                                62s},
                      // Paused 3 s into the turn: 2 s of delay left, then the bank runs.
                      RulesCase{"APauseKeepsWhatIsLeftOfTheDelay",
                                controls::simple_delay(5s),
                                60s,
                                {paused_after(3s)},
                                60s,
                                {.turn_used = 3s},
                                62s},
                      RulesCase{"AfterThePauseTheRestOfTheDelayFirst",
                                controls::simple_delay(5s),
                                60s,
                                {paused_after(3s), {4s}},
                                58s,
                                {.moves = 1},
                                63s},
                      // u >= delay + B: the flag falls.
                      RulesCase{"RunsOutAtDelayPlusBank",
                                controls::simple_delay(5s),
                                60s,
                                {paused_after(65s)},
                                0s,
                                {.turn_used = 65s},
                                0s}),
    [](const auto& test_param) { return std::string{test_param.param.name}; });

INSTANTIATE_TEST_SUITE_P(
    Byoyomi, Rules,
    ::testing::Values(
        RulesCase{"MainTimeFirst",
                  controls::byoyomi(3, 30s),
                  60s,
                  {{50s}},
                  10s,
                  {.periods_left = 3, .period_left = 30s, .moves = 1},
                  10s + 90s},
        // 60 s of main time, then 20 s into the first period: the move resets it.
        RulesCase{"AMove20sIntoAPeriodKeeps3Periods",
                  controls::byoyomi(3, 30s),
                  60s,
                  {{80s}},
                  0s,
                  {.in_overtime = true, .periods_left = 3, .period_left = 30s, .moves = 1},
                  90s},
        // 65 s into overtime: two periods used up, 5 s into the third.
        RulesCase{"65sIntoOvertimeLeaves1PeriodWith25s",
                  controls::byoyomi(3, 30s),
                  60s,
                  {paused_after(125s)},
                  0s,
                  {.turn_used = 125s, .in_overtime = true, .periods_left = 1, .period_left = 25s},
                  25s},
        RulesCase{"AndTheMoveThenResetsThatPeriod",
                  controls::byoyomi(3, 30s),
                  60s,
                  {{125s}},
                  0s,
                  {.in_overtime = true, .periods_left = 1, .period_left = 30s, .moves = 1},
                  30s},
        // Overtime moves within a period keep every period, however many.
        RulesCase{"MovesWithinAPeriodKeepIt",
                  controls::byoyomi(3, 30s),
                  60s,
                  std::vector<Turn>{{60s}} + repeat(20, 29s),
                  0s,
                  {.in_overtime = true, .periods_left = 3, .period_left = 30s, .moves = 21},
                  90s},
        RulesCase{"ThePeriodInProgressCarriesAcrossAPause",
                  controls::byoyomi(3, 30s),
                  0s,
                  {paused_after(10s), {15s}},
                  0s,
                  {.in_overtime = true, .periods_left = 3, .period_left = 30s, .moves = 1},
                  90s},
        RulesCase{"TheLastPeriodRunsOut",
                  controls::byoyomi(3, 30s),
                  60s,
                  {paused_after(150s)},
                  0s,
                  {.turn_used = 150s, .in_overtime = true},
                  0s},
        // The increment applies in main time only.
        RulesCase{"IncrementInMainTime",
                  controls::byoyomi(3, 30s, 5s),
                  60s,
                  {{10s}},
                  55s,
                  {.periods_left = 3, .period_left = 30s, .moves = 1},
                  55s + 90s},
        RulesCase{"NoIncrementInOvertime",
                  controls::byoyomi(3, 30s, 5s),
                  60s,
                  {{10s}, {60s}},
                  0s,
                  {.in_overtime = true, .periods_left = 3, .period_left = 30s, .moves = 2},
                  90s}),
    [](const auto& test_param) { return std::string{test_param.param.name}; });

INSTANTIATE_TEST_SUITE_P(
    Canadian, Rules,
    ::testing::Values(
        RulesCase{"MainTimeMovesDoNotCount",
                  controls::canadian(25, 10min),
                  60s,
                  {{10s}},
                  50s,
                  {.period_left = 10min, .moves_left = 25, .moves = 1},
                  50s + 10min},
        // The move made after main time ran out is the first of the period's 25.
        RulesCase{"TheMoveThatEntersOvertimeCounts",
                  controls::canadian(25, 10min),
                  60s,
                  {{70s}},
                  0s,
                  {.in_overtime = true, .period_left = 9min + 50s, .moves_left = 24, .moves = 1},
                  9min + 50s},
        RulesCase{"The24thMoveLeavesOneToMake",
                  controls::canadian(25, 10min),
                  60s,
                  std::vector<Turn>{{70s}} + repeat(23, 10s),
                  0s,
                  {.in_overtime = true, .period_left = 6min, .moves_left = 1, .moves = 24},
                  6min},
        // ... and the 25th restores 10 min and 25 moves; the 5:50 unused are dropped.
        RulesCase{"The25thMoveRestores10MinAnd25Moves",
                  controls::canadian(25, 10min),
                  60s,
                  std::vector<Turn>{{70s}} + repeat(24, 10s),
                  0s,
                  {.in_overtime = true, .period_left = 10min, .moves_left = 25, .moves = 25},
                  10min},
        RulesCase{"ThePeriodRunsOutFirst",
                  controls::canadian(25, 10min),
                  60s,
                  {{70s}, paused_after(9min + 50s)},
                  0s,
                  {.turn_used = 9min + 50s, .in_overtime = true, .moves_left = 24, .moves = 1},
                  0s}),
    [](const auto& test_param) { return std::string{test_param.param.name}; });

// Stage i's increment/delay applies from the move after stage i is reached; the move
// that completes a stage still gets the old one.
TimeControl bronstein_stages() {
  return controls::with_stages(
      controls::bronstein(5s),
      {controls::stage(2, 10min), controls::stage(std::nullopt, 5min, std::nullopt, 10s)});
}
TimeControl delay_stages() {
  return controls::with_stages(
      controls::simple_delay(2s),
      {controls::stage(1, 60s), controls::stage(std::nullopt, 0s, std::nullopt, 10s)});
}
TimeControl fide_classical() {  // 100 min / 40, 50 min / 20, 15 min, + 30 s
  return controls::with_stages(controls::fischer(30s),
                               {controls::stage(40, 100min), controls::stage(20, 50min),
                                controls::stage(std::nullopt, 15min)});
}
TimeControl stage_increments() {  // 5 min / 2 moves with 1 s, then 1 min with 10 s
  return controls::with_stages(controls::fischer(0s), {controls::stage(2, 5min, 1s),
                                                       controls::stage(std::nullopt, 1min, 10s)});
}

INSTANTIATE_TEST_SUITE_P(
    Stages, Rules,
    ::testing::Values(
        // The given bank (60 s) is replaced by stage 0's add_ms.
        RulesCase{"TheFirstStageIsTheStartingBank", fide_90_40(), 60s, {}, 90min, {}, 90min},
        RulesCase{"39MovesStayInStage0",
                  fide_90_40(),
                  60s,
                  repeat(39, 60s),
                  90min - 39min + 39 * 30s,
                  {.moves = 39},
                  90min - 39min + 39 * 30s},
        // 40 moves of 1 min with 30 s each: 90 - 40 + 20 = 70 min saved, then + 30 min.
        RulesCase{"After40Moves30MinIsAddedSavedTimeKept",
                  fide_90_40(),
                  60s,
                  repeat(40, 60s),
                  100min,
                  {.stage_index = 1, .moves = 40},
                  100min},
        RulesCase{"TheLastStageHasNoEnd",
                  fide_90_40(),
                  60s,
                  repeat(100, 1s),
                  90min + 30min - 100s + 100 * 30s,
                  {.stage_index = 1, .moves = 100},
                  90min + 30min - 100s + 100 * 30s},
        RulesCase{"ThreeStagesFideClassical",
                  fide_classical(),
                  60s,
                  repeat(60, 2min),
                  100min + 50min + 15min - 120min + 30min,
                  {.stage_index = 2, .moves = 60},
                  100min + 50min + 15min - 120min + 30min},
        RulesCase{"EachStageItsOwnIncrement",
                  stage_increments(),
                  60s,
                  repeat(3, 20s),
                  5min + 1min - 60s + 1s + 1s + 10s,
                  {.stage_index = 1, .moves = 3},
                  5min + 1min - 60s + 12s},
        // Moves 1 and 2 get 5 s back, move 3 gets all its 8 s (stage 1: 10 s delay).
        RulesCase{"BronsteinStageDelay",
                  bronstein_stages(),
                  60s,
                  repeat(3, 8s),
                  10min + 5min - 24s + 5s + 5s + 8s,
                  {.stage_index = 1, .moves = 3},
                  15min - 6s},
        // Move 1 is charged 3 s (2 s delay), move 2 nothing (10 s delay from stage 1).
        RulesCase{"SimpleDelayStageDelay",
                  delay_stages(),
                  60s,
                  repeat(2, 5s),
                  57s,
                  {.stage_index = 1, .moves = 2},
                  57s + 10s}),
    [](const auto& test_param) { return std::string{test_param.param.name}; });

TEST(Rules, StageReachedReportsTheStageAndTheTimeAdded) {
  const auto p = play(fide_classical(), 60s, repeat(60, 1s));
  ASSERT_EQ(p.stages.size(), 2u);
  EXPECT_EQ(p.stages[0].stage_index, 1);
  EXPECT_EQ(p.stages[0].added, 50min);
  EXPECT_EQ(p.stages[1].stage_index, 2);
  EXPECT_EQ(p.stages[1].added, 15min);
}

TEST(Rules, ByoyomiReportsEachPeriodUsedAtItsOffset) {
  // 60 s main time, then periods end 90 s, 120 s and 150 s into the turn.
  auto p = play(controls::byoyomi(3, 30s), 60s, {paused_after(125s)});
  ASSERT_EQ(p.periods.size(), 2u);
  EXPECT_EQ(p.periods[0].offset, 90s);
  EXPECT_EQ(p.periods[0].periods_left, 2);
  EXPECT_EQ(p.periods[1].offset, 120s);
  EXPECT_EQ(p.periods[1].periods_left, 1);
  // The offset is counted from the start of this run (after a pause: the resume).
  std::vector<rules::PeriodUsed> more;
  rules::run(controls::byoyomi(3, 30s), p.bank, p.clock, 25s, &more);
  ASSERT_EQ(more.size(), 1u);
  EXPECT_EQ(more[0].offset, 25s);
  EXPECT_EQ(more[0].periods_left, 0);
}

TEST(Rules, RunNeverChargesPastTheFlag) {
  for (const auto& tc :
       {controls::fischer(1s), controls::bronstein(5s), controls::simple_delay(5s),
        controls::byoyomi(2, 10s), controls::canadian(5, 20s), controls::hourglass()}) {
    SCOPED_TRACE(std::string{domain::to_string(tc.type)});
    Millis bank = 10s;
    auto c = rules::initial_clock(tc, bank);
    rules::run(tc, bank, c, 1h, nullptr);
    EXPECT_EQ(bank, 0s);
    EXPECT_GE(c.periods_left, 0);
    EXPECT_GE(c.period_left, 0s);
    EXPECT_EQ(rules::time_to_flag(tc, bank, c), 0s);
  }
}

TEST(Rules, InitialClocks) {
  EXPECT_EQ(rules::initial_clock(controls::fischer(2s), 60s), OwnerClock{});
  EXPECT_EQ(rules::initial_clock(controls::byoyomi(5, 30s), 60s),
            (OwnerClock{.periods_left = 5, .period_left = 30s}));
  EXPECT_EQ(rules::initial_clock(controls::canadian(25, 10min), 60s),
            (OwnerClock{.period_left = 10min, .moves_left = 25}));
  EXPECT_EQ(rules::initial_clock(controls::with_lag(controls::fischer(0s)), 60s),
            (OwnerClock{.lag_quota = 3 * 390ms, .lag_gain = 390ms}));
  EXPECT_EQ(rules::starting_bank(controls::fischer(0s), 42s), 42s);
  EXPECT_EQ(rules::starting_bank(fide_90_40(), 42s), 90min);
}

TEST(Rules, DelayLeftDuringTheTurn) {
  auto c = rules::initial_clock(controls::simple_delay(5s), 60s);
  EXPECT_EQ(rules::delay_left(controls::simple_delay(5s), c), 5s);
  c.turn_used = 3s;
  EXPECT_EQ(rules::delay_left(controls::simple_delay(5s), c), 2s);
  c.turn_used = 9s;
  EXPECT_EQ(rules::delay_left(controls::simple_delay(5s), c), 0s);
  EXPECT_EQ(rules::delay_left(controls::bronstein(5s), c), 0s);
}

}  // namespace
}  // namespace sk::engine::testing
