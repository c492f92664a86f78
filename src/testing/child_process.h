// Child processes for tests, written once: the redis-server and postgres fixtures
// (src/store/redis/redis_server_fixture.h, src/audit/postgres/postgres_server_fixture.h)
// and the tests that run the real `synckairos` binary (tests/support/process.h) all
// start, signal, reap and read their children here. Header-only test support; never
// linked into a library.
//
// - spawn_process() forks and execs with the child's stdout/stderr piped to the test
//   or appended to a log file, an environment on top of ours, optionally as another
//   user (postgres refuses to run as root). Every child gets PR_SET_PDEATHSIG, so it
//   dies with the thread that started it if the test crashes: spawn from the test's
//   main thread. None of the test's descriptors is inherited (close_range): a child
//   holding a test client's socket would keep that connection open after the test
//   closed it.
// - signal_and_wait(), stop_process() (a signal, then SIGKILL after a patience) and
//   kill_and_wait() reap the child, so no zombie is left and a pid is never signalled twice.
// - log_tail() for failure messages, free_port() for servers that need a port
//   before they start.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace sk::testing {

struct SpawnOptions {
  // Where the child's stdout and stderr go.
  enum class Output {
    inherit,      // the test's own
    pipe_stderr,  // stderr to Spawned::out_fd (logs), stdout inherited
    pipe_stdout,  // stdout to Spawned::out_fd, stderr inherited
    log_file,     // both appended to `log`, stdin from /dev/null
  };
  Output output = Output::inherit;
  std::filesystem::path log;     // for log_file
  std::vector<std::string> env;  // "NAME=value", added to (and overriding) ours
  // Non-zero: the child drops to this user and group before exec (when we are root).
  uid_t uid = 0;
  gid_t gid = 0;
};

struct Spawned {
  pid_t pid = -1;
  int out_fd = -1;  // the read end of the pipe (pipe_*), else -1; the caller closes it
};

// Starts argv[0] (a path) with `argv`. Throws if it cannot fork; a child that cannot
// exec exits 127 (126: it could not switch user).
inline Spawned spawn_process(std::vector<std::string> argv, const SpawnOptions& options = {}) {
  // Everything the child needs is built before fork: after it, only
  // async-signal-safe calls until exec.
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);

  std::vector<std::string> environment;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry{*e};
    const auto name = entry.substr(0, entry.find('=') + 1);
    bool overridden = false;
    for (const auto& x : options.env) overridden = overridden || x.starts_with(name);
    if (!overridden) environment.push_back(entry);
  }
  environment.insert(environment.end(), options.env.begin(), options.env.end());
  std::vector<char*> envp;
  for (auto& e : environment) envp.push_back(e.data());
  envp.push_back(nullptr);

  using Output = SpawnOptions::Output;
  int pipe_fds[2] = {-1, -1};
  int log_fd = -1;
  if (options.output == Output::pipe_stderr || options.output == Output::pipe_stdout) {
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  } else if (options.output == Output::log_file) {
    log_fd = ::open(options.log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) throw std::runtime_error("cannot open " + options.log.string());
    if (options.uid != 0 && ::fchown(log_fd, options.uid, options.gid) != 0) {
      ::close(log_fd);
      throw std::runtime_error("fchown failed");
    }
  }
  const auto close_ours = [&] {
    if (pipe_fds[1] >= 0) ::close(pipe_fds[1]);
    if (log_fd >= 0) ::close(log_fd);
  };
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    close_ours();
    if (pipe_fds[0] >= 0) ::close(pipe_fds[0]);
    throw std::runtime_error("fork failed");
  }
  if (pid == 0) {
    if (options.output == Output::pipe_stderr) ::dup2(pipe_fds[1], 2);
    if (options.output == Output::pipe_stdout) ::dup2(pipe_fds[1], 1);
    if (options.output == Output::log_file) {
      ::dup2(log_fd, 1);
      ::dup2(log_fd, 2);
      const int devnull = ::open("/dev/null", O_RDONLY);
      if (devnull >= 0) ::dup2(devnull, 0);
    }
    if (options.uid != 0) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(options.gid) != 0 ||
          ::setuid(options.uid) != 0) {
        ::_exit(126);
      }
    }
    // After setuid, which clears the parent-death signal.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::close_range(3, ~0U, 0);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  close_ours();
  return Spawned{pid, pipe_fds[0]};
}

// The exit code, or 128 + the signal that ended it.
inline int exit_code(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Reaps `pid`: its exit code.
inline int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return exit_code(status);
}

// Like wait_exit, but gives up after `limit`: nullopt if it is still running (a
// bounded poll of waitpid; there is no waitpid with a timeout).
inline std::optional<int> wait_exit_for(pid_t pid, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return exit_code(status);
    if (std::chrono::steady_clock::now() >= until) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
}

// Sends `sig` to `pid` and reaps it; `pid` becomes -1. Its exit code; nullopt (and
// nothing sent) if `pid` was not a child that runs (<= 0).
inline std::optional<int> signal_and_wait(pid_t& pid, int sig) {
  if (pid <= 0) return std::nullopt;
  ::kill(pid, sig);
  const int code = wait_exit(pid);
  pid = -1;
  return code;
}

// `sig` (a clean shutdown), then SIGKILL if it has not exited within `patience`;
// reaped either way, `pid` becomes -1. The exit code, or nullopt if it had to be
// killed (or was not running).
inline std::optional<int> stop_process(pid_t& pid, int sig, std::chrono::milliseconds patience) {
  if (pid <= 0) return std::nullopt;
  ::kill(pid, sig);
  auto code = wait_exit_for(pid, patience);
  if (!code) {
    ::kill(pid, SIGKILL);
    wait_exit(pid);
  }
  pid = -1;
  return code;
}

// SIGKILL and reap: a crash. The exit code (128 + 9), nullopt if it was not running.
inline std::optional<int> kill_and_wait(pid_t& pid) { return signal_and_wait(pid, SIGKILL); }

// The last `max` bytes of a log file ("" if it cannot be read).
inline std::string log_tail(const std::filesystem::path& file, std::size_t max = 4000) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  std::string all = s.str();
  return all.size() > max ? all.substr(all.size() - max) : all;
}

// Asks the kernel for a free loopback port. Another process could take it before the
// server binds it; on a test machine that is rare, and the server's start then fails
// loudly.
// True if 127.0.0.1:port can be bound now.
inline bool port_is_free(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(0x7f000001u);
  addr.sin_port = htons(port);
  const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return free;
}

inline std::uint16_t free_port() {
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

}  // namespace sk::testing
