// SessionService: the use cases behind every route and the deadline timer (the
// real SessionApi). It reads the state from the store, asks the engine for the
// transition at one `now`, and writes the result back with compare-and-set, carrying
// the audit events, the new deadline and the fan-out messages in the same atomic
// write.
//
// Races (SPEC §2): this instance's commands on one session take turns
// (session_lanes.h), so only instances race each other. A command's guards (`expected_version`,
// `current_participant_id`) are checked by the engine against the state read; failing one is
// CONFLICT (409). A write that loses its compare-and-set to another write is NOT a conflict the
// client asked about: the command is decided again on a fresh read and written
// again, up to kMaxAttempts times (a short jittered pause between tries spreads
// contenders out), then UNAVAILABLE (503). A guarded command that lost its race
// finds its guard failing on the re-read, so a double tap still gets exactly one 200.
// Time-outs (no client behind them) go through the same path.
// Recovery (SPEC §5): when the store does not have a session that a request names,
// and an audit trail is configured, its latest audited snapshot is restored through
// the store's atomic create (no audit event, no message) and the request goes on,
// its response marked `recovered`. Deleted and expired sessions stay gone.
// The read of a command may come from the store's cache of this instance's writes
// (SessionStore::get_for_update); when the outcome on such a read is not a write
// that went through, the command is decided again on a fresh read: that is not a
// retry of a real race, only of a stale local copy.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "server/session_api.h"
#include "server/session_lanes.h"

namespace sk::audit {
class SessionRecovery;
}  // namespace sk::audit

namespace sk::server {

class Metrics;

class SessionService final : public SessionApi {
 public:
  // Tries of one command against compare-and-set races before it answers 503.
  static constexpr int kMaxAttempts = 16;

  // `recovery` may be null (no audit trail: a missing session is just not found).
  SessionService(store::SessionStore& store, const domain::Clock& clock, Metrics* metrics,
                 audit::SessionRecovery* recovery = nullptr);

  boost::asio::awaitable<domain::Result<SessionSnapshot>> create(
      domain::CreateSessionRequest request, domain::Uuid session_id) override;
  boost::asio::awaitable<domain::Result<SessionSnapshot>> get(domain::Uuid id) override;
  boost::asio::awaitable<domain::Result<SessionSnapshot>> execute(domain::Uuid id,
                                                                  domain::Command command) override;
  boost::asio::awaitable<domain::Result<bool>> remove(domain::Uuid id) override;
  boost::asio::awaitable<store::Subscription> watch(domain::Uuid id) override;
  store::Subscription subscribe(store::MessageHandler handler) override;
  boost::asio::awaitable<bool> store_healthy() override;
  boost::asio::awaitable<domain::Result<std::int64_t>> session_count() override;
  const domain::Clock& clock() const override { return clock_; }

  // The deadline handler: applies whatever time-out is due for `id`.
  boost::asio::awaitable<void> fire_deadline(domain::Uuid id);

 private:
  struct Attempt;
  // The transition of `command` on `current` at now, written with compare-and-set.
  boost::asio::awaitable<Attempt> apply(const domain::Session& current,
                                        const domain::Command& command);
  // The pause before try `attempt` (>= 2) of a command that lost a race.
  boost::asio::awaitable<void> back_off(int attempt);
  // The session from the store (never a cache), restored from the audit trail when the
  // store lost it (then `recovered` is set); store errors are counted.
  boost::asio::awaitable<domain::Result<domain::Session>> read_or_restore(domain::Uuid id,
                                                                          bool& recovered);
  // After a not_found from the store: the session restored from the audit trail, or
  // not_found when there is none, or unavailable when the audit database is away.
  boost::asio::awaitable<domain::Result<domain::Session>> recover(domain::Uuid id);
  // Counts errors that mean the store could not be reached (a metric, SPEC §7).
  void count_store_error(const domain::Error& e) const;

  store::SessionStore& store_;
  const domain::Clock& clock_;
  Metrics* metrics_;
  audit::SessionRecovery* recovery_;
  SessionLanes lanes_;
  std::atomic<std::uint64_t> jitter_{0x9E3779B97F4A7C15ull};  // state of back_off()'s mix
};

}  // namespace sk::server
