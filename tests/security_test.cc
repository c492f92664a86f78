// Auth and rate limits end to end (issue 14): the real binary with JWT_SECRET, real
// HTTP and WebSocket clients over loopback. Forged, expired and wrong-session tokens
// are refused on REST and WebSocket; a participant cannot act off its turn; an open
// socket closes when its token expires unless renewed with AUTH; and a rate limit
// holds across two instances sharing one Redis.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "server/auth/token_minter.h"
#include "store/redis/redis_server_fixture.h"
#include "support/instance.h"
#include "support/ws_client.h"

namespace sk::testing {
namespace {

using boost::beast::http::field;
using boost::beast::http::verb;
namespace auth = server::auth;

const std::string kSecret = "security-test-secret-0123456789abcdef";
const std::string kAlice = "a11ce000-0000-4000-8000-000000000001";
const std::string kBob = "b0b00000-0000-4000-8000-000000000002";

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string token(auth::Role role, std::vector<std::string> sessions, std::string sub,
                  std::int64_t ttl_s = 600, const std::string& secret = kSecret) {
  auth::Claims c;
  c.sub = std::move(sub);
  c.role = role;
  c.sessions = std::move(sessions);
  c.exp = now_s() + ttl_s;
  return auth::mint_hs256(c, secret);
}

HttpResponse as(const Instance& i, const std::string& bearer, verb method,
                const std::string& target, const std::string& body = {}) {
  HttpClient client{i.port()};
  client.set_timeout(std::chrono::seconds{10});
  if (!bearer.empty()) client.set_header(field::authorization, "Bearer " + bearer);
  return client.request(method, target, body);
}

std::string chess_body() {
  return R"({"sync_mode":"per_participant","total_time_ms":300000,"participants":[)"
         R"({"participant_id":")" +
         kAlice + R"(","participant_index":0},{"participant_id":")" + kBob +
         R"(","participant_index":1}]})";
}

// The close code a socket ends with after its last message (nullopt: still open).
std::uint16_t close_code_after(WsClient& ws, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (!ws.next(std::chrono::milliseconds{500}) && !ws.timed_out()) break;
  }
  return ws.close_reason().code;
}

class Security : public ::testing::Test {
 protected:
  Instance& launch(std::vector<std::string> env, std::vector<std::string> args = {}) {
    env.push_back("JWT_SECRET=" + kSecret);
    instances_.push_back(
        std::make_unique<Instance>("S" + std::to_string(instances_.size()), env, args));
    return *instances_.back();
  }
  void TearDown() override { stop_all(instances_, HasFailure()); }

  std::vector<std::unique_ptr<Instance>> instances_;
};

// The web page's share links (POST /v1/sessions/:id/share): each token does what its
// holder may, on the real engine, and nothing on another session.
TEST_F(Security, ShareLinkTokensOnTheRealEngine) {
  auto& s = launch({});
  const auto admin = token(auth::Role::admin, {"*"}, "admin");
  const auto created = as(s, admin, verb::post, "/v1/sessions", chess_body());
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto id = created.json()["data"]["session_id"].str();
  const auto other = as(s, admin, verb::post, "/v1/sessions", chess_body());
  const auto other_id = other.json()["data"]["session_id"].str();
  EXPECT_EQ(
      as(s, token(auth::Role::participant, {id}, kAlice), verb::post, session_path(id, "share"))
          .status,
      403u);
  const auto shared = as(s, admin, verb::post, session_path(id, "share"));
  ASSERT_EQ(shared.status, 200u) << shared.body;
  const auto links = shared.json()["data"];
  EXPECT_TRUE(links["auth"].boolean());
  const auto host = links["host"]["token"].str();
  const auto viewer = links["viewer"]["token"].str();
  ASSERT_EQ(links["participants"].size(), 2u);
  ASSERT_EQ(links["participants"][0]["participant_id"].str(), kAlice);
  const auto alice = links["participants"][0]["token"].str();
  const auto bob = links["participants"][1]["token"].str();

  EXPECT_EQ(as(s, viewer, verb::post, session_path(id, "start")).status, 403u);
  EXPECT_EQ(as(s, host, verb::post, session_path(id, "start")).status, 200u);
  EXPECT_EQ(as(s, viewer, verb::get, session_path(id)).status, 200u);
  const auto viewer_switch = as(s, viewer, verb::post, session_path(id, "switch"));
  EXPECT_EQ(viewer_switch.status, 403u) << viewer_switch.body;
  EXPECT_EQ(as(s, bob, verb::post, session_path(id, "switch")).status, 403u) << "not Bob's turn";
  EXPECT_EQ(as(s, alice, verb::post, session_path(id, "switch")).status, 200u);
  EXPECT_EQ(as(s, alice, verb::post, session_path(id, "pause")).status, 403u);
  EXPECT_EQ(as(s, host, verb::post, session_path(id, "pause")).status, 200u);
  for (const auto* t : {&host, &viewer, &alice}) {
    EXPECT_EQ(as(s, *t, verb::get, session_path(other_id)).status, 403u);
  }
  // The page itself needs no token.
  const auto page = get(s, "/");
  EXPECT_EQ(page.status, 200u);
  EXPECT_NE(page.body.find("<!doctype html>"), std::string::npos);
}

