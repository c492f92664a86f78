// A fleet of real `synckairos` processes on one real redis-server (issue 4,
// deliverable 6): every test starts a RedisServerFixture (a free loopback port, a
// temporary directory) and several instances of the binary pointed at it with
// REDIS_URL and a KEY_PREFIX of their own, then talks to them over HTTP and WebSocket
// exactly as clients do. What is checked is what SPEC §1, §4 and §5 promise a fleet:
// any instance serves any request, every watcher everywhere sees every change in
// version order, a time-out fires once, concurrent writes never lose an update, and
// a crashed instance or a restarted Redis leaves nobody stale. Every instance still
// running at the end must drain and exit 0 (a sanitizer report in a server process
// makes it exit otherwise).
//
// Timing: bounds are generous (sanitizer builds, a shared machine); nothing asserts
// how fast something happens except the outage's fail-fast promise (< 3 s).
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "domain/clock.h"
#include "domain/time.h"
#include "store/redis/redis_cluster_fixture.h"
#include "store/redis/redis_server_fixture.h"
#include "support/bodies.h"
#include "support/http_client.h"
#include "support/instance.h"
#include "support/json.h"
#include "support/process.h"
#include "support/ws_client.h"

namespace sk::testing {
namespace {

using namespace std::chrono_literals;
using store::redis::testing::RedisClusterFixture;
using store::redis::testing::RedisServerFixture;
using SteadyClock = std::chrono::steady_clock;

// A switch that must succeed at exactly `version` + 1 (expected_version guards it,
// so a stray write elsewhere shows up as a 409 here).
void switch_at(const Instance& via, const std::string& id, std::int64_t version) {
  const auto r =
      post(via, session_path(id, "switch"), fmt::format(R"({{"expected_version":{}}})", version));
  ASSERT_EQ(r.status, 200u) << "switch via " << via.name() << " at v" << version << ": " << r.body;
  EXPECT_EQ(r.json()["data"]["version"].i64(), version + 1) << r.body;
}

// ---------------------------------------------------------------------------
// WebSocket watchers.

bool is_state(const Json& m) {
  const auto type = m["type"].str();
  return type == "STATE_SYNC" || type == "STATE_UPDATE";
}

// One watcher: its connection and every message it received after the first sync.
struct Watcher {
  Watcher(std::string where, std::uint16_t port, const std::string& session)
      : name(std::move(where)), ws(port, "/ws?sessionId=" + session) {}

  // CONNECTED then STATE_SYNC of an existing session.
  void expect_sync() {
    const auto connected = ws.next_json(10s);
    ASSERT_EQ(connected["type"].str(), "CONNECTED") << name;
    const auto sync = ws.next_json(10s);
    ASSERT_EQ(sync["type"].str(), "STATE_SYNC") << name;
    version = sync["state"]["version"].i64();
  }

  // Reads until a state of at least `target` arrived; false on time-out or close.
  bool read_until_version(std::int64_t target, std::chrono::milliseconds limit = 10s) {
    return read_until([&] { return version >= target; }, limit);
  }

  // Reads until `type` arrived; false on time-out or close.
  bool read_until_type(const std::string& type, std::chrono::milliseconds limit = 10s) {
    return read_until([&] { return !received.empty() && received.back()["type"].str() == type; },
                      limit,
                      /*check_first=*/false);
  }

  // Reads messages until `done()` holds (checked before the first read unless
  // `check_first` is false, i.e. only a message read now can satisfy it).
  bool read_until(const std::function<bool()>& done, std::chrono::milliseconds limit,
                  bool check_first = true) {
    const auto until = SteadyClock::now() + limit;
    if (check_first && done()) return true;
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(until - SteadyClock::now());
      if (left <= 0ms) return false;
      const auto m = ws.next(left);
      if (!m) return false;
      take(Json::parse(*m));
      if (done()) return true;
    }
  }

  // Whatever else arrives within `window` (to prove something did NOT arrive).
  void read_for(std::chrono::milliseconds window) {
    const auto until = SteadyClock::now() + window;
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(until - SteadyClock::now());
      if (left <= 0ms) return;
      const auto m = ws.next(left);
      if (!m) return;
      take(Json::parse(*m));
    }
  }

  // After SESSION_DELETED the server closes with 1000.
  void expect_closed_normally() {
    const auto more = ws.next(5s);
    EXPECT_FALSE(more.has_value()) << name << " got " << *more;
    EXPECT_FALSE(ws.timed_out()) << name << ": still open 5 s after SESSION_DELETED";
    EXPECT_EQ(ws.close_reason().code, 1000) << name;
  }

  std::vector<std::int64_t> state_versions() const {
    std::vector<std::int64_t> out;
    for (const auto& m : received) {
      if (is_state(m)) out.push_back(m["state"]["version"].i64());
    }
    return out;
  }
  std::size_t count(const std::string& type) const {
    return static_cast<std::size_t>(std::count_if(
        received.begin(), received.end(), [&](const Json& m) { return m["type"].str() == type; }));
  }
  std::optional<Json> last_state() const {
    for (auto it = received.rbegin(); it != received.rend(); ++it) {
      if (is_state(*it)) return (*it)["state"];
    }
    return std::nullopt;
  }

  void take(Json m) {
    if (is_state(m)) version = std::max(version, m["state"]["version"].i64());
    received.push_back(std::move(m));
  }

