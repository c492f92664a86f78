// Every REST endpoint of SPEC §3 and its error paths, over real loopback HTTP against
// the in-process server on the memory engine.
#include <set>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "support/bodies.h"
#include "support/http_client.h"
#include "support/test_server.h"

namespace sk::testing {
namespace {

using boost::beast::http::field;
using boost::beast::http::verb;

class HttpApi : public ::testing::Test {
 protected:
  TestServer server;
  HttpClient http{server.port()};

  Json create_chess(const std::string& id, long bank_ms = 300000, long inc = 2000) {
    auto r = http.post("/v1/sessions", chess_body(id, bank_ms, inc));
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.json()["data"];
  }

  void expect_error(const HttpResponse& r, unsigned status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    const auto j = r.json();
    EXPECT_EQ(j["error"]["code"].str(), code) << r.body;
    EXPECT_FALSE(j["error"]["message"].str().empty());
  }
};

TEST_F(HttpApi, CreateReturnsTheSessionWithExactWireShape) {
  const auto id = session_id(1);
  auto r = http.post("/v1/sessions", chess_body(id));
  ASSERT_EQ(r.status, 201u) << r.body;
  EXPECT_EQ(r.header(field::location), "/v1/sessions/" + id);
  EXPECT_EQ(r.header(field::content_type), "application/json");
  EXPECT_EQ(r.header(field::access_control_allow_origin), "*");
  const auto s = r.json()["data"];
  EXPECT_EQ(s["session_id"].str(), id);
  EXPECT_EQ(s["status"].str(), "pending");
  EXPECT_EQ(s["version"].i64(), 1);
  EXPECT_EQ(s["sync_mode"].str(), "per_participant");
  EXPECT_TRUE(s["active_participant_id"].is_null());
  EXPECT_TRUE(s["deadline_at"].is_null());
  EXPECT_TRUE(s["cycle_started_at"].is_null());
  EXPECT_TRUE(s["time_per_cycle_ms"].is_null());
  EXPECT_EQ(s["increment_ms"].i64(), 2000);
  EXPECT_FALSE(s.has("max_time_ms"));
  EXPECT_FALSE(s.has("metadata"));
  EXPECT_FALSE(s.has("groups"));
  EXPECT_GT(s["server_time_ms"].i64(), 0);
  EXPECT_EQ(s["participants"].size(), 2u);
  EXPECT_EQ(s["participants"][0]["time_remaining_ms"].i64(), 300000);
}

TEST_F(HttpApi, CreateWithoutIdGetsAGeneratedUuid) {
  auto r = http.post(
      "/v1/sessions",
      R"({"sync_mode":"global","total_time_ms":60000,"participants":[{"participant_id":")" +
          kAlice + R"("}]})");
  ASSERT_EQ(r.status, 201u) << r.body;
  const auto id = r.json()["data"]["session_id"].str();
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '4');  // version 4
  EXPECT_EQ(http.get("/v1/sessions/" + id).status, 200u);
}

TEST_F(HttpApi, CreateTwiceIsSessionExists) {
  create_chess(session_id(2));
  expect_error(http.post("/v1/sessions", chess_body(session_id(2))), 409, "SESSION_EXISTS");
}

TEST_F(HttpApi, ValidationErrorsListEveryField) {
  auto r = http.post(
      "/v1/sessions",
      R"({"sync_mode":"per_participant","total_time_ms":10,"increment_ms":-1,"participants":[]})");
  expect_error(r, 400, "VALIDATION_ERROR");
  const auto details = r.json()["error"]["details"];
  ASSERT_GE(details.size(), 3u);
  std::set<std::string> fields;
  for (std::size_t i = 0; i < details.size(); ++i) fields.insert(details[i]["field"].str());
  EXPECT_TRUE(fields.contains("total_time_ms"));
  EXPECT_TRUE(fields.contains("increment_ms"));
  EXPECT_TRUE(fields.contains("participants"));
}

TEST_F(HttpApi, MalformedJsonWrongContentTypeAndEmptyBody) {
  expect_error(http.post("/v1/sessions", R"({"sync_mode":)"), 400, "VALIDATION_ERROR");
  expect_error(http.request(verb::post, "/v1/sessions", chess_body(session_id(3)), "text/plain"),
               400, "VALIDATION_ERROR");
  expect_error(http.post("/v1/sessions", ""), 400, "VALIDATION_ERROR");
  // Nothing was created by any of them.
  expect_error(http.get("/v1/sessions/" + session_id(3)), 404, "SESSION_NOT_FOUND");
}

