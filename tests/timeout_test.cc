// Server-side time-outs with nobody calling anything, and pause/resume accuracy,
// with real short clocks (the validation minimum is 1000 ms).
#include <thread>

#include <gtest/gtest.h>

#include "support/bodies.h"
#include "support/http_client.h"
#include "support/test_server.h"
#include "support/ws_client.h"

namespace sk::testing {
namespace {

std::int64_t ms_of(const std::string& iso) {
  return domain::to_unix_ms(*domain::parse_iso8601(iso));
}

TEST(ServerTimeout, FiresAtTheDeadlineAndBroadcastsTimeExpired) {
  TestServer server;
  HttpClient http{server.port()};
  const auto id = session_id(200);
  ASSERT_EQ(http.post("/v1/sessions", chess_body(id, 1000, 0)).status, 201u);
  WsClient watcher{server.port(), "/ws?sessionId=" + id};
  watcher.next_of_type("STATE_SYNC");

  const auto started = http.post("/v1/sessions/" + id + "/start").json()["data"];
  const auto deadline = ms_of(started["deadline_at"].str());
  EXPECT_EQ(deadline - ms_of(started["cycle_started_at"].str()), 1000);

  // Nobody calls anything: the server's timer expires the session.
  const auto update = watcher.next_of_type("STATE_UPDATE");  // the start
  EXPECT_EQ(update["state"]["status"].str(), "running");
  const auto expired_update = watcher.next_of_type("STATE_UPDATE", std::chrono::seconds{5});
  const auto expired = watcher.next_of_type("TIME_EXPIRED");
  EXPECT_EQ(expired_update["state"]["status"].str(), "expired");
  EXPECT_EQ(expired_update["state"]["participants"][0]["has_expired"].boolean(), true);
  EXPECT_EQ(expired_update["state"]["participants"][0]["time_remaining_ms"].i64(), 0);
  EXPECT_EQ(expired["participant_id"].str(), kAlice);
  EXPECT_EQ(expired["action"].str(), "end_session");
  // Booked at the deadline exactly; sent shortly after it.
  EXPECT_EQ(ms_of(expired_update["state"]["session_completed_at"].str()), deadline);
  const auto lag = expired["timestamp"].i64() - deadline;
  EXPECT_GE(lag, 0);
  std::printf("time-out applied %lld ms after its deadline\n", static_cast<long long>(lag));
  EXPECT_LT(lag, 1000);  // generous: a loaded CI machine; the metric records the real lag

  const auto s = http.get("/v1/sessions/" + id).json()["data"];
  EXPECT_EQ(s["status"].str(), "expired");
  EXPECT_NE(http.get("/metrics").body.find("synckairos_timeouts_fired_total 1"), std::string::npos);
}

TEST(ServerTimeout, PerCycleAutoAdvanceKeepsGoing) {
  TestServer server;
  HttpClient http{server.port()};
  const auto id = session_id(201);
  auto r = http.post(
      "/v1/sessions",
      R"({"session_id":")" + id +
          R"(","sync_mode":"per_cycle","time_per_cycle_ms":1000,"participants":[{"participant_id":")" +
          kAlice + R"("},{"participant_id":")" + kBob + R"("}]})");
  ASSERT_EQ(r.status, 201u) << r.body;
  WsClient watcher{server.port(), "/ws?sessionId=" + id};
  http.post("/v1/sessions/" + id + "/start");
  const auto first = watcher.next_of_type("TIME_EXPIRED", std::chrono::seconds{5});
  const auto second = watcher.next_of_type("TIME_EXPIRED", std::chrono::seconds{5});
  EXPECT_EQ(first["participant_id"].str(), kAlice);
  EXPECT_EQ(second["participant_id"].str(), kBob);
  EXPECT_EQ(first["action"].str(), "auto_advance");
  EXPECT_EQ(second["deadline_ms"].i64() - first["deadline_ms"].i64(), 1000);
  const auto s = http.get("/v1/sessions/" + id).json()["data"];
  EXPECT_EQ(s["status"].str(), "running");
  EXPECT_GE(s["version"].i64(), 4);
}

TEST(ServerTimeout, PauseAndResumeBookExactly) {
  TestServer server;
  HttpClient http{server.port()};
  const auto id = session_id(202);
  const auto base = "/v1/sessions/" + id;
  http.post("/v1/sessions", chess_body(id, 10000, 0));
  const auto started = http.post(base + "/start").json()["data"];
  std::this_thread::sleep_for(std::chrono::milliseconds{300});
  const auto paused = http.post(base + "/pause").json()["data"];
  // The bank booked at pause equals the bank minus exactly the time between the
  // start's cycle_started_at and the pause's own server time.
  const auto used = paused["participants"][0]["time_used_ms"].i64();
  EXPECT_EQ(paused["participants"][0]["total_time_ms"].i64(), 10000 - used);
  EXPECT_EQ(used, paused["server_time_ms"].i64() - ms_of(started["cycle_started_at"].str()));
  EXPECT_GE(used, 300);
  EXPECT_TRUE(paused["deadline_at"].is_null());

  std::this_thread::sleep_for(std::chrono::milliseconds{300});
  const auto still = http.get(base).json()["data"];
  EXPECT_EQ(still["participants"][0]["time_remaining_ms"].i64(), 10000 - used);  // frozen
  const auto resumed = http.post(base + "/resume").json()["data"];
  EXPECT_EQ(ms_of(resumed["deadline_at"].str()) - ms_of(resumed["cycle_started_at"].str()),
            10000 - used);
}

}  // namespace
}  // namespace sk::testing
