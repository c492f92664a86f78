// Audit writer throughput (docs/benchmarks.md, "Audit writer (issue 5)"): sustained
// events/s written through PostgresAuditWriter into a real, durable PostgreSQL 15
// (fsync and synchronous_commit on), in batches of realistic records, by 1 and 2
// writer threads, each with its own writer (connection) and its own sessions.
//
// Records are generated before the clock starts (the engine plays 2-player chess
// games: create, start, switches, complete), interleaved across 100 games at a time
// as the queue would deliver them, so the measure is the writer and the database only.
//
//   sk_audit_bench [--events N] [--batch B] [--threads 1,2] [--no-fsync] [--sql STATEMENT]...
//
// --sql runs a statement after the migrations (diagnosis: what an index or a column
// type costs, e.g. --sql 'DROP INDEX idx_sync_participants_participant').
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "audit/audit_test_records.h"
#include "audit/postgres/migrations.h"
#include "audit/postgres/postgres_audit_writer.h"
#include "audit/postgres/postgres_server_fixture.h"

namespace {

using namespace sk::audit::testing;
using sk::domain::AuditRecord;
using sk::domain::Millis;

constexpr std::uint32_t kGameLength = 40;  // records per game
constexpr std::size_t kConcurrentGames = 100;

// `count` records of games numbered from `first_game`, interleaved kConcurrentGames
// at a time.
std::vector<AuditRecord> records(std::uint32_t first_game, std::size_t count) {
  std::vector<AuditRecord> out;
  out.reserve(count);
  std::uint32_t game = first_game;
  while (out.size() < count) {
    std::vector<std::vector<AuditRecord>> window;
    for (std::size_t i = 0; i < kConcurrentGames; ++i, ++game) {
      Game g(chess_request(2, Millis{300'000}, Millis{2'000}), session_id(game),
             kT0 + Millis{game});
      g.after(Millis{50}).apply(sk::domain::StartCommand{});
      for (std::uint32_t k = 0; k + 3 < kGameLength; ++k) {
        g.after(Millis{1'000 + k * 37 % 900}).apply(sk::domain::SwitchCommand{});
      }
      g.after(Millis{100}).apply(sk::domain::CompleteCommand{});
      window.push_back(g.records());
    }
    for (std::size_t step = 0; step < kGameLength; ++step) {
      for (auto& records : window) {
        if (step < records.size() && out.size() < count) out.push_back(std::move(records[step]));
      }
    }
  }
  return out;
}

struct Run {
  std::size_t events = 0;
  double seconds = 0;
  std::vector<double> batch_ms;
  double client_cpu_s = 0;  // this process (the writers: to_row, parameters, libpq)
  double server_cpu_s = 0;  // PostgreSQL, every process of the cluster
};

// CPU seconds of process `pid` (with its reaped children when `children`), from
// /proc/PID/stat fields 14-17.
double cpu_seconds(pid_t pid, bool children) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::vector<std::string> f;
  for (std::string x; fields >> x;) f.push_back(x);
  // f[0] is field 3 (state): utime is field 14 -> f[11].
  if (f.size() < 15) return 0;
  double ticks = std::stod(f[11]) + std::stod(f[12]);
  if (children) ticks += std::stod(f[13]) + std::stod(f[14]);
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// The cluster's CPU so far: the postmaster with the backends it has reaped, plus
// every child still alive.
double cluster_cpu_seconds(pid_t postmaster) {
  double total = cpu_seconds(postmaster, true);
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    std::string state;
    pid_t ppid = 0;
    fields >> state >> ppid;
    if (ppid == postmaster) total += cpu_seconds(std::stoi(name), false);
  }
  return total;
}

double process_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

Run run(const std::string& conninfo, pid_t postmaster, int threads, std::size_t events,
        std::size_t batch, std::uint32_t first_game) {
  std::vector<std::vector<AuditRecord>> work;
  for (int t = 0; t < threads; ++t) {
    work.push_back(records(first_game + static_cast<std::uint32_t>(t) * 1'000'000,
                           events / static_cast<std::size_t>(threads)));
  }
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(threads));
  std::vector<std::thread> pool;
  const double client0 = process_cpu_seconds();
  const double server0 = cluster_cpu_seconds(postmaster);
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      sk::audit::postgres::PostgresAuditWriter writer(conninfo);
      const auto& mine = work[static_cast<std::size_t>(t)];
      for (std::size_t at = 0; at < mine.size(); at += batch) {
        const std::size_t n = std::min(batch, mine.size() - at);
        const auto t0 = std::chrono::steady_clock::now();
        if (auto e = writer.write({mine.data() + at, n})) {
          std::fprintf(stderr, "write failed: %s\n", e->message.c_str());
          std::exit(1);
        }
        latencies[static_cast<std::size_t>(t)].push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count());
      }
    });
  }
  for (auto& th : pool) th.join();
  Run r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.client_cpu_s = process_cpu_seconds() - client0;
  // The writers' backends have exited with their connections; let the postmaster
  // reap them so their CPU shows in its children's total.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  r.server_cpu_s = cluster_cpu_seconds(postmaster) - server0;
  for (const auto& w : work) r.events += w.size();
  for (const auto& l : latencies) r.batch_ms.insert(r.batch_ms.end(), l.begin(), l.end());
  std::sort(r.batch_ms.begin(), r.batch_ms.end());
  return r;
}

