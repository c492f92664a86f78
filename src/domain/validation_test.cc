// validate_create and validate_new_participant: every bound and mode rule of SPEC §2,
// one named case each, asserting the exact list of {field, message} violations.
#include "domain/validation.h"

#include <algorithm>
#include <array>
#include <functional>
#include <limits>

#include <gtest/gtest.h>

#include "domain/json_test_fixtures.h"
#include "domain/limits.h"

namespace sk::domain {
namespace {

using namespace sk::domain::testing;
using V = std::vector<FieldViolation>;

constexpr const char* kBetweenTimes = "must be between 1000 and 86400000";

Uuid nth_id(std::size_t n) {
  std::array<std::uint8_t, 16> bytes{};
  bytes[0] = 0x42;
  bytes[14] = static_cast<std::uint8_t>(n >> 8);
  bytes[15] = static_cast<std::uint8_t>(n & 0xff);
  return Uuid{bytes};
}

NewParticipant participant(const char* pid, std::optional<const char*> group = std::nullopt) {
  NewParticipant p;
  p.participant_id = id(pid);
  if (group) p.group_id = id(*group);
  return p;
}

// A valid request for each mode; each case breaks one thing.
CreateSessionRequest base(SyncMode mode) {
  CreateSessionRequest r;
  r.sync_mode = mode;
  switch (mode) {
    case SyncMode::per_participant:
      r.participants = {participant(kAlice), participant(kBob)};
      r.total_time = Millis{300'000};
      break;
    case SyncMode::per_cycle:
      r.participants = {participant(kAlice), participant(kBob)};
      r.time_per_cycle = Millis{30'000};
      break;
    case SyncMode::per_group:
      r.participants = {participant(kAlice, kRed), participant(kBob, kRed),
                        participant(kCarol, kBlue)};
      r.total_time = Millis{600'000};
      break;
    case SyncMode::global:
      r.participants = {participant(kAlice), participant(kBob)};
      r.total_time = Millis{3'600'000};
      break;
    case SyncMode::count_up: r.participants = {participant(kAlice), participant(kBob)}; break;
  }
  return r;
}

struct Case {
  const char* name;
  SyncMode mode;
  std::function<void(CreateSessionRequest&)> mutate;
  V expected;
};

class ValidateCreate : public ::testing::TestWithParam<Case> {};

TEST_P(ValidateCreate, ReportsExactlyTheExpectedViolations) {
  const Case& c = GetParam();
  CreateSessionRequest r = base(c.mode);
  c.mutate(r);
  EXPECT_EQ(validate_create(r), c.expected);
}

void nothing(CreateSessionRequest&) {}

TimeControl tc(TimeControlType type, const std::function<void(TimeControl&)>& set = {}) {
  TimeControl c;
  c.type = type;
  if (set) set(c);
  return c;
}

// 90 min for 40 moves, then 30 min, 30 s a move from move 1 (FIDE classical).
TimeControl fide_90_40_30() {
  return tc(TimeControlType::fischer, [](TimeControl& c) {
    c.increment = Millis{30'000};
    c.stages = {Stage{.moves = 40,
                      .add = Millis{5'400'000},
                      .increment = std::nullopt,
                      .delay = std::nullopt},
                Stage{.moves = std::nullopt,
                      .add = Millis{1'800'000},
                      .increment = std::nullopt,
                      .delay = std::nullopt}};
  });
}

const Case kCases[] = {
    // Every base is valid.
    {"ValidPerParticipant", SyncMode::per_participant, nothing, {}},
    {"ValidPerCycle", SyncMode::per_cycle, nothing, {}},
    {"ValidPerGroup", SyncMode::per_group, nothing, {}},
    {"ValidGlobal", SyncMode::global, nothing, {}},
    {"ValidCountUp", SyncMode::count_up, nothing, {}},

    // 1. participants
    {"NoParticipants",
     SyncMode::global,
     [](auto& r) { r.participants.clear(); },
     {{"participants", "must have between 1 and 1000 participants"}}},
    {"ThousandParticipants",
     SyncMode::global,
     [](auto& r) {
       r.participants.clear();
       for (std::size_t i = 0; i < 1000; ++i) r.participants.push_back({nth_id(i), {}, {}, {}});
     },
     {}},
    {"ThousandAndOneParticipants",
     SyncMode::global,
     [](auto& r) {
       r.participants.clear();
       for (std::size_t i = 0; i < 1001; ++i) r.participants.push_back({nth_id(i), {}, {}, {}});
     },
     {{"participants", "must have between 1 and 1000 participants"}}},
    {"DuplicateParticipantId",
     SyncMode::global,
     [](auto& r) { r.participants.push_back(participant(kAlice)); },
     {{"participants.2.participant_id", "duplicate participant_id"}}},
    {"DuplicateParticipantIdReportedOnEachRepeat",
     SyncMode::global,
     [](auto& r) {
       r.participants = {participant(kBob), participant(kAlice), participant(kBob),
                         participant(kBob)};
     },
     {{"participants.2.participant_id", "duplicate participant_id"},
      {"participants.3.participant_id", "duplicate participant_id"}}},
    {"ParticipantIndexNegative",
     SyncMode::global,
     [](auto& r) { r.participants[1].participant_index = -1; },
     {{"participants.1.participant_index", "must be between 0 and 1000000"}}},
    {"ParticipantIndexZeroAndMax",
     SyncMode::global,
     [](auto& r) {
       r.participants[0].participant_index = 0;
       r.participants[1].participant_index = limits::kMaxParticipantIndex;
     },
     {}},
    {"ParticipantIndexAboveMax",
     SyncMode::global,
     [](auto& r) { r.participants[0].participant_index = limits::kMaxParticipantIndex + 1; },
     {{"participants.0.participant_index", "must be between 0 and 1000000"}}},
    {"ParticipantTotal999",
     SyncMode::per_participant,
     [](auto& r) { r.participants[0].total_time = Millis{999}; },
     {{"participants.0.total_time_ms", kBetweenTimes}}},
    {"ParticipantTotalAtBounds",
     SyncMode::per_participant,
     [](auto& r) {
       r.participants[0].total_time = Millis{1000};
       r.participants[1].total_time = Millis{86'400'000};
     },
     {}},
    {"ParticipantTotal86400001",
     SyncMode::per_participant,
     [](auto& r) { r.participants[1].total_time = Millis{86'400'001}; },
     {{"participants.1.total_time_ms", kBetweenTimes}}},
    // The original's clients send participants[].total_time_ms in every mode: accepted
    // (the mode ignores it), still range-checked.
    {"ParticipantTotalInGlobal",
     SyncMode::global,
     [](auto& r) { r.participants[0].total_time = Millis{60'000}; },
     {}},
    {"ParticipantTotalInPerGroup",
     SyncMode::per_group,
     [](auto& r) { r.participants[2].total_time = Millis{60'000}; },
     {}},
    {"ParticipantTotalInPerCycleStillRangeChecked",
     SyncMode::per_cycle,
     [](auto& r) { r.participants[0].total_time = Millis{999}; },
     {{"participants.0.total_time_ms", kBetweenTimes}}},
    {"GroupIdMissingInPerGroup",
     SyncMode::per_group,
     [](auto& r) { r.participants[1].group_id.reset(); },
     {{"participants.1.group_id", "is required in per_group mode"}}},
    {"GroupIdInPerParticipant",
     SyncMode::per_participant,
     [](auto& r) { r.participants[0].group_id = id(kRed); },
     {{"participants.0.group_id", "only allowed in per_group mode"}}},
    {"GroupIdInCountUp",
     SyncMode::count_up,
     [](auto& r) { r.participants[1].group_id = id(kRed); },
     {{"participants.1.group_id", "only allowed in per_group mode"}}},

    // 2. session total_time_ms
    {"SessionTotal999",
     SyncMode::global,
     [](auto& r) { r.total_time = Millis{999}; },
     {{"total_time_ms", kBetweenTimes}}},
    {"SessionTotal1000", SyncMode::global, [](auto& r) { r.total_time = Millis{1000}; }, {}},
    {"SessionTotal86400000",
     SyncMode::global,
     [](auto& r) { r.total_time = Millis{86'400'000}; },
     {}},
    {"SessionTotal86400001",
     SyncMode::global,
     [](auto& r) { r.total_time = Millis{86'400'001}; },
     {{"total_time_ms", kBetweenTimes}}},
    {"SessionTotalInt64Max",
     SyncMode::global,
     [](auto& r) { r.total_time = Millis{std::numeric_limits<std::int64_t>::max()}; },
     {{"total_time_ms", kBetweenTimes}}},
    {"PerParticipantNoBankAnywhere",
     SyncMode::per_participant,
     [](auto& r) { r.total_time.reset(); },
     {{"total_time_ms", "is required unless every participant has its own total_time_ms"}}},
    {"PerParticipantOwnBanksOnly",
     SyncMode::per_participant,
     [](auto& r) {
       r.total_time.reset();
       r.participants[0].total_time = Millis{60'000};
       r.participants[1].total_time = Millis{120'000};
     },
     {}},
    {"PerParticipantOneBankMissing",
     SyncMode::per_participant,
     [](auto& r) {
       r.total_time.reset();
       r.participants[0].total_time = Millis{60'000};
     },
     {{"total_time_ms", "is required unless every participant has its own total_time_ms"}}},
    {"GlobalMissingTotal",
     SyncMode::global,
     [](auto& r) { r.total_time.reset(); },
     {{"total_time_ms", "is required in global mode"}}},
    {"PerGroupMissingTotal",
     SyncMode::per_group,
     [](auto& r) { r.total_time.reset(); },
     {{"total_time_ms", "is required unless every group has its own total_time_ms"}}},
    {"PerGroupEveryGroupHasABank",
     SyncMode::per_group,
     [](auto& r) {
       r.total_time.reset();
       r.groups = {{id(kRed), Millis{60'000}}, {id(kBlue), Millis{90'000}}};
     },
     {}},
    {"PerGroupOneGroupWithoutBank",
     SyncMode::per_group,
     [](auto& r) {
       r.total_time.reset();
       r.groups = {{id(kRed), Millis{60'000}}, {id(kBlue), std::nullopt}};
     },
     {{"total_time_ms", "is required unless every group has its own total_time_ms"}}},
    // Session total_time_ms likewise: accepted where the mode has no session bank.
    {"PerCycleWithTotal", SyncMode::per_cycle, [](auto& r) { r.total_time = Millis{60'000}; }, {}},
    {"CountUpWithTotal", SyncMode::count_up, [](auto& r) { r.total_time = Millis{60'000}; }, {}},
    {"CountUpWithTotalStillRangeChecked",
     SyncMode::count_up,
     [](auto& r) { r.total_time = Millis{86'400'001}; },
     {{"total_time_ms", kBetweenTimes}}},

    // 3. time_per_cycle_ms
    {"PerCycleMissingBudget",
     SyncMode::per_cycle,
     [](auto& r) { r.time_per_cycle.reset(); },
     {{"time_per_cycle_ms", "is required in per_cycle mode"}}},
    {"PerCycleBudget999",
     SyncMode::per_cycle,
     [](auto& r) { r.time_per_cycle = Millis{999}; },
     {{"time_per_cycle_ms", kBetweenTimes}}},
    {"PerCycleBudget86400001",
     SyncMode::per_cycle,
     [](auto& r) { r.time_per_cycle = Millis{86'400'001}; },
     {{"time_per_cycle_ms", kBetweenTimes}}},
    {"BudgetInGlobal",
     SyncMode::global,
     [](auto& r) { r.time_per_cycle = Millis{30'000}; },
     {{"time_per_cycle_ms", "only allowed in per_cycle mode"}}},

    // 4. increment_ms
    {"IncrementNegative",
     SyncMode::per_participant,
     [](auto& r) { r.increment = Millis{-1}; },
     {{"increment_ms", "must be between 0 and 60000"}}},
    {"Increment60000",
     SyncMode::per_participant,
     [](auto& r) { r.increment = Millis{60'000}; },
     {}},
    {"Increment60001",
     SyncMode::per_participant,
     [](auto& r) { r.increment = Millis{60'001}; },
     {{"increment_ms", "must be between 0 and 60000"}}},
    {"IncrementInPerGroup", SyncMode::per_group, [](auto& r) { r.increment = Millis{2'000}; }, {}},
    {"IncrementInGlobal",
     SyncMode::global,
     [](auto& r) { r.increment = Millis{2'000}; },
     {{"increment_ms", "only allowed in per_participant and per_group modes"}}},
    {"IncrementInPerCycle",
     SyncMode::per_cycle,
     [](auto& r) { r.increment = Millis{1}; },
     {{"increment_ms", "only allowed in per_participant and per_group modes"}}},

    // 5. max_time_ms
    {"MaxTimeInCountUp", SyncMode::count_up, [](auto& r) { r.max_time = Millis{86'400'000}; }, {}},
    {"MaxTime999",
     SyncMode::count_up,
     [](auto& r) { r.max_time = Millis{999}; },
     {{"max_time_ms", kBetweenTimes}}},
    {"MaxTimeInGlobal",
     SyncMode::global,
     [](auto& r) { r.max_time = Millis{60'000}; },
     {{"max_time_ms", "only allowed in count_up mode"}}},

    // 6. action_on_timeout
    {"SkipInGlobal",
     SyncMode::global,
     [](auto& r) { r.action_on_timeout = TimeoutAction::skip; },
     {{"action_on_timeout", "skip is not allowed in global mode"}}},
    {"SkipInPerGroup",
     SyncMode::per_group,
     [](auto& r) { r.action_on_timeout = TimeoutAction::skip; },
     {}},
    {"AutoAdvanceInPerParticipant",
     SyncMode::per_participant,
     [](auto& r) { r.action_on_timeout = TimeoutAction::auto_advance; },
     {{"action_on_timeout", "auto_advance is not allowed in per_participant mode"}}},
    {"SkipInPerCycle",
     SyncMode::per_cycle,
     [](auto& r) { r.action_on_timeout = TimeoutAction::skip; },
     {{"action_on_timeout", "skip is not allowed in per_cycle mode"}}},
    {"EndSessionInCountUp",
     SyncMode::count_up,
     [](auto& r) { r.action_on_timeout = TimeoutAction::end_session; },
     {}},

    // 7. groups
    {"GroupsInPerParticipant",
     SyncMode::per_participant,
     [](auto& r) {
       r.groups = {{id(kRed), std::nullopt}};
     },
     {{"groups", "only allowed in per_group mode"}}},
    {"DuplicateGroupId",
     SyncMode::per_group,
     [](auto& r) {
       r.groups = {{id(kRed), std::nullopt}, {id(kBlue), std::nullopt}, {id(kRed), std::nullopt}};
     },
     {{"groups.2.group_id", "duplicate group_id"}}},
    {"GroupTotal999",
     SyncMode::per_group,
     [](auto& r) {
       r.groups = {{id(kRed), Millis{999}}, {id(kBlue), std::nullopt}};
     },
     {{"groups.0.total_time_ms", kBetweenTimes}}},
    {"GroupTotal86400001",
     SyncMode::per_group,
     [](auto& r) {
       r.groups = {{id(kRed), std::nullopt}, {id(kBlue), Millis{86'400'001}}};
     },
     {{"groups.1.total_time_ms", kBetweenTimes}}},
    {"GroupWithoutParticipants",
     SyncMode::per_group,
     [](auto& r) {
       r.groups = {
           {id(kRed), std::nullopt}, {id(kBlue), std::nullopt}, {id(kSessionId), std::nullopt}};
     },
     {{"groups.2.group_id", "has no participants"}}},
    {"ParticipantGroupNotListed",
     SyncMode::per_group,
     [](auto& r) {
       r.groups = {{id(kRed), std::nullopt}};
     },
     {{"participants.2.group_id", "is not listed in groups"}}},

    // 8. metadata
    {"Metadata10240Bytes",
     SyncMode::global,
     [](auto& r) { r.metadata = R"({"k":")" + std::string(10240 - 8, 'x') + R"("})"; },
     {}},
    {"Metadata10241Bytes",
     SyncMode::global,
     [](auto& r) { r.metadata = R"({"k":")" + std::string(10241 - 8, 'x') + R"("})"; },
     {{"metadata", "must be at most 10240 bytes"}}},

    // 9. time_control (SPEC §2 "Time controls"), as built in code: the same rules a
    // body meets, bar the ones only a body shows (json_decode_time_control_test.cc).
    {"FischerInPerParticipant",
     SyncMode::per_participant,
     [](auto& r) { r.time_control = tc(TimeControlType::fischer); },
     {}},
    {"ByoyomiInPerGroup",
     SyncMode::per_group,
     [](auto& r) {
       r.time_control = tc(TimeControlType::byoyomi, [](auto& c) {
         c.periods = 5;
         c.period = Millis{30'000};
       });
     },
     {}},
    {"ControlInGlobal",
     SyncMode::global,
     [](auto& r) { r.time_control = tc(TimeControlType::fischer); },
     {{"time_control", "needs a mode with banks: per_participant or per_group"}}},
    {"ControlInPerCycleIsOneComplaint",
     SyncMode::per_cycle,
     [](auto& r) { r.time_control = tc(TimeControlType::bronstein); },
     {{"time_control", "needs a mode with banks: per_participant or per_group"}}},
    {"HourglassForTwo",
     SyncMode::per_participant,
     [](auto& r) { r.time_control = tc(TimeControlType::hourglass); },
     {}},
    {"HourglassForThree",
     SyncMode::per_participant,
     [](auto& r) {
       r.participants.push_back(participant(kCarol));
       r.time_control = tc(TimeControlType::hourglass);
     },
     {{"time_control.type", "hourglass needs per_participant with exactly 2 participants"}}},
    {"HourglassForTeams",
     SyncMode::per_group,
     [](auto& r) {
       r.participants.pop_back();
       r.participants[1].group_id = id(kBlue);
       r.time_control = tc(TimeControlType::hourglass);
     },
     {{"time_control.type", "hourglass needs per_participant with exactly 2 participants"}}},
    {"ForeignSettingsSetInCode",
     SyncMode::per_participant,
     [](auto& r) {
       r.time_control = tc(TimeControlType::canadian, [](auto& c) {
         c.moves = 25;
         c.period = Millis{600'000};
         c.increment = Millis{1};
         c.delay = Millis{1};
         c.periods = 1;
         c.stages = {Stage{.moves = std::nullopt,
                           .add = Millis{60'000},
                           .increment = std::nullopt,
                           .delay = std::nullopt}};
       });
     },
     {{"time_control.increment_ms", "is not a field of a canadian time control"},
      {"time_control.delay_ms", "is not a field of a canadian time control"},
      {"time_control.periods", "is not a field of a canadian time control"},
      {"time_control.stages", "is not a field of a canadian time control"}}},
    {"HourglassHasNoSettings",
     SyncMode::per_participant,
     [](auto& r) {
       r.time_control = tc(TimeControlType::hourglass, [](auto& c) {
         c.period = Millis{1000};
         c.moves = 3;
       });
     },
     {{"time_control.period_ms", "is not a field of a hourglass time control"},
      {"time_control.moves", "is not a field of a hourglass time control"}}},
    {"BronsteinWithoutDelay",
     SyncMode::per_participant,
     [](auto& r) { r.time_control = tc(TimeControlType::bronstein); },
     {{"time_control.delay_ms", "must be between 1 and 60000"}}},
    {"ByoyomiWithZeroPeriods",
     SyncMode::per_participant,
     [](auto& r) {
       r.time_control = tc(TimeControlType::byoyomi, [](auto& c) { c.period = Millis{30'000}; });
     },
     {{"time_control.periods", "needs at least one period"}}},
    {"CanadianUnset",
     SyncMode::per_participant,
     [](auto& r) { r.time_control = tc(TimeControlType::canadian); },
     {{"time_control.period_ms", kBetweenTimes},
      {"time_control.moves", "must be between 1 and 1000"}}},
    {"IncrementTwiceTheSame",
     SyncMode::per_participant,
     [](auto& r) {
       r.increment = Millis{2'000};
       r.time_control = tc(TimeControlType::fischer, [](auto& c) { c.increment = Millis{2'000}; });
     },
     {}},
    {"IncrementTwiceDifferent",
     SyncMode::per_participant,
     [](auto& r) {
       r.increment = Millis{2'000};
       r.time_control = tc(TimeControlType::fischer, [](auto& c) { c.increment = Millis{3'000}; });
     },
     {{"increment_ms", "conflicts with time_control; set the increment inside it"}}},
    {"IncrementNextToDelay",
     SyncMode::per_group,
     [](auto& r) {
       r.increment = Millis{2'000};
       r.time_control = tc(TimeControlType::delay, [](auto& c) { c.delay = Millis{2'000}; });
     },
     {{"increment_ms", "conflicts with time_control; set the increment inside it"}}},
    {"OutOfRangeIncrementIsOneComplaint",
     SyncMode::per_participant,
     [](auto& r) {
       r.increment = Millis{70'000};
       r.time_control = tc(TimeControlType::fischer);
     },
     {{"increment_ms", "must be between 0 and 60000"}}},
    {"StagesGiveTheBank",
     SyncMode::per_participant,
     [](auto& r) {
       r.total_time.reset();
       r.time_control = fide_90_40_30();
     },
     {}},
    {"StagesGiveTheTeamBanks",
     SyncMode::per_group,
     [](auto& r) {
       r.total_time.reset();
       r.time_control = fide_90_40_30();
     },
     {}},
    {"StagesOfAnotherTypeGiveNoBank",
     SyncMode::per_participant,
     [](auto& r) {
       r.total_time.reset();
       r.time_control = fide_90_40_30();
       r.time_control->type = TimeControlType::hourglass;
       r.time_control->increment = Millis{0};
     },
     {{"total_time_ms", "is required unless every participant has its own total_time_ms"},
      {"time_control.stages", "is not a field of a hourglass time control"}}},
    {"StageRules",
     SyncMode::per_participant,
     [](auto& r) {
       r.time_control = fide_90_40_30();
       auto& st = r.time_control->stages;
       st[0].moves.reset();
       st[0].add = Millis{86'400'001};
       st[0].increment = Millis{1};
       st[0].delay = Millis{1};
       st[1].moves = 10;
       st[1].add = Millis{-1};
       st[1].delay = Millis{5};
     },
     {{"time_control.stages.0.moves", "is required"},
      {"time_control.stages.0.add_ms", kBetweenTimes},
      {"time_control.stages.0.delay_ms", "cannot be combined with increment_ms in one stage"},
      {"time_control.stages.1.moves", "the last stage has no moves"},
      {"time_control.stages.1.add_ms", "must be between 0 and 86400000"},
      {"time_control.stages.1.delay_ms", "only allowed in a bronstein or delay time control"}}},
    {"ElevenStages",
     SyncMode::per_participant,
     [](auto& r) {
       r.time_control = fide_90_40_30();
       r.time_control->stages.resize(11, r.time_control->stages[0]);
     },
     {{"time_control.stages", "must have between 1 and 10 stages"}}},

    // 10. warnings_ms (any mode)
    {"FourWarningsInGlobal",
     SyncMode::global,
     [](auto& r) {
       r.warnings = {Millis{1'000}, Millis{60'000}, Millis{10'000}, Millis{86'400'000}};
     },
     {}},
    {"FiveWarnings",
     SyncMode::count_up,
     [](auto& r) { r.warnings.assign(5, Millis{0}); },
     {{"warnings_ms", "at most 4 thresholds"}}},
    {"WarningBoundsAndRepeats",
     SyncMode::per_cycle,
     [](auto& r) {
       r.warnings = {Millis{999}, Millis{30'000}, Millis{999}, Millis{30'000}};
     },
     {{"warnings_ms.0", kBetweenTimes},
      {"warnings_ms.2", kBetweenTimes},
      {"warnings_ms.3", "duplicate threshold"}}},

    // Everything wrong at once: all reported, session fields first.
    {"AllViolationsAtOnce",
     SyncMode::global,
     [](auto& r) {
       r.total_time = Millis{5};
       r.time_per_cycle = Millis{30'000};
       r.increment = Millis{-5};
       r.max_time = Millis{60'000};
       r.action_on_timeout = TimeoutAction::auto_advance;
       r.participants.push_back(participant(kAlice, kRed));
       r.participants[0].participant_index = -3;
       r.participants[1].total_time = Millis{1};
       r.groups = {{id(kRed), std::nullopt}};
     },
     {{"total_time_ms", kBetweenTimes},
      {"time_per_cycle_ms", "only allowed in per_cycle mode"},
      {"increment_ms", "must be between 0 and 60000"},
      {"max_time_ms", "only allowed in count_up mode"},
      {"action_on_timeout", "auto_advance is not allowed in global mode"},
      {"participants.0.participant_index", "must be between 0 and 1000000"},
      {"participants.1.total_time_ms", kBetweenTimes},
      {"participants.2.participant_id", "duplicate participant_id"},
      {"participants.2.group_id", "only allowed in per_group mode"},
      {"groups", "only allowed in per_group mode"}}},
};

INSTANTIATE_TEST_SUITE_P(Rules, ValidateCreate, ::testing::ValuesIn(kCases),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(ValidateCreate, TooManyGroupsIsReported) {
  CreateSessionRequest r = base(SyncMode::per_group);
  for (std::size_t i = 0; i < 1001; ++i) r.groups.push_back({nth_id(i), std::nullopt});
  const V violations = validate_create(r);
  ASSERT_FALSE(violations.empty());
  EXPECT_EQ(violations.front(),
            (FieldViolation{"participants.0.group_id", "is not listed in groups"}));
  EXPECT_NE(std::find(violations.begin(), violations.end(),
                      FieldViolation{"groups", "must have at most 1000 groups"}),
            violations.end());
}

struct NewParticipantCase {
  const char* name;
  std::optional<SyncMode> mode;
  NewParticipant participant;
  V expected;
};

class ValidateNewParticipant : public ::testing::TestWithParam<NewParticipantCase> {};

TEST_P(ValidateNewParticipant, ReportsExactlyTheExpectedViolations) {
  const auto& c = GetParam();
  V out;
  validate_new_participant(c.participant, c.mode, "p.", out);
  EXPECT_EQ(out, c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, ValidateNewParticipant,
    ::testing::Values(NewParticipantCase{"NoModeAcceptsAnyShape",
                                         std::nullopt,
                                         {id(kAlice), 5, Millis{60'000}, id(kRed)},
                                         {}},
                      NewParticipantCase{"NoModeStillChecksBounds",
                                         std::nullopt,
                                         {id(kAlice), -1, Millis{999}, std::nullopt},
                                         {{"p.participant_index", "must be between 0 and 1000000"},
                                          {"p.total_time_ms", kBetweenTimes}}},
                      NewParticipantCase{"PerGroupNeedsGroup",
                                         SyncMode::per_group,
                                         {id(kAlice), std::nullopt, std::nullopt, std::nullopt},
                                         {{"p.group_id", "is required in per_group mode"}}},
                      NewParticipantCase{"GlobalRefusesGroupButAcceptsBank",
                                         SyncMode::global,
                                         {id(kAlice), std::nullopt, Millis{60'000}, id(kRed)},
                                         {{"p.group_id", "only allowed in per_group mode"}}},
                      NewParticipantCase{"PerParticipantBankInRange",
                                         SyncMode::per_participant,
                                         {id(kAlice), 0, Millis{86'400'000}, std::nullopt},
                                         {}}),
    [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace sk::domain