  std::string name;
  WsClient ws;
  std::int64_t version = 0;    // the newest state seen
  std::vector<Json> received;  // after the first STATE_SYNC
};

std::string text_or_null(const Json& j) { return j.is_null() ? "null" : j.str(); }

// The stored (not live) parts of two session states are equal.
void expect_same_state(const Json& a, const Json& b, const std::string& who) {
  EXPECT_EQ(a["version"].i64(), b["version"].i64()) << who;
  EXPECT_EQ(a["status"].str(), b["status"].str()) << who;
  EXPECT_EQ(text_or_null(a["active_participant_id"]), text_or_null(b["active_participant_id"]))
      << who;
  EXPECT_EQ(text_or_null(a["cycle_started_at"]), text_or_null(b["cycle_started_at"])) << who;
  ASSERT_EQ(a["participants"].size(), b["participants"].size()) << who;
  for (std::size_t i = 0; i < a["participants"].size(); ++i) {
    const auto p = a["participants"][i];
    const auto q = b["participants"][i];
    EXPECT_EQ(p["participant_id"].str(), q["participant_id"].str()) << who;
    EXPECT_EQ(p["total_time_ms"].i64(), q["total_time_ms"].i64()) << who << " participant " << i;
    EXPECT_EQ(p["time_used_ms"].i64(), q["time_used_ms"].i64()) << who << " participant " << i;
    EXPECT_EQ(p["cycle_count"].i64(), q["cycle_count"].i64()) << who << " participant " << i;
    EXPECT_EQ(p["has_expired"].boolean(), q["has_expired"].boolean()) << who;
  }
}

// `what` on `i` answers 503 UNAVAILABLE, and fast (< 3 s): Redis is unreachable or
// refuses this instance, and it must neither hang nor crash.
void expect_fast_unavailable(const Instance& i, const std::string& what,
                             boost::beast::http::verb method, const std::string& target,
                             const std::string& body) {
  const auto t0 = SteadyClock::now();
  HttpResponse r;
  try {
    r = call(i, method, target, body, 10s);
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << " on " << i.name() << ": " << e.what();
    return;
  }
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - t0);
  EXPECT_EQ(r.status, 503u) << what << " on " << i.name() << ": " << r.body;
  EXPECT_EQ(error_code(r), "UNAVAILABLE") << what << " on " << i.name();
  EXPECT_LT(took, 3s) << what << " on " << i.name() << " took " << took.count() << " ms";
}

// One watcher of `id` on each instance, past its first STATE_SYNC.
std::vector<std::unique_ptr<Watcher>> watch_on_each(const std::vector<Instance*>& fleet,
                                                    const std::string& id) {
  std::vector<std::unique_ptr<Watcher>> watchers;
  for (auto* i : fleet) {
    watchers.push_back(std::make_unique<Watcher>(i->name(), i->port(), id));
    watchers.back()->expect_sync();
  }
  return watchers;
}

// `id` is gone for everyone: each watcher got SESSION_DELETED and close 1000 (within
// `limit`), and every instance answers 404.
void expect_gone_everywhere(const std::vector<std::unique_ptr<Watcher>>& watchers,
                            const std::vector<Instance*>& fleet, const std::string& id,
                            std::chrono::milliseconds limit) {
  for (const auto& w : watchers) {
    EXPECT_TRUE(w->read_until_type("SESSION_DELETED", limit))
        << w->name << " was never told the session is gone";
    w->expect_closed_normally();
  }
  for (auto* i : fleet) {
    const auto r = get(*i, session_path(id));
    EXPECT_EQ(r.status, 404u) << i->name() << ": " << r.body;
    EXPECT_EQ(error_code(r), "SESSION_NOT_FOUND") << i->name();
  }
}

std::string joined(const std::vector<std::int64_t>& v) {
  return fmt::format("{} versions: {}", v.size(), fmt::join(v, ","));
}

// `versions` is exactly first, first + 1, ..., last.
void expect_consecutive(const std::vector<std::int64_t>& versions, std::int64_t first,
                        std::int64_t last, const std::string& who) {
  std::vector<std::int64_t> want;
  for (auto v = first; v <= last; ++v) want.push_back(v);
  EXPECT_EQ(versions, want) << who << " got " << joined(versions);
}

// ---------------------------------------------------------------------------
// The fixture: one Redis, instances A, B, C, ... on it; logs shown on failure.

class MultiInstance : public ::testing::Test {
 protected:
  void start_redis(RedisServerFixture::Options options = {}) {
    redis_ = std::make_unique<RedisServerFixture>(std::move(options));
  }
  // A Redis Cluster (3 masters + 3 replicas) instead of one Redis.
  void start_cluster() { cluster_ = std::make_unique<RedisClusterFixture>(); }
  std::string store_url() const { return cluster_ ? cluster_->url() : redis_->url(); }
  // The servers that hold data: the one Redis, or every cluster master.
  std::vector<RedisServerFixture*> data_nodes() {
    if (!cluster_) return {redis_.get()};
    std::vector<RedisServerFixture*> masters;
    for (int i = 0; i < cluster_->size(); ++i) {
      auto& node = cluster_->node(i);
      if (node.running() && node.cli({"ROLE"}).elements.at(0).str == "master")
        masters.push_back(&node);
    }
    return masters;
  }