TEST_F(HttpApi, ContentTypeWithCharsetIsJson) {
  auto r = http.request(verb::post, "/v1/sessions", chess_body(session_id(4)),
                        "application/json; charset=utf-8");
  EXPECT_EQ(r.status, 201u) << r.body;
}

// The server answers from the headers alone (Content-Length over the limit) and
// closes without reading the body, so the test sends only the headers.
std::string raw_exchange(std::uint16_t port, const std::string& request) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket raw(io);
  raw.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  boost::asio::write(raw, boost::asio::buffer(request));
  std::string reply;
  boost::system::error_code ec;
  boost::asio::read(raw, boost::asio::dynamic_buffer(reply), ec);  // until the server closes
  return reply;
}

TEST_F(HttpApi, OversizedBodyIs413) {
  const auto reply =
      raw_exchange(server.port(),
                   "POST /v1/sessions HTTP/1.1\r\nHost: x\r\n"
                   "Content-Type: application/json\r\nContent-Length: 2000000\r\n\r\n");
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 413") << reply;
  EXPECT_NE(reply.find("PAYLOAD_TOO_LARGE"), std::string::npos) << reply;
}

TEST_F(HttpApi, UnknownRouteAndBadUuid) {
  expect_error(http.get("/v2/nothing"), 404, "NOT_FOUND");
  expect_error(http.get("/v1/sessions/not-a-uuid"), 400, "VALIDATION_ERROR");
  expect_error(http.post("/v1/sessions/" + session_id(5) + "/fly"), 404, "NOT_FOUND");
  expect_error(http.get("/v1/sessions/" + session_id(5)), 404, "SESSION_NOT_FOUND");
  expect_error(http.post("/v1/sessions/" + session_id(5) + "/switch"), 404, "SESSION_NOT_FOUND");
}

// A create as the original TypeScript clients send it: total_time_ms at the session
// and on every participant, whatever the mode (SPEC §2). Accepted everywhere, ignored
// where the mode has no such bank; fields nobody defined are still refused by name.
TEST_F(HttpApi, CreateAcceptsTheOriginalClientsBanksInEveryMode) {
  struct Case {
    std::string mode;
    std::string extra;  // the mode's own fields
    std::string group;  // per participant
    long session_bank;  // shown in the session's total_time_ms
  };
  const std::string red = "dddddddd-dddd-4ddd-8ddd-dddddddddddd";
  const std::vector<Case> cases = {
      {"per_participant", "", "", 300000},
      {"per_cycle", R"(,"time_per_cycle_ms":30000)", "", 0},
      {"per_group", "", red, 300000},
      {"global", "", "", 300000},
      {"count_up", R"(,"max_time_ms":600000)", "", 0},
  };
  int n = 40;
  for (const auto& c : cases) {
    const auto participant = [&](const std::string& pid) {
      std::string out = R"({"participant_id":")" + pid + R"(","total_time_ms":120000)";
      if (!c.group.empty()) out += R"(,"group_id":")" + c.group + '"';
      return out + "}";
    };
    const auto body = R"({"session_id":")" + session_id(++n) + R"(","sync_mode":")" + c.mode +
                      R"(","total_time_ms":300000)" + c.extra + R"(,"participants":[)" +
                      participant(kAlice) + "," + participant(kBob) + "]}";
    const auto r = http.post("/v1/sessions", body);
    ASSERT_EQ(r.status, 201u) << c.mode << ": " << r.body;
    EXPECT_EQ(r.json()["data"]["total_time_ms"].i64(), c.session_bank) << c.mode;
  }
  // Still range-checked, and unknown fields still refused by name.
  const auto too_long = http.post(
      "/v1/sessions", R"({"sync_mode":"count_up","total_time_ms":86400001,"participants":[)"
                      R"({"participant_id":")" +
                          kAlice + R"("}]})");
  expect_error(too_long, 400, "VALIDATION_ERROR");
  EXPECT_EQ(too_long.json()["error"]["details"][0]["field"].str(), "total_time_ms");
  const auto unknown =
      http.post("/v1/sessions", R"({"sync_mode":"global","total_time_ms":60000,"colour":"red",)"
                                R"("participants":[{"participant_id":")" +
                                    kAlice + R"("}]})");
  expect_error(unknown, 400, "VALIDATION_ERROR");
  EXPECT_EQ(unknown.json()["error"]["details"][0]["field"].str(), "colour");
}

