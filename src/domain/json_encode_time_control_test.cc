// Issue 17 in responses: a session's time_control, warnings_ms and start_at, and each
// owner's live control fields (tc-wire.md "Responses"), per_participant on each
// participant, per_group on each team and mirrored on its members; none of it for a
// session without a control, whose encoding stays byte for byte what it was.
#include <gtest/gtest.h>

#include "domain/json.h"
#include "domain/json_test_fixtures.h"

namespace sk::domain {
namespace {

using namespace sk::domain::testing;

// Text of the object that starts with `"<key>":"<id>"`, up to its closing brace (the
// objects tested here hold no nested object).
std::string object_of(const std::string& json, std::string_view key, std::string_view id) {
  const std::string head = "{\"" + std::string(key) + "\":\"" + std::string(id) + "\"";
  const auto at = json.find(head);
  EXPECT_NE(at, std::string::npos) << head << " in " << json;
  if (at == std::string::npos) return "";
  return json.substr(at, json.find('}', at) - at + 1);
}

OwnerLive live_owner(const OwnerClock& clock, std::optional<std::int64_t> delay_ms = std::nullopt) {
  OwnerLive o;
  o.clock = clock;
  if (delay_ms) o.delay_remaining = Millis{*delay_ms};
  return o;
}

TEST(EncodeTimeControl, ByoyomiPerParticipantGolden) {
  const Session s = byoyomi_running();
  LiveView live = live_for(s, kCreatedMs + 7'204'000);
  live.deadline_at = from_unix_ms(kCreatedMs + 7'286'000);
  live.participant_remaining = {Millis{0}, Millis{120'000}};
  OwnerClock alice = s.participants[0].clock;
  alice.period_left = Millis{22'000};
  live.participant_clocks = {live_owner(alice), live_owner(s.participants[1].clock)};
  const std::string expected =
      R"({"session_id":"11111111-1111-4111-8111-111111111111","sync_mode":"per_participant",)"
      R"("status":"running","version":9,"participants":[)"
      R"({"participant_id":"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa","participant_index":0,)"
      R"("total_time_ms":0,"time_used_ms":3660000,"time_remaining_ms":0,"cycle_count":0,)"
      R"("is_active":true,"has_expired":false,"in_overtime":true,"periods_left":3,)"
      R"("period_remaining_ms":22000,"lag_quota_ms":800},)"
      R"({"participant_id":"bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb","participant_index":1,)"
      R"("total_time_ms":120000,"time_used_ms":3480000,"time_remaining_ms":120000,)"
      R"("cycle_count":60,"is_active":false,"has_expired":false,"in_overtime":false,)"
      R"("periods_left":5,"period_remaining_ms":30000,"lag_quota_ms":3000}],)"
      R"("active_participant_id":"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa","total_time_ms":3600000,)"
      R"("time_per_cycle_ms":null,"increment_ms":0,"action_on_timeout":"end_session",)"
      R"("time_control":{"type":"byoyomi","periods":5,"period_ms":30000,"increment_ms":0,)"
      R"("lag_compensation":true},"warnings_ms":[60000,10000],)"
      R"("cycle_started_at":"2026-11-22T23:25:46.123Z",)"
      R"("session_started_at":"2026-11-22T21:25:47.123Z","session_completed_at":null,)"
      R"("created_at":"2026-11-22T21:25:46.123Z","updated_at":"2026-11-22T23:25:46.123Z",)"
      R"("deadline_at":"2026-11-22T23:27:12.123Z","server_time_ms":1795389950123,)"
      R"("time_used_ms":7140000})";
  EXPECT_EQ(encode_session(s, live), expected);
}

TEST(EncodeTimeControl, TheSwitchResultCarriesTheSameParticipantFields) {
  const Session s = byoyomi_running();
  LiveView live = live_for(s, kCreatedMs + 7'204'000);
  live.participant_clocks = {live_owner(s.participants[0].clock),
                             live_owner(s.participants[1].clock)};
  const std::string json = encode_switch_result(s, live, std::nullopt);
  EXPECT_NE(json.find(R"("is_active":true,"has_expired":false,"in_overtime":true,)"
                      R"("periods_left":3,"period_remaining_ms":26000,"lag_quota_ms":800},)"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("in_overtime":false,"periods_left":5,"period_remaining_ms":30000,)"
                      R"("lag_quota_ms":3000}],"status")"),
            std::string::npos)
      << json;
  // The switch result names no session settings.
  EXPECT_EQ(json.find("time_control"), std::string::npos) << json;
}

TEST(EncodeTimeControl, PerGroupShowsTheTeamClockOnTheTeamAndOnEachMember) {
  const Session s = staged_per_group();
  LiveView live = live_for(s, kCreatedMs + 31'000);
  live.group_clocks = {live_owner(s.groups[0].clock), live_owner(s.groups[1].clock)};
  const std::string json = encode_session(s, live);
  // red: 37 moves made, the first stage ends at move 40.
  const std::string red = R"(,"stage_index":0,"moves_to_next_stage":3,"lag_quota_ms":2500})";
  // blue: in the last stage, which never ends.
  const std::string blue = R"(,"stage_index":1,"lag_quota_ms":7000})";
  EXPECT_TRUE(object_of(json, "group_id", kRed).ends_with(red)) << json;
  EXPECT_TRUE(object_of(json, "group_id", kBlue).ends_with(blue)) << json;
  EXPECT_TRUE(object_of(json, "participant_id", kAlice).ends_with(red)) << json;
  EXPECT_TRUE(object_of(json, "participant_id", kBob).ends_with(red)) << json;
  EXPECT_TRUE(object_of(json, "participant_id", kCarol).ends_with(blue)) << json;
  EXPECT_NE(json.find(R"("action_on_timeout":"skip","time_control":{"type":"fischer",)"
                      R"("increment_ms":2000,"stages":[{"moves":40,"add_ms":5400000},)"
                      R"({"add_ms":1800000,"increment_ms":30000}],"lag_compensation":true},)"
                      R"("cycle_started_at")"),
            std::string::npos)
      << json;

  // The switch response's participants mirror their teams the same way.
  const std::string sw = encode_switch_result(s, live, std::nullopt);
  EXPECT_TRUE(object_of(sw, "participant_id", kCarol).ends_with(blue)) << sw;
  EXPECT_TRUE(object_of(sw, "participant_id", kBob).ends_with(red)) << sw;
}

TEST(EncodeTimeControl, ManyTeamsFindTheirClocksThroughTheIndex) {
  // More teams than the scan handles: each of 12 one-member teams has its own quota.
  Session s = running_per_group();
  s.participants.clear();
  s.groups.clear();
  LiveView live;
  for (std::uint8_t g = 0; g < 12; ++g) {
    std::array<std::uint8_t, 16> bytes{};
    bytes[0] = static_cast<std::uint8_t>(200 - g);  // not in id order
    Group group;
    group.group_id = Uuid{bytes};
    s.groups.push_back(group);
    Participant p;
    bytes[1] = 1;
    p.participant_id = Uuid{bytes};
    p.participant_index = g;
    p.group_id = group.group_id;
    s.participants.push_back(p);
    OwnerClock c;
    c.lag_quota = Millis{100 * g};
    live.group_clocks.push_back(live_owner(c));
  }
  s.active_participant_id.reset();
  s.time_control = TimeControl{};
  s.time_control->lag_compensation = true;
  const std::string json = encode_session(s, live);
  for (std::size_t g = 0; g < 12; ++g) {
    const std::string pid = s.participants[g].participant_id.to_string();
    EXPECT_TRUE(object_of(json, "participant_id", pid)
                    .ends_with(R"(,"lag_quota_ms":)" + std::to_string(100 * g) + "}"))
        << g << ": " << json;
  }
}

TEST(EncodeTimeControl, DelayRemainingOnlyWhereTheLiveViewHasIt) {
  const Session s = bronstein_scheduled();
  LiveView live = live_for(s, kCreatedMs);
  live.participant_clocks = {live_owner(s.participants[0].clock, 3'000),
                             live_owner(s.participants[1].clock)};
  const std::string json = encode_session(s, live);
  EXPECT_TRUE(object_of(json, "participant_id", kAlice)
                  .ends_with(R"("has_expired":false,"delay_remaining_ms":3000})"))
      << json;
  EXPECT_TRUE(object_of(json, "participant_id", kBob).ends_with(R"("has_expired":false})")) << json;
  EXPECT_NE(json.find(R"("action_on_timeout":"end_session",)"
                      R"("time_control":{"type":"bronstein","delay_ms":5000},)"
                      R"("warnings_ms":[30000],"start_at":"2026-11-22T22:25:46.123Z",)"
                      R"("cycle_started_at":null)"),
            std::string::npos)
      << json;
}

TEST(EncodeTimeControl, CanadianShowsThePeriodAndTheMovesDueInIt) {
  Session s = two_player_pending();
  TimeControl tc;
  tc.type = TimeControlType::canadian;
  tc.moves = 25;
  tc.period = Millis{600'000};
  s.time_control = tc;
  LiveView live = live_for(s, kCreatedMs);
  live.participant_clocks = {live_owner(owner_clock(5'000, true, 0, 412'000, 7, 0, 60, 0, 0)),
                             live_owner(owner_clock(0, false, 0, 600'000, 25, 0, 59, 0, 0), 9)};
  const std::string json = encode_session(s, live);
  EXPECT_TRUE(object_of(json, "participant_id", kAlice)
                  .ends_with(R"("has_expired":false,"in_overtime":true,)"
                             R"("period_remaining_ms":412000,"moves_left_in_period":7})"))
      << json;
  // No periods_left, and no delay: a canadian control has neither.
  EXPECT_TRUE(object_of(json, "participant_id", kBob)
                  .ends_with(R"("has_expired":false,"in_overtime":false,)"
                             R"("period_remaining_ms":600000,"moves_left_in_period":25})"))
      << json;
  EXPECT_NE(json.find(R"("time_control":{"type":"canadian","moves":25,"period_ms":600000},)"),
            std::string::npos)
      << json;
}

TEST(EncodeTimeControl, DelayStagesWriteOnlyTheirSetFields) {
  Session s = two_player_pending();
  TimeControl tc;
  tc.type = TimeControlType::delay;
  tc.delay = Millis{10'000};
  tc.stages = {
      Stage{
          .moves = 60, .add = Millis{7'200'000}, .increment = std::nullopt, .delay = std::nullopt},
      Stage{.moves = std::nullopt,
            .add = Millis{0},
            .increment = std::nullopt,
            .delay = Millis{5'000}}};
  s.time_control = tc;
  LiveView live = live_for(s, kCreatedMs);
  live.participant_clocks = {live_owner(owner_clock(0, false, 0, 0, 0, 0, 12, 0, 0), 10'000),
                             live_owner(owner_clock(0, false, 0, 0, 0, 1, 61, 0, 0))};
  const std::string json = encode_session(s, live);
  EXPECT_NE(json.find(R"("time_control":{"type":"delay","delay_ms":10000,"stages":[)"
                      R"({"moves":60,"add_ms":7200000},{"add_ms":0,"delay_ms":5000}]},)"),
            std::string::npos)
      << json;
  EXPECT_TRUE(object_of(json, "participant_id", kAlice)
                  .ends_with(R"(,"delay_remaining_ms":10000,"stage_index":0,)"
                             R"("moves_to_next_stage":48})"))
      << json;
  EXPECT_TRUE(object_of(json, "participant_id", kBob).ends_with(R"(,"stage_index":1})")) << json;
}

TEST(EncodeTimeControl, HourglassWithoutLagCompensationAddsOnlyTheControl) {
  Session s = two_player_pending();
  const LiveView plain = live_for(s, kCreatedMs);
  const std::string before = encode_session(s, plain);
  s.time_control = TimeControl{};
  s.time_control->type = TimeControlType::hourglass;
  LiveView live = plain;
  live.participant_clocks = {live_owner(OwnerClock{}, 5), live_owner(OwnerClock{})};
  const std::string after = encode_session(s, live);
  const std::string control = R"(,"time_control":{"type":"hourglass"})";
  const auto at = after.find(control);
  ASSERT_NE(at, std::string::npos) << after;
  EXPECT_EQ(std::string(after).erase(at, control.size()), before);
}

TEST(EncodeTimeControl, WithoutAControlNothingNewIsWrittenWhateverTheLiveView) {
  for (const Session& s : {two_player_pending(), running_per_group(), paused_per_cycle()}) {
    const LiveView plain = live_for(s, kCreatedMs);
    LiveView busy = plain;
    for (std::size_t i = 0; i < s.participants.size(); ++i) {
      busy.participant_clocks.push_back(live_owner(owner_clock(1, true, 2, 3, 4, 5, 6, 7, 8), 9));
    }
    for (std::size_t i = 0; i < s.groups.size(); ++i) {
      busy.group_clocks.push_back(live_owner(owner_clock(1, true, 2, 3, 4, 5, 6, 7, 8), 9));
    }
    EXPECT_EQ(encode_session(s, busy), encode_session(s, plain));
    EXPECT_EQ(encode_switch_result(s, busy, std::nullopt),
              encode_switch_result(s, plain, std::nullopt));
    const std::string json = encode_session(s, busy);
    for (const char* key : {"time_control", "warnings_ms", "start_at", "in_overtime",
                            "lag_quota_ms", "stage_index", "clock"}) {
      EXPECT_EQ(json.find(key), std::string::npos) << key;
    }
  }
}

TEST(EncodeTimeControl, AShortLiveViewOmitsTheLiveFieldsInsteadOfReadingPastIt) {
  const Session p = byoyomi_running();
  const std::string json = encode_session(p, LiveView{});
  EXPECT_EQ(json.find("in_overtime"), std::string::npos) << json;
  const Session g = staged_per_group();
  LiveView one_team = live_for(g, kCreatedMs);
  one_team.group_clocks = {live_owner(g.groups[0].clock)};
  const std::string teams = encode_session(g, one_team);
  EXPECT_TRUE(object_of(teams, "participant_id", kCarol).ends_with(R"("has_expired":false})"))
      << teams;
  EXPECT_TRUE(object_of(teams, "group_id", kBlue)
                  .ends_with(R"("last_participant_id":"cccccccc-cccc-4ccc-8ccc-cccccccccccc"})"))
      << teams;
}

TEST(EncodeTimeControl, ResponsesNeverCarryTheStoredClock) {
  const Session s = byoyomi_running();
  LiveView live = live_for(s, kCreatedMs);
  live.participant_clocks = {live_owner(s.participants[0].clock),
                             live_owner(s.participants[1].clock)};
  EXPECT_EQ(encode_session(s, live).find("\"clock\""), std::string::npos);
  EXPECT_EQ(encode_session(s, live).find("warnings_passed"), std::string::npos);
}

}  // namespace
}  // namespace sk::domain
