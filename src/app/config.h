// The one configuration struct: every setting with its default, read from the
// environment and overridden by the command-line flag of the same name
// (PORT / --port). Validated once, at start-up.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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
  // Resource caps (docs/design.md, Resource caps); 0 turns a cap off.
  std::size_t max_connections = 10'000;      // open TCP connections; over: 503
  std::size_t max_connections_per_ip = 256;  // from one address (IPv6: /64); over: 429
  std::size_t max_header_fields = 100;       // over: 431
  std::size_t max_header_bytes = 16 * 1024;  // over: 431
  std::int64_t header_timeout_ms = 10'000;   // from a request's first byte
  std::int64_t body_timeout_ms = 30'000;
  double requests_per_connection_per_s = 1000;  // keep-alive; over: 429
  std::uint32_t request_burst_per_connection = 2000;
  std::size_t ws_max_message_bytes = 64 * 1024;  // over: close 1009
  double ws_messages_per_s = 20;                 // over: close 1008
  std::uint32_t ws_message_burst = 40;
  // Empty: the embedded memory engine. Set: the Redis engine (a fleet of instances).
  std::string redis_url;
  bool redis_cluster = false;              // REDIS_CLUSTER=true: redis:// names a cluster seed node
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
  int audit_retention_days = 0;  // PostgreSQL: drop day partitions older than this; 0 keeps all
  bool migrate_at_start = false;
  // Redis engine: false = this instance uses the audit database (recovery, /ready)
  // but leaves consuming the audit streams to other instances (dedicated workers).
  bool audit_consume = true;

  // Auth (SPEC §7): on when a key is configured. HS256 with JWT_SECRET (>= 32 bytes),
  // or RS256/ES256 with the PEM public key in JWT_PUBLIC_KEY_FILE; not both.
  std::string jwt_secret;
  std::string jwt_public_key_file;
  std::string jwt_issuer;    // when set, tokens must carry this `iss`
  std::string jwt_audience;  // when set, tokens' `aud` must contain it
  std::int64_t jwt_leeway_s = 30;
  // Lifetime of the tokens in the web page's share links (HS256 servers only).
  std::int64_t share_token_ttl_s = 86'400;

  // The web page at / and the SDK at /sdk/: the files built into the binary, or those
  // of a clients/js tree on disk (read once at start), or none.
  bool web_page = true;
  std::string web_root;

  // Rate limits (0 turns one off), each so many requests per window; shared across
  // instances in Redis on the Redis engine.
  std::int64_t rate_limit_window_ms = 1000;
  std::int64_t rate_limit_client_max = 200;     // per client: token sub, else address
  std::int64_t rate_limit_switch_max = 50;      // per session, switch requests
  std::int64_t rate_limit_ws_connect_max = 50;  // per address, WebSocket upgrades
  std::string trusted_proxies;                  // addresses/CIDRs whose X-Forwarded-For is believed

  // `synckairos token`: mints an HS256 token with JWT_SECRET and prints it.
  struct TokenRequest {
    std::string role = "participant";
    std::string sub;
    std::vector<std::string> sessions;
    std::int64_t ttl_s = 3600;
  };
  TokenRequest token;

  // What to do: serve (default), `migrate`, `audit status` or `token`.
  enum class Command { serve, migrate, audit_status, token };
  Command command = Command::serve;
};

enum class ParseOutcome { run, exit_ok, exit_error };

// Parses flags and environment. On --help/--version prints and returns exit_ok; on a
// bad value prints the error and returns exit_error.
ParseOutcome parse_config(int argc, char** argv, Config& config);

}  // namespace sk::app
