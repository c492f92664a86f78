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
// The server is a child process of testing/child_process.h (PR_SET_PDEATHSIG: it dies
// with the thread that started it if the test crashes, so call start() from the
// test's main thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/redis/reply.h"
#include "testing/child_process.h"

namespace sk::store::redis::testing {

struct RedisServerOptions {
  std::string password;                 // non-empty: requirepass
  bool persistence = false;             // true: AOF (fsync always) in the temp dir; false: nothing
  std::uint16_t port = 0;               // 0: a free one
  std::vector<std::string> extra_args;  // e.g. {"--cluster-enabled", "yes"}
};

class RedisServerFixture {
 public:
  using Options = RedisServerOptions;

  explicit RedisServerFixture(Options options = {}) : options_(std::move(options)) {
    binary_ = find_binary();
    char tmpl[] = "/tmp/sk-redis-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    port_ = options_.port != 0 ? options_.port : ::sk::testing::free_port();
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
  pid_t pid() const { return pid_; }  // for SIGSTOP/SIGCONT (a node that stops answering)

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
    args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());

    pid_ = ::sk::testing::spawn_process(std::move(args)).pid;
    wait_until_ready();
  }

  // SIGTERM and wait: a clean shutdown.
  void stop() { ::sk::testing::signal_and_wait(pid_, SIGTERM); }
  // SIGKILL and wait: a crash.
  void kill() { ::sk::testing::kill_and_wait(pid_); }

  // False while the server is busy (a DEBUG SLEEP is running): a PING on a fresh
  // connection gets no reply within `limit`. (Without a password: AUTH would wait.)
  bool answers_within(std::chrono::milliseconds limit) const {
    redisContext* c = connect(limit);
    if (c == nullptr) return false;
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(limit).count();
    ::redisSetTimeout(
        c, timeval{static_cast<time_t>(us / 1'000'000), static_cast<suseconds_t>(us % 1'000'000)});
    auto* r = static_cast<redisReply*>(::redisCommand(c, "PING"));
    const bool answered = r != nullptr;
    if (r != nullptr) ::freeReplyObject(r);
    ::redisFree(c);
    return answered;
  }

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

  std::string log_tail() const { return ::sk::testing::log_tail(dir_ / "redis.log"); }

  Options options_;
  std::string binary_;
  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace sk::store::redis::testing