// A known path asked with a method it does not serve is 405 with Allow, decided
// before the path's ids are looked at (it used to be 404, or 400 "session_id must be
// a UUID" for PUT /v1/sessions/x).
TEST_F(HttpApi, AKnownPathWithAnotherMethodIs405WithAllow) {
  struct Case {
    verb method;
    std::string target;
    std::string allow;
  };
  const std::string s = "/v1/sessions/" + session_id(5);
  const std::vector<Case> cases = {
      {verb::put, "/v1/sessions/x", "GET, DELETE, OPTIONS"},
      {verb::patch, s, "GET, DELETE, OPTIONS"},
      {verb::post, "/v1/time", "GET, OPTIONS"},
      {verb::delete_, "/health", "GET, OPTIONS"},
      {verb::get, "/v1/sessions", "POST, OPTIONS"},
      {verb::get, s + "/switch", "POST, OPTIONS"},
      {verb::delete_, s + "/pause", "POST, OPTIONS"},
      {verb::post, s + "/participants/" + session_id(6), "DELETE, OPTIONS"},
      {verb::get, s + "/participants/" + session_id(6) + "/time", "POST, OPTIONS"},
  };
  for (const auto& c : cases) {
    const auto r = http.request(c.method, c.target);
    expect_error(r, 405, "METHOD_NOT_ALLOWED");
    EXPECT_EQ(r.header(field::allow), c.allow) << c.target;
  }
  // Still 404 for paths nobody serves, whatever the method.
  expect_error(http.request(verb::put, "/v1/nothing"), 404, "NOT_FOUND");
}

// Label values come from fixed sets: a client inventing methods (or paths) adds no
// series to /metrics.
TEST_F(HttpApi, InventedMethodsAndPathsAddNoMetricSeries) {
  const auto size_before = [&] {
    // One request of each kind first, so their series exist before the baseline.
    raw_exchange(server.port(),
                 "BREW /v2/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    http.get("/metrics");
    return http.get("/metrics").body.size();
  }();
  for (int i = 0; i < 40; ++i) {
    const std::string method(200, static_cast<char>('A' + i % 26));
    const auto reply =
        raw_exchange(server.port(), method + std::to_string(i) + " /v1/x" + std::to_string(i) +
                                        " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 404") << reply.substr(0, 200);
  }
  const auto metrics = http.get("/metrics").body;
  EXPECT_EQ(metrics.find("AAAAAAAA"), std::string::npos);
  EXPECT_EQ(metrics.find("/v1/x1"), std::string::npos);
  EXPECT_NE(metrics.find(R"(method="OTHER")"), std::string::npos);
  EXPECT_NE(metrics.find(R"(route="unmatched")"), std::string::npos);
  // Only the counters' values moved (a few digits), no new series.
  EXPECT_LT(metrics.size(), size_before + 200);
}

TEST_F(HttpApi, LifecycleTransitionsAndTheirErrors) {
  const auto id = session_id(6);
  const auto base = "/v1/sessions/" + id;
  create_chess(id);
  expect_error(http.post(base + "/pause"), 400, "INVALID_STATE_TRANSITION");
  auto r = http.post(base + "/start");
  ASSERT_EQ(r.status, 200u) << r.body;
  auto s = r.json()["data"];
  EXPECT_EQ(s["status"].str(), "running");
  EXPECT_EQ(s["version"].i64(), 2);
  EXPECT_EQ(s["active_participant_id"].str(), kAlice);
  EXPECT_FALSE(s["deadline_at"].is_null());

  const auto err = http.post(base + "/start");
  expect_error(err, 400, "INVALID_STATE_TRANSITION");
  EXPECT_NE(err.json()["error"]["message"].str().find("running"), std::string::npos);
  EXPECT_EQ(err.json()["error"]["details"]["current_status"].str(), "running");

  EXPECT_EQ(http.post(base + "/pause").json()["data"]["status"].str(), "paused");
  EXPECT_EQ(http.post(base + "/resume").json()["data"]["status"].str(), "running");
  r = http.post(base + "/complete");
  EXPECT_EQ(r.json()["data"]["status"].str(), "completed");
  const auto version = r.json()["data"]["version"].i64();
  r = http.post(base + "/complete");  // idempotent
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.json()["data"]["version"].i64(), version);
  expect_error(http.post(base + "/cancel"), 400, "INVALID_STATE_TRANSITION");
}

