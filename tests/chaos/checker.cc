// The checks of the chaos run (see checker.h).
#include "chaos/checker.h"

#include <algorithm>
#include <iterator>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "domain/json.h"
#include "engine/engine.h"
#include "support/http_client.h"
#include "support/json.h"

namespace sk::chaos {
namespace {

using domain::Event;
using domain::EventType;
using domain::Session;

// One write of the audit trail: the events of one (session, version), by n.
struct Write {
  std::vector<const AuditEventRow*> rows;
  std::vector<std::string> n;        // the id's event number, per row
  std::vector<std::string> created;  // the id's life part, per row
  std::vector<std::string> nonce;    // the write's identity (issue 16; "" in older ids)
};

using Chains = std::map<std::string, std::map<std::int64_t, Write>>;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const auto at = s.find(sep, start);
    parts.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return parts;
    start = at + 1;
  }
}

Chains group(const std::vector<AuditEventRow>& events) {
  Chains chains;
  for (const auto& e : events) {
    auto& w = chains[e.session_id][e.version];
    const auto parts = split(e.id, ':');
    w.rows.push_back(&e);
    // <session>:<created>:<version>:<n>[:<nonce>]
    const bool known = parts.size() == 4 || parts.size() == 5;
    w.created.push_back(known ? parts[1] : "?");
    w.n.push_back(known ? parts[3] : "?");
    w.nonce.push_back(parts.size() == 5 ? parts[4] : "");
  }
  // By n, numerically: "10" after "9".
  for (auto& [sid, versions] : chains) {
    for (auto& [v, w] : versions) {
      std::vector<std::size_t> order(w.rows.size());
      for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
      const auto key = [&](std::size_t i) { return std::pair{w.n[i].size(), w.n[i]}; };
      std::sort(order.begin(), order.end(),
                [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
      Write sorted;
      for (const auto i : order) {
        sorted.rows.push_back(w.rows[i]);
        sorted.n.push_back(w.n[i]);
        sorted.created.push_back(w.created[i]);
        sorted.nonce.push_back(w.nonce[i]);
      }
      w = std::move(sorted);
    }
  }
  return chains;
}

std::string active_of(const Session& s) {
  return s.active_participant_id ? s.active_participant_id->to_string() : "";
}

std::string summary(const Session& s) {
  std::string out = fmt::format(
      "v{} {} active={} bank={} used={} started={} upd={}", s.version, domain::to_string(s.status),
      active_of(s), s.total_time.count(), s.time_used.count(),
      s.cycle_started_at ? domain::format_iso8601(*s.cycle_started_at) : "null",
      domain::format_iso8601(s.updated_at));
  for (const auto& p : s.participants) {
    out +=
        fmt::format(" [{} bank={} used={} cyc={}{}{}]", p.participant_id.to_string().substr(0, 8),
                    p.total_time.count(), p.time_used.count(), p.cycle_count,
                    p.is_active ? " active" : "", p.has_expired ? " expired" : "");
  }
  return out;
}

// The ack (or a GET) against an audited state: status, active participant, banks.
std::string differs(const AckedWrite& a, const Session& s) {
  std::string d;
  if (a.version != s.version) d += fmt::format(" version {} vs {}", a.version, s.version);
  if (a.status != domain::to_string(s.status))
    d += fmt::format(" status {} vs {}", a.status, domain::to_string(s.status));
  if (a.active_participant_id != active_of(s))
    d += fmt::format(" active {} vs {}", a.active_participant_id, active_of(s));
  if (a.participants.size() != s.participants.size()) {
    d += fmt::format(" {} participants vs {}", a.participants.size(), s.participants.size());
    return d;
  }
  for (const auto& p : a.participants) {
    const auto id = domain::Uuid::parse(p.participant_id);
    const auto* q = id ? s.find_participant(*id) : nullptr;
    if (!q) {
      d += " unknown participant " + p.participant_id;
      continue;
    }
    if (p.total_time_ms != q->total_time.count() || p.cycle_count != q->cycle_count ||
        p.has_expired != q->has_expired) {
      d += fmt::format(" {}: bank {} vs {}, cycles {} vs {}, expired {} vs {}",
                       p.participant_id.substr(0, 8), p.total_time_ms, q->total_time.count(),
                       p.cycle_count, q->cycle_count, p.has_expired, q->has_expired);
    }
  }
  return d;
}

bool is_timeout(EventType t) {
  return t == EventType::session_expired || t == EventType::participant_expired ||
         t == EventType::cycle_expired;
}

// The event types an acknowledged command may have left (time-outs may come first; a
// late switch IS the time-out).
bool fits(const std::string& command, const std::vector<Event>& events) {
  static const std::map<std::string, EventType> expected{
      {"create", EventType::session_created},    {"start", EventType::session_started},
      {"switch", EventType::cycle_switched},     {"pause", EventType::session_paused},
      {"resume", EventType::session_resumed},    {"adjust", EventType::time_adjusted},
      {"complete", EventType::session_completed}};
  const auto it = expected.find(command);
  if (it == expected.end()) return false;
  const bool has = std::any_of(events.begin(), events.end(),
                               [&](const Event& e) { return e.type == it->second; });
  const bool only_timeouts =
      !events.empty() &&
      std::all_of(events.begin(), events.end(), [](const Event& e) { return is_timeout(e.type); });
  return has || (command == "switch" && only_timeouts);
}

std::vector<Event> events_of(const Write& w, std::string& error) {
  std::vector<Event> out;
  for (const auto* r : w.rows) {
    auto e = domain::decode_event(r->event_json);
    if (!e) {
      error = "unreadable event " + r->id + ": " + e.error().message;
      return {};
    }
    out.push_back(*e);
  }
  return out;
}

// The command a write's events say was applied; nullopt when the engine cannot be
// asked (the kind is then checked structurally only). `kind` names it for the report.
std::optional<domain::Command> command_of(const std::vector<Event>& events, std::string& kind) {
  for (const auto& e : events) {
    if (is_timeout(e.type)) continue;
    kind = std::string(domain::to_string(e.type));
    switch (e.type) {
      case EventType::session_started: return domain::StartCommand{};
      case EventType::cycle_switched: return domain::SwitchCommand{};
      case EventType::session_paused: return domain::PauseCommand{};
      case EventType::session_resumed: return domain::ResumeCommand{};
      case EventType::session_completed: return domain::CompleteCommand{};
      case EventType::session_cancelled: return domain::CancelCommand{};
      case EventType::time_adjusted:
        if (!e.participant_id || !e.delta) return std::nullopt;
        return domain::AdjustTimeCommand{*e.participant_id, *e.delta, e.reason};
      default: return std::nullopt;  // created (replayed apart), added, removed, deleted
    }
  }
  kind = "time-out";
  return domain::TimeoutCommand{};
}

std::string figures_of(const std::map<std::string, int>& counts) {
  std::string out;
  for (const auto& [k, n] : counts) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", k, n);
  return out.empty() ? "none" : out;
}

}  // namespace

std::vector<AuditEventRow> load_audit_events(
    const audit::postgres::testing::PostgresServerFixture& pg, const std::string& db) {
  const auto rows = pg.exec(
      "SELECT id, session_id::text, version, event_type, coalesce(metadata::text, ''), "
      "state_snapshot::text FROM sync_events ORDER BY session_id, version, id",
      db);
  std::vector<AuditEventRow> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    out.push_back(AuditEventRow{r[0], r[1], std::stoll(r[2]), r[3], r[4], r[5]});
  }
  return out;
}