  // A new instance on the test's Redis (or on `url`), named A, B, C, ...
  Instance& launch(std::vector<std::string> extra_args = {}, std::optional<std::string> url = {}) {
    const std::string name(1, static_cast<char>('A' + instances_.size()));
    instances_.push_back(
        std::make_unique<Instance>(name, url ? *url : store_url(), prefix(), extra_args));
    return *instances_.back();
  }

  // Launches `n` instances and waits until every one is ready.
  std::vector<Instance*> launch_ready(int n, const std::vector<std::string>& extra_args = {}) {
    std::vector<Instance*> out;
    for (int k = 0; k < n; ++k) out.push_back(&launch(extra_args));
    for (auto* i : out) {
      EXPECT_TRUE(ready_becomes(*i, 200, 20s)) << i->name() << " never ready";
    }
    return out;
  }

  // A key prefix of the test's own: a test never reads what another wrote.
  static std::string prefix() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return std::string("mi-") + info->name() + ":";
  }

  // Every audit stream entry of `session`, as (version, event type), in stream order
  // per shard.
  std::vector<std::pair<std::int64_t, std::string>> audit_events(const std::string& session) {
    std::vector<std::pair<std::int64_t, std::string>> out;
    for (auto* node : data_nodes()) {
      const auto streams = node->cli({"KEYS", prefix() + "*audit"});
      for (const auto& key : streams.elements) {
        const auto entries = node->cli({"XRANGE", key.str, "-", "+"});
        for (const auto& entry : entries.elements) {
          std::map<std::string, std::string> fields;
          const auto& kv = entry.elements.at(1).elements;
          for (std::size_t i = 0; i + 1 < kv.size(); i += 2) fields[kv[i].str] = kv[i + 1].str;
          if (fields["session"] != session) continue;
          out.emplace_back(std::stoll(fields["version"]),
                           Json::parse(fields["event"])["type"].str());
        }
      }
    }
    return out;
  }

  void TearDown() override {
    stop_all(instances_, HasFailure());
    redis_.reset();
    cluster_.reset();
  }

  std::unique_ptr<RedisServerFixture> redis_;
  std::unique_ptr<RedisClusterFixture> cluster_;
  std::vector<std::unique_ptr<Instance>> instances_;
};

// The tests that hold on one Redis and on a Redis Cluster alike.
class OnEveryEngine : public MultiInstance, public ::testing::WithParamInterface<std::string> {
 protected:
  void start_engine() {
    if (GetParam() == "redis_cluster") {
      start_cluster();
    } else {
      start_redis();
    }
  }
};
INSTANTIATE_TEST_SUITE_P(Fleet, OnEveryEngine, ::testing::Values("redis", "redis_cluster"),
                         [](const auto& param_info) { return param_info.param; });

// ---------------------------------------------------------------------------
// 1. Any instance serves any request; every watcher everywhere sees every change.

TEST_P(OnEveryEngine, EveryWatcherSeesEverySwitchMadeThroughAnyInstance) {
  start_engine();
  const auto fleet = launch_ready(3);
  auto &a = *fleet[0], &b = *fleet[1], &c = *fleet[2];
  const auto id = session_id(1);
  ASSERT_EQ(post(a, "/v1/sessions", chess_body(id, 300000, 2000)).status, 201u);

  std::vector<std::unique_ptr<Watcher>> watchers;
  for (auto* i : fleet) {
    for (int k = 0; k < 2; ++k) {
      watchers.push_back(std::make_unique<Watcher>(i->name(), i->port(), id));
      watchers.back()->expect_sync();
      EXPECT_EQ(watchers.back()->version, 1) << i->name();
    }
  }

  ASSERT_EQ(post(a, session_path(id, "start")).status, 200u);  // version 2
  // Mostly through B and C, sometimes through A (where the session was created).
  const std::vector<Instance*> route{&b, &c, &b, &c, &a};
  const std::int64_t switches = 20;
  for (std::int64_t n = 0; n < switches; ++n) {
    ASSERT_NO_FATAL_FAILURE(
        switch_at(*route[static_cast<std::size_t>(n) % route.size()], id, 2 + n));
  }
  const std::int64_t last = 2 + switches;

  const auto reference = get(b, session_path(id));
  ASSERT_EQ(reference.status, 200u);
  for (auto* i : fleet) {
    const auto r = get(*i, session_path(id));
    ASSERT_EQ(r.status, 200u) << i->name();
    expect_same_state(r.json()["data"], reference.json()["data"], "GET on " + i->name());
  }
  EXPECT_EQ(reference.json()["data"]["version"].i64(), last);

  for (auto& w : watchers) {
    EXPECT_TRUE(w->read_until_version(last)) << w->name << " stopped at v" << w->version;
    // Every update, in order, none twice, nothing but updates.
    expect_consecutive(w->state_versions(), 2, last, "watcher on " + w->name);
    EXPECT_EQ(w->count("STATE_UPDATE"), w->received.size()) << w->name;
    if (auto s = w->last_state()) {
      expect_same_state(*s, reference.json()["data"], "watcher on " + w->name);
    }
  }
}

// ---------------------------------------------------------------------------
// 2. With three pollers on the deadline index, a time-out fires once.