TEST_F(HttpApi, ActionsRejectAStrayBody) {
  const auto id = session_id(7);
  create_chess(id);
  expect_error(http.post("/v1/sessions/" + id + "/start", R"({"x":1})"), 400, "VALIDATION_ERROR");
  EXPECT_EQ(http.post("/v1/sessions/" + id + "/start", "{}").status, 200u);
}

TEST_F(HttpApi, SwitchReturnsTheSwitchShapeAndHonoursGuards) {
  const auto id = session_id(8);
  const auto base = "/v1/sessions/" + id;
  create_chess(id);
  http.post(base + "/start");
  auto r = http.post(base + "/switch",
                     R"({"current_participant_id":")" + kAlice + R"(","expected_version":2})");
  ASSERT_EQ(r.status, 200u) << r.body;
  auto s = r.json()["data"];
  EXPECT_EQ(s["active_participant_id"].str(), kBob);
  EXPECT_EQ(s["version"].i64(), 3);
  EXPECT_FALSE(s.has("expired_participant_id"));
  EXPECT_FALSE(s.has("sync_mode"));  // the switch response is the short form
  EXPECT_EQ(s["participants"].size(), 2u);
  EXPECT_EQ(s["status"].str(), "running");

  // The same tap again: both guards fail.
  r = http.post(base + "/switch",
                R"({"current_participant_id":")" + kAlice + R"(","expected_version":2})");
  expect_error(r, 409, "CONFLICT");
  EXPECT_EQ(r.json()["error"]["details"]["subject"].str(), "version");
  EXPECT_EQ(r.json()["error"]["details"]["expected"].i64(), 2);
  EXPECT_EQ(r.json()["error"]["details"]["actual"].i64(), 3);
  r = http.post(base + "/switch", R"({"current_participant_id":")" + kAlice + R"("})");
  expect_error(r, 409, "CONFLICT");
  EXPECT_EQ(r.json()["error"]["details"]["actual"].str(), kBob);

  expect_error(http.post(base + "/switch", R"({"next_participant_id":")" + kCarol + R"("})"), 400,
               "VALIDATION_ERROR");
  expect_error(http.post(base + "/switch", R"({"bogus":true})"), 400, "VALIDATION_ERROR");
  EXPECT_EQ(http.get(base).json()["data"]["version"].i64(), 3);  // nothing changed
}

