// RedisClusterFixture: a real Redis Cluster for tests: 3 masters and 3 replicas of
// redis-server on loopback, joined by `redis-cli --cluster create`. Header-only test
// support, like redis_server_fixture.h (whose servers it runs, with cluster mode on).
//
// - Ports: the cluster bus listens on port + 10000, so the node ports are drawn from
//   20000-30000 with both ports free (never above 55535).
// - Node timeout 1 s (a killed master is failed over within ~2-3 s); replicas always
//   eligible for a failover (validity factor 0).
// - url() is the redis+cluster:// URL of every node; node(i) is the i-th server
//   (0-2 are the masters as created, 3-5 their replicas).
// - master_of(slot) / replica_of(master) read CLUSTER NODES; move_slot() reshards one
//   slot by hand (SETSLOT IMPORTING/MIGRATING, MIGRATE, SETSLOT NODE), with a hook
//   between the steps so tests can run traffic mid-migration; wait_ok() waits until
//   every node reports cluster_state:ok and agrees on the masters.
#pragma once

#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store/redis/cluster_slots.h"
#include "store/redis/redis_server_fixture.h"

namespace sk::store::redis::testing {

// A port whose bus port (+10000) is free too, within 20000-30000.
inline std::uint16_t free_cluster_port() {
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> pick(20000, 29999);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const auto port = static_cast<std::uint16_t>(pick(random));
    if (::sk::testing::port_is_free(port) &&
        ::sk::testing::port_is_free(static_cast<std::uint16_t>(port + 10000))) {
      return port;
    }
  }
  throw std::runtime_error("no free port pair for a cluster node");
}

class RedisClusterFixture {
 public:
  static constexpr int kMasters = 3;

  RedisClusterFixture() {
    for (int i = 0; i < 2 * kMasters; ++i) {
      RedisServerOptions options;
      options.port = free_cluster_port();
      options.extra_args = {
          "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
          "--cluster-node-timeout", "1000", "--cluster-require-full-coverage", "no",
          // A replica fails over however long ago it last heard from
          // its master (with the default factor 10 and pings every
          // 10 s, an idle replica is "too stale" to take over).
          "--cluster-replica-validity-factor", "0", "--repl-ping-replica-period", "1"};
      nodes_.push_back(std::make_unique<RedisServerFixture>(options));
    }
    std::string command = "redis-cli --cluster create";
    for (const auto& node : nodes_) command += " 127.0.0.1:" + std::to_string(node->port());
    command += " --cluster-replicas 1 --cluster-yes > /dev/null 2>&1";
    if (std::system(command.c_str()) != 0) {
      throw std::runtime_error("redis-cli --cluster create failed: " + command);
    }
    wait_ok();
  }

  RedisServerFixture& node(int i) { return *nodes_.at(static_cast<std::size_t>(i)); }
  int size() const { return static_cast<int>(nodes_.size()); }