TEST_P(OnEveryEngine, ATimeOutFiresExactlyOnceAcrossTheFleet) {
  start_engine();
  const auto fleet = launch_ready(3);
  const auto id = session_id(2);
  // 1.5 s banks, no increment, end_session (the per_participant default).
  ASSERT_EQ(post(*fleet[0], "/v1/sessions", chess_body(id, 1500, 0)).status, 201u);
  auto watchers = watch_on_each(fleet, id);
  ASSERT_EQ(post(*fleet[1], session_path(id, "start")).status, 200u);  // version 2

  // Nobody calls anything: the fleet notices the deadline by itself.
  for (auto& w : watchers) {
    EXPECT_TRUE(w->read_until_version(3, 15s)) << w->name << " never saw the time-out";
  }
  // A duplicate firing would arrive shortly after the first; wait well past it.
  std::this_thread::sleep_for(1500ms);
  for (auto& w : watchers) {
    w->read_for(300ms);
    EXPECT_EQ(w->count("TIME_EXPIRED"), 1u) << w->name;
    expect_consecutive(w->state_versions(), 2, 3, "watcher on " + w->name);
    const auto s = w->last_state();
    ASSERT_TRUE(s) << w->name;
    EXPECT_EQ((*s)["status"].str(), "expired") << w->name;
    for (const auto& m : w->received) {
      if (m["type"].str() != "TIME_EXPIRED") continue;
      EXPECT_EQ(m["participant_id"].str(), kAlice) << w->name;
      EXPECT_EQ(m["action"].str(), "end_session") << w->name;
    }
  }
  for (auto* i : fleet) {
    const auto r = get(*i, session_path(id));
    ASSERT_EQ(r.status, 200u);
    EXPECT_EQ(r.json()["data"]["status"].str(), "expired") << i->name();
    EXPECT_EQ(r.json()["data"]["version"].i64(), 3) << i->name();
  }

  // The audit stream holds the time-out once: one write (version 3) with the
  // participant's and the session's expiry, and nothing after it.
  const auto events = audit_events(id);
  std::map<std::string, int> by_type;
  for (const auto& [version, type] : events) {
    ++by_type[type];
    if (type.ends_with("_expired")) {
      EXPECT_EQ(version, 3) << type;
    }
    EXPECT_LE(version, 3) << type;
  }
  EXPECT_EQ(by_type["session_created"], 1);
  EXPECT_EQ(by_type["session_started"], 1);
  EXPECT_EQ(by_type["participant_expired"], 1);
  EXPECT_EQ(by_type["session_expired"], 1);
  EXPECT_EQ(events.size(), 4u);
}

// Warnings and scheduled starts ride the same deadline index (issue 17): a session
// scheduled to start, then crossing two warnings_ms thresholds, then timing out, is
// started once, warned once per threshold and expired once across the fleet.
TEST_P(OnEveryEngine, AScheduledStartAndEveryWarningHappenExactlyOnceAcrossTheFleet) {
  start_engine();
  const auto fleet = launch_ready(3);
  const auto id = session_id(17);
  const auto at = domain::to_unix_ms(domain::SystemClock{}.wall_now()) + 2000;
  auto body = chess_body(id, 2500, 0);
  body.insert(body.size() - 1, fmt::format(R"(,"warnings_ms":[2000,1000],"start_at":"{}")",
                                           domain::format_iso8601(domain::from_unix_ms(at))));
  const auto created = post(*fleet[0], "/v1/sessions", body);
  ASSERT_EQ(created.status, 201u) << created.body;
  auto watchers = watch_on_each(fleet, id);

  // Nobody calls anything: start (v2), two warnings (v3, v4), the time-out (v5).
  for (auto& w : watchers) {
    EXPECT_TRUE(w->read_until_version(5, 20s)) << w->name << " stopped at v" << w->version;
  }
  std::this_thread::sleep_for(1500ms);  // a duplicate would come shortly after
  for (auto& w : watchers) {
    w->read_for(300ms);
    EXPECT_EQ(w->count("TIME_WARNING"), 2u) << w->name;
    EXPECT_EQ(w->count("TIME_EXPIRED"), 1u) << w->name;
    expect_consecutive(w->state_versions(), 2, 5, "watcher on " + w->name);
  }
  const auto s = get(*fleet[2], session_path(id)).json()["data"];
  EXPECT_EQ(domain::to_unix_ms(*domain::parse_iso8601(s["session_started_at"].str())), at);
  EXPECT_EQ(s["status"].str(), "expired");

  std::map<std::string, int> by_type;
  for (const auto& [version, type] : audit_events(id)) ++by_type[type];
  EXPECT_EQ(by_type["session_started"], 1);
  EXPECT_EQ(by_type["time_warning"], 2);
  EXPECT_EQ(by_type["participant_expired"], 1);
}

// ---------------------------------------------------------------------------
// 3. Concurrent writers on three processes: the version check and the write are
// one atomic step in Redis.
//
// A GET-then-SET design (read the version, compute, then SET the new state without
// checking that the stored version is still the one read) would lose updates here:
// two instances read version v at once, both write v + 1 and both answer 200, so two
// 200s carry the same version and one switch is silently gone (the cycle counts
// would fall short of the number of 200s).

