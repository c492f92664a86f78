// SessionService: the use cases behind every route and the deadline timer. It reads
// the state from the store, asks the engine for the transition at one `now`, and
// writes the result back with compare-and-set, carrying the audit events, the new
// deadline and the fan-out messages in the same atomic write.
//
// Conflicts: a state-changing request is never retried internally. If another
// request changed the session between our read and our write, the answer is
// CONFLICT (409) with the expected and actual version: for a clock, applying a tap
// to a state the client never saw would be worse than asking it to look again.
// Time-outs (no client behind them) are retried until applied or no longer due.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "domain/clock.h"
#include "domain/commands.h"
#include "domain/live_view.h"
#include "domain/result.h"
#include "engine/engine.h"
#include "store/session_store.h"

namespace sk::server {

class Metrics;

// A session as a response shows it: the stored state and its live values at `now`.
struct SessionSnapshot {
  domain::Session state;
  domain::LiveView live;
  std::vector<engine::Expiry> expiries;  // time-outs this request applied
  bool changed = false;
};

class SessionService {
 public:
  SessionService(store::SessionStore& store, const domain::Clock& clock, Metrics* metrics);

  boost::asio::awaitable<domain::Result<SessionSnapshot>> create(
      domain::CreateSessionRequest request, domain::Uuid session_id);
  boost::asio::awaitable<domain::Result<SessionSnapshot>> get(domain::Uuid id);
  boost::asio::awaitable<domain::Result<SessionSnapshot>> execute(domain::Uuid id,
                                                                  domain::Command command);
  // true when something was deleted.
  boost::asio::awaitable<domain::Result<bool>> remove(domain::Uuid id);
  // The deadline handler: applies whatever time-out is due for `id`.
  boost::asio::awaitable<void> fire_deadline(domain::Uuid id);

  const domain::Clock& clock() const { return clock_; }

 private:
  // Counts errors that mean the store could not be reached (a metric, SPEC §7).
  void count_store_error(const domain::Error& e) const;

  store::SessionStore& store_;
  const domain::Clock& clock_;
  Metrics* metrics_;
};

}  // namespace sk::server
