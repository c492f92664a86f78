// Starting the fleet and applying faults to it (see fleet.h).
#include "chaos/fleet.h"

#include <charconv>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <signal.h>

#include "testing/child_process.h"

namespace sk::chaos {
namespace {

using namespace std::chrono_literals;

// The processes whose parent is `parent` (from /proc/PID/stat: "pid (comm) state ppid").
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> children;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string line;
    std::getline(in, line);
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 1));
    char state = 0;
    long ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent) children.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return children;
}

bool redis_answers(std::uint16_t port) {
  redisContext* c = ::redisConnectWithTimeout("127.0.0.1", port, timeval{0, 200000});
  if (c == nullptr || c->err != 0) {
    if (c != nullptr) ::redisFree(c);
    return false;
  }
  ::redisSetTimeout(c, timeval{1, 0});
  auto* r = static_cast<redisReply*>(::redisCommand(c, "PING"));
  const bool pong = r != nullptr && r->type == REDIS_REPLY_STATUS;  // not LOADING
  if (r != nullptr) ::freeReplyObject(r);
  ::redisFree(c);
  return pong;
}

std::int64_t field(const std::string& text, const std::string& name) {
  const auto at = text.find(name + " ");
  if (at == std::string::npos) throw std::runtime_error("no " + name + " in: " + text);
  return std::stoll(text.substr(at + name.size() + 1));
}

// The chaos players send far more than a client would (and from one address): the
// rate-limit flags that set every limit to 0 (off), for those this binary has. A
// binary built before rate limits existed has none, and `--help` says so.
std::vector<std::string> rate_limit_off_flags() {
  const auto help = testing::run_and_capture({"--help"});
  std::vector<std::string> flags;
  for (const char* flag :
       {"--rate-limit-client-max", "--rate-limit-switch-max", "--rate-limit-ws-connect-max"}) {
    if (help.output.find(std::string(flag) + " ") != std::string::npos) {
      flags.insert(flags.end(), {flag, "0"});
    }
  }
  return flags;
}

}  // namespace

// ---------------------------------------------------------------------------

RedisProcess::RedisProcess() {
  char tmpl[] = "/tmp/sk-chaos-redis-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  port_ = testing::free_port();
  start();
}