// Unguarded switches ask for no condition (SPEC §2): an instance that loses the race
// re-reads and applies them again, so every one answers 200.
TEST_P(OnEveryEngine, ConcurrentSwitchesOnThreeInstancesNeverLoseAnUpdate) {
  start_engine();
  const auto fleet = launch_ready(3);
  const auto id = session_id(3);
  ASSERT_EQ(post(*fleet[0], "/v1/sessions", chess_body(id, 3'600'000, 0)).status, 201u);
  ASSERT_EQ(post(*fleet[0], session_path(id, "start")).status, 200u);  // version 2

  struct Outcome {
    unsigned status = 0;
    std::int64_t version = 0;  // of a 200
    std::string code;          // of an error
  };
  // Each client sends `per_client` switches, one after another, with `body`; all the
  // clients (`per_instance` on every instance) start together.
  const auto race = [&](int per_instance, int per_client, const std::string& body) {
    std::mutex mu;
    std::vector<Outcome> outcomes;
    std::vector<std::string> failures;  // exceptions: a client that could not talk
    std::atomic<int> ready{0};
    const int clients = per_instance * static_cast<int>(fleet.size());
    std::vector<std::thread> threads;
    for (auto* i : fleet) {
      for (int k = 0; k < per_instance; ++k) {
        threads.emplace_back([&, port = i->port()] {
          std::vector<Outcome> mine;
          try {
            HttpClient http{port};
            http.set_timeout(10s);
            ready.fetch_add(1);
            while (ready.load() < clients) std::this_thread::yield();
            for (int n = 0; n < per_client; ++n) {
              const auto r = http.post(session_path(id, "switch"), body);
              Outcome o{r.status, 0, {}};
              if (r.status == 200)
                o.version = r.json()["data"]["version"].i64();
              else
                o.code = error_code(r);
              mine.push_back(std::move(o));
            }
          } catch (const std::exception& e) {
            ready.fetch_add(1);
            std::lock_guard lock(mu);
            failures.push_back(e.what());
          }
          std::lock_guard lock(mu);
          outcomes.insert(outcomes.end(), mine.begin(), mine.end());
        });
      }
    }
    for (auto& t : threads) t.join();
    EXPECT_TRUE(failures.empty()) << failures.front();
    return outcomes;
  };
  const auto tally = [](const std::vector<Outcome>& outcomes) {
    std::vector<std::int64_t> versions;
    std::map<std::string, int> others;
    for (const auto& o : outcomes) {
      if (o.status == 200)
        versions.push_back(o.version);
      else
        ++others[fmt::format("{} {}", o.status, o.code)];
    }
    std::sort(versions.begin(), versions.end());
    return std::pair{versions, others};
  };

  // 30 at once (10 connections on each instance), then 90 more in a sustained race
  // (3 connections on each instance, 10 switches each): every one is applied.
  std::int64_t applied = 0;
  for (const auto& [per_instance, per_client] : {std::pair{10, 1}, std::pair{3, 10}}) {
    const auto [versions, others] = tally(race(per_instance, per_client, ""));
    const auto n = static_cast<std::int64_t>(versions.size());
    EXPECT_EQ(n, 3 * per_instance * per_client);
    for (const auto& [what, count] : others) ADD_FAILURE() << count << " answers " << what;
    // Distinct and gap-free: every 200 is one write, every write one 200.
    expect_consecutive(versions, 3 + applied, 2 + applied + n, "the 200 answers");
    applied += n;
  }

  for (auto* i : fleet) {
    const auto r = get(*i, session_path(id));
    ASSERT_EQ(r.status, 200u);
    const auto s = r.json()["data"];
    EXPECT_EQ(s["version"].i64(), 2 + applied) << i->name();
    // Each applied switch ended one turn: no turn lost in the state either.
    std::int64_t cycles = 0;
    for (std::size_t p = 0; p < s["participants"].size(); ++p)
      cycles += s["participants"][p]["cycle_count"].i64();
    EXPECT_EQ(cycles, applied) << i->name();
  }

  // Guarded by the version they saw, 30 taps across the fleet give exactly one 200.
  const auto guarded = race(10, 1, fmt::format(R"({{"expected_version": {}}})", 2 + applied));
  const auto [versions, others] = tally(guarded);
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions.front(), 3 + applied);
  ASSERT_EQ(others.size(), 1u);
  EXPECT_EQ(others.begin()->first, "409 CONFLICT");
  EXPECT_EQ(others.begin()->second, 29);
}

// ---------------------------------------------------------------------------
// 4. An instance crashes mid-game: the others carry on, and its time-outs fire.

