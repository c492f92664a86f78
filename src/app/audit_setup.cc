// See audit_setup.h.
#include "app/audit_setup.h"

#include <cstdio>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "app/logging.h"
#include "audit/postgres/migrations.h"
#include "audit/postgres/postgres_audit_writer.h"
#include "audit/postgres/postgres_config.h"
#include "audit/queue/audit_records.h"
#include "audit/queue/redis_audit_queue.h"
#include "audit/queue/stream_stats.h"
#include "audit/sqlite/sqlite_audit_writer.h"
#include "audit/sqlite/sqlite_config.h"
#include "store/redis/redis_client.h"
#include "store/redis/redis_url.h"

namespace sk::app {

namespace asio = boost::asio;

namespace {

constexpr auto kProbeInterval = std::chrono::seconds{2};
constexpr int kShards = 16;  // the Redis engine's default (RedisStoreOptions::shards)

std::string conninfo_of(const Config& c) {
  auto conninfo = audit::postgres::make_conninfo(c.database_url, c.database_sslmode);
  if (!conninfo) throw std::invalid_argument(conninfo.error().message);
  return *conninfo;
}

std::string sqlite_path_of(const Config& c) {
  if (!c.redis_url.empty()) {
    throw std::invalid_argument(
        "AUDIT_DB (SQLite) is for the embedded engine; with REDIS_URL, set DATABASE_URL");
  }
  if (!c.database_url.empty()) {
    throw std::invalid_argument("set DATABASE_URL or AUDIT_DB, not both");
  }
  auto path = audit::sqlite::parse_audit_db(c.audit_db);
  if (!path) throw std::invalid_argument(path.error().message);
  return *path;
}

bool durable(const Config& c) { return c.durability == "sync"; }

void check_durability(const Config& c) {
  if (!durable(c)) return;
  if (!c.redis_url.empty() || !c.database_url.empty() || c.audit_db.empty()) {
    throw std::invalid_argument(
        "DURABILITY=sync needs the embedded engine with AUDIT_DB=sqlite:PATH (no REDIS_URL, "
        "no DATABASE_URL): it acknowledges a write once its SQLite commit is done");
  }
}

audit::RetryPolicy retry_policy(const Config& c) {
  audit::RetryPolicy p;
  p.base = std::chrono::milliseconds{c.audit_retry_base_ms};
  return p;
}

}  // namespace

std::function<bool()> AuditParts::database_up() const {
  if (!probe) return {};
  return [probe = probe] { return probe->up(); };
}

server::AuditLink AuditParts::link() const {
  server::AuditLink link;
  link.queue = queue.get();
  link.recovery = recovery.get();
  link.database_up = database_up();
  return link;
}

std::function<void(const domain::Session&, const std::vector<domain::Event>&)>
AuditParts::memory_hook() const {
  if (group_commit) {  // sync: what nobody waits for (an expiry) rides along
    return [commits = group_commit](const domain::Session& state,
                                    const std::vector<domain::Event>& events) {
      commits->push(audit::make_records(state, events));
    };
  }
  if (!local) return {};
  return [queue = local](const domain::Session& state, const std::vector<domain::Event>& events) {
    queue->push(audit::make_records(state, events));
  };
}

std::function<asio::awaitable<std::optional<domain::Error>>(const domain::Session&,
                                                            const std::vector<domain::Event>&)>
AuditParts::durable_hook() const {
  if (!group_commit) return {};
  return [commits = group_commit](const domain::Session& state,
                                  const std::vector<domain::Event>& events)
             -> asio::awaitable<std::optional<domain::Error>> {
    auto failed = co_await commits->commit(audit::make_records(state, events));
    if (failed) co_return domain::Error::unavailable("the audit database");
    co_return std::nullopt;
  };
}

AuditParts make_audit(const Config& config, asio::any_io_executor executor,
                      const domain::Clock& clock, spdlog::logger& log,
                      std::function<void(std::string_view, bool)> on_database_change) {
  AuditParts parts;
  check_durability(config);
  if (!config.audit_consume && config.redis_url.empty()) {
    throw std::invalid_argument(
        "AUDIT_CONSUME=false needs REDIS_URL: the embedded engine's audit queue lives in "
        "this process, so only this process can write it");
  }
  if (!config.database_url.empty()) {
    const std::string conninfo = conninfo_of(config);
    if (config.migrate_at_start) {
      auto applied = audit::postgres::migrate(conninfo);
      if (!applied) throw std::runtime_error("migration failed: " + applied.error().message);
      log.info(R"("msg":"migrated","applied":{})", *applied);
    }
    audit::postgres::PartitionOptions partitions;
    partitions.retention_days = config.audit_retention_days;
    parts.writers =
        std::make_shared<audit::WriterPool>(config.database_pool_size, [conninfo, partitions] {
          return std::make_unique<audit::postgres::PostgresAuditWriter>(conninfo, partitions);
        });
    log.info(R"("msg":"audit","database":"postgresql","url":"{}","pool":{})",
             json_escape(audit::postgres::redacted(config.database_url)),
             config.database_pool_size);
  } else if (!config.audit_db.empty()) {
    const std::string path = sqlite_path_of(config);
    // Opened now, so that a bad path stops the start-up with its reason. One writer:
    // SQLite has one writer at a time anyway. Sync mode fsyncs every commit
    // (synchronous=FULL): an acknowledged write survives a power loss too.
    audit::sqlite::SqliteOptions sqlite_options;
    if (durable(config)) sqlite_options.synchronous = audit::sqlite::Synchronous::full;
    auto writer = audit::sqlite::open_sqlite_writer(path, sqlite_options);
    if (!writer) throw std::invalid_argument("AUDIT_DB: " + writer.error().message);
    auto opened = std::make_shared<std::unique_ptr<audit::AuditWriter>>(std::move(*writer));
    parts.writers = std::make_shared<audit::WriterPool>(1, [opened] { return std::move(*opened); });
    log.info(R"("msg":"audit","database":"sqlite","path":"{}","durability":"{}")",
             json_escape(path), config.durability);
  } else {
    return parts;
  }
  std::function<void(bool)> on_change;
  if (on_database_change) {
    const std::string_view name = config.database_url.empty() ? "sqlite" : "postgres";
    on_change = [name, report = std::move(on_database_change)](bool up) { report(name, up); };
  }
  parts.probe =
      audit::DatabaseProbe::start(executor, parts.writers, kProbeInterval, std::move(on_change));
  parts.recovery = std::make_unique<audit::SessionRecovery>(
      parts.writers, clock, std::chrono::seconds{config.session_ttl_s});
  if (durable(config)) {
    parts.group_commit = audit::GroupCommit::make(
        executor,
        [writers = parts.writers,
         &log](std::vector<domain::AuditRecord> batch) -> asio::awaitable<audit::AuditStatus> {
          auto failed = co_await writers->write(std::move(batch));
          if (failed) {
            log.error(R"("msg":"audit commit failed","detail":"{}")", json_escape(failed->message));
          }
          co_return failed;
        });
  } else if (config.redis_url.empty()) {
    audit::LocalAuditQueueOptions options;
    options.batch_size = config.audit_batch_size;
    options.concurrency = std::min(config.audit_concurrency, parts.writers->size());
    options.retry = retry_policy(config);
    options.database_up = parts.database_up();
    parts.local = audit::LocalAuditQueue::make(
        executor, parts.writers, options, [&log](const std::string& alert) {
          log.error(R"("msg":"audit alert","detail":"{}")", json_escape(alert));
        });
    parts.queue = parts.local;
  }
  return parts;
}

void start_audit(AuditParts& parts, const Config& config, asio::any_io_executor executor,
                 const domain::Clock& clock, spdlog::logger& log) {
  if (!parts.enabled()) return;
  if (parts.group_commit) return;  // DURABILITY=sync: commits start with the writes
  if (!parts.queue) {              // the Redis engine: consume the audit streams
    if (!config.audit_consume) {
      log.info(R"("msg":"audit streams left to other instances","audit_consume":false)");
      return;
    }
    auto url = store::redis::parse_redis_url(config.redis_url);
    if (!url) throw std::invalid_argument("REDIS_URL: " + url.error().message);
    store::redis::RedisClientOptions client_options;
    client_options.pool_size = 2;
    auto client = std::make_shared<store::redis::RedisClient>(executor, *url, client_options);
    audit::RedisAuditQueueOptions options;
    options.batch_size = config.audit_batch_size;
    options.concurrency = std::min(config.audit_concurrency, parts.writers->size());
    options.reclaim_min_idle = std::chrono::milliseconds{config.audit_reclaim_idle_ms};
    options.retry = retry_policy(config);
    options.database_up = parts.database_up();
    parts.queue = audit::RedisAuditQueue::make(
        executor, std::move(client), store::redis::KeySpace(config.key_prefix, kShards),
        parts.writers, clock, options, [&log](const std::string& alert) {
          log.error(R"("msg":"audit alert","detail":"{}")", json_escape(alert));
        });
  }
  parts.queue->start();
}

int run_migrate(const Config& config, spdlog::logger& log) {
  try {
    if (!config.database_url.empty()) {
      auto applied = audit::postgres::migrate(conninfo_of(config));
      if (!applied) {
        log.error(R"("msg":"migration failed","error":"{}")", json_escape(applied.error().message));
        return 1;
      }
      std::printf("migrations applied: %d\n", *applied);
      return 0;
    }
    if (!config.audit_db.empty()) {
      auto writer = audit::sqlite::open_sqlite_writer(sqlite_path_of(config));  // migrates
      if (!writer) {
        log.error(R"("msg":"migration failed","error":"{}")", json_escape(writer.error().message));
        return 1;
      }
      std::printf("sqlite audit database is up to date\n");
      return 0;
    }
  } catch (const std::invalid_argument& e) {
    log.error(R"("msg":"bad configuration","error":"{}")", json_escape(e.what()));
    return 2;
  }
  log.error(R"x("msg":"migrate needs DATABASE_URL (or AUDIT_DB=sqlite:PATH)")x");
  return 2;
}

int run_audit_status(const Config& config, spdlog::logger& log) {
  if (config.redis_url.empty()) {
    log.error(
        R"x("msg":"audit status reads the Redis audit queue: set REDIS_URL (the embedded engine's queue is in-process: see its /metrics)")x");
    return 2;
  }
  auto url = store::redis::parse_redis_url(config.redis_url);
  if (!url) {
    log.error(R"("msg":"bad configuration","error":"{}")", json_escape(url.error().message));
    return 2;
  }
  asio::io_context io;
  auto client = std::make_shared<store::redis::RedisClient>(io.get_executor(), *url);
  const store::redis::KeySpace keys(config.key_prefix, kShards);
  domain::SystemClock clock;
  auto future = asio::co_spawn(
      io,
      [&]() -> asio::awaitable<std::optional<domain::Result<audit::StreamStats>>> {
        auto stats = co_await audit::read_stream_stats(*client, keys, "audit", clock.wall_now());
        client->close();
        co_return stats;
      },
      asio::use_future);
  io.run();
  auto stats = future.get();
  if (!stats || !*stats) {
    log.error(R"("msg":"cannot read the audit queue","error":"{}")",
              json_escape(stats ? (*stats).error().message : std::string("no answer")));
    return 1;
  }
  std::fputs(audit::format_stream_stats(**stats).c_str(), stdout);
  return 0;
}

}  // namespace sk::app