double pct(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto i = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
  return sorted[i];
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t events = 200'000;
  std::size_t batch = 500;
  std::vector<int> thread_counts{1, 2};
  bool durable = true;
  std::vector<std::string> extra_sql;
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--no-fsync") {  // diagnosis only: what the database costs without the disk
      durable = false;
      --i;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s needs a value\n", argv[i]);
      return 2;
    }
    const std::string value = argv[i + 1];
    if (flag == "--events") {
      events = std::stoul(value);
    } else if (flag == "--sql") {
      extra_sql.push_back(value);
    } else if (flag == "--batch") {
      batch = std::stoul(value);
    } else if (flag == "--threads") {
      thread_counts.clear();
      for (std::size_t from = 0; from < value.size();) {
        auto comma = value.find(',', from);
        if (comma == std::string::npos) comma = value.size();
        thread_counts.push_back(std::stoi(value.substr(from, comma - from)));
        from = comma + 1;
      }
    } else {
      std::fprintf(stderr,
                   "usage: %s [--events N] [--batch B] [--threads 1,2] [--no-fsync] "
                   "[--sql STATEMENT]...\n",
                   argv[0]);
      return 2;
    }
  }

  sk::audit::postgres::testing::PostgresServerFixture pg({.durable = durable, .settings = {}});
  const std::string conninfo = pg.conninfo();
  if (auto m = sk::audit::postgres::migrate(conninfo); !m.ok()) {
    std::fprintf(stderr, "migrate: %s\n", m.error().message.c_str());
    return 1;
  }
  for (const auto& sql : extra_sql) {
    pg.exec(sql);
    std::printf("ran: %s\n", sql.c_str());
  }
  std::printf("PostgreSQL %s, fsync=%s, synchronous_commit=%s; batch %zu, %zu events per run\n",
              pg.scalar("SHOW server_version").c_str(), pg.scalar("SHOW fsync").c_str(),
              pg.scalar("SHOW synchronous_commit").c_str(), batch, events);
  std::uint32_t first_game = 1;
  for (const int threads : thread_counts) {
    const Run r = run(conninfo, pg.pid(), threads, events, batch, first_game);
    first_game += 10'000'000;
    const double n = static_cast<double>(r.events);
    std::printf(
        "threads=%d events=%zu seconds=%.2f events/s=%.0f batch ms p50=%.1f p99=%.1f "
        "max=%.1f cpu us/event: writer %.1f postgres %.1f\n",
        threads, r.events, r.seconds, n / r.seconds, pct(r.batch_ms, 0.5), pct(r.batch_ms, 0.99),
        pct(r.batch_ms, 1.0), r.client_cpu_s * 1e6 / n, r.server_cpu_s * 1e6 / n);
    std::fflush(stdout);
  }
  std::printf("rows: sync_events=%s sync_sessions=%s sync_participants=%s\n",
              pg.scalar("SELECT count(*) FROM sync_events").c_str(),
              pg.scalar("SELECT count(*) FROM sync_sessions").c_str(),
              pg.scalar("SELECT count(*) FROM sync_participants").c_str());
  return 0;
}