TEST_F(Security, TokensAndRolesOnRest) {
  auto& s = launch({}, {"--jwt-leeway-s", "0"});
  const auto arbiter_all = token(auth::Role::arbiter, {"*"}, "arbiter");
  EXPECT_EQ(as(s, "", verb::post, "/v1/sessions", chess_body()).status, 401u);
  EXPECT_EQ(as(s, token(auth::Role::admin, {"*"}, "x", 600, "some-other-secret-0123456789abcdef"),
               verb::post, "/v1/sessions", chess_body())
                .status,
            401u);
  EXPECT_EQ(
      as(s, token(auth::Role::admin, {"*"}, "x", -5), verb::post, "/v1/sessions", chess_body())
          .status,
      401u);
  const auto created = as(s, arbiter_all, verb::post, "/v1/sessions", chess_body());
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto id = created.json()["data"]["session_id"].str();
  ASSERT_EQ(as(s, arbiter_all, verb::post, session_path(id, "start")).status, 200u);

  const auto alice = token(auth::Role::participant, {id}, kAlice);
  const auto bob = token(auth::Role::participant, {id}, kBob);
  const auto stranger = token(auth::Role::participant, {kBob}, kAlice);  // another session
  EXPECT_EQ(as(s, stranger, verb::get, session_path(id)).status, 403u);
  EXPECT_EQ(as(s, bob, verb::post, session_path(id, "switch")).status, 403u) << "not Bob's turn";
  EXPECT_EQ(as(s, alice, verb::post, session_path(id, "switch")).status, 200u);
  const auto again = as(s, alice, verb::post, session_path(id, "switch"));
  EXPECT_EQ(again.status, 403u) << again.body;
  EXPECT_EQ(error_code(again), "FORBIDDEN");
  EXPECT_EQ(as(s, alice, verb::post, session_path(id, "pause")).status, 403u);
  EXPECT_EQ(as(s, alice, verb::post, session_path(id, "participants/" + kAlice + "/time"),
               R"({"delta_ms":60000})")
                .status,
            403u);
  EXPECT_EQ(as(s, alice, verb::delete_, session_path(id)).status, 403u);
  const auto state = as(s, alice, verb::get, session_path(id));
  ASSERT_EQ(state.status, 200u);
  EXPECT_EQ(state.json()["data"]["version"].i64(), 3) << "a refused request changed something";
  EXPECT_EQ(state.json()["data"]["active_participant_id"].str(), kBob);
  EXPECT_EQ(as(s, bob, verb::post, session_path(id, "switch")).status, 200u);
  EXPECT_EQ(as(s, arbiter_all, verb::post, session_path(id, "pause")).status, 200u);
  EXPECT_EQ(get(s, "/health").status, 200u);  // open routes stay open
  EXPECT_EQ(get(s, "/v1/time").status, 200u);
  const auto metrics = get(s, "/metrics").body;
  EXPECT_NE(metrics.find(R"(synckairos_auth_denied_total{reason="forbidden"})"), std::string::npos);
}

