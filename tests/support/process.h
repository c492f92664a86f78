// Child processes for the tests that run the real `synckairos` binary (SK_BINARY_PATH):
// spawn it with arguments and extra environment variables, read what it logs, and
// wait for or signal it. For tests only.
//
// The child is started with PR_SET_PDEATHSIG, so it dies with the thread that
// started it if the test crashes: spawn from the test's main thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace sk::testing {

struct Child {
  pid_t pid = -1;
  int out_fd = -1;  // the child's stderr (logs), or its stdout if asked for
};

// Starts SK_BINARY_PATH with `args`; `env` ("NAME=value") is added to (and overrides)
// this process's environment.
inline Child spawn(std::vector<std::string> args, bool capture_stdout = false,
                   const std::vector<std::string>& env = {}) {
  // Everything the child needs is built before fork: after it, only
  // async-signal-safe calls until exec.
  args.insert(args.begin(), SK_BINARY_PATH);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::vector<std::string> environment;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry{*e};
    const auto name = entry.substr(0, entry.find('=') + 1);
    bool overridden = false;
    for (const auto& x : env) overridden = overridden || x.starts_with(name);
    if (!overridden) environment.push_back(entry);
  }
  environment.insert(environment.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (auto& e : environment) envp.push_back(e.data());
  envp.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    dup2(fds[1], capture_stdout ? 1 : 2);
    // None of the test's sockets: the child must not keep a test client's connection
    // open after the test closed it.
    close_range(3, ~0U, 0);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(fds[1]);
  return Child{pid, fds[0]};
}

// One line without its newline; empty at end of file.
inline std::string read_line(int fd) {
  std::string line;
  char ch = 0;
  while (read(fd, &ch, 1) == 1) {
    if (ch == '\n') break;
    line.push_back(ch);
  }
  return line;
}

inline std::string read_all(int fd) {
  std::string out;
  std::array<char, 4096> buf{};
  ssize_t n = 0;
  while ((n = read(fd, buf.data(), buf.size())) > 0)
    out.append(buf.data(), static_cast<std::size_t>(n));
  return out;
}

// The exit code, or 128 + the signal that ended it.
inline int exit_code(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

inline int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return exit_code(status);
}

// Like wait_exit, but gives up after `limit`: nullopt if it is still running.
inline std::optional<int> wait_exit_for(pid_t pid, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return exit_code(status);
    if (std::chrono::steady_clock::now() >= until) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
}

struct Captured {
  int exit_code = -1;
  std::string output;  // what it printed on stdout
};

// Runs SK_BINARY_PATH to completion (a command such as `migrate`).
inline Captured run_and_capture(std::vector<std::string> args,
                                const std::vector<std::string>& env = {}) {
  const Child child = spawn(std::move(args), true, env);
  Captured c;
  c.output = read_all(child.out_fd);
  close(child.out_fd);
  c.exit_code = wait_exit(child.pid);
  return c;
}

}  // namespace sk::testing
