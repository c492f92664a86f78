// sk_chaos: the chaos run of issue 14 (scripts/chaos runs it). Three synckairos
// instances on one Redis (AOF, fsync every second) with a PostgreSQL audit trail,
// scripted players on several threads, a fault injector on the main thread; at the
// end the audit pipeline drains and checker.h's checks print as a table. Exit 0 only
// when every check passed. Loopback only; every process is a child of this one.
//
// Usage: sk_chaos [--duration-s N] [--games N] [--players N] [--seed N] [--out DIR]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "chaos/checker.h"
#include "chaos/fault_injector.h"
#include "chaos/fleet.h"
#include "chaos/game_player.h"
#include "chaos/report.h"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using namespace sk::chaos;

struct Options {
  int duration_s = 60;
  int games = 200;
  int players = 8;
  std::uint64_t seed = 0;
  bool seed_given = false;
  std::string out = "build/chaos";
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--duration-s") {
      o.duration_s = std::stoi(value);
    } else if (flag == "--games") {
      o.games = std::stoi(value);
    } else if (flag == "--players") {
      o.players = std::stoi(value);
    } else if (flag == "--seed") {
      o.seed = std::stoull(value);
      o.seed_given = true;
    } else if (flag == "--out") {
      o.out = value;
    } else {
      throw std::invalid_argument("unknown flag " + flag);
    }
  }
  if (!o.seed_given) o.seed = std::random_device{}();
  return o;
}

// Until the audit queue is empty and sync_events stops growing (bounded).
CheckRow drain(const Fleet& fleet) {
  CheckRow row{"audit drained, nothing dead-lettered", true, {}, {}};
  const auto start = Clock::now();
  std::string last_count;
  int stable = 0;
  std::optional<Fleet::AuditBacklog> backlog;
  while (Clock::now() - start < 180s) {
    backlog = fleet.audit_backlog();
    const std::string count =
        fleet.postgres().scalar("SELECT count(*) FROM sync_events", Fleet::kDatabase);
    stable = count == last_count ? stable + 1 : 0;
    last_count = count;
    if (backlog && backlog->waiting == 0 && backlog->pending == 0 && stable >= 2) break;
    std::this_thread::sleep_for(1s);
  }
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  if (!backlog) {
    row.violation("`synckairos audit status` did not answer");
    row.figures = "queue unreadable";
    return row;
  }
  row.figures =
      fmt::format("waiting {}, pending {}, dead-lettered {}, {} events, drained in {:.1f} s",
                  backlog->waiting, backlog->pending, backlog->dead_lettered, last_count,
                  std::chrono::duration<double>(took).count());
  if (backlog->waiting != 0 || backlog->pending != 0 || stable < 2) {
    row.violation("the audit queue did not drain within 180 s");
  }
  if (backlog->dead_lettered != 0) {
    row.violation(fmt::format("{} events dead-lettered", backlog->dead_lettered));
  }
  return row;
}

int run(const Options& o) {
  std::cerr << fmt::format(
      "chaos: seed {} (SEED={} reproduces the choices), {} s, {} games, {} "
      "players\n",
      o.seed, o.seed, o.duration_s, o.games, o.players);
  std::mt19937_64 rng(o.seed);
  Fleet fleet(std::filesystem::path(o.out) / "logs");
  std::cerr << "chaos: redis " << fleet.redis_url() << ", postgres port " << fleet.postgres().port()
            << ", instances on ports";
  for (const auto p : fleet.ports()) std::cerr << " " << p;
  std::cerr << "\n";

  PlayShared shared;
  shared.ports = fleet.ports();
  shared.games_left = o.games;
  std::atomic<int> running{o.players};
  std::vector<PlayResult> results(static_cast<std::size_t>(o.players));
  std::vector<std::thread> players;
  const auto started = Clock::now();
  for (int i = 0; i < o.players; ++i) {
    players.emplace_back([&, i] {
      results[static_cast<std::size_t>(i)] =
          play(shared, o.seed * 1000003u + static_cast<std::uint64_t>(i));
      running.fetch_sub(1);
    });
  }
  const FaultLog faults =
      inject_faults(fleet, shared, rng, started + std::chrono::seconds(o.duration_s),
                    [&] { return running.load() == 0; });
  shared.stop = true;
  std::cerr << "chaos: faults over, letting the players finish their games\n";
  for (auto& t : players) t.join();
  const auto played = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  PlayResult all;
  for (auto& r : results) all.merge(std::move(r));

  std::cerr << "chaos: waiting for the audit trail to drain\n";
  std::vector<CheckRow> rows;
  int finished = 0;
  int expired = 0;
  int short_banks = 0;
  std::vector<std::string> sessions;
  for (const auto& g : all.games) {
    finished += g.finished ? 1 : 0;
    expired += g.final_status == "expired" ? 1 : 0;
    short_banks += g.short_banks ? 1 : 0;
    sessions.push_back(g.session_id);
  }
  CheckRow run_row{"run",
                   true,
                   fmt::format("{} games in {:.1f} s ({} short-bank, {} expired by the server, {} "
                               "ended), {}",
                               all.games.size(), std::chrono::duration<double>(played).count(),
                               short_banks, expired, finished, faults.figures()),
                   {}};
  if (finished != static_cast<int>(all.games.size())) {
    for (const auto& g : all.games) {
      if (!g.finished) {
        run_row.violation(fmt::format("{} ({}) ended {} at v{}", g.session_id, g.mode,
                                      g.final_status.empty() ? "unseen" : g.final_status,
                                      g.final_version));
      }
    }
  }
  rows.push_back(run_row);
  rows.push_back(drain(fleet));

  const auto events = load_audit_events(fleet.postgres(), Fleet::kDatabase);
  // Sessions whose create was never acknowledged may still exist: check them too.
  for (const auto& e : events) {
    if (sessions.empty() || sessions.back() != e.session_id) {
      if (std::find(sessions.begin(), sessions.end(), e.session_id) == sessions.end())
        sessions.push_back(e.session_id);
    }
  }
  const auto finals = read_final_states(fleet.ports(), sessions);
  for (auto& r : check_run(all, events, finals)) rows.push_back(std::move(r));
  rows.push_back(self_check(all, events, finals));

  const auto unclean = fleet.stop_instances();
  CheckRow exits{"instances exit 0 on SIGTERM",
                 true,
                 fmt::format("{} instance processes in all", fleet.instances_started()),
                 {}};
  for (const auto& u : unclean) exits.violation(u + " (log in " + o.out + "/logs)");
  rows.push_back(exits);

  print_report(std::cout, rows);
  std::ofstream(std::filesystem::path(o.out) / "report.md") << [&] {
    std::ostringstream s;
    s << "seed " << o.seed << "\n\n";
    print_report(s, rows);
    return s.str();
  }();
  std::cout << fmt::format("\nseed {}; logs and report in {}\n", o.seed, o.out);
  return all_ok(rows) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse(argc, argv));
  } catch (const std::exception& e) {
    std::cerr << "chaos: " << e.what() << "\n";
    return 2;
  }
}
