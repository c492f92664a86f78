#include "server/metrics.h"

#include <array>
#include <mutex>
#include <unordered_map>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "audit/queue/audit_queue.h"

namespace sk::server {
namespace {

// Request latency buckets in seconds: 100 µs .. 2.5 s, dense around the 1-5 ms targets.
prometheus::Histogram::BucketBoundaries latency_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075,
          0.01,   0.025,   0.05,   0.1,   0.25,  0.5,   1.0,   2.5};
}

// Time-out lag behind the deadline, in seconds: 1 ms .. 1 s.
prometheus::Histogram::BucketBoundaries lag_buckets() {
  return {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0};
}

double seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

// A label value for an HTTP method from a fixed set: a client may send any token as
// its method, and each new value would otherwise be a new series, without bound.
std::string_view method_label(std::string_view method) {
  static constexpr std::string_view kKnown[] = {"GET",    "HEAD",    "POST", "PUT",
                                                "DELETE", "OPTIONS", "PATCH"};
  for (const auto known : kKnown) {
    if (method == known) return known;
  }
  return "OTHER";
}

}  // namespace

struct Metrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& requests =
      prometheus::BuildCounter()
          .Name("synckairos_http_requests_total")
          .Help("HTTP requests by method, route and status")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& latency =
      prometheus::BuildHistogram()
          .Name("synckairos_http_request_duration_seconds")
          .Help("HTTP request latency by route (the switch route is its own series)")
          .Register(*registry);
  prometheus::Gauge& sessions = prometheus::BuildGauge()
                                    .Name("synckairos_active_sessions")
                                    .Help("Sessions in the store")
                                    .Register(*registry)
                                    .Add({});
  prometheus::Gauge& websockets = prometheus::BuildGauge()
                                      .Name("synckairos_websocket_connections")
                                      .Help("Open WebSocket connections on this instance")
                                      .Register(*registry)
                                      .Add({});
  prometheus::Counter& slow_drops = prometheus::BuildCounter()
                                        .Name("synckairos_websocket_slow_client_drops_total")
                                        .Help("WebSocket clients dropped for not reading")
                                        .Register(*registry)
                                        .Add({});
  prometheus::Counter& timeouts = prometheus::BuildCounter()
                                      .Name("synckairos_timeouts_fired_total")
                                      .Help("Time-outs applied by the deadline timer")
                                      .Register(*registry)
                                      .Add({});
  prometheus::Histogram& timeout_lag =
      prometheus::BuildHistogram()
          .Name("synckairos_timeout_lag_seconds")
          .Help("How late a time-out was applied after its deadline")
          .Register(*registry)
          .Add({}, lag_buckets());
  prometheus::Histogram& fanout = prometheus::BuildHistogram()
                                      .Name("synckairos_fanout_latency_seconds")
                                      .Help("From a state change to its WebSocket send")
                                      .Register(*registry)
                                      .Add({}, latency_buckets());
  prometheus::Counter& store_errors = prometheus::BuildCounter()
                                          .Name("synckairos_store_errors_total")
                                          .Help("Store operations that failed as unavailable")
                                          .Register(*registry)
                                          .Add({});

  prometheus::Counter& store_rollbacks =
      prometheus::BuildCounter()
          .Name("synckairos_store_rollbacks_total")
          .Help("Sessions the store was found to have rolled back (writes lost; new epoch)")
          .Register(*registry)
          .Add({});

  prometheus::Family<prometheus::Gauge>& audit_queue =
      prometheus::BuildGauge()
          .Name("synckairos_audit_queue")
          .Help(
              "Audit queue by state: waiting, active, delayed, dead_lettered (now); "
              "completed, failed (this instance, since start)")
          .Register(*registry);
  prometheus::Gauge& audit_waiting = audit_queue.Add({{"state", "waiting"}});
  prometheus::Gauge& audit_active = audit_queue.Add({{"state", "active"}});
  prometheus::Gauge& audit_completed = audit_queue.Add({{"state", "completed"}});
  prometheus::Gauge& audit_failed = audit_queue.Add({{"state", "failed"}});
  prometheus::Gauge& audit_delayed = audit_queue.Add({{"state", "delayed"}});
  prometheus::Gauge& audit_dead = audit_queue.Add({{"state", "dead_lettered"}});
  prometheus::Gauge& audit_lag = prometheus::BuildGauge()
                                     .Name("synckairos_audit_queue_lag_seconds")
                                     .Help("Age of the oldest audit event not yet written")
                                     .Register(*registry)
                                     .Add({});
  prometheus::Gauge& audit_up = prometheus::BuildGauge()
                                    .Name("synckairos_audit_database_up")
                                    .Help("1 when the audit database answers, 0 when not")
                                    .Register(*registry)
                                    .Add({});
  prometheus::Counter& recovered =
      prometheus::BuildCounter()
          .Name("synckairos_sessions_recovered_total")
          .Help("Sessions the store lost, restored from the audit trail")
          .Register(*registry)
          .Add({});

  prometheus::Counter& retries =
      prometheus::BuildCounter()
          .Name("synckairos_command_retries_total")
          .Help("Commands tried again after losing a compare-and-set race to another write")
          .Register(*registry)
          .Add({});
  prometheus::Family<prometheus::Counter>& dependency_changes =
      prometheus::BuildCounter()
          .Name("synckairos_dependency_transitions_total")
          .Help("A dependency (redis, postgres, sqlite) lost (to=down) or back (to=up)")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& dependency_up =
      prometheus::BuildGauge()
          .Name("synckairos_dependency_up")
          .Help("1 while the dependency is reachable, 0 while it is lost")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& auth_denials =
      prometheus::BuildCounter()
          .Name("synckairos_auth_denied_total")
          .Help("Requests and WebSockets refused by auth, by reason (401s and 403s)")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& rate_limited =
      prometheus::BuildCounter()
          .Name("synckairos_rate_limited_total")
          .Help("Requests and WebSocket connects refused with 429, by limit")
          .Register(*registry);
  prometheus::Counter& limiter_unavailable =
      prometheus::BuildCounter()
          .Name("synckairos_rate_limiter_unavailable_total")
          .Help("Rate-limit checks the shared store could not answer (reads pass, writes 503)")
          .Register(*registry)
          .Add({});
  prometheus::Family<prometheus::Gauge>& rate_limit_requests =
      prometheus::BuildGauge()
          .Name("synckairos_rate_limit_requests")
          .Help("Configured requests per window, by limit (0: off)")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& rate_limit_window =
      prometheus::BuildGauge()
          .Name("synckairos_rate_limit_window_seconds")
          .Help("Configured window, by limit")
          .Register(*registry);

  prometheus::Family<prometheus::Counter>& rejected =
      prometheus::BuildCounter()
          .Name("synckairos_connections_rejected_total")
          .Help("New connections refused by a cap: total (503) or per_ip (429)")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& exceeded =
      prometheus::BuildCounter()
          .Name("synckairos_limits_exceeded_total")
          .Help("Requests or WebSocket clients refused by a per-connection cap")
          .Register(*registry);
  // In the order of enum Limit.
  std::array<prometheus::Counter*, kLimitCount> limits{
      &rejected.Add({{"reason", "total"}}),          &rejected.Add({{"reason", "per_ip"}}),
      &exceeded.Add({{"limit", "header_fields"}}),   &exceeded.Add({{"limit", "header_bytes"}}),
      &exceeded.Add({{"limit", "request_timeout"}}), &exceeded.Add({{"limit", "request_rate"}}),
      &exceeded.Add({{"limit", "ws_message_rate"}}), &exceeded.Add({{"limit", "ws_message_bytes"}}),
  };
  prometheus::Gauge& connections = prometheus::BuildGauge()
                                       .Name("synckairos_connections_open")
                                       .Help("Open TCP connections (HTTP and WebSocket)")
                                       .Register(*registry)
                                       .Add({});
  std::function<std::size_t()> open_connections;  // guarded by mutex

  // Series are created on first use of a (method, route, status) and cached: the set
  // is small (routes x statuses), and a map lookup is far cheaper than the request.
  std::mutex mutex;
  std::unordered_map<std::string, std::pair<prometheus::Counter*, prometheus::Histogram*>> series;
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

