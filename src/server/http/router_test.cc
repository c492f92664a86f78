// The Router alone, against a stub SessionApi (no store, no socket): which use case
// each method and path reaches and with what, how each domain error maps to a status
// and code, the 405/404 split, the flat /v1/time, the `recovered` mark, and that
// metric labels come from fixed sets whatever the client sends.
#include "server/http/router.h"

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "engine/test_support.h"
#include "server/auth/token_forge.h"
#include "server/auth/token_minter.h"
#include "server/limits/memory_rate_limiter.h"
#include "server/web/web_assets.h"

namespace sk::server::http {
namespace {

namespace asio = boost::asio;
using beast_http::field;
using beast_http::status;
using beast_http::verb;
using domain::Error;
using domain::ErrorCode;
using domain::Result;

const std::string kId = "5e550000-0000-4000-8000-000000000001";
const std::string kPid = "11111111-1111-4111-8111-111111111111";

// Records what the router asked for and answers with `answer` (a session snapshot
// unless `fail` holds an error).
class StubSessions final : public SessionApi {
 public:
  struct Call {
    std::string use_case;  // create, get, execute, remove
    std::optional<domain::Uuid> id;
    std::optional<domain::Command> command;
  };

  std::vector<Call> calls;
  std::optional<Error> fail;
  bool recovered = false;
  domain::ManualClock clock_{engine::testing::kT0};

  asio::awaitable<Result<SessionSnapshot>> create(domain::CreateSessionRequest,
                                                  domain::Uuid id) override {
    calls.push_back({"create", id, std::nullopt});
    co_return answer(id);
  }
  asio::awaitable<Result<SessionSnapshot>> get(domain::Uuid id) override {
    calls.push_back({"get", id, std::nullopt});
    co_return answer(id);
  }
  asio::awaitable<Result<SessionSnapshot>> execute(domain::Uuid id,
                                                   domain::Command command) override {
    calls.push_back({"execute", id, std::move(command)});
    co_return answer(id);
  }
  asio::awaitable<Result<bool>> remove(domain::Uuid id) override {
    calls.push_back({"remove", id, std::nullopt});
    if (fail) co_return *fail;
    co_return true;
  }
  asio::awaitable<store::Subscription> watch(domain::Uuid) override {
    co_return store::Subscription{};
  }
  store::Subscription subscribe(store::MessageHandler) override { return store::Subscription{}; }
  asio::awaitable<bool> store_healthy() override { co_return !fail; }
  asio::awaitable<Result<std::int64_t>> session_count() override { co_return std::int64_t{3}; }
  const domain::Clock& clock() const override { return clock_; }

