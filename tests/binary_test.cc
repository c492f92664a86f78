// The real `synckairos` binary as a user runs it: --help lists every setting with
// its environment variable; it starts on the embedded engine, logs JSON with the
// port it listens on, serves, and drains on SIGTERM with exit code 0.
#include <array>
#include <chrono>
#include <cstdio>
#include <regex>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/http_client.h"
#include "support/ws_client.h"

extern char** environ;

namespace sk::testing {
namespace {

struct Child {
  pid_t pid = -1;
  int out_fd = -1;  // the child's stderr (logs)
};

Child spawn(std::vector<std::string> args, bool capture_stdout = false) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], capture_stdout ? 1 : 2);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::vector<char*> argv;
  args.insert(args.begin(), SK_BINARY_PATH);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  Child c;
  if (posix_spawn(&c.pid, SK_BINARY_PATH, &actions, nullptr, argv.data(), environ) != 0) {
    throw std::runtime_error("spawn");
  }
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  c.out_fd = fds[0];
  return c;
}

std::string read_line(int fd) {
  std::string line;
  char ch = 0;
  while (read(fd, &ch, 1) == 1) {
    if (ch == '\n') break;
    line.push_back(ch);
  }
  return line;
}

std::string read_all(int fd) {
  std::string out;
  std::array<char, 4096> buf{};
  ssize_t n = 0;
  while ((n = read(fd, buf.data(), buf.size())) > 0)
    out.append(buf.data(), static_cast<std::size_t>(n));
  return out;
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(Binary, HelpListsEverySettingWithItsEnvironmentVariable) {
  auto c = spawn({"--help"}, true);
  const auto help = read_all(c.out_fd);
  EXPECT_EQ(wait_exit(c.pid), 0);
  for (const char* name :
       {"PORT", "HOST", "LOG_LEVEL", "CORS_ORIGIN", "SESSION_TTL_S", "THREADS", "REDIS_URL",
        "KEY_PREFIX", "REDIS_POOL_SIZE", "MAX_BODY_BYTES", "HEARTBEAT_MS", "DRAIN_TIMEOUT_MS"}) {
    EXPECT_NE(help.find(name), std::string::npos) << name << " missing from --help:\n" << help;
  }
}

TEST(Binary, RejectsABadSetting) {
  auto c = spawn({"--port", "not-a-port"});
  read_all(c.out_fd);
  EXPECT_EQ(wait_exit(c.pid), 2);
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

}  // namespace
}  // namespace sk::testing
