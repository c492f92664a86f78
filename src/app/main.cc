// synckairos: the one binary. Reads the configuration, builds every component and
// wires them (the only place that names a concrete store engine), serves until
// SIGTERM/SIGINT, then drains: stop accepting, finish in-flight requests, close
// WebSockets with 1001, exit within the drain timeout.
#include <csignal>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_future.hpp>
#include <spdlog/spdlog.h>

#include "app/audit_setup.h"
#include "app/config.h"
#include "app/dependency_log.h"
#include "app/logging.h"
#include "app/security_setup.h"
#include "app/web_setup.h"
#include "domain/clock.h"
#include "server/metrics.h"
#include "server/server.h"
#include "server/session_service.h"
#include "store/memory/memory_store.h"
#include "store/redis/deployment_check.h"
#include "store/redis/redis_store.h"

namespace asio = boost::asio;

namespace {

// REDIS_URL at the wrong kind of Redis (a cluster node as redis://, a plain Redis as
// redis+cluster://, uncovered slots, seeds of two clusters) stops the start-up here
// with the reason; nodes that cannot be reached now are only logged (the engine
// reconnects by itself, and /ready says when it is connected).
void check_redis_deployment(const sk::store::redis::RedisUrl& url, spdlog::logger& log) {
  asio::io_context io;
  auto checked = asio::co_spawn(io, sk::store::redis::check_deployment(io.get_executor(), url),
                                asio::use_future);
  io.run();
  const auto result = checked.get();
  if (result.error) {
    throw std::invalid_argument("REDIS_URL: " + result.error->violations.at(0).message);
  }
  if (!result.unreachable.empty()) {
    log.warn(R"("msg":"redis not checked at start-up","unreachable":"{}")",
             sk::app::json_escape(result.unreachable));
  }
}

// The engine: REDIS_URL unset -> memory (one instance); set -> Redis (a fleet). The
// Redis engine connects in the background once the threads run; until it is
// subscribed /ready says not ready, and while Redis is unreachable requests get 503.
std::unique_ptr<sk::store::SessionStore> make_store(
    const sk::app::Config& config, asio::io_context& io, const sk::domain::Clock& clock,
    spdlog::logger& log, const sk::app::AuditParts& audit, sk::app::DependencyLog& dependencies,
    sk::server::Metrics& metrics) {
  const std::chrono::seconds ttl{config.session_ttl_s};
  if (config.redis_url.empty()) {
    sk::store::MemoryStoreOptions options;
    options.ttl = ttl;
    options.audit = audit.memory_hook();
    options.durable_audit = audit.durable_hook();  // DURABILITY=sync; empty otherwise
    return std::make_unique<sk::store::MemoryStore>(io.get_executor(), clock, options);
  }
  auto url = sk::store::redis::parse_redis_url(config.redis_url);
  if (!url) throw std::invalid_argument("REDIS_URL: " + url.error().message);
  check_redis_deployment(*url, log);
  sk::store::redis::RedisStoreOptions options;
  options.ttl = ttl;
  options.key_prefix = config.key_prefix;
  options.client.pool_size = config.redis_pool_size;
  options.write_cache_bytes = config.redis_write_cache_bytes;
  // With an audit database the streams are consumed (and emptied) by the audit
  // queue: never trim them, or events nobody wrote yet would be dropped.
  if (audit.enabled()) options.audit_max_length = 0;
  options.on_connection_change = [&dependencies](bool up) { dependencies.changed("redis", up); };
  options.on_rollback = [&log, &metrics](const sk::store::redis::Rollback& r) {
    metrics.store_rolled_back();
    log.warn(R"("msg":"store rolled back","session_id":"{}","expected_version":{},)"
             R"("found_version":{},"noticed_by":"{}","action":"new epoch")",
             r.session_id.to_string(), r.expected, r.found, r.how);
  };
  log.info(R"("msg":"redis","url":"{}","key_prefix":"{}")", sk::app::json_escape(url->redacted()),
           sk::app::json_escape(config.key_prefix));
  return std::make_unique<sk::store::redis::RedisStore>(io.get_executor(), clock, *url, options);
}

}  // namespace