void Metrics::observe_request(std::string_view method, std::string_view route, unsigned status,
                              std::chrono::nanoseconds latency) {
  method = method_label(method);
  std::string key;
  key.reserve(method.size() + route.size() + 8);
  key.append(method).append(" ").append(route).append(" ").append(std::to_string(status));
  prometheus::Counter* counter = nullptr;
  prometheus::Histogram* histogram = nullptr;
  {
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->series.find(key);
    if (it == impl_->series.end()) {
      const std::string m{method};
      const std::string r{route};
      auto& c =
          impl_->requests.Add({{"method", m}, {"route", r}, {"status", std::to_string(status)}});
      auto& h = impl_->latency.Add({{"method", m}, {"route", r}}, latency_buckets());
      it = impl_->series.emplace(std::move(key), std::pair{&c, &h}).first;
    }
    counter = it->second.first;
    histogram = it->second.second;
  }
  counter->Increment();
  histogram->Observe(seconds(latency));
}

void Metrics::set_active_sessions(std::int64_t n) { impl_->sessions.Set(static_cast<double>(n)); }
void Metrics::websocket_opened() { impl_->websockets.Increment(); }
void Metrics::websocket_closed() { impl_->websockets.Decrement(); }
void Metrics::websocket_dropped_slow() { impl_->slow_drops.Increment(); }
void Metrics::timeout_fired(std::chrono::milliseconds lag) {
  impl_->timeouts.Increment();
  impl_->timeout_lag.Observe(seconds(lag));
}
void Metrics::fanout_delivered(std::chrono::nanoseconds latency) {
  impl_->fanout.Observe(seconds(latency));
}
void Metrics::store_error() { impl_->store_errors.Increment(); }
void Metrics::store_rolled_back() { impl_->store_rollbacks.Increment(); }

