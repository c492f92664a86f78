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
// Recovery (SPEC §5): when the store does not have a session that a request names,
// and an audit trail is configured, its latest audited snapshot is restored through
// the store's atomic create (no audit event, no message) and the request goes on,
// its response marked `recovered`. Deleted and expired sessions stay gone.
// The read of a command may come from the store's cache of this instance's writes
// (SessionStore::get_for_update); when the outcome on such a read is not a write
// that went through, the command is decided again on a fresh read: that is not a
// retry of a real race, only of a stale local copy.
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

namespace sk::audit {
class SessionRecovery;
}  // namespace sk::audit

namespace sk::server {

class Metrics;

// A session as a response shows it: the stored state and its live values at `now`.
struct SessionSnapshot {
  domain::Session state;
  domain::LiveView live;
  std::vector<engine::Expiry> expiries;  // time-outs this request applied
  bool changed = false;
  bool recovered = false;  // restored from the audit trail by this request
};

class SessionService {
 public:
  // `recovery` may be null (no audit trail: a missing session is just not found).
  SessionService(store::SessionStore& store, const domain::Clock& clock, Metrics* metrics,
                 audit::SessionRecovery* recovery = nullptr);

  boost::asio::awaitable<domain::Result<SessionSnapshot>> create(
      domain::CreateSessionRequest request, domain::Uuid session_id);
  boost::asio::awaitable<domain::Result<SessionSnapshot>> get(domain::Uuid id);
  boost::asio::awaitable<domain::Result<SessionSnapshot>> execute(domain::Uuid id,
                                                                  domain::Command command);
  // true when something was deleted.
  boost::asio::awaitable<domain::Result<bool>> remove(domain::Uuid id);
  // A WebSocket watcher's registration with the store (SessionStore::watch()): taken
  // before its first read, held while it watches.
  boost::asio::awaitable<store::Subscription> watch(domain::Uuid id);
  // The deadline handler: applies whatever time-out is due for `id`.
  boost::asio::awaitable<void> fire_deadline(domain::Uuid id);

  const domain::Clock& clock() const { return clock_; }

 private:
  // The transition of `command` on `current` at now, written with compare-and-set.
  boost::asio::awaitable<domain::Result<SessionSnapshot>> apply(const domain::Session& current,
                                                                const domain::Command& command);
  // After a not_found from the store: the session restored from the audit trail, or
  // not_found when there is none, or unavailable when the audit database is away.
  boost::asio::awaitable<domain::Result<domain::Session>> recover(domain::Uuid id);
  // Counts errors that mean the store could not be reached (a metric, SPEC §7).
  void count_store_error(const domain::Error& e) const;

  store::SessionStore& store_;
  const domain::Clock& clock_;
  Metrics* metrics_;
  audit::SessionRecovery* recovery_;
};

}  // namespace sk::server
