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
#include <spdlog/spdlog.h>

#include "app/config.h"
#include "app/logging.h"
#include "domain/clock.h"
#include "server/metrics.h"
#include "server/server.h"
#include "server/session_service.h"
#include "store/memory/memory_store.h"
#include "store/redis/redis_store.h"

namespace asio = boost::asio;

namespace {

// The engine: REDIS_URL unset -> memory (one instance); set -> Redis (a fleet). The
// Redis engine connects in the background once the threads run; until it is
// subscribed /ready says not ready, and while Redis is unreachable requests get 503.
std::unique_ptr<sk::store::SessionStore> make_store(const sk::app::Config& config,
                                                    asio::io_context& io,
                                                    const sk::domain::Clock& clock,
                                                    spdlog::logger& log) {
  const std::chrono::seconds ttl{config.session_ttl_s};
  if (config.redis_url.empty()) {
    sk::store::MemoryStoreOptions options;
    options.ttl = ttl;
    return std::make_unique<sk::store::MemoryStore>(io.get_executor(), clock, options);
  }
  auto url = sk::store::redis::parse_redis_url(config.redis_url);
  if (!url) throw std::invalid_argument("REDIS_URL: " + url.error().message);
  sk::store::redis::RedisStoreOptions options;
  options.ttl = ttl;
  options.key_prefix = config.key_prefix;
  options.client.pool_size = config.redis_pool_size;
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
  const unsigned threads =
      config.threads > 0 ? config.threads : std::max(1u, std::thread::hardware_concurrency());

  try {
    sk::domain::SystemClock clock;
    // Before the io_context: ~io_context destroys the coroutines still suspended in it
    // (a WebSocket whose close handshake outlived the drain timeout), and their
    // clean-up counts the closed connection in the metrics.
    sk::server::Metrics metrics;
    asio::io_context io(static_cast<int>(threads));

    const auto store_ptr = make_store(config, io, clock, *log);
    auto& store = *store_ptr;

    sk::server::SessionService service(store, clock, &metrics);
    store.set_deadline_handler([&](const sk::domain::Uuid& id) {
      asio::co_spawn(io, service.fire_deadline(id), asio::detached);
    });

    sk::server::ServerOptions options;
    options.host = config.host;
    options.port = config.port;
    options.router.cors_origin = config.cors_origin;
    options.router.max_body_bytes = config.max_body_bytes;
    options.router.server_version = SK_VERSION;
    options.router.drift_tolerance_ms = config.drift_tolerance_ms;
    options.hub.heartbeat = std::chrono::milliseconds{config.heartbeat_ms};
    sk::server::Server server(io, options, service, store, metrics);
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
            co_await server.drain(std::chrono::milliseconds{config.drain_timeout_ms});
            store.close();
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