  std::string url() const {
    std::string out = "redis+cluster://";
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      if (i > 0) out += ",";
      out += "127.0.0.1:" + std::to_string(nodes_[i]->port());
    }
    return out;
  }

  // The node (index) serving `slot` as master now, per any running node; -1 if none.
  int master_of(int slot) {
    for (const auto& line : nodes_lines()) {
      if (line.flags.find("master") == std::string::npos ||
          line.flags.find("fail") != std::string::npos)
        continue;
      for (const auto& [first, last] : line.ranges) {
        if (slot >= first && slot <= last) return index_of_port(line.port);
      }
    }
    return -1;
  }

  // The replica (index) of master `m`; -1 if none.
  int replica_of(int m) {
    const std::string master_id = id_of(m);
    for (const auto& line : nodes_lines()) {
      if (line.master_id == master_id) return index_of_port(line.port);
    }
    return -1;
  }

  std::string id_of(int i) { return node(i).cli({"CLUSTER", "MYID"}).str; }

  // Moves `slot` from its master to node `to` (a master), the way redis-cli --cluster
  // reshard does; `between(step)` runs after IMPORTING/MIGRATING are set ("migrating")
  // and after the keys are migrated but before the slot is handed over ("migrated").
  template <typename Between>
  void move_slot(int slot, int to, Between between) {
    const int from = master_of(slot);
    if (from < 0 || from == to) throw std::runtime_error("move_slot: bad source");
    const std::string s = std::to_string(slot);
    expect_ok(node(to).cli({"CLUSTER", "SETSLOT", s, "IMPORTING", id_of(from)}));
    expect_ok(node(from).cli({"CLUSTER", "SETSLOT", s, "MIGRATING", id_of(to)}));
    between("migrating");
    for (;;) {
      const Reply keys = node(from).cli({"CLUSTER", "GETKEYSINSLOT", s, "100"});
      if (keys.elements.empty()) break;
      std::vector<std::string> migrate = {
          "MIGRATE", "127.0.0.1", std::to_string(node(to).port()), "", "0", "5000", "KEYS"};
      for (const auto& k : keys.elements) migrate.push_back(k.str);
      expect_ok(node(from).cli(migrate));
    }
    between("migrated");
    for (int i = 0; i < size(); ++i) {
      if (!node(i).running()) continue;
      const Reply r = node(i).cli({"CLUSTER", "SETSLOT", s, "NODE", id_of(to)});
      (void)r;  // replicas refuse; masters must accept
    }
  }

  // Every running node: cluster_state:ok, and one view of which node masters each slot.
  void wait_ok(std::chrono::seconds at_most = std::chrono::seconds(30)) {
    const auto until = std::chrono::steady_clock::now() + at_most;
    while (std::chrono::steady_clock::now() < until) {
      if (all_ok()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    throw std::runtime_error("the cluster did not reach cluster_state:ok");
  }

  // cluster_state:ok on every running node and every slot served per all of them.
  bool all_ok() {
    std::string first_view;
    for (const auto& n : nodes_) {
      if (!n->running()) continue;
      Reply info;
      try {
        info = n->cli({"CLUSTER", "INFO"});
      } catch (const std::exception&) {
        return false;
      }
      if (info.str.find("cluster_state:ok") == std::string::npos) return false;
      auto map =
          parse_cluster_slots(n->cli({"CLUSTER", "SLOTS"}), NodeAddress{"127.0.0.1", n->port()});
      if (!map || !map->uncovered().empty()) return false;
      std::string view;
      for (int slot = 0; slot < kClusterSlots; slot += 97) {
        view += map->masters[static_cast<std::size_t>(map->master_of(slot))].to_string() + ";";
      }
      if (first_view.empty()) first_view = view;
      if (view != first_view) return false;
    }
    return true;
  }

 private:
  struct NodeLine {
    std::uint16_t port = 0;
    std::string flags;
    std::string master_id;  // "-" for a master
    std::vector<std::pair<int, int>> ranges;
  };

  static void expect_ok(const Reply& r) {
    if (r.is_error()) throw std::runtime_error("cluster command failed: " + r.str);
  }

  int index_of_port(std::uint16_t port) const {
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i]->port() == port) return static_cast<int>(i);
    }
    return -1;
  }

  // CLUSTER NODES of the first running node that answers.
  std::vector<NodeLine> nodes_lines() {
    for (const auto& n : nodes_) {
      if (!n->running()) continue;
      Reply r;
      try {
        r = n->cli({"CLUSTER", "NODES"});
      } catch (const std::exception&) {
        continue;
      }
      if (r.is_error()) continue;
      std::vector<NodeLine> lines;
      std::istringstream text(r.str);
      std::string line;
      while (std::getline(text, line)) {
        std::istringstream fields(line);
        std::string id, address, flags, master, ping, pong, epoch, link;
        fields >> id >> address >> flags >> master >> ping >> pong >> epoch >> link;
        NodeLine out;
        const auto colon = address.find(':');
        const auto at = address.find('@');
        if (colon == std::string::npos) continue;
        out.port = static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1, at - colon - 1)));
        out.flags = flags;
        out.master_id = master;
        std::string range;
        while (fields >> range) {
          if (range.front() == '[') continue;  // a slot being migrated
          const auto dash = range.find('-');
          const int first = std::stoi(range.substr(0, dash));
          const int last = dash == std::string::npos ? first : std::stoi(range.substr(dash + 1));
          out.ranges.emplace_back(first, last);
        }
        lines.push_back(std::move(out));
      }
      return lines;
    }
    return {};
  }

  std::vector<std::unique_ptr<RedisServerFixture>> nodes_;
};

// One cluster for a whole test binary (an inline function's static: one across its
// translation units), started on first use. Tests that break nodes start their own.
inline RedisClusterFixture& shared_cluster() {
  static RedisClusterFixture cluster;
  return cluster;
}

}  // namespace sk::store::redis::testing
