#include "app/config.h"

#include <CLI/CLI.hpp>

namespace sk::app {

ParseOutcome parse_config(int argc, char** argv, Config& c) {
  CLI::App app{
      "SyncKairos: server-authoritative real-time timing service.\n"
      "Every option can also be set by the environment variable shown."};
  app.set_version_flag("--version", std::string{"synckairos "} + SK_VERSION);
  app.add_option("--host", c.host, "Address to listen on")->envname("HOST")->capture_default_str();
  app.add_option("--port", c.port, "Port for HTTP and WebSocket (0: any free port)")
      ->envname("PORT")
      ->capture_default_str();
  app.add_option("--log-level", c.log_level, "trace, debug, info, warn, error or off")
      ->envname("LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  app.add_option("--cors-origin", c.cors_origin, "Access-Control-Allow-Origin (empty: no CORS)")
      ->envname("CORS_ORIGIN")
      ->capture_default_str();
  app.add_option("--session-ttl-s", c.session_ttl_s, "Seconds a session lives after its last write")
      ->envname("SESSION_TTL_S")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{30} * 24 * 3600))
      ->capture_default_str();
  app.add_option("--threads", c.threads, "I/O threads (0: one per core)")
      ->envname("THREADS")
      ->check(CLI::Range(0u, 256u))
      ->capture_default_str();
  app.add_option("--max-body-bytes", c.max_body_bytes, "Largest accepted request body")
      ->envname("MAX_BODY_BYTES")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{16} << 20))
      ->capture_default_str();
  app.add_option("--heartbeat-ms", c.heartbeat_ms,
                 "WebSocket ping interval; silent clients are dropped after two")
      ->envname("HEARTBEAT_MS")
      ->check(CLI::Range(std::int64_t{100}, std::int64_t{600'000}))
      ->capture_default_str();
  app.add_option("--drain-timeout-ms", c.drain_timeout_ms,
                 "How long SIGTERM waits for in-flight requests")
      ->envname("DRAIN_TIMEOUT_MS")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{15'000}))
      ->capture_default_str();
  app.add_option("--drift-tolerance-ms", c.drift_tolerance_ms,
                 "Clock drift clients should tolerate (/v1/time)")
      ->envname("DRIFT_TOLERANCE_MS")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{10'000}))
      ->capture_default_str();
  // Resource caps.
  app.add_option("--max-connections", c.max_connections,
                 "Open TCP connections (HTTP and WebSocket); over: 503 (0: no cap)")
      ->envname("MAX_CONNECTIONS")
      ->capture_default_str();
  app.add_option("--max-connections-per-ip", c.max_connections_per_ip,
                 "Open connections from one address (IPv6: its /64); over: 429 (0: no cap)")
      ->envname("MAX_CONNECTIONS_PER_IP")
      ->capture_default_str();
  app.add_option("--max-header-fields", c.max_header_fields,
                 "Header fields of a request; over: 431")
      ->envname("MAX_HEADER_FIELDS")
      ->check(CLI::Range(std::size_t{8}, std::size_t{10'000}))
      ->capture_default_str();
  app.add_option("--max-header-bytes", c.max_header_bytes,
                 "Request line and header fields; over: 431")
      ->envname("MAX_HEADER_BYTES")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 20))
      ->capture_default_str();
  app.add_option("--header-timeout-ms", c.header_timeout_ms,
                 "A request's header must arrive within this from its first byte")
      ->envname("HEADER_TIMEOUT_MS")
      ->check(CLI::Range(std::int64_t{100}, std::int64_t{600'000}))
      ->capture_default_str();
  app.add_option("--body-timeout-ms", c.body_timeout_ms,
                 "A request's body must arrive within this after its header")
      ->envname("BODY_TIMEOUT_MS")
      ->check(CLI::Range(std::int64_t{100}, std::int64_t{600'000}))
      ->capture_default_str();
  app.add_option("--requests-per-connection-per-s", c.requests_per_connection_per_s,
                 "Requests per second on one keep-alive connection; over: 429 (0: no cap)")
      ->envname("REQUESTS_PER_CONNECTION_PER_S")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  app.add_option("--request-burst-per-connection", c.request_burst_per_connection,
                 "Requests one connection may send at once before its rate applies")
      ->envname("REQUEST_BURST_PER_CONNECTION")
      ->check(CLI::Range(1u, 1'000'000u))
      ->capture_default_str();
  app.add_option("--ws-max-message-bytes", c.ws_max_message_bytes,
                 "Largest WebSocket client message (or frame); over: close 1009")
      ->envname("WS_MAX_MESSAGE_BYTES")
      ->check(CLI::Range(std::size_t{256}, std::size_t{16} << 20))
      ->capture_default_str();
  app.add_option("--ws-messages-per-s", c.ws_messages_per_s,
                 "WebSocket client messages per second per connection; over: close 1008 "
                 "(0: no cap)")
      ->envname("WS_MESSAGES_PER_S")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  app.add_option("--ws-message-burst", c.ws_message_burst,
                 "WebSocket client messages one connection may send at once")
      ->envname("WS_MESSAGE_BURST")
      ->check(CLI::Range(1u, 1'000'000u))
      ->capture_default_str();
  app.add_option("--redis-url", c.redis_url,
                 "redis://[[user]:password@]host[:port][/db], or for a Redis Cluster "
                 "redis+cluster://[[user]:password@]host:port[,host:port...] (seed nodes); "
                 "unset: embedded engine, one instance")
      ->envname("REDIS_URL");
  app.add_flag("--redis-cluster", c.redis_cluster,
               "REDIS_URL's redis://host:port is a seed node of a Redis Cluster "
               "(same as writing redis+cluster://)")
      ->envname("REDIS_CLUSTER");
  app.add_option("--key-prefix", c.key_prefix,
                 "Prefix of every Redis key and channel (deployments sharing a Redis)")
      ->envname("KEY_PREFIX")
      ->check([](const std::string& v) {
        return v.empty() || v.find_first_of("{} \t\r\n") != std::string::npos
                   ? std::string("must be non-empty, without braces or whitespace")
                   : std::string();
      })
      ->capture_default_str();
  app.add_option("--redis-pool-size", c.redis_pool_size, "Redis connections per instance")
      ->envname("REDIS_POOL_SIZE")
      ->check(CLI::Range(std::size_t{1}, std::size_t{64}))
      ->capture_default_str();
  app.add_option("--redis-write-cache-bytes", c.redis_write_cache_bytes,
                 "Memory for this instance's last writes, read by the next command (0: off)")
      ->envname("REDIS_WRITE_CACHE_BYTES")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 40))
      ->capture_default_str();
  app.add_option("--database-url", c.database_url,
                 "PostgreSQL for the audit trail (libpq URI or key=value); unset: none")
      ->envname("DATABASE_URL");
  app.add_option("--database-pool-size", c.database_pool_size,
                 "PostgreSQL connections per instance")
      ->envname("DATABASE_POOL_SIZE")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100}))
      ->capture_default_str();
  app.add_option("--database-sslmode", c.database_sslmode,
                 "libpq sslmode: disable, allow, prefer, require, verify-ca, verify-full")
      ->envname("DATABASE_SSLMODE")
      ->check(
          CLI::IsMember({"", "disable", "allow", "prefer", "require", "verify-ca", "verify-full"}));
  app.add_option("--audit-db", c.audit_db,
                 "sqlite:PATH: the memory engine's audit trail in a local file")
      ->envname("AUDIT_DB");
  app.add_option("--durability", c.durability,
                 "async: a write is acknowledged before its audit commit (the last ~50 ms may "
                 "be lost on a crash); sync: after it (needs AUDIT_DB=sqlite:PATH)")
      ->envname("DURABILITY")
      ->check(CLI::IsMember({"async", "sync"}))
      ->capture_default_str();
  app.add_option("--audit-concurrency", c.audit_concurrency, "Audit batches written at once")
      ->envname("AUDIT_CONCURRENCY")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100}))
      ->capture_default_str();
  app.add_option("--audit-batch-size", c.audit_batch_size, "Audit events per transaction, at most")
      ->envname("AUDIT_BATCH_SIZE")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000}))
      ->capture_default_str();
  app.add_option("--audit-retry-base-ms", c.audit_retry_base_ms,
                 "First audit retry delay; doubles per attempt (2, 4, 8, 16 s)")
      ->envname("AUDIT_RETRY_BASE_MS")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{600000}))
      ->capture_default_str();
  app.add_option("--audit-reclaim-idle-ms", c.audit_reclaim_idle_ms,
                 "Audit events taken this long ago by a silent instance are claimed by another")
      ->envname("AUDIT_RECLAIM_IDLE_MS")
      ->check(CLI::Range(std::int64_t{100}, std::int64_t{3600000}))
      ->capture_default_str();
  app.add_option("--audit-retention-days", c.audit_retention_days,
                 "PostgreSQL: drop the audit trail's day partitions older than this many "
                 "days (0: keep everything)")
      ->envname("AUDIT_RETENTION_DAYS")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  app.add_option("--audit-consume", c.audit_consume,
                 "Redis engine: write the audit streams to the database here (false: leave "
                 "that to other instances)")
      ->envname("AUDIT_CONSUME")
      ->capture_default_str();
  app.add_flag("--migrate-at-start", c.migrate_at_start,
               "Apply pending database migrations before serving")
      ->envname("MIGRATE_AT_START");

  app.add_option("--jwt-secret", c.jwt_secret,
                 "HS256 key (at least 32 bytes); set: every session route needs a token")
      ->envname("JWT_SECRET");
  app.add_option("--jwt-public-key-file", c.jwt_public_key_file,
                 "PEM public key (RSA: RS256, EC P-256: ES256); set: tokens required")
      ->envname("JWT_PUBLIC_KEY_FILE");
  app.add_option("--jwt-issuer", c.jwt_issuer, "Required `iss` of tokens (empty: not checked)")
      ->envname("JWT_ISSUER");
  app.add_option("--jwt-audience", c.jwt_audience, "Required `aud` of tokens (empty: not checked)")
      ->envname("JWT_AUDIENCE");
  app.add_option("--jwt-leeway-s", c.jwt_leeway_s, "Clock skew forgiven on exp and nbf")
      ->envname("JWT_LEEWAY_S")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{300}))
      ->capture_default_str();
  app.add_option("--share-token-ttl-s", c.share_token_ttl_s,
                 "Lifetime of the web page's share-link tokens (HS256 only)")
      ->envname("SHARE_TOKEN_TTL_S")
      ->check(CLI::Range(std::int64_t{60}, std::int64_t{30 * 86'400}))
      ->capture_default_str();
  app.add_option("--web-page", c.web_page, "Serve the web page at / and the SDK at /sdk/")
      ->envname("WEB_PAGE")
      ->capture_default_str();
  app.add_option("--web-root", c.web_root,
                 "Serve the page from this clients/js tree instead of the built-in copy")
      ->envname("WEB_ROOT");
  app.add_option("--rate-limit-window-ms", c.rate_limit_window_ms,
                 "Window of every rate limit below")
      ->envname("RATE_LIMIT_WINDOW_MS")
      ->check(CLI::Range(std::int64_t{100}, std::int64_t{3'600'000}))
      ->capture_default_str();
  const auto limit_range = CLI::Range(std::int64_t{0}, std::int64_t{1'000'000});
  app.add_option("--rate-limit-client-max", c.rate_limit_client_max,
                 "Requests per window per client (token sub, else address); 0: off")
      ->envname("RATE_LIMIT_CLIENT_MAX")
      ->check(limit_range)
      ->capture_default_str();
  app.add_option("--rate-limit-switch-max", c.rate_limit_switch_max,
                 "Switches per window per session; 0: off")
      ->envname("RATE_LIMIT_SWITCH_MAX")
      ->check(limit_range)
      ->capture_default_str();
  app.add_option("--rate-limit-ws-connect-max", c.rate_limit_ws_connect_max,
                 "WebSocket connects per window per address; 0: off")
      ->envname("RATE_LIMIT_WS_CONNECT_MAX")
      ->check(limit_range)
      ->capture_default_str();
  app.add_option("--trusted-proxies", c.trusted_proxies,
                 "Comma-separated proxy addresses/CIDRs whose X-Forwarded-For is believed")
      ->envname("TRUSTED_PROXIES");

  auto* token = app.add_subcommand(
      "token", "Mint an HS256 token with JWT_SECRET (for tests and demos), print it, exit");
  token->add_option("--role", c.token.role, "participant, arbiter or admin")
      ->check(CLI::IsMember({"participant", "arbiter", "admin"}))
      ->capture_default_str();
  token->add_option("--sub", c.token.sub, "Subject; a participant's participant_id")->required();
  token->add_option("--sessions", c.token.sessions, "Session ids, or * for all")
      ->delimiter(',')
      ->required();
  token->add_option("--ttl", c.token.ttl_s, "Seconds until the token expires")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{366} * 24 * 3600))
      ->capture_default_str();
  token->callback([&c] { c.command = Config::Command::token; });

  auto* migrate =
      app.add_subcommand("migrate", "Apply pending audit database migrations, then exit");
  auto* audit = app.add_subcommand("audit", "Audit trail tools");
  auto* status = audit->add_subcommand("status", "Print the audit queue's figures, then exit");
  audit->require_subcommand(1);
  migrate->callback([&c] { c.command = Config::Command::migrate; });
  status->callback([&c] { c.command = Config::Command::audit_status; });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? ParseOutcome::exit_ok : ParseOutcome::exit_error;
  }
  // REDIS_CLUSTER=true: the one place the URL is rewritten, so every Redis client of
  // the process (store, audit queue, rate limiter) sees a cluster URL.
  constexpr std::string_view kPlain = "redis://";
  if (c.redis_cluster && c.redis_url.starts_with(kPlain)) {
    std::string rest = c.redis_url.substr(kPlain.size());
    if (rest.ends_with("/0") || rest.ends_with("/")) rest.erase(rest.rfind('/'));
    c.redis_url = "redis+cluster://" + rest;
  }
  return ParseOutcome::run;
}

}  // namespace sk::app