 private:
  Result<SessionSnapshot> answer(const domain::Uuid& id) const {
    if (fail) return *fail;
    auto s = engine::testing::created(
        engine::testing::chess(std::chrono::seconds{60}, std::chrono::milliseconds{0}));
    s.session_id = id;
    SessionSnapshot snapshot{s, engine::live_view(s, clock_.wall_now()), {}, true, recovered};
    return snapshot;
  }
};

class RouterTest : public ::testing::Test {
 protected:
  Response call(verb method, const std::string& target, const std::string& body = {},
                std::string_view method_text = {}) {
    Request req{method, target, 11};
    if (!method_text.empty()) req.method_string(method_text);
    if (!body.empty()) {
      req.set(field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    auto future = asio::co_spawn(io, router.handle(std::move(req)), asio::use_future);
    io.restart();
    io.run();
    return future.get();
  }

  // The command the last execute() carried.
  template <typename Command>
  const Command* last_command() const {
    if (sessions.calls.empty() || !sessions.calls.back().command) return nullptr;
    return std::get_if<Command>(&*sessions.calls.back().command);
  }

  asio::io_context io;
  StubSessions sessions;
  Metrics metrics;
  ChangeWaiter waiter{sessions};
  IdGenerator ids;
  Router router{sessions, metrics, waiter, ids, RouterOptions{}};
};

TEST_F(RouterTest, EachRouteReachesItsUseCaseWithItsArguments) {
  const std::string s = "/v1/sessions/" + kId;
  struct Case {
    verb method;
    std::string target;
    std::string body;
    std::string use_case;
    unsigned status;
  };
  const std::vector<Case> cases = {
      {verb::get, s, "", "get", 200},
      {verb::delete_, s, "", "remove", 204},
      {verb::post, s + "/start", "", "execute", 200},
      {verb::post, s + "/pause", "{}", "execute", 200},
      {verb::post, s + "/resume", "", "execute", 200},
      {verb::post, s + "/complete", "", "execute", 200},
      {verb::post, s + "/cancel", "", "execute", 200},
      {verb::post, s + "/switch", R"({"expected_version":4})", "execute", 200},
      {verb::post, s + "/participants", R"({"participant_id":")" + kPid + R"("})", "execute", 200},
      {verb::delete_, s + "/participants/" + kPid, "", "execute", 200},
      {verb::post, s + "/participants/" + kPid + "/time", R"({"delta_ms":5000})", "execute", 200},
  };
  for (const auto& c : cases) {
    sessions.calls.clear();
    const auto res = call(c.method, c.target, c.body);
    EXPECT_EQ(res.result_int(), c.status) << c.target << ": " << res.body();
    ASSERT_EQ(sessions.calls.size(), 1u) << c.target;
    EXPECT_EQ(sessions.calls[0].use_case, c.use_case) << c.target;
    EXPECT_EQ(sessions.calls[0].id->to_string(), kId) << c.target;
  }
  // The commands themselves.
  call(verb::post, s + "/pause");
  EXPECT_NE(last_command<domain::PauseCommand>(), nullptr);
  call(verb::post, s + "/complete");
  EXPECT_NE(last_command<domain::CompleteCommand>(), nullptr);
  call(verb::post, s + "/switch", R"({"expected_version":4})");
  ASSERT_NE(last_command<domain::SwitchCommand>(), nullptr);
  EXPECT_EQ(last_command<domain::SwitchCommand>()->expected_version, 4);
  call(verb::post, s + "/participants/" + kPid + "/time", R"({"delta_ms":-3000})");
  ASSERT_NE(last_command<domain::AdjustTimeCommand>(), nullptr);
  EXPECT_EQ(last_command<domain::AdjustTimeCommand>()->delta, std::chrono::milliseconds{-3000});
  EXPECT_EQ(last_command<domain::AdjustTimeCommand>()->participant_id.to_string(), kPid);
  call(verb::delete_, s + "/participants/" + kPid);
  ASSERT_NE(last_command<domain::RemoveParticipantCommand>(), nullptr);

  // A create with its id: 201 and Location.
  sessions.calls.clear();
  const auto created = call(verb::post, "/v1/sessions",
                            R"({"session_id":")" + kId +
                                R"(","sync_mode":"global","total_time_ms":60000,)"
                                R"("participants":[{"participant_id":")" +
                                kPid + R"("}]})");
  EXPECT_EQ(created.result_int(), 201u) << created.body();
  EXPECT_EQ(created[field::location], "/v1/sessions/" + kId);
  ASSERT_EQ(sessions.calls.size(), 1u);
  EXPECT_EQ(sessions.calls[0].use_case, "create");
}