RedisProcess::~RedisProcess() {
  testing::kill_and_wait(pid_);
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string RedisProcess::url() const {
  return "redis://127.0.0.1:" + std::to_string(port_) + "/0";
}

void RedisProcess::start() {
  if (pid_ > 0) return;
  testing::SpawnOptions options;
  options.output = testing::SpawnOptions::Output::log_file;
  options.log = dir_ / "redis.log";
  pid_ = testing::spawn_process(
             {"/usr/bin/redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
              "--dir", dir_.string(), "--daemonize", "no", "--protected-mode", "no", "--save", "",
              "--appendonly", "yes", "--appendfsync", "everysec"},
             options)
             .pid;
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (!redis_answers(port_)) {
    if (testing::wait_exit_for(pid_, 0ms)) {
      pid_ = -1;
      throw std::runtime_error("redis-server exited: " + testing::log_tail(dir_ / "redis.log"));
    }
    if (std::chrono::steady_clock::now() > until) {
      throw std::runtime_error("redis-server did not answer: " +
                               testing::log_tail(dir_ / "redis.log"));
    }
    std::this_thread::sleep_for(20ms);
  }
}

void RedisProcess::stop() { testing::signal_and_wait(pid_, SIGTERM); }

// ---------------------------------------------------------------------------

Fleet::Fleet(std::filesystem::path log_dir) : log_dir_(std::move(log_dir)) {
  std::filesystem::create_directories(log_dir_);
  postgres_ = std::make_unique<audit::postgres::testing::PostgresServerFixture>();
  postgres_->create_database(kDatabase);
  rate_limit_off_ = rate_limit_off_flags();
  for (int slot = 0; slot < kInstances; ++slot) {
    ports_.push_back(testing::free_port());
    instances_.emplace_back();
    generation_.push_back(0);
  }
  // One after the other: the first applies the migrations.
  for (int slot = 0; slot < kInstances; ++slot) launch(slot);
}

Fleet::~Fleet() {
  for (auto& i : instances_) {
    if (i) i->kill_now();
  }
}

void Fleet::launch(int slot) {
  const std::vector<std::string> env{"REDIS_URL=" + redis_.url(),
                                     "DATABASE_URL=" + postgres_->url(kDatabase),
                                     std::string("KEY_PREFIX=") + kKeyPrefix};
  // A killed instance's taken audit events are claimed by another after 3 s (the
  // default minute would outlast a short run).
  std::vector<std::string> args{"--port",
                                std::to_string(ports_[static_cast<std::size_t>(slot)]),
                                "--migrate-at-start",
                                "--audit-reclaim-idle-ms",
                                "3000",
                                "--heartbeat-ms",
                                "5000"};
  args.insert(args.end(), rate_limit_off_.begin(), rate_limit_off_.end());
  // The port of a killed instance may still be held for a moment.
  for (int attempt = 1;; ++attempt) {
    try {
      instances_[static_cast<std::size_t>(slot)] = std::make_unique<testing::Instance>(
          fmt::format("i{}.{}", slot, generation_[static_cast<std::size_t>(slot)]++), env, args);
      ++started_;
      return;
    } catch (const std::exception& e) {
      if (attempt >= 5) throw;
      std::cerr << "chaos: instance " << slot << " did not start (" << e.what()
                << "), trying again\n";
      std::this_thread::sleep_for(500ms);
    }
  }
}

void Fleet::save_log(int slot, const std::string& why) {
  const auto& i = instances_[static_cast<std::size_t>(slot)];
  std::ofstream out(log_dir_ / (i->name() + ".log"));
  out << "# " << why << "\n" << i->log_tail(16u << 20);
}

void Fleet::kill_and_restart_instance(int slot, std::chrono::milliseconds down) {
  auto& i = instances_[static_cast<std::size_t>(slot)];
  i->kill_now();
  save_log(slot, "killed (SIGKILL) by the chaos run");
  i.reset();
  std::this_thread::sleep_for(down);
  launch(slot);
}

void Fleet::freeze_redis(std::chrono::milliseconds how_long) {
  ::kill(redis_.pid(), SIGSTOP);
  std::this_thread::sleep_for(how_long);
  ::kill(redis_.pid(), SIGCONT);
}

void Fleet::freeze_postgres(std::chrono::milliseconds how_long) {
  const pid_t postmaster = postgres_->pid();
  ::kill(postmaster, SIGSTOP);  // first, so that no backend is forked meanwhile
  const auto backends = children_of(postmaster);
  for (const pid_t b : backends) ::kill(b, SIGSTOP);
  std::this_thread::sleep_for(how_long);
  for (const pid_t b : backends) ::kill(b, SIGCONT);
  ::kill(postmaster, SIGCONT);
}

void Fleet::restart_redis(std::chrono::milliseconds down) {
  redis_.stop();
  std::this_thread::sleep_for(down);
  redis_.start();
}

std::optional<Fleet::AuditBacklog> Fleet::audit_backlog() const {
  const auto out = testing::run_and_capture(
      {"audit", "status"}, {"REDIS_URL=" + redis_.url(), std::string("KEY_PREFIX=") + kKeyPrefix});
  if (out.exit_code != 0) return std::nullopt;
  try {
    return AuditBacklog{field(out.output, "waiting"), field(out.output, "pending"),
                        field(out.output, "dead_lettered")};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::vector<std::string> Fleet::stop_instances() {
  std::vector<std::string> unclean;
  for (int slot = 0; slot < kInstances; ++slot) {
    auto& i = instances_[static_cast<std::size_t>(slot)];
    if (!i) continue;
    const auto code = i->stop();
    save_log(slot, fmt::format("stopped (SIGTERM) at the end, exit {}", code.value_or(-1)));
    if (code.value_or(-1) != 0)
      unclean.push_back(fmt::format("{} exit {}", i->name(), code.value_or(-1)));
    i.reset();
  }
  return unclean;
}

}  // namespace sk::chaos
