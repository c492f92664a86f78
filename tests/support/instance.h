// A real `synckairos` process for multi-process tests (multi_instance_test.cc,
// audit_test.cc): spawned with flags and environment of the test's choosing, its log
// kept for failure messages, its port read from its "listening" line; plus bounded
// HTTP helpers that open a fresh connection per call (instances die and servers
// restart under these tests).
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include "support/http_client.h"
#include "support/process.h"

namespace sk::testing {

using namespace std::chrono_literals;

// ---------------------------------------------------------------------------
// One synckairos process.

class Instance {
 public:
  Instance(std::string name, const std::string& redis_url, const std::string& key_prefix,
           const std::vector<std::string>& extra_args)
      : Instance(std::move(name), {"REDIS_URL=" + redis_url, "KEY_PREFIX=" + key_prefix},
                 extra_args) {}

  // `env`: NAME=value settings on top of the test's own environment.
  Instance(std::string name, const std::vector<std::string>& env,
           const std::vector<std::string>& extra_args)
      : name_(std::move(name)) {
    // The heartbeat is long so that a watcher the test is not reading at the moment
    // is never dropped as silent: keep-alive is not what these tests are about.
    // (A flag may be given once only: a test's own value replaces the default.)
    std::vector<std::string> args = extra_args;
    const std::vector<std::pair<std::string, std::string>> defaults{
        {"--host", "127.0.0.1"},
        {"--port", "0"},
        {"--threads", "2"},
        {"--heartbeat-ms", "30000"},
        {"--drain-timeout-ms", "3000"},
        // One client (127.0.0.1)
        // plays every part here:
        // rate limits are for the
        // tests that set them.
        {"--rate-limit-client-max", "0"},
        {"--rate-limit-switch-max", "0"},
        {"--rate-limit-ws-connect-max", "0"}};
    for (const auto& [flag, value] : defaults) {
      if (std::find(extra_args.begin(), extra_args.end(), flag) != extra_args.end()) continue;
      args.push_back(flag);
      args.push_back(value);
    }
    child_ = spawn(args, false, env);
    reader_ = std::thread([this] { read_logs(); });
    std::unique_lock lock(mu_);
    const bool logged = cv_.wait_for(lock, 30s, [this] { return port_ || eof_; });
    if (!logged || !port_) {
      lock.unlock();
      const auto code = stop();
      throw std::runtime_error(fmt::format("{} did not log its port (exit {}); its log:\n{}", name_,
                                           code.value_or(-1), log_tail()));
    }
  }
  ~Instance() { stop(); }
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  const std::string& name() const { return name_; }
  std::uint16_t port() const { return *port_; }

  // SIGTERM (drain), SIGKILL if it does not exit in time; returns its exit code.
  std::optional<int> stop() {
    if (!exit_code_ && child_.pid > 0) {
      // -1 if it did not drain (killed): reported as a failure by the fixture.
      exit_code_ = stop_process(child_.pid, SIGTERM, 10s).value_or(-1);
    }
    finish_reading();
    return exit_code_;
  }

  // SIGKILL: a crash, no drain.
  int kill_now() {
    if (!exit_code_) exit_code_ = kill_and_wait(child_.pid).value_or(-1);
    finish_reading();
    return *exit_code_;
  }

  bool running() {
    if (exit_code_) return false;
    exit_code_ = wait_exit_for(child_.pid, 0ms);
    return !exit_code_;
  }

  std::string log_tail(std::size_t max = 6000) const {
    std::lock_guard lock(mu_);
    return log_.size() > max ? log_.substr(log_.size() - max) : log_;
  }

 private:
  // Runs on its own thread until the child's stderr ends: keeps the log (for
  // failure messages) and drains the pipe, so a chatty child never blocks on it.
  void read_logs() {
    static const std::regex listening{R"re("msg":"listening".*"port":(\d+))re"};
    std::string pending;
    std::array<char, 4096> buf{};
    for (;;) {
      const auto n = ::read(child_.out_fd, buf.data(), buf.size());
      if (n <= 0) break;
      pending.append(buf.data(), static_cast<std::size_t>(n));
      std::size_t eol = 0;
      while ((eol = pending.find('\n')) != std::string::npos) {
        const std::string line = pending.substr(0, eol);
        pending.erase(0, eol + 1);
        std::smatch m;
        std::lock_guard lock(mu_);
        log_ += line;
        log_ += '\n';
        if (!port_ && std::regex_search(line, m, listening)) {
          port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
          cv_.notify_all();
        }
      }
    }
    std::lock_guard lock(mu_);
    log_ += pending;
    eof_ = true;
    cv_.notify_all();
  }

  void finish_reading() {
    if (reader_.joinable()) reader_.join();
    if (child_.out_fd >= 0) {
      ::close(child_.out_fd);
      child_.out_fd = -1;
    }
  }

  std::string name_;
  Child child_;
  std::thread reader_;
  std::optional<int> exit_code_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string log_;                    // guarded by mu_
  std::optional<std::uint16_t> port_;  // guarded by mu_ until the constructor returns
  bool eof_ = false;                   // guarded by mu_
};

// ---------------------------------------------------------------------------
// HTTP: a fresh connection per call (instances die and Redis restarts under the
// tests), each bounded so a hanging server fails the test instead of stalling it.

inline HttpResponse call(const Instance& i, boost::beast::http::verb method,
                         const std::string& target, const std::string& body = {},
                         std::chrono::milliseconds limit = 10s) {
  HttpClient client{i.port()};
  client.set_timeout(limit);
  return client.request(method, target, body);
}
inline HttpResponse get(const Instance& i, const std::string& target) {
  return call(i, boost::beast::http::verb::get, target);
}
inline HttpResponse post(const Instance& i, const std::string& target,
                         const std::string& body = {}) {
  return call(i, boost::beast::http::verb::post, target, body);
}

inline std::string session_path(const std::string& id, const std::string& action = {}) {
  return "/v1/sessions/" + id + (action.empty() ? "" : "/" + action);
}

inline std::string error_code(const HttpResponse& r) {
  try {
    return r.json()["error"]["code"].str();
  } catch (const std::exception&) {
    return "(no error code in: " + r.body + ")";
  }
}

// /ready's status, or 0 if the instance does not answer at all.
inline unsigned ready_status(const Instance& i) {
  try {
    return call(i, boost::beast::http::verb::get, "/ready", {}, 5s).status;
  } catch (const std::exception&) {
    return 0;
  }
}

// Polls /ready until it answers `status`; false if it did not within `limit`.
inline bool ready_becomes(const Instance& i, unsigned status, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (ready_status(i) == status) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(50ms);
  }
}

// A test's end: every instance still running must drain and exit 0 (a sanitizer
// report in a server process ends it with another code); on failure, every log.
inline void stop_all(std::vector<std::unique_ptr<Instance>>& instances, bool failed) {
  for (auto& i : instances) {
    const bool was_running = i->running();
    const auto code = i->stop();
    if (was_running) {
      EXPECT_EQ(code.value_or(-1), 0) << i->name() << " did not exit cleanly; its log:\n"
                                      << i->log_tail();
    }
  }
  if (failed || ::testing::Test::HasFailure()) {
    for (auto& i : instances) {
      std::cerr << "---- log of instance " << i->name() << " (tail) ----\n"
                << i->log_tail() << "\n";
    }
  }
  instances.clear();
}

}  // namespace sk::testing