TEST_F(RouterTest, BadInputIsRefusedBeforeAnyUseCase) {
  const std::string s = "/v1/sessions/" + kId;
  struct Case {
    verb method;
    std::string target;
    std::string body;
    std::string field;
  };
  const std::vector<Case> cases = {
      {verb::get, "/v1/sessions/not-a-uuid", "", "session_id"},
      {verb::delete_, s + "/participants/nope", "", "participant_id"},
      {verb::post, s + "/start", R"({"x":1})", ""},
      {verb::post, s + "/switch", R"({"expected_version":"four"})", "expected_version"},
      {verb::get, s + "?wait_ms=99999", "", "wait_ms"},
      {verb::get, s + "?since_version=-1", "", "since_version"},
  };
  for (const auto& c : cases) {
    sessions.calls.clear();
    const auto res = call(c.method, c.target, c.body);
    EXPECT_EQ(res.result_int(), 400u) << c.target << ": " << res.body();
    EXPECT_NE(res.body().find(R"("code":"VALIDATION_ERROR")"), std::string::npos) << res.body();
    EXPECT_NE(res.body().find(R"("field":")" + c.field + '"'), std::string::npos) << res.body();
    EXPECT_TRUE(sessions.calls.empty()) << c.target;
  }
}

TEST_F(RouterTest, EveryDomainErrorHasItsStatusAndCode) {
  struct Case {
    Error error;
    unsigned status;
    std::string code;
  };
  const std::vector<Case> cases = {
      {Error::validation("f", "bad"), 400, "VALIDATION_ERROR"},
      {Error::invalid_transition("pause", domain::Status::completed), 400,
       "INVALID_STATE_TRANSITION"},
      {Error::not_found(), 404, "SESSION_NOT_FOUND"},
      {Error::session_exists(), 409, "SESSION_EXISTS"},
      {Error::version_conflict(3, 4), 409, "CONFLICT"},
      {Error::payload_too_large(10), 413, "PAYLOAD_TOO_LARGE"},
      {Error::unavailable("redis"), 503, "UNAVAILABLE"},
      {Error::deserialization("garbage in the store"), 500, "INTERNAL_ERROR"},
      {Error::internal(), 500, "INTERNAL_ERROR"},
  };
  for (const auto& c : cases) {
    sessions.fail = c.error;
    const auto res = call(verb::post, "/v1/sessions/" + kId + "/switch");
    EXPECT_EQ(res.result_int(), c.status) << c.code;
    EXPECT_NE(res.body().find(R"("code":")" + c.code + '"'), std::string::npos) << res.body();
  }
  // Internal failures never show their text.
  sessions.fail = Error::deserialization("garbage in the store");
  EXPECT_EQ(call(verb::get, "/v1/sessions/" + kId).body().find("garbage"), std::string::npos);
}

TEST_F(RouterTest, KnownPathsWithOtherMethodsAre405AndUnknownPaths404) {
  auto res = call(verb::put, "/v1/sessions/x");
  EXPECT_EQ(res.result_int(), 405u);
  EXPECT_EQ(res[field::allow], "GET, DELETE, OPTIONS");
  EXPECT_NE(res.body().find("METHOD_NOT_ALLOWED"), std::string::npos);
  res = call(verb::get, "/v1/sessions/" + kId + "/switch");
  EXPECT_EQ(res.result_int(), 405u);
  EXPECT_EQ(res[field::allow], "POST, OPTIONS");
  res = call(verb::post, "/v1/sessions/" + kId + "/fly");
  EXPECT_EQ(res.result_int(), 404u);
  EXPECT_NE(res.body().find(R"("code":"NOT_FOUND")"), std::string::npos);
  EXPECT_EQ(call(verb::options, "/anything").result_int(), 204u);  // CORS preflight
  EXPECT_TRUE(sessions.calls.empty());
}

TEST_F(RouterTest, TimeIsFlatAndReadsTheInjectedClock) {
  const auto res = call(verb::get, "/v1/time");
  ASSERT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res.body(), R"({"timestamp_ms":)" +
                            std::to_string(domain::to_unix_ms(engine::testing::kT0)) +
                            R"(,"server_version":"0.0.0","drift_tolerance_ms":50})");
}

TEST_F(RouterTest, ARecoveredSessionSaysSoInEveryResponseShape) {
  sessions.recovered = true;
  const std::string s = "/v1/sessions/" + kId;
  for (const auto& [method, target] : std::vector<std::pair<verb, std::string>>{
           {verb::get, s}, {verb::post, s + "/switch"}, {verb::post, s + "/pause"}}) {
    const auto res = call(method, target);
    EXPECT_NE(res.body().find(R"("recovered":true})"), std::string::npos) << target;
  }
  sessions.recovered = false;
  EXPECT_EQ(call(verb::post, s + "/switch").body().find("recovered"), std::string::npos);
}

TEST_F(RouterTest, MetricLabelsComeFromFixedSets) {
  call(verb::get, "/v1/sessions/" + kId);
  call(verb::unknown, "/v1/sessions/" + kId, "", "BREWCOFFEE");
  call(verb::unknown, "/no/such/path/" + kId, "", "XYZZY");
  call(verb::get, "/no/such/path/" + kId);
  const auto text = metrics.serialize();
  EXPECT_NE(text.find(R"(method="GET",route="/v1/sessions/:id",status="200")"), std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(method="OTHER",route="/v1/sessions/:id",status="405")"),
            std::string::npos);
  EXPECT_NE(text.find(R"(method="OTHER",route="unmatched",status="404")"), std::string::npos);
  EXPECT_NE(text.find(R"(method="GET",route="unmatched",status="404")"), std::string::npos);
  for (const auto* raw : {"BREWCOFFEE", "XYZZY", "/no/such/path", "5e550000"}) {
    EXPECT_EQ(text.find(raw), std::string::npos) << raw << " became a label value";
  }
}

// ---------------------------------------------------------------------------
// Auth and rate limits (SPEC §7): the router with a RequestGuard, a real HS256
// verifier and a real in-memory limiter on the stub's ManualClock.

const std::string kSecret = "0123456789abcdef0123456789abcdef-test";
const std::string kOther = "5e550000-0000-4000-8000-000000000002";

class GuardedRouterTest : public RouterTest {
 protected:
  GuardedRouterTest() {
    options.verifier = &verifier;
    options.limiter = &limiter;
    options.client_limit = {5, std::chrono::seconds{1}};
    options.switch_limit = {2, std::chrono::seconds{1}};
  }

  std::string token(auth::Role role, std::vector<std::string> covered, std::string sub = kPid,
                    std::int64_t ttl_s = 600) {
    auth::Claims c;
    c.sub = std::move(sub);
    c.role = role;
    c.sessions = std::move(covered);
    c.exp = now_s() + ttl_s;
    return auth::mint_hs256(c, kSecret);
  }
  std::int64_t now_s() const { return domain::to_unix_ms(sessions.clock_.wall_now()) / 1000; }

  auth::TokenVerifier verifier = *auth::TokenVerifier::from_secret(kSecret);
  limits::MemoryRateLimiter limiter{sessions.clock_};
  GuardOptions options;
  // Builds the guarded router from `options` (tests may change those first).
  void build() {
    guard_ptr = std::make_unique<RequestGuard>(options, metrics, sessions.clock_);
    RouterOptions ro;
    ro.guard = guard_ptr.get();
    ro.auth_required = true;
    ro.share_issuer = share_issuer ? &*share_issuer : nullptr;
    guarded_ptr = std::make_unique<Router>(sessions, metrics, waiter, ids, ro);
  }
  std::unique_ptr<RequestGuard> guard_ptr;
  std::unique_ptr<Router> guarded_ptr;
  std::optional<auth::ShareTokenIssuer> share_issuer;  // set before build(): it can sign
};

// Tokens that must never be accepted, on every session route.
TEST_F(GuardedRouterTest, RefusesMissingForgedNoneWrongAlgorithmAndExpiredTokens) {
  build();
  const std::string s = "/v1/sessions/" + kId;
  auto run = [&](const std::string& bearer) {
    Request req{verb::get, s, 11};
    if (!bearer.empty()) req.set(field::authorization, "Bearer " + bearer);
    auto future = asio::co_spawn(io, guarded_ptr->handle(std::move(req)), asio::use_future);
    io.restart();
    io.run();
    sessions.clock_.advance(std::chrono::milliseconds{300});  // under the client limit
    return future.get();
  };
  const std::string payload = R"({"sub":")" + kPid + R"(","role":"admin","sessions":["*"],"exp":)" +
                              std::to_string(now_s() + 600) + "}";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "missing_token"},
      {auth::forge::sign_token(R"({"alg":"HS256"})", payload, nullptr,
                               "another-secret-of-at-least-32-bytes!!"),
       "bad_signature"},
      {auth::forge::sign_token(R"({"alg":"none"})", payload, nullptr), "unsupported_algorithm"},
      {auth::forge::sign_token(R"({"alg":"RS256"})", payload, nullptr, kSecret), "wrong_algorithm"},
      {token(auth::Role::admin, {"*"}, kPid, -120), "expired"},
      {"not.a.token", "malformed"},
  };
  for (const auto& [bearer, reason] : cases) {
    const auto res = run(bearer);
    EXPECT_EQ(res.result_int(), 401u) << reason;
    EXPECT_NE(res.body().find("UNAUTHORIZED"), std::string::npos) << res.body();
    EXPECT_NE(res.body().find(reason), std::string::npos) << res.body();
    EXPECT_FALSE(res[field::www_authenticate].empty());
  }
  EXPECT_TRUE(sessions.calls.empty()) << "a refused request reached a use case";
  const auto text = metrics.serialize();
  EXPECT_NE(text.find(R"(synckairos_auth_denied_total{reason="expired"} 1)"), std::string::npos)
      << text;
}

