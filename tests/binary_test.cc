// The real `synckairos` binary as a user runs it: --help lists every setting with
// its environment variable; it starts on the embedded engine, logs JSON with the
// port it listens on, serves, and drains on SIGTERM with exit code 0.
#include <chrono>
#include <optional>
#include <regex>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <signal.h>

#include "store/redis/redis_cluster_fixture.h"
#include "support/http_client.h"
#include "support/process.h"
#include "support/ws_client.h"

namespace sk::testing {
namespace {

TEST(Binary, HelpListsEverySettingWithItsEnvironmentVariable) {
  auto c = spawn({"--help"}, true);
  const auto help = read_all(c.out_fd);
  EXPECT_EQ(wait_exit(c.pid), 0);
  for (const char* name : {"PORT", "HOST", "LOG_LEVEL", "CORS_ORIGIN", "SESSION_TTL_S", "THREADS",
                           "REDIS_URL", "KEY_PREFIX", "REDIS_POOL_SIZE", "REDIS_WRITE_CACHE_BYTES",
                           "MAX_BODY_BYTES", "HEARTBEAT_MS", "DRAIN_TIMEOUT_MS", "AUDIT_CONSUME"}) {
    EXPECT_NE(help.find(name), std::string::npos) << name << " missing from --help:\n" << help;
  }
}

TEST(Binary, RejectsABadSetting) {
  auto c = spawn({"--port", "not-a-port"});
  read_all(c.out_fd);
  EXPECT_EQ(wait_exit(c.pid), 2);
}

TEST(Binary, RejectsLeavingTheEmbeddedEnginesAuditToOtherProcesses) {
  auto c = spawn({"--port", "0"}, false, {"AUDIT_CONSUME=false"});
  const auto log = read_all(c.out_fd);
  EXPECT_EQ(wait_exit(c.pid), 2) << log;
  EXPECT_NE(log.find("AUDIT_CONSUME=false needs REDIS_URL"), std::string::npos) << log;
}

TEST(Binary, RefusesAPlainRedisUrlAtAClusterNodeWithTheHint) {
  store::redis::testing::RedisServerOptions options;
  options.port = store::redis::testing::free_cluster_port();
  options.extra_args = {"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"};
  store::redis::testing::RedisServerFixture node(options);
  auto c = spawn({"--port", "0"}, false, {"REDIS_URL=" + node.url()});
  const auto log = read_all(c.out_fd);
  EXPECT_EQ(wait_exit(c.pid), 2) << log;
  EXPECT_NE(log.find("is a Redis Cluster node: use REDIS_URL=redis+cluster://"), std::string::npos)
      << log;
  // REDIS_CLUSTER=true makes the same URL a seed; this lone node serves no slot yet.
  auto seed = spawn({"--port", "0"}, false, {"REDIS_URL=" + node.url(), "REDIS_CLUSTER=true"});
  const auto seed_log = read_all(seed.out_fd);
  EXPECT_EQ(wait_exit(seed.pid), 2) << seed_log;
  EXPECT_NE(seed_log.find("slots no master serves: 0-16383"), std::string::npos) << seed_log;
}

TEST(Binary, ServesThenDrainsOnSigterm) {
  auto c = spawn({"--host", "127.0.0.1", "--port", "0", "--heartbeat-ms", "1000"});
  const auto line = read_line(c.out_fd);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(line, m, std::regex{R"re("msg":"listening".*"port":(\d+))re"}))
      << line;
  EXPECT_EQ(line.front(), '{');
  const auto port = static_cast<std::uint16_t>(std::stoi(m[1]));

  HttpClient http{port};
  EXPECT_EQ(http.get("/health").status, 200u);
  WsClient ws{port, "/ws?sessionId=5e550000-0000-4000-8000-00000000000a"};
  EXPECT_EQ(ws.next_json()["type"].str(), "CONNECTED");

  const auto t0 = std::chrono::steady_clock::now();
  kill(c.pid, SIGTERM);
  // WebSocket clients are told the server is going away.
  while (ws.next(std::chrono::seconds{5})) {
  }
  EXPECT_EQ(ws.close_reason().code, 1001);
  EXPECT_EQ(wait_exit(c.pid), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds{15});
  const auto rest = read_all(c.out_fd);
  EXPECT_NE(rest.find(R"("msg":"draining")"), std::string::npos) << rest;
  EXPECT_NE(rest.find(R"("msg":"stopped")"), std::string::npos) << rest;
}

// A long poll may wait 30 s, twice the drain budget: the drain answers it at once
// (304: nothing changed) rather than holding the exit or cutting it off.
TEST(Binary, TheDrainAnswersOpenLongPolls) {
  auto c = spawn({"--host", "127.0.0.1", "--port", "0"});
  const auto line = read_line(c.out_fd);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(line, m, std::regex{R"re("port":(\d+))re"})) << line;
  const auto port = static_cast<std::uint16_t>(std::stoi(m[1]));
  const std::string id = "5e550000-0000-4000-8000-00000000000b";
  HttpClient http{port};
  ASSERT_EQ(
      http.post(
              "/v1/sessions",
              R"({"session_id":")" + id +
                  R"(","sync_mode":"per_participant","participants":[)"
                  R"({"participant_id":"11111111-1111-4111-8111-111111111111","total_time_ms":60000}]})")
          .status,
      201u);
  std::optional<unsigned> polled;
  std::thread poller([&] {
    HttpClient client{port};
    client.set_timeout(std::chrono::seconds{40});
    polled = client.get("/v1/sessions/" + id + "?since_version=1&wait_ms=30000").status;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds{500});  // the poll is waiting
  const auto t0 = std::chrono::steady_clock::now();
  kill(c.pid, SIGTERM);
  poller.join();
  EXPECT_EQ(polled, 304u);
  EXPECT_EQ(wait_exit(c.pid), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds{8})
      << "the drain waited for the long poll";
  read_all(c.out_fd);
}

}  // namespace
}  // namespace sk::testing
