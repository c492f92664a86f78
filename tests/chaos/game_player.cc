// The scripted games (see game_player.h).
//
// Retry rule: a request without an answer (time-out, refused connection, 503) is
// unacknowledged -- it may or may not have been applied -- and is tried again on
// another instance; a switch retried carries expected_version, so it can never be
// applied twice. A 400 or 409 (a guard, or a command the state no longer allows,
// e.g. after a time-out) makes the player re-read the session and go on.
#include "chaos/game_player.h"

#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "support/http_client.h"
#include "support/json.h"
#include "support/ws_client.h"

namespace sk::chaos {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace http = boost::beast::http;
using testing::HttpResponse;
using testing::Json;

constexpr auto kRequestLimit = 3s;
constexpr int kAttempts = 12;

bool terminal(const std::string& status) {
  return status == "expired" || status == "completed" || status == "cancelled";
}

// What the player knows of its session: the last state an answer showed.
struct Known {
  std::int64_t version = 0;
  std::string status;
  std::string active;  // "" when none
  std::vector<AckedParticipant> participants;
};

Known read_state(const Json& data) {
  Known k;
  k.version = data["version"].i64();
  k.status = data["status"].str();
  const Json active = data["active_participant_id"];
  k.active = active.is_null() ? "" : active.str();
  const Json ps = data["participants"];
  for (std::size_t i = 0; i < ps.size(); ++i) {
    const Json p = ps[i];
    k.participants.push_back(AckedParticipant{p["participant_id"].str(), p["total_time_ms"].i64(),
                                              p["cycle_count"].i64(), p["has_expired"].boolean()});
  }
  return k;
}

class Watcher {
 public:
  Watcher(std::string session_id, std::uint16_t port) : session_id_(std::move(session_id)) {
    record_.session_id = session_id_;
    connect(port);
  }

  bool connected() const { return ws_ != nullptr; }
  WatcherRecord& record() { return record_; }

  void drop(Clock::time_point retry_at) {
    ws_.reset();
    retry_at_ = retry_at;
  }

  // Reads what has arrived (for at most `budget`); reconnects when it is due.
  void poll(std::chrono::milliseconds budget, std::uint16_t port) {
    if (!ws_) {
      if (Clock::now() >= retry_at_) connect(port);
      return;
    }
    for (int i = 0; i < 16; ++i) {
      std::optional<std::string> m;
      try {
        m = ws_->next(budget);
      } catch (const std::exception&) {
        m.reset();
      }
      if (!m) {
        if (!ws_->timed_out()) drop(Clock::now() + 200ms);  // closed: the instance went away
        return;
      }
      take(*m);
      budget = 0ms;
    }
  }

 private:
  void connect(std::uint16_t port) {
    try {
      auto ws = std::make_unique<testing::WsClient>(port, "/ws?sessionId=" + session_id_);
      if (record_.last_version > 0) {
        ws->send(fmt::format(R"({{"type":"RECONNECT","last_version":{}}})", record_.last_version));
      }
      ws_ = std::move(ws);
      connection_version_ = 0;
      if (ever_connected_) ++record_.reconnects;
      ever_connected_ = true;
    } catch (const std::exception&) {
      ws_.reset();
      retry_at_ = Clock::now() + 300ms;
    }
  }

  void take(const std::string& text) {
    try {
      const Json j = Json::parse(text);
      const std::string type = j["type"].str();
      if ((type != "STATE_SYNC" && type != "STATE_UPDATE") || !j.has("state")) return;
      const std::int64_t v = j["state"]["version"].i64();
      if (v < connection_version_) ++record_.out_of_order;
      connection_version_ = std::max(connection_version_, v);
      record_.last_version = std::max(record_.last_version, v);
    } catch (const std::exception&) {
      // Not a state message the checker needs.
    }
  }

  std::string session_id_;
  std::unique_ptr<testing::WsClient> ws_;
  WatcherRecord record_;
  std::int64_t connection_version_ = 0;  // newest seen on this connection
  Clock::time_point retry_at_{};
  bool ever_connected_ = false;
};

class Player {
 public:
  Player(PlayShared& shared, std::uint64_t seed) : shared_(shared), rng_(seed) {}

  PlayResult run() {
    while (!shared_.stop.load() && shared_.games_left.fetch_sub(1) > 0) play_game();
    return std::move(out_);
  }

 private:
  // ---- randomness -------------------------------------------------------------
  std::int64_t uniform(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  std::uint16_t any_port() {
    return shared_.ports[static_cast<std::size_t>(
        uniform(0, static_cast<std::int64_t>(shared_.ports.size()) - 1))];
  }
  std::string uuid() {
    const std::uint64_t a = rng_();
    const std::uint64_t b = rng_();
    return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff,
                       a & 0xfff, 0x8000 | ((b >> 48) & 0x3fff), b & 0xffffffffffffULL);
  }