TEST_F(GuardedRouterTest, OpenRoutesNeedNoToken) {
  build();
  for (const auto* path : {"/health", "/ready", "/metrics", "/v1/time", "/openapi.json"}) {
    Request req{verb::get, path, 11};
    auto future = asio::co_spawn(io, guarded_ptr->handle(std::move(req)), asio::use_future);
    io.restart();
    io.run();
    const auto res = future.get();
    EXPECT_EQ(res.result_int(), 200u) << path;
    EXPECT_TRUE(res["RateLimit-Limit"].empty()) << path << " is exempt from rate limits";
  }
}

// What each role may do (SPEC §7), through the router.
TEST_F(GuardedRouterTest, RolesDecideWhatATokenMayDo) {
  build();
  const std::string s = "/v1/sessions/" + kId;
  auto status_of = [&](const std::string& bearer, verb method, const std::string& target,
                       const std::string& body = {}) {
    Request req{method, target, 11};
    req.set(field::authorization, "Bearer " + bearer);
    if (!body.empty()) {
      req.set(field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    auto future = asio::co_spawn(io, guarded_ptr->handle(std::move(req)), asio::use_future);
    io.restart();
    io.run();
    sessions.clock_.advance(std::chrono::milliseconds{300});  // stay under the limits
    return future.get().result_int();
  };
  const auto participant = token(auth::Role::participant, {kId});
  const auto arbiter = token(auth::Role::arbiter, {kId});
  const auto arbiter_all = token(auth::Role::arbiter, {"*"});
  const auto admin = token(auth::Role::admin, {kOther});
  const std::string create =
      R"({"sync_mode":"per_participant","participants":[{"participant_id":")" + kPid +
      R"(","total_time_ms":60000}]})";

  EXPECT_EQ(status_of(participant, verb::get, s), 200u);
  EXPECT_EQ(status_of(participant, verb::get, "/v1/sessions/" + kOther), 403u);
  EXPECT_EQ(status_of(participant, verb::post, s + "/pause"), 403u);
  EXPECT_EQ(status_of(participant, verb::post, s + "/participants/" + kPid + "/time",
                      R"({"delta_ms":5000})"),
            403u);
  EXPECT_EQ(status_of(participant, verb::delete_, s), 403u);
  EXPECT_EQ(status_of(participant, verb::post, "/v1/sessions", create), 403u);
  // Its switch reaches the engine with its own id as the one who must be active.
  sessions.calls.clear();
  EXPECT_EQ(status_of(participant, verb::post, s + "/switch"), 200u);
  const auto* sw = last_command<domain::SwitchCommand>();
  ASSERT_NE(sw, nullptr);
  EXPECT_EQ(sw->acting_participant_id, domain::Uuid::parse(kPid));
  // Naming someone else as the one whose turn ends is acting for them.
  sessions.calls.clear();
  EXPECT_EQ(status_of(participant, verb::post, s + "/switch",
                      R"({"current_participant_id":")" + kOther + R"("})"),
            403u);
  EXPECT_TRUE(sessions.calls.empty());

  EXPECT_EQ(status_of(arbiter, verb::post, s + "/pause"), 200u);
  EXPECT_EQ(status_of(arbiter, verb::delete_, s), 204u);
  EXPECT_EQ(status_of(arbiter, verb::post, "/v1/sessions/" + kOther + "/pause"), 403u);
  EXPECT_EQ(status_of(arbiter, verb::post, "/v1/sessions", create), 403u);
  EXPECT_EQ(status_of(arbiter_all, verb::post, "/v1/sessions", create), 201u);
  sessions.calls.clear();
  EXPECT_EQ(status_of(arbiter, verb::post, s + "/switch"), 200u);
  EXPECT_FALSE(last_command<domain::SwitchCommand>()->acting_participant_id);

  EXPECT_EQ(status_of(admin, verb::post, "/v1/sessions", create), 201u);
  EXPECT_EQ(status_of(admin, verb::post, s + "/pause"), 200u);
  EXPECT_EQ(status_of(admin, verb::delete_, s), 204u);
}