TEST_F(Security, TokensOnWebSocketsAndTheirExpiry) {
  auto& s = launch({}, {"--jwt-leeway-s", "0"});
  const auto arbiter_all = token(auth::Role::arbiter, {"*"}, "arbiter");
  const auto created = as(s, arbiter_all, verb::post, "/v1/sessions", chess_body());
  ASSERT_EQ(created.status, 201u);
  const auto id = created.json()["data"]["session_id"].str();
  const std::string ws = "/ws?sessionId=" + id;

  {
    WsClient none(s.port(), ws);
    EXPECT_EQ(none.next_of_type("ERROR")["code"].str(), "UNAUTHORIZED");
    EXPECT_EQ(close_code_after(none, std::chrono::seconds{5}), 4401);
  }
  {
    WsClient forged(s.port(), ws + "&token=" +
                                  token(auth::Role::admin, {"*"}, "x", 600,
                                        "some-other-secret-0123456789abcdef"));
    EXPECT_EQ(close_code_after(forged, std::chrono::seconds{5}), 4401);
  }
  {
    WsClient other(s.port(), ws + "&token=" + token(auth::Role::participant, {kBob}, kAlice));
    EXPECT_EQ(other.next_of_type("ERROR")["code"].str(), "FORBIDDEN");
    EXPECT_EQ(close_code_after(other, std::chrono::seconds{5}), 4403);
  }
  // A token that expires in 2 s closes the socket then, unless renewed.
  WsClient short_lived(s.port(), ws + "&token=" + token(auth::Role::participant, {id}, kAlice, 2));
  EXPECT_EQ(short_lived.next_of_type("STATE_SYNC")["state"]["session_id"].str(), id);
  WsClient renewed(s.port(), ws + "&token=" + token(auth::Role::participant, {id}, kAlice, 2));
  renewed.next_of_type("STATE_SYNC");
  renewed.send(R"({"type":"AUTH","token":")" + token(auth::Role::participant, {id}, kAlice) +
               R"("})");
  EXPECT_TRUE(renewed.next_of_type("AUTHENTICATED")["expires_at_ms"].i64() > 0);
  const auto expired = short_lived.next_of_type("ERROR", std::chrono::seconds{10});
  EXPECT_EQ(expired["code"].str(), "UNAUTHORIZED");
  EXPECT_EQ(close_code_after(short_lived, std::chrono::seconds{5}), 4401);
  // The renewed one still hears about changes.
  ASSERT_EQ(as(s, arbiter_all, verb::post, session_path(id, "start")).status, 200u);
  EXPECT_EQ(renewed.next_of_type("STATE_UPDATE")["state"]["status"].str(), "running");
}

TEST_F(Security, RateLimitsHoldAcrossTwoInstances) {
  store::redis::testing::RedisServerFixture redis;
  const std::vector<std::string> env{"REDIS_URL=" + redis.url(), "KEY_PREFIX=sec:"};
  // A long window: nothing refills during the test, so the count is exact.
  const std::vector<std::string> args{"--rate-limit-switch-max", "4", "--rate-limit-window-ms",
                                      "600000"};
  auto& a = launch(env, args);
  auto& b = launch(env, args);
  ASSERT_TRUE(ready_becomes(a, 200, std::chrono::seconds{20}));
  ASSERT_TRUE(ready_becomes(b, 200, std::chrono::seconds{20}));
  const auto admin = token(auth::Role::admin, {"*"}, "admin");
  const auto created = as(a, admin, verb::post, "/v1/sessions", chess_body());
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto id = created.json()["data"]["session_id"].str();
  ASSERT_EQ(as(b, admin, verb::post, session_path(id, "start")).status, 200u);
  int allowed = 0;
  int refused = 0;
  for (int k = 0; k < 8; ++k) {
    const auto r = as(k % 2 ? b : a, admin, verb::post, session_path(id, "switch"));
    EXPECT_FALSE(r.headers["RateLimit-Limit"].empty()) << r.status;
    if (r.status == 200) ++allowed;
    if (r.status == 429) {
      ++refused;
      EXPECT_EQ(error_code(r), "RATE_LIMIT_EXCEEDED");
      EXPECT_FALSE(r.headers["Retry-After"].empty());
    }
  }
  EXPECT_EQ(allowed, 4);
  EXPECT_EQ(refused, 4);
}

}  // namespace
}  // namespace sk::testing
