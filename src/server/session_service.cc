#include "server/session_service.h"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "audit/recovery/session_recovery.h"
#include "engine/live_view.h"
#include "server/metrics.h"
#include "server/wire/ws_frames.h"

namespace sk::server {

namespace asio = boost::asio;
using domain::Error;
using domain::ErrorCode;
using domain::Result;

namespace {

// The write a transition implies: state, audit events, next deadline, and the
// messages every watcher receives (STATE_UPDATE first, so a client reading
// TIME_EXPIRED already holds the state that follows it).
store::Write write_for(const engine::Transition& t, const domain::LiveView& live,
                       domain::TimePoint now) {
  store::Write w;
  w.state = t.state;
  w.events = t.events;
  w.deadline = engine::next_wakeup(t.state);
  w.messages.push_back({store::MessageKind::update, wire::state_update_message(t.state, live)});
  // In the order they happened: a warning of a turn comes before that turn's time-out.
  for (const auto& warning : t.warnings) {
    w.messages.push_back(
        {store::MessageKind::event, wire::time_warning_message(t.state.session_id, warning, now)});
  }
  for (const auto& e : t.expiries) {
    w.messages.push_back(
        {store::MessageKind::event, wire::time_expired_message(t.state.session_id, e, now)});
  }
  return w;
}

// A time-out fired by the store's timer waits this many times for a deadline the
// wall clock has not reached yet (the timer may wake a millisecond early).
constexpr int kTimeoutAttempts = 8;

}  // namespace

void SessionService::count_store_error(const domain::Error& e) const {
  if (e.code == ErrorCode::unavailable && metrics_) metrics_->store_error();
}

SessionService::SessionService(store::SessionStore& store, const domain::Clock& clock,
                               Metrics* metrics, audit::SessionRecovery* recovery)
    : store_(store), clock_(clock), metrics_(metrics), recovery_(recovery) {}

asio::awaitable<store::Subscription> SessionService::watch(domain::Uuid id) {
  co_return co_await store_.watch(id);
}

store::Subscription SessionService::subscribe(store::MessageHandler handler) {
  return store_.subscribe(std::move(handler));
}

asio::awaitable<bool> SessionService::store_healthy() { co_return co_await store_.healthy(); }

asio::awaitable<Result<std::int64_t>> SessionService::session_count() {
  co_return co_await store_.count();
}

asio::awaitable<Result<domain::Session>> SessionService::recover(domain::Uuid id) {
  if (!recovery_) co_return Error::not_found();
  auto loaded = co_await recovery_->load(id);
  if (!loaded) {
    // Whether the session exists cannot be known now: not a 404.
    if (loaded.error().code == ErrorCode::unavailable) {
      co_return Error::unavailable(
          "the session is not in the store and the audit database "
          "cannot be reached to recover it");
    }
    co_return loaded.error();
  }
  if (!*loaded) co_return Error::not_found();
  store::Write w;
  w.state = std::move(**loaded);
  w.deadline = engine::next_wakeup(w.state);  // a deadline already past fires at once
  auto restored = w.state;
  auto err = co_await store_.create(std::move(w));
  if (err && err->code == ErrorCode::session_exists) {
    // Another request (or instance) restored it first: use theirs.
    auto s = co_await store_.get(id);
    co_return s;
  }
  if (err) co_return *err;
  if (metrics_) metrics_->session_recovered();
  co_return restored;
}

asio::awaitable<Result<SessionSnapshot>> SessionService::create(
    domain::CreateSessionRequest request, domain::Uuid session_id) {
  const auto now = clock_.wall_now();
  auto t = engine::create(request, session_id, now);
  if (!t) co_return t.error();
  const auto live = engine::live_view(t->state, now);
  if (auto err = co_await store_.create(write_for(*t, live, now))) {
    count_store_error(*err);
    co_return *err;
  }
  co_return SessionSnapshot{std::move(t->state), live, {}, true};
}

asio::awaitable<Result<domain::Session>> SessionService::read_or_restore(domain::Uuid id,
                                                                         bool& recovered) {
  auto s = co_await store_.get(id);
  if (!s && s.error().code == ErrorCode::not_found) {
    s = co_await recover(id);
    recovered = s.ok();
  }
  if (!s) count_store_error(s.error());
  co_return s;
}

asio::awaitable<Result<SessionSnapshot>> SessionService::get(domain::Uuid id) {
  bool recovered = false;
  auto s = co_await read_or_restore(id, recovered);
  if (!s) co_return s.error();
  const auto now = clock_.wall_now();
  auto live = engine::live_view(*s, now);
  co_return SessionSnapshot{std::move(*s), std::move(live), {}, false, recovered};
}

// One decision and its write.
struct SessionService::Attempt {
  Result<SessionSnapshot> result;
  bool lost_race = false;  // the store's version check failed: another write came first
};

asio::awaitable<Result<SessionSnapshot>> SessionService::execute(domain::Uuid id,
                                                                 domain::Command command) {
  // This instance's commands on one session take turns: only instances race.
  const auto turn = co_await lanes_.enter(id);
  auto read = co_await store_.get_for_update(id);
  bool recovered = false;
  if (!read && read.error().code == ErrorCode::not_found) {
    auto restored = co_await recover(id);
    if (!restored) {
      count_store_error(restored.error());  // as get() does
      co_return restored.error();
    }
    read = store::ReadForUpdate{std::move(*restored), false};
    recovered = true;
  }
  if (!read) {
    count_store_error(read.error());
    co_return read.error();
  }
  domain::Session current = std::move(read->state);
  bool cached = read->cached;
  for (int attempt = 1;; ++attempt) {
    auto a = co_await apply(current, command);
    const bool written = a.result && a.result->changed;
    const bool unreachable = !a.result && a.result.error().code == ErrorCode::unavailable;
    // A cached read may be stale (another instance wrote since): only a write that
    // went through proves it was not, so anything else but an unreachable store is
    // decided again on a fresh read, and the client sees exactly what it would have
    // seen without the cache. A lost race on a fresh read is a real race: the
    // command (unguarded, or its guards still hold) is applied to the newer state.
    const bool again = !written && !unreachable && (cached || a.lost_race);
    if (!again) {
      if (a.result) a.result->recovered = recovered;
      co_return std::move(a.result);
    }
    if (!cached) {
      if (metrics_) metrics_->command_retried();
      if (attempt >= kMaxAttempts) {
        if (metrics_) metrics_->store_error();
        co_return Error::unavailable(
            "the session changed under this command too many times in a row; try again");
      }
      co_await back_off(attempt + 1);
    }
    cached = false;
    // (Gone from the store since a cached read, e.g. a FLUSHALL: restored as on a
    // first read.)
    auto fresh = co_await read_or_restore(id, recovered);
    if (!fresh) co_return fresh.error();
    current = std::move(*fresh);
  }
}

asio::awaitable<void> SessionService::back_off(int attempt) {
  // Full jitter in [0, 250 us * 2^(attempt-2)), at most 16 ms: contenders that all
  // lost to one write would otherwise meet again at once. splitmix64 over a counter:
  // no lock, no global generator, and nothing here needs unpredictability.
  std::uint64_t z = jitter_.fetch_add(0x9E3779B97F4A7C15ull, std::memory_order_relaxed);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  const std::uint64_t cap_us =
      std::min<std::uint64_t>(std::uint64_t{250} << std::clamp(attempt - 2, 0, 6), 16'000);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(std::chrono::microseconds{static_cast<std::int64_t>(z % cap_us)});
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<SessionService::Attempt> SessionService::apply(const domain::Session& current,
                                                               const domain::Command& command) {
  // `now` is taken once, after the read: the transition is computed at the instant
  // closest to its write.
  const auto now = clock_.wall_now();
  auto t = engine::apply(current, command, now);
  if (!t) co_return Attempt{t.error()};
  if (!t->changed) {
    auto live = engine::live_view(t->state, now);
    co_return Attempt{SessionSnapshot{std::move(t->state), std::move(live), {}, false}};
  }
  const auto live = engine::live_view(t->state, now);
  if (auto err = co_await store_.update(write_for(*t, live, now), current.version)) {
    if (err->code == ErrorCode::conflict) co_return Attempt{*err, true};
    count_store_error(*err);
    co_return Attempt{*err};
  }
  if (metrics_) {
    for (const auto& e : t->expiries) {
      metrics_->timeout_fired(std::chrono::duration_cast<std::chrono::milliseconds>(now - e.at));
    }
  }
  co_return Attempt{SessionSnapshot{std::move(t->state), live, std::move(t->expiries), true}};
}

asio::awaitable<Result<bool>> SessionService::remove(domain::Uuid id) {
  const auto now = clock_.wall_now();
  domain::Event deleted;
  deleted.type = domain::EventType::session_deleted;
  deleted.at = now;
  auto r = co_await store_.remove(id, deleted, wire::session_deleted_message(id, now));
  if (!r) count_store_error(r.error());
  co_return r;
}

asio::awaitable<void> SessionService::fire_deadline(domain::Uuid id) {
  for (int attempt = 0; attempt < kTimeoutAttempts; ++attempt) {
    auto current = co_await store_.get(id);
    if (!current) co_return;  // deleted or expired meanwhile: nothing to time out
    const auto due = engine::next_wakeup(*current);
    if (!due) co_return;  // a request already applied it (or paused the clock)
    auto now = clock_.wall_now();
    if (*due > now) {
      // The timer may wake a millisecond early against the wall clock: wait the rest.
      asio::steady_timer timer(co_await asio::this_coro::executor);
      timer.expires_after(*due - now + std::chrono::milliseconds{1});
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    // (Races with requests are retried inside execute(). Nobody waits for a time-out,
    // so its outcome has no one to go to; awaited into a local, as clang wants.)
    const auto outcome = co_await execute(id, domain::TimeoutCommand{});
    (void)outcome;
    co_return;
  }
}

}  // namespace sk::server