TEST_F(GuardedRouterTest, RateLimitsAnswer429WithHeadersAndRefill) {
  build();
  const auto admin = token(auth::Role::admin, {"*"});
  auto send = [&](const std::string& target, verb method) {
    Request req{method, target, 11};
    req.set(field::authorization, "Bearer " + admin);
    auto future = asio::co_spawn(io, guarded_ptr->handle(std::move(req)), asio::use_future);
    io.restart();
    io.run();
    return future.get();
  };
  const std::string s = "/v1/sessions/" + kId;
  // The per-session switch limit (2 per second) is the tighter one here.
  auto first = send(s + "/switch", verb::post);
  EXPECT_EQ(first.result_int(), 200u);
  EXPECT_EQ(first["RateLimit-Limit"], "2");
  EXPECT_EQ(first["RateLimit-Remaining"], "1");
  EXPECT_EQ(send(s + "/switch", verb::post).result_int(), 200u);
  auto refused = send(s + "/switch", verb::post);
  EXPECT_EQ(refused.result_int(), 429u);
  EXPECT_NE(refused.body().find("RATE_LIMIT_EXCEEDED"), std::string::npos);
  EXPECT_EQ(refused["Retry-After"], "1");
  EXPECT_EQ(refused["RateLimit-Remaining"], "0");
  // Another session's switches have their own budget; the client budget (5) is shared.
  EXPECT_EQ(send("/v1/sessions/" + kOther + "/switch", verb::post).result_int(), 200u);
  auto get = send(s, verb::get);
  EXPECT_EQ(get.result_int(), 200u);
  EXPECT_EQ(get["RateLimit-Limit"], "5");
  EXPECT_EQ(send(s, verb::get).result_int(), 429u);  // 6th request of this client
  sessions.clock_.advance(std::chrono::seconds{1});
  EXPECT_EQ(send(s + "/switch", verb::post).result_int(), 200u);
  EXPECT_NE(metrics.serialize().find(R"(synckairos_rate_limited_total{limit="switch"} 1)"),
            std::string::npos);
}