  // ---- HTTP -------------------------------------------------------------------
  std::optional<HttpResponse> send(http::verb method, const std::string& target,
                                   const std::string& body) {
    ++out_.totals.requests;
    try {
      testing::HttpClient client{any_port()};
      client.set_timeout(kRequestLimit);
      return client.request(method, target, body);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }

  std::string path(const std::string& action = {}) const {
    return "/v1/sessions/" + game_.session_id + (action.empty() ? "" : "/" + action);
  }

  void anomaly(std::string what) { out_.anomalies.push_back({game_.session_id, std::move(what)}); }

  // Reads the session until an instance answers (bounded); false if none did.
  bool refresh() {
    for (int attempt = 1; attempt <= kAttempts * 2; ++attempt) {
      const auto r = send(http::verb::get, path(), {});
      if (r && r->status == 200) {
        try {
          known_ = read_state(r->json()["data"]);
          return true;
        } catch (const std::exception& e) {
          anomaly(fmt::format("unreadable GET body ({}): {}", e.what(), r->body));
          return false;
        }
      }
      if (r && r->status == 404 && known_.version == 0) return false;  // an unacknowledged create
      if (r && r->status != 503) {
        anomaly(fmt::format("GET answered {}: {}", r->status, r->body));
        return false;
      }
      idle(std::chrono::milliseconds(150 * std::min(attempt, 8)));
    }
    return false;
  }

  // One command, retried while unacknowledged. `body(retry)` gives the body for an
  // attempt. True if acknowledged.
  bool perform(const std::string& command, const std::string& target,
               const std::function<std::string(bool retry)>& body) {
    for (int attempt = 1; attempt <= kAttempts; ++attempt) {
      const auto r = send(http::verb::post, target, body(attempt > 1));
      if (!r || r->status == 503) {
        ++out_.totals.unacknowledged;
        idle(std::chrono::milliseconds(150 * std::min(attempt, 8)));
        continue;
      }
      if (r->status == 200 || r->status == 201) {
        try {
          known_ = read_state(r->json()["data"]);
        } catch (const std::exception& e) {
          anomaly(fmt::format("{}: unreadable {} body ({}): {}", command, r->status, e.what(),
                              r->body));
          return false;
        }
        out_.acked.push_back(AckedWrite{game_.session_id, known_.version, command, known_.status,
                                        known_.active, known_.participants});
        return true;
      }
      if (r->status == 400 || r->status == 409) {
        ++out_.totals.rejected;
        refresh();
        return false;
      }
      anomaly(fmt::format("{} answered {}: {}", command, r->status, r->body));
      refresh();
      return false;
    }
    refresh();
    return false;
  }

  // ---- watchers ---------------------------------------------------------------
  // Spends `d` reading the watchers (or sleeping when there are none).
  void idle(std::chrono::milliseconds d) {
    const auto until = Clock::now() + d;
    if (watchers_.empty()) {
      std::this_thread::sleep_for(d);
      return;
    }
    do {
      const int epoch = shared_.drop_epoch.load();
      if (epoch != seen_epoch_) {
        seen_epoch_ = epoch;
        for (auto& w : watchers_) drop_watcher(*w);
      }
      for (auto& w : watchers_) w->poll(2ms, any_port());
    } while (Clock::now() < until);
  }

  void drop_watcher(Watcher& w) {
    if (!w.connected()) return;
    ++out_.totals.ws_drops;
    w.drop(Clock::now() + std::chrono::milliseconds(uniform(50, 600)));
  }

  // At the game's end: every watcher must reach the final version (bounded wait).
  void converge_watchers() {
    const auto until = Clock::now() + 20s;
    const auto behind = [&] {
      for (auto& w : watchers_) {
        if (w->record().last_version < game_.final_version) return true;
      }
      return false;
    };
    while (behind() && Clock::now() < until) idle(100ms);
    for (auto& w : watchers_) {
      w->record().target_version = game_.final_version;
      w->record().converged = w->record().last_version == game_.final_version;
      out_.watchers.push_back(w->record());
    }
    watchers_.clear();
  }

  // ---- one game -----------------------------------------------------------------
  std::string create_body(const std::vector<std::string>& ids) {
    const auto roll = uniform(0, 99);
    game_.mode = roll < 50   ? "per_participant"
                 : roll < 70 ? "per_cycle"
                 : roll < 90 ? "global"
                             : "count_up";
    game_.short_banks = chance(0.3);
    std::string participants;
    std::string fields;
    if (game_.mode == "per_participant") {
      const std::int64_t bank = game_.short_banks ? uniform(1000, 3000) : uniform(20000, 60000);
      const std::int64_t increment = game_.short_banks ? 0 : uniform(0, 2) * 1000;
      fields = fmt::format(R"("total_time_ms":{},"increment_ms":{},"action_on_timeout":"{}")", bank,
                           increment, chance(0.3) ? "skip" : "end_session");
      for (const auto& id : ids) {
        participants += fmt::format(R"({}{{"participant_id":"{}","total_time_ms":{}}})",
                                    participants.empty() ? "" : ",", id,
                                    game_.short_banks ? uniform(1000, 3000) : bank);
      }
    } else {
      if (game_.mode == "per_cycle") {
        fields = fmt::format(R"("time_per_cycle_ms":{})",
                             game_.short_banks ? uniform(1000, 2000) : 10000);
      } else if (game_.mode == "global") {
        fields =
            fmt::format(R"("total_time_ms":{})", game_.short_banks ? uniform(1500, 3500) : 30000);
      } else if (game_.short_banks) {
        fields = fmt::format(R"("max_time_ms":{})", uniform(1500, 3000));
      } else {
        fields = R"("increment_ms":0)";
      }
      for (const auto& id : ids) {
        participants +=
            fmt::format(R"({}{{"participant_id":"{}"}})", participants.empty() ? "" : ",", id);
      }
    }
    return fmt::format(R"({{"session_id":"{}","sync_mode":"{}",{},"participants":[{}]}})",
                       game_.session_id, game_.mode, fields, participants);
  }

  void play_game() {
    game_ = GameRecord{};
    known_ = Known{};
    game_.session_id = uuid();
    std::vector<std::string> ids;
    for (int i = 0, n = static_cast<int>(uniform(2, 3)); i < n; ++i) ids.push_back(uuid());
    game_.create_body = create_body(ids);
    const std::string body = game_.create_body;
    if (!perform("create", "/v1/sessions", [&](bool) { return body; }) && known_.version == 0) {
      out_.games.push_back(game_);  // never created (or never seen): nothing to check
      return;
    }
    if (chance(0.4)) {
      for (int i = 0, n = static_cast<int>(uniform(1, 3)); i < n; ++i) {
        watchers_.push_back(std::make_unique<Watcher>(game_.session_id, any_port()));
      }
    }
    if (known_.status == "pending") perform("start", path("start"), [](bool) { return ""; });

    const int steps = static_cast<int>(uniform(8, 20));
    for (int step = 0; step < steps && !terminal(known_.status) && !shared_.stop.load(); ++step) {
      idle(std::chrono::milliseconds(uniform(50, 350)));
      const auto roll = uniform(0, 99);
      if (known_.status == "paused" || (roll >= 65 && roll < 80)) {
        if (known_.status == "running") {
          perform("pause", path("pause"), [](bool) { return ""; });
          idle(std::chrono::milliseconds(uniform(50, 300)));
        }
        if (known_.status == "paused") perform("resume", path("resume"), [](bool) { return ""; });
      } else if (roll < 65) {
        const bool guard = chance(0.3);
        const std::int64_t v = known_.version;
        perform("switch", path("switch"), [&](bool retry) {
          return guard || retry ? fmt::format(R"({{"expected_version":{}}})", v) : "";
        });
      } else if (roll < 90 && game_.mode != "count_up" && game_.mode != "per_cycle") {
        const auto& who =
            ids[static_cast<std::size_t>(uniform(0, static_cast<std::int64_t>(ids.size()) - 1))];
        const std::int64_t delta = game_.short_banks ? uniform(-300, 800) : uniform(-2000, 5000);
        const std::string b =
            fmt::format(R"({{"delta_ms":{},"reason":"chaos"}})", delta == 0 ? 1 : delta);
        perform("adjust", path("participants/" + who + "/time"), [&](bool) { return b; });
      } else if (!watchers_.empty() && chance(0.5)) {
        drop_watcher(*watchers_[static_cast<std::size_t>(
            uniform(0, static_cast<std::int64_t>(watchers_.size()) - 1))]);
      }
    }
    finish();
    refresh();
    game_.final_version = known_.version;
    game_.final_status = known_.status;
    game_.finished = terminal(known_.status);
    converge_watchers();
    out_.games.push_back(game_);
  }

  // Short-bank games (but per_cycle, whose turns only advance) run out of time;
  // the others are completed.
  void finish() {
    if (terminal(known_.status)) return;
    const bool expires = game_.short_banks && game_.mode != "per_cycle";
    if (!expires) {
      perform("complete", path("complete"), [](bool) { return ""; });
      return;
    }
    if (known_.status == "paused") perform("resume", path("resume"), [](bool) { return ""; });
    if (known_.status == "pending") perform("start", path("start"), [](bool) { return ""; });
    const auto until = Clock::now() + 60s;
    while (!terminal(known_.status) && Clock::now() < until) {
      idle(500ms);
      refresh();
    }
    if (!terminal(known_.status)) {
      anomaly(
          fmt::format("a short-bank game did not run out of time within 60 s (status {}, "
                      "version {})",
                      known_.status, known_.version));
    }
  }

  PlayShared& shared_;
  std::mt19937_64 rng_;
  PlayResult out_;
  GameRecord game_;
  Known known_;
  std::vector<std::unique_ptr<Watcher>> watchers_;
  int seen_epoch_ = 0;
};

}  // namespace

PlayResult play(PlayShared& shared, std::uint64_t seed) { return Player(shared, seed).run(); }

}  // namespace sk::chaos
