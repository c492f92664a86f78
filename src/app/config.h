// The one configuration struct: every setting with its default, read from the
// environment and overridden by the command-line flag of the same name
// (PORT / --port). Validated once, at start-up.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace sk::app {

struct Config {
  std::string host = "0.0.0.0";
  std::uint16_t port = 3000;
  std::string log_level = "info";  // trace, debug, info, warn, error, off
  std::string cors_origin = "*";   // "" disables CORS headers
  std::int64_t session_ttl_s = 3600;
  unsigned threads = 0;  // 0: one per core
  std::size_t max_body_bytes = 1024 * 1024;
  std::int64_t heartbeat_ms = 5000;
  std::int64_t drain_timeout_ms = 15000;
  std::int64_t drift_tolerance_ms = 50;
  // Empty: the embedded memory engine. Set: the Redis engine (a fleet of instances).
  std::string redis_url;
  std::string key_prefix = "synckairos:";  // Redis keys and channel of this deployment
  std::size_t redis_pool_size = 4;         // Redis connections per instance (+1 Pub/Sub)
  // Estimated bytes of this instance's last writes kept for the next command's read
  // (the Redis engine's write cache); 0: off.
  std::size_t redis_write_cache_bytes = std::size_t{64} << 20;

  // The audit trail (SPEC §6). DATABASE_URL: PostgreSQL (either engine); else
  // AUDIT_DB=sqlite:PATH (memory engine only); neither: no audit database.
  std::string database_url;
  std::size_t database_pool_size = 10;  // connections (= audit batches in flight, at most)
  std::string database_sslmode;         // libpq sslmode; empty: libpq's default
  std::string audit_db;
  // DURABILITY (issue 14): "async" acknowledges a memory-engine write before its
  // audit record is committed (a crash may lose the last ~50 ms of them); "sync"
  // only after it, committed in groups (needs AUDIT_DB=sqlite:PATH, memory engine).
  std::string durability = "async";
  std::size_t audit_concurrency = 10;  // batches in flight
  std::size_t audit_batch_size = 500;
  std::int64_t audit_retry_base_ms = 2000;     // backoff 2, 4, 8, 16 s (and 32 s pauses)
  std::int64_t audit_reclaim_idle_ms = 60000;  // a record taken this long ago is orphaned
  bool migrate_at_start = false;
  // Redis engine: false = this instance uses the audit database (recovery, /ready)
  // but leaves consuming the audit streams to other instances (dedicated workers).
  bool audit_consume = true;

  // What to do: serve (default), `migrate`, or `audit status`.
  enum class Command { serve, migrate, audit_status };
  Command command = Command::serve;
};

enum class ParseOutcome { run, exit_ok, exit_error };

// Parses flags and environment. On --help/--version prints and returns exit_ok; on a
// bad value prints the error and returns exit_error.
ParseOutcome parse_config(int argc, char** argv, Config& config);

}  // namespace sk::app