// The shared limiter unreachable: reads pass, writes answer 503 like a store outage.
class DownLimiter final : public limits::RateLimiter {
 public:
  asio::awaitable<Result<limits::RateDecision>> take(std::string_view, limits::RateLimit) override {
    co_return Error::unavailable("redis");
  }
};

TEST_F(GuardedRouterTest, LimiterDownFailsOpenForReadsAndClosedForWrites) {
  DownLimiter down;
  options.verifier = nullptr;
  options.limiter = &down;
  build();
  auto send = [&](const std::string& target, verb method) {
    Request req{method, target, 11};
    auto future = asio::co_spawn(io, guarded_ptr->handle(std::move(req)), asio::use_future);
    io.restart();
    io.run();
    return future.get().result_int();
  };
  EXPECT_EQ(send("/v1/sessions/" + kId, verb::get), 200u);
  EXPECT_EQ(send("/v1/sessions/" + kId + "/pause", verb::post), 503u);
}

// The token of `who` ("host", "viewer" or a participant id) in a share answer.
std::string share_token(const std::string& body, const std::string& who) {
  std::string marker = who == "host" || who == "viewer"
                           ? "\"" + who + "\":{\"token\":\""
                           : "\"participant_id\":\"" + who + "\",\"token\":\"";
  const auto at = body.find(marker);
  if (at == std::string::npos) return {};
  const auto start = at + marker.size();
  return body.substr(start, body.find('"', start) - start);
}