void Metrics::set_audit_queue(const audit::QueueStats& q) {
  const auto set = [](prometheus::Gauge& g, std::int64_t v) { g.Set(static_cast<double>(v)); };
  set(impl_->audit_waiting, q.waiting);
  set(impl_->audit_active, q.active);
  set(impl_->audit_completed, q.completed);
  set(impl_->audit_failed, q.failed);
  set(impl_->audit_delayed, q.delayed);
  set(impl_->audit_dead, q.dead_lettered);
  impl_->audit_lag.Set(static_cast<double>(q.oldest_lag_ms) / 1000.0);
}
void Metrics::set_audit_database_up(bool up) { impl_->audit_up.Set(up ? 1.0 : 0.0); }
void Metrics::session_recovered() { impl_->recovered.Increment(); }
void Metrics::command_retried() { impl_->retries.Increment(); }

void Metrics::dependency_changed(std::string_view dependency, bool up) {
  const std::string name{dependency};
  // Family::Add returns the existing series for labels already added.
  impl_->dependency_changes.Add({{"dependency", name}, {"to", up ? "up" : "down"}}).Increment();
  impl_->dependency_up.Add({{"dependency", name}}).Set(up ? 1.0 : 0.0);
}

void Metrics::auth_denied(std::string_view reason) {
  impl_->auth_denials.Add({{"reason", std::string{reason}}}).Increment();
}

void Metrics::rate_limited(std::string_view limit) {
  impl_->rate_limited.Add({{"limit", std::string{limit}}}).Increment();
}

void Metrics::rate_limiter_unavailable() { impl_->limiter_unavailable.Increment(); }

void Metrics::set_rate_limit(std::string_view limit, std::int64_t requests,
                             std::chrono::milliseconds window) {
  const std::string name{limit};
  impl_->rate_limit_requests.Add({{"limit", name}}).Set(static_cast<double>(requests));
  impl_->rate_limit_window.Add({{"limit", name}}).Set(static_cast<double>(window.count()) / 1000.0);
}

void Metrics::limit_hit(Limit limit) {
  impl_->limits.at(static_cast<std::size_t>(limit))->Increment();
}

void Metrics::read_open_connections_from(std::function<std::size_t()> open) {
  std::lock_guard lock(impl_->mutex);
  impl_->open_connections = std::move(open);
}

std::string Metrics::serialize() const {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->open_connections) {
      impl_->connections.Set(static_cast<double>(impl_->open_connections()));
    }
  }
  return prometheus::TextSerializer{}.Serialize(impl_->registry->Collect());
}

}  // namespace sk::server
