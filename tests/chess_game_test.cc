// A full chess game (2 players, Fischer increment) driven over REST while two
// WebSocket watchers check every STATE_UPDATE: versions in order, none missed, and
// each one's clocks consistent with the move that caused it.
#include <thread>

#include <gtest/gtest.h>

#include "support/bodies.h"
#include "support/http_client.h"
#include "support/test_server.h"
#include "support/ws_client.h"

namespace sk::testing {
namespace {

TEST(ChessGame, TwoPlayersTwoWatchersEveryUpdateInOrder) {
  TestServer server;
  HttpClient http{server.port()};
  const auto id = session_id(100);
  const auto base = "/v1/sessions/" + id;
  ASSERT_EQ(http.post("/v1/sessions", chess_body(id, 60000, 1000)).status, 201u);

  WsClient white{server.port(), "/ws?sessionId=" + id};
  WsClient black{server.port(), "/ws?sessionId=" + id};
  for (auto* w : {&white, &black}) {
    EXPECT_EQ(w->next_of_type("CONNECTED")["sessionId"].str(), id);
    EXPECT_EQ(w->next_of_type("STATE_SYNC")["state"]["version"].i64(), 1);
  }

  ASSERT_EQ(http.post(base + "/start").status, 200u);
  constexpr int kMoves = 20;
  std::vector<std::int64_t> banks_after_move;  // bank of the mover after its move
  for (int move = 0; move < kMoves; ++move) {
    std::this_thread::sleep_for(std::chrono::milliseconds{15});
    const auto& mover = move % 2 == 0 ? kAlice : kBob;
    auto r = http.post(base + "/switch", R"({"current_participant_id":")" + mover + R"("})");
    ASSERT_EQ(r.status, 200u) << r.body;
    const auto s = r.json()["data"];
    EXPECT_EQ(s["version"].i64(), 3 + move);
    EXPECT_EQ(s["active_participant_id"].str(), move % 2 == 0 ? kBob : kAlice);
    banks_after_move.push_back(
        s["participants"][static_cast<std::size_t>(move % 2)]["total_time_ms"].i64());
  }
  ASSERT_EQ(http.post(base + "/complete").status, 200u);

  for (auto* w : {&white, &black}) {
    // start (v2), 20 switches (v3..v22), complete (v23): every one, in order.
    for (std::int64_t v = 2; v <= 3 + kMoves; ++v) {
      const auto m = w->next_of_type("STATE_UPDATE");
      const auto state = m["state"];
      ASSERT_EQ(state["version"].i64(), v);
      EXPECT_EQ(m["sessionId"].str(), id);
      if (v >= 3 && v < 3 + kMoves) {
        const auto move = static_cast<std::size_t>(v - 3);
        EXPECT_EQ(state["participants"][move % 2]["total_time_ms"].i64(), banks_after_move[move]);
        // Each move used >= 15 ms and earned the 1 s increment back.
        EXPECT_GT(banks_after_move[move], 60000 - 2000 * static_cast<std::int64_t>(move + 1));
      }
      if (v == 3 + kMoves) {
        EXPECT_EQ(state["status"].str(), "completed");
      }
    }
  }
  // Time conservation over the whole game, per player: bank + used = 60000 + increments.
  const auto final_state = http.get(base).json()["data"];
  for (std::size_t p = 0; p < 2; ++p) {
    const auto part = final_state["participants"][p];
    EXPECT_EQ(part["total_time_ms"].i64() + part["time_used_ms"].i64(),
              60000 + 1000 * part["cycle_count"].i64());
    EXPECT_EQ(part["cycle_count"].i64(), kMoves / 2);
  }
}

}  // namespace
}  // namespace sk::testing
