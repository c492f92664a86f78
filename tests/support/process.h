// The real `synckairos` binary (SK_BINARY_PATH) as a child process: spawn it with
// arguments and extra environment variables, read what it logs or prints. Starting,
// waiting for and signalling it is testing/child_process.h's (wait_exit,
// wait_exit_for, stop_process, ...), shared with the redis-server and postgres
// fixtures. For tests only; spawn from the test's main thread (PR_SET_PDEATHSIG).
#pragma once

#include <array>
#include <string>
#include <vector>

#include <unistd.h>

#include "testing/child_process.h"

namespace sk::testing {

struct Child {
  pid_t pid = -1;
  int out_fd = -1;  // the child's stderr (logs), or its stdout if asked for
};

// Starts SK_BINARY_PATH with `args`; `env` ("NAME=value") is added to (and overrides)
// this process's environment.
inline Child spawn(std::vector<std::string> args, bool capture_stdout = false,
                   const std::vector<std::string>& env = {}) {
  args.insert(args.begin(), SK_BINARY_PATH);
  SpawnOptions options;
  options.output =
      capture_stdout ? SpawnOptions::Output::pipe_stdout : SpawnOptions::Output::pipe_stderr;
  options.env = env;
  const auto spawned = spawn_process(std::move(args), options);
  return Child{spawned.pid, spawned.out_fd};
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
