// RedisServerFixture: a real redis-server for tests, on a free loopback port in a
// fresh temporary directory. Header-only test support (store engine and multi-instance
// tests reuse it); never linked into a library.
//
// - start() launches `redis-server` (PATH, then /usr/bin) and returns once it answers
//   PING; start() after stop() restarts it on the SAME port (restart scenarios).
// - stop() sends SIGTERM and waits (with persistence on, the AOF is flushed); kill()
//   sends SIGKILL. The destructor kills it and removes the directory.
// - cli(...) runs one command synchronously (hiredis' blocking API, fine in a test).
// - A missing redis-server is an exception with a clear message, so the test FAILS
//   (never skips): CI installs redis-server.
//
// The server is started with PR_SET_PDEATHSIG, so it dies with the thread that started
// it if the test crashes: call start() from the test's main thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/redis/reply.h"

namespace sk::store::redis::testing {

struct RedisServerOptions {
  std::string password;      // non-empty: requirepass
  bool persistence = false;  // true: AOF (fsync always) in the temp dir; false: nothing
};

class RedisServerFixture {
 public:
  using Options = RedisServerOptions;

  explicit RedisServerFixture(Options options = {}) : options_(std::move(options)) {
    binary_ = find_binary();
    char tmpl[] = "/tmp/sk-redis-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    port_ = free_port();
    start();
  }
  ~RedisServerFixture() {
    kill();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  RedisServerFixture(const RedisServerFixture&) = delete;
  RedisServerFixture& operator=(const RedisServerFixture&) = delete;

  std::uint16_t port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_; }
  bool running() const { return pid_ > 0; }

  // redis://[:password@]127.0.0.1:port/db
  std::string url(int db = 0) const {
    const std::string auth = options_.password.empty() ? "" : ":" + options_.password + "@";
    return "redis://" + auth + "127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(db);
  }
  std::string url_without_password(int db = 0) const {
    return "redis://127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(db);
  }

  void start() {
    if (running()) return;
    std::vector<std::string> args = {binary_,
                                     "--port",
                                     std::to_string(port_),
                                     "--bind",
                                     "127.0.0.1",
                                     "--dir",
                                     dir_.string(),
                                     "--logfile",
                                     (dir_ / "redis.log").string(),
                                     "--daemonize",
                                     "no",
                                     "--protected-mode",
                                     "no",
                                     "--enable-debug-command",
                                     "yes",
                                     "--save",
                                     ""};
    if (options_.persistence) {
      args.insert(args.end(), {"--appendonly", "yes", "--appendfsync", "always"});
    } else {
      args.insert(args.end(), {"--appendonly", "no"});
    }
    if (!options_.password.empty()) args.insert(args.end(), {"--requirepass", options_.password});

    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      // Child: only async-signal-safe calls until exec.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      // Not one of the test's descriptors: a restarted server holding a test client's
      // socket would keep that connection open after the client closed it.
      ::close_range(3, ~0U, 0);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    pid_ = pid;
    wait_until_ready();
  }

  // SIGTERM and wait: a clean shutdown.
  void stop() { signal_and_wait(SIGTERM); }
  // SIGKILL and wait: a crash.
  void kill() { signal_and_wait(SIGKILL); }

  // Runs one command, e.g. cli({"FLUSHALL"}) or cli({"DEBUG", "SLEEP", "1"}).
  Reply cli(const std::vector<std::string>& args) const {
    redisContext* c = connect(std::chrono::milliseconds(1000));
    if (c == nullptr) throw std::runtime_error("cli: cannot connect to redis-server");
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lengths.push_back(a.size());
    }
    auto* raw = static_cast<redisReply*>(
        ::redisCommandArgv(c, static_cast<int>(args.size()), argv.data(), lengths.data()));
    if (raw == nullptr) {
      std::string err = c->errstr;
      ::redisFree(c);
      throw std::runtime_error("cli: " + err);
    }
    Reply reply = to_reply(*raw);
    ::freeReplyObject(raw);
    ::redisFree(c);
    return reply;
  }

 private:
  static std::string find_binary() {
    if (const char* path = std::getenv("PATH")) {
      std::stringstream dirs(path);
      std::string d;
      while (std::getline(dirs, d, ':')) {
        const auto candidate = std::filesystem::path(d) / "redis-server";
        if (!d.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
      }
    }
    if (::access("/usr/bin/redis-server", X_OK) == 0) return "/usr/bin/redis-server";
    throw std::runtime_error(
        "redis-server not found on PATH nor at /usr/bin/redis-server: the Redis tests need a "
        "real server (apt-get install redis-server)");
  }

  // Asks the kernel for a free port. Another process could take it before the server
  // binds it; on a test machine that is rare, and start() then fails loudly.
  static std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(0x7f000001u);  // 127.0.0.1
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ::close(fd);
      throw std::runtime_error("cannot find a free port");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
  }

  // A connected (and authenticated) context, or nullptr.
  redisContext* connect(std::chrono::milliseconds timeout) const {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
    const timeval tv{static_cast<time_t>(us / 1'000'000), static_cast<suseconds_t>(us % 1'000'000)};
    redisContext* c = ::redisConnectWithTimeout("127.0.0.1", port_, tv);
    if (c == nullptr || c->err != 0) {
      if (c != nullptr) ::redisFree(c);
      return nullptr;
    }
    ::redisSetTimeout(c, timeval{30, 0});
    if (!options_.password.empty()) {
      auto* r = static_cast<redisReply*>(::redisCommand(c, "AUTH %s", options_.password.c_str()));
      const bool ok = r != nullptr && r->type != REDIS_REPLY_ERROR;
      if (r != nullptr) ::freeReplyObject(r);
      if (!ok) {
        ::redisFree(c);
        return nullptr;
      }
    }
    return c;
  }

  void wait_until_ready() {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < until) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("redis-server exited at start-up; its log:\n" + log_tail());
      }
      if (redisContext* c = connect(std::chrono::milliseconds(200))) {
        auto* r = static_cast<redisReply*>(::redisCommand(c, "PING"));
        const bool pong = r != nullptr && r->type == REDIS_REPLY_STATUS;  // not LOADING
        if (r != nullptr) ::freeReplyObject(r);
        ::redisFree(c);
        if (pong) return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill();
    throw std::runtime_error("redis-server did not answer PING within 10 s; its log:\n" +
                             log_tail());
  }

  void signal_and_wait(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  std::string log_tail() const {
    std::ifstream in(dir_ / "redis.log");
    std::stringstream s;
    s << in.rdbuf();
    std::string all = s.str();
    return all.size() > 4000 ? all.substr(all.size() - 4000) : all;
  }

  Options options_;
  std::string binary_;
  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace sk::store::redis::testing