TEST_P(OnEveryEngine, KillingAnInstanceLeavesTheOthersServingAndTimingOut) {
  start_engine();
  const auto fleet = launch_ready(3);
  auto &a = *fleet[0], &b = *fleet[1], &c = *fleet[2];
  const auto game = session_id(4);
  const auto doomed = session_id(5);  // last written through B, times out after B died

  ASSERT_EQ(post(a, "/v1/sessions", chess_body(game, 300000, 2000)).status, 201u);
  ASSERT_EQ(post(b, "/v1/sessions", chess_body(doomed, 3000, 0)).status, 201u);
  std::vector<std::unique_ptr<Watcher>> game_watchers;
  std::vector<std::unique_ptr<Watcher>> doomed_watchers;
  for (auto* i : {&a, &c}) {
    game_watchers.push_back(std::make_unique<Watcher>(i->name(), i->port(), game));
    game_watchers.back()->expect_sync();
    doomed_watchers.push_back(std::make_unique<Watcher>(i->name(), i->port(), doomed));
    doomed_watchers.back()->expect_sync();
  }
  Watcher on_b{"B", b.port(), game};
  on_b.expect_sync();

  // B serves the game for a while and starts the doomed clock.
  ASSERT_EQ(post(b, session_path(game, "start")).status, 200u);  // version 2
  for (std::int64_t v = 2; v < 5; ++v) ASSERT_NO_FATAL_FAILURE(switch_at(b, game, v));
  ASSERT_EQ(post(b, session_path(doomed, "start")).status, 200u);  // deadline in 3 s
  EXPECT_TRUE(on_b.read_until_version(5));

  EXPECT_EQ(b.kill_now(), 128 + SIGKILL);
  // Its watcher loses the connection (and reconnects elsewhere, in real life).
  EXPECT_FALSE(on_b.ws.next(5s).has_value());

  for (std::int64_t v = 5; v < 11; ++v) {
    ASSERT_NO_FATAL_FAILURE(switch_at(v % 2 == 0 ? a : c, game, v));
  }
  const auto reference = get(c, session_path(game));
  ASSERT_EQ(reference.status, 200u);
  for (auto& w : game_watchers) {
    EXPECT_TRUE(w->read_until_version(11)) << w->name << " stopped at v" << w->version;
    expect_consecutive(w->state_versions(), 2, 11, "game watcher on " + w->name);
    if (auto s = w->last_state()) {
      expect_same_state(*s, reference.json()["data"], "game watcher on " + w->name);
    }
  }

  // B wrote the doomed deadline and is gone; A or C fires it.
  for (auto& w : doomed_watchers) {
    EXPECT_TRUE(w->read_until_version(3, 15s)) << w->name << " never saw the time-out";
    w->read_for(500ms);  // TIME_EXPIRED follows the expired state
    EXPECT_EQ(w->count("TIME_EXPIRED"), 1u) << w->name;
    const auto s = w->last_state();
    ASSERT_TRUE(s);
    EXPECT_EQ((*s)["status"].str(), "expired") << w->name;
  }
  const auto r = get(a, session_path(doomed));
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.json()["data"]["status"].str(), "expired");
}

// ---------------------------------------------------------------------------
// 5. Redis restarts with its data (AOF): requests fail fast meanwhile, then the
// fleet resumes by itself and no watcher is left behind.

TEST_F(MultiInstance, RedisRestartWithPersistenceResumesAndLeavesNoWatcherStale) {
  RedisServerFixture::Options options;
  options.persistence = true;
  start_redis(options);
  const auto fleet = launch_ready(3);
  auto &a = *fleet[0], &b = *fleet[1], &c = *fleet[2];
  const auto id = session_id(6);
  ASSERT_EQ(post(a, "/v1/sessions", chess_body(id, 300000, 2000)).status, 201u);
  auto watchers = watch_on_each(fleet, id);
  ASSERT_EQ(post(b, session_path(id, "start")).status, 200u);  // version 2
  ASSERT_NO_FATAL_FAILURE(switch_at(c, id, 2));                // version 3
  for (auto& w : watchers) EXPECT_TRUE(w->read_until_version(3)) << w->name;

  redis_->stop();

  // The outage: answers are 503 UNAVAILABLE, quickly; /ready says not ready.
  for (auto* i : fleet) {
    EXPECT_TRUE(ready_becomes(*i, 503, 5s)) << i->name() << " still ready without Redis";
    expect_fast_unavailable(*i, "GET", boost::beast::http::verb::get, session_path(id), {});
    expect_fast_unavailable(*i, "switch", boost::beast::http::verb::post,
                            session_path(id, "switch"), {});
  }

  redis_->start();

  // As soon as A is back, write through it: instances still reconnecting miss the
  // publish and must re-sync their watchers when their subscription returns.
  ASSERT_TRUE(ready_becomes(a, 200, 20s)) << "A never ready again";
  ASSERT_NO_FATAL_FAILURE(switch_at(a, id, 3));  // version 4 (the data survived)
  for (auto* i : fleet) EXPECT_TRUE(ready_becomes(*i, 200, 20s)) << i->name();
  ASSERT_NO_FATAL_FAILURE(switch_at(b, id, 4));  // version 5, after every instance is back

  const auto reference = get(c, session_path(id));
  ASSERT_EQ(reference.status, 200u);
  EXPECT_EQ(reference.json()["data"]["version"].i64(), 5);
  for (auto& w : watchers) {
    EXPECT_TRUE(w->read_until_version(5)) << w->name << " left stale at v" << w->version;
    w->read_for(300ms);
    EXPECT_EQ(w->version, 5) << w->name;
    // Versions only go up; v4 came as an update, or as a re-sync if it was missed.
    const auto versions = w->state_versions();
    EXPECT_TRUE(std::is_sorted(versions.begin(), versions.end()) &&
                std::adjacent_find(versions.begin(), versions.end()) == versions.end())
        << w->name << " got " << joined(versions);
    if (auto s = w->last_state()) expect_same_state(*s, reference.json()["data"], w->name);
    // Which path this run took (it depends on the order the instances reconnected).
    std::cout << "[ info ] watcher on " << w->name
              << " after the restart: " << w->count("STATE_UPDATE") << " updates, "
              << w->count("STATE_SYNC") << " re-syncs; " << joined(versions) << "\n";
  }

  // Each instance told its operator once: lost (warn), then back after how long and
  // with its watchers re-synced (info); /metrics counts both transitions.
  const auto occurrences = [](const std::string& text, const std::string& what) {
    int n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
    return n;
  };
  // At warning level: an operator who runs with LOG_LEVEL=warn hears of it too.
  const std::string lost = R"("level":"warning","msg":"dependency lost","dependency":"redis")";
  const std::string back = R"("msg":"dependency back","dependency":"redis","down_ms":)";
  for (auto* i : fleet) {
    const auto log = i->log_tail(std::size_t{1} << 24);
    EXPECT_EQ(occurrences(log, lost), 1) << i->name() << ":\n" << log;
    EXPECT_EQ(occurrences(log, back), 1) << i->name() << ":\n" << log;
    const auto metrics = get(*i, "/metrics").body;
    EXPECT_NE(
        metrics.find(R"(synckairos_dependency_transitions_total{dependency="redis",to="down"} 1)"),
        std::string::npos)
        << i->name();
    EXPECT_NE(
        metrics.find(R"(synckairos_dependency_transitions_total{dependency="redis",to="up"} 1)"),
        std::string::npos)
        << i->name();
    EXPECT_NE(metrics.find(R"(synckairos_dependency_up{dependency="redis"} 1)"), std::string::npos)
        << i->name();
  }
}

