// SessionApi: the one seam between the network (http/ Router, ws/ Hub) and what
// serves sessions. The transports see only this: the use cases, the fan-out
// subscription, the store's health and the clock. SessionService is the real one;
// router_test.cc and the hub tests run the transports against stubs, and auth or
// rate limits can wrap it without the transports changing.
//
// Contract: every call answers with a value (a Result carrying a typed domain error),
// never throws for an expected failure; errors are mapped to HTTP and WebSocket codes
// only by server/wire.
#pragma once

#include <cstdint>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "domain/clock.h"
#include "domain/commands.h"
#include "domain/live_view.h"
#include "domain/result.h"
#include "engine/engine.h"
#include "store/session_store.h"

namespace sk::server {

// A session as a response shows it: the stored state and its live values at `now`.
struct SessionSnapshot {
  domain::Session state;
  domain::LiveView live;
  std::vector<engine::Expiry> expiries;  // time-outs this request applied
  bool changed = false;
  bool recovered = false;  // restored from the audit trail by this request
};

class SessionApi {
 public:
  virtual ~SessionApi() = default;

  virtual boost::asio::awaitable<domain::Result<SessionSnapshot>> create(
      domain::CreateSessionRequest request, domain::Uuid session_id) = 0;
  virtual boost::asio::awaitable<domain::Result<SessionSnapshot>> get(domain::Uuid id) = 0;
  // A state-changing command. Without guards it is applied to the latest state (a lost
  // compare-and-set race is re-read and re-applied); CONFLICT comes only from a guard.
  virtual boost::asio::awaitable<domain::Result<SessionSnapshot>> execute(
      domain::Uuid id, domain::Command command) = 0;
  // true when something was deleted.
  virtual boost::asio::awaitable<domain::Result<bool>> remove(domain::Uuid id) = 0;

  // A WebSocket watcher's registration (SessionStore::watch()): taken before its first
  // read, held while it watches.
  virtual boost::asio::awaitable<store::Subscription> watch(domain::Uuid id) = 0;
  // Every change of every session on this instance (SessionStore::subscribe()).
  virtual store::Subscription subscribe(store::MessageHandler handler) = 0;

  // For /ready and the sessions gauge.
  virtual boost::asio::awaitable<bool> store_healthy() = 0;
  virtual boost::asio::awaitable<domain::Result<std::int64_t>> session_count() = 0;

  virtual const domain::Clock& clock() const = 0;
};

}  // namespace sk::server
