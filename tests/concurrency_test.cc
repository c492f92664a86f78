// Switches racing on one session from many connections (SPEC §2): unguarded ones are
// all applied, one version step each; guarded ones give exactly one 200 per version.
// Nothing acknowledged is lost, and a watcher sees every version in order.
#include <atomic>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "support/bodies.h"
#include "support/http_client.h"
#include "support/test_server.h"
#include "support/ws_client.h"

namespace sk::testing {
namespace {

struct RaceOutcome {
  std::vector<std::int64_t> acknowledged;  // versions of the 200s
  int conflicts = 0;                       // 409 CONFLICT
  std::vector<std::string> unexpected;
};

// `clients` connections each send `body` to /switch once, all released together.
RaceOutcome race_switches(std::uint16_t port, const std::string& id, int clients,
                          const std::function<std::string(int)>& body) {
  std::vector<std::unique_ptr<HttpClient>> connections;
  for (int i = 0; i < clients; ++i) connections.push_back(std::make_unique<HttpClient>(port));
  std::atomic<int> ready{0};
  std::mutex mutex;
  RaceOutcome out;
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] {
      const auto payload = body(i);
      ready.fetch_add(1);
      while (ready.load() < clients) std::this_thread::yield();
      auto r =
          connections[static_cast<std::size_t>(i)]->post("/v1/sessions/" + id + "/switch", payload);
      std::lock_guard lock(mutex);
      if (r.status == 200) {
        out.acknowledged.push_back(r.json()["data"]["version"].i64());
      } else if (r.status == 409 && r.json()["error"]["code"].str() == "CONFLICT") {
        ++out.conflicts;
      } else {
        out.unexpected.push_back(std::to_string(r.status) + " " + r.body);
      }
    });
  }
  for (auto& t : threads) t.join();
  return out;
}

// A running two-player clock: versions 1 (created) and 2 (started).
void start_chess(HttpClient& http, const std::string& id) {
  ASSERT_EQ(http.post("/v1/sessions", chess_body(id, 600000, 0)).status, 201u);
  ASSERT_EQ(http.post("/v1/sessions/" + id + "/start").status, 200u);
}

TEST(Concurrency, ThirtyUnguardedSwitchesAreAllApplied) {
  TestServer server;
  HttpClient http{server.port()};
  const auto id = session_id(300);
  start_chess(http, id);
  WsClient watcher{server.port(), "/ws?sessionId=" + id};
  watcher.next_of_type("STATE_SYNC");

  constexpr int kClients = 30;
  const auto out = race_switches(server.port(), id, kClients, [](int) { return std::string{}; });

  EXPECT_TRUE(out.unexpected.empty()) << out.unexpected.front();
  EXPECT_EQ(out.conflicts, 0) << "an unguarded switch asks for no condition";
  ASSERT_EQ(out.acknowledged.size(), std::size_t{kClients});
  // Each 200 is exactly one version step: distinct, consecutive from 3.
  std::set<std::int64_t> versions(out.acknowledged.begin(), out.acknowledged.end());
  EXPECT_EQ(versions.size(), out.acknowledged.size());
  EXPECT_EQ(*versions.begin(), 3);
  EXPECT_EQ(*versions.rbegin(), 2 + kClients);
  const auto final_state = http.get("/v1/sessions/" + id).json()["data"];
  EXPECT_EQ(final_state["version"].i64(), 2 + kClients);
  std::int64_t cycles = 0;
  for (std::size_t p = 0; p < 2; ++p) cycles += final_state["participants"][p]["cycle_count"].i64();
  EXPECT_EQ(cycles, kClients);  // none lost, none doubled

  // The watcher saw every acknowledged version, in order.
  for (std::int64_t v = 3; v <= 2 + kClients; ++v) {
    EXPECT_EQ(watcher.next_of_type("STATE_UPDATE")["state"]["version"].i64(), v);
  }
}

TEST(Concurrency, GuardedSwitchesRacingGetOneTwoHundredPerVersion) {
  TestServer server;
  HttpClient http{server.port()};
  const auto id = session_id(302);
  start_chess(http, id);

  // A double tap, thirty times over: every one guarded by the version it saw.
  auto out = race_switches(server.port(), id, 30,
                           [](int) { return std::string{R"({"expected_version": 2})"}; });
  EXPECT_TRUE(out.unexpected.empty()) << out.unexpected.front();
  ASSERT_EQ(out.acknowledged.size(), 1u);
  EXPECT_EQ(out.acknowledged.front(), 3);
  EXPECT_EQ(out.conflicts, 29);

  // The same with the participant guard: only the first tap of the player on turn.
  const auto on_turn = http.get("/v1/sessions/" + id).json()["data"]["active_participant_id"].str();
  out = race_switches(server.port(), id, 30,
                      [&](int) { return R"({"current_participant_id": ")" + on_turn + R"("})"; });
  EXPECT_TRUE(out.unexpected.empty()) << out.unexpected.front();
  ASSERT_EQ(out.acknowledged.size(), 1u);
  EXPECT_EQ(out.acknowledged.front(), 4);
  EXPECT_EQ(out.conflicts, 29);
  EXPECT_EQ(http.get("/v1/sessions/" + id).json()["data"]["version"].i64(), 4);
}

TEST(Reconnect, AfterAMissedUpdateTheClientGetsTheLatestState) {
  TestServer server;
  HttpClient http{server.port()};
  const auto id = session_id(301);
  http.post("/v1/sessions", chess_body(id));
  {
    WsClient first{server.port(), "/ws?sessionId=" + id};
    EXPECT_EQ(first.next_of_type("STATE_SYNC")["state"]["version"].i64(), 1);
  }  // disconnected
  http.post("/v1/sessions/" + id + "/start");
  http.post("/v1/sessions/" + id + "/switch");
  WsClient again{server.port(), "/ws?sessionId=" + id};
  again.next_of_type("STATE_SYNC");
  again.send(R"({"type":"RECONNECT","last_version":1})");
  EXPECT_EQ(again.next_of_type("STATE_SYNC")["state"]["version"].i64(), 3);
}

}  // namespace
}  // namespace sk::testing
