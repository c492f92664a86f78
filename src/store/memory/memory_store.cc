// MemoryStore: see memory_store.h. The table, TTL expiry and the write path; fan-out
// and deadlines are delegated to FanOut and DeadlineTimer. No I/O, no engine calls.
#include "store/memory/memory_store.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <unordered_map>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "store/fan_out.h"
#include "store/memory/deadline_timer.h"
#include "store/memory/write_turns.h"

namespace sk::store {

using SteadyTime = std::chrono::steady_clock::time_point;

// Everything the background loops touch, so they keep it alive after ~MemoryStore.
struct MemoryStore::Core : std::enable_shared_from_this<Core> {
  struct Entry {
    Session session;
    SteadyTime expires_at;
  };
  using Table = std::unordered_map<Uuid, Entry, domain::UuidHash>;

  Core(asio::any_io_executor executor, const domain::Clock& c, MemoryStoreOptions o)
      : clock(c),
        options(std::move(o)),
        fan_out(FanOut::make()),
        deadlines(memory::DeadlineTimer::start(executor, c)),
        strand(asio::make_strand(executor)),
        sweep_timer(strand) {}

  // `audited`: the events are durable already (a durable write's last step), so they
  // are not handed to `options.audit`.
  Status create(Write w, bool audited = false);
  Status update(Write w, std::optional<std::int64_t> expected_version, bool audited = false);
  Result<bool> remove(const Uuid& id, domain::Event deleted, std::string message,
                      bool audited = false);
  // A durable write's first step: would it go through now? Changes nothing but the
  // TTL, refreshed so that the session does not expire while its commit runs.
  Status check_create(const Uuid& id);
  Status check_update(const Uuid& id, std::optional<std::int64_t> expected_version);
  // The state a removal would delete (its audit record's), nullopt when none.
  Result<std::optional<Session>> check_remove(const Uuid& id);
  Status broadcast(const Uuid& id, std::string message);
  Result<Session> get(const Uuid& id);
  Result<std::int64_t> count();
  void close();
  static asio::awaitable<void> sweep(std::shared_ptr<Core> core);

  // The helpers below run under `mu`.
  // The entry of `id`, or end(); an expired entry is expired on the spot (lazy expiry).
  Table::iterator find_live(const Uuid& id, SteadyTime now);
  void expire(Table::iterator it);
  void purge(SteadyTime now);
  std::optional<Error> audit(const Session& state, const std::vector<domain::Event>& events);
  void touch(Table::iterator it, SteadyTime now);
  void expire_at(Table::iterator it, SteadyTime at);
  void commit(Table::iterator it, Write& w, SteadyTime now);

  const domain::Clock& clock;
  const MemoryStoreOptions options;
  const std::shared_ptr<FanOut> fan_out;
  const std::shared_ptr<memory::DeadlineTimer> deadlines;
  asio::strand<asio::any_io_executor> strand;
  asio::steady_timer sweep_timer;  // used on `strand` only

