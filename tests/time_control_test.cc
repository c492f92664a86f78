// Time controls, warnings and scheduled starts through the real server (issue 17):
// REST and WebSocket on loopback against the embedded engine, with short real
// clocks. The rules themselves are pinned in src/engine; here the server must show
// them and detect every deadline with nobody calling.
#include <thread>

#include <gtest/gtest.h>

#include "domain/clock.h"
#include "domain/time.h"
#include "support/bodies.h"
#include "support/http_client.h"
#include "support/test_server.h"
#include "support/ws_client.h"

namespace sk::testing {
namespace {

using namespace std::chrono_literals;

std::int64_t ms_of(const std::string& iso) {
  return domain::to_unix_ms(*domain::parse_iso8601(iso));
}

// A two-player chess clock of `bank_ms` under `control` (a time_control object).
std::string controlled_body(const std::string& id, long bank_ms, const std::string& control,
                            const std::string& extra = "") {
  return fmt::format(
      R"({{"session_id":"{}","sync_mode":"per_participant","total_time_ms":{},)"
      R"("time_control":{},{}"participants":[{{"participant_id":"{}"}},{{"participant_id":"{}"}}]}})",
      id, bank_ms, control, extra, kAlice, kBob);
}

TEST(TimeControlServer, ByoyomiRunsMainTimeThenEveryPeriodAndTimesOutAtTheLastOnesEnd) {
  TestServer server;
  HttpClient http{server.port()};
  const auto id = session_id(1700);
  const auto created =
      http.post("/v1/sessions",
                controlled_body(id, 1000, R"({"type":"byoyomi","periods":2,"period_ms":1000})"));
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto c = created.json()["data"];
  EXPECT_EQ(c["time_control"]["type"].str(), "byoyomi");
  EXPECT_EQ(c["participants"][0]["periods_left"].i64(), 2);
  EXPECT_EQ(c["participants"][0]["in_overtime"].boolean(), false);
  WsClient watcher{server.port(), "/ws?sessionId=" + id};
  watcher.next_of_type("STATE_SYNC");

  const auto started = http.post("/v1/sessions/" + id + "/start").json()["data"];
  const auto begun = ms_of(started["cycle_started_at"].str());
  const auto deadline = ms_of(started["deadline_at"].str());
  EXPECT_EQ(deadline - begun, 3000);  // main time and both periods

  std::this_thread::sleep_for(1400ms);  // in the first period
  const auto mid = http.get("/v1/sessions/" + id).json()["data"];
  const auto& alice = mid["participants"][0];
  EXPECT_TRUE(alice["in_overtime"].boolean());
  EXPECT_EQ(alice["periods_left"].i64(), 2);
  EXPECT_EQ(alice["time_remaining_ms"].i64(), 0);
  EXPECT_EQ(alice["period_remaining_ms"].i64(),
            1000 - (mid["server_time_ms"].i64() - begun - 1000));
  EXPECT_EQ(ms_of(mid["deadline_at"].str()), deadline);

  // Nobody calls anything: the server's timer expires the clock at the true deadline.
  const auto expired = watcher.next_of_type("TIME_EXPIRED", 6s);
  EXPECT_EQ(expired["participant_id"].str(), kAlice);
  EXPECT_EQ(expired["deadline_ms"].i64(), deadline);
  const auto s = http.get("/v1/sessions/" + id).json()["data"];
  EXPECT_EQ(s["status"].str(), "expired");
  EXPECT_EQ(s["participants"][0]["periods_left"].i64(), 0);
  EXPECT_EQ(ms_of(s["session_completed_at"].str()), deadline);
}

TEST(TimeControlServer, ADelayClockDoesNotRunWithinTheDelayAndItsDeadlineIncludesIt) {
  TestServer server;
  HttpClient http{server.port()};
  const auto id = session_id(1701);
  ASSERT_EQ(
      http.post("/v1/sessions", controlled_body(id, 5000, R"({"type":"delay","delay_ms":3000})"))
          .status,
      201u);
  const auto started = http.post("/v1/sessions/" + id + "/start").json()["data"];
  EXPECT_EQ(ms_of(started["deadline_at"].str()) - ms_of(started["cycle_started_at"].str()), 8000);
  EXPECT_EQ(started["participants"][0]["delay_remaining_ms"].i64(), 3000);
  EXPECT_FALSE(started["participants"][1].has("delay_remaining_ms"));  // not on turn

  std::this_thread::sleep_for(300ms);
  const auto mid = http.get("/v1/sessions/" + id).json()["data"];
  EXPECT_EQ(mid["participants"][0]["time_remaining_ms"].i64(), 5000);  // the delay runs first
  EXPECT_LT(mid["participants"][0]["delay_remaining_ms"].i64(), 3000);

  // A move within the delay costs the bank nothing.
  const auto sw = http.post("/v1/sessions/" + id + "/switch");
  ASSERT_EQ(sw.status, 200u) << sw.body;
  const auto moved = sw.json()["data"];
  EXPECT_EQ(moved["participants"][0]["total_time_ms"].i64(), 5000);
  EXPECT_EQ(moved["participants"][1]["delay_remaining_ms"].i64(), 3000);
}

TEST(TimeControlServer, WarningsAreBroadcastOncePerThresholdThenTheTimeOut) {
  TestServer server;
  HttpClient http{server.port()};
  const auto id = session_id(1702);
  auto body = chess_body(id, 2500, 0);
  body.insert(body.size() - 1, R"(,"warnings_ms":[1000,2000])");
  const auto created = http.post("/v1/sessions", body);
  ASSERT_EQ(created.status, 201u) << created.body;
  EXPECT_EQ(created.json()["data"]["warnings_ms"][0].i64(), 2000);  // stored descending
  WsClient watcher{server.port(), "/ws?sessionId=" + id};
  watcher.next_of_type("STATE_SYNC");
  const auto started = http.post("/v1/sessions/" + id + "/start").json()["data"];
  const auto deadline = ms_of(started["deadline_at"].str());

  const auto low = watcher.next_of_type("TIME_WARNING", 5s);
  EXPECT_EQ(low["threshold_ms"].i64(), 2000);
  EXPECT_EQ(low["level"].str(), "low");
  EXPECT_EQ(low["participant_id"].str(), kAlice);
  EXPECT_EQ(low["time_remaining_ms"].i64(), 2000);
  EXPECT_EQ(low["crossed_ms"].i64(), deadline - 2000);
  EXPECT_GE(low["timestamp"].i64(), deadline - 2000);
  const auto critical = watcher.next_of_type("TIME_WARNING", 5s);
  EXPECT_EQ(critical["threshold_ms"].i64(), 1000);
  EXPECT_EQ(critical["level"].str(), "critical");
  const auto expired = watcher.next_of_type("TIME_EXPIRED", 5s);
  EXPECT_EQ(expired["deadline_ms"].i64(), deadline);
  // Nothing more: each threshold once.
  while (auto m = watcher.next(500ms)) {
    EXPECT_EQ(Json::parse(*m)["type"].str(), "STATE_UPDATE") << *m;
  }
}

TEST(TimeControlServer, AScheduledSessionStartsByItselfAtStartAt) {
  TestServer server;
  HttpClient http{server.port()};
  const auto id = session_id(1703);
  const auto at = domain::to_unix_ms(domain::SystemClock{}.wall_now()) + 1500;
  auto body = chess_body(id, 60000, 0);
  body.insert(body.size() - 1,
              fmt::format(R"(,"start_at":"{}")", domain::format_iso8601(domain::from_unix_ms(at))));
  const auto created = http.post("/v1/sessions", body);
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto c = created.json()["data"];
  EXPECT_EQ(c["status"].str(), "pending");
  EXPECT_EQ(ms_of(c["start_at"].str()), at);
  EXPECT_EQ(ms_of(c["deadline_at"].str()), at);  // clients count down to it
  WsClient watcher{server.port(), "/ws?sessionId=" + id};
  watcher.next_of_type("STATE_SYNC");

  const auto update = watcher.next_of_type("STATE_UPDATE", 5s);
  EXPECT_EQ(update["state"]["status"].str(), "running");
  EXPECT_EQ(ms_of(update["state"]["session_started_at"].str()), at);
  EXPECT_EQ(ms_of(update["state"]["cycle_started_at"].str()), at);
  EXPECT_FALSE(update["state"].has("start_at"));
  EXPECT_EQ(update["state"]["active_participant_id"].str(), kAlice);
  EXPECT_EQ(ms_of(update["state"]["deadline_at"].str()), at + 60000);
}

TEST(TimeControlServer, InvalidCombinationsAreRefusedFieldByField) {
  TestServer server;
  HttpClient http{server.port()};
  const auto refused = [&](const std::string& body, const std::string& field) {
    const auto r = http.post("/v1/sessions", body);
    EXPECT_EQ(r.status, 400u) << body;
    EXPECT_NE(r.body.find("\"field\":\"" + field + "\""), std::string::npos) << r.body;
  };
  const auto id = session_id(1704);
  refused(controlled_body(id, 60000, R"({"type":"byoyomi","periods":0,"period_ms":30000})"),
          "time_control.periods");
  refused(controlled_body(id, 60000, R"({"type":"fischer","delay_ms":1000})"),
          "time_control.delay_ms");
  auto three = controlled_body(id, 60000, R"({"type":"hourglass"})");
  three.replace(three.rfind("]}"), 2, R"(,{"participant_id":")" + kCarol + R"("}]})");
  refused(three, "time_control.type");
  auto past = chess_body(id);
  past.insert(past.size() - 1, R"(,"start_at":"2020-01-01T00:00:00.000Z")");
  refused(past, "start_at");
  EXPECT_EQ(http.get("/v1/sessions/" + id).status, 404u);  // nothing was created
}

}  // namespace
}  // namespace sk::testing
