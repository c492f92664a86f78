// The system under chaos: one redis-server (AOF, fsync every second), one PostgreSQL
// (the audit trail) and three synckairos instances on them, all on 127.0.0.1, plus
// the faults the injector applies to them. Each instance keeps its port across
// restarts, so clients simply retry the same address.
//
// Processes are children of the thread that made the Fleet (PR_SET_PDEATHSIG): build
// it, and call every fault, from the main thread only. ports() may be read from any
// thread (it never changes).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

#include "audit/postgres/postgres_server_fixture.h"
#include "support/instance.h"

namespace sk::chaos {

// redis-server with `--appendonly yes --appendfsync everysec` in its own directory; a
// restart keeps the port and reloads the AOF.
class RedisProcess {
 public:
  RedisProcess();
  ~RedisProcess();
  RedisProcess(const RedisProcess&) = delete;
  RedisProcess& operator=(const RedisProcess&) = delete;

  std::string url() const;
  pid_t pid() const { return pid_; }
  void start();  // returns once it answers PING (not LOADING)
  void stop();   // SIGTERM and wait: the AOF is flushed

 private:
  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

class Fleet {
 public:
  static constexpr int kInstances = 3;
  static constexpr const char* kKeyPrefix = "chaos:";
  static constexpr const char* kDatabase = "chaos";

  // Logs of replaced and stopped instances go to `log_dir`.
  explicit Fleet(std::filesystem::path log_dir);
  ~Fleet();

  const std::vector<std::uint16_t>& ports() const { return ports_; }
  const audit::postgres::testing::PostgresServerFixture& postgres() const { return *postgres_; }
  std::string redis_url() const { return redis_.url(); }

  // Faults. Each leaves the fleet whole again before it returns.
  void kill_and_restart_instance(int slot, std::chrono::milliseconds down);
  void freeze_redis(std::chrono::milliseconds how_long);
  void freeze_postgres(std::chrono::milliseconds how_long);
  void restart_redis(std::chrono::milliseconds down);

  // The audit queue as `synckairos audit status` reads it: waiting + pending, and
  // the dead-lettered count; nullopt if it could not be read.
  struct AuditBacklog {
    std::int64_t waiting = 0;
    std::int64_t pending = 0;
    std::int64_t dead_lettered = 0;
  };
  std::optional<AuditBacklog> audit_backlog() const;

  // SIGTERM to every instance; the slots whose instance did not exit 0 (with its log
  // saved), and how many instance processes ran in all.
  std::vector<std::string> stop_instances();
  int instances_started() const { return started_; }

 private:
  void launch(int slot);
  void save_log(int slot, const std::string& why);

  std::filesystem::path log_dir_;
  RedisProcess redis_;
  std::unique_ptr<audit::postgres::testing::PostgresServerFixture> postgres_;
  std::vector<std::uint16_t> ports_;
  std::vector<std::unique_ptr<testing::Instance>> instances_;
  std::vector<int> generation_;
  std::vector<std::string> rate_limit_off_;  // the flags that switch rate limits off
  int started_ = 0;
};

}  // namespace sk::chaos