TEST_F(HttpApi, ParticipantsAddRemoveAndAdjustTime) {
  const auto id = session_id(9);
  const auto base = "/v1/sessions/" + id;
  create_chess(id);
  auto r = http.post(base + "/participants",
                     R"({"participant_id":")" + kCarol + R"(","total_time_ms":120000})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json()["data"]["participants"].size(), 3u);
  expect_error(http.post(base + "/participants", R"({"participant_id":")" + kCarol + R"("})"), 400,
               "VALIDATION_ERROR");

  r = http.post(base + "/participants/" + kBob + "/time",
                R"({"delta_ms":-5000,"reason":"penalty"})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json()["data"]["participants"][1]["total_time_ms"].i64(), 295000);
  expect_error(http.post(base + "/participants/" + kBob + "/time", R"({"delta_ms":0})"), 400,
               "VALIDATION_ERROR");
  expect_error(http.post(base + "/participants/nope/time", R"({"delta_ms":1})"), 400,
               "VALIDATION_ERROR");

  r = http.del(base + "/participants/" + kCarol);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json()["data"]["participants"].size(), 2u);
  expect_error(http.del(base + "/participants/" + kCarol), 400, "VALIDATION_ERROR");
}

TEST_F(HttpApi, DeleteIsIdempotent) {
  const auto id = session_id(10);
  create_chess(id);
  EXPECT_EQ(http.del("/v1/sessions/" + id).status, 204u);
  EXPECT_EQ(http.del("/v1/sessions/" + id).status, 204u);
  expect_error(http.get("/v1/sessions/" + id), 404, "SESSION_NOT_FOUND");
}

TEST_F(HttpApi, GetComputesLiveValuesAtServerTime) {
  const auto id = session_id(11);
  create_chess(id, 60000, 0);
  http.post("/v1/sessions/" + id + "/start");
  std::this_thread::sleep_for(std::chrono::milliseconds{120});
  const auto s = http.get("/v1/sessions/" + id).json()["data"];
  const auto started = s["cycle_started_at"].str();
  const auto server_time = s["server_time_ms"].i64();
  const auto remaining = s["participants"][0]["time_remaining_ms"].i64();
  // Exactly consistent with the response's own clock: remaining = bank - elapsed.
  const auto started_ms = domain::to_unix_ms(*domain::parse_iso8601(started));
  EXPECT_EQ(remaining, 60000 - (server_time - started_ms));
  EXPECT_GE(server_time - started_ms, 120);
}

TEST_F(HttpApi, LongPollReturns304OrTheChange) {
  const auto id = session_id(12);
  const auto base = "/v1/sessions/" + id;
  create_chess(id);
  EXPECT_EQ(http.get(base + "?since_version=1").status, 304u);
  EXPECT_EQ(http.get(base + "?since_version=0").status, 200u);
  expect_error(http.get(base + "?since_version=x"), 400, "VALIDATION_ERROR");
  expect_error(http.get(base + "?since_version=1&wait_ms=40000"), 400, "VALIDATION_ERROR");

  // A waiting poll returns as soon as another client changes the session.
  std::thread changer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds{200});
    HttpClient other{server.port()};
    other.post(base + "/start");
  });
  const auto t0 = std::chrono::steady_clock::now();
  auto r = http.get(base + "?since_version=1&wait_ms=10000");
  const auto waited = std::chrono::steady_clock::now() - t0;
  changer.join();
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.json()["data"]["version"].i64(), 2);
  EXPECT_LT(waited, std::chrono::seconds{5});
  // And one that nobody answers ends with 304 after its wait.
  EXPECT_EQ(http.get(base + "?since_version=2&wait_ms=150").status, 304u);
}

TEST_F(HttpApi, TimeHealthReadyMetricsOpenapi) {
  auto r = http.get("/v1/time");
  ASSERT_EQ(r.status, 200u);
  // Flat like /health (SPEC §3): the original's clock-sync clients read
  // body.timestamp_ms.
  const auto t = r.json();
  EXPECT_FALSE(t.has("data"));
  EXPECT_GT(t["timestamp_ms"].i64(), 1'700'000'000'000);
  EXPECT_FALSE(t["server_version"].str().empty());
  EXPECT_GE(t["drift_tolerance_ms"].i64(), 0);
  EXPECT_EQ(http.get("/health").json()["status"].str(), "ok");
  EXPECT_EQ(http.get("/ready").json()["status"].str(), "ready");
  create_chess(session_id(13));
  r = http.get("/metrics");
  ASSERT_EQ(r.status, 200u);
  EXPECT_NE(r.body.find("synckairos_http_requests_total"), std::string::npos);
  EXPECT_NE(r.body.find(R"(route="/v1/sessions")"), std::string::npos);
  EXPECT_NE(r.body.find("synckairos_active_sessions 1"), std::string::npos);
  r = http.get("/openapi.json");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.json()["openapi"].str().substr(0, 2), "3.");
  EXPECT_EQ(http.get("/docs").status, 200u);
}

TEST_F(HttpApi, CorsPreflight) {
  auto r = http.request(verb::options, "/v1/sessions");
  EXPECT_EQ(r.status, 204u);
  EXPECT_EQ(r.header(field::access_control_allow_origin), "*");
  EXPECT_NE(r.header(field::access_control_allow_methods).find("POST"), std::string::npos);
}

TEST_F(HttpApi, GarbageOnTheSocketIsA400NotACrash) {
  const auto reply = raw_exchange(server.port(), "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 400") << reply;
  EXPECT_EQ(http.get("/health").status, 200u);  // and the server is still serving
}

}  // namespace
}  // namespace sk::testing