// ---------------------------------------------------------------------------
// 6. Redis restarts empty: every watcher of a lost session is told so.

TEST_F(MultiInstance, RedisRestartWithoutPersistenceTellsEveryWatcherTheSessionIsGone) {
  start_redis();  // no persistence: a restart loses everything
  const auto fleet = launch_ready(3);
  const auto id = session_id(7);
  ASSERT_EQ(post(*fleet[0], "/v1/sessions", chess_body(id, 300000, 2000)).status, 201u);
  ASSERT_EQ(post(*fleet[1], session_path(id, "start")).status, 200u);  // version 2
  auto watchers = watch_on_each(fleet, id);

  redis_->kill();
  redis_->start();
  for (auto* i : fleet) EXPECT_TRUE(ready_becomes(*i, 200, 20s)) << i->name();
  expect_gone_everywhere(watchers, fleet, id, 15s);
}

// ---------------------------------------------------------------------------
// 7. The session TTL holds on every instance; writes through any instance renew it.

TEST_F(MultiInstance, IdleSessionsExpireEverywhereAfterTheirTtl) {
  start_redis();
  const auto fleet = launch_ready(3, {"--session-ttl-s", "1"});
  auto &a = *fleet[0], &b = *fleet[1], &c = *fleet[2];
  const auto idle = session_id(8);
  const auto busy = session_id(9);
  ASSERT_EQ(post(a, "/v1/sessions", chess_body(busy, 300000, 0)).status, 201u);
  ASSERT_EQ(post(b, session_path(busy, "start")).status, 200u);  // version 2
  ASSERT_EQ(post(a, "/v1/sessions", chess_body(idle, 300000, 0)).status, 201u);
  auto watchers = watch_on_each(fleet, idle);

  // Written through A and C in turn every 400 ms for 2.4 s (> the TTL): still alive.
  for (std::int64_t v = 2; v < 8; ++v) {
    std::this_thread::sleep_for(400ms);
    ASSERT_NO_FATAL_FAILURE(switch_at(v % 2 == 0 ? a : c, busy, v));
  }
  // By now the idle one (untouched for > 2.4 s) is gone everywhere.
  expect_gone_everywhere(watchers, fleet, idle, 10s);
  // And the busy one expires too once nobody writes.
  std::this_thread::sleep_for(1500ms);
  for (auto* i : fleet) {
    const auto r = get(*i, session_path(busy));
    EXPECT_EQ(r.status, 404u) << i->name() << ": " << r.body;
  }
}

// ---------------------------------------------------------------------------
// 8. A Redis with a password: the right one works, a wrong or missing one leaves
// the instance up but not ready, answering 503.

TEST_F(MultiInstance, RedisPasswordRightOneServesWrongOneIsNotReadyAndNeverCrashes) {
  RedisServerFixture::Options options;
  options.password = "s3cret-Pa55";
  start_redis(options);
  auto& good = launch();
  auto& wrong =
      launch({}, "redis://:not-the-password@127.0.0.1:" + std::to_string(redis_->port()) + "/0");
  auto& missing = launch({}, redis_->url_without_password());
  ASSERT_TRUE(ready_becomes(good, 200, 20s)) << "the instance with the password never ready";

  const auto id = session_id(10);
  ASSERT_EQ(post(good, "/v1/sessions", chess_body(id)).status, 201u);
  EXPECT_EQ(get(good, session_path(id)).status, 200u);

  // Give the others every chance to (wrongly) connect, then check they did not.
  std::this_thread::sleep_for(1500ms);
  for (auto* i : {&wrong, &missing}) {
    EXPECT_EQ(ready_status(*i), 503u) << i->name();
    expect_fast_unavailable(*i, "GET", boost::beast::http::verb::get, session_path(id), {});
    expect_fast_unavailable(*i, "create", boost::beast::http::verb::post, "/v1/sessions",
                            chess_body(session_id(11)));
    EXPECT_EQ(get(*i, "/health").status, 200u) << i->name();
    EXPECT_TRUE(i->running()) << i->name() << " crashed; its log:\n" << i->log_tail();
  }
  // Nothing was written by the refused instances.
  EXPECT_EQ(get(good, session_path(session_id(11))).status, 404u);
}

// ---------------------------------------------------------------------------
// 9. Shutdown with a watcher that never answers the close frame (a frozen tab, a
// half-open connection): the drain gives up after its timeout and the process still
// exits cleanly, without touching what main() has already destroyed.