std::map<std::string, std::string> read_final_states(const std::vector<std::uint16_t>& ports,
                                                     const std::vector<std::string>& sessions) {
  std::map<std::string, std::string> out;
  std::size_t next = 0;
  for (const auto& id : sessions) {
    std::string& body = out[id];
    for (int attempt = 0; attempt < 10 && body.empty(); ++attempt) {
      try {
        testing::HttpClient client{ports[next++ % ports.size()]};
        client.set_timeout(std::chrono::seconds(5));
        const auto r = client.get("/v1/sessions/" + id);
        if (r.status == 200) body = r.body;
        if (r.status == 404) break;
      } catch (const std::exception&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    }
  }
  return out;
}

std::vector<CheckRow> check_run(const PlayResult& play, const std::vector<AuditEventRow>& events,
                                const std::map<std::string, std::string>& final_states) {
  const Chains chains = group(events);
  std::map<std::string, const GameRecord*> games;
  for (const auto& g : play.games) games[g.session_id] = &g;

  const auto write_at = [&](const std::string& sid, std::int64_t v) -> const Write* {
    const auto s = chains.find(sid);
    if (s == chains.end()) return nullptr;
    const auto w = s->second.find(v);
    return w == s->second.end() ? nullptr : &w->second;
  };

  // ---- 1. acknowledged writes -------------------------------------------------------
  CheckRow acked{"acked writes in sync_events, as answered", true, {}, {}};
  {
    std::map<std::string, int> by_command;
    int found = 0;
    for (const auto& a : play.acked) {
      ++by_command[a.command];
      const Write* w = write_at(a.session_id, a.version);
      if (!w) {
        acked.violation(fmt::format("{} {} v{}: acknowledged, not in sync_events", a.command,
                                    a.session_id, a.version));
        continue;
      }
      ++found;
      auto snap = domain::decode_session(w->rows.front()->snapshot);
      if (!snap) {
        acked.violation(fmt::format("{} v{}: unreadable snapshot", a.session_id, a.version));
        continue;
      }
      if (const auto d = differs(a, *snap); !d.empty()) {
        acked.violation(
            fmt::format("{} {} v{}: answer vs audit:{}", a.command, a.session_id, a.version, d));
      }
      std::string error;
      const auto evs = events_of(*w, error);
      if (!error.empty()) {
        acked.violation(error);
      } else if (!fits(a.command, evs)) {
        std::string types;
        for (const auto& e : evs) types += std::string(domain::to_string(e.type)) + " ";
        acked.violation(
            fmt::format("{} {} v{}: audited as {}", a.command, a.session_id, a.version, types));
      }
    }
    acked.figures =
        fmt::format("{} of {} found ({})", found, play.acked.size(), figures_of(by_command));
  }

  // ---- 2. no version written twice --------------------------------------------------
  CheckRow once{"each (session, version) written once", true, {}, {}};
  {
    std::size_t writes = 0;
    for (const auto& [sid, versions] : chains) {
      for (const auto& [v, w] : versions) {
        ++writes;
        bool ok = true;
        for (std::size_t i = 0; i < w.rows.size(); ++i) {
          ok = ok && w.n[i] == std::to_string(i + 1) && w.created[i] == w.created[0] &&
               w.nonce[i] == w.nonce[0] && w.rows[i]->snapshot == w.rows[0]->snapshot;
        }
        if (!ok) {
          std::string ids;
          for (const auto* r : w.rows) ids += r->id + " ";
          once.violation(fmt::format("{} v{}: {} rows that are not one write: {}", sid, v,
                                     w.rows.size(), ids));
        }
      }
    }
    once.figures =
        fmt::format("{} writes, {} events, {} sessions", writes, events.size(), chains.size());
  }

  // ---- 3. chains and final states ------------------------------------------------------
  CheckRow chain{"chains 1..final = final GET", true, {}, {}};
  {
    int matched = 0;
    for (const auto& [sid, versions] : chains) {
      const std::int64_t last = versions.rbegin()->first;
      if (versions.begin()->first != 1 || static_cast<std::int64_t>(versions.size()) != last) {
        std::string missing;
        for (std::int64_t v = 1; v <= last; ++v) {
          if (!versions.count(v)) missing += std::to_string(v) + " ";
        }
        chain.violation(fmt::format("{}: versions up to {}, missing {}", sid, last, missing));
      }
      std::set<std::string> lives;
      for (const auto& [v, w] : versions) lives.insert(w.created.begin(), w.created.end());
      if (lives.size() != 1) chain.violation(fmt::format("{}: {} lives", sid, lives.size()));

      const auto f = final_states.find(sid);
      if (f == final_states.end() || f->second.empty()) {
        chain.violation(fmt::format("{}: no 200 GET at the end", sid));
        continue;
      }
      auto snap = domain::decode_session(versions.rbegin()->second.rows.front()->snapshot);
      if (!snap) {
        chain.violation(fmt::format("{} v{}: unreadable snapshot", sid, last));
        continue;
      }
      try {
        const auto data = testing::Json::parse(f->second)["data"];
        AckedWrite now{
            sid,
            data["version"].i64(),
            "get",
            data["status"].str(),
            data["active_participant_id"].is_null() ? "" : data["active_participant_id"].str(),
            {}};
        const auto ps = data["participants"];
        for (std::size_t i = 0; i < ps.size(); ++i) {
          now.participants.push_back({ps[i]["participant_id"].str(), ps[i]["total_time_ms"].i64(),
                                      ps[i]["cycle_count"].i64(), ps[i]["has_expired"].boolean()});
        }
        if (const auto d = differs(now, *snap); !d.empty()) {
          chain.violation(fmt::format("{}: final GET vs last audited:{}", sid, d));
        } else {
          ++matched;
        }
      } catch (const std::exception& e) {
        chain.violation(fmt::format("{}: unreadable GET body ({})", sid, e.what()));
      }
    }
    for (const auto& g : play.games) {
      if (g.final_version > 0 && !chains.count(g.session_id)) {
        chain.violation(
            fmt::format("{}: played (v{}), no audit events at all", g.session_id, g.final_version));
      }
    }
    chain.figures = fmt::format("{} of {} sessions", matched, chains.size());
  }

  // ---- 4. engine replay ------------------------------------------------------------------
  CheckRow replay{"engine replay of every step", true, {}, {}};
  {
    std::map<std::string, int> replayed;
    std::map<std::string, int> structural;
    for (const auto& [sid, versions] : chains) {
      std::optional<Session> prev;
      for (const auto& [v, w] : versions) {
        auto next = domain::decode_session(w.rows.front()->snapshot);
        std::string error;
        const auto evs = events_of(w, error);
        if (!next || !error.empty()) {
          replay.violation(
              fmt::format("{} v{}: unreadable ({})", sid, v, !next ? next.error().message : error));
          prev.reset();
          continue;
        }
        std::optional<domain::Result<engine::Transition>> result;
        std::string kind;
        if (v == 1) {
          kind = "session_created";
          const auto g = games.find(sid);
          if (g != games.end()) {
            auto request = domain::decode_create_request(g->second->create_body);
            if (!request) {
              replay.violation(fmt::format("{}: our create body does not decode", sid));
            } else {
              result = engine::create(*request, next->session_id, next->created_at);
            }
          }
        } else if (prev && prev->version == v - 1) {
          if (auto cmd = command_of(evs, kind))
            result = engine::apply(*prev, *cmd, next->updated_at);
        } else {
          kind = "after a gap";
        }
        if (!result) {
          ++structural[kind];
        } else if (!*result) {
          replay.violation(fmt::format("{} v{} ({}): the engine refuses: {}", sid, v, kind,
                                       result->error().message));
        } else if (!((*result)->state == *next)) {
          replay.violation(fmt::format("{} v{} ({}):\n      engine  {}\n      audited {}", sid, v,
                                       kind, summary((*result)->state), summary(*next)));
        } else if ((*result)->events != evs) {
          std::string got;
          std::string want;
          for (const auto& e : (*result)->events) got += domain::encode_event(e) + " ";
          for (const auto& e : evs) want += domain::encode_event(e) + " ";
          replay.violation(
              fmt::format("{} v{} ({}): events differ:\n      engine  {}\n      "
                          "audited {}",
                          sid, v, kind, got, want));
        } else {
          ++replayed[kind];
        }
        prev = std::move(*next);
      }
    }
    replay.figures = "exact: " + figures_of(replayed);
    if (!structural.empty()) replay.figures += "; structural only: " + figures_of(structural);
  }

  // ---- 5. watchers -----------------------------------------------------------------------
  CheckRow watch{"watchers converged, in order", true, {}, {}};
  {
    int converged = 0;
    int reconnects = 0;
    int disorder = 0;
    for (const auto& w : play.watchers) {
      reconnects += w.reconnects;
      disorder += w.out_of_order;
      if (w.converged) {
        ++converged;
      } else {
        watch.violation(fmt::format("{}: watcher at v{}, final v{} ({} reconnects)", w.session_id,
                                    w.last_version, w.target_version, w.reconnects));
      }
      if (w.out_of_order > 0) {
        watch.violation(fmt::format("{}: {} messages older than one already received", w.session_id,
                                    w.out_of_order));
      }
    }
    watch.figures = fmt::format("{} of {} converged, {} reconnects, {} out of order", converged,
                                play.watchers.size(), reconnects, disorder);
  }

  // ---- 6. what the players ran into ---------------------------------------------------------
  CheckRow answers{"no unexpected answers", true, {}, {}};
  for (const auto& a : play.anomalies) answers.violation(a.session_id + ": " + a.what);
  answers.figures = fmt::format(
      "{} requests, {} unacknowledged, {} rejected (guards, late), {} "
      "unexpected",
      play.totals.requests, play.totals.unacknowledged, play.totals.rejected,
      play.anomalies.size());

  return {acked, once, chain, replay, watch, answers};
}

CheckRow self_check(const PlayResult& play, const std::vector<AuditEventRow>& events,
                    const std::map<std::string, std::string>& final_states) {
  CheckRow row{"checker catches planted faults", true, {}, {}};
  if (play.acked.empty() || events.size() < 3) {
    row.violation("too little was played to plant faults");
    return row;
  }
  const auto fails = [&](const std::vector<AuditEventRow>& planted, std::size_t check) {
    return !check_run(play, planted, final_states)[check].ok;
  };
  const AckedWrite& victim = play.acked[play.acked.size() / 2];
  const auto is_victim = [&](const AuditEventRow& e) {
    return e.session_id == victim.session_id && e.version == victim.version;
  };
  const auto first = std::find_if(events.begin(), events.end(), is_victim);
  if (first == events.end()) {
    row.violation("the victim write is not in the trail");
    return row;
  }
  int caught = 0;
  // An acknowledged write lost.
  std::vector<AuditEventRow> lost;
  std::copy_if(events.begin(), events.end(), std::back_inserter(lost),
               [&](const AuditEventRow& e) { return !is_victim(e); });
  if (fails(lost, 0))
    ++caught;
  else
    row.violation("a lost acknowledged write went unnoticed");
  // A version written twice (a second write's event under the same version).
  std::vector<AuditEventRow> twice = events;
  AuditEventRow copy = *first;
  copy.id = copy.id.substr(0, copy.id.rfind(':')) + ":7";
  copy.snapshot = events.front().snapshot;
  twice.push_back(copy);
  if (fails(twice, 1))
    ++caught;
  else
    row.violation("a duplicate version went unnoticed");
  // A state the engine cannot produce: the victim's snapshot swapped for another
  // session's.
  std::vector<AuditEventRow> impossible = events;
  for (auto& e : impossible) {
    if (is_victim(e))
      e.snapshot = events.front().snapshot == first->snapshot ? events.back().snapshot
                                                              : events.front().snapshot;
  }
  if (fails(impossible, 3))
    ++caught;
  else
    row.violation("an impossible state went unnoticed");
  row.figures =
      fmt::format("{} of 3 caught (lost ack, duplicate version, impossible state)", caught);
  return row;
}

}  // namespace sk::chaos