TEST_F(RouterTest, ShareWithoutAuthNamesThePlayersAndCarriesNoTokens) {
  const auto res = call(verb::post, "/v1/sessions/" + kId + "/share");
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_NE(res.body().find(R"("auth":false,"can_mint":true,"expires_at":null)"), std::string::npos)
      << res.body();
  EXPECT_NE(res.body().find(R"("host":{"token":null})"), std::string::npos);
  EXPECT_NE(res.body().find(R"("viewer":{"token":null})"), std::string::npos);
  ASSERT_EQ(sessions.calls.size(), 1u);
  EXPECT_EQ(sessions.calls[0].use_case, "get");
  const auto s = engine::testing::chess(std::chrono::seconds{60}, std::chrono::milliseconds{0});
  for (const auto& p : s.participants) {
    EXPECT_NE(res.body().find(R"({"participant_id":")" + p.participant_id.to_string() +
                              R"(","token":null})"),
              std::string::npos)
        << res.body();
  }
  sessions.fail = Error::not_found();
  EXPECT_EQ(call(verb::post, "/v1/sessions/" + kId + "/share").result_int(), 404u);
  EXPECT_EQ(call(verb::post, "/v1/sessions/" + kId + "/share", R"({"x":1})").result_int(), 400u);
  EXPECT_EQ(call(verb::get, "/v1/sessions/" + kId + "/share").result_int(), 405u);
}

// A share link's token opens exactly what its holder may do, on that session only.
TEST_F(GuardedRouterTest, ShareLinksTokensOpenWhatEachHolderMayDo) {
  share_issuer.emplace(auth::ShareTokenSettings{kSecret, std::chrono::hours{24}, {}, {}});
  build();
  const std::string s = "/v1/sessions/" + kId;
  auto send = [&](const std::string& bearer, verb method, const std::string& target) {
    Request req{method, target, 11};
    if (!bearer.empty()) req.set(field::authorization, "Bearer " + bearer);
    req.prepare_payload();
    auto future = asio::co_spawn(io, guarded_ptr->handle(std::move(req)), asio::use_future);
    io.restart();
    io.run();
    sessions.clock_.advance(std::chrono::milliseconds{300});  // stay under the limits
    return future.get();
  };
  EXPECT_EQ(send("", verb::post, s + "/share").result_int(), 401u);
  const auto player_token = token(auth::Role::participant, {kId});
  EXPECT_EQ(send(player_token, verb::post, s + "/share").result_int(), 403u)
      << "a player may not hand out links";

  const auto res = send(token(auth::Role::arbiter, {kId}), verb::post, s + "/share");
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_NE(res.body().find(R"("auth":true,"can_mint":true,"expires_at":")"), std::string::npos)
      << res.body();
  const auto host = share_token(res.body(), "host");
  const auto viewer = share_token(res.body(), "viewer");
  const auto chess = engine::testing::chess(std::chrono::seconds{60}, std::chrono::milliseconds{0});
  const auto first = chess.participants.at(0).participant_id;
  const auto player = share_token(res.body(), first.to_string());
  ASSERT_FALSE(host.empty() || viewer.empty() || player.empty()) << res.body();

  const auto claims = verifier.verify(player, now_s()).claims;
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->sub, first.to_string());
  EXPECT_EQ(claims->sessions, std::vector<std::string>{kId});
  EXPECT_EQ(claims->exp, now_s() + 24 * 3600);

  EXPECT_EQ(send(viewer, verb::get, s).result_int(), 200u);
  // A viewer's switch reaches the engine acting as nobody who plays, which the engine
  // refuses (it must be the active participant: tests/security_test.cc).
  sessions.calls.clear();
  send(viewer, verb::post, s + "/switch");
  ASSERT_NE(last_command<domain::SwitchCommand>(), nullptr);
  const auto viewer_sub = last_command<domain::SwitchCommand>()->acting_participant_id;
  ASSERT_TRUE(viewer_sub);
  for (const auto& p : chess.participants) EXPECT_NE(*viewer_sub, p.participant_id);
  EXPECT_EQ(send(viewer, verb::post, s + "/pause").result_int(), 403u);
  EXPECT_EQ(send(player, verb::get, s).result_int(), 200u);
  EXPECT_EQ(send(player, verb::post, s + "/pause").result_int(), 403u);
  sessions.calls.clear();
  EXPECT_EQ(send(player, verb::post, s + "/switch").result_int(), 200u);
  ASSERT_NE(last_command<domain::SwitchCommand>(), nullptr);
  EXPECT_EQ(last_command<domain::SwitchCommand>()->acting_participant_id, first);
  EXPECT_EQ(send(host, verb::post, s + "/pause").result_int(), 200u);
  for (const auto* t : {&host, &viewer, &player}) {
    EXPECT_EQ(send(*t, verb::get, "/v1/sessions/" + kOther).result_int(), 403u);
  }
}

