// 50 concurrent switches on one session from 50 connections: every 200 is exactly
// one version step, every other answer is 409 CONFLICT, and nothing acknowledged is
// lost (SessionService never retries a conflicting request; docs/design.md).
#include <atomic>
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

TEST(Concurrency, FiftySwitchesFromFiftyConnections) {
  TestServer server;
  HttpClient http{server.port()};
  const auto id = session_id(300);
  http.post("/v1/sessions", chess_body(id, 600000, 0));
  http.post("/v1/sessions/" + id + "/start");
  WsClient watcher{server.port(), "/ws?sessionId=" + id};
  watcher.next_of_type("STATE_SYNC");

  constexpr int kClients = 50;
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(std::make_unique<HttpClient>(server.port()));
  std::atomic<int> ready{0};
  std::mutex mutex;
  std::vector<std::int64_t> acknowledged;
  int conflicts = 0;
  std::vector<std::string> unexpected;
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < kClients) std::this_thread::yield();
      auto r = clients[static_cast<std::size_t>(i)]->post("/v1/sessions/" + id + "/switch");
      std::lock_guard lock(mutex);
      if (r.status == 200) {
        acknowledged.push_back(r.json()["data"]["version"].i64());
      } else if (r.status == 409 && r.json()["error"]["code"].str() == "CONFLICT") {
        ++conflicts;
      } else {
        unexpected.push_back(std::to_string(r.status) + " " + r.body);
      }
    });
  }
  for (auto& t : threads) t.join();

  EXPECT_TRUE(unexpected.empty()) << unexpected.front();
  EXPECT_EQ(static_cast<int>(acknowledged.size()) + conflicts, kClients);
  ASSERT_FALSE(acknowledged.empty());
  // Each 200 is exactly one version step: distinct, consecutive from 3.
  std::set<std::int64_t> versions(acknowledged.begin(), acknowledged.end());
  EXPECT_EQ(versions.size(), acknowledged.size());
  EXPECT_EQ(*versions.begin(), 3);
  EXPECT_EQ(*versions.rbegin(), 2 + static_cast<std::int64_t>(acknowledged.size()));
  const auto final_state = http.get("/v1/sessions/" + id).json()["data"];
  EXPECT_EQ(final_state["version"].i64(), 2 + static_cast<std::int64_t>(acknowledged.size()));
  std::int64_t cycles = 0;
  for (std::size_t p = 0; p < 2; ++p) cycles += final_state["participants"][p]["cycle_count"].i64();
  EXPECT_EQ(cycles, static_cast<std::int64_t>(acknowledged.size()));  // none lost, none doubled
  std::printf("%zu acknowledged, %d conflicts\n", acknowledged.size(), conflicts);

  // The watcher saw every acknowledged version, in order.
  for (std::int64_t v = 3; v <= *versions.rbegin(); ++v) {
    EXPECT_EQ(watcher.next_of_type("STATE_UPDATE")["state"]["version"].i64(), v);
  }
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