TEST_F(MultiInstance, AnInstanceDrainsCleanlyPastAWatcherThatIgnoresTheCloseFrame) {
  start_redis();
  auto& a = launch({"--drain-timeout-ms", "1000"});  // shorter than the close handshake
  ASSERT_TRUE(ready_becomes(a, 200, 20s));
  const auto id = session_id(12);
  ASSERT_EQ(post(a, "/v1/sessions", chess_body(id)).status, 201u);
  Watcher silent{"A", a.port(), id};
  silent.expect_sync();
  // The watcher reads nothing from here on, so the 1001 close is never answered.
  EXPECT_EQ(a.stop().value_or(-1), 0) << "its log:\n" << a.log_tail();
}

// ---------------------------------------------------------------------------
// 10. An update published while an instance's subscription is down is lost for its
// watchers; when the subscription comes back, they are re-synced to the moved
// version. (Deterministic: Redis refuses SUBSCRIBE for a while, so the instances stay
// connected for commands but deaf to the channel.)

TEST_F(MultiInstance, WatchersAreResyncedWhenTheSubscriptionReturnsAfterAMissedUpdate) {
  start_redis();
  const auto fleet = launch_ready(3);
  auto &a = *fleet[0], &b = *fleet[1];
  const auto id = session_id(13);
  ASSERT_EQ(post(a, "/v1/sessions", chess_body(id)).status, 201u);
  ASSERT_EQ(post(b, session_path(id, "start")).status, 200u);  // version 2
  std::vector<std::unique_ptr<Watcher>> watchers;
  for (auto* i : fleet) {
    watchers.push_back(std::make_unique<Watcher>(i->name(), i->port(), id));
    watchers.back()->expect_sync();
    EXPECT_EQ(watchers.back()->version, 2) << i->name();
  }

  ASSERT_FALSE(redis_->cli({"ACL", "SETUSER", "default", "-subscribe"}).is_error());
  redis_->cli({"CLIENT", "KILL", "TYPE", "pubsub"});
  for (auto* i : fleet) {
    EXPECT_TRUE(ready_becomes(*i, 503, 5s)) << i->name() << " ready without its subscription";
  }
  ASSERT_NO_FATAL_FAILURE(switch_at(a, id, 2));  // version 3, heard by nobody
  for (auto& w : watchers) {
    w->read_for(300ms);
    EXPECT_TRUE(w->received.empty()) << w->name << " heard a publish while unsubscribed";
  }

  ASSERT_FALSE(redis_->cli({"ACL", "SETUSER", "default", "+subscribe"}).is_error());
  for (auto* i : fleet) EXPECT_TRUE(ready_becomes(*i, 200, 15s)) << i->name();
  for (auto& w : watchers) {
    EXPECT_TRUE(w->read_until_version(3)) << w->name << " left stale at v" << w->version;
    ASSERT_EQ(w->received.size(), 1u) << w->name;
    EXPECT_EQ(w->received[0]["type"].str(), "STATE_SYNC") << w->name;
    EXPECT_EQ(w->received[0]["state"]["version"].i64(), 3) << w->name;
  }
}

// ---------------------------------------------------------------------------
// 11. Writes publish in full only for sessions some instance's watchers registered;
// the others get a bare version. A watcher whose registration was lost (here: the
// leases deleted behind the instances' backs) still gets every change, by re-reading
// on the bare version.

TEST_F(MultiInstance, AWatcherWhoseRegistrationWasLostStillSeesEveryChange) {
  start_redis();
  const auto fleet = launch_ready(2);
  auto &a = *fleet[0], &b = *fleet[1];
  const auto id = session_id(14);
  const auto unwatched = session_id(15);
  ASSERT_EQ(post(a, "/v1/sessions", chess_body(id)).status, 201u);
  ASSERT_EQ(post(a, "/v1/sessions", chess_body(unwatched)).status, 201u);
  Watcher w("B", b.port(), id);
  w.expect_sync();
  const auto leases = redis_->cli({"KEYS", prefix() + "*watched"});
  ASSERT_EQ(leases.elements.size(), 1u) << "one lease set, of the watched session's shard";
  EXPECT_EQ(redis_->cli({"ZCARD", leases.elements[0].str}).integer, 1);

  ASSERT_EQ(post(a, session_path(id, "start")).status, 200u);  // version 2, in full
  ASSERT_TRUE(w.read_until_version(2));
  EXPECT_EQ(w.received.back()["type"].str(), "STATE_UPDATE");

  ASSERT_EQ(redis_->cli({"DEL", leases.elements[0].str}).integer, 1);
  ASSERT_NO_FATAL_FAILURE(switch_at(a, id, 2));  // version 3, a bare version
  EXPECT_TRUE(w.read_until_version(3)) << "left stale at v" << w.version;
  ASSERT_NO_FATAL_FAILURE(switch_at(a, id, 3));  // version 4
  EXPECT_TRUE(w.read_until_version(4)) << "left stale at v" << w.version;
  expect_consecutive(w.state_versions(), 2, 4, "watcher on B");

  // Nobody ever watched the other session: no lease of it.
  const auto all = redis_->cli({"KEYS", prefix() + "*watched"});
  for (const auto& key : all.elements) {
    EXPECT_TRUE(redis_->cli({"ZSCORE", key.str, unwatched}).is_nil());
  }
}

}  // namespace
}  // namespace sk::testing