  std::mutex mu;  // guards the table, the expiry index and every publish
  Table table;
  std::set<std::pair<SteadyTime, Uuid>> expiry;  // soonest first
  std::atomic<bool> closed{false};               // written under mu
  memory::WriteTurns turns;                      // durable writes only
};

MemoryStore::Core::Table::iterator MemoryStore::Core::find_live(const Uuid& id, SteadyTime now) {
  const auto it = table.find(id);
  if (it == table.end() || it->second.expires_at > now) return it;
  expire(it);
  return table.end();
}

void MemoryStore::Core::expire(Table::iterator it) {
  const Uuid id = it->first;
  // Audited as a deletion, so that recovery never brings an expired session back.
  // (Expiry cannot be refused: an audit sink failing here is ignored.)
  domain::Event deleted;
  deleted.type = domain::EventType::session_deleted;
  deleted.at = clock.wall_now();
  deleted.reason = "expired";
  (void)audit(it->second.session, {deleted});
  expiry.erase({it->second.expires_at, id});
  deadlines->set(id, std::nullopt);
  table.erase(it);
  fan_out->publish(StoreMessage{id, MessageKind::deleted, 0, {}});
}

void MemoryStore::Core::purge(SteadyTime now) {
  while (!expiry.empty() && expiry.begin()->first <= now) {
    const auto it = table.find(expiry.begin()->second);
    if (it == table.end()) {  // cannot happen: the index mirrors the table
      expiry.erase(expiry.begin());
      continue;
    }
    expire(it);
  }
}

// Before anything changes: if the audit sink refuses the events, the write does not
// happen (no state change without its audit event, SPEC §5).
std::optional<Error> MemoryStore::Core::audit(const Session& state,
                                              const std::vector<domain::Event>& events) {
  if (!options.audit || events.empty()) return std::nullopt;
  try {
    options.audit(state, events);
  } catch (...) {
    return Error::internal();
  }
  return std::nullopt;
}

void MemoryStore::Core::touch(Table::iterator it, SteadyTime now) {
  // A check before a write never shortens a lifetime the last write extended.
  expire_at(it, std::max(it->second.expires_at, now + options.ttl));
}

void MemoryStore::Core::expire_at(Table::iterator it, SteadyTime at) {
  Entry& entry = it->second;
  expiry.erase({entry.expires_at, it->first});
  entry.expires_at = at;
  expiry.emplace(entry.expires_at, it->first);
}

// The rest of a write, after the state is in the table: TTL, deadline, messages.
void MemoryStore::Core::commit(Table::iterator it, Write& w, SteadyTime now) {
  const Uuid& id = it->first;
  Entry& entry = it->second;
  // A session scheduled to start (start_at) lives its TTL past that instant: one
  // scheduled a week ahead is not dropped before it starts.
  const auto& start_at = entry.session.start_at;
  const auto wait = start_at ? std::max(std::chrono::milliseconds{0},
                                        std::chrono::duration_cast<std::chrono::milliseconds>(
                                            *start_at - clock.wall_now()))
                             : std::chrono::milliseconds{0};
  expire_at(it, now + options.ttl + wait);
  deadlines->set(id, w.deadline);
  for (auto& [kind, payload] : w.messages) {
    fan_out->publish(StoreMessage{id, kind, entry.session.version, std::move(payload)});
  }
}

Status MemoryStore::Core::create(Write w, bool audited) {
  std::lock_guard lock(mu);
  if (closed) return Error::unavailable("store");
  const auto now = clock.steady_now();
  const Uuid id = w.state.session_id;
  if (find_live(id, now) != table.end()) return Error::session_exists();
  if (auto error = audited ? std::nullopt : audit(w.state, w.events)) return error;
  const auto it = table.emplace(id, Entry{std::move(w.state), SteadyTime{}}).first;
  commit(it, w, now);
  return std::nullopt;
}

Status MemoryStore::Core::update(Write w, std::optional<std::int64_t> expected_version,
                                 bool audited) {
  std::lock_guard lock(mu);
  if (closed) return Error::unavailable("store");
  const auto now = clock.steady_now();
  const auto it = find_live(w.state.session_id, now);
  if (it == table.end()) return Error::not_found();
  const std::int64_t actual = it->second.session.version;
  if (expected_version && *expected_version != actual) {
    return Error::version_conflict(*expected_version, actual);
  }
  if (auto error = audited ? std::nullopt : audit(w.state, w.events)) return error;
  it->second.session = std::move(w.state);
  commit(it, w, now);
  return std::nullopt;
}

Result<bool> MemoryStore::Core::remove(const Uuid& id, domain::Event deleted, std::string message,
                                       bool audited) {
  std::lock_guard lock(mu);
  if (closed) return Error::unavailable("store");
  const auto it = find_live(id, clock.steady_now());
  if (it == table.end()) return false;
  if (!audited) {
    if (auto error = audit(it->second.session, {std::move(deleted)})) return *error;
  }
  expiry.erase({it->second.expires_at, id});
  table.erase(it);
  deadlines->set(id, std::nullopt);
  fan_out->publish(StoreMessage{id, MessageKind::deleted, 0, std::move(message)});
  return true;
}

Status MemoryStore::Core::check_create(const Uuid& id) {
  std::lock_guard lock(mu);
  if (closed) return Error::unavailable("store");
  if (find_live(id, clock.steady_now()) != table.end()) return Error::session_exists();
  return std::nullopt;
}

Status MemoryStore::Core::check_update(const Uuid& id,
                                       std::optional<std::int64_t> expected_version) {
  std::lock_guard lock(mu);
  if (closed) return Error::unavailable("store");
  const auto now = clock.steady_now();
  const auto it = find_live(id, now);
  if (it == table.end()) return Error::not_found();
  const std::int64_t actual = it->second.session.version;
  if (expected_version && *expected_version != actual) {
    return Error::version_conflict(*expected_version, actual);
  }
  touch(it, now);
  return std::nullopt;
}

Result<std::optional<Session>> MemoryStore::Core::check_remove(const Uuid& id) {
  std::lock_guard lock(mu);
  if (closed) return Error::unavailable("store");
  const auto now = clock.steady_now();
  const auto it = find_live(id, now);
  if (it == table.end()) return std::optional<Session>{};
  touch(it, now);
  return std::optional<Session>{it->second.session};
}

Status MemoryStore::Core::broadcast(const Uuid& id, std::string message) {
  std::lock_guard lock(mu);
  if (closed) return Error::unavailable("store");
  if (find_live(id, clock.steady_now()) == table.end()) return Error::not_found();
  fan_out->publish(StoreMessage{id, MessageKind::broadcast, 0, std::move(message)});
  return std::nullopt;
}

Result<Session> MemoryStore::Core::get(const Uuid& id) {
  std::lock_guard lock(mu);
  if (closed) return Error::unavailable("store");
  const auto it = find_live(id, clock.steady_now());
  if (it == table.end()) return Error::not_found();
  return it->second.session;  // a copy: the caller may keep it past the next write
}

Result<std::int64_t> MemoryStore::Core::count() {
  std::lock_guard lock(mu);
  if (closed) return Error::unavailable("store");
  purge(clock.steady_now());
  return static_cast<std::int64_t>(table.size());
}

void MemoryStore::Core::close() {
  {
    std::lock_guard lock(mu);
    if (closed) return;
    closed = true;
    table.clear();
    expiry.clear();
  }
  deadlines->close();
  // steady_timer is not thread-safe: cancel it on the strand the sweep runs on.
  asio::post(strand, [self = shared_from_this()] { self->sweep_timer.cancel(); });
}

// The active expiry cycle: sessions nobody reads or writes would otherwise stay in
// memory forever. The index is ordered by expiry, so a cycle costs O(expired log n).
asio::awaitable<void> MemoryStore::Core::sweep(std::shared_ptr<Core> core) {
  const auto interval = std::max(core->options.sweep_interval, std::chrono::milliseconds{1});
  for (;;) {
    core->sweep_timer.expires_after(interval);
    boost::system::error_code ec;  // operation_aborted: close()
    co_await core->sweep_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    std::lock_guard lock(core->mu);
    if (core->closed) co_return;
    core->purge(core->clock.steady_now());
  }
}

MemoryStore::MemoryStore(asio::any_io_executor executor, const domain::Clock& clock,
                         MemoryStoreOptions options)
    : core_(std::make_shared<Core>(executor, clock, std::move(options))) {
  asio::co_spawn(core_->strand, Core::sweep(core_), asio::detached);
}

MemoryStore::~MemoryStore() { close(); }

asio::awaitable<Result<Session>> MemoryStore::get(Uuid id) { co_return core_->get(id); }

asio::awaitable<Status> MemoryStore::create(Write write) {
  if (core_->options.durable_audit) co_return co_await create_durably(core_, std::move(write));
  co_return core_->create(std::move(write));
}

asio::awaitable<Status> MemoryStore::update(Write write,
                                            std::optional<std::int64_t> expected_version) {
  if (core_->options.durable_audit) {
    co_return co_await update_durably(core_, std::move(write), expected_version);
  }
  co_return core_->update(std::move(write), expected_version);
}

asio::awaitable<Result<bool>> MemoryStore::remove(Uuid id, domain::Event deleted,
                                                  std::string message) {
  if (core_->options.durable_audit) {
    co_return co_await remove_durably(core_, id, std::move(deleted), std::move(message));
  }
  co_return core_->remove(id, std::move(deleted), std::move(message));
}

// The durable writes: turn, check, commit, apply (see memory_store.h). The final
// apply checks again, as every write does; with the turn held and the TTL refreshed
// by the check, only close() (or a TTL shorter than the commit) can refuse it now.
// Then the records are durable for a write that is answered with an error: on the
// next start, recovery may bring that state back, as it does for any write that
// committed but whose answer the client never saw (a crash right after the commit).
asio::awaitable<Status> MemoryStore::create_durably(std::shared_ptr<Core> core, Write write) {
  const auto turn = co_await core->turns.enter(write.state.session_id);
  if (auto error = core->check_create(write.state.session_id)) co_return error;
  if (!write.events.empty()) {
    auto committed = co_await core->options.durable_audit(write.state, write.events);
    if (committed) co_return committed;
  }
  co_return core->create(std::move(write), true);
}

asio::awaitable<Status> MemoryStore::update_durably(std::shared_ptr<Core> core, Write write,
                                                    std::optional<std::int64_t> expected_version) {
  const auto turn = co_await core->turns.enter(write.state.session_id);
  if (auto error = core->check_update(write.state.session_id, expected_version)) co_return error;
  if (!write.events.empty()) {
    auto committed = co_await core->options.durable_audit(write.state, write.events);
    if (committed) co_return committed;
  }
  co_return core->update(std::move(write), expected_version, true);
}

asio::awaitable<Result<bool>> MemoryStore::remove_durably(std::shared_ptr<Core> core, Uuid id,
                                                          domain::Event deleted,
                                                          std::string message) {
  const auto turn = co_await core->turns.enter(id);
  auto current = core->check_remove(id);
  if (!current) co_return current.error();
  if (!*current) co_return false;
  std::vector<domain::Event> events;  // not braced: GCC 12 cannot put an initializer_list
  events.push_back(deleted);          // in a coroutine frame

  auto committed = co_await core->options.durable_audit(**current, events);
  if (committed) co_return *committed;
  co_return core->remove(id, std::move(deleted), std::move(message), true);
}

asio::awaitable<Status> MemoryStore::broadcast(Uuid id, std::string message) {
  co_return core_->broadcast(id, std::move(message));
}

Subscription MemoryStore::subscribe(MessageHandler handler) {
  return core_->fan_out->subscribe(std::move(handler));
}

void MemoryStore::set_deadline_handler(DeadlineHandler handler) {
  core_->deadlines->set_handler(std::move(handler));
}

asio::awaitable<bool> MemoryStore::healthy() { co_return !core_->closed.load(); }

asio::awaitable<Result<std::int64_t>> MemoryStore::count() { co_return core_->count(); }

void MemoryStore::close() { core_->close(); }

std::size_t MemoryStore::pending_deadlines() const { return core_->deadlines->size(); }

std::size_t MemoryStore::durable_writes_in_flight() const { return core_->turns.busy(); }

}  // namespace sk::store