int main(int argc, char** argv) {
  sk::app::Config config;
  switch (sk::app::parse_config(argc, argv, config)) {
    case sk::app::ParseOutcome::exit_ok: return 0;
    case sk::app::ParseOutcome::exit_error: return 2;
    case sk::app::ParseOutcome::run: break;
  }
  auto log = sk::app::make_json_logger(config.log_level);
  switch (config.command) {
    case sk::app::Config::Command::migrate: return sk::app::run_migrate(config, *log);
    case sk::app::Config::Command::audit_status: return sk::app::run_audit_status(config, *log);
    case sk::app::Config::Command::token: {
      const sk::domain::SystemClock clock;
      return sk::app::run_token(config, clock, *log);
    }
    case sk::app::Config::Command::serve: break;
  }
  const unsigned threads =
      config.threads > 0 ? config.threads : std::max(1u, std::thread::hardware_concurrency());

  try {
    sk::domain::SystemClock clock;
    // Before the io_context: ~io_context destroys the coroutines still suspended in it
    // (a WebSocket whose close handshake outlived the drain timeout), and their
    // clean-up counts the closed connection in the metrics.
    sk::server::Metrics metrics;
    asio::io_context io(static_cast<int>(threads));

    sk::app::DependencyLog dependencies(*log, metrics, clock);
    auto audit = sk::app::make_audit(
        config, io.get_executor(), clock, *log,
        [&dependencies](std::string_view name, bool up) { dependencies.changed(name, up); });
    const auto store_ptr = make_store(config, io, clock, *log, audit, dependencies, metrics);
    auto& store = *store_ptr;
    sk::app::start_audit(audit, config, io.get_executor(), clock, *log);

    const auto security = sk::app::make_security(config, io.get_executor(), clock, *log);
    sk::server::SessionService service(store, clock, &metrics, audit.recovery.get());
    store.set_deadline_handler([&](const sk::domain::Uuid& id) {
      asio::co_spawn(io, service.fire_deadline(id), asio::detached);
    });

    const auto web = sk::app::make_web_assets(config, *log);

    sk::server::ServerOptions options;
    options.host = config.host;
    options.port = config.port;
    options.router.cors_origin = config.cors_origin;
    options.router.max_body_bytes = config.max_body_bytes;
    options.router.server_version = SK_VERSION;
    options.router.drift_tolerance_ms = config.drift_tolerance_ms;
    options.router.audit = audit.link();
    options.router.web = web.empty() ? nullptr : &web;
    options.router.auth_required = security.verifier.has_value();
    options.router.share_issuer = security.share_issuer ? &*security.share_issuer : nullptr;
    options.hub.heartbeat = std::chrono::milliseconds{config.heartbeat_ms};
    options.guard = security.guard_options(config, *log);
    options.connections = {config.max_connections, config.max_connections_per_ip};
    options.http.max_header_fields = config.max_header_fields;
    options.http.max_header_bytes = config.max_header_bytes;
    options.http.header_timeout = std::chrono::milliseconds{config.header_timeout_ms};
    options.http.body_timeout = std::chrono::milliseconds{config.body_timeout_ms};
    options.http.requests = {config.requests_per_connection_per_s,
                             config.request_burst_per_connection};
    options.hub.max_message_bytes = config.ws_max_message_bytes;
    options.hub.messages = {config.ws_messages_per_s, config.ws_message_burst};
    sk::server::Server server(io, options, service, metrics);
    const auto port = server.start();
    log->info(
        R"("msg":"listening","host":"{}","port":{},"engine":"{}","threads":{},"version":"{}")",
        sk::app::json_escape(config.host), port, config.redis_url.empty() ? "memory" : "redis",
        threads, SK_VERSION);

    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      log->info(R"("msg":"draining","signal":{})", signo);
      asio::co_spawn(
          io,
          [&]() -> asio::awaitable<void> {
            const auto started = clock.steady_now();
            const std::chrono::milliseconds budget{config.drain_timeout_ms};
            co_await server.drain(budget);
            // Then the audit hand-off: the memory engine's queue is flushed; the Redis
            // engine's workers finish their batches (the rest stays in the streams).
            if (audit.queue) {
              const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(
                  clock.steady_now() - started);
              co_await audit.queue->stop(std::max(budget - spent, std::chrono::milliseconds{0}));
            }
            if (audit.probe) audit.probe->close();
            store.close();
            if (security.redis) security.redis->close();
            io.stop();
          },
          asio::detached);
    });

    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& t : pool) t.join();
    log->info(R"("msg":"stopped")");
  } catch (const std::invalid_argument& e) {  // a setting that cannot be used
    log->error(R"("msg":"bad configuration","error":"{}")", sk::app::json_escape(e.what()));
    return 2;
  } catch (const std::exception& e) {
    log->error(R"("msg":"fatal","error":"{}")", sk::app::json_escape(e.what()));
    return 1;
  }
  return 0;
}