// A server that verifies tokens it cannot sign says so instead of failing.
TEST_F(GuardedRouterTest, ShareOnAVerifyOnlyServerSaysItCannotMint) {
  build();
  const auto res = [&] {
    Request req{verb::post, "/v1/sessions/" + kId + "/share", 11};
    req.set(field::authorization, "Bearer " + token(auth::Role::admin, {"*"}));
    auto future = asio::co_spawn(io, guarded_ptr->handle(std::move(req)), asio::use_future);
    io.restart();
    io.run();
    return future.get();
  }();
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_NE(res.body().find(R"("auth":true,"can_mint":false,"expires_at":null)"), std::string::npos)
      << res.body();
}

class WebPageRouterTest : public RouterTest {
 protected:
  static constexpr std::array<web::SourceFile, 3> kFiles{{
      {"web/index.html", "<!doctype html><title>SyncKairos</title>"},
      {"web/app/main.js", "export const x = 1;"},
      {"src/index.js", "export const sdk = 1;"},
  }};
  web::WebAssets assets = web::WebAssets::from_files(kFiles);
  Router page_router{sessions, metrics, waiter, ids, [this] {
                       RouterOptions o;
                       o.web = &assets;
                       return o;
                     }()};

  Response get(const std::string& target, verb method = verb::get, std::string etag = {}) {
    Request req{method, target, 11};
    if (!etag.empty()) req.set(field::if_none_match, etag);
    auto future = asio::co_spawn(io, page_router.handle(std::move(req)), asio::use_future);
    io.restart();
    io.run();
    return future.get();
  }
};

TEST_F(WebPageRouterTest, ServesThePageWithValidatorsAndAStrictPolicy) {
  const auto page = get("/");
  ASSERT_EQ(page.result_int(), 200u);
  EXPECT_EQ(page.body(), "<!doctype html><title>SyncKairos</title>");
  EXPECT_EQ(page[field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(page[field::cache_control], "no-cache");
  EXPECT_EQ(page["X-Content-Type-Options"], "nosniff");
  EXPECT_NE(page["Content-Security-Policy"].find("default-src 'self'"), std::string::npos);
  const std::string etag{page[field::etag]};
  ASSERT_EQ(etag.size(), 18u);

  const auto again = get("/", verb::get, etag);
  EXPECT_EQ(again.result_int(), 304u);
  EXPECT_TRUE(again.body().empty());
  EXPECT_EQ(get("/", verb::get, R"("0000000000000000")").result_int(), 200u);

  const auto head = get("/index.html", verb::head);
  EXPECT_EQ(head.result_int(), 200u);
  EXPECT_TRUE(head.body().empty());
  EXPECT_EQ(head[field::content_length], std::to_string(page.body().size()));

  const auto module = get("/sdk/index.js");
  EXPECT_EQ(module.result_int(), 200u);
  EXPECT_EQ(module[field::content_type], "text/javascript; charset=utf-8");
  EXPECT_TRUE(module["Content-Security-Policy"].empty()) << "the policy is the document's";
  EXPECT_EQ(get("/app/main.js").result_int(), 200u);
}

TEST_F(WebPageRouterTest, OnlyItsOwnFilesAndNeverOverTheApi) {
  for (const auto* path : {"/nope.js", "/../CMakeLists.txt", "/web/index.html",
                           "/sdk/../web/index.html", "/src/index.js"}) {
    EXPECT_EQ(get(path).result_int(), 404u) << path;
  }
  EXPECT_EQ(get("/", verb::post).result_int(), 404u);
  EXPECT_EQ(get("/").result_int(), 200u);
  EXPECT_EQ(get("/health").body(), R"({"status":"ok"})") << "API routes come first";
  const auto text = metrics.serialize();
  EXPECT_NE(text.find(R"(route="static")"), std::string::npos) << text;
}
}  // namespace
}  // namespace sk::server::http
