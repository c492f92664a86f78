// The WebSocket hub (see hub.h): the registry of connections and of who watches which
// session, and the one store subscription that feeds them.
//
// The store calls on_message() from its publishing thread while holding its own
// lock, in write order. So it only looks up the watchers (under our mutex, never
// held while calling out) and posts to each connection's strand: it never blocks,
// never waits for a client and never calls back into the store. Lock order is
// therefore always store -> hub, never the reverse.
//
// Lifetime: connections hold the hub's shared state, so they may finish after ~Hub
// (which only unsubscribes and closes them with 1001). The SessionApi and the
// Metrics they use must outlive them: drain (shutdown, then wait for
// connection_count() to reach 0) or stop the io_context's threads before destroying
// those.
#include "server/ws/hub.h"

#include <map>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/metrics.h"
#include "server/wire/ws_frames.h"
#include "server/ws/connection.h"

namespace sk::server::ws {

struct Hub::Impl final : HubLink {
  Impl(SessionApi& service, Metrics* metrics, HubOptions options)
      : service_(service), metrics_(metrics), options_(options) {}

  SessionApi& service() override { return service_; }
  Metrics* metrics() override { return metrics_; }
  const HubOptions& options() const override { return options_; }

  bool watch(const domain::Uuid& session, const std::shared_ptr<Connection>& c) override {
    std::lock_guard lock(mutex_);
    if (shutting_down_) return false;
    auto it = connections_.find(c.get());
    if (it == connections_.end()) return false;  // cannot happen: added by accept()
    it->second.session = session;
    watchers_[session].emplace(c.get(), c);
    return true;
  }

  void finished(const Connection& c) override {
    std::lock_guard lock(mutex_);
    auto it = connections_.find(&c);
    if (it == connections_.end()) return;
    if (it->second.session) {
      auto w = watchers_.find(*it->second.session);
      if (w != watchers_.end()) {
        w->second.erase(&c);
        if (w->second.empty()) watchers_.erase(w);
      }
    }
    connections_.erase(it);
  }

  // Returns whether the hub is already shutting down.
  bool add(const std::shared_ptr<Connection>& c) {
    std::lock_guard lock(mutex_);
    connections_.emplace(c.get(), Entry{c, std::nullopt});
    return shutting_down_;
  }

  void on_message(const store::StoreMessage& message) {
    if (message.kind == store::MessageKind::resync) {
      resync_all();
      return;
    }
    std::vector<std::shared_ptr<Connection>> targets;
    {
      std::lock_guard lock(mutex_);
      auto it = watchers_.find(message.session_id);
      if (it == watchers_.end()) return;
      targets.reserve(it->second.size());
      for (const auto& [_, weak] : it->second) {
        if (auto c = weak.lock()) targets.push_back(std::move(c));
      }
    }
    if (targets.empty()) return;

    if (message.kind == store::MessageKind::update && message.payload.empty()) {
      // A bare version: the store did not count the session as watched (a watch
      // registration that failed or lapsed). The watchers re-read it.
      for (auto& c : targets) Connection::resync(std::move(c));
      return;
    }
    const auto& clock = service_.clock();
    const bool deleted = message.kind == store::MessageKind::deleted;
    // Formatted once, shared by every watcher's queue. A TTL expiry has no payload.
    auto payload = std::make_shared<const std::string>(
        deleted && message.payload.empty()
            ? wire::session_deleted_message(message.session_id, clock.wall_now())
            : message.payload);
    // State updates are ordered by version; a write's other messages (kind event:
    // TIME_EXPIRED) share its version but must never be dropped as duplicates.
    const std::int64_t version = message.kind == store::MessageKind::update ? message.version : 0;
    const auto received = clock.steady_now();
    // Each reference moves to its connection's strand (see Connection::deliver).
    for (auto& c : targets)
      Connection::deliver(std::move(c), Outgoing{payload, version, received}, deleted);
  }

  // Messages may have been lost: every watcher re-reads its session.
  void resync_all() {
    std::vector<std::shared_ptr<Connection>> all;
    {
      std::lock_guard lock(mutex_);
      for (const auto& [_, watchers] : watchers_) {
        for (const auto& [__, weak] : watchers) {
          if (auto c = weak.lock()) all.push_back(std::move(c));
        }
      }
    }
    for (auto& c : all) Connection::resync(std::move(c));
  }

  std::vector<std::shared_ptr<Connection>> start_shutdown() {
    std::vector<std::shared_ptr<Connection>> all;
    std::lock_guard lock(mutex_);
    shutting_down_ = true;
    all.reserve(connections_.size());
    for (const auto& [_, entry] : connections_) {
      if (auto c = entry.connection.lock()) all.push_back(std::move(c));
    }
    return all;
  }

  std::size_t count() const {
    std::lock_guard lock(mutex_);
    return connections_.size();
  }

  struct Entry {
    std::weak_ptr<Connection> connection;
    std::optional<domain::Uuid> session;  // set once it watches one
  };
  using Watchers = std::unordered_map<const Connection*, std::weak_ptr<Connection>>;

  SessionApi& service_;
  Metrics* const metrics_;
  const HubOptions options_;

  mutable std::mutex mutex_;
  bool shutting_down_ = false;
  // Every connection from accept() until it has finished (handshakes included).
  std::unordered_map<const Connection*, Entry> connections_;
  std::map<domain::Uuid, Watchers> watchers_;

  store::Subscription subscription_;
};

Hub::Hub(SessionApi& service, Metrics* metrics, HubOptions options)
    : impl_(std::make_shared<Impl>(service, metrics, options)) {
  // weak_ptr: the subscription must not keep the hub's state alive by itself.
  impl_->subscription_ =
      service.subscribe([weak = std::weak_ptr<Impl>(impl_)](const store::StoreMessage& m) {
        if (auto impl = weak.lock()) impl->on_message(m);
      });
}

Hub::~Hub() {
  // Once reset() returns the store no longer calls us; connections still running keep
  // the Impl alive and end after their 1001 close.
  impl_->subscription_.reset();
  shutdown();
}

void Hub::accept(boost::beast::tcp_stream stream,
                 boost::beast::http::request<boost::beast::http::string_body> request,
                 WsAdmission admission, ConnectionSlot slot) {
  auto c = std::make_shared<Connection>(impl_, std::move(stream), std::move(request),
                                        std::move(admission), std::move(slot));
  const bool going_away = impl_->add(c);
  Connection::start(std::move(c), going_away);
}

void Hub::shutdown() {
  for (auto& c : impl_->start_shutdown()) {
    Connection::close(std::move(c), Connection::CloseCode::going_away);
  }
}

std::size_t Hub::connection_count() const { return impl_->count(); }

}  // namespace sk::server::ws
